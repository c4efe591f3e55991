#include "roomlistmodel.h"

#include "eventtext.h"
#include "namekey.h"

#include <algorithm>

namespace chat::client {

namespace {

// Rooms before direct conversations, each by what is shown, case-insensitively.
bool shownBefore(const proto::RoomState &a, const proto::RoomState &b)
{
    if (a.direct != b.direct)
        return !a.direct;
    const int byTitle =
        QString::compare(RoomListModel::titleOf(a), RoomListModel::titleOf(b), Qt::CaseInsensitive);
    if (byTitle != 0)
        return byTitle < 0;
    return a.name < b.name;
}

} // namespace

RoomListModel::RoomListModel(QObject *parent)
    : QAbstractListModel(parent)
{}

int RoomListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rooms.size());
}

QVariant RoomListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const proto::RoomState &r = m_rooms.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case TitleRole:
        return titleOf(r);
    case NameRole:
        return r.name;
    case TopicRole:
        return r.topic;
    case DirectRole:
        return r.direct;
    case PrivateRole:
        return r.isPrivate;
    case RoleRole:
        return r.role;
    case UnreadRole:
        return r.unread;
    case MentionsRole:
        return r.mentions;
    case LastTextRole:
        return r.last ? previewLine(*r.last) : QString();
    case LastTimeRole:
        return r.last ? r.last->time : QDateTime();
    case LastFromRole:
        if (!r.last || !r.last->event.isEmpty())
            return QString();
        return r.last->display.isEmpty() ? r.last->from : r.last->display;
    case MembersRole:
        return r.members;
    case WithRole:
        return r.with;
    case ReadRole:
        return r.read;
    case LastSeqRole:
        return r.last ? r.last->seq : qint64(0);
    default:
        return {};
    }
}

QHash<int, QByteArray> RoomListModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractListModel::roleNames();
    names.insert({{NameRole, "name"},
                  {TitleRole, "title"},
                  {TopicRole, "topic"},
                  {DirectRole, "direct"},
                  {PrivateRole, "private"},
                  {RoleRole, "role"},
                  {UnreadRole, "unread"},
                  {MentionsRole, "mentions"},
                  {LastTextRole, "lastText"},
                  {LastTimeRole, "lastTime"},
                  {LastFromRole, "lastFrom"},
                  {MembersRole, "members"},
                  {WithRole, "with"},
                  {ReadRole, "read"},
                  {LastSeqRole, "lastSeq"}});
    return names;
}

QString RoomListModel::titleOf(const proto::RoomState &room)
{
    if (!room.title.isEmpty())
        return room.title;
    if (room.direct && !room.with.isEmpty())
        return room.with;
    return room.name;
}

void RoomListModel::setRooms(const QList<proto::RoomState> &rooms)
{
    QList<proto::RoomState> sorted;
    for (const proto::RoomState &room : rooms) {
        // A repeated name: the later one counts.
        sorted.removeIf([&room](const proto::RoomState &r) { return r.name == room.name; });
        sorted.append(room);
    }
    std::stable_sort(sorted.begin(), sorted.end(), shownBefore);
    beginResetModel();
    m_rooms = std::move(sorted);
    endResetModel();
    emit countsChanged();
}

void RoomListModel::upsert(const proto::RoomState &room)
{
    const int row = indexOf(room.name);
    if (row >= 0) {
        proto::RoomState merged = room;
        // A `room` may come without the newest message we already have.
        const std::optional<proto::Message> &known = m_rooms.at(row).last;
        if (known && (!merged.last || merged.last->seq < known->seq))
            merged.last = known;
        const bool counts =
            m_rooms.at(row).unread != merged.unread || m_rooms.at(row).mentions != merged.mentions;
        replaceAt(row, merged);
        if (counts)
            emit countsChanged();
        return;
    }
    const int at = insertPosition(room);
    beginInsertRows({}, at, at);
    m_rooms.insert(at, room);
    endInsertRows();
    emit countsChanged();
}

bool RoomListModel::remove(const QString &name)
{
    const int row = indexOf(name);
    if (row < 0)
        return false;
    beginRemoveRows({}, row, row);
    m_rooms.removeAt(row);
    endRemoveRows();
    emit roomRemoved(name);
    emit countsChanged();
    return true;
}

void RoomListModel::applyUnread(const proto::Unread &unread)
{
    const int row = indexOf(unread.room);
    if (row < 0)
        return;
    proto::RoomState &r = m_rooms[row];
    if (r.read == unread.read && r.unread == unread.unread && r.mentions == unread.mentions)
        return;
    r.read = unread.read;
    r.unread = unread.unread;
    r.mentions = unread.mentions;
    changedAt(row, {UnreadRole, MentionsRole, ReadRole});
    emit countsChanged();
}

