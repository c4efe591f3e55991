// What the store tests share: a temporary folder for database files, a throw-away PostgreSQL
// with a fresh database for each test row named "postgres...", messages to store, a store that
// fails on demand, and a way to change a database behind the store's back, as another program
// would.
#pragma once

#include "postgresserver.h"
#include "store/messagestore.h"
#include "store/postgresstore.h"
#include "store/sqlitestore.h"
#include "validation.h"

#include <QCryptographicHash>
#include <QFile>
#include <QObject>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

namespace chat::test {

using chat::proto::Message;
using chat::server::MemoryStore;
using chat::server::MessageStore;
using chat::server::PostgresStore;
using chat::server::Retention;
using chat::server::SqliteStore;

inline const QDateTime kNow = QDateTime::fromMSecsSinceEpoch(1795000000123, Qt::UTC);

// An entry's seq is the store's to give: `seq` only names the id ("id-<seq>"), and says which
// seq the test expects it to get.

inline MessageStore::Entry entry(qint64 seq, const QString &nick = QStringLiteral("alice"),
                                 const QString &text = QStringLiteral("hi"),
                                 const QDateTime &time = kNow, const QString &id = {})
{
    Message message;
    message.seq = seq;
    message.id = id.isEmpty() ? QStringLiteral("id-%1").arg(seq) : id;
    message.room = QStringLiteral("lobby");
    message.from = nick;
    message.time = time;
    message.text = text;
    return {chat::proto::nickKey(nick), message, {}};
}

// A chat message into `room` from `nick` (dedup key "account:<nick>"), naming `mentions`.
inline MessageStore::Entry chatEntry(const QString &room, const QString &nick, const QString &id,
                                     const QString &text = QStringLiteral("hi"),
                                     const QList<qint64> &mentions = {})
{
    Message message;
    message.id = id;
    message.room = room;
    message.from = nick;
    message.time = kNow;
    message.text = text;
    return {QStringLiteral("account:") + nick, message, mentions};
}

// A room event: no id, no dedup key.
inline MessageStore::Entry eventEntry(const QString &room, const QString &from,
                                      const QString &event, const QString &target = {},
                                      const QString &text = {})
{
    Message message;
    message.room = room;
    message.from = from;
    message.time = kNow;
    message.event = event;
    message.target = target;
    message.text = text;
    return {QString(), message, {}};
}

// MessageStore::append() for a list written in place.
[[nodiscard]] inline bool append(MessageStore &store, QList<MessageStore::Entry> entries)
{
    return store.append(entries);
}

inline QList<qint64> seqs(const QList<Message> &messages)
{
    QList<qint64> result;
    for (const Message &m : messages)
        result.append(m.seq);
    return result;
}

inline QList<qint64> range(qint64 first, qint64 last)
{
    QList<qint64> result;
    for (qint64 s = first; s <= last; ++s)
        result.append(s);
    return result;
}

inline QByteArray fileHash(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QCryptographicHash::hash(file.readAll(), QCryptographicHash::Sha256);
}

// Runs statements on an SQLite file with a connection of its own, as another program would.
inline bool execSql(const QString &path, const QStringList &statements)
{
    static int counter = 0;
    const QString name = QStringLiteral("tst-store-raw-%1").arg(++counter);
    bool ok = true;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        ok = db.open();
        for (const QString &statement : statements) {
            QSqlQuery query(db);
            if (ok && !query.exec(statement)) {
                qWarning("%s: %s", qPrintable(statement), qPrintable(query.lastError().text()));
                ok = false;
            }
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return ok;
}

// A store that can be told to fail its next commits, around a real MemoryStore.
class FailingStore final : public MessageStore
{
public:
    bool failing = false;
    int appendCalls = 0;

    [[nodiscard]] QString instance() const override { return m_inner.instance(); }
    [[nodiscard]] qint64 lastSeq() const override { return m_inner.lastSeq(); }
    [[nodiscard]] qint64 oldestSeq() const override { return m_inner.oldestSeq(); }
    [[nodiscard]] bool isDurable() const override { return true; }
    [[nodiscard]] bool append(QList<Entry> &entries) override
    {
        ++appendCalls;
        if (failing) {
            setError(QStringLiteral("disk full (test)"));
            return false;
        }
        return m_inner.append(entries);
    }
    [[nodiscard]] std::optional<Message> findSent(const QString &key,
                                                  const QString &id) const override
    {
        return m_inner.findSent(key, id);
    }
    [[nodiscard]] QList<Message> range(qint64 first, qint64 last,
                                       qint64 maxWeight = -1) const override
    {
        return m_inner.range(first, last, maxWeight);
    }
    [[nodiscard]] QList<Message> page(const QString &room, qint64 before, int limit,
                                      bool *more) const override
    {
        return m_inner.page(room, before, limit, more);
    }
    [[nodiscard]] QList<Message> since(const QSet<QString> &rooms, const QString &target,
                                       qint64 after, int limit, qint64 maxWeight,
                                       bool *complete) const override
    {
        return m_inner.since(rooms, target, after, limit, maxWeight, complete);
    }
    [[nodiscard]] int countUnread(const QString &room, qint64 after, const QString &exceptFrom,
                                  int cap) const override
    {
        return m_inner.countUnread(room, after, exceptFrom, cap);
    }
    [[nodiscard]] int countMentions(const QString &room, qint64 after, qint64 accountId,
                                    int cap) const override
    {
        return m_inner.countMentions(room, after, accountId, cap);
    }
    [[nodiscard]] QHash<QString, Message> newestPerRoom() const override
    {
        return m_inner.newestPerRoom();
    }
    qint64 prune(const Retention &retention, const QDateTime &now) override
    {
        return m_inner.prune(retention, now);
    }

private:
    MemoryStore m_inner{100, 100, 100};
};

class StoreTestBase : public QObject
{
    Q_OBJECT
protected:
    void makeDir()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
    }
    [[nodiscard]] QString dbPath() const { return m_dir->filePath(QStringLiteral("h.sqlite")); }
    // nullptr, with a warning, when it cannot be opened.
    [[nodiscard]] std::unique_ptr<SqliteStore> openSqlite(const QString &path = {})
    {
        QString error;
        std::unique_ptr<SqliteStore> store =
            SqliteStore::open(path.isEmpty() ? dbPath() : path, SqliteStore::Sync::Full, &error);
        if (!store)
            qWarning("cannot open the store: %s", qPrintable(error));
        return store;
    }
    // Fills the store on dbPath() with `count` messages from alice.
    void fill(int count)
    {
        std::unique_ptr<SqliteStore> store = openSqlite();
        QVERIFY(store);
        QList<MessageStore::Entry> entries;
        for (int seq = 1; seq <= count; ++seq)
            entries.append(entry(seq));
        QVERIFY(store->append(entries));
        QCOMPARE(store->lastSeq(), qint64(count));
    }

    // For a test row whose tag starts with "postgres" (call it from init()): a fresh database
    // on this program's PostgreSQL (started on first use) in postgresUrl(); the row is skipped
    // when PostgreSQL is not installed here.
    void preparePostgres()
    {
        m_postgresUrl.clear();
        if (!QByteArray(QTest::currentDataTag()).startsWith("postgres"))
            return;
        if (const QString why = PostgresServer::missingReason(); !why.isEmpty())
            QSKIP(qPrintable(why));
        if (!m_postgres)
            m_postgres = std::make_unique<PostgresServer>();
        if (!m_postgres->isRunning())
            QVERIFY2(m_postgres->start(), qPrintable(m_postgres->errorString()));
        m_postgresDatabase = QStringLiteral("t%1").arg(++m_postgresDatabases);
        m_postgresUrl = m_postgres->createDatabase(m_postgresDatabase);
        QVERIFY2(!m_postgresUrl.isEmpty(), qPrintable(m_postgres->errorString()));
    }
    [[nodiscard]] QString postgresUrl() const { return m_postgresUrl; }
    // nullptr, with a warning, when it cannot be opened.
    [[nodiscard]] std::unique_ptr<PostgresStore> openPostgres()
    {
        QString error;
        std::unique_ptr<PostgresStore> store = PostgresStore::open(m_postgresUrl, &error);
        if (!store)
            qWarning("cannot open the store: %s", qPrintable(error));
        return store;
    }
    // Makes the row's database ("sqlite" or "postgres") refuse to store a message with the id
    // "boom", as a full disk would refuse a write. SQLite's file is locked to the store's
    // connection: the trigger goes in through that one.
    [[nodiscard]] bool refuseIdBoom(const QString &kind)
    {
        if (kind == QLatin1String("postgres"))
            return m_postgres->execute(
                QStringLiteral("CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS "
                               "$$ BEGIN RAISE EXCEPTION 'boom'; END $$; "
                               "CREATE TRIGGER boom BEFORE INSERT ON messages FOR EACH ROW "
                               "WHEN (NEW.msg_id = 'boom') EXECUTE FUNCTION boom()"),
                m_postgresDatabase);
        for (const QString &name : QSqlDatabase::connectionNames()) {
            QSqlDatabase db = QSqlDatabase::database(name, false);
            if (!name.startsWith(QLatin1String("chat-store-")) || !db.isOpen())
                continue;
            QSqlQuery query(db);
            return query.exec(QStringLiteral(
                "CREATE TRIGGER boom BEFORE INSERT ON messages WHEN NEW.msg_id = 'boom' "
                "BEGIN SELECT RAISE(ABORT, 'boom'); END"));
        }
        return false;
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<PostgresServer> m_postgres;
    QString m_postgresDatabase;
    QString m_postgresUrl;
    int m_postgresDatabases = 0;
};

} // namespace chat::test
