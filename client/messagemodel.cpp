#include "messagemodel.h"

#include "eventtext.h"
#include "mentions.h"
#include "namekey.h"
#include "validation.h"

#include <QDateTime>
#include <QLocale>

#include <algorithm>

namespace chat::client {

namespace {

bool seqLess(const proto::Message &a, const proto::Message &b)
{
    return a.seq < b.seq;
}

} // namespace

class MessageModel::Private
{
public:
    QList<proto::Message> confirmed; // sorted by seq, unique seqs
    QList<proto::Message> pending;   // send order; seq 0
    QString ownNick;
    QString ownKey;        // nickKey(ownNick)
    QString ownAccountKey; // accountNameKey(ownNick): what mentions are matched with
    QString ownDisplay;
    int maxConfirmed = kDefaultMaxConfirmed;
    bool more = true;

    [[nodiscard]] bool isOwn(const proto::Message &m) const
    {
        return !ownKey.isEmpty() && proto::nickKey(m.from) == ownKey;
    }

    [[nodiscard]] qsizetype pendingIndex(const QString &id) const
    {
        for (qsizetype i = 0; i < pending.size(); ++i) {
            if (pending.at(i).id == id)
                return i;
        }
        return -1;
    }

    // Where a message with this seq goes, and whether the seq is already there.
    [[nodiscard]] std::pair<qsizetype, bool> confirmedPosition(qint64 seq) const
    {
        proto::Message key;
        key.seq = seq;
        const auto it = std::lower_bound(confirmed.cbegin(), confirmed.cend(), key, seqLess);
        return {it - confirmed.cbegin(), it != confirmed.cend() && it->seq == seq};
    }
};

MessageModel::MessageModel(QObject *parent)
    : QAbstractListModel(parent)
    , d(std::make_unique<Private>())
{}

MessageModel::~MessageModel() = default;

int MessageModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid())
        return 0;
    return int(d->confirmed.size() + d->pending.size());
}

QVariant MessageModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const int row = index.row();
    const bool pending = isPending(row);
    const proto::Message &m =
        pending ? d->pending.at(row - d->confirmed.size()) : d->confirmed.at(row);
    switch (role) {
    case Qt::DisplayRole:
        if (!m.event.isEmpty())
            return QStringLiteral("%1  %2").arg(
                m.time.toLocalTime().toString(QStringLiteral("HH:mm")), eventLine(m));
        return QStringLiteral("%1  %2: %3")
            .arg(m.time.toLocalTime().toString(QStringLiteral("HH:mm")),
                 senderLabel(m.from, m.display), m.text);
    case Qt::ToolTipRole: // the full date and time, where the row shows only the time
        return QLocale().toString(m.time.toLocalTime(), QLocale::LongFormat);
    case Qt::AccessibleTextRole:
        return QStringLiteral("%1, %2: %3")
            .arg(senderLabel(m.from, m.display),
                 QLocale().toString(m.time.toLocalTime(), QLocale::ShortFormat), eventLine(m));
    case SeqRole:
        return m.seq;
    case IdRole:
        return m.id;
    case RoomRole:
        return m.room;
    case FromRole:
        return m.from;
    case TimeRole:
        return m.time;
    case TextRole:
        return eventLine(m);
    case RawTextRole:
        return m.text;
    case EventRole:
        return m.event;
    case TargetRole:
        return m.target;
    case SystemRole:
        return !m.event.isEmpty();
    case MentionsUsRole:
        return m.event.isEmpty() && !pending && !d->isOwn(m) && !d->ownAccountKey.isEmpty() &&
               proto::mentions(m.text, d->ownAccountKey);
    case PendingRole:
        return pending;
    case OwnRole:
        return pending || d->isOwn(m);
    case DisplayNameRole:
        return m.display;
    case SenderRole:
        return senderLabel(m.from, m.display);
    default:
        return {};
    }
}

