// The history file's schema migrations: a real version-1 file (data/history-v1.sqlite, made by
// data/make-history-v1.py with the version-1 CREATE statements) opens as version 3 with every
// message kept, its dedup keys moved aside ("v1:"), and room for the accounts and the rooms; a
// real version-2 file (data/history-v2.sqlite, make-history-v2.py) opens as version 3 with every
// message in the lobby and every account a member that has read it all; a newer schema is
// refused without a byte changed; a failed migration leaves the file as it was.
#include "accounts/accountstore.h"
#include "hubconfig.h"
#include "store/messagestore.h"
#include "store/roomstore.h"
#include "storetestbase.h"

#include <QFile>

using namespace chat::test;
using chat::server::Account;
using chat::server::HubConfig;
using chat::server::MembershipRecord;
using chat::server::openStores;
using chat::server::RoomRecord;
using chat::server::RoomRole;
using chat::server::RoomSnapshot;
using chat::server::Stores;

namespace {

const QString kInstance =
    QStringLiteral("5f1c0ffee5f1c0ffee5f1c0ffee5f1c0ffee5f1c0ffee5f1c0ffee5f1c0ffee0");
const QString kInstanceV2 =
    QStringLiteral("2b0c0ffee2b0c0ffee2b0c0ffee2b0c0ffee2b0c0ffee2b0c0ffee2b0c0ffee0");
const QString kLobby = QStringLiteral("lobby");
const int kVersion = SqliteStore::kSchemaVersion;

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
    void freshFileIsVersionThree();
    void fixtureIsVersionTwo();
    void versionTwoOpensWithLobbyAndReadPositions();
    void versionTwoKeepsWorking();
    void newerSchemaRefusedUnchanged();
    void failedMigrationKeepsFile();
    void failedMigrationFromTwoKeepsFile();
    void memoryStores();

private:
    [[nodiscard]] QString copyFixture(int version = 1)
    {
        const QString path = dbPath();
        QFile::remove(path);
        if (!QFile::copy(QStringLiteral(CHAT_TEST_DATA "/history-v%1.sqlite").arg(version), path))
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
        QVERIFY2(append(store, {next}), qPrintable(store.errorString()));
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

        // Version 1 had no accounts: the lobby, with no members, and nobody seen.
        QVERIFY(stores.rooms);
        RoomSnapshot snapshot;
        QVERIFY(stores.rooms->load(&snapshot));
        QCOMPARE(snapshot.rooms.size(), 1);
        QCOMPARE(snapshot.rooms[0].id, 1);
        QCOMPARE(snapshot.rooms[0].name, kLobby);
        QVERIFY(!snapshot.rooms[0].isPrivate);
        // As old as its oldest message.
        QCOMPARE(snapshot.rooms[0].created, QDateTime::fromMSecsSinceEpoch(1795000000000, Qt::UTC));
        QVERIFY(snapshot.memberships.isEmpty());
        QVERIFY(snapshot.seenAccounts.isEmpty());
        bool more = true;
        QCOMPARE(seqs(store.page(kLobby, 0, 50, &more)), range(3, 8));
        QVERIFY(!more);
    }
    QCOMPARE(scalar(path, QStringLiteral("SELECT version FROM schema_version")).toInt(), kVersion);
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
        QVERIFY(append(*stores.messages, {next}));
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
    QCOMPARE(scalar(path, QStringLiteral("SELECT version FROM schema_version")).toInt(), kVersion);
    QCOMPARE(scalar(path, QStringLiteral("SELECT COUNT(*) FROM rooms")).toInt(), 1);
}

