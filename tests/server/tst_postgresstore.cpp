// The PostgreSQL store as several nodes share it: two stores on two connections (two threads, as
// two nodes) committing at once number without gap or repeat, a reader never sees seq N + 1
// before N, an id resent to the other node comes back a duplicate of the original; the schema's
// migrations from an empty database (two nodes starting at once), the refusal of a newer or a
// foreign schema and of a password in the URL; a lost connection is made again. Each commit's
// notice is sent from its own transaction: a listening node hears the range long before its
// tick, and nothing for a rollback. A COMMIT whose connection is lost before its answer (its
// outcome unknown to the store) is not stored twice when sent again.
#include "cluster/clusterfeed.h"
#include "cuttingproxy.h"
#include "hubconfig.h"
#include "postgresserver.h"
#include "store/postgresschema.h"
#include "store/postgresstore.h"
#include "storetestbase.h"

#include <QRegularExpression>
#include <QSignalSpy>
#include <QThread>
#include <QUrl>

#include <atomic>
#include <functional>

using namespace chat::test;

namespace {

const QString kA = QStringLiteral("a");
const QString kB = QStringLiteral("b");

// Runs `work` on a thread of its own (a store's connection belongs to the thread that made it)
// and waits for it.
void onThreads(const QList<std::function<void()>> &work)
{
    QList<QThread *> threads;
    for (const auto &job : work)
        threads.append(QThread::create(job));
    for (QThread *thread : std::as_const(threads))
        thread->start();
    for (QThread *thread : std::as_const(threads)) {
        thread->wait();
        delete thread;
    }
}

} // namespace

class PostgresStoreTest : public StoreTestBase
{
    Q_OBJECT
private slots:
    void init()
    {
        makeDir();
        preparePostgres();
    }
    void cleanup() { m_dir.reset(); }

    void concurrentCommitsNumberInCommitOrder_data() { row(); }
    void concurrentCommitsNumberInCommitOrder();
    void resendToAnotherNodeIsDuplicate_data() { row(); }
    void resendToAnotherNodeIsDuplicate();
    void migratesEmptyDatabaseOnce_data() { row(); }
    void migratesEmptyDatabaseOnce();
    void refusesNewerOrForeignSchema_data() { row(); }
    void refusesNewerOrForeignSchema();
    void refusesPasswordInUrl_data() { row(); }
    void refusesPasswordInUrl();
    void reconnectsAfterRestart_data() { row(); }
    void reconnectsAfterRestart();
    void commitNoticeComesFromTheTransaction_data() { row(); }
    void commitNoticeComesFromTheTransaction();
    void lostCommitIsNotStoredTwice_data() { row(); }
    void lostCommitIsNotStoredTwice();

private:
    // One row, "postgres": init() makes its database.
    static void row()
    {
        QTest::addColumn<int>("unused");
        QTest::addRow("postgres") << 0;
    }
    // A node's LISTEN side whose tick is far away: what it hears came as a notice.
    [[nodiscard]] std::unique_ptr<chat::server::ClusterFeed> listener() const
    {
        auto feed = std::make_unique<chat::server::ClusterFeed>(chat::server::ClusterFeed::Options{
            postgresUrl(), QStringLiteral("listener"), 10 * 60 * 1000});
        QString error;
        if (!feed->start(&error)) {
            qWarning("cannot listen: %s", qPrintable(error));
            return nullptr;
        }
        return feed;
    }
};

