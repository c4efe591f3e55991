// The rooms in the shared PostgreSQL database (postgresschema.h), on the history's connection.
// Made by PostgresStore::roomStore(). Every call is its own transaction and reads or writes the
// database: load() sees what every node wrote; the hub's copy (chat/rooms.h) is the hub's to
// refresh. Every change tells the nodes what to read again (store/statenotice.h) in the
// statement that makes it.
#pragma once

#include "store/roomstore.h"

#include <memory>

QT_BEGIN_NAMESPACE
class QSqlQuery;
QT_END_NAMESPACE

namespace chat::server {

class PostgresConnection;
class PostgresStatements;

class PostgresRoomStore final : public RoomStore
{
public:
    explicit PostgresRoomStore(std::shared_ptr<PostgresConnection> connection);
    ~PostgresRoomStore() override;

    [[nodiscard]] bool load(RoomSnapshot *snapshot) override;
    [[nodiscard]] bool createRoom(RoomRecord *room) override;
    [[nodiscard]] bool updateRoom(const RoomRecord &room) override;
    [[nodiscard]] bool setMember(const MembershipRecord &member) override;
    [[nodiscard]] bool removeMember(qint64 roomId, qint64 accountId) override;
    [[nodiscard]] bool setRead(qint64 roomId, qint64 accountId, qint64 seq) override;
    [[nodiscard]] bool markSeen(qint64 accountId) override;
    [[nodiscard]] bool loadRoom(qint64 id, const QString &name, RoomSnapshot *snapshot) override;
    [[nodiscard]] bool loadAccount(qint64 accountId, RoomSnapshot *snapshot) override;

private:
    // Runs the statement; false with errorString() (and the connection checked) when it fails.
    [[nodiscard]] bool run(QSqlQuery &query, const QString &what);

    std::unique_ptr<PostgresStatements> m_statements;
};

} // namespace chat::server
