#include "store/postgresroomstore.h"

#include "store/postgresconnection.h"
#include "store/rows.h"
#include "store/statenotice.h"

#include <QSqlQuery>

namespace chat::server {

using rows::msOrZero;
using rows::text;

namespace {

QString noRoom(qint64 id)
{
    return QStringLiteral("no room with id %1").arg(id);
}

} // namespace

PostgresRoomStore::PostgresRoomStore(std::shared_ptr<PostgresConnection> connection)
    : m_statements(std::make_unique<PostgresStatements>(std::move(connection)))
{}

PostgresRoomStore::~PostgresRoomStore() = default;

bool PostgresRoomStore::run(QSqlQuery &query, const QString &what)
{
    QString error;
    if (m_statements->exec(query, what, &error))
        return true;
    setError(error);
    return false;
}

bool PostgresRoomStore::load(RoomSnapshot *snapshot)
{
    clearError();
    RoomSnapshot loaded;
    QSqlQuery &rooms = m_statements->get(
        QStringLiteral("SELECT %1 FROM rooms ORDER BY id").arg(rows::kRoomColumns));
    if (!run(rooms, QStringLiteral("cannot read the rooms")))
        return false;
    while (rooms.next())
        loaded.rooms.append(rows::roomFrom(rooms));
    rooms.finish();

    QSqlQuery &members =
        m_statements->get(QStringLiteral("SELECT %1 FROM room_members ORDER BY room_id, account_id")
                              .arg(rows::kMemberColumns));
    if (!run(members, QStringLiteral("cannot read the rooms' members")))
        return false;
    while (members.next())
        loaded.memberships.append(rows::memberFrom(members));
    members.finish();

    QSqlQuery &seen = m_statements->get(QStringLiteral("SELECT account_id FROM room_accounts"));
    if (!run(seen, QStringLiteral("cannot read the accounts the rooms have seen")))
        return false;
    while (seen.next())
        loaded.seenAccounts.insert(seen.value(0).toLongLong());
    seen.finish();
    *snapshot = std::move(loaded);
    return true;
}

bool PostgresRoomStore::createRoom(RoomRecord *room)
{
    clearError();
    // Two nodes may create the same name at once: the unique name decides, in one statement.
    // A name seen taken uses up no id (as in the other stores); only a race may.
    QSqlQuery &insert = m_statements->get(
        QStringLiteral("WITH made AS (INSERT INTO rooms (name, title, topic, private, direct, "
                       "created_ms) SELECT ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM rooms "
                       "WHERE name = ?) ON CONFLICT (name) DO NOTHING RETURNING id) "
                       "SELECT id, %1 FROM made")
            .arg(StateNotice::sqlRoom(QStringLiteral("id"))));
    insert.bindValue(0, text(room->name));
    insert.bindValue(1, text(room->title));
    insert.bindValue(2, text(room->topic));
    insert.bindValue(3, room->isPrivate);
    insert.bindValue(4, room->direct);
    insert.bindValue(5, msOrZero(room->created));
    insert.bindValue(6, text(room->name));
    if (!run(insert, QStringLiteral("cannot store a room")))
        return false;
    const bool created = insert.next();
    if (created)
        room->id = insert.value(0).toLongLong();
    insert.finish();
    return created; // not created: the name is taken, no error
}

bool PostgresRoomStore::updateRoom(const RoomRecord &room)
{
    clearError();
    QSqlQuery &query = m_statements->get(
        QStringLiteral("WITH changed AS (UPDATE rooms SET title = ?, topic = ? WHERE id = ? "
                       "RETURNING id) SELECT %1 FROM changed")
            .arg(StateNotice::sqlRoom(QStringLiteral("id"))));
    query.bindValue(0, text(room.title));
    query.bindValue(1, text(room.topic));
    query.bindValue(2, room.id);
    if (!run(query, QStringLiteral("cannot update a room")))
        return false;
    const bool found = query.next();
    query.finish();
    if (!found)
        setError(noRoom(room.id));
    return found;
}

bool PostgresRoomStore::setMember(const MembershipRecord &member)
{
    clearError();
    QSqlQuery &query = m_statements->get(
        QStringLiteral("WITH stored AS (INSERT INTO room_members (room_id, account_id, role, "
                       "joined_ms, read_seq) SELECT ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM "
                       "rooms WHERE id = ?) ON CONFLICT (room_id, account_id) DO UPDATE SET "
                       "role = excluded.role, joined_ms = excluded.joined_ms, read_seq = "
                       "excluded.read_seq RETURNING account_id) SELECT %1 FROM stored")
            .arg(StateNotice::sqlMember(QStringLiteral("account_id"))));
    query.bindValue(0, member.roomId);
    query.bindValue(1, member.accountId);
    query.bindValue(2, int(member.role));
    query.bindValue(3, msOrZero(member.joined));
    query.bindValue(4, member.readSeq);
    query.bindValue(5, member.roomId);
    if (!run(query, QStringLiteral("cannot store a member")))
        return false;
    const bool found = query.next();
    query.finish();
    if (!found)
        setError(noRoom(member.roomId));
    return found;
}

bool PostgresRoomStore::removeMember(qint64 roomId, qint64 accountId)
{
    clearError();
    QSqlQuery &query = m_statements->get(
        QStringLiteral("WITH gone AS (DELETE FROM room_members WHERE room_id = ? AND "
                       "account_id = ? RETURNING account_id) SELECT %1 FROM gone")
            .arg(StateNotice::sqlMember(QStringLiteral("account_id"))));
    query.bindValue(0, roomId);
    query.bindValue(1, accountId);
    if (!run(query, QStringLiteral("cannot remove a member")))
        return false;
    query.finish();
    return true;
}

bool PostgresRoomStore::setRead(qint64 roomId, qint64 accountId, qint64 seq)
{
    clearError();
    // What it is given, as the other stores: the hub clamps. Not a member: nothing to keep.
    QSqlQuery &query = m_statements->get(
        QStringLiteral("WITH moved AS (UPDATE room_members SET read_seq = ? WHERE room_id = ? "
                       "AND account_id = ? RETURNING room_id, account_id, read_seq) "
                       "SELECT %1 FROM moved")
            .arg(StateNotice::sqlRead(QStringLiteral("room_id"), QStringLiteral("account_id"),
                                      QStringLiteral("read_seq"))));
    query.bindValue(0, seq);
    query.bindValue(1, roomId);
    query.bindValue(2, accountId);
    if (!run(query, QStringLiteral("cannot store a read position")))
        return false;
    query.finish();
    return true;
}

bool PostgresRoomStore::markSeen(qint64 accountId)
{
    clearError();
    QSqlQuery &query = m_statements->get(
        QStringLiteral("INSERT INTO room_accounts (account_id) VALUES (?) ON CONFLICT DO NOTHING"));
    query.bindValue(0, accountId);
    if (!run(query, QStringLiteral("cannot store a seen account")))
        return false;
    query.finish();
    return true;
}

bool PostgresRoomStore::loadRoom(qint64 id, const QString &name, RoomSnapshot *snapshot)
{
    clearError();
    *snapshot = {};
    QSqlQuery &room = m_statements->get(
        QStringLiteral("SELECT %1 FROM rooms WHERE id = ? OR (? = 0 AND name = ?)")
            .arg(rows::kRoomColumns));
    room.bindValue(0, id);
    room.bindValue(1, id);
    room.bindValue(2, text(name));
    if (!run(room, QStringLiteral("cannot read a room")))
        return false;
    if (room.next())
        snapshot->rooms.append(rows::roomFrom(room));
    room.finish();
    if (snapshot->rooms.isEmpty())
        return true;
    QSqlQuery &members = m_statements->get(
        QStringLiteral("SELECT %1 FROM room_members WHERE room_id = ? ORDER BY account_id")
            .arg(rows::kMemberColumns));
    members.bindValue(0, snapshot->rooms.first().id);
    if (!run(members, QStringLiteral("cannot read a room's members")))
        return false;
    while (members.next())
        snapshot->memberships.append(rows::memberFrom(members));
    members.finish();
    return true;
}

bool PostgresRoomStore::loadAccount(qint64 accountId, RoomSnapshot *snapshot)
{
    clearError();
    *snapshot = {};
    QSqlQuery &members = m_statements->get(
        QStringLiteral("SELECT %1 FROM room_members WHERE account_id = ? ORDER BY room_id")
            .arg(rows::kMemberColumns));
    members.bindValue(0, accountId);
    if (!run(members, QStringLiteral("cannot read an account's rooms")))
        return false;
    while (members.next())
        snapshot->memberships.append(rows::memberFrom(members));
    members.finish();
    QSqlQuery &rooms = m_statements->get(
        QStringLiteral("SELECT %1 FROM rooms WHERE id IN (SELECT room_id FROM room_members "
                       "WHERE account_id = ?) ORDER BY id")
            .arg(rows::kRoomColumns));
    rooms.bindValue(0, accountId);
    if (!run(rooms, QStringLiteral("cannot read an account's rooms")))
        return false;
    while (rooms.next())
        snapshot->rooms.append(rows::roomFrom(rooms));
    rooms.finish();
    QSqlQuery &seen =
        m_statements->get(QStringLiteral("SELECT 1 FROM room_accounts WHERE account_id = ?"));
    seen.bindValue(0, accountId);
    if (!run(seen, QStringLiteral("cannot read the accounts the rooms have seen")))
        return false;
    if (seen.next())
        snapshot->seenAccounts.insert(accountId);
    seen.finish();
    return true;
}

} // namespace chat::server