void MigrationTest::freshFileIsVersionThree()
{
    QString error;
    {
        Stores stores = open(dbPath(), &error);
        QVERIFY2(stores.messages && stores.accounts && stores.rooms, qPrintable(error));
        QCOMPARE(stores.messages->lastSeq(), 0);
        RoomSnapshot snapshot;
        QVERIFY(stores.rooms->load(&snapshot));
        QCOMPARE(snapshot.rooms.size(), 1);
        QCOMPARE(snapshot.rooms[0].id, 1);
        QCOMPARE(snapshot.rooms[0].name, kLobby);
        QVERIFY(!snapshot.rooms[0].isPrivate && !snapshot.rooms[0].direct);
        QVERIFY(snapshot.memberships.isEmpty());
    }
    QCOMPARE(scalar(dbPath(), QStringLiteral("SELECT version FROM schema_version")).toInt(), 3);
    QCOMPARE(columns(dbPath(), QStringLiteral("messages")),
             words("seq nick_key msg_id room sender time_ms text display event target"));
    QCOMPARE(columns(dbPath(), QStringLiteral("rooms")),
             words("id name title topic private direct created_ms"));
    QCOMPARE(columns(dbPath(), QStringLiteral("room_members")),
             words("room_id account_id role joined_ms read_seq"));
    QCOMPARE(columns(dbPath(), QStringLiteral("room_accounts")), words("account_id"));
    QCOMPARE(columns(dbPath(), QStringLiteral("mentions")), words("seq account_id room"));
    QVERIFY(!columns(dbPath(), QStringLiteral("invites")).isEmpty());
    for (const char *index : {"messages_by_room", "messages_by_target", "mentions_by_account",
                              "room_members_by_account", "messages_by_sender"})
        QCOMPARE(scalar(dbPath(), QStringLiteral("SELECT COUNT(*) FROM sqlite_master WHERE "
                                                 "type = 'index' AND name = '%1'")
                                      .arg(QLatin1String(index)))
                     .toInt(),
                 1);
}

void MigrationTest::fixtureIsVersionTwo()
{
    const QString path = copyFixture(2);
    QVERIFY(!path.isEmpty());
    QCOMPARE(scalar(path, QStringLiteral("SELECT version FROM schema_version")).toInt(), 2);
    QVERIFY(!columns(path, QStringLiteral("messages")).contains(QStringLiteral("event")));
    QCOMPARE(scalar(path, QStringLiteral("SELECT COUNT(*) FROM messages")).toInt(), 6);
    QCOMPARE(scalar(path, QStringLiteral("SELECT COUNT(*) FROM accounts")).toInt(), 3);
    QCOMPARE(
        scalar(path, QStringLiteral("SELECT COUNT(*) FROM messages WHERE room != 'lobby'")).toInt(),
        1);
}