QHash<int, QByteArray> MessageModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractListModel::roleNames();
    names.insert({{SeqRole, "seq"},
                  {IdRole, "id"},
                  {RoomRole, "room"},
                  {FromRole, "from"},
                  {TimeRole, "time"},
                  {TextRole, "text"},
                  {PendingRole, "pending"},
                  {OwnRole, "own"},
                  {DisplayNameRole, "displayName"},
                  {SenderRole, "sender"},
                  {EventRole, "event"},
                  {TargetRole, "target"},
                  {SystemRole, "system"},
                  {RawTextRole, "rawText"},
                  {MentionsUsRole, "mentionsUs"}});
    return names;
}

void MessageModel::setOwnNick(const QString &nick)
{
    if (nick == d->ownNick)
        return;
    d->ownNick = nick;
    d->ownKey = nick.isEmpty() ? QString() : proto::nickKey(nick);
    d->ownAccountKey = nick.isEmpty() ? QString() : proto::accountNameKey(nick);
    for (proto::Message &m : d->pending)
        m.from = nick;
    if (rowCount() > 0)
        emit dataChanged(index(0), index(rowCount() - 1), {Qt::DisplayRole, FromRole, OwnRole});
}

void MessageModel::setOwnDisplayName(const QString &display)
{
    if (display == d->ownDisplay)
        return;
    d->ownDisplay = display;
    for (proto::Message &m : d->pending)
        m.display = display;
    if (!d->pending.isEmpty())
        emit dataChanged(index(int(d->confirmed.size())), index(rowCount() - 1),
                         {Qt::DisplayRole, DisplayNameRole, SenderRole});
}

QString MessageModel::senderLabel(const QString &from, const QString &display)
{
    return personLabel(from, display);
}

QString MessageModel::ownNick() const
{
    return d->ownNick;
}

void MessageModel::setMaxConfirmed(int max)
{
    d->maxConfirmed = std::max(1, max);
    const qsizetype excess = d->confirmed.size() - d->maxConfirmed;
    if (excess > 0) {
        beginRemoveRows({}, 0, int(excess - 1));
        d->confirmed.remove(0, excess);
        endRemoveRows();
    }
}

int MessageModel::maxConfirmed() const
{
    return d->maxConfirmed;
}

bool MessageModel::addMessage(const proto::Message &message)
{
    const auto [position, present] = d->confirmedPosition(message.seq);
    const qsizetype pendingAt = d->isOwn(message) ? d->pendingIndex(message.id) : -1;
    if (present) {
        // Already shown: at most a stale pending twin is left to drop.
        if (pendingAt >= 0)
            removePending(message.id);
        return pendingAt >= 0;
    }
    if (d->confirmed.size() >= d->maxConfirmed && position == 0) {
        // Older than everything kept: it would be dropped at once.
        if (pendingAt >= 0)
            removePending(message.id);
        return pendingAt >= 0;
    }
    const int row = int(position);
    if (pendingAt >= 0) {
        // The acknowledgement: move the pending row into place, so it exists exactly once.
        const int from = int(d->confirmed.size() + pendingAt);
        const bool moves = from != row;
        if (moves)
            beginMoveRows({}, from, from, {}, row);
        d->pending.removeAt(pendingAt);
        d->confirmed.insert(position, message);
        if (moves)
            endMoveRows();
        emit dataChanged(index(row), index(row));
    } else {
        beginInsertRows({}, row, row);
        d->confirmed.insert(position, message);
        endInsertRows();
    }
    setMaxConfirmed(d->maxConfirmed);
    return true;
}

void MessageModel::appendHistory(const QList<proto::Message> &history)
{
    for (const proto::Message &m : history)
        addMessage(m);
}

void MessageModel::resetHistory(const QList<proto::Message> &history)
{
    QList<proto::Message> sorted = history;
    std::stable_sort(sorted.begin(), sorted.end(), seqLess);
    sorted.erase(std::unique(sorted.begin(), sorted.end(),
                             [](const proto::Message &a, const proto::Message &b) {
                                 return a.seq == b.seq;
                             }),
                 sorted.end());
    if (sorted.size() > d->maxConfirmed)
        sorted.remove(0, sorted.size() - d->maxConfirmed);

    beginResetModel();
    for (const proto::Message &m : std::as_const(history)) {
        if (d->isOwn(m)) {
            const qsizetype i = d->pendingIndex(m.id);
            if (i >= 0)
                d->pending.removeAt(i);
        }
    }
    d->confirmed = std::move(sorted);
    endResetModel();
}

