// The message stores, memory and SQLite: what they keep, across reopening, how they prune, and
// the files they refuse; and the group commit in front of them.
#include "chat/commitqueue.h"
#include "hubconfig.h"
#include "store/idfilter.h"
#include "residentmemory.h"
#include "storetestbase.h"

#include <QDir>

using namespace chat::test;
using chat::proto::kMaxTextChars;
using chat::proto::nickKey;
using chat::server::CommitQueue;

class StoreTest : public StoreTestBase
{
    Q_OBJECT
private slots:
    void init() { makeDir(); }
    void cleanup() { m_dir.reset(); }

    void roundTrip_data();
    void roundTrip();
    void seqAndInstanceContinueAfterReopen();
    void freshFileGetsFreshInstance();
    void dedupSurvivesReopen();
    void appendIsAllOrNothing();
    void retention_data();
    void retention();
    void secondOpenerIsRefused();
    void refusesBadFiles_data();
    void refusesBadFiles();

    void groupCommitAcknowledgesOnlyAfterCommit();
    void groupCommitFlushesAtBatchSize();
    void failedCommitIsNotAcknowledged();
    void idFilterNeverMissesAStoredId();
    void memoryStoreStaysSmallOverManyMessages();

private:
    // A store of the kind named in a test row, "memory" or "sqlite", on dbPath().
    [[nodiscard]] std::unique_ptr<MessageStore> openKind(const QString &kind);
};

std::unique_ptr<MessageStore> StoreTest::openKind(const QString &kind)
{
    if (kind == QLatin1String("memory"))
        return std::make_unique<MemoryStore>(100, 100, 100);
    return openSqlite();
}

// --- the stores ---------------------------------------------------------------------------------

void StoreTest::roundTrip_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("nick");
    QTest::addColumn<QString>("text");
    const QString manyEmoji = QString(QStringLiteral("👋")).repeated(int(kMaxTextChars));
    for (const QString &kind : {QStringLiteral("memory"), QStringLiteral("sqlite")}) {
        const QByteArray k = kind.toUtf8();
        QTest::addRow("%s: ascii", k.constData())
            << kind << QStringLiteral("alice") << QStringLiteral("hello");
        QTest::addRow("%s: Chinese", k.constData())
            << kind << QStringLiteral("张伟") << QStringLiteral("你好，世界！今天怎么样？");
        QTest::addRow("%s: emoji sequences", k.constData())
            << kind << QStringLiteral("Zoë 🦊")
            << QStringLiteral("👋🏽 👨‍👩‍👧 🇫🇷 ❤️");
        QTest::addRow("%s: newline, tab, quotes", k.constData())
            << kind << QStringLiteral("bob") << QStringLiteral("a\n\tb 'c' \"d\" \\ %1 ?");
        QTest::addRow("%s: 4000 emoji", k.constData())
            << kind << QStringLiteral("bob") << manyEmoji;
    }
}

void StoreTest::roundTrip()
{
    QFETCH(QString, kind);
    QFETCH(QString, nick);
    QFETCH(QString, text);
    const MessageStore::Entry sent = entry(1, nick, text);
    {
        std::unique_ptr<MessageStore> store = openKind(kind);
        QVERIFY(store);
        QVERIFY(store->append({sent}));
        QCOMPARE(store->range(1, 1), QList<Message>{sent.message});
        QCOMPARE(store->findSent(sent.nickKey, sent.message.id), sent.message);
        if (kind == QLatin1String("memory"))
            return;
    }
    std::unique_ptr<MessageStore> reopened = openKind(kind);
    QVERIFY(reopened);
    const QList<Message> back = reopened->range(1, 1);
    QCOMPARE(back.size(), 1);
    QCOMPARE(back[0].text, text);
    QCOMPARE(back[0].from, nick);
    QCOMPARE(back[0].time, kNow);
    QCOMPARE(back[0], sent.message);
    QCOMPARE(reopened->findSent(sent.nickKey, sent.message.id), sent.message);
}