void MigrationTest::versionTwoOpensWithLobbyAndReadPositions()
{
    const QString path = copyFixture(2);
    QVERIFY(!path.isEmpty());
    QString error;
    {
        Stores stores = open(path, &error);
        QVERIFY2(stores.messages && stores.accounts && stores.rooms, qPrintable(error));
        MessageStore &store = *stores.messages;
        QCOMPARE(store.instance(), kInstanceV2);
        QCOMPARE(store.lastSeq(), 8);
        QCOMPARE(store.oldestSeq(), 3);
        // Every message kept, every one in the lobby, none an event.
        const QList<Message> messages = store.range(1, 100);
        QCOMPARE(seqs(messages), range(3, 8));
        for (const Message &message : messages) {
            QCOMPARE(message.room, kLobby);
            QVERIFY(message.event.isEmpty() && message.target.isEmpty());
        }
        QCOMPARE(messages[2].text, QStringLiteral("hi @Bob"));
        QCOMPARE(messages[2].display, QStringLiteral("爱丽丝"));
        QCOMPARE(messages[3].text, QStringLiteral("你好 🌍"));
        QCOMPARE(messages[4].text, QStringLiteral("another room?"));
        // Deduplication as before, for both kinds of keys.
        QCOMPARE(store.findSent(QStringLiteral("v1:alice"), QStringLiteral("a-1"))->seq, 3);
        QCOMPARE(store.findSent(QStringLiteral("account:1"), QStringLiteral("m-2"))->seq, 7);
        QCOMPARE(store.findSent(QStringLiteral("account:2"), QStringLiteral("m-1"))->seq, 6);

        // The lobby, with every account (the disabled one too) a member that has read it all.
        RoomSnapshot snapshot;
        QVERIFY2(stores.rooms->load(&snapshot), qPrintable(stores.rooms->errorString()));
        QCOMPARE(snapshot.rooms.size(), 1);
        const RoomRecord &lobby = snapshot.rooms[0];
        QCOMPARE(lobby.id, 1);
        QCOMPARE(lobby.name, kLobby);
        QVERIFY(!lobby.isPrivate && !lobby.direct);
        QVERIFY(lobby.title.isEmpty() && lobby.topic.isEmpty());
        QCOMPARE(lobby.created, QDateTime::fromMSecsSinceEpoch(1794999000000, Qt::UTC));
        const auto joined = [](qint64 ms) {
            return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC);
        };
        const QList<MembershipRecord> expected = {
            {1, 1, RoomRole::Member, joined(1795000000000), 8},
            {1, 2, RoomRole::Member, joined(1795000100000), 8},
            {1, 3, RoomRole::Member, joined(1795000200000), 8},
        };
        QCOMPARE(snapshot.memberships, expected);
        QCOMPARE(snapshot.seenAccounts, (QSet<qint64>{1, 2, 3}));

        // Nothing shows as unread after the upgrade; the lobby's newest is the last message.
        for (const MembershipRecord &member : expected) {
            QCOMPARE(store.countUnread(kLobby, member.readSeq, QString(), 1000), 0);
            QCOMPARE(store.countMentions(kLobby, member.readSeq, member.accountId, 1000), 0);
        }
        QCOMPARE(store.countUnread(kLobby, 0, QStringLiteral("alice"), 1000), 4);
        QCOMPARE(store.newestPerRoom().keys(), QList<QString>{kLobby});
        QCOMPARE(store.newestPerRoom().value(kLobby).seq, 8);
        bool more = true;
        QCOMPARE(seqs(store.page(kLobby, 0, 4, &more)), range(5, 8));
        QVERIFY(more);

        // The accounts are as they were.
        QCOMPARE(stores.accounts->list().size(), 3);
        QCOMPARE(stores.accounts->findByKey(QStringLiteral("alice"))->display,
                 QStringLiteral("爱丽丝"));
        QVERIFY(stores.accounts->findToken(QByteArray(32, '\x01')));
        QVERIFY(stores.accounts->findInvite(QByteArray(32, '\x02')));
    }
    QCOMPARE(scalar(path, QStringLiteral("SELECT version FROM schema_version")).toInt(), kVersion);
    QCOMPARE(
        scalar(path, QStringLiteral("SELECT COUNT(*) FROM messages WHERE room != 'lobby'")).toInt(),
        0);
    QCOMPARE(scalar(path, QStringLiteral("SELECT COUNT(*) FROM mentions")).toInt(), 0);
}

void MigrationTest::versionTwoKeepsWorking()
{
    const QString path = copyFixture(2);
    QVERIFY(!path.isEmpty());
    QString error;
    {
        Stores stores = open(path, &error);
        QVERIFY2(stores.messages && stores.rooms, qPrintable(error));
        // New messages, events and rooms go on from the old numbers and ids.
        QList<MessageStore::Entry> batch = {
            chatEntry(kLobby, QStringLiteral("Bob"), QStringLiteral("m-2"),
                      QStringLiteral("@alice hi"), {1}),
            eventEntry(kLobby, QStringLiteral("alice"), QStringLiteral("topic"), {},
                       QStringLiteral("news")),
        };
        batch[0].nickKey = QStringLiteral("account:2");
        QVERIFY2(stores.messages->append(batch), qPrintable(stores.messages->errorString()));
        QCOMPARE(batch[1].message.seq, 10);
        // An old id of that account is still known: a resend, not stored again.
        QList<MessageStore::Entry> old = {
            chatEntry(kLobby, QStringLiteral("Bob"), QStringLiteral("m-1"))};
        old[0].nickKey = QStringLiteral("account:2");
        QVERIFY(stores.messages->append(old));
        QVERIFY(old[0].duplicate);
        QVERIFY(old[0].message.seq < 10);
        QCOMPARE(stores.messages->lastSeq(), qint64(10));
        RoomRecord dev;
        dev.name = QStringLiteral("dev");
        dev.created = kNow;
        QVERIFY(stores.rooms->createRoom(&dev));
        QCOMPARE(dev.id, 2);
        QVERIFY(stores.rooms->setRead(1, 1, 10));
        QVERIFY(stores.rooms->markSeen(4));
    }
    for (int round = 0; round < 2; ++round) {
        Stores stores = open(path, &error);
        QVERIFY2(stores.messages && stores.rooms, qPrintable(error));
        QCOMPARE(stores.messages->lastSeq(), 10);
        QCOMPARE(stores.messages->countUnread(kLobby, 8, QStringLiteral("alice"), 1000), 1);
        QCOMPARE(stores.messages->countMentions(kLobby, 8, 1, 1000), 1);
        RoomSnapshot snapshot;
        QVERIFY(stores.rooms->load(&snapshot));
        QCOMPARE(snapshot.rooms.size(), 2);
        QCOMPARE(snapshot.memberships.size(), 3);
        QCOMPARE(snapshot.memberships[0].readSeq, 10);
        QCOMPARE(snapshot.memberships[1].readSeq, 8);
        QCOMPARE(snapshot.seenAccounts, (QSet<qint64>{1, 2, 3, 4}));
    }
    // Migrated once: still one lobby and three memberships.
    QCOMPARE(scalar(path, QStringLiteral("SELECT COUNT(*) FROM room_members")).toInt(), 3);
}

