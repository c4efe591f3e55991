#include "store/sqliteroomstore.h"

#include "store/rows.h"
#include "store/sqlitestore.h"

#include <QSqlError>
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

SqliteRoomStore::SqliteRoomStore(std::shared_ptr<SqliteConnection> connection)
    : m_connection(std::move(connection))
{}

SqliteRoomStore::~SqliteRoomStore()
{
    qDeleteAll(m_statements); // before the connection, which may go with this object
    m_statements.clear();
}

QSqlQuery &SqliteRoomStore::statement(const QString &sql)
{
    QSqlQuery *&query = m_statements[sql];
    if (!query) {
        query = new QSqlQuery(m_connection->database());
        query->setForwardOnly(true);
        if (!query->prepare(sql))
            qCWarning(lcStore, "cannot prepare %s: %s", qPrintable(sql),
                      qPrintable(query->lastError().text()));
    }
    return *query;
}

bool SqliteRoomStore::fail(const QString &what, const QSqlQuery &query)
{
    const QSqlError error = query.lastError();
    const QString text = error.databaseText().isEmpty() ? error.text() : error.databaseText();
    setError(what + QStringLiteral(": ") +
             (text.isEmpty() ? QStringLiteral("unknown SQLite error") : text));
    return false;
}

bool SqliteRoomStore::load(RoomSnapshot *snapshot)
{
    clearError();
    RoomSnapshot loaded;
    QSqlQuery &rooms =
        statement(QStringLiteral("SELECT %1 FROM rooms ORDER BY id").arg(rows::kRoomColumns));
    if (!rooms.exec())
        return fail(QStringLiteral("cannot read the rooms"), rooms);
    while (rooms.next())
        loaded.rooms.append(rows::roomFrom(rooms));
    rooms.finish();

    QSqlQuery &members =
        statement(QStringLiteral("SELECT %1 FROM room_members ORDER BY room_id, account_id")
                      .arg(rows::kMemberColumns));
    if (!members.exec())
        return fail(QStringLiteral("cannot read the rooms' members"), members);
    while (members.next())
        loaded.memberships.append(rows::memberFrom(members));
    members.finish();

    QSqlQuery &seen = statement(QStringLiteral("SELECT account_id FROM room_accounts"));
    if (!seen.exec())
        return fail(QStringLiteral("cannot read the accounts the rooms have seen"), seen);
    while (seen.next())
        loaded.seenAccounts.insert(seen.value(0).toLongLong());
    seen.finish();
    *snapshot = std::move(loaded);
    return true;
}

bool SqliteRoomStore::createRoom(RoomRecord *room)
{
    clearError();
    // One connection holds the file, and only this thread uses it: nothing comes between the
    // look and the insert.
    QSqlQuery &taken = statement(QStringLiteral("SELECT 1 FROM rooms WHERE name = ?"));
    taken.bindValue(0, text(room->name));
    if (!taken.exec())
        return fail(QStringLiteral("cannot look up a room"), taken);
    const bool exists = taken.next();
    taken.finish();
    if (exists)
        return false; // the name is taken: no error
    QSqlQuery &insert = statement(
        QStringLiteral("INSERT INTO rooms (name, title, topic, private, direct, created_ms) "
                       "VALUES (?, ?, ?, ?, ?, ?)"));
    insert.bindValue(0, text(room->name));
    insert.bindValue(1, text(room->title));
    insert.bindValue(2, text(room->topic));
    insert.bindValue(3, room->isPrivate ? 1 : 0);
    insert.bindValue(4, room->direct ? 1 : 0);
    insert.bindValue(5, msOrZero(room->created));
    if (!insert.exec())
        return fail(QStringLiteral("cannot store a room"), insert);
    room->id = insert.lastInsertId().toLongLong();
    insert.finish();
    return true;
}