void MessageModel::addPage(const QList<proto::Message> &page, bool more)
{
    QList<proto::Message> sorted = page;
    std::stable_sort(sorted.begin(), sorted.end(), seqLess);
    // The usual page lies wholly before what is held: one insertion at the top.
    const qint64 oldest = oldestSeq();
    QList<proto::Message> before;
    for (const proto::Message &m : std::as_const(sorted)) {
        if ((oldest == 0 || m.seq < oldest) && (before.isEmpty() || before.constLast().seq < m.seq))
            before.append(m);
    }
    if (oldest != 0 || d->pending.isEmpty()) {
        const qsizetype room = d->maxConfirmed - d->confirmed.size();
        if (before.size() > room)
            before.remove(0, before.size() - std::max<qsizetype>(0, room));
        if (!before.isEmpty()) {
            beginInsertRows({}, 0, int(before.size() - 1));
            d->confirmed = before + d->confirmed;
            endInsertRows();
        }
    } else {
        before.clear(); // only pending rows held: they may be acknowledged by the page
    }
    // The rest (a page that overlaps what is held, or acknowledges pending rows) one by one.
    for (qsizetype i = sorted.size() - 1; i >= 0; --i) {
        const proto::Message &m = sorted.at(i);
        if (d->confirmedPosition(m.seq).second)
            continue;
        if (d->confirmed.size() >= d->maxConfirmed && m.seq < oldestSeq())
            break;
        addMessage(m);
    }
    d->more = more && d->confirmed.size() < d->maxConfirmed;
}

bool MessageModel::hasMore() const
{
    return d->more;
}

void MessageModel::setHasMore(bool more)
{
    d->more = more;
}

qint64 MessageModel::oldestSeq() const
{
    return d->confirmed.isEmpty() ? 0 : d->confirmed.constFirst().seq;
}

void MessageModel::dropConfirmed()
{
    if (!d->confirmed.isEmpty()) {
        beginRemoveRows({}, 0, int(d->confirmed.size() - 1));
        d->confirmed.clear();
        endRemoveRows();
    }
    d->more = true;
}

QList<proto::Message> MessageModel::pendingMessages() const
{
    return d->pending;
}

void MessageModel::addPending(const proto::Send &send, const QDateTime &typed)
{
    if (d->pendingIndex(send.id) >= 0)
        return;
    proto::Message m;
    m.id = send.id;
    m.room = send.room; // empty for a direct message to someone without a room yet
    m.from = d->ownNick;
    m.display = d->ownDisplay;
    m.time = typed.isValid() ? typed.toUTC() : QDateTime::currentDateTimeUtc();
    m.text = send.text;
    const int row = rowCount();
    beginInsertRows({}, row, row);
    d->pending.append(m);
    endInsertRows();
}

bool MessageModel::removePending(const QString &id)
{
    const qsizetype i = d->pendingIndex(id);
    if (i < 0)
        return false;
    const int row = int(d->confirmed.size() + i);
    beginRemoveRows({}, row, row);
    d->pending.removeAt(i);
    endRemoveRows();
    return true;
}

void MessageModel::clear()
{
    beginResetModel();
    d->confirmed.clear();
    d->pending.clear();
    endResetModel();
}

int MessageModel::confirmedCount() const
{
    return int(d->confirmed.size());
}

int MessageModel::pendingCount() const
{
    return int(d->pending.size());
}

qint64 MessageModel::lastSeq() const
{
    return d->confirmed.isEmpty() ? 0 : d->confirmed.constLast().seq;
}

bool MessageModel::isPending(int row) const
{
    return row >= d->confirmed.size() && row < rowCount();
}

proto::Message MessageModel::messageAt(int row) const
{
    if (row < 0 || row >= rowCount())
        return {};
    return isPending(row) ? d->pending.at(row - d->confirmed.size()) : d->confirmed.at(row);
}

} // namespace chat::client
