#include "messagedelegate.h"

#include "messagemodel.h"
#include "messageselection.h"
#include "messagetext.h"
#include "namekey.h"

#include <QAbstractTextDocumentLayout>
#include <QCache>
#include <QDateTime>
#include <QPainter>
#include <QTextDocument>
#include <QTextDocumentFragment>

#include <memory>

namespace chat::client {

namespace {
constexpr int kMargin = 6;
constexpr int kGap = 4;
constexpr int kCachedDocuments = 400;

QDate localDay(const QModelIndex &index)
{
    return index.data(MessageModel::TimeRole).toDateTime().toLocalTime().date();
}

QString clockOf(const QModelIndex &index)
{
    const QDateTime time = index.data(MessageModel::TimeRole).toDateTime();
    if (!time.isValid())
        return {};
    // The locale's short time, without seconds (the C locale's has them).
    QString format = QLocale().timeFormat(QLocale::ShortFormat);
    format.remove(QStringLiteral(":ss"));
    return QLocale().toString(time.toLocalTime().time(), format);
}
} // namespace

struct MessageDelegate::Cache
{
    QCache<QString, QTextDocument> documents{kCachedDocuments};
};

struct MessageDelegate::Layout
{
    QString separator; // the day, when the row starts one
    QRect separatorRect;
    QString sender; // when the row starts a group
    QString clock;  // "09:14", "09:14 · sending…"
    QRect headerRect;
    QTextDocument *text = nullptr; // owned by the cache
    QPoint textTopLeft;
    QRect bodyRect; // what is tinted: header and text
    QSize size;
    bool system = false;
};

MessageDelegate::MessageDelegate(QObject *parent)
    : QStyledItemDelegate(parent)
    , m_cache(std::make_unique<Cache>())
{}

MessageDelegate::~MessageDelegate() = default;

bool MessageDelegate::startsDay(const QModelIndex &index)
{
    const QModelIndex previous = index.siblingAtRow(index.row() - 1);
    return !previous.isValid() || localDay(previous) != localDay(index);
}

bool MessageDelegate::startsGroup(const QModelIndex &index)
{
    const QModelIndex previous = index.siblingAtRow(index.row() - 1);
    if (!previous.isValid() || startsDay(index) ||
        previous.data(MessageModel::SystemRole).toBool() ||
        index.data(MessageModel::SystemRole).toBool())
        return true;
    if (proto::accountNameKey(previous.data(MessageModel::FromRole).toString()) !=
        proto::accountNameKey(index.data(MessageModel::FromRole).toString()))
        return true;
    const QDateTime before = previous.data(MessageModel::TimeRole).toDateTime();
    const QDateTime now = index.data(MessageModel::TimeRole).toDateTime();
    return !before.isValid() || !now.isValid() || before.secsTo(now) > kGroupSeconds ||
           before.secsTo(now) < 0;
}

QString MessageDelegate::dayLabel(const QDate &day, const QDate &today)
{
    if (day == today)
        return tr("Today");
    if (day == today.addDays(-1))
        return tr("Yesterday");
    return QLocale().toString(day, QLocale::LongFormat);
}

QTextDocument *MessageDelegate::document(const QStyleOptionViewItem &option, const QString &text,
                                         bool system, bool pending) const
{
    const QPalette &palette = option.palette;
    const QString key = QStringLiteral("%1|%2|%3|%4|%5|%6")
                            .arg(option.font.key())
                            .arg(palette.color(QPalette::Text).rgba())
                            .arg(palette.color(QPalette::Base).rgba())
                            .arg(int(system) * 2 + int(pending))
                            .arg(option.rect.width())
                            .arg(text);
    if (QTextDocument *cached = m_cache->documents.object(key))
        return cached;
    auto *document = new QTextDocument;
    QFont font = option.font;
    QPalette ink = palette;
    if (system || pending)
        ink.setColor(QPalette::Text, faintText(palette));
    if (system) {
        font.setItalic(true);
        font.setPointSizeF(std::max(6.0, option.font.pointSizeF() * 0.9));
        document->setPlainText(text); // an event line: no formatting at all
        document->setDefaultFont(font);
        document->setDocumentMargin(0);
        QTextOption centred(Qt::AlignHCenter);
        centred.setWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
        document->setDefaultTextOption(centred);
        QTextCursor all(document);
        all.select(QTextCursor::Document);
        QTextCharFormat grey;
        grey.setForeground(ink.color(QPalette::Text));
        all.mergeCharFormat(grey);
    } else {
        fillMessageDocument(*document, text, font, ink);
    }
    document->setTextWidth(qMax(80, option.rect.width() - 2 * kMargin));
    m_cache->documents.insert(key, document);
    return document;
}

MessageDelegate::Layout MessageDelegate::layout(const QStyleOptionViewItem &option,
                                                const QModelIndex &index) const
{
    Layout l;
    const QRect rect = option.rect;
    const int width = qMax(80, rect.width() - 2 * kMargin);
    const QFontMetrics metrics(option.font);
    int y = rect.top();
    if (startsDay(index)) {
        l.separator = dayLabel(localDay(index), QDate::currentDate());
        l.separatorRect = QRect(rect.left() + kMargin, y + kGap, width, metrics.height());
        y = l.separatorRect.bottom() + 1 + kGap;
    }
    l.system = index.data(MessageModel::SystemRole).toBool();
    const bool pending = index.data(MessageModel::PendingRole).toBool();
    l.clock = clockOf(index);
    if (pending)
        l.clock = l.clock.isEmpty() ? tr("sending…") : tr("%1 · sending…").arg(l.clock);
    QString text = index.data(MessageModel::TextRole).toString();
    if (l.system)
        text = l.clock + QStringLiteral("  ") + text;
    const int top = y;
    if (!l.system && startsGroup(index)) {
        y += kGap;
        l.sender = index.data(MessageModel::SenderRole).toString();
        QFont bold = option.font;
        bold.setBold(true);
        l.headerRect = QRect(rect.left() + kMargin, y, width, QFontMetrics(bold).height());
        y = l.headerRect.bottom() + 1 + 2;
    } else {
        y += 2;
    }
    QStyleOptionViewItem textOption = option;
    textOption.rect.setWidth(rect.width());
    l.text = document(textOption, text, l.system, pending);
    l.textTopLeft = QPoint(rect.left() + kMargin, y);
    y += int(std::ceil(l.text->size().height())) + 2;
    l.bodyRect = QRect(rect.left() + 2, top, rect.width() - 4, y - top);
    l.size = QSize(width + 2 * kMargin, y - rect.top());
    return l;
}

void MessageDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                            const QModelIndex &index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    const Layout l = layout(opt, index);
    const QPalette &palette = opt.palette;
    const QColor base = palette.color(QPalette::Base);
    const QColor faint = faintText(palette);

