// The PostgreSQL schema's migrations on a real version-1 database (data/postgres-v1.sql, the
// version-1 tables with rows in them): the current code opens it at the current version with
// every account, token, invite, room, membership, read position, message and mention kept, the
// ids' duplicates still found and the sequences going on; two nodes opening it at once migrate
// it once (the advisory lock) and both use it.
#include "accounts/accountstore.h"
#include "postgresserver.h"
#include "store/postgresschema.h"
#include "store/postgresstore.h"
#include "store/roomstore.h"
#include "storetestbase.h"

#include <QFile>
#include <QThread>

#include <algorithm>
#include <atomic>

using namespace chat::test;
using chat::server::Account;
using chat::server::MembershipRecord;
using chat::server::RoomRecord;
using chat::server::RoomRole;
using chat::server::RoomSnapshot;
using chat::server::postgres::kSchemaVersion;

namespace {

const QString kInstance =
    QStringLiteral("7e1c0ffee7e1c0ffee7e1c0ffee7e1c0ffee7e1c0ffee7e1c0ffee7e1c0ffee0");

QDateTime at(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC);
}

} // namespace

class PostgresMigrationTest : public StoreTestBase
{
    Q_OBJECT
private slots:
    void init()
    {
        makeDir();
        preparePostgres();
        QFile file(QStringLiteral(CHAT_TEST_DATA "/postgres-v1.sql"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        QVERIFY2(m_postgres->execute(QString::fromUtf8(file.readAll()), m_postgresDatabase),
                 qPrintable(m_postgres->errorString()));
        QCOMPARE(version(), 1);
    }
    void cleanup() { m_dir.reset(); }

    void keepsEverything_data() { row(); }
    void keepsEverything();
    void twoNodesMigrateOnce_data() { row(); }
    void twoNodesMigrateOnce();

private:
    static void row()
    {
        QTest::addColumn<int>("unused");
        QTest::addRow("postgres") << 0;
    }
    [[nodiscard]] int version() const
    {
        QString found;
        m_postgres->execute(QStringLiteral("SELECT version FROM schema_version"),
                            m_postgresDatabase, &found);
        return found.trimmed().toInt();
    }
    // The tables the newest schema has that version 1 had not.
    [[nodiscard]] QString clusterTables() const
    {
        QString tables;
        m_postgres->execute(
            QStringLiteral("SELECT string_agg(table_name, ',' ORDER BY table_name) FROM "
                           "information_schema.tables WHERE table_schema = 'public' AND "
                           "table_name LIKE 'cluster%'"),
            m_postgresDatabase, &tables);
        return tables.trimmed();
    }
};

void PostgresMigrationTest::keepsEverything()
{
    QCOMPARE(clusterTables(), QString());
    std::unique_ptr<PostgresStore> store = openPostgres();
    QVERIFY(store);
    QCOMPARE(store->foundVersion(), 1);
    QCOMPARE(version(), kSchemaVersion);
    QCOMPARE(clusterTables(), QStringLiteral("cluster_nodes,cluster_online"));

    // The history.
    QCOMPARE(store->instance(), kInstance);
    QCOMPARE(store->lastSeq(), qint64(5));
    QCOMPARE(store->oldestSeq(), qint64(1));
    const QList<Message> messages = store->range(1, 10);
    QCOMPARE(seqs(messages), range(1, 5));
    QCOMPARE(messages[0].id, QStringLiteral("m1"));
    QCOMPARE(messages[0].text, QStringLiteral("hello"));
    QCOMPARE(messages[0].display, QStringLiteral("Alice A."));
    QCOMPARE(messages[0].time, at(1795000002001));
    QCOMPARE(messages[2].event, QStringLiteral("created"));
    QCOMPARE(messages[3].room, QStringLiteral("team"));
    bool more = true;
    QCOMPARE(seqs(store->page(QStringLiteral("lobby"), 0, 10, &more)), QList<qint64>({1, 2, 5}));
    QVERIFY(!more);
    QCOMPARE(store->countMentions(QStringLiteral("lobby"), 0, 1, 10), 1);
    QCOMPARE(store->countUnread(QStringLiteral("lobby"), 2, QStringLiteral("Alice"), 10), 1);
    QCOMPARE(store->newestPerRoom().value(QStringLiteral("team")).seq, qint64(4));
    // Ids stored by version 1 still deduplicate; new messages number on.
    QCOMPARE(store->findSent(QStringLiteral("account:2"), QStringLiteral("m5"))->seq, qint64(5));
    QList<MessageStore::Entry> batch = {entry(0, QStringLiteral("x"), QStringLiteral("again")),
                                        entry(0, QStringLiteral("x"), QStringLiteral("new"))};
    batch[0].nickKey = QStringLiteral("account:1");
    batch[0].message.id = QStringLiteral("m1");
    batch[1].nickKey = QStringLiteral("account:1");
    batch[1].message.id = QStringLiteral("m6");
    QVERIFY(store->append(batch));
    QVERIFY(batch[0].duplicate);
    QCOMPARE(batch[0].message.seq, qint64(1));
    QCOMPARE(batch[0].message.text, QStringLiteral("hello"));
    QCOMPARE(batch[1].message.seq, qint64(6));

    // The rooms, their members and read positions.
    std::unique_ptr<chat::server::RoomStore> rooms = store->roomStore();
    RoomSnapshot snapshot;
    QVERIFY(rooms->load(&snapshot));
    std::sort(snapshot.rooms.begin(), snapshot.rooms.end(),
              [](const RoomRecord &a, const RoomRecord &b) { return a.id < b.id; });
    QCOMPARE(snapshot.rooms.size(), 2);
    QCOMPARE(snapshot.rooms[0].name, QStringLiteral("lobby"));
    QCOMPARE(snapshot.rooms[1],
             (RoomRecord{2, QStringLiteral("team"), QStringLiteral("The team"),
                         QStringLiteral("plans"), true, false, at(1795000001000)}));
    std::sort(snapshot.memberships.begin(), snapshot.memberships.end(),
              [](const MembershipRecord &a, const MembershipRecord &b) {
                  return std::pair(a.roomId, a.accountId) < std::pair(b.roomId, b.accountId);
              });
    QCOMPARE(snapshot.memberships,
             (QList<MembershipRecord>{{1, 1, RoomRole::Member, at(1795000000600), 2},
                                      {1, 2, RoomRole::Member, at(1795000000700), 5},
                                      {2, 1, RoomRole::Owner, at(1795000001000), 4}}));
    QCOMPARE(snapshot.seenAccounts, (QSet<qint64>{1, 2}));
    QVERIFY(rooms->setRead(1, 1, 6));
    RoomRecord made{0, QStringLiteral("later"), {}, {}, false, false, kNow};
    QVERIFY(rooms->createRoom(&made));
    QCOMPARE(made.id, qint64(3)); // the sequence went on

    // The accounts, tokens and invites.
    std::unique_ptr<chat::server::AccountStore> accounts = store->accountStore();
    const std::optional<Account> alice = accounts->findByKey(QStringLiteral("alice"));
    QVERIFY(alice);
    QCOMPARE(*alice, (Account{1, QStringLiteral("Alice"), QStringLiteral("alice"),
                              QStringLiteral("Alice A."), QByteArray("$argon2id$v=19$alice"), true,
                              false, at(1795000000100)}));
    QCOMPARE(accounts->findById(2)->name, QStringLiteral("bob"));
    QCOMPARE(accounts->findToken(QByteArray::fromHex("a11ce0"))->device, QStringLiteral("laptop"));
    QCOMPARE(accounts->findInvite(QByteArray::fromHex("1171fe"))->usesLeft, 3);
    Account carol{0, QStringLiteral("carol"), QStringLiteral("carol"), {}, {}, false, false, kNow};
    QVERIFY(accounts->create(&carol));
    QCOMPARE(carol.id, qint64(3));

    // Opened again: nothing more to migrate, everything as left.
    store.reset();
    rooms.reset();
    accounts.reset();
    store = openPostgres();
    QVERIFY(store);
    QCOMPARE(store->foundVersion(), kSchemaVersion);
    QCOMPARE(store->lastSeq(), qint64(6));
    QVERIFY(store->roomStore()->load(&snapshot));
    QCOMPARE(snapshot.memberships.size(), 3);
}

void PostgresMigrationTest::twoNodesMigrateOnce()
{
    // Two nodes of the new version start on the version-1 database at once: one migrates under
    // the lock, the other waits for it and finds the schema current.
    std::atomic<int> opened{0};
    int found[2] = {-1, -1};
    qint64 lastSeq[2] = {0, 0};
    QList<QThread *> threads;
    for (int n = 0; n < 2; ++n)
        threads.append(QThread::create([&, n] {
            std::unique_ptr<PostgresStore> store = openPostgres();
            if (!store)
                return;
            ++opened;
            found[n] = store->foundVersion();
            lastSeq[n] = store->lastSeq();
        }));
    for (QThread *thread : std::as_const(threads))
        thread->start();
    for (QThread *thread : std::as_const(threads)) {
        thread->wait();
        delete thread;
    }
    QCOMPARE(opened.load(), 2);
    QCOMPARE(std::min(found[0], found[1]), 1);
    QCOMPARE(std::max(found[0], found[1]), kSchemaVersion);
    QCOMPARE(lastSeq[0], qint64(5));
    QCOMPARE(lastSeq[1], qint64(5));
    QCOMPARE(version(), kSchemaVersion);
    QCOMPARE(clusterTables(), QStringLiteral("cluster_nodes,cluster_online"));
    QString rows;
    QVERIFY(m_postgres->execute(QStringLiteral("SELECT COUNT(*) FROM schema_version"),
                                m_postgresDatabase, &rows));
    QCOMPARE(rows.trimmed(), QStringLiteral("1"));
}

QTEST_GUILESS_MAIN(PostgresMigrationTest)
#include "tst_postgresmigration.moc"
