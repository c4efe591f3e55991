// The text the mouse selected in the conversation: from where the drag began (a row and a
// character in its drawn text) to where it is now, over one row or several. Positions count
// the characters the delegate draws (formatting marks are not part of them). Persistent
// indexes keep the rows when older messages go in above.
#pragma once

#include <QPersistentModelIndex>

#include <optional>
#include <utility>

namespace chat::client {

class MessageSelection
{
public:
    void start(const QModelIndex &row, int position);
    void extendTo(const QModelIndex &row, int position);
    void clear();

    [[nodiscard]] bool isEmpty() const;
    // The first and last rows touched (-1 when there is no selection).
    [[nodiscard]] int firstRow() const;
    [[nodiscard]] int lastRow() const;
    // The characters [from, to) selected in `row`; `to` may be past the text's end (the rest
    // of the row is selected). Nothing when the row has no selected character.
    [[nodiscard]] std::optional<std::pair<int, int>> rangeIn(const QModelIndex &row) const;

private:
    struct Point
    {
        QPersistentModelIndex row;
        int position = 0;
    };
    [[nodiscard]] bool valid() const { return m_anchor.row.isValid() && m_focus.row.isValid(); }
    [[nodiscard]] std::pair<const Point &, const Point &> ordered() const;

    Point m_anchor;
    Point m_focus;
};

} // namespace chat::client
