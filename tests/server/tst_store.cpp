// The message stores, memory, SQLite and PostgreSQL: what they keep, across reopening, how they
// prune, and the files they refuse; and the group commit in front of them.
#include "chat/commitqueue.h"
#include "hubconfig.h"
#include "residentmemory.h"
#include "store/idfilter.h"
#include "storetestbase.h"

#include <QDir>
#include <QFileInfo>
#include <QRandomGenerator>

#include <limits>

using namespace chat::test;
using chat::proto::kMaxTextChars;
using chat::proto::nickKey;
using chat::server::CommitQueue;

class StoreTest : public StoreTestBase
{
    Q_OBJECT
private slots:
    void init()
    {
        makeDir();
        preparePostgres();
    }
    void cleanup() { m_dir.reset(); }

    void roundTrip_data();
    void roundTrip();
    void seqAndInstanceContinueAfterReopen_data() { durableKinds(); }
    void seqAndInstanceContinueAfterReopen();
    void freshFileGetsFreshInstance();
    void newFileIsTheOwnersAlone();
    void dedupSurvivesReopen_data() { durableKinds(); }
    void dedupSurvivesReopen();
    void appendIsAllOrNothing_data() { durableKinds(); }
    void appendIsAllOrNothing();
    void retention_data();
    void retention();
    void secondOpenerIsRefused();
    void refusesBadFiles_data();
    void refusesBadFiles();

    // Protocol version 3: the store numbers, rooms, events, counts.
    void appendNumbersEntries_data() { kinds(); }
    void appendNumbersEntries();
    void failedAppendUsesNoSeq_data() { durableKinds(); }
    void failedAppendUsesNoSeq();
    void eventsHaveNoIdToCollide_data() { kinds(); }
    void eventsHaveNoIdToCollide();
    void resendsComeBackDuplicate_data() { kinds(); }
    void resendsComeBackDuplicate();
    void pagesCoverTheRoom_data() { kinds(); }
    void pagesCoverTheRoom();
    void since_data();
    void since();
    void sinceAfterPruning_data() { kinds(); }
    void sinceAfterPruning();
    void countUnread_data() { kinds(); }
    void countUnread();
    void countMentions_data() { kinds(); }
    void countMentions();
    void newestPerRoom_data() { kinds(); }
    void newestPerRoom();
    void memoryAndSqliteAgree();

    void groupCommitAcknowledgesOnlyAfterCommit();
    void groupCommitFlushesAtBatchSize();
    void failedCommitIsNotAcknowledged();
    void groupCommitNumbersEventsToo();
    void groupCommitAcknowledgesResends_data() { kinds(); }
    void groupCommitAcknowledgesResends();
    void idFilterNeverMissesAStoredId();
    void memoryStoreStaysSmallOverManyMessages();

private:
    // A store of the kind named in a test row, "memory", "sqlite" (on dbPath()) or "postgres"
    // (on postgresUrl()).
    [[nodiscard]] std::unique_ptr<MessageStore> openKind(const QString &kind, int capacity = 100);
    // One row per kind of store.
    static void kinds()
    {
        QTest::addColumn<QString>("kind");
        QTest::addRow("memory") << QStringLiteral("memory");
        QTest::addRow("sqlite") << QStringLiteral("sqlite");
        QTest::addRow("postgres") << QStringLiteral("postgres");
    }
    // The rows of the stores that keep what they hold: SQLite and PostgreSQL.
    static void durableKinds()
    {
        QTest::addColumn<QString>("kind");
        QTest::addRow("sqlite") << QStringLiteral("sqlite");
        QTest::addRow("postgres") << QStringLiteral("postgres");
    }
    // The durable store again, as after a restart; the memory store as it is.
    void reopen(std::unique_ptr<MessageStore> &store, const QString &kind)
    {
        if (kind == QLatin1String("memory"))
            return;
        store.reset();
        store = openKind(kind);
        QVERIFY(store);
    }
};

std::unique_ptr<MessageStore> StoreTest::openKind(const QString &kind, int capacity)
{
    if (kind == QLatin1String("memory"))
        return std::make_unique<MemoryStore>(capacity, 100, 100);
    if (kind == QLatin1String("postgres"))
        return openPostgres();
    return openSqlite();
}

// --- the stores ---------------------------------------------------------------------------------