void StoreTest::seqAndInstanceContinueAfterReopen()
{
    QString instance;
    {
        std::unique_ptr<SqliteStore> store = openSqlite();
        QVERIFY(store);
        QCOMPARE(store->lastSeq(), qint64(0));
        QCOMPARE(store->oldestSeq(), qint64(1));
        instance = store->instance();
        QCOMPARE(instance.size(), 16);
        QVERIFY(store->append({entry(1), entry(2)}));
        QVERIFY(store->append({entry(3)}));
    }
    std::unique_ptr<SqliteStore> store = openSqlite();
    QVERIFY(store);
    QCOMPARE(store->instance(), instance);
    QCOMPARE(store->lastSeq(), qint64(3));
    QCOMPARE(store->oldestSeq(), qint64(1));
    QVERIFY(!store->append({entry(3)})); // numbers are never reused
    QVERIFY(!store->append({entry(5)})); // nor skipped
    QVERIFY(store->append({entry(4)}));
    QCOMPARE(seqs(store->range(1, 100)), range(1, 4));
}

void StoreTest::freshFileGetsFreshInstance()
{
    std::unique_ptr<SqliteStore> first = openSqlite();
    std::unique_ptr<SqliteStore> second = openSqlite(m_dir->filePath(QStringLiteral("b.sqlite")));
    QVERIFY(first && second);
    QVERIFY(first->instance() != second->instance());
    MemoryStore memory(10, 10, 10);
    QVERIFY(memory.instance() != first->instance());
    QCOMPARE(memory.instance().size(), 16);
}

void StoreTest::dedupSurvivesReopen()
{
    const MessageStore::Entry original =
        entry(1, QStringLiteral("Alice"), QStringLiteral("once"), kNow, QStringLiteral("x-1"));
    {
        std::unique_ptr<SqliteStore> store = openSqlite();
        QVERIFY(store);
        QVERIFY(store->append({original}));
    }
    std::unique_ptr<SqliteStore> store = openSqlite();
    QVERIFY(store);
    // The nickname key ignores case: ALICE is the same sender.
    QCOMPARE(store->findSent(nickKey(QStringLiteral("ALICE")), QStringLiteral("x-1")),
             original.message);
    QCOMPARE(store->findSent(nickKey(QStringLiteral("bob")), QStringLiteral("x-1")), std::nullopt);
    QCOMPARE(store->findSent(original.nickKey, QStringLiteral("x-2")), std::nullopt);
    // The same id from another sender is another message.
    QVERIFY(store->append(
        {entry(2, QStringLiteral("bob"), QStringLiteral("mine"), kNow, QStringLiteral("x-1"))}));
}

void StoreTest::appendIsAllOrNothing()
{
    std::unique_ptr<SqliteStore> store = openSqlite();
    QVERIFY(store);
    QVERIFY(store->append(
        {entry(1, QStringLiteral("alice"), QStringLiteral("a"), kNow, QStringLiteral("dup"))}));
    // The second entry repeats an id the store holds: the whole batch must go.
    QVERIFY(!store->append({entry(2), entry(3, QStringLiteral("ALICE"), QStringLiteral("b"), kNow,
                                            QStringLiteral("dup"))}));
    QVERIFY(!store->errorString().isEmpty());
    QCOMPARE(store->lastSeq(), qint64(1));
    QCOMPARE(seqs(store->range(1, 10)), range(1, 1));
    QVERIFY(store->append({entry(2)})); // and the store still works
    store.reset();
    store = openSqlite();
    QVERIFY(store);
    QCOMPARE(store->lastSeq(), qint64(2));
    QCOMPARE(seqs(store->range(1, 10)), range(1, 2));
}