void RoomListModel::noteMessage(const proto::Message &message, bool counts, bool mentionsUs)
{
    const int row = indexOf(message.room);
    if (row < 0)
        return;
    proto::RoomState &r = m_rooms[row];
    QList<int> roles;
    if (!r.last || r.last->seq < message.seq) {
        r.last = message;
        roles << LastTextRole << LastTimeRole << LastFromRole << LastSeqRole;
    } else if (r.last->seq == message.seq) {
        return; // seen already: counted already
    }
    if (counts && message.seq > r.read) {
        r.unread = std::min(r.unread + 1, 1000);
        if (mentionsUs)
            r.mentions = std::min(r.mentions + 1, 1000);
        roles << UnreadRole << MentionsRole;
    }
    if (!roles.isEmpty())
        changedAt(row, roles);
    if (roles.contains(UnreadRole))
        emit countsChanged();
}

void RoomListModel::markRead(const QString &name, qint64 seq)
{
    const int row = indexOf(name);
    if (row < 0)
        return;
    proto::RoomState &r = m_rooms[row];
    const bool counted = r.unread != 0 || r.mentions != 0;
    if (!counted && r.read >= seq)
        return;
    r.read = std::max(r.read, seq);
    r.unread = 0;
    r.mentions = 0;
    changedAt(row, {UnreadRole, MentionsRole, ReadRole});
    if (counted)
        emit countsChanged();
}

void RoomListModel::adjustMembers(const QString &name, int delta)
{
    const int row = indexOf(name);
    if (row < 0)
        return;
    m_rooms[row].members = std::max(0, m_rooms[row].members + delta);
    changedAt(row, {MembersRole});
}

void RoomListModel::setTitle(const QString &name, const QString &title)
{
    const int row = indexOf(name);
    if (row < 0 || m_rooms.at(row).title == title)
        return;
    proto::RoomState r = m_rooms.at(row);
    r.title = title;
    replaceAt(row, r);
}

void RoomListModel::setTopic(const QString &name, const QString &topic)
{
    const int row = indexOf(name);
    if (row < 0 || m_rooms.at(row).topic == topic)
        return;
    m_rooms[row].topic = topic;
    changedAt(row, {TopicRole});
}

bool RoomListModel::contains(const QString &name) const
{
    return indexOf(name) >= 0;
}

std::optional<proto::RoomState> RoomListModel::room(const QString &name) const
{
    const int row = indexOf(name);
    if (row < 0)
        return std::nullopt;
    return m_rooms.at(row);
}

int RoomListModel::indexOf(const QString &name) const
{
    for (qsizetype i = 0; i < m_rooms.size(); ++i) {
        if (m_rooms.at(i).name == name)
            return int(i);
    }
    return -1;
}

QString RoomListModel::nameAt(int row) const
{
    return row >= 0 && row < m_rooms.size() ? m_rooms.at(row).name : QString();
}

QString RoomListModel::directRoomWith(const QString &account) const
{
    const QString key = proto::accountNameKey(account);
    for (const proto::RoomState &r : m_rooms) {
        if (r.direct && !r.with.isEmpty() && proto::accountNameKey(r.with) == key)
            return r.name;
    }
    return {};
}

QStringList RoomListModel::names() const
{
    QStringList names;
    for (const proto::RoomState &r : m_rooms)
        names.append(r.name);
    return names;
}

int RoomListModel::totalUnread() const
{
    int total = 0;
    for (const proto::RoomState &r : m_rooms)
        total += r.unread;
    return total;
}

qint64 RoomListModel::lastSeq(const QString &name) const
{
    const int row = indexOf(name);
    return row >= 0 && m_rooms.at(row).last ? m_rooms.at(row).last->seq : 0;
}

int RoomListModel::insertPosition(const proto::RoomState &room) const
{
    const auto it = std::lower_bound(m_rooms.cbegin(), m_rooms.cend(), room, shownBefore);
    return int(it - m_rooms.cbegin());
}

void RoomListModel::replaceAt(int row, const proto::RoomState &room)
{
    const bool placeChanges =
        titleOf(m_rooms.at(row)) != titleOf(room) || m_rooms.at(row).direct != room.direct;
    if (!placeChanges) {
        m_rooms[row] = room;
        changedAt(row);
        return;
    }
    // Moved, not removed and inserted: a view keeps its selection.
    QList<proto::RoomState> others = m_rooms;
    others.removeAt(row);
    const auto it = std::lower_bound(others.cbegin(), others.cend(), room, shownBefore);
    const int at = int(it - others.cbegin());
    const int destination = at >= row ? at + 1 : at;
    const bool moves = destination != row && destination != row + 1;
    if (moves)
        beginMoveRows({}, row, row, {}, destination);
    others.insert(at, room);
    m_rooms = std::move(others);
    if (moves)
        endMoveRows();
    changedAt(at);
}

void RoomListModel::changedAt(int row, const QList<int> &roles)
{
    emit dataChanged(index(row), index(row), roles);
}

} // namespace chat::client