void PostgresStoreTest::concurrentCommitsNumberInCommitOrder()
{
    constexpr int kBatches = 60;
    constexpr int kPerBatch = 5;
    // Made here, so the schema exists before the nodes start.
    QVERIFY(openPostgres());
    std::atomic<bool> writing{true};
    std::atomic<int> failures{0};
    QList<qint64> seqsOf[2];
    const auto node = [&](int n) {
        return [&, n] {
            std::unique_ptr<PostgresStore> store = openPostgres();
            if (!store) {
                ++failures;
                return;
            }
            for (int b = 0; b < kBatches; ++b) {
                QList<MessageStore::Entry> batch;
                for (int i = 0; i < kPerBatch; ++i)
                    batch.append(chatEntry(kA, QStringLiteral("node%1").arg(n),
                                           QStringLiteral("%1-%2").arg(b).arg(i)));
                if (!store->append(batch)) {
                    ++failures;
                    return;
                }
                // A batch's seqs are consecutive: nothing of the other node comes between.
                for (int i = 1; i < kPerBatch; ++i)
                    if (batch[i].message.seq != batch[i - 1].message.seq + 1)
                        ++failures;
                for (const MessageStore::Entry &entry : std::as_const(batch))
                    seqsOf[n].append(entry.message.seq);
            }
        };
    };
    // A reader reading on from what it has seen: every read must start right after it, with
    // no gap, or it saw N + 1 before N.
    std::atomic<int> gaps{0};
    std::atomic<qint64> seenUpTo{0};
    const auto reader = [&] {
        std::unique_ptr<PostgresStore> store = openPostgres();
        if (!store) {
            ++failures;
            return;
        }
        qint64 next = 1;
        for (;;) {
            // Read before the range: a read after the writers ended that finds nothing is the end.
            const bool ended = !writing;
            const QList<Message> found = store->range(next, next + 1000);
            for (const Message &message : found) {
                if (message.seq != next)
                    ++gaps;
                next = message.seq + 1;
            }
            if (ended && found.isEmpty())
                break;
        }
        seenUpTo = next - 1;
    };
    onThreads({[&] {
                   onThreads({node(0), node(1)});
                   writing = false;
               },
               reader});
    QCOMPARE(failures.load(), 0);
    QCOMPARE(gaps.load(), 0);
    QCOMPARE(seenUpTo.load(), qint64(2 * kBatches * kPerBatch));
    QList<qint64> all = seqsOf[0] + seqsOf[1];
    std::sort(all.begin(), all.end());
    QCOMPARE(all, range(1, 2 * kBatches * kPerBatch)); // every seq once
    std::unique_ptr<PostgresStore> store = openPostgres();
    QCOMPARE(store->lastSeq(), qint64(2 * kBatches * kPerBatch));
    QCOMPARE(seqs(store->range(1, 100000)), all);
}

void PostgresStoreTest::resendToAnotherNodeIsDuplicate()
{
    std::unique_ptr<PostgresStore> a = openPostgres();
    std::unique_ptr<PostgresStore> b = openPostgres();
    QVERIFY(a && b);
    QCOMPARE(a->instance(), b->instance()); // one history
    QList<MessageStore::Entry> sent = {
        chatEntry(kA, QStringLiteral("alice"), QStringLiteral("x"), QStringLiteral("hello"))};
    QVERIFY(a->append(sent));
    QList<MessageStore::Entry> other = {chatEntry(kB, QStringLiteral("bob"), QStringLiteral("y"))};
    QVERIFY(b->append(other));
    // The client reconnected to the other node and sends again: the same id, acknowledged with
    // the first seq, stored once.
    QList<MessageStore::Entry> resent = {
        chatEntry(kA, QStringLiteral("alice"), QStringLiteral("x"), QStringLiteral("hello"))};
    QVERIFY(b->findSent(QStringLiteral("account:alice"), QStringLiteral("x")));
    QVERIFY(b->append(resent));
    QVERIFY(resent[0].duplicate);
    QCOMPARE(resent[0].message, sent[0].message);
    QCOMPARE(a->lastSeq(), qint64(2));
    QCOMPARE(b->lastSeq(), qint64(2));

    // Both nodes at once with the same ids (a client resending to both): each id stored once,
    // every duplicate naming the stored seq.
    constexpr int kIds = 100;
    QList<MessageStore::Entry> results[2];
    std::atomic<int> failures{0};
    const auto node = [&](int n) {
        return [&, n] {
            std::unique_ptr<PostgresStore> store = openPostgres();
            for (int i = 0; store && i < kIds; i += 10) {
                QList<MessageStore::Entry> batch;
                for (int j = i; j < i + 10; ++j)
                    batch.append(chatEntry(kA, QStringLiteral("carol"), QString::number(j)));
                if (!store->append(batch))
                    ++failures;
                results[n] += batch;
            }
            if (!store)
                ++failures;
        };
    };
    onThreads({node(0), node(1)});
    QCOMPARE(failures.load(), 0);
    QCOMPARE(a->lastSeq(), qint64(2 + kIds));
    QCOMPARE(seqs(a->range(1, 1000)), range(1, 2 + kIds));
    for (int i = 0; i < kIds; ++i) {
        const MessageStore::Entry &first = results[0][i];
        const MessageStore::Entry &second = results[1][i];
        QVERIFY(first.duplicate != second.duplicate);
        QCOMPARE(first.message, second.message);
        QCOMPARE(a->findSent(QStringLiteral("account:carol"), QString::number(i)), first.message);
    }
}