void StoreTest::retention_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<qint64>("maxMessages");
    QTest::addColumn<int>("maxDays");
    QTest::addColumn<QList<qint64>>("held");
    // Messages 1..6 are ten days old, 7..10 from today.
    for (const QString &kind : {QStringLiteral("memory"), QStringLiteral("sqlite")}) {
        const QByteArray k = kind.toUtf8();
        QTest::addRow("%s: keep all", k.constData()) << kind << qint64(0) << 0 << range(1, 10);
        QTest::addRow("%s: newest 3", k.constData()) << kind << qint64(3) << 0 << range(8, 10);
        QTest::addRow("%s: newest 20", k.constData()) << kind << qint64(20) << 0 << range(1, 10);
        QTest::addRow("%s: 5 days", k.constData()) << kind << qint64(0) << 5 << range(7, 10);
        QTest::addRow("%s: 30 days", k.constData()) << kind << qint64(0) << 30 << range(1, 10);
        QTest::addRow("%s: 8 or 5 days", k.constData()) << kind << qint64(8) << 5 << range(7, 10);
        QTest::addRow("%s: 2 or 5 days", k.constData()) << kind << qint64(2) << 5 << range(9, 10);
    }
    QTest::addRow("sqlite: 1 day, all old")
        << QStringLiteral("sqlite-old") << qint64(0) << 1 << QList<qint64>{};
}

void StoreTest::retention()
{
    QFETCH(QString, kind);
    QFETCH(qint64, maxMessages);
    QFETCH(int, maxDays);
    QFETCH(QList<qint64>, held);
    const bool allOld = kind == QLatin1String("sqlite-old");
    std::unique_ptr<MessageStore> store = openKind(allOld ? QStringLiteral("sqlite") : kind);
    QVERIFY(store);
    QList<MessageStore::Entry> entries;
    for (int seq = 1; seq <= 10; ++seq)
        entries.append(entry(seq, QStringLiteral("alice"), QStringLiteral("m"),
                             kNow.addDays(seq <= 6 || allOld ? -10 : 0)));
    QVERIFY(store->append(entries));

    const Retention retention{maxMessages, maxDays};
    QCOMPARE(store->prune(retention, kNow), qint64(10 - held.size()));
    QCOMPARE(store->prune(retention, kNow), qint64(0)); // nothing more to do
    QCOMPARE(seqs(store->range(1, 100)), held);
    QCOMPARE(store->oldestSeq(), held.isEmpty() ? qint64(11) : held.constFirst());
    QCOMPARE(store->lastSeq(), qint64(10)); // pruning never lowers it
    if (kind == QLatin1String("memory"))
        return;
    store.reset();
    store = openKind(QStringLiteral("sqlite"));
    QVERIFY(store);
    QCOMPARE(seqs(store->range(1, 100)), held);
    QCOMPARE(store->lastSeq(), qint64(10));
    QVERIFY(store->append({entry(11)})); // numbering goes on, even after pruning everything
}

void StoreTest::secondOpenerIsRefused()
{
    std::unique_ptr<SqliteStore> first = openSqlite();
    QVERIFY(first);
    QVERIFY(first->append({entry(1)}));
    QString error;
    QVERIFY(!SqliteStore::open(dbPath(), SqliteStore::Sync::Full, &error));
    QVERIFY2(error.contains(QLatin1String("in use")), qPrintable(error));
    first.reset();
    std::unique_ptr<SqliteStore> again = openSqlite();
    QVERIFY(again); // the lock went with the first store
    QCOMPARE(again->lastSeq(), qint64(1));
}

void StoreTest::refusesBadFiles_data()
{
    QTest::addColumn<QString>("setup");
    QTest::addColumn<QString>("expected"); // part of the error
    QTest::addRow("folder missing")
        << QStringLiteral("missing-folder") << QStringLiteral("unable to open");
    QTest::addRow("a folder") << QStringLiteral("folder") << QStringLiteral("folder");
    QTest::addRow("not SQLite") << QStringLiteral("garbage") << QStringLiteral("not a database");
    QTest::addRow("another program's database")
        << QStringLiteral("foreign") << QStringLiteral("another program");
    QTest::addRow("newer schema") << QStringLiteral("newer") << QStringLiteral("newer chat-server");
    QTest::addRow("damaged page") << QStringLiteral("damaged") << QStringLiteral("damaged");
}

