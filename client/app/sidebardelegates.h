// How the side panes draw their rows, always as plain text: a room with its unread and mention
// badges (bold while it has unread messages), and a member with a dot that says online.
#pragma once

#include <QStyledItemDelegate>

namespace chat::client {

class RoomDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    [[nodiscard]] QSize sizeHint(const QStyleOptionViewItem &option,
                                 const QModelIndex &index) const override;
    // The badge texts of a row: "3" (unread; "999+" past that) and "@1" (mentions); empty: none.
    [[nodiscard]] static QString unreadBadge(const QModelIndex &index);
    [[nodiscard]] static QString mentionBadge(const QModelIndex &index);
};

class MemberDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;

protected:
    void initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const override;
};

} // namespace chat::client
