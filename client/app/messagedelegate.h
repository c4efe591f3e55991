// Draws one conversation row: time, sender and text, always as plain text (never rich text,
// whatever the sender typed). Own messages are tinted; pending ones are grey and say so.
#pragma once

#include <QStyledItemDelegate>

namespace chat::client {

class MessageDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    explicit MessageDelegate(QObject *parent = nullptr);

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    [[nodiscard]] QSize sizeHint(const QStyleOptionViewItem &option,
                                 const QModelIndex &index) const override;

private:
    struct Layout;
    [[nodiscard]] Layout layout(const QStyleOptionViewItem &option, const QModelIndex &index) const;
};

} // namespace chat::client