void MigrationTest::newerSchemaRefusedUnchanged()
{
    for (const QString &source :
         {QStringLiteral("fresh"), QStringLiteral("v1"), QStringLiteral("v2")}) {
        const QString path = source == QLatin1String("fresh")
                                 ? dbPath()
                                 : copyFixture(source == QLatin1String("v1") ? 1 : 2);
        QString error;
        {
            Stores stores = open(path, &error);
            QVERIFY2(stores.messages, qPrintable(error));
        }
        QVERIFY(execSql(
            path, {QStringLiteral("UPDATE schema_version SET version = %1").arg(kVersion + 1)}));
        const QByteArray before = fileHash(path);
        QVERIFY(!before.isEmpty());
        Stores stores = open(path, &error);
        QVERIFY(!stores.messages);
        QVERIFY(!stores.accounts);
        QVERIFY(!stores.rooms);
        QVERIFY2(error.contains(QLatin1String("newer")), qPrintable(error));
        QVERIFY2(error.contains(QStringLiteral("version %1").arg(kVersion + 1)), qPrintable(error));
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

void MigrationTest::failedMigrationFromTwoKeepsFile()
{
    // A version-2 file that (oddly) already has a rooms table: migration 2 -> 3 fails on CREATE
    // TABLE rooms, after the messages got their new columns and rooms; all of it is rolled back.
    const QString path = copyFixture(2);
    QVERIFY(execSql(path, {QStringLiteral("CREATE TABLE rooms (x)")}));
    const QByteArray before = fileHash(path);
    QString error;
    Stores stores = open(path, &error);
    QVERIFY(!stores.messages && !stores.rooms);
    QVERIFY2(error.contains(QLatin1String("schema version 2 to 3")), qPrintable(error));
    QCOMPARE(scalar(path, QStringLiteral("SELECT version FROM schema_version")).toInt(), 2);
    QVERIFY(!columns(path, QStringLiteral("messages")).contains(QStringLiteral("event")));
    QCOMPARE(scalar(path, QStringLiteral("SELECT room FROM messages WHERE seq = 7")).toString(),
             QStringLiteral("general"));
    QCOMPARE(fileHash(path), before);
}

void MigrationTest::memoryStores()
{
    QString error;
    Stores stores = open(chat::server::memoryStorePath(), &error);
    QVERIFY(stores.messages && stores.accounts && stores.rooms);
    QVERIFY(!stores.messages->isDurable());
    QVERIFY(dynamic_cast<chat::server::MemoryAccountStore *>(stores.accounts.get()));
    QVERIFY(dynamic_cast<chat::server::MemoryRoomStore *>(stores.rooms.get()));
    // openMessageStore() still works for its callers.
    HubConfig config;
    QVERIFY(chat::server::openMessageStore(chat::server::memoryStorePath(), config, &error));
    QVERIFY(chat::server::openMessageStore(dbPath(), config, &error));
}

QTEST_GUILESS_MAIN(MigrationTest)
#include "tst_migration.moc"