bool SqliteRoomStore::updateRoom(const RoomRecord &room)
{
    clearError();
    QSqlQuery &query =
        statement(QStringLiteral("UPDATE rooms SET title = ?, topic = ? WHERE id = ?"));
    query.bindValue(0, text(room.title));
    query.bindValue(1, text(room.topic));
    query.bindValue(2, room.id);
    if (!query.exec())
        return fail(QStringLiteral("cannot update a room"), query);
    const bool found = query.numRowsAffected() == 1;
    query.finish();
    if (!found)
        setError(noRoom(room.id));
    return found;
}

bool SqliteRoomStore::setMember(const MembershipRecord &member)
{
    clearError();
    QSqlQuery &query = statement(QStringLiteral(
        "INSERT OR REPLACE INTO room_members (room_id, account_id, role, joined_ms, read_seq) "
        "SELECT ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM rooms WHERE id = ?)"));
    query.bindValue(0, member.roomId);
    query.bindValue(1, member.accountId);
    query.bindValue(2, int(member.role));
    query.bindValue(3, msOrZero(member.joined));
    query.bindValue(4, member.readSeq);
    query.bindValue(5, member.roomId);
    if (!query.exec())
        return fail(QStringLiteral("cannot store a member"), query);
    const bool found = query.numRowsAffected() == 1;
    query.finish();
    if (!found)
        setError(noRoom(member.roomId));
    return found;
}

bool SqliteRoomStore::removeMember(qint64 roomId, qint64 accountId)
{
    clearError();
    QSqlQuery &query =
        statement(QStringLiteral("DELETE FROM room_members WHERE room_id = ? AND account_id = ?"));
    query.bindValue(0, roomId);
    query.bindValue(1, accountId);
    if (!query.exec())
        return fail(QStringLiteral("cannot remove a member"), query);
    query.finish();
    return true;
}

bool SqliteRoomStore::setRead(qint64 roomId, qint64 accountId, qint64 seq)
{
    clearError();
    // Read positions change often (every device marks what it showed) and matter little: one
    // lost with the power is marked again. So their commit waits for no disk flush (WAL with
    // synchronous=NORMAL: it survives the process crashing), and the next FULL commit of a
    // message makes it durable as well. The connection's setting is put back afterwards.
    QSqlQuery &current = statement(QStringLiteral("PRAGMA synchronous"));
    if (!current.exec() || !current.next())
        return fail(QStringLiteral("cannot read the synchronous setting"), current);
    const int previous = current.value(0).toInt();
    current.finish();
    const bool relax = previous > 1; // FULL (2) or EXTRA (3)
    if (relax && !statement(QStringLiteral("PRAGMA synchronous = NORMAL")).exec())
        return fail(QStringLiteral("cannot relax the synchronous setting"),
                    statement(QStringLiteral("PRAGMA synchronous = NORMAL")));
    // Not a member (any more): nothing to keep, and nothing wrong.
    QSqlQuery &query = statement(QStringLiteral(
        "UPDATE room_members SET read_seq = ? WHERE room_id = ? AND account_id = ?"));
    query.bindValue(0, seq);
    query.bindValue(1, roomId);
    query.bindValue(2, accountId);
    const bool ok = query.exec() || fail(QStringLiteral("cannot store a read position"), query);
    query.finish();
    if (relax) {
        QSqlQuery &restore = statement(QStringLiteral("PRAGMA synchronous = %1").arg(previous));
        if (!restore.exec())
            qCWarning(lcStore).noquote()
                << "cannot restore the synchronous setting:" << restore.lastError().text();
    }
    return ok;
}

bool SqliteRoomStore::markSeen(qint64 accountId)
{
    clearError();
    QSqlQuery &query =
        statement(QStringLiteral("INSERT OR IGNORE INTO room_accounts (account_id) VALUES (?)"));
    query.bindValue(0, accountId);
    if (!query.exec())
        return fail(QStringLiteral("cannot store a seen account"), query);
    query.finish();
    return true;
}

} // namespace chat::server
