// The durable history: an SQLite file in WAL mode, held exclusively by one server.
//
// Schema (version 2): schema_version(version); meta(key, value) holding the instance and the
// newest seq ever stored; messages(seq primary key, nick_key, msg_id, room, sender, time_ms,
// text, display) with a unique index on (nick_key, msg_id), so that an id is stored once per
// sender, and an index on time_ms for pruning by age; and the accounts' tables (issue 10,
// sqliteaccountstore.h): accounts, tokens, invites.
//
// Opening checks before writing anything: a file that is not SQLite, is damaged, belongs to
// another program or has a newer schema is refused as it is, with a reason. An older schema is
// brought up to date by numbered migrations, all in one transaction (kept or rolled back whole):
//   1 -> 2: messages gets `display` (''), its dedup keys the prefix "v1:" (so that they never
//           meet the new "account:<id>" keys), and the accounts, tokens and invites tables.
#pragma once

#include "store/idfilter.h"
#include "store/messagestore.h"

#include <QString>

#include <memory>

QT_BEGIN_NAMESPACE
class QSqlDatabase;
class QSqlQuery;
QT_END_NAMESPACE

namespace chat::server {

class AccountStore;

// One open QSqlDatabase connection, closed and removed when the last of its users lets go: the
// history and the accounts share it, since the file is locked for one connection alone.
class SqliteConnection
{
public:
    SqliteConnection();
    ~SqliteConnection();
    SqliteConnection(const SqliteConnection &) = delete;
    SqliteConnection &operator=(const SqliteConnection &) = delete;

    [[nodiscard]] QString name() const { return m_name; }
    [[nodiscard]] QSqlDatabase database() const;

private:
    QString m_name; // the QSqlDatabase connection name, unique per connection
};

class SqliteStore final : public MessageStore
{
public:
    // FULL: a commit is on disk before it returns, so it survives a power loss. NORMAL (in WAL
    // mode): it survives the process crashing, but the newest commits may be lost with power.
    enum class Sync { Full, Normal };

    static constexpr int kSchemaVersion = 2;

    // Opens the file, creating it (not its folder) when missing. nullptr and *error on failure.
    [[nodiscard]] static std::unique_ptr<SqliteStore> open(const QString &path, Sync sync,
                                                           QString *error);
    ~SqliteStore() override;

    [[nodiscard]] QString instance() const override { return m_instance; }
    [[nodiscard]] qint64 lastSeq() const override { return m_lastSeq; }
    [[nodiscard]] qint64 oldestSeq() const override { return m_oldestSeq; }
    [[nodiscard]] bool isDurable() const override { return true; }
    [[nodiscard]] bool append(const QList<Entry> &entries) override;
    [[nodiscard]] std::optional<chat::proto::Message> findSent(const QString &nickKey,
                                                               const QString &id) const override;
    [[nodiscard]] QList<chat::proto::Message> range(qint64 first, qint64 last,
                                                    qint64 maxWeight = -1) const override;
    qint64 prune(const Retention &retention, const QDateTime &now) override;

    [[nodiscard]] QString path() const { return m_path; }
    // The accounts in the same file, on the same connection. The two may go in either order.
    [[nodiscard]] std::unique_ptr<AccountStore> accountStore() const;

private:
    explicit SqliteStore(const QString &path);

    [[nodiscard]] bool openDatabase();
    [[nodiscard]] bool checkExisting(bool *fresh);
    [[nodiscard]] bool configure(Sync sync);
    [[nodiscard]] bool createSchema();
    // Brings the schema from `version` to kSchemaVersion: one transaction, kept or rolled back.
    [[nodiscard]] bool migrate(int version);
    // The statements of migration `from` -> `from` + 1, without a transaction of their own.
    [[nodiscard]] bool migrateStep(int from);
    [[nodiscard]] bool loadState();
    [[nodiscard]] bool prepareStatements();
    // Fills m_ids with every stored (nick key, id), sized for twice as many; on failure m_ids
    // stays as it was.
    [[nodiscard]] bool loadIds();
    [[nodiscard]] bool fail(const QString &what, const QSqlQuery &query);
    [[nodiscard]] bool exec(const QString &sql);
    void rollback();

    [[nodiscard]] QSqlDatabase database() const;

    QString m_path;
    std::shared_ptr<SqliteConnection> m_db;
    int m_foundVersion = 0; // the schema version the file had when opened; 0 when new
    QString m_instance;
    qint64 m_lastSeq = 0;
    qint64 m_oldestSeq = 1;
    std::unique_ptr<QSqlQuery> m_insert;
    std::unique_ptr<QSqlQuery> m_setLastSeq;
    std::unique_ptr<QSqlQuery> m_findSent;
    std::unique_ptr<QSqlQuery> m_range;
    // Tells findSent() which ids cannot be in the file, sparing it the query for nearly every
    // new message (a tenth of the server's time per message in durable mode).
    IdFilter m_ids{1};
};

} // namespace chat::server
