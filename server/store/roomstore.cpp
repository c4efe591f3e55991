#include "store/roomstore.h"

namespace chat::server {

// Filtered from everything: right for any store; the shared one reads only the part.
bool RoomStore::loadRoom(qint64 id, const QString &name, RoomSnapshot *snapshot)
{
    RoomSnapshot all;
    if (!load(&all))
        return false;
    *snapshot = {};
    for (const RoomRecord &room : std::as_const(all.rooms))
        if (id != 0 ? room.id == id : room.name == name)
            snapshot->rooms.append(room);
    if (snapshot->rooms.isEmpty())
        return true;
    for (const MembershipRecord &member : std::as_const(all.memberships))
        if (member.roomId == snapshot->rooms.first().id)
            snapshot->memberships.append(member);
    return true;
}

bool RoomStore::loadAccount(qint64 accountId, RoomSnapshot *snapshot)
{
    RoomSnapshot all;
    if (!load(&all))
        return false;
    *snapshot = {};
    QSet<qint64> roomIds;
    for (const MembershipRecord &member : std::as_const(all.memberships))
        if (member.accountId == accountId) {
            snapshot->memberships.append(member);
            roomIds.insert(member.roomId);
        }
    for (const RoomRecord &room : std::as_const(all.rooms))
        if (roomIds.contains(room.id))
            snapshot->rooms.append(room);
    if (all.seenAccounts.contains(accountId))
        snapshot->seenAccounts.insert(accountId);
    return true;
}

MemoryRoomStore::MemoryRoomStore()
{
    RoomRecord lobby;
    lobby.name = QStringLiteral("lobby");
    lobby.created = QDateTime::currentDateTimeUtc();
    (void)MemoryRoomStore::createRoom(&lobby); // id 1
}

bool MemoryRoomStore::load(RoomSnapshot *snapshot)
{
    clearError();
    snapshot->rooms = m_rooms.values();
    snapshot->memberships = m_members.values();
    snapshot->seenAccounts = m_seen;
    return true;
}

bool MemoryRoomStore::createRoom(RoomRecord *room)
{
    clearError();
    if (m_byName.contains(room->name))
        return false;
    room->id = m_nextId++;
    m_rooms.insert(room->id, *room);
    m_byName.insert(room->name, room->id);
    return true;
}

bool MemoryRoomStore::updateRoom(const RoomRecord &room)
{
    clearError();
    const auto it = m_rooms.find(room.id);
    if (it == m_rooms.end()) {
        setError(QStringLiteral("no room with id %1").arg(room.id));
        return false;
    }
    it->title = room.title;
    it->topic = room.topic;
    return true;
}

bool MemoryRoomStore::setMember(const MembershipRecord &member)
{
    clearError();
    if (!m_rooms.contains(member.roomId)) {
        setError(QStringLiteral("no room with id %1").arg(member.roomId));
        return false;
    }
    m_members.insert({member.roomId, member.accountId}, member);
    return true;
}

bool MemoryRoomStore::removeMember(qint64 roomId, qint64 accountId)
{
    clearError();
    m_members.remove({roomId, accountId});
    return true;
}

bool MemoryRoomStore::setRead(qint64 roomId, qint64 accountId, qint64 seq)
{
    clearError();
    const auto it = m_members.find({roomId, accountId});
    if (it != m_members.end()) // not a member (any more): nothing to keep
        it->readSeq = seq;
    return true;
}

bool MemoryRoomStore::markSeen(qint64 accountId)
{
    clearError();
    m_seen.insert(accountId);
    return true;
}

} // namespace chat::server