void PostgresStoreTest::migratesEmptyDatabaseOnce()
{
    // Three nodes start on an empty database at once: one makes the tables, all can use them.
    std::atomic<int> opened{0};
    std::atomic<int> created{0};
    QStringList instances[3];
    const auto node = [&](int n) {
        return [&, n] {
            std::unique_ptr<PostgresStore> store = openPostgres();
            if (!store)
                return;
            ++opened;
            if (store->foundVersion() == 0)
                ++created;
            instances[n].append(store->instance());
        };
    };
    onThreads({node(0), node(1), node(2)});
    QCOMPARE(opened.load(), 3);
    QCOMPARE(created.load(), 1);
    QCOMPARE(instances[0], instances[1]);
    QCOMPARE(instances[1], instances[2]);
    QString version;
    QVERIFY(m_postgres->execute(QStringLiteral("SELECT version FROM schema_version"),
                                m_postgresDatabase, &version));
    QCOMPARE(version.toInt(), chat::server::postgres::kSchemaVersion);
    std::unique_ptr<PostgresStore> store = openPostgres();
    QCOMPARE(store->foundVersion(), chat::server::postgres::kSchemaVersion);
    QCOMPARE(store->lastSeq(), qint64(0));
    QCOMPARE(store->oldestSeq(), qint64(1));
}

void PostgresStoreTest::refusesNewerOrForeignSchema()
{
    QVERIFY(openPostgres());
    QVERIFY(m_postgres->execute(QStringLiteral("UPDATE schema_version SET version = 99"),
                                m_postgresDatabase));
    QString error;
    QVERIFY(!PostgresStore::open(postgresUrl(), &error));
    QVERIFY2(error.contains(QLatin1String("newer chat-server (schema version 99")),
             qPrintable(error));
    QString version;
    QVERIFY(m_postgres->execute(QStringLiteral("SELECT version FROM schema_version"),
                                m_postgresDatabase, &version));
    QCOMPARE(version, QStringLiteral("99")); // left as it was

    // Another program's database is left alone.
    const QString foreign = m_postgres->createDatabase(QStringLiteral("foreign_app"));
    QVERIFY(m_postgres->execute(QStringLiteral("CREATE TABLE orders (id int)"),
                                QStringLiteral("foreign_app")));
    QVERIFY(!PostgresStore::open(foreign, &error));
    QVERIFY2(error.contains(QLatin1String("another program")), qPrintable(error));
    QString tables;
    QVERIFY(m_postgres->execute(QStringLiteral("SELECT string_agg(table_name, ',') FROM "
                                               "information_schema.tables WHERE table_schema = "
                                               "'public'"),
                                QStringLiteral("foreign_app"), &tables));
    QCOMPARE(tables, QStringLiteral("orders"));
}

void PostgresStoreTest::refusesPasswordInUrl()
{
    QString url = postgresUrl();
    url.replace(QStringLiteral("postgres@"), QStringLiteral("postgres:secret@"));
    QString error;
    chat::server::HubConfig config;
    const chat::server::Stores stores = chat::server::openStores(url, config, &error);
    QVERIFY(!stores.messages && !stores.accounts && !stores.rooms);
    QVERIFY2(error.contains(QLatin1String("password")), qPrintable(error));
    QVERIFY(!error.contains(QLatin1String("secret")));
    QVERIFY(!chat::server::openStores(postgresUrl() + QStringLiteral("?password=secret"), config,
                                      &error)
                 .messages);
    QVERIFY2(error.contains(QLatin1String("password")), qPrintable(error));
    // Without: the same database opens.
    QVERIFY(chat::server::openStores(postgresUrl(), config, &error).messages);
}

