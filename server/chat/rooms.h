// Every room and its members, in memory, written through to a RoomStore: who may read and post
// where, and to which connections a room's frames go. The hub asks it; the protocol's rules for
// each request (who may do what) live in the hub's room handlers (roomrequests.cpp).
#pragma once

#include "protocol.h"
#include "store/roomstore.h"

#include <QHash>
#include <QMap>
#include <QSet>
#include <QString>

#include <memory>
#include <optional>
#include <unordered_map>

namespace chat::server {

class ChatSession;

struct RoomMemberState
{
    RoomRole role = RoomRole::Member;
    QDateTime joined;
    qint64 readSeq = 0;
};

struct Room
{
    RoomRecord record;
    QHash<qint64, RoomMemberState> members; // by account id
    QSet<ChatSession *> online; // every joined connection of every member: change it through
                                // addOnline/removeOnline, which tell the session too
    std::optional<chat::proto::Message> last; // the newest message (chat or event)

    [[nodiscard]] const QString &name() const { return record.name; }
    [[nodiscard]] bool isMember(qint64 accountId) const { return members.contains(accountId); }
    [[nodiscard]] qint64 newestSeq() const { return last ? last->seq : 0; }
    // The member that owns the room, 0 when none does (the lobby, a direct room).
    [[nodiscard]] qint64 owner() const;
    void addOnline(ChatSession *session);
    void removeOnline(ChatSession *session);
};

class Rooms
{
public:
    explicit Rooms(RoomStore *store);

    // Reads every room and membership, and each room's newest message. False and *error on a
    // storage failure.
    [[nodiscard]] bool load(const QHash<QString, chat::proto::Message> &newest, QString *error);

    [[nodiscard]] Room *find(const QString &name);
    [[nodiscard]] Room *findById(qint64 id);
    [[nodiscard]] Room *lobby();
    // The rooms an account belongs to.
    [[nodiscard]] QList<Room *> roomsOf(qint64 accountId);
    [[nodiscard]] int roomCount(qint64 accountId) const;
    [[nodiscard]] int ownedCount(qint64 accountId) const;
    // The public rooms (not private, not direct) by name, after `after`, at most `limit`.
    [[nodiscard]] QList<Room *> publicRooms(const QString &after, int limit, bool *more);

    // True the first time an account is seen (since rooms exist): it is new. Remembers it.
    [[nodiscard]] bool firstSight(qint64 accountId);

    // Changes, written to the store first: false (nothing changed) and errorString() on failure.
    // A new room; nullptr when the name is taken (errorString() empty) or on failure.
    Room *create(RoomRecord record);
    [[nodiscard]] bool addMember(Room *room, qint64 accountId, RoomRole role, qint64 readSeq);
    [[nodiscard]] bool removeMember(Room *room, qint64 accountId);
    [[nodiscard]] bool setRole(Room *room, qint64 accountId, RoomRole role);
    [[nodiscard]] bool setRead(Room *room, qint64 accountId, qint64 seq);
    [[nodiscard]] bool update(Room *room, const QString &title, const QString &topic);
    // A stored message of the room: the newest now.
    void noteMessage(const chat::proto::Message &message);

    // What another node changed (several nodes on one database): the rooms and memberships of
    // the store's snapshot (all of them, or some rooms with all their members) replace those
    // held here; the memberships that came, went, changed their role or their read position
    // are returned, for the hub to tell the members' connections.
    struct MemberChange
    {
        enum Kind { Added, Removed, RoleChanged, ReadMoved };
        Room *room;
        qint64 accountId;
        Kind kind;
    };
    [[nodiscard]] QList<MemberChange> sync(const RoomSnapshot &snapshot);
    // The same for one account: the snapshot holds all its memberships (RoomStore::loadAccount).
    [[nodiscard]] QList<MemberChange> syncAccount(qint64 accountId, const RoomSnapshot &snapshot);
    // A read position another node stored: true when it moves this member's forward.
    [[nodiscard]] bool noteRead(Room *room, qint64 accountId, qint64 seq);
    [[nodiscard]] bool hasSeen(qint64 accountId) const { return m_seen.contains(accountId); }

    [[nodiscard]] QString errorString() const { return m_error; }

private:
    bool failed();
    // The room of this record, made here when it is new; its record replaced.
    Room *adopt(const RoomRecord &record);
    // One membership as the store has it now (nullptr: none), against the one held here.
    void compare(Room *room, qint64 accountId, const RoomMemberState *now,
                 QList<MemberChange> *changes);

    RoomStore *m_store;
    std::unordered_map<qint64, std::unique_ptr<Room>> m_rooms; // by id
    QMap<QString, qint64> m_byName;          // sorted: the room list pages by name
    QHash<qint64, QSet<qint64>> m_ofAccount; // account → room ids
    QSet<qint64> m_seen;
    QString m_error;
};

} // namespace chat::server