void StoreTest::refusesBadFiles()
{
    QFETCH(QString, setup);
    QFETCH(QString, expected);
    QString path = dbPath();
    if (setup == QLatin1String("missing-folder")) {
        path = m_dir->filePath(QStringLiteral("no/such/folder/h.sqlite"));
    } else if (setup == QLatin1String("folder")) {
        QVERIFY(QDir(m_dir->path()).mkdir(QStringLiteral("h.sqlite")));
    } else if (setup == QLatin1String("garbage")) {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray("these are my notes, not a database\n").repeated(200));
    } else if (setup == QLatin1String("foreign")) {
        QVERIFY(execSql(path, {QStringLiteral("CREATE TABLE contacts (name TEXT)"),
                               QStringLiteral("INSERT INTO contacts VALUES ('x')")}));
    } else if (setup == QLatin1String("newer")) {
        fill(3);
        QVERIFY(execSql(path, {QStringLiteral("UPDATE schema_version SET version = 3")}));
    } else if (setup == QLatin1String("damaged")) {
        fill(2000);
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadWrite));
        const qint64 size = file.size();
        QVERIFY(size > 64 * 1024);
        // Scribble over one page in the middle, as a bad disk sector would.
        QVERIFY(file.seek((size / 2) / 4096 * 4096));
        file.write(QByteArray(4096, char(0xA5)));
    }
    const QByteArray before = fileHash(path);

    QString error;
    QVERIFY(!SqliteStore::open(path, SqliteStore::Sync::Full, &error));
    QVERIFY2(error.contains(expected, Qt::CaseInsensitive), qPrintable(error));
    QCOMPARE(fileHash(path), before); // refused as it was: not repaired, not converted
    QVERIFY(!QFile::exists(path + QStringLiteral("-wal")) || setup == QLatin1String("folder"));
}

// --- group commit -------------------------------------------------------------------------------

void StoreTest::groupCommitAcknowledgesOnlyAfterCommit()
{
    std::unique_ptr<SqliteStore> store = openSqlite();
    QVERIFY(store);
    CommitQueue queue(store.get(), 100, 20);
    QList<Message> acknowledged;
    bool storedWhenAcknowledged = true;
    connect(&queue, &CommitQueue::committed, this, [&](const QList<Message> &messages) {
        for (const Message &message : messages)
            storedWhenAcknowledged = storedWhenAcknowledged &&
                                     store->findSent(nickKey(message.from), message.id) == message;
        acknowledged += messages;
    });
    for (int seq = 1; seq <= 3; ++seq)
        queue.submit(entry(seq));
    QCOMPARE(queue.pendingCount(), 3);
    QVERIFY(queue.isPending(nickKey(QStringLiteral("alice")), QStringLiteral("id-2")));
    QCOMPARE(acknowledged.size(), 0); // nothing before its commit...
    QCOMPARE(store->lastSeq(), qint64(0));

    QTRY_COMPARE(acknowledged.size(), 3); // ...and all of them with one, after the short delay
    QVERIFY(storedWhenAcknowledged);
    QCOMPARE(queue.transactionCount(), qint64(1));
    QCOMPARE(queue.pendingCount(), 0);
    QVERIFY(!queue.isPending(nickKey(QStringLiteral("alice")), QStringLiteral("id-2")));
    QCOMPARE(seqs(acknowledged), range(1, 3));
}

void StoreTest::groupCommitFlushesAtBatchSize()
{
    std::unique_ptr<SqliteStore> store = openSqlite();
    QVERIFY(store);
    CommitQueue queue(store.get(), 4, 60000); // the timer would never fire within the test
    int acknowledged = 0;
    connect(&queue, &CommitQueue::committed, this,
            [&](const QList<Message> &messages) { acknowledged += int(messages.size()); });
    for (int seq = 1; seq <= 10; ++seq)
        queue.submit(entry(seq));
    QCOMPARE(acknowledged, 8);
    QCOMPARE(queue.transactionCount(), qint64(2));
    QCOMPARE(store->lastSeq(), qint64(8));
    queue.flush();
    QCOMPARE(acknowledged, 10);
    QCOMPARE(queue.transactionCount(), qint64(3));
    QCOMPARE(store->lastSeq(), qint64(10));
}

