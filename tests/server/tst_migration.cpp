// The history file's schema migrations: a real version-1 file (data/history-v1.sqlite, made by
// data/make-history-v1.py with the version-1 CREATE statements) opens as version 2 with every
// message kept, its dedup keys moved aside ("v1:"), and room for the accounts; a newer schema is
// refused without a byte changed; a failed migration leaves the file as it was.
#include "accounts/accountstore.h"
#include "hubconfig.h"
#include "store/messagestore.h"
#include "storetestbase.h"

#include <QFile>

using namespace chat::test;
using chat::server::Account;
using chat::server::HubConfig;
using chat::server::openStores;
using chat::server::Stores;

namespace {

const QString kInstance =
    QStringLiteral("5f1c0ffee5f1c0ffee5f1c0ffee5f1c0ffee5f1c0ffee5f1c0ffee5f1c0ffee0");

// One value from an SQLite file, read with a connection of its own (the store must be closed).
QVariant scalar(const QString &path, const QString &sql)
{
    static int counter = 0;
    const QString name = QStringLiteral("tst-migration-%1").arg(++counter);
    QVariant value;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        if (db.open()) {
            QSqlQuery query(db);
            if (query.exec(sql) && query.next())
                value = query.value(0);
            else
                qWarning("%s: %s", qPrintable(sql), qPrintable(query.lastError().text()));
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return value;
}

QStringList columns(const QString &path, const QString &table)
{
    static int counter = 0;
    const QString name = QStringLiteral("tst-migration-columns-%1").arg(++counter);
    QStringList result;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        if (db.open()) {
            QSqlQuery query(db);
            if (query.exec(QStringLiteral("PRAGMA table_info(%1)").arg(table))) {
                while (query.next())
                    result.append(query.value(1).toString());
            }
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return result;
}

QStringList words(const char *text)
{
    return QString::fromLatin1(text).split(QLatin1Char(' '));
}

Message expected(qint64 seq, const QString &id, const QString &from, qint64 ms, const QString &text)
{
    Message message;
    message.seq = seq;
    message.id = id;
    message.room = QStringLiteral("lobby");
    message.from = from;
    message.time = QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC);
    message.text = text;
    return message;
}

} // namespace

class MigrationTest : public StoreTestBase
{
    Q_OBJECT
private slots:
    void init() { makeDir(); }

