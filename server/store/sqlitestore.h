// The durable history: an SQLite file in WAL mode, held exclusively by one server.
//
// Schema (version 3): schema_version(version); meta(key, value) holding the instance and the
// newest seq ever stored; messages(seq primary key, nick_key, msg_id, room, sender, time_ms,
// text, display, event, target) with
//   - a unique index on (nick_key, msg_id) for the messages that have an id (msg_id != ''; room
//     events have none), so that an id is stored once per sender,
//   - an index on (room, seq, event, sender) for a room's pages, its newest message and its
//     unread count (read from the index alone),
//   - one on (target, seq) for the events that concern an account (target != ''),
//   - and one on time_ms for pruning by age;
// mentions(seq, account_id, room): the accounts each message names with @name, indexed by
// (account_id, room, seq); the rooms (sqliteroomstore.h): rooms, room_members, room_accounts;
// and the accounts' tables (issue 10, sqliteaccountstore.h): accounts, tokens, invites.
//
// Opening checks before writing anything: a file that is not SQLite, is damaged, belongs to
// another program or has a newer schema is refused as it is, with a reason. An older schema is
// brought up to date by numbered migrations, all in one transaction (kept or rolled back whole):
//   1 -> 2: messages gets `display` (''), its dedup keys the prefix "v1:" (so that they never
//           meet the new "account:<id>" keys), and the accounts, tokens and invites tables.
//   2 -> 3: messages gets `event` and `target` (''), and every message is in the room "lobby";
//           the rooms tables with "lobby" (id 1, public), of which every account is a member
//           that has read up to the newest seq (an upgrade shows nothing as unread) and that the
//           rooms have seen; the mentions table (empty: older messages count as read anyway).
// A new file is made as version 1 and goes through the same migrations.
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
class RoomStore;

// One open QSqlDatabase connection, closed and removed when the last of its users lets go: the
// history, the accounts and the rooms share it, since the file is locked for one connection alone.
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

    static constexpr int kSchemaVersion = 3;

    // Opens the file, creating it (not its folder) when missing. nullptr and *error on failure.
    [[nodiscard]] static std::unique_ptr<SqliteStore> open(const QString &path, Sync sync,
                                                           QString *error);
    ~SqliteStore() override;

    [[nodiscard]] QString instance() const override { return m_instance; }
    [[nodiscard]] qint64 lastSeq() const override { return m_lastSeq; }
    [[nodiscard]] qint64 oldestSeq() const override { return m_oldestSeq; }
    [[nodiscard]] bool isDurable() const override { return true; }
    [[nodiscard]] bool append(QList<Entry> &entries) override;
    [[nodiscard]] std::optional<chat::proto::Message> findSent(const QString &nickKey,
                                                               const QString &id) const override;
    [[nodiscard]] QList<chat::proto::Message> range(qint64 first, qint64 last,
                                                    qint64 maxWeight = -1) const override;
    [[nodiscard]] QList<chat::proto::Message> page(const QString &room, qint64 before, int limit,
                                                   bool *more) const override;
    [[nodiscard]] QList<chat::proto::Message> since(const QSet<QString> &rooms,
                                                    const QString &target, qint64 after, int limit,
                                                    qint64 maxWeight,
                                                    bool *complete) const override;
    [[nodiscard]] int countUnread(const QString &room, qint64 after, const QString &exceptFrom,
                                  int cap) const override;
    [[nodiscard]] int countMentions(const QString &room, qint64 after, qint64 accountId,
                                    int cap) const override;
    [[nodiscard]] QHash<QString, chat::proto::Message> newestPerRoom() const override;
    qint64 prune(const Retention &retention, const QDateTime &now) override;

    [[nodiscard]] QString path() const { return m_path; }
    // Writes everything committed so far to `file` (VACUUM INTO: one self-contained, compacted
    // copy, whatever is still in the WAL included), on this connection, so no half-done
    // transaction is in it. `file` must be missing or empty. Blocks while it copies.
    [[nodiscard]] bool vacuumInto(const QString &file);
    // The accounts and the rooms in the same file, on the same connection. The stores may go in
    // any order.
    [[nodiscard]] std::unique_ptr<AccountStore> accountStore() const;
    [[nodiscard]] std::unique_ptr<RoomStore> roomStore() const;

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
    // Runs a prepared read statement; false (logged) when it fails.
    [[nodiscard]] bool run(QSqlQuery &query, const char *what) const;
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
    std::unique_ptr<QSqlQuery> m_insertMention;
    std::unique_ptr<QSqlQuery> m_setLastSeq;
    std::unique_ptr<QSqlQuery> m_findSent;
    std::unique_ptr<QSqlQuery> m_range;
    std::unique_ptr<QSqlQuery> m_page;
    std::unique_ptr<QSqlQuery> m_roomSince;
    std::unique_ptr<QSqlQuery> m_targetSince;
    std::unique_ptr<QSqlQuery> m_countUnread;
    std::unique_ptr<QSqlQuery> m_countMentions;
    // Tells findSent() which ids cannot be in the file, sparing it the query for nearly every
    // new message (a tenth of the server's time per message in durable mode).
    IdFilter m_ids{1};
};

} // namespace chat::server
