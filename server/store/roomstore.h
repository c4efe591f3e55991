// Where rooms, their members and each member's read position live: the interface, and a store in
// memory for --db :memory:. The SQLite one shares the history's file (sqlitestore.h, schema
// version 3). The hub keeps every room and membership in memory (chat/rooms.h) and writes each
// change through to this store; it reads them all back once, at start.
#pragma once

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QMap>
#include <QSet>
#include <QString>

namespace chat::server {

enum class RoomRole { Member = 0, Owner = 1 };

struct RoomRecord
{
    qint64 id = 0;
    QString name; // unique; room name rules, or "@<low id>-<high id>" for a direct room
    QString title;
    QString topic;
    bool isPrivate = false;
    bool direct = false;
    QDateTime created;

    friend bool operator==(const RoomRecord &a, const RoomRecord &b)
    {
        return a.id == b.id && a.name == b.name && a.title == b.title && a.topic == b.topic &&
               a.isPrivate == b.isPrivate && a.direct == b.direct && a.created == b.created;
    }
};

struct MembershipRecord
{
    qint64 roomId = 0;
    qint64 accountId = 0;
    RoomRole role = RoomRole::Member;
    QDateTime joined;
    qint64 readSeq = 0; // the newest seq this member has read in the room

    friend bool operator==(const MembershipRecord &a, const MembershipRecord &b)
    {
        return a.roomId == b.roomId && a.accountId == b.accountId && a.role == b.role &&
               a.joined == b.joined && a.readSeq == b.readSeq;
    }
};

// Everything the hub needs at start.
struct RoomSnapshot
{
    QList<RoomRecord> rooms;
    QList<MembershipRecord> memberships;
    // Accounts the rooms have met (logged in once since rooms exist): an account not among them
    // is new, and joins the lobby at its first login when the server says so.
    QSet<qint64> seenAccounts;
};

class RoomStore
{
public:
    RoomStore() = default;
    virtual ~RoomStore() = default;
    RoomStore(const RoomStore &) = delete;
    RoomStore &operator=(const RoomStore &) = delete;

    // Every call returns false on a storage failure, with errorString() set.
    // A new store holds the room "lobby" (public, id 1) with no members.
    [[nodiscard]] virtual bool load(RoomSnapshot *snapshot) = 0;
    // Sets room->id. False when the name is taken (errorString() empty) or on failure.
    [[nodiscard]] virtual bool createRoom(RoomRecord *room) = 0;
    // Writes title and topic of the room with this id.
    [[nodiscard]] virtual bool updateRoom(const RoomRecord &room) = 0;
    // Adds the membership, or replaces the one of this room and account (role, joined, read).
    [[nodiscard]] virtual bool setMember(const MembershipRecord &member) = 0;
    [[nodiscard]] virtual bool removeMember(qint64 roomId, qint64 accountId) = 0;
    [[nodiscard]] virtual bool setRead(qint64 roomId, qint64 accountId, qint64 seq) = 0;
    [[nodiscard]] virtual bool markSeen(qint64 accountId) = 0;

    // Parts of load(), for a node that learns what another node changed (several nodes on one
    // database). The room with this id (or, with id 0, this name) and all its memberships; an
    // empty snapshot when there is none.
    [[nodiscard]] virtual bool loadRoom(qint64 id, const QString &name, RoomSnapshot *snapshot);
    // Every membership of one account, the records of those rooms, and the account among the
    // seen ones when it is.
    [[nodiscard]] virtual bool loadAccount(qint64 accountId, RoomSnapshot *snapshot);

    [[nodiscard]] QString errorString() const { return m_error; }

protected:
    void setError(const QString &error) { m_error = error; }
    void clearError() { m_error.clear(); }

private:
    QString m_error;
};

// Everything in maps, gone with the process (--db :memory:).
class MemoryRoomStore final : public RoomStore
{
public:
    MemoryRoomStore();
    [[nodiscard]] bool load(RoomSnapshot *snapshot) override;
    [[nodiscard]] bool createRoom(RoomRecord *room) override;
    [[nodiscard]] bool updateRoom(const RoomRecord &room) override;
    [[nodiscard]] bool setMember(const MembershipRecord &member) override;
    [[nodiscard]] bool removeMember(qint64 roomId, qint64 accountId) override;
    [[nodiscard]] bool setRead(qint64 roomId, qint64 accountId, qint64 seq) override;
    [[nodiscard]] bool markSeen(qint64 accountId) override;

private:
    QMap<qint64, RoomRecord> m_rooms;
    QHash<QString, qint64> m_byName;
    QMap<QPair<qint64, qint64>, MembershipRecord> m_members; // (room, account)
    QSet<qint64> m_seen;
    qint64 m_nextId = 1;
};

} // namespace chat::server
