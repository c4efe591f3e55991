// Draws one conversation row. A row that starts a new local day has a separator above it
// (Today, Yesterday, then the date in the locale's format); a row that starts a group (another
// sender, or more than a few minutes later) shows the sender and the time; the text follows,
// formatted by format::parse (bold, italic, code, links) and never interpreted as HTML. Own
// messages and mentions of us are tinted with colours made from the palette; pending ones are
// grey and say so next to the time they were typed. The part of the text the mouse selected
// (MessageSelection) is drawn in the palette's highlight colours.
#pragma once

#include <QStyledItemDelegate>

class QTextDocument;

namespace chat::client {

class MessageSelection;

class MessageDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    static constexpr int kGroupSeconds = 5 * 60;

    explicit MessageDelegate(QObject *parent = nullptr);
    ~MessageDelegate() override;

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    [[nodiscard]] QSize sizeHint(const QStyleOptionViewItem &option,
                                 const QModelIndex &index) const override;

    // The link target under `pos` (view coordinates), empty when there is none.
    [[nodiscard]] QString linkAt(const QStyleOptionViewItem &option, const QModelIndex &index,
                                 const QPoint &pos) const;
    // The character position in the row's drawn text nearest to `pos` (view coordinates).
    [[nodiscard]] int positionAt(const QStyleOptionViewItem &option, const QModelIndex &index,
                                 const QPoint &pos) const;
    // The drawn text between two positions (clamped to the text), as plain text.
    [[nodiscard]] QString textBetween(const QStyleOptionViewItem &option, const QModelIndex &index,
                                      int from, int to) const;
    // What to draw as selected; null for nothing. The selection outlives the delegate's use.
    void setSelection(const MessageSelection *selection) { m_selection = selection; }

    // Whether the row is the first of its local day, and whether it shows its sender and time.
    [[nodiscard]] static bool startsDay(const QModelIndex &index);
    [[nodiscard]] static bool startsGroup(const QModelIndex &index);
    // "Today", "Yesterday", or the day in the locale's long format.
    [[nodiscard]] static QString dayLabel(const QDate &day, const QDate &today);

private:
    struct Layout;
    [[nodiscard]] Layout layout(const QStyleOptionViewItem &option, const QModelIndex &index) const;
    [[nodiscard]] QTextDocument *document(const QStyleOptionViewItem &option, const QString &text,
                                          bool system, bool pending) const;

    struct Cache;
    std::unique_ptr<Cache> m_cache;
    const MessageSelection *m_selection = nullptr;
};

} // namespace chat::client