void PostgresStoreTest::reconnectsAfterRestart()
{
    // The statements of the lost connection go quietly.
    QTest::failOnWarning(QRegularExpression(QStringLiteral("Unable to free statement")));
    std::unique_ptr<PostgresStore> store = openPostgres();
    QVERIFY(store);
    QVERIFY(append(*store, {chatEntry(kA, QStringLiteral("alice"), QStringLiteral("1"))}));
    QVERIFY(m_postgres->restart());
    // The connection was lost: a call or two fail, then it is made again by itself. (The
    // macro checks its condition once more at the end: `stored` keeps that from storing twice.)
    int attempt = 0;
    bool stored = false;
    QTRY_VERIFY_WITH_TIMEOUT(
        stored || (stored = append(*store, {chatEntry(kA, QStringLiteral("alice"),
                                                      QStringLiteral("2-%1").arg(++attempt))})),
        15000);
    QCOMPARE(store->lastSeq(), qint64(2)); // the failed attempts used no seq
    QCOMPARE(seqs(store->range(1, 10)), range(1, 2));
    // While it is down every call fails at once, and nothing is lost.
    QVERIFY(m_postgres->kill());
    QVERIFY(!append(*store, {chatEntry(kA, QStringLiteral("alice"), QStringLiteral("3"))}));
    QVERIFY(!store->errorString().isEmpty());
    QCOMPARE(store->lastSeq(), qint64(2)); // the last one seen
    QVERIFY(m_postgres->start());
    stored = false;
    QTRY_VERIFY_WITH_TIMEOUT(
        stored || (stored = append(*store,
                                   {chatEntry(kA, QStringLiteral("alice"), QStringLiteral("3"))})),
        15000);
    QCOMPARE(seqs(store->range(1, 10)), range(1, 3));
}

void PostgresStoreTest::commitNoticeComesFromTheTransaction()
{
    std::unique_ptr<PostgresStore> store = openPostgres();
    QVERIFY(store);
    QVERIFY(store->announceCommitsAs(QStringLiteral("node-a")));
    std::unique_ptr<chat::server::ClusterFeed> feed = listener();
    QVERIFY(feed);
    QSignalSpy notices(feed.get(), &chat::server::ClusterFeed::committed);
    QSignalSpy ticks(feed.get(), &chat::server::ClusterFeed::tick);
    QVERIFY(append(*store, {chatEntry(kA, QStringLiteral("alice"), QStringLiteral("1")),
                            chatEntry(kA, QStringLiteral("alice"), QStringLiteral("2")),
                            chatEntry(kB, QStringLiteral("bob"), QStringLiteral("3"))}));
    // Heard as the commit's notice, with its range, ten minutes before the listener's tick.
    QTRY_VERIFY_WITH_TIMEOUT(!notices.isEmpty(), 5000);
    QCOMPARE(notices.takeFirst(), QVariantList({QStringLiteral("node-a"), qint64(1), qint64(3)}));
    QCOMPARE(ticks.count(), 0);

    // A batch of resends stores nothing: no notice. A transaction that fails at its COMMIT,
    // after its notice was queued (a deferred trigger refuses the id "late-boom" only then),
    // rolls the notice back with everything else.
    QVERIFY(m_postgres->execute(
        QStringLiteral("CREATE FUNCTION late_boom() RETURNS trigger LANGUAGE plpgsql AS "
                       "$$ BEGIN RAISE EXCEPTION 'late boom'; END $$; "
                       "CREATE CONSTRAINT TRIGGER late_boom AFTER INSERT ON messages "
                       "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
                       "WHEN (NEW.msg_id = 'late-boom') EXECUTE FUNCTION late_boom()"),
        m_postgresDatabase));
    QList<MessageStore::Entry> resent = {
        chatEntry(kA, QStringLiteral("alice"), QStringLiteral("1"))};
    QVERIFY(store->append(resent));
    QVERIFY(resent[0].duplicate);
    QList<MessageStore::Entry> refused = {
        chatEntry(kA, QStringLiteral("alice"), QStringLiteral("ok")),
        chatEntry(kA, QStringLiteral("alice"), QStringLiteral("late-boom"))};
    QVERIFY(!store->append(refused));
    QVERIFY2(store->errorString().contains(QLatin1String("cannot commit")) &&
                 store->errorString().contains(QLatin1String("late boom")),
             qPrintable(store->errorString()));
    // Notices arrive in commit order: had either sent one, it would come before this one's.
    QVERIFY(append(*store, {chatEntry(kB, QStringLiteral("bob"), QStringLiteral("4"))}));
    QTRY_VERIFY_WITH_TIMEOUT(!notices.isEmpty(), 5000);
    QCOMPARE(notices.takeFirst(), QVariantList({QStringLiteral("node-a"), qint64(4), qint64(4)}));
    QCOMPARE(seqs(store->range(1, 10)), range(1, 4));
    // Without a node name (a store no cluster shares) nothing is announced: the next notice
    // heard is the named store's.
    std::unique_ptr<PostgresStore> quiet = openPostgres();
    QVERIFY(append(*quiet, {chatEntry(kB, QStringLiteral("bob"), QStringLiteral("5"))}));
    QVERIFY(append(*store, {chatEntry(kB, QStringLiteral("bob"), QStringLiteral("6"))}));
    QTRY_VERIFY_WITH_TIMEOUT(!notices.isEmpty(), 5000);
    QCOMPARE(notices.takeFirst(), QVariantList({QStringLiteral("node-a"), qint64(6), qint64(6)}));
    QCOMPARE(ticks.count(), 0);
}

