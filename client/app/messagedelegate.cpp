#include "messagedelegate.h"

#include "messagemodel.h"

#include <QApplication>
#include <QDateTime>
#include <QPainter>

namespace chat::client {

namespace {
constexpr int kMargin = 6;
constexpr int kGap = 8;
} // namespace

struct MessageDelegate::Layout
{
    QString header; // "09:14  alice"
    QString text;
    QFont headerFont;
    QFont textFont;
    QRect headerRect;
    QRect textRect;
    QSize size;
    bool system = false;
};

MessageDelegate::MessageDelegate(QObject *parent)
    : QStyledItemDelegate(parent)
{}

MessageDelegate::Layout MessageDelegate::layout(const QStyleOptionViewItem &option,
                                                const QModelIndex &index) const
{
    Layout l;
    const bool pending = index.data(MessageModel::PendingRole).toBool();
    const QDateTime time = index.data(MessageModel::TimeRole).toDateTime();
    const QString clock = pending || !time.isValid()
                              ? QStringLiteral("发送中…")
                              : time.toLocalTime().toString(QStringLiteral("HH:mm"));
    l.text = index.data(MessageModel::TextRole).toString();
    l.headerFont = option.font;
    l.headerFont.setBold(true);
    l.textFont = option.font;
    l.textFont.setItalic(pending);
    const int width = qMax(80, option.rect.width() - 2 * kMargin);

    if (index.data(MessageModel::SystemRole).toBool()) {
        // An event: one grey line, centred, with its time.
        l.system = true;
        l.text = clock + QStringLiteral("  ") + l.text;
        l.textFont.setItalic(true);
        l.textFont.setPointSizeF(std::max(6.0, option.font.pointSizeF() * 0.9));
        const QFontMetrics metrics(l.textFont);
        const QRect bounds = metrics.boundingRect(QRect(0, 0, width, 1 << 20),
                                                  Qt::AlignHCenter | Qt::TextWordWrap, l.text);
        l.textRect = QRect(option.rect.left() + kMargin, option.rect.top() + kMargin / 2, width,
                           bounds.height());
        l.size = QSize(width + 2 * kMargin, bounds.height() + kMargin);
        return l;
    }
    l.header = clock + QStringLiteral("  ") + index.data(MessageModel::SenderRole).toString();

    const QFontMetrics headerMetrics(l.headerFont);
    const QFontMetrics textMetrics(l.textFont);
    l.headerRect = QRect(option.rect.left() + kMargin, option.rect.top() + kMargin, width,
                         headerMetrics.height());
    const QRect textBounds =
        textMetrics.boundingRect(QRect(0, 0, width, 1 << 20), Qt::TextWordWrap, l.text);
    l.textRect = QRect(l.headerRect.left(), l.headerRect.bottom() + 2, width, textBounds.height());
    l.size = QSize(width + 2 * kMargin,
                   headerMetrics.height() + 2 + textBounds.height() + 2 * kMargin + kGap / 2);
    return l;
}

void MessageDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                            const QModelIndex &index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    const Layout l = layout(opt, index);
    const bool own = index.data(MessageModel::OwnRole).toBool();
    const bool pending = index.data(MessageModel::PendingRole).toBool();
    const QPalette &palette = opt.palette;

    painter->save();
    if (l.system) {
        painter->setPen(palette.color(QPalette::Disabled, QPalette::Text));
        painter->setFont(l.textFont);
        painter->drawText(l.textRect, Qt::AlignHCenter | Qt::TextWordWrap, l.text);
        painter->restore();
        return;
    }
    if (opt.state & QStyle::State_Selected)
        painter->fillRect(opt.rect, palette.highlight());
    else if (own)
        painter->fillRect(opt.rect.adjusted(2, 1, -2, -1), QColor(0xe3, 0xf0, 0xff));
    else if (index.data(MessageModel::MentionsUsRole).toBool())
        painter->fillRect(opt.rect.adjusted(2, 1, -2, -1), QColor(0xff, 0xf4, 0xd6));

    const QColor ink = pending ? palette.color(QPalette::Disabled, QPalette::Text)
                               : palette.color(QPalette::Active, QPalette::Text);
    painter->setPen(own ? QColor(0x1a, 0x5f, 0xb4) : ink);
    painter->setFont(l.headerFont);
    painter->drawText(l.headerRect, Qt::AlignLeft | Qt::AlignVCenter | Qt::TextSingleLine,
                      l.header);
    painter->setPen(ink);
    painter->setFont(l.textFont);
    // drawText never interprets markup: "<b>x</b>" is drawn as those characters.
    painter->drawText(l.textRect, Qt::AlignLeft | Qt::TextWordWrap, l.text);
    painter->restore();
}

QSize MessageDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    return layout(option, index).size;
}

} // namespace chat::client
