// The rooms in the history's SQLite file (sqlitestore.h, schema version 3), on the history's own
// connection: the file is locked for one connection alone. Made by SqliteStore::roomStore(); it
// keeps the connection open as long as it lives.
//
//   rooms(id INTEGER PRIMARY KEY, name UNIQUE, title, topic, private, direct, created_ms)
//   room_members(room_id, account_id, role (0 member, 1 owner), joined_ms, read_seq;
//                PRIMARY KEY (room_id, account_id)), indexed by account_id
//   room_accounts(account_id PRIMARY KEY): the accounts the rooms have seen
//
// Every call is its own transaction. setRead() commits without waiting for the disk (4 ms ->
// 30 us here): a read position lost with the power is marked again, and the next message commit
// makes it durable with itself.
#pragma once

#include "store/roomstore.h"

#include <QHash>

#include <memory>

QT_BEGIN_NAMESPACE
class QSqlQuery;
QT_END_NAMESPACE

namespace chat::server {

class SqliteConnection;

class SqliteRoomStore final : public RoomStore
{
public:
    explicit SqliteRoomStore(std::shared_ptr<SqliteConnection> connection);
    ~SqliteRoomStore() override;

    [[nodiscard]] bool load(RoomSnapshot *snapshot) override;
    [[nodiscard]] bool createRoom(RoomRecord *room) override;
    [[nodiscard]] bool updateRoom(const RoomRecord &room) override;
    [[nodiscard]] bool setMember(const MembershipRecord &member) override;
    [[nodiscard]] bool removeMember(qint64 roomId, qint64 accountId) override;
    [[nodiscard]] bool setRead(qint64 roomId, qint64 accountId, qint64 seq) override;
    [[nodiscard]] bool markSeen(qint64 accountId) override;

private:
    // A prepared statement, made on first use and kept.
    QSqlQuery &statement(const QString &sql);
    bool fail(const QString &what, const QSqlQuery &query);

    std::shared_ptr<SqliteConnection> m_connection;
    QHash<QString, QSqlQuery *> m_statements; // owned; deleted before the connection goes
};

} // namespace chat::server
