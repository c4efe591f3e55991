#include "store/postgresschema.h"

#include "secrets.h"
#include "store/postgresconnection.h"

#include <QDateTime>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>

namespace chat::server::postgres {

namespace {

// The advisory lock migrations hold: any number, the same on every node ("chat" in ASCII).
constexpr qint64 kMigrationLock = 0x63686174;

// The statements of step `from` -> `from` + 1.
QStringList migrationStep(int from)
{
    switch (from) {
    case 0:
        return {
            QStringLiteral("CREATE TABLE schema_version (version integer NOT NULL)"),
            QStringLiteral("INSERT INTO schema_version (version) VALUES (0)"),
            QStringLiteral("CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL)"),
            // A fresh history gets a fresh name: numbers from any earlier one mean nothing here.
            QStringLiteral("INSERT INTO meta (key, value) VALUES ('instance', '%1')")
                .arg(randomHex(64)),
            QStringLiteral("CREATE TABLE meta_counter (id integer PRIMARY KEY CHECK (id = 1), "
                           "last_seq bigint NOT NULL)"),
            QStringLiteral("INSERT INTO meta_counter (id, last_seq) VALUES (1, 0)"),
            QStringLiteral("CREATE TABLE messages (seq bigint PRIMARY KEY, nick_key text NOT NULL, "
                           "msg_id text NOT NULL, room text NOT NULL, sender text NOT NULL, "
                           "time_ms bigint NOT NULL, text text NOT NULL, "
                           "display text NOT NULL DEFAULT '', event text NOT NULL DEFAULT '', "
                           "target text NOT NULL DEFAULT '')"),
            // Events have no id (msg_id ''): ids are unique per sender among the others.
            QStringLiteral("CREATE UNIQUE INDEX messages_by_sender ON messages (nick_key, msg_id) "
                           "WHERE msg_id != ''"),
            // A room's pages, newest message and unread count.
            QStringLiteral("CREATE INDEX messages_by_room ON messages (room, seq, event, sender)"),
            QStringLiteral("CREATE INDEX messages_by_target ON messages (target, seq) "
                           "WHERE target != ''"),
            QStringLiteral("CREATE INDEX messages_by_time ON messages (time_ms)"),
            QStringLiteral(
                "CREATE TABLE mentions (seq bigint NOT NULL, account_id bigint NOT NULL, "
                "room text NOT NULL, PRIMARY KEY (seq, account_id))"),
            QStringLiteral("CREATE INDEX mentions_by_account ON mentions (account_id, room, seq)"),
            QStringLiteral("CREATE TABLE rooms (id bigserial PRIMARY KEY, name text NOT NULL "
                           "UNIQUE, title text NOT NULL DEFAULT '', topic text NOT NULL DEFAULT "
                           "'', private boolean NOT NULL DEFAULT false, direct boolean NOT NULL "
                           "DEFAULT false, created_ms bigint NOT NULL)"),
            // The first room: id 1.
            QStringLiteral("INSERT INTO rooms (name, created_ms) VALUES ('lobby', %1)")
                .arg(QDateTime::currentMSecsSinceEpoch()),
            QStringLiteral("CREATE TABLE room_members (room_id bigint NOT NULL, "
                           "account_id bigint NOT NULL, role integer NOT NULL DEFAULT 0, "
                           "joined_ms bigint NOT NULL, read_seq bigint NOT NULL DEFAULT 0, "
                           "PRIMARY KEY (room_id, account_id))"),
            QStringLiteral("CREATE INDEX room_members_by_account ON room_members (account_id)"),
            QStringLiteral("CREATE TABLE room_accounts (account_id bigint PRIMARY KEY)"),
            QStringLiteral("CREATE TABLE accounts (id bigserial PRIMARY KEY, name text NOT NULL, "
                           "name_key text NOT NULL UNIQUE, display text NOT NULL DEFAULT '', "
                           "password_hash bytea NOT NULL DEFAULT '', "
                           "admin boolean NOT NULL DEFAULT false, "
                           "disabled boolean NOT NULL DEFAULT false, created_ms bigint NOT NULL)"),
            QStringLiteral("CREATE TABLE tokens (hash bytea PRIMARY KEY, account_id bigint NOT "
                           "NULL, device text NOT NULL, created_ms bigint NOT NULL, "
                           "last_used_ms bigint NOT NULL)"),
            QStringLiteral("CREATE INDEX tokens_by_account ON tokens (account_id)"),
            QStringLiteral("CREATE INDEX tokens_by_use ON tokens (last_used_ms)"),
            QStringLiteral("CREATE TABLE invites (hash bytea PRIMARY KEY, uses_left integer NOT "
                           "NULL, expires_ms bigint, created_ms bigint NOT NULL)"),
        };
    case 1: // presence across nodes (cluster/clusterpresence.h)
        return {
            QStringLiteral("CREATE TABLE cluster_nodes (node text PRIMARY KEY, "
                           "beat timestamptz NOT NULL)"),
            QStringLiteral("CREATE TABLE cluster_online (node text NOT NULL REFERENCES "
                           "cluster_nodes (node) ON DELETE CASCADE, account_id bigint NOT NULL, "
                           "name text NOT NULL, display text, "
                           "PRIMARY KEY (node, account_id))"),
        };
    default:
        return {};
    }
}

// The schema's version: 0 for an empty database; -1 with *error for one it must not touch.
int foundVersion(QSqlDatabase &db, QString *error)
{
    QSqlQuery query(db);
    query.setForwardOnly(true);
    if (!query.exec(QStringLiteral("SELECT table_name FROM information_schema.tables "
                                   "WHERE table_schema = current_schema()"))) {
        *error = QStringLiteral("cannot read its tables: ") + reason(query.lastError());
        return -1;
    }
    QStringList tables;
    while (query.next())
        tables.append(query.value(0).toString());
    query.finish();
    if (tables.isEmpty())
        return 0;
    if (!tables.contains(QStringLiteral("schema_version"))) {
        *error = QStringLiteral("the database holds another program's tables (no schema_version "
                                "table); give chat-server a database of its own");
        return -1;
    }
    if (!query.exec(QStringLiteral("SELECT version FROM schema_version")) || !query.next()) {
        *error = QStringLiteral("cannot read its schema version: ") + reason(query.lastError());
        return -1;
    }
    const int version = query.value(0).toInt();
    if (version > kSchemaVersion) {
        *error = QStringLiteral("it was written by a newer chat-server (schema version %1; this "
                                "one knows version %2)")
                     .arg(version)
                     .arg(kSchemaVersion);
        return -1;
    }
    return version;
}

bool migrateLocked(QSqlDatabase &db, int *found, QString *error)
{
    QSqlQuery lock(db);
    lock.prepare(QStringLiteral("SELECT pg_advisory_xact_lock(?)"));
    lock.addBindValue(kMigrationLock);
    if (!lock.exec()) {
        *error = QStringLiteral("cannot lock the schema: ") + reason(lock.lastError());
        return false;
    }
    lock.finish();
    *found = foundVersion(db, error);
    if (*found < 0)
        return false;
    for (int from = *found; from < kSchemaVersion; ++from) {
        QStringList statements = migrationStep(from);
        statements.append(QStringLiteral("UPDATE schema_version SET version = %1").arg(from + 1));
        for (const QString &statement : std::as_const(statements)) {
            QSqlQuery query(db);
            if (!query.exec(statement)) {
                *error = QStringLiteral("cannot bring it from schema version %1 to %2: %3")
                             .arg(from)
                             .arg(from + 1)
                             .arg(reason(query.lastError()));
                return false;
            }
        }
    }
    return true;
}

} // namespace

bool migrate(QSqlDatabase &db, int *foundVersion, QString *error)
{
    if (!db.transaction()) {
        *error = reason(db.lastError());
        return false;
    }
    if (!migrateLocked(db, foundVersion, error)) {
        db.rollback();
        return false;
    }
    if (!db.commit()) {
        *error = reason(db.lastError());
        db.rollback();
        return false;
    }
    return true;
}

} // namespace chat::server::postgres