void StoreTest::idFilterNeverMissesAStoredId()
{
    constexpr int kStored = 50000;
    chat::server::IdFilter filter(kStored);
    for (int i = 0; i < kStored; ++i)
        filter.add(QStringLiteral("nick%1").arg(i % 97), QStringLiteral("id-%1").arg(i));
    QCOMPARE(filter.count(), qint64(kStored));
    for (int i = 0; i < kStored; ++i)
        QVERIFY(filter.mightContain(QStringLiteral("nick%1").arg(i % 97),
                                    QStringLiteral("id-%1").arg(i)));
    // Pairs never added: about 1 % may be "maybe"; the same id under another nick is another pair.
    int maybe = 0;
    for (int i = 0; i < kStored; ++i)
        maybe += filter.mightContain(QStringLiteral("nick%1").arg(i % 97 + 1),
                                     QStringLiteral("id-%1").arg(i))
                     ? 1
                     : 0;
    QVERIFY2(maybe < kStored / 40, qPrintable(QString::number(maybe)));
}

void StoreTest::failedCommitIsNotAcknowledged()
{
    FailingStore store;
    store.failing = true;
    CommitQueue queue(&store, 10, 1);
    int acknowledged = 0;
    QList<MessageStore::Entry> failed;
    QString reason;
    connect(&queue, &CommitQueue::committed, this,
            [&](const QList<Message> &messages) { acknowledged += int(messages.size()); });
    connect(&queue, &CommitQueue::failed, this,
            [&](const QList<MessageStore::Entry> &entries, const QString &why) {
                failed += entries;
                reason = why;
            });
    queue.submit(entry(1));
    queue.submit(entry(2));
    QTRY_COMPARE(failed.size(), 2);
    QCOMPARE(acknowledged, 0);
    QCOMPARE(reason, QStringLiteral("disk full (test)"));
    QCOMPARE(store.lastSeq(), qint64(0));
    QCOMPARE(queue.pendingCount(), 0);
}

void StoreTest::memoryStoreStaysSmallOverManyMessages()
{
    // --db :memory: keeps the newest messages for history and the recent ids of each nickname
    // for deduplication; the ids' index must not keep every text it has seen (it once held up
    // to 262,144 whole messages: half a gigabyte of 2 KB texts).
    const chat::server::HubConfig defaults;
    MemoryStore store(defaults.historySize, defaults.dedupIdsPerNick, defaults.dedupNicks);
    const qint64 before = chat::test::residentBytes();
    constexpr int kMessages = 600000;
    constexpr int kNicks = 1000; // all remembered: 256 ids each
    const QDateTime now = QDateTime::currentDateTimeUtc();
    for (int seq = 1; seq <= kMessages; ++seq) {
        const int nick = seq % kNicks;
        Message message{seq,
                        QString::number(seq),
                        QStringLiteral("lobby"),
                        QStringLiteral("user%1").arg(nick),
                        {},
                        now,
                        QString(1000, QChar(u'a' + seq % 26))}; // 2 KB, a new allocation each
        QVERIFY(store.append({{QStringLiteral("user%1").arg(nick), message}}));
    }
    const qint64 grown = chat::test::residentBytes() - before;
#ifndef __SANITIZE_ADDRESS__ // AddressSanitizer holds freed memory in quarantine: RSS says nothing
    QVERIFY2(grown < 128 * 1024 * 1024, qPrintable(QString::number(grown))); // was 590 MB
#else
    Q_UNUSED(grown);
#endif
    // Deduplication still works for an id whose text the store no longer holds.
    constexpr int kOlder = kMessages - 1000; // past the 200 held, within the ids remembered
    const std::optional<Message> old =
        store.findSent(QStringLiteral("user%1").arg(kOlder % kNicks), QString::number(kOlder));
    QVERIFY(old && old->seq == kOlder && old->text.isEmpty());
    const std::optional<Message> recent = store.findSent(
        QStringLiteral("user%1").arg(kMessages % kNicks), QString::number(kMessages));
    QVERIFY(recent && recent->text == QString(1000, QChar(u'a' + kMessages % 26)));
}

QTEST_GUILESS_MAIN(StoreTest)
#include "tst_store.moc"