void StoreTest::roundTrip_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("nick");
    QTest::addColumn<QString>("text");
    const QString manyEmoji = QString(QStringLiteral("👋")).repeated(int(kMaxTextChars));
    for (const QString &kind :
         {QStringLiteral("memory"), QStringLiteral("sqlite"), QStringLiteral("postgres")}) {
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
        QVERIFY(append(*store, {sent}));
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
    QFETCH(QString, kind);
    QString instance;
    {
        std::unique_ptr<MessageStore> store = openKind(kind);
        QVERIFY(store);
        QCOMPARE(store->lastSeq(), qint64(0));
        QCOMPARE(store->oldestSeq(), qint64(1));
        instance = store->instance();
        QCOMPARE(instance.size(), 16);
        QVERIFY(append(*store, {entry(1), entry(2)}));
        QVERIFY(append(*store, {entry(3)}));
    }
    std::unique_ptr<MessageStore> store = openKind(kind);
    QVERIFY(store);
    QCOMPARE(store->instance(), instance);
    QCOMPARE(store->lastSeq(), qint64(3));
    QCOMPARE(store->oldestSeq(), qint64(1));
    // The store numbers: whatever seq an entry came with, the next one is 4.
    QList<MessageStore::Entry> next = {entry(9)};
    next[0].message.seq = 1;
    QVERIFY(store->append(next));
    QCOMPARE(next[0].message.seq, qint64(4));
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

void StoreTest::newFileIsTheOwnersAlone()
{
    // Password and token hashes live in it: not readable by other local users, whatever the umask.
    const QString path = m_dir->filePath(QStringLiteral("private.sqlite"));
    std::unique_ptr<SqliteStore> store = openSqlite(path);
    QVERIFY(store);
    QCOMPARE(QFileInfo(path).permissions() & ~(QFileDevice::ReadUser | QFileDevice::WriteUser),
             QFileDevice::ReadOwner | QFileDevice::WriteOwner);
}

void StoreTest::dedupSurvivesReopen()
{
    QFETCH(QString, kind);
    const MessageStore::Entry original =
        entry(1, QStringLiteral("Alice"), QStringLiteral("once"), kNow, QStringLiteral("x-1"));
    {
        std::unique_ptr<MessageStore> store = openKind(kind);
        QVERIFY(store);
        QVERIFY(append(*store, {original}));
    }
    std::unique_ptr<MessageStore> store = openKind(kind);
    QVERIFY(store);
    // The nickname key ignores case: ALICE is the same sender.
    QCOMPARE(store->findSent(nickKey(QStringLiteral("ALICE")), QStringLiteral("x-1")),
             original.message);
    QCOMPARE(store->findSent(nickKey(QStringLiteral("bob")), QStringLiteral("x-1")), std::nullopt);
    QCOMPARE(store->findSent(original.nickKey, QStringLiteral("x-2")), std::nullopt);
    // The same id from another sender is another message.
    QVERIFY(append(*store, {entry(2, QStringLiteral("bob"), QStringLiteral("mine"), kNow,
                                  QStringLiteral("x-1"))}));
}

void StoreTest::appendIsAllOrNothing()
{
    QFETCH(QString, kind);
    std::unique_ptr<MessageStore> store = openKind(kind);
    QVERIFY(store);
    QVERIFY(append(*store, {entry(1)}));
    // The database refuses the second entry: the whole batch must go.
    QVERIFY(refuseIdBoom(kind));
    QVERIFY(!append(*store, {entry(2), entry(3, QStringLiteral("ALICE"), QStringLiteral("b"), kNow,
                                             QStringLiteral("boom"))}));
    QVERIFY2(store->errorString().contains(QLatin1String("boom")),
             qPrintable(store->errorString()));
    QCOMPARE(store->lastSeq(), qint64(1));
    QCOMPARE(seqs(store->range(1, 10)), range(1, 1));
    QVERIFY(append(*store, {entry(2)})); // and the store still works: no seq was used up
    QCOMPARE(store->lastSeq(), qint64(2));
    store.reset();
    store = openKind(kind);
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
    for (const QString &kind :
         {QStringLiteral("memory"), QStringLiteral("sqlite"), QStringLiteral("postgres")}) {
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
    store = openKind(allOld ? QStringLiteral("sqlite") : kind);
    QVERIFY(store);
    QCOMPARE(seqs(store->range(1, 100)), held);
    QCOMPARE(store->lastSeq(), qint64(10));
    QVERIFY(append(*store, {entry(11)})); // numbering goes on, even after pruning everything
}

void StoreTest::secondOpenerIsRefused()
{
    std::unique_ptr<SqliteStore> first = openSqlite();
    QVERIFY(first);
    QVERIFY(append(*first, {entry(1)}));
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
        QVERIFY(execSql(path, {QStringLiteral("UPDATE schema_version SET version = %1")
                                   .arg(SqliteStore::kSchemaVersion + 1)}));
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

// --- protocol version 3: numbering, rooms, events, counts ----------------------------------------

namespace {

const QString kA = QStringLiteral("a");
const QString kB = QStringLiteral("b");
const QString kC = QStringLiteral("c");

QSet<QString> roomSet(const QStringList &names)
{
    return QSet<QString>(names.cbegin(), names.cend());
}

} // namespace

void StoreTest::appendNumbersEntries()
{
    QFETCH(QString, kind);
    std::unique_ptr<MessageStore> store = openKind(kind);
    QVERIFY(store);
    QList<MessageStore::Entry> batch = {
        chatEntry(kA, QStringLiteral("alice"), QStringLiteral("m1")),
        eventEntry(kA, QStringLiteral("alice"), QStringLiteral("invited"), QStringLiteral("bob")),
        chatEntry(kB, QStringLiteral("bob"), QStringLiteral("m1")),
    };
    batch[0].message.seq = 77; // whatever the caller wrote: the store numbers
    QVERIFY2(store->append(batch), qPrintable(store->errorString()));
    QCOMPARE(batch[0].message.seq, qint64(1));
    QCOMPARE(batch[1].message.seq, qint64(2));
    QCOMPARE(batch[2].message.seq, qint64(3));
    QCOMPARE(store->lastSeq(), qint64(3));
    QList<MessageStore::Entry> next = {chatEntry(kA, QStringLiteral("bob"), QStringLiteral("m2"))};
    QVERIFY(store->append(next));
    QCOMPARE(next[0].message.seq, qint64(4));
    QList<MessageStore::Entry> none;
    QVERIFY(store->append(none));
    QCOMPARE(store->lastSeq(), qint64(4));
    reopen(store, kind);
    // Event and target come back as they went in.
    const QList<Message> held = store->range(1, 10);
    QCOMPARE(seqs(held), range(1, 4));
    QCOMPARE(held[1], batch[1].message);
    QCOMPARE(held[1].event, QStringLiteral("invited"));
    QCOMPARE(held[1].target, QStringLiteral("bob"));
    QVERIFY(held[1].id.isEmpty());
    QCOMPARE(held[2], batch[2].message);
    QCOMPARE(store->findSent(QStringLiteral("account:bob"), QStringLiteral("m2")), next[0].message);
}

void StoreTest::failedAppendUsesNoSeq()
{
    QFETCH(QString, kind);
    {
        std::unique_ptr<MessageStore> store = openKind(kind);
        QVERIFY(store);
        QVERIFY(append(*store, {chatEntry(kA, QStringLiteral("alice"), QStringLiteral("one"))}));
        // The database refuses the third: nothing of the batch is kept, no seq used up.
        QVERIFY(refuseIdBoom(kind));
        QList<MessageStore::Entry> batch = {
            chatEntry(kA, QStringLiteral("alice"), QStringLiteral("new")),
            eventEntry(kA, QStringLiteral("alice"), QStringLiteral("topic"), {},
                       QStringLiteral("t")),
            chatEntry(kB, QStringLiteral("alice"), QStringLiteral("boom"), QStringLiteral("x"),
                      {2}),
        };
        QVERIFY(!store->append(batch));
        QVERIFY(!store->errorString().isEmpty());
        for (const MessageStore::Entry &entry : std::as_const(batch))
            QCOMPARE(entry.message.seq, qint64(0));
        QCOMPARE(store->lastSeq(), qint64(1));
        QCOMPARE(store->countMentions(kB, 0, 2, 10), 0);
        QVERIFY(!store->findSent(QStringLiteral("account:alice"), QStringLiteral("new")));
        QList<MessageStore::Entry> again = {
            chatEntry(kA, QStringLiteral("alice"), QStringLiteral("new"))};
        QVERIFY(store->append(again));
        QCOMPARE(again[0].message.seq, qint64(2));
    }
    std::unique_ptr<MessageStore> store = openKind(kind);
    QVERIFY(store);
    QCOMPARE(store->lastSeq(), qint64(2));
    QCOMPARE(seqs(store->range(1, 10)), range(1, 2));
    QList<MessageStore::Entry> next = {chatEntry(kA, QStringLiteral("alice"), QStringLiteral("n"))};
    QVERIFY(store->append(next));
    QCOMPARE(next[0].message.seq, qint64(3));
}

void StoreTest::eventsHaveNoIdToCollide()
{
    QFETCH(QString, kind);
    std::unique_ptr<MessageStore> store = openKind(kind);
    QVERIFY(store);
    const QString alice = QStringLiteral("alice");
    // Many events in one batch and in the next, of one sender and room: no dedup key, no id.
    QVERIFY(append(*store, {eventEntry(kA, alice, QStringLiteral("created")),
                            eventEntry(kA, alice, QStringLiteral("joined")),
                            eventEntry(kA, alice, QStringLiteral("topic"), {}, QStringLiteral("x")),
                            chatEntry(kA, alice, QStringLiteral("1"))}));
    reopen(store, kind);
    QVERIFY(append(*store, {eventEntry(kA, alice, QStringLiteral("joined")),
                            eventEntry(kA, alice, QStringLiteral("left"))}));
    QCOMPARE(store->lastSeq(), qint64(6));
    QCOMPARE(seqs(store->range(1, 10)), range(1, 6));
    QVERIFY(!store->findSent(QString(), QString()));
    QVERIFY(!store->findSent(QStringLiteral("account:alice"), QString()));
    // A chat message's id is still deduplicated.
    QCOMPARE(store->findSent(QStringLiteral("account:alice"), QStringLiteral("1"))->seq, 4);
    // ... and comes back a duplicate, stored once.
    QList<MessageStore::Entry> again = {chatEntry(kB, alice, QStringLiteral("1"))};
    QVERIFY(store->append(again));
    QVERIFY(again[0].duplicate);
    QCOMPARE(again[0].message.seq, 4);
    QCOMPARE(again[0].message.room, kA);
    QCOMPARE(store->lastSeq(), qint64(6));
}

void StoreTest::resendsComeBackDuplicate()
{
    QFETCH(QString, kind);
    std::unique_ptr<MessageStore> store = openKind(kind);
    QVERIFY(store);
    const QString alice = QStringLiteral("alice");
    QList<MessageStore::Entry> first = {
        chatEntry(kA, alice, QStringLiteral("a"), QStringLiteral("first text"), {7})};
    QVERIFY(store->append(first));
    QVERIFY(!first[0].duplicate);
    reopen(store, kind);
    // A resend of a stored id, one repeated within the batch, and new ones around them: the new
    // ones are numbered on without a gap, the others come back as what was stored.
    QList<MessageStore::Entry> batch = {
        chatEntry(kA, alice, QStringLiteral("b")),
        chatEntry(kB, alice, QStringLiteral("a"), QStringLiteral("first text")),
        eventEntry(kA, alice, QStringLiteral("joined")),
        chatEntry(kA, alice, QStringLiteral("b")),
        chatEntry(kA, QStringLiteral("bob"), QStringLiteral("a")), // another sender's id
    };
    QVERIFY2(store->append(batch), qPrintable(store->errorString()));
    QCOMPARE(batch[0].message.seq, 2);
    QVERIFY(batch[1].duplicate);
    QCOMPARE(batch[1].message, first[0].message); // room a, as stored
    QCOMPARE(batch[2].message.seq, 3);
    QVERIFY(!batch[2].duplicate);
    QVERIFY(batch[3].duplicate);
    QCOMPARE(batch[3].message, batch[0].message);
    QCOMPARE(batch[4].message.seq, 4);
    QVERIFY(!batch[4].duplicate);
    QCOMPARE(store->lastSeq(), qint64(4));
    QCOMPARE(seqs(store->range(1, 10)), range(1, 4));
    QCOMPARE(store->countMentions(kA, 0, 7, 10), 1);
    // A batch of resends only stores nothing and uses no seq.
    QList<MessageStore::Entry> resends = {chatEntry(kA, alice, QStringLiteral("b"))};
    QVERIFY(store->append(resends));
    QVERIFY(resends[0].duplicate);
    QCOMPARE(resends[0].message.seq, 2);
    QCOMPARE(store->lastSeq(), qint64(4));
}

void StoreTest::pagesCoverTheRoom()
{
    QFETCH(QString, kind);
    const bool durable = kind != QLatin1String("memory");
    std::unique_ptr<MessageStore> store = openKind(kind, 1000);
    QVERIFY(store);
    // 300 messages in three rooms, room a getting every third and some events.
    QList<MessageStore::Entry> entries;
    QList<qint64> inA;
    for (int i = 1; i <= 300; ++i) {
        const QString room = i % 3 == 0 ? kA : (i % 3 == 1 ? kB : kC);
        if (room == kA)
            inA.append(i);
        entries.append(i % 15 == 0
                           ? eventEntry(room, QStringLiteral("bob"), QStringLiteral("joined"))
                           : chatEntry(room, QStringLiteral("bob"), QStringLiteral("m%1").arg(i)));
    }
    QVERIFY(store->append(entries));
    QCOMPARE(store->lastSeq(), qint64(300));

    const auto walk = [&](int limit, bool reopenHalfway) {
        QList<qint64> seen;
        qint64 before = 0;
        int pages = 0;
        for (bool more = true; more; ++pages) {
            if (reopenHalfway && pages == 3)
                reopen(store, kind);
            const QList<Message> page = store->page(kA, before, limit, &more);
            if (page.isEmpty()) {
                [&] {
                    QVERIFY(!more);
                }();
                break;
            }
            [&] {
                QVERIFY(page.size() == limit || !more);
            }();
            for (const Message &message : page)
                [&] {
                    QCOMPARE(message.room, kA);
                }();
            seen = seqs(page) + seen; // oldest first within the page
            before = page.constFirst().seq;
        }
        return seen;
    };
    QCOMPARE(walk(7, false), inA); // no gap, no duplicate
    QCOMPARE(walk(100, durable), inA);
    QCOMPARE(walk(1000, false), inA);
    // The newest page, and one before a given seq.
    bool more = false;
    QCOMPARE(seqs(store->page(kA, 0, 2, &more)), (QList<qint64>{297, 300}));
    QVERIFY(more);
    QCOMPARE(seqs(store->page(kA, 7, 5, &more)), (QList<qint64>{3, 6}));
    QVERIFY(!more);
    QCOMPARE(store->page(kA, 0, std::numeric_limits<int>::max(), &more).size(), inA.size());
    QVERIFY(!more);
    QCOMPARE(store->page(QStringLiteral("nowhere"), 0, 5, &more).size(), 0);
    QVERIFY(!more);

    // After pruning, pages end at the oldest held message.
    QCOMPARE(store->prune(Retention{100, 0}, kNow), qint64(200));
    const QList<qint64> heldInA = inA.mid(inA.indexOf(201));
    QCOMPARE(walk(7, durable), heldInA);
    QCOMPARE(store->page(kA, 201, 5, &more).size(), 0);
    QVERIFY(!more);
}

void StoreTest::since_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QStringList>("rooms");
    QTest::addColumn<QString>("target");
    QTest::addColumn<qint64>("after");
    QTest::addColumn<int>("limit");
    QTest::addColumn<int>("weighOnly"); // maxWeight: the weight of this many first answers; -1 none
    QTest::addColumn<QList<qint64>>("expected");
    QTest::addColumn<bool>("complete");
    // 1 a chat, 2 b chat, 3 c invited carol, 4 a joined, 5 c chat, 6 b removed carol, 7 a chat
    const QString carol = QStringLiteral("carol");
    for (const QString &kind :
         {QStringLiteral("memory"), QStringLiteral("sqlite"), QStringLiteral("postgres")}) {
        const QByteArray k = kind.toUtf8();
        const auto row = [&](const char *name) {
            return &QTest::addRow("%s: %s", k.constData(), name);
        };
        *row("rooms a, b") << kind << QStringList{kA, kB} << QString() << qint64(0) << 100 << -1
                           << QList<qint64>{1, 2, 4, 6, 7} << true;
        *row("room a and carol's events") << kind << QStringList{kA} << carol << qint64(0) << 100
                                          << -1 << QList<qint64>{1, 3, 4, 6, 7} << true;
        *row("carol's events only") << kind << QStringList{} << carol << qint64(0) << 100 << -1
                                    << QList<qint64>{3, 6} << true;
        *row("an event in a room and for the target, once")
            << kind << QStringList{kB} << carol << qint64(0) << 100 << -1 << QList<qint64>{2, 3, 6}
            << true;
        *row("bob is no event's target") << kind << QStringList{} << QStringLiteral("bob")
                                         << qint64(0) << 100 << -1 << QList<qint64>{} << true;
        *row("after 4") << kind << QStringList{kA} << carol << qint64(4) << 100 << -1
                        << QList<qint64>{6, 7} << true;
        *row("after the newest") << kind << QStringList{kA, kB, kC} << carol << qint64(7) << 100
                                 << -1 << QList<qint64>{} << true;
        *row("limit 2") << kind << QStringList{kA} << carol << qint64(0) << 2 << -1
                        << QList<qint64>{1, 3} << false;
        *row("limit exactly all") << kind << QStringList{kA} << carol << qint64(0) << 5 << -1
                                  << QList<qint64>{1, 3, 4, 6, 7} << true;
        *row("weight of 3") << kind << QStringList{kA} << carol << qint64(0) << 100 << 3
                            << QList<qint64>{1, 3, 4} << false;
        *row("weight of all") << kind << QStringList{kA} << carol << qint64(0) << 100 << 5
                              << QList<qint64>{1, 3, 4, 6, 7} << true;
        *row("no limit") << kind << QStringList{kA} << carol << qint64(0)
                         << std::numeric_limits<int>::max() << -1 << QList<qint64>{1, 3, 4, 6, 7}
                         << true;
        *row("weight of none") << kind << QStringList{kA} << carol << qint64(0) << 100 << 0
                               << QList<qint64>{} << false;
    }
}

void StoreTest::since()
{
    QFETCH(QString, kind);
    QFETCH(QStringList, rooms);
    QFETCH(QString, target);
    QFETCH(qint64, after);
    QFETCH(int, limit);
    QFETCH(int, weighOnly);
    QFETCH(QList<qint64>, expected);
    QFETCH(bool, complete);
    std::unique_ptr<MessageStore> store = openKind(kind);
    QVERIFY(store);
    const QString alice = QStringLiteral("alice");
    const QString carol = QStringLiteral("carol");
    QVERIFY(append(*store, {chatEntry(kA, alice, QStringLiteral("1")),
                            chatEntry(kB, QStringLiteral("bob"), QStringLiteral("2")),
                            eventEntry(kC, alice, QStringLiteral("invited"), carol),
                            eventEntry(kA, carol, QStringLiteral("joined")),
                            chatEntry(kC, QStringLiteral("bob"), QStringLiteral("5"),
                                      QStringLiteral("a longer text than the others")),
                            eventEntry(kB, alice, QStringLiteral("removed"), carol),
                            chatEntry(kA, QStringLiteral("bob"), QStringLiteral("7"))}));
    reopen(store, kind);
    qint64 maxWeight = -1;
    if (weighOnly >= 0) {
        // The weight of the first `weighOnly` expected answers (a list run without limits).
        bool all = false;
        const QList<Message> every = store->since(roomSet(rooms), target, after, 100, -1, &all);
        maxWeight = 0;
        for (int i = 0; i < weighOnly; ++i)
            maxWeight += chat::server::messageWeight(every[i]);
    }
    bool done = !complete;
    const QList<Message> found =
        store->since(roomSet(rooms), target, after, limit, maxWeight, &done);
    QCOMPARE(seqs(found), expected);
    QCOMPARE(done, complete);
    for (const Message &message : found)
        QCOMPARE(message, store->range(message.seq, message.seq).value(0));
}

void StoreTest::sinceAfterPruning()
{
    QFETCH(QString, kind);
    std::unique_ptr<MessageStore> store = openKind(kind);
    QVERIFY(store);
    QList<MessageStore::Entry> entries;
    for (int i = 1; i <= 10; ++i)
        entries.append(chatEntry(i % 2 ? kA : kB, QStringLiteral("bob"), QString::number(i)));
    QVERIFY(store->append(entries));
    QCOMPARE(store->prune(Retention{4, 0}, kNow), qint64(6)); // 7..10 held
    bool complete = true;
    // 1..6 are gone: some of them may have been in room a.
    QCOMPARE(seqs(store->since(roomSet({kA}), {}, 0, 100, -1, &complete)), (QList<qint64>{7, 9}));
    QVERIFY(!complete);
    QCOMPARE(seqs(store->since(roomSet({kA}), {}, 6, 100, -1, &complete)), (QList<qint64>{7, 9}));
    QVERIFY(complete);
    reopen(store, kind);
    QCOMPARE(seqs(store->since(roomSet({kB}), {}, 5, 100, -1, &complete)), (QList<qint64>{8, 10}));
    QVERIFY(!complete);
    QCOMPARE(seqs(store->since(roomSet({kB}), {}, 8, 100, -1, &complete)), (QList<qint64>{10}));
    QVERIFY(complete);
    // A memory store holds its newest messages only: the same answer past its capacity.
    if (kind == QLatin1String("memory")) {
        MemoryStore small(3, 10, 10);
        QVERIFY(append(small, entries));
        QCOMPARE(seqs(small.since(roomSet({kA}), {}, 6, 100, -1, &complete)), (QList<qint64>{9}));
        QVERIFY(!complete);
        QCOMPARE(seqs(small.since(roomSet({kA}), {}, 7, 100, -1, &complete)), (QList<qint64>{9}));
        QVERIFY(complete);
    }
}

void StoreTest::countUnread()
{
    QFETCH(QString, kind);
    std::unique_ptr<MessageStore> store = openKind(kind);
    QVERIFY(store);
    const QString alice = QStringLiteral("alice");
    const QString bob = QStringLiteral("bob");
    QVERIFY(append(*store, {chatEntry(kA, alice, QStringLiteral("1")),            // own
                            chatEntry(kA, bob, QStringLiteral("2")),              // counts
                            eventEntry(kA, bob, QStringLiteral("joined")),        // event
                            chatEntry(kB, bob, QStringLiteral("4")),              // other room
                            eventEntry(kA, bob, QStringLiteral("topic"), {}, {}), // event
                            chatEntry(kA, QStringLiteral("carol"), QStringLiteral("6"))}));
    reopen(store, kind);
    QCOMPARE(store->countUnread(kA, 0, alice, 1000), 2);
    QCOMPARE(store->countUnread(kA, 0, bob, 1000), 2); // alice's and carol's
    QCOMPARE(store->countUnread(kA, 2, alice, 1000), 1);
    QCOMPARE(store->countUnread(kA, 6, alice, 1000), 0);
    QCOMPARE(store->countUnread(kB, 0, alice, 1000), 1);
    QCOMPARE(store->countUnread(kC, 0, alice, 1000), 0);
    // Capped.
    QList<MessageStore::Entry> many;
    for (int i = 0; i < 40; ++i)
        many.append(chatEntry(kA, bob, QStringLiteral("many-%1").arg(i)));
    QVERIFY(store->append(many));
    QCOMPARE(store->countUnread(kA, 0, alice, 1000), 42);
    QCOMPARE(store->countUnread(kA, 0, alice, 10), 10);
    QCOMPARE(store->countUnread(kA, 0, alice, 0), 0);
    QCOMPARE(store->countUnread(kA, 0, bob, 10), 2);
}

void StoreTest::countMentions()
{
    QFETCH(QString, kind);
    std::unique_ptr<MessageStore> store = openKind(kind);
    QVERIFY(store);
    const QString bob = QStringLiteral("bob");
    // Accounts 1 (alice), 2 (carol), 3 (dave).
    QVERIFY(append(
        *store, {chatEntry(kA, bob, QStringLiteral("1"), QStringLiteral("@alice"), {1}),
                 chatEntry(kA, bob, QStringLiteral("2"), QStringLiteral("@alice @carol"), {1, 2}),
                 chatEntry(kB, bob, QStringLiteral("3"), QStringLiteral("@alice"), {1}),
                 eventEntry(kA, bob, QStringLiteral("topic"), {}, QStringLiteral("@alice")),
                 chatEntry(kA, bob, QStringLiteral("5"), QStringLiteral("@alice"), {1, 1})}));
    reopen(store, kind);
    QCOMPARE(store->countMentions(kA, 0, 1, 1000), 3);
    QCOMPARE(store->countMentions(kA, 0, 2, 1000), 1);
    QCOMPARE(store->countMentions(kA, 0, 3, 1000), 0);
    QCOMPARE(store->countMentions(kA, 1, 1, 1000), 2);
    QCOMPARE(store->countMentions(kA, 5, 1, 1000), 0);
    QCOMPARE(store->countMentions(kB, 0, 1, 1000), 1);
    QCOMPARE(store->countMentions(kA, 0, 1, 2), 2);
    // Pruned messages take their mentions with them.
    QCOMPARE(store->prune(Retention{3, 0}, kNow), qint64(2));
    QCOMPARE(store->countMentions(kA, 0, 1, 1000), 1);
    QCOMPARE(store->countMentions(kA, 0, 2, 1000), 0);
    reopen(store, kind);
    QCOMPARE(store->countMentions(kA, 0, 1, 1000), 1);
    QCOMPARE(store->countMentions(kB, 0, 1, 1000), 1);
}

void StoreTest::newestPerRoom()
{
    QFETCH(QString, kind);
    std::unique_ptr<MessageStore> store = openKind(kind);
    QVERIFY(store);
    QVERIFY(store->newestPerRoom().isEmpty());
    const QString bob = QStringLiteral("bob");
    QVERIFY(append(*store, {chatEntry(kA, bob, QStringLiteral("1")),
                            chatEntry(kB, bob, QStringLiteral("2")),
                            chatEntry(kA, bob, QStringLiteral("3")),
                            eventEntry(kC, bob, QStringLiteral("created")),
                            chatEntry(kB, bob, QStringLiteral("5"))}));
    reopen(store, kind);
    QHash<QString, Message> newest = store->newestPerRoom();
    QCOMPARE(newest.size(), 3);
    QCOMPARE(newest.value(kA).seq, 3);
    QCOMPARE(newest.value(kB).seq, 5);
    QCOMPARE(newest.value(kC).seq, 4);
    QCOMPARE(newest.value(kC).event, QStringLiteral("created"));
    QCOMPARE(newest.value(kA), store->range(3, 3).value(0));
    QVERIFY(append(*store, {chatEntry(kA, bob, QStringLiteral("6"))}));
    QCOMPARE(store->newestPerRoom().value(kA).seq, 6);
    // A room whose messages were all pruned has none.
    QCOMPARE(store->prune(Retention{2, 0}, kNow), qint64(4));
    newest = store->newestPerRoom();
    QCOMPARE(newest.keys().size(), 2);
    QVERIFY(!newest.contains(kC));
    QCOMPARE(newest.value(kB).seq, 5);
}

void StoreTest::memoryAndSqliteAgree()
{
    // The same random traffic into a memory store that keeps 50 and an SQLite store pruned to
    // 50: every read answers the same, while the memory store's room indexes shed what it drops.
    constexpr int kKeep = 50;
    MemoryStore memory(kKeep, 100, 100);
    std::unique_ptr<SqliteStore> sqlite = openSqlite();
    QVERIFY(sqlite);
    const QStringList roomNames = {kA, kB, kC, QStringLiteral("d"), QStringLiteral("e")};
    const QStringList people = {QStringLiteral("alice"), QStringLiteral("bob"),
                                QStringLiteral("carol")};
    QRandomGenerator random(20261201);
    int id = 0;
    for (int round = 0; round < 40; ++round) {
        QList<MessageStore::Entry> batch;
        const int size = 1 + random.bounded(30);
        for (int i = 0; i < size; ++i) {
            // Room e is quiet: its messages soon all fall out.
            const QString room = roomNames[random.bounded(round < 5 ? 5 : 4)];
            const QString &from = people[random.bounded(3)];
            if (random.bounded(5) == 0)
                batch.append(
                    eventEntry(room, from, QStringLiteral("invited"), people[random.bounded(3)]));
            else
                batch.append(
                    chatEntry(room, from, QString::number(++id), QStringLiteral("t"),
                              random.bounded(3) == 0 ? QList<qint64>{1, 2} : QList<qint64>{2}));
        }
        QList<MessageStore::Entry> copy = batch;
        QVERIFY(memory.append(batch));
        QVERIFY(sqlite->append(copy));
        QVERIFY(sqlite->prune(Retention{kKeep, 0}, kNow) >= 0);
        QCOMPARE(memory.oldestSeq(), sqlite->oldestSeq());
        QCOMPARE(memory.lastSeq(), sqlite->lastSeq());
        QCOMPARE(memory.newestPerRoom(), sqlite->newestPerRoom());
        const qint64 last = memory.lastSeq();
        for (const QString &room : roomNames) {
            for (const qint64 point : {qint64(0), last - 60, last - 30, last - 10, last}) {
                bool moreMemory = false;
                bool moreSqlite = false;
                QCOMPARE(memory.page(room, point, 7, &moreMemory),
                         sqlite->page(room, point, 7, &moreSqlite));
                QCOMPARE(moreMemory, moreSqlite);
                for (const QString &person : people) {
                    QCOMPARE(memory.countUnread(room, point, person, 5),
                             sqlite->countUnread(room, point, person, 5));
                }
                QCOMPARE(memory.countMentions(room, point, 1, 1000),
                         sqlite->countMentions(room, point, 1, 1000));
                QCOMPARE(memory.countMentions(room, point, 2, 3),
                         sqlite->countMentions(room, point, 2, 3));
            }
        }
        for (const qint64 after : {qint64(0), last - kKeep, last - 20, last - 1}) {
            for (const int limit : {3, 1000}) {
                const QSet<QString> some = roomSet(roomNames.mid(round % 4, 2));
                bool completeMemory = false;
                bool completeSqlite = false;
                QCOMPARE(memory.since(some, people[round % 3], after, limit, -1, &completeMemory),
                         sqlite->since(some, people[round % 3], after, limit, -1, &completeSqlite));
                QCOMPARE(completeMemory, completeSqlite);
            }
        }
    }
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
    for (const MessageStore::Entry &entry : std::as_const(failed))
        QCOMPARE(entry.message.seq, qint64(0)); // never numbered
    QCOMPARE(failed[1].message.id, QStringLiteral("id-2"));
    // The numbers were not used up.
    store.failing = false;
    QList<Message> committed;
    connect(&queue, &CommitQueue::committed, this,
            [&](const QList<Message> &messages) { committed += messages; });
    queue.submit(entry(7));
    QTRY_COMPARE(committed.size(), 1);
    QCOMPARE(committed[0].seq, qint64(1));
}

void StoreTest::groupCommitNumbersEventsToo()
{
    std::unique_ptr<SqliteStore> store = openSqlite();
    QVERIFY(store);
    CommitQueue queue(store.get(), 100, 60000);
    QList<Message> committed;
    connect(&queue, &CommitQueue::committed, this,
            [&](const QList<Message> &messages) { committed += messages; });
    MessageStore::Entry numbered = chatEntry(kA, QStringLiteral("alice"), QStringLiteral("x"));
    numbered.message.seq = 42; // ignored
    queue.submit(numbered);
    queue.submit(eventEntry(kA, QStringLiteral("alice"), QStringLiteral("joined")));
    queue.submit(eventEntry(kA, QStringLiteral("bob"), QStringLiteral("joined")));
    QVERIFY(queue.isPending(QStringLiteral("account:alice"), QStringLiteral("x")));
    QVERIFY(!queue.isPending(QString(), QString())); // events are never "sent again"
    queue.flush();
    QCOMPARE(seqs(committed), range(1, 3));
    QCOMPARE(committed[1].event, QStringLiteral("joined"));
    QCOMPARE(committed[2].from, QStringLiteral("bob"));
    QCOMPARE(store->range(1, 3), committed);
}

void StoreTest::groupCommitAcknowledgesResends()
{
    QFETCH(QString, kind);
    std::unique_ptr<MessageStore> store = openKind(kind);
    QVERIFY(store);
    QVERIFY(append(*store, {chatEntry(kA, QStringLiteral("alice"), QStringLiteral("x"))}));
    CommitQueue queue(store.get(), 100, 60000);
    QList<Message> committed;
    QList<MessageStore::Entry> resent;
    connect(&queue, &CommitQueue::committed, this,
            [&](const QList<Message> &messages) { committed += messages; });
    connect(&queue, &CommitQueue::resent, this,
            [&](const QList<MessageStore::Entry> &entries) { resent += entries; });
    // Stored before (by this server or another on the same database): acknowledged with the
    // stored message, not stored again; the new one after it gets the next seq.
    queue.submit(chatEntry(kA, QStringLiteral("alice"), QStringLiteral("x")));
    queue.submit(chatEntry(kA, QStringLiteral("alice"), QStringLiteral("y")));
    queue.flush();
    QCOMPARE(seqs(committed), QList<qint64>{2});
    QCOMPARE(resent.size(), 1);
    QCOMPARE(resent[0].nickKey, QStringLiteral("account:alice"));
    QCOMPARE(resent[0].message.seq, 1);
    QCOMPARE(resent[0].message.id, QStringLiteral("x"));
    QCOMPARE(store->lastSeq(), qint64(2));
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
                        QString(1000, QChar(u'a' + seq % 26)), // 2 KB, a new allocation each
                        {},
                        {}};
        QVERIFY(append(store, {{QStringLiteral("user%1").arg(nick), message, {}}}));
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