    painter->save();
    if (!l.separator.isEmpty()) {
        // ——— Today ———, in the palette's quiet colours.
        const QFontMetrics metrics(opt.font);
        const int labelWidth = metrics.horizontalAdvance(l.separator) + 2 * kMargin;
        const QRect labelRect(l.separatorRect.center().x() - labelWidth / 2, l.separatorRect.top(),
                              labelWidth, l.separatorRect.height());
        painter->setPen(blendColors(base, palette.color(QPalette::Text), 0.25));
        const int middle = l.separatorRect.center().y();
        painter->drawLine(l.separatorRect.left(), middle, labelRect.left(), middle);
        painter->drawLine(labelRect.right(), middle, l.separatorRect.right(), middle);
        painter->setPen(faint);
        painter->setFont(opt.font);
        painter->drawText(labelRect, Qt::AlignCenter, l.separator);
    }
    if (!l.system) {
        const bool own = index.data(MessageModel::OwnRole).toBool();
        const QColor highlight = palette.color(QPalette::Highlight);
        if (index.data(MessageModel::MentionsUsRole).toBool()) {
            painter->fillRect(l.bodyRect, blendColors(base, highlight, 0.22));
            painter->fillRect(l.bodyRect.left(), l.bodyRect.top(), 3, l.bodyRect.height(),
                              highlight);
        } else if (own) {
            painter->fillRect(l.bodyRect, blendColors(base, highlight, 0.10));
        }
        if (!l.sender.isEmpty()) {
            QFont bold = opt.font;
            bold.setBold(true);
            painter->setFont(bold);
            painter->setPen(own ? palette.color(QPalette::Link) : palette.color(QPalette::Text));
            const QString sender = QFontMetrics(bold).elidedText(l.sender, Qt::ElideRight,
                                                                 l.headerRect.width() * 3 / 4);
            painter->drawText(l.headerRect, Qt::AlignLeft | Qt::AlignVCenter, sender);
            const int after = QFontMetrics(bold).horizontalAdvance(sender) + 2 * kMargin;
            painter->setFont(opt.font);
            painter->setPen(faint);
            painter->drawText(l.headerRect.adjusted(after, 0, 0, 0),
                              Qt::AlignLeft | Qt::AlignVCenter, l.clock);
        }
    }
    painter->translate(l.textTopLeft);
    QAbstractTextDocumentLayout::PaintContext context;
    context.palette = palette;
    if (const auto range = m_selection ? m_selection->rangeIn(index) : std::nullopt) {
        QAbstractTextDocumentLayout::Selection selected;
        selected.cursor = QTextCursor(l.text);
        const int end = l.text->characterCount() - 1;
        selected.cursor.setPosition(qBound(0, range->first, end));
        selected.cursor.setPosition(qBound(0, range->second, end), QTextCursor::KeepAnchor);
        selected.format.setBackground(palette.color(QPalette::Highlight));
        selected.format.setForeground(palette.color(QPalette::HighlightedText));
        context.selections.append(selected);
    }
    l.text->documentLayout()->draw(painter, context);
    painter->restore();
}

QSize MessageDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    return layout(option, index).size;
}

QString MessageDelegate::linkAt(const QStyleOptionViewItem &option, const QModelIndex &index,
                                const QPoint &pos) const
{
    if (!index.isValid() || index.data(MessageModel::SystemRole).toBool())
        return {};
    const Layout l = layout(option, index);
    return l.text->documentLayout()->anchorAt(QPointF(pos - l.textTopLeft));
}

int MessageDelegate::positionAt(const QStyleOptionViewItem &option, const QModelIndex &index,
                                const QPoint &pos) const
{
    if (!index.isValid())
        return 0;
    const Layout l = layout(option, index);
    const QPointF inText = QPointF(pos - l.textTopLeft);
    // Above the text (the day or the sender) is its start; below it, its end.
    if (inText.y() < 0)
        return 0;
    if (inText.y() >= l.text->size().height())
        return l.text->characterCount() - 1;
    return qMax(0, l.text->documentLayout()->hitTest(inText, Qt::FuzzyHit));
}

QString MessageDelegate::textBetween(const QStyleOptionViewItem &option, const QModelIndex &index,
                                     int from, int to) const
{
    const Layout l = layout(option, index);
    const int end = l.text->characterCount() - 1;
    QTextCursor cursor(l.text);
    cursor.setPosition(qBound(0, from, end));
    cursor.setPosition(qBound(0, to, end), QTextCursor::KeepAnchor);
    return QTextDocumentFragment(cursor).toPlainText();
}

} // namespace chat::client
