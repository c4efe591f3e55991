// The PostgreSQL store as several nodes share it: two stores on two connections (two threads, as
// two nodes) committing at once number without gap or repeat, a reader never sees seq N + 1
// before N, an id resent to the other node comes back a duplicate of the original; the schema's
// migrations from an empty database (two nodes starting at once), the refusal of a newer or a
// foreign schema and of a password in the URL; a lost connection is made again.
#include "hubconfig.h"
#include "postgresserver.h"
#include "store/postgresschema.h"
#include "store/postgresstore.h"
#include "storetestbase.h"

#include <QThread>

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

private:
    // One row, "postgres": init() makes its database.
    static void row()
    {
        QTest::addColumn<int>("unused");
        QTest::addRow("postgres") << 0;
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
        while (writing || next <= 2 * kBatches * kPerBatch) {
            const QList<Message> found = store->range(next, next + 1000);
            for (const Message &message : found) {
                if (message.seq != next)
                    ++gaps;
                next = message.seq + 1;
            }
            if (!writing && found.isEmpty())
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

QTEST_GUILESS_MAIN(PostgresStoreTest)
#include "tst_postgresstore.moc"
