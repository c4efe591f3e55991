#include "messageselection.h"

#include <climits>

namespace chat::client {

void MessageSelection::start(const QModelIndex &row, int position)
{
    m_anchor = {row, position};
    m_focus = m_anchor;
}

void MessageSelection::extendTo(const QModelIndex &row, int position)
{
    if (m_anchor.row.isValid())
        m_focus = {row, position};
}

void MessageSelection::clear()
{
    m_anchor = {};
    m_focus = {};
}

std::pair<const MessageSelection::Point &, const MessageSelection::Point &>
MessageSelection::ordered() const
{
    const bool forward =
        m_anchor.row.row() < m_focus.row.row() ||
        (m_anchor.row.row() == m_focus.row.row() && m_anchor.position <= m_focus.position);
    if (forward)
        return {m_anchor, m_focus};
    return {m_focus, m_anchor};
}

bool MessageSelection::isEmpty() const
{
    return !valid() || (m_anchor.row == m_focus.row && m_anchor.position == m_focus.position);
}

int MessageSelection::firstRow() const
{
    return isEmpty() ? -1 : ordered().first.row.row();
}

int MessageSelection::lastRow() const
{
    return isEmpty() ? -1 : ordered().second.row.row();
}

std::optional<std::pair<int, int>> MessageSelection::rangeIn(const QModelIndex &row) const
{
    if (isEmpty() || row.model() != m_anchor.row.model())
        return std::nullopt;
    const auto [top, bottom] = ordered();
    const int r = row.row();
    if (r < top.row.row() || r > bottom.row.row())
        return std::nullopt;
    const int from = r == top.row.row() ? top.position : 0;
    const int to = r == bottom.row.row() ? bottom.position : INT_MAX;
    if (from >= to)
        return std::nullopt;
    return std::pair{from, to};
}

} // namespace chat::client