void PostgresStoreTest::lostCommitIsNotStoredTwice()
{
    // The store reaches PostgreSQL through a proxy that cuts its connection right after passing
    // on a COMMIT: PostgreSQL commits, the store sees only a lost connection. This is the path a
    // real loss takes (QPSQL's commit fails, append() fails, the hub answers `internal` and the
    // client sends the same ids again); its retry is the next append() of the same entries.
    QTest::failOnWarning(QRegularExpression(QStringLiteral("Unable to free statement")));
    chat::test::CuttingProxy proxy(quint16(m_postgres->port()));
    QVERIFY(proxy.start());
    QUrl url(postgresUrl());
    url.setPort(proxy.port());
    QString error;
    std::unique_ptr<PostgresStore> store = PostgresStore::open(url.toString(), &error);
    QVERIFY2(store, qPrintable(error));
    QVERIFY(store->announceCommitsAs(QStringLiteral("node-a")));
    std::unique_ptr<chat::server::ClusterFeed> feed = listener(); // straight to PostgreSQL
    QVERIFY(feed);
    QSignalSpy notices(feed.get(), &chat::server::ClusterFeed::committed);
    QVERIFY(append(*store, {chatEntry(kA, QStringLiteral("alice"), QStringLiteral("1")),
                            chatEntry(kA, QStringLiteral("alice"), QStringLiteral("2"))}));
    QTRY_VERIFY_WITH_TIMEOUT(!notices.isEmpty(), 5000);
    notices.clear();

    const auto batch = [] {
        return QList<MessageStore::Entry>{
            chatEntry(kA, QStringLiteral("alice"), QStringLiteral("3"), QStringLiteral("three")),
            chatEntry(kB, QStringLiteral("bob"), QStringLiteral("4"), QStringLiteral("four"))};
    };
    proxy.cutAfter(QByteArray("COMMIT", 7)); // the simple query QPSQL sends, with its NUL
    QList<MessageStore::Entry> lost = batch();
    QVERIFY(!store->append(lost));
    QCOMPARE(proxy.cuts(), 1);
    QVERIFY(!lost[0].duplicate && lost[0].message.seq == 0); // as for any failure
    // It did commit: the rows are there, and every node heard them.
    const auto count = [this] {
        QString rows;
        m_postgres->execute(QStringLiteral("SELECT COUNT(*) FROM messages"), m_postgresDatabase,
                            &rows);
        return rows.trimmed().toInt();
    };
    QTRY_COMPARE(count(), 4);
    QTRY_VERIFY_WITH_TIMEOUT(!notices.isEmpty(), 5000);
    QCOMPARE(notices.takeFirst(), QVariantList({QStringLiteral("node-a"), qint64(3), qint64(4)}));

    // Sent again (the store connects again by itself): acknowledged with the stored seqs,
    // stored once. (`retried` keeps the macro's final check from appending once more.)
    QList<MessageStore::Entry> again;
    bool retried = false;
    QTRY_VERIFY_WITH_TIMEOUT(retried || (retried = store->append(again = batch())), 15000);
    QVERIFY(again[0].duplicate && again[1].duplicate);
    QCOMPARE(again[0].message.seq, qint64(3));
    QCOMPARE(again[0].message.text, QStringLiteral("three"));
    QCOMPARE(again[1].message.seq, qint64(4));
    QCOMPARE(store->findSent(QStringLiteral("account:alice"), QStringLiteral("3"))->seq, qint64(3));
    QCOMPARE(count(), 4);
    QCOMPARE(store->lastSeq(), qint64(4));
    QCOMPARE(seqs(store->range(1, 10)), range(1, 4));
    // Nothing was committed by the retry, so nothing more was announced.
    QVERIFY(append(*store, {chatEntry(kA, QStringLiteral("alice"), QStringLiteral("5"))}));
    QTRY_VERIFY_WITH_TIMEOUT(!notices.isEmpty(), 5000);
    QCOMPARE(notices.takeFirst(), QVariantList({QStringLiteral("node-a"), qint64(5), qint64(5)}));
}

QTEST_GUILESS_MAIN(PostgresStoreTest)
#include "tst_postgresstore.moc"
