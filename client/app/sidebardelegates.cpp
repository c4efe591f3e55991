#include "sidebardelegates.h"

#include "memberlistmodel.h"
#include "roomlistmodel.h"

#include <QApplication>
#include <QPainter>
#include <QPainterPath>

namespace chat::client {

namespace {

constexpr int kMargin = 6;
constexpr int kBadgeGap = 4;

// Draws a pill with the text at the right edge of `area`; returns its left.
int drawBadge(QPainter *painter, const QRect &area, const QString &text, const QColor &fill,
              const QFont &font)
{
    const QFontMetrics metrics(font);
    const int height = metrics.height() + 2;
    const int width = std::max(height, metrics.horizontalAdvance(text) + 10);
    const QRect pill(area.right() - width, area.center().y() - height / 2, width, height);
    QPainterPath path;
    path.addRoundedRect(pill, height / 2.0, height / 2.0);
    painter->fillPath(path, fill);
    painter->setPen(Qt::white);
    painter->setFont(font);
    painter->drawText(pill, Qt::AlignCenter | Qt::TextSingleLine, text);
    return pill.left();
}

} // namespace

QString RoomDelegate::unreadBadge(const QModelIndex &index)
{
    const int unread = index.data(RoomListModel::UnreadRole).toInt();
    if (unread <= 0)
        return {};
    return unread > 999 ? QStringLiteral("999+") : QString::number(unread);
}

QString RoomDelegate::mentionBadge(const QModelIndex &index)
{
    const int mentions = index.data(RoomListModel::MentionsRole).toInt();
    return mentions > 0 ? QStringLiteral("@%1").arg(mentions) : QString();
}

void RoomDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                         const QModelIndex &index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    opt.text.clear();
    const QWidget *widget = option.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    style->drawPrimitive(QStyle::PE_PanelItemViewItem, &opt, painter, widget);

    const bool selected = opt.state & QStyle::State_Selected;
    const bool unread = index.data(RoomListModel::UnreadRole).toInt() > 0;
    const bool direct = index.data(RoomListModel::DirectRole).toBool();
    const bool isPrivate = index.data(RoomListModel::PrivateRole).toBool();
    const QPalette &palette = opt.palette;
    const QColor ink =
        palette.color(QPalette::Active, selected ? QPalette::HighlightedText : QPalette::Text);

    painter->save();
    QRect area = opt.rect.adjusted(kMargin, 2, -kMargin, -2);
    QFont badgeFont = opt.font;
    badgeFont.setBold(true);
    badgeFont.setPointSizeF(std::max(6.0, opt.font.pointSizeF() * 0.85));
    int right = area.right();
    if (const QString badge = unreadBadge(index); !badge.isEmpty()) {
        right =
            drawBadge(painter, QRect(area.left(), area.top(), right - area.left(), area.height()),
                      badge, QColor(0x1a, 0x73, 0xe8), badgeFont) -
            kBadgeGap;
    }
    if (const QString badge = mentionBadge(index); !badge.isEmpty()) {
        right =
            drawBadge(painter, QRect(area.left(), area.top(), right - area.left(), area.height()),
                      badge, QColor(0xd9, 0x30, 0x25), badgeFont) -
            kBadgeGap;
    }

    QFont titleFont = opt.font;
    titleFont.setBold(unread);
    const QFontMetrics titleMetrics(titleFont);
    const QString mark = direct      ? QStringLiteral("@ ")
                         : isPrivate ? QStringLiteral("🔒 ")
                                     : QStringLiteral("# ");
    const QString title = index.data(RoomListModel::TitleRole).toString();
    const QRect titleRect(area.left(), area.top(), right - area.left(), titleMetrics.height());
    painter->setFont(titleFont);
    painter->setPen(ink);
    painter->drawText(titleRect, Qt::AlignLeft | Qt::AlignVCenter | Qt::TextSingleLine,
                      titleMetrics.elidedText(mark + title, Qt::ElideRight, titleRect.width()));

    const QString last = index.data(RoomListModel::LastTextRole).toString().simplified();
    if (!last.isEmpty()) {
        QFont lastFont = opt.font;
        lastFont.setPointSizeF(std::max(6.0, opt.font.pointSizeF() * 0.9));
        const QFontMetrics lastMetrics(lastFont);
        const QRect lastRect(area.left(), titleRect.bottom() + 1, right - area.left(),
                             lastMetrics.height());
        painter->setFont(lastFont);
        painter->setPen(selected ? ink : palette.color(QPalette::Disabled, QPalette::Text));
        const QString from = index.data(RoomListModel::LastFromRole).toString();
        const QString line =
            direct || from.isEmpty() ? last : tr("%1: %2", "sender: last message").arg(from, last);
        painter->drawText(lastRect, Qt::AlignLeft | Qt::AlignVCenter | Qt::TextSingleLine,
                          lastMetrics.elidedText(line, Qt::ElideRight, lastRect.width()));
    }
    painter->restore();
}

QSize RoomDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &) const
{
    const QFontMetrics metrics(option.font);
    return QSize(160, metrics.height() * 2 + 8);
}

void MemberDelegate::initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const
{
    QStyledItemDelegate::initStyleOption(option, index);
    const bool online = index.data(MemberListModel::OnlineRole).toBool();
    option->text = (online ? QStringLiteral("● ") : QStringLiteral("○ ")) + option->text;
    if (!online) {
        option->palette.setColor(QPalette::Text,
                                 option->palette.color(QPalette::Disabled, QPalette::Text));
    }
}

} // namespace chat::client
