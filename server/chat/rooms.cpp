#include "chat/rooms.h"

#include "chat/chatsession.h"

#include "codec.h"

namespace chat::server {

using chat::proto::Message;

qint64 Room::owner() const
{
    for (auto it = members.cbegin(); it != members.cend(); ++it)
        if (it->role == RoomRole::Owner)
            return it.key();
    return 0;
}

void Room::addOnline(ChatSession *session)
{
    online.insert(session);
    session->noteOnline(this, true);
}

void Room::removeOnline(ChatSession *session)
{
    online.remove(session);
    session->noteOnline(this, false);
}

Rooms::Rooms(RoomStore *store)
    : m_store(store)
{}

bool Rooms::load(const QHash<QString, Message> &newest, QString *error)
{
    RoomSnapshot snapshot;
    if (!m_store->load(&snapshot)) {
        *error = m_store->errorString();
        return false;
    }
    for (const RoomRecord &record : std::as_const(snapshot.rooms)) {
        auto room = std::make_unique<Room>();
        room->record = record;
        if (const auto it = newest.constFind(record.name); it != newest.cend())
            room->last = *it;
        m_byName.insert(record.name, record.id);
        m_rooms[record.id] = std::move(room);
    }
    for (const MembershipRecord &member : std::as_const(snapshot.memberships)) {
        const auto it = m_rooms.find(member.roomId);
        if (it == m_rooms.end())
            continue;
        it->second->members.insert(member.accountId,
                                   RoomMemberState{member.role, member.joined, member.readSeq});
        m_ofAccount[member.accountId].insert(member.roomId);
    }
    m_seen = std::move(snapshot.seenAccounts);
    if (!lobby()) {
        *error = QStringLiteral("the room \"lobby\" is missing from the store");
        return false;
    }
    return true;
}

Room *Rooms::adopt(const RoomRecord &record)
{
    auto it = m_rooms.find(record.id);
    if (it == m_rooms.end()) {
        auto room = std::make_unique<Room>();
        m_byName.insert(record.name, record.id);
        it = m_rooms.emplace(record.id, std::move(room)).first;
    }
    it->second->record = record;
    return it->second.get();
}

void Rooms::compare(Room *room, qint64 accountId, const RoomMemberState *now,
                    QList<MemberChange> *changes)
{
    const auto was = room->members.find(accountId);
    if (!now) {
        if (was == room->members.end())
            return;
        room->members.erase(was);
        if (const auto it = m_ofAccount.find(accountId); it != m_ofAccount.end()) {
            it->remove(room->record.id);
            if (it->isEmpty())
                m_ofAccount.erase(it);
        }
        changes->append({room, accountId, MemberChange::Removed});
        return;
    }
    if (was == room->members.end()) {
        room->members.insert(accountId, *now);
        m_ofAccount[accountId].insert(room->record.id);
        changes->append({room, accountId, MemberChange::Added});
        return;
    }
    const RoomMemberState before = std::exchange(*was, *now);
    if (before.role != now->role)
        changes->append({room, accountId, MemberChange::RoleChanged});
    else if (before.readSeq != now->readSeq)
        changes->append({room, accountId, MemberChange::ReadMoved});
}

QList<Rooms::MemberChange> Rooms::sync(const RoomSnapshot &snapshot)
{
    QList<MemberChange> changes;
    QHash<qint64, QHash<qint64, RoomMemberState>> members; // room id → account id → state
    for (const MembershipRecord &member : snapshot.memberships)
        members[member.roomId].insert(member.accountId,
                                      RoomMemberState{member.role, member.joined, member.readSeq});
    for (const RoomRecord &record : snapshot.rooms) {
        Room *room = adopt(record);
        const QHash<qint64, RoomMemberState> now = members.value(record.id);
        const QList<qint64> held = room->members.keys();
        for (qint64 accountId : held)
            if (!now.contains(accountId))
                compare(room, accountId, nullptr, &changes);
        for (auto is = now.cbegin(); is != now.cend(); ++is)
            compare(room, is.key(), &is.value(), &changes);
    }
    m_seen.unite(snapshot.seenAccounts);
    return changes;
}

QList<Rooms::MemberChange> Rooms::syncAccount(qint64 accountId, const RoomSnapshot &snapshot)
{
    QList<MemberChange> changes;
    for (const RoomRecord &record : snapshot.rooms)
        adopt(record);
    QHash<qint64, RoomMemberState> now; // room id → state
    for (const MembershipRecord &member : snapshot.memberships)
        if (member.accountId == accountId)
            now.insert(member.roomId, RoomMemberState{member.role, member.joined, member.readSeq});
    const QSet<qint64> held = m_ofAccount.value(accountId);
    for (qint64 roomId : held)
        if (!now.contains(roomId))
            if (Room *room = findById(roomId))
                compare(room, accountId, nullptr, &changes);
    for (auto is = now.cbegin(); is != now.cend(); ++is)
        if (Room *room = findById(is.key()))
            compare(room, accountId, &is.value(), &changes);
    m_seen.unite(snapshot.seenAccounts);
    return changes;
}

bool Rooms::noteRead(Room *room, qint64 accountId, qint64 seq)
{
    const auto it = room->members.find(accountId);
    if (it == room->members.end() || it->readSeq >= seq)
        return false;
    it->readSeq = seq;
    return true;
}

Room *Rooms::findById(qint64 id)
{
    const auto it = m_rooms.find(id);
    return it == m_rooms.end() ? nullptr : it->second.get();
}

Room *Rooms::find(const QString &name)
{
    const auto id = m_byName.constFind(name);
    if (id == m_byName.cend())
        return nullptr;
    const auto it = m_rooms.find(*id);
    return it == m_rooms.end() ? nullptr : it->second.get();
}

Room *Rooms::lobby()
{
    return find(chat::proto::defaultRoom());
}

QList<Room *> Rooms::roomsOf(qint64 accountId)
{
    QList<Room *> rooms;
    const auto ids = m_ofAccount.constFind(accountId);
    if (ids == m_ofAccount.cend())
        return rooms;
    rooms.reserve(ids->size());
    for (qint64 id : *ids)
        if (const auto it = m_rooms.find(id); it != m_rooms.end())
            rooms.append(it->second.get());
    std::sort(rooms.begin(), rooms.end(),
              [](const Room *a, const Room *b) { return a->name() < b->name(); });
    return rooms;
}

int Rooms::roomCount(qint64 accountId) const
{
    const auto ids = m_ofAccount.constFind(accountId);
    return ids == m_ofAccount.cend() ? 0 : int(ids->size());
}

int Rooms::ownedCount(qint64 accountId) const
{
    int owned = 0;
    const auto ids = m_ofAccount.constFind(accountId);
    if (ids == m_ofAccount.cend())
        return 0;
    for (qint64 id : *ids)
        if (const auto it = m_rooms.find(id); it != m_rooms.end())
            owned += it->second->members.value(accountId).role == RoomRole::Owner ? 1 : 0;
    return owned;
}

QList<Room *> Rooms::publicRooms(const QString &after, int limit, bool *more)
{
    QList<Room *> page;
    *more = false;
    for (auto it = m_byName.upperBound(after); it != m_byName.cend(); ++it) {
        Room *room = m_rooms.at(*it).get();
        if (room->record.isPrivate || room->record.direct)
            continue;
        if (page.size() == limit) {
            *more = true;
            break;
        }
        page.append(room);
    }
    return page;
}

bool Rooms::firstSight(qint64 accountId)
{
    if (m_seen.contains(accountId))
        return false;
    if (!m_store->markSeen(accountId))
        return failed(); // told again at the next login
    m_seen.insert(accountId);
    return true;
}

Room *Rooms::create(RoomRecord record)
{
    m_error.clear();
    if (m_byName.contains(record.name))
        return nullptr;
    if (!m_store->createRoom(&record)) {
        m_error = m_store->errorString();
        return nullptr;
    }
    auto room = std::make_unique<Room>();
    room->record = record;
    Room *created = room.get();
    m_byName.insert(record.name, record.id);
    m_rooms[record.id] = std::move(room);
    return created;
}

bool Rooms::addMember(Room *room, qint64 accountId, RoomRole role, qint64 readSeq)
{
    const MembershipRecord record{room->record.id, accountId, role, QDateTime::currentDateTimeUtc(),
                                  readSeq};
    if (!m_store->setMember(record))
        return failed();
    room->members.insert(accountId, RoomMemberState{role, record.joined, readSeq});
    m_ofAccount[accountId].insert(room->record.id);
    return true;
}

bool Rooms::removeMember(Room *room, qint64 accountId)
{
    if (!m_store->removeMember(room->record.id, accountId))
        return failed();
    room->members.remove(accountId);
    if (const auto it = m_ofAccount.find(accountId); it != m_ofAccount.end()) {
        it->remove(room->record.id);
        if (it->isEmpty())
            m_ofAccount.erase(it);
    }
    return true;
}

bool Rooms::setRole(Room *room, qint64 accountId, RoomRole role)
{
    const auto it = room->members.find(accountId);
    if (it == room->members.end())
        return false;
    if (!m_store->setMember({room->record.id, accountId, role, it->joined, it->readSeq}))
        return failed();
    it->role = role;
    return true;
}

bool Rooms::setRead(Room *room, qint64 accountId, qint64 seq)
{
    const auto it = room->members.find(accountId);
    if (it == room->members.end())
        return false;
    if (!m_store->setRead(room->record.id, accountId, seq))
        return failed();
    it->readSeq = seq;
    return true;
}

bool Rooms::update(Room *room, const QString &title, const QString &topic)
{
    RoomRecord record = room->record;
    record.title = title;
    record.topic = topic;
    if (!m_store->updateRoom(record))
        return failed();
    room->record = record;
    return true;
}

void Rooms::noteMessage(const Message &message)
{
    if (Room *room = find(message.room))
        room->last = message;
}

bool Rooms::failed()
{
    m_error = m_store->errorString();
    return false;
}

} // namespace chat::server