    void fixtureIsVersionOne();
    void versionOneOpensWithEveryMessage();
    void reopeningMigratedFile();
    void freshFileIsVersionTwo();
    void newerSchemaRefusedUnchanged();
    void failedMigrationKeepsFile();
    void memoryStores();

private:
    [[nodiscard]] QString copyFixture()
    {
        const QString path = dbPath();
        QFile::remove(path);
        if (!QFile::copy(QStringLiteral(CHAT_TEST_DATA "/history-v1.sqlite"), path))
            return {};
        QFile::setPermissions(path, QFile::ReadOwner | QFile::WriteOwner);
        return path;
    }
    [[nodiscard]] Stores open(const QString &path, QString *error)
    {
        HubConfig config;
        return openStores(path, config, error);
    }
};

void MigrationTest::fixtureIsVersionOne()
{
    const QString path = copyFixture();
    QVERIFY(!path.isEmpty());
    QCOMPARE(scalar(path, QStringLiteral("SELECT version FROM schema_version")).toInt(), 1);
    QVERIFY(!columns(path, QStringLiteral("messages")).contains(QStringLiteral("display")));
    QCOMPARE(scalar(path, QStringLiteral("SELECT COUNT(*) FROM messages")).toInt(), 5);
}

void MigrationTest::versionOneOpensWithEveryMessage()
{
    const QString path = copyFixture();
    QVERIFY(!path.isEmpty());
    QString error;
    {
        Stores stores = open(path, &error);
        QVERIFY2(stores.messages && stores.accounts, qPrintable(error));
        MessageStore &store = *stores.messages;
        QCOMPARE(store.instance(), kInstance);
        QCOMPARE(store.lastSeq(), 7);
        QCOMPARE(store.oldestSeq(), 3); // 1 and 2 had been pruned
        const QList<Message> messages = store.range(1, 100);
        const QList<Message> want = {
            expected(3, QStringLiteral("a-1"), QStringLiteral("Alice"), 1795000000000,
                     QStringLiteral("hello")),
            expected(4, QStringLiteral("b-1"), QStringLiteral("bob"), 1795000001000,
                     QStringLiteral("hi Alice")),
            expected(5, QStringLiteral("c-1"), QStringLiteral("爱丽丝"), 1795000002000,
                     QStringLiteral("你好，世界 🌍")),
            expected(6, QStringLiteral("a-2"), QStringLiteral("Alice"), 1795000003000,
                     QStringLiteral("line one\nline two")),
            expected(7, QStringLiteral("a-1"), QStringLiteral("bob"), 1795000004000,
                     QStringLiteral("same id, other nick")),
        };
        QCOMPARE(messages, want);
        for (const Message &message : messages)
            QVERIFY(message.display.isEmpty());
        // The old dedup keys moved aside: found under "v1:", never under a new key.
        const auto old = store.findSent(QStringLiteral("v1:alice"), QStringLiteral("a-1"));
        QVERIFY(old);
        QCOMPARE(old->seq, 3);
        QCOMPARE(store.findSent(QStringLiteral("v1:bob"), QStringLiteral("a-1"))->seq, 7);
        QVERIFY(!store.findSent(QStringLiteral("alice"), QStringLiteral("a-1")));
        QVERIFY(!store.findSent(QStringLiteral("account:1"), QStringLiteral("a-1")));

        // New messages carry a display name and the per-account key, even with an old id.
        MessageStore::Entry next = entry(8, QStringLiteral("alice"), QStringLiteral("again"));
        next.nickKey = QStringLiteral("account:1");
        next.message.id = QStringLiteral("a-1");
        next.message.display = QStringLiteral("爱丽丝");
        QVERIFY2(store.append({next}), qPrintable(store.errorString()));
        QCOMPARE(store.range(8, 8).value(0), next.message);
        QCOMPARE(store.findSent(QStringLiteral("account:1"), QStringLiteral("a-1"))->display,
                 QStringLiteral("爱丽丝"));

        // The accounts live in the same file.
        Account account;
        account.name = QStringLiteral("alice");
        account.nameKey = QStringLiteral("alice");
        account.created = kNow;
        QVERIFY2(stores.accounts->create(&account), qPrintable(stores.accounts->errorString()));
        QCOMPARE(account.id, 1);
    }
    QCOMPARE(scalar(path, QStringLiteral("SELECT version FROM schema_version")).toInt(), 2);
    QVERIFY(columns(path, QStringLiteral("messages")).contains(QStringLiteral("display")));
    QCOMPARE(columns(path, QStringLiteral("accounts")),
             words("id name name_key display password_hash admin disabled created_ms"));
    QCOMPARE(columns(path, QStringLiteral("tokens")),
             words("hash account_id device created_ms last_used_ms"));
    QCOMPARE(columns(path, QStringLiteral("invites")),
             words("hash uses_left expires_ms created_ms"));
    QCOMPARE(
        scalar(path, QStringLiteral("SELECT COUNT(*) FROM messages WHERE nick_key LIKE 'v1:%'"))
            .toInt(),
        5);
}

void MigrationTest::reopeningMigratedFile()
{
    const QString path = copyFixture();
    QString error;
    {
        Stores stores = open(path, &error);
        QVERIFY2(stores.messages, qPrintable(error));
        MessageStore::Entry next = entry(8);
        next.nickKey = QStringLiteral("account:1");
        next.message.display = QStringLiteral("Al");
        QVERIFY(stores.messages->append({next}));
        // The message store may go first: the account store keeps the connection.
        stores.messages.reset();
        Account account;
        account.name = QStringLiteral("bob");
        account.nameKey = QStringLiteral("bob");
        account.created = kNow;
        QVERIFY(stores.accounts->create(&account));
    }
    for (int round = 0; round < 2; ++round) {
        Stores stores = open(path, &error);
        QVERIFY2(stores.messages && stores.accounts, qPrintable(error));
        QCOMPARE(stores.messages->instance(), kInstance);
        QCOMPARE(stores.messages->lastSeq(), 8);
        QCOMPARE(stores.messages->oldestSeq(), 3);
        QCOMPARE(stores.messages->range(1, 100).size(), 6);
        QCOMPARE(stores.messages->range(8, 8).value(0).display, QStringLiteral("Al"));
        QCOMPARE(stores.messages->range(3, 3).value(0).from, QStringLiteral("Alice"));
        QVERIFY(stores.accounts->findByKey(QStringLiteral("bob")));
        QCOMPARE(stores.accounts->list().size(), 1);
    }
    // Not migrated twice: the keys have one prefix.
    QCOMPARE(scalar(path, QStringLiteral("SELECT nick_key FROM messages WHERE seq = 3")).toString(),
             QStringLiteral("v1:alice"));
    QCOMPARE(scalar(path, QStringLiteral("SELECT version FROM schema_version")).toInt(), 2);
}

void MigrationTest::freshFileIsVersionTwo()
{
    QString error;
    {
        Stores stores = open(dbPath(), &error);
        QVERIFY2(stores.messages && stores.accounts, qPrintable(error));
        QCOMPARE(stores.messages->lastSeq(), 0);
    }
    QCOMPARE(scalar(dbPath(), QStringLiteral("SELECT version FROM schema_version")).toInt(), 2);
    QVERIFY(columns(dbPath(), QStringLiteral("messages")).contains(QStringLiteral("display")));
    QVERIFY(!columns(dbPath(), QStringLiteral("invites")).isEmpty());
}

void MigrationTest::newerSchemaRefusedUnchanged()
{
    for (const QString &source : {QStringLiteral("fresh"), QStringLiteral("v1")}) {
        const QString path = source == QLatin1String("v1") ? copyFixture() : dbPath();
        QString error;
        {
            Stores stores = open(path, &error);
            QVERIFY2(stores.messages, qPrintable(error));
        }
        QVERIFY(execSql(path, {QStringLiteral("UPDATE schema_version SET version = 3")}));
        const QByteArray before = fileHash(path);
        QVERIFY(!before.isEmpty());
        Stores stores = open(path, &error);
        QVERIFY(!stores.messages);
        QVERIFY(!stores.accounts);
        QVERIFY2(error.contains(QLatin1String("newer")), qPrintable(error));
        QCOMPARE(fileHash(path), before);
        QVERIFY(!QFile::exists(path + QStringLiteral("-wal")) ||
                QFile(path + QStringLiteral("-wal")).size() == 0);
        QFile::remove(path);
    }
}

void MigrationTest::failedMigrationKeepsFile()
{
    // A version-1 file that (oddly) already has an accounts table: migration 1 -> 2 fails on
    // CREATE TABLE accounts, after the messages were already changed; all of it is rolled back.
    const QString path = copyFixture();
    QVERIFY(execSql(path, {QStringLiteral("CREATE TABLE accounts (x)")}));
    const QByteArray before = fileHash(path);
    QString error;
    Stores stores = open(path, &error);
    QVERIFY(!stores.messages);
    QVERIFY2(error.contains(QLatin1String("schema version 1 to 2")), qPrintable(error));
    QCOMPARE(scalar(path, QStringLiteral("SELECT version FROM schema_version")).toInt(), 1);
    QCOMPARE(scalar(path, QStringLiteral("SELECT nick_key FROM messages WHERE seq = 3")).toString(),
             QStringLiteral("alice"));
    QVERIFY(!columns(path, QStringLiteral("messages")).contains(QStringLiteral("display")));
    QCOMPARE(fileHash(path), before);
}

void MigrationTest::memoryStores()
{
    QString error;
    Stores stores = open(chat::server::memoryStorePath(), &error);
    QVERIFY(stores.messages && stores.accounts);
    QVERIFY(!stores.messages->isDurable());
    QVERIFY(dynamic_cast<chat::server::MemoryAccountStore *>(stores.accounts.get()));
    // openMessageStore() still works for its callers.
    HubConfig config;
    QVERIFY(chat::server::openMessageStore(chat::server::memoryStorePath(), config, &error));
    QVERIFY(chat::server::openMessageStore(dbPath(), config, &error));
}

QTEST_GUILESS_MAIN(MigrationTest)
#include "tst_migration.moc"
