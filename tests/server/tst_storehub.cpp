// A hub on a durable store: history, numbering and dedup across restarts, resumes read from the
// database, acknowledgements only after the commit; and chat-server refusing a database it
// cannot use.
#include "accounts/accounts.h"
#include "chat/chathub.h"
#include "storetestbase.h"
#include "testclient.h"

#include <QDir>
#include <QProcess>
#include <QSignalSpy>

#include <vector>

using namespace chat::test;
using namespace chat::proto;
using chat::server::ChatHub;
using chat::server::HubConfig;

namespace {

// The history, the accounts and the rooms in one file, as chat-server opens them.
chat::server::Stores withAccounts(std::unique_ptr<SqliteStore> store)
{
    std::unique_ptr<chat::server::AccountStore> accounts = store->accountStore();
    std::unique_ptr<chat::server::RoomStore> rooms = store->roomStore();
    return {std::move(store), std::move(accounts), std::move(rooms)};
}

// The newest page of a room's history, as `client` asks for it; nullopt on an error or timeout.
std::optional<HistoryPage> historyPage(TestClient *client, const QString &room)
{
    static int counter = 0;
    const std::optional<ServerMessage> answer = client->request(
        LoadHistory{QStringLiteral("h%1").arg(++counter), room, 0, kDefaultPageSize});
    if (const auto *page = answer ? std::get_if<HistoryPage>(&*answer) : nullptr)
        return *page;
    return std::nullopt;
}

} // namespace

class StoreHubTest : public StoreTestBase
{
    Q_OBJECT
private slots:
    void init() { makeDir(); }
    void cleanup();

    void hubKeepsHistoryAcrossRestart();
    void hubResumesFromStoreBeyondMemory_data();
    void hubResumesFromStoreBeyondMemory();
    void hubHoldsBroadcastUntilCommit();
    void hubReportsFailedCommitToSender();
    void hubPrunesOnStart();

    void serverRefusesBadDatabase_data();
    void serverRefusesBadDatabase();

private:
    [[nodiscard]] static HubConfig hubConfig();
    // A joined client of `hub`, owned by the test.
    TestClient *join(ChatHub &hub, const QString &nick, std::optional<qint64> lastSeq = {},
                     const QString &instance = {});
    void verifyClientsHealthy();

    std::vector<std::unique_ptr<TestClient>> m_clients;
};

void StoreHubTest::cleanup()
{
    verifyClientsHealthy();
    m_clients.clear();
    m_dir.reset();
}

void StoreHubTest::verifyClientsHealthy()
{
    for (const auto &client : m_clients) {
        QCOMPARE(client->undecodableFrames(), 0);
        QCOMPARE(client->socketErrors(), 0);
    }
}

HubConfig StoreHubTest::hubConfig()
{
    HubConfig config;
    config.host = QHostAddress::LocalHost;
    config.port = 0;
    return config;
}

TestClient *StoreHubTest::join(ChatHub &hub, const QString &nick, std::optional<qint64> lastSeq,
                               const QString &instance)
{
    m_clients.push_back(std::make_unique<TestClient>());
    TestClient *client = m_clients.back().get();
    if (!client->open(hub.url()))
        return nullptr;
    // A token from the hub's accounts, kept in the same file as the history: the account (and
    // so the key its message ids are unique under) survives the restart with them.
    QString reason;
    Hello hello;
    hello.token = hub.accounts()->createToken(nick, QStringLiteral("test"), &reason);
    hello.lastSeq = lastSeq;
    hello.instance = instance;
    return client->helloAndWait(hello) ? client : nullptr;
}

// --- a hub on a store ---------------------------------------------------------------------------

void StoreHubTest::hubKeepsHistoryAcrossRestart()
{
    QString instance;
    Message original;
    {
        std::unique_ptr<SqliteStore> store = openSqlite();
        QVERIFY(store);
        ChatHub hub(hubConfig(), withAccounts(std::move(store)));
        QVERIFY(hub.listen());
        TestClient *alice = join(hub, QStringLiteral("Alice"));
        QVERIFY(alice);
        instance = alice->welcome()->instance;
        QCOMPARE(hub.instance(), instance);
        alice->send(QStringLiteral("你好 👋"), QStringLiteral("a-1"));
        alice->send(QStringLiteral("second"), QStringLiteral("a-2"));
        QVERIFY(alice->waitForMessages(2));
        original = alice->messages()[0];
        QCOMPARE(hub.lastSeq(), qint64(2));
        m_clients.clear();
    }
    std::unique_ptr<SqliteStore> store = openSqlite();
    QVERIFY(store);
    ChatHub hub(hubConfig(), withAccounts(std::move(store)));
    QVERIFY(hub.listen());
    QCOMPARE(hub.instance(), instance);
    QCOMPARE(hub.lastSeq(), qint64(2));

    // A newcomer sees the history from before the restart: the lobby's newest message in its
    // room state, the rest in a history page.
    TestClient *bob = join(hub, QStringLiteral("bob"));
    QVERIFY(bob);
    QCOMPARE(bob->welcome()->instance, instance);
    QCOMPARE(bob->welcome()->seq, qint64(2));
    QVERIFY(bob->welcome()->history.isEmpty());
    QCOMPARE(bob->welcome()->rooms.size(), 1);
    QVERIFY(bob->welcome()->rooms[0].last);
    QCOMPARE(bob->welcome()->rooms[0].last->seq, qint64(2));
    QCOMPARE(bob->welcome()->rooms[0].last->id, QStringLiteral("a-2"));
    const std::optional<HistoryPage> page = historyPage(bob, QStringLiteral("lobby"));
    QVERIFY(page);
    QCOMPARE(seqs(page->messages), range(1, 2));
    QCOMPARE(page->messages[0], original);
    QCOMPARE(page->more, false);

    // Alice resumes in the same instance: nothing missed, nothing reloaded.
    TestClient *alice = join(hub, QStringLiteral("alice"), 2, instance);
    QVERIFY(alice);
    QVERIFY(alice->welcome()->resumed);
    QCOMPARE(alice->welcome()->history.size(), 0);
    QVERIFY(alice->welcome()->reload.isEmpty());

    // Her resend of a message stored before the restart is acknowledged to her alone.
    alice->send(QStringLiteral("你好 👋"), QStringLiteral("a-1"));
    QVERIFY(alice->waitForMessages(1));
    QCOMPARE(alice->messages()[0], original);
    alice->send(QStringLiteral("new"), QStringLiteral("a-3"));
    QVERIFY(bob->waitForMessages(1));
    QCOMPARE(bob->messages().size(), 1);
    QCOMPARE(bob->messages()[0].id, QStringLiteral("a-3"));
    QCOMPARE(bob->messages()[0].seq, qint64(3)); // numbering went on, the resend took none
}

void StoreHubTest::hubResumesFromStoreBeyondMemory_data()
{
    QTest::addColumn<qint64>("lastSeq");
    QTest::addColumn<int>("resumeLimit");
    QTest::addColumn<bool>("resumed");
    QTest::addColumn<QList<qint64>>("history");
    QTest::addColumn<QStringList>("reload");
    const QStringList none;
    const QStringList lobby{QStringLiteral("lobby")};
    // 10 messages stored in the lobby, the newest 3 in memory (O = 8 there), all 10 in the
    // database. A gap that does not fit is not resumed: no history, the lobby to reload.
    QTest::addRow("within memory") << qint64(8) << 1000 << true << range(9, 10) << none;
    QTest::addRow("from the database") << qint64(2) << 1000 << true << range(3, 10) << none;
    QTest::addRow("from the very start") << qint64(0) << 1000 << true << range(1, 10) << none;
    QTest::addRow("gap at the limit") << qint64(5) << 5 << true << range(6, 10) << none;
    QTest::addRow("gap over the limit") << qint64(4) << 5 << false << QList<qint64>{} << lobby;
    QTest::addRow("future seq") << qint64(11) << 1000 << false << QList<qint64>{} << lobby;
}

void StoreHubTest::hubResumesFromStoreBeyondMemory()
{
    QFETCH(qint64, lastSeq);
    QFETCH(int, resumeLimit);
    QFETCH(bool, resumed);
    QFETCH(QList<qint64>, history);
    QFETCH(QStringList, reload);
    fill(10);
    std::unique_ptr<SqliteStore> store = openSqlite();
    QVERIFY(store);
    HubConfig config = hubConfig();
    config.historySize = 3;
    config.resumeLimit = resumeLimit;
    ChatHub hub(config, withAccounts(std::move(store)));
    QVERIFY(hub.listen());
    TestClient *back = join(hub, QStringLiteral("back"), lastSeq);
    QVERIFY(back);
    QCOMPARE(back->welcome()->resumed, resumed);
    QCOMPARE(back->welcome()->seq, qint64(10));
    QCOMPARE(seqs(back->welcome()->history), history);
    for (const Message &message : back->welcome()->history)
        QCOMPARE(message.id, QStringLiteral("id-%1").arg(message.seq)); // as stored
    QCOMPARE(back->welcome()->reload, reload);
}

void StoreHubTest::hubHoldsBroadcastUntilCommit()
{
    std::unique_ptr<SqliteStore> store = openSqlite();
    QVERIFY(store);
    HubConfig config = hubConfig();
    config.commitBatch = 3;
    config.commitDelayMs = 60000; // only a full batch commits within the test
    ChatHub hub(config, withAccounts(std::move(store)));
    QVERIFY(hub.listen());
    TestClient *alice = join(hub, QStringLiteral("alice"));
    TestClient *bob = join(hub, QStringLiteral("bob"));
    QVERIFY(alice && bob);
    const auto barrier = [alice] {
        QSignalSpy pong(alice, &TestClient::pongReceived);
        alice->ping(QStringLiteral("barrier"));
        return pong.wait(5000);
    };
    alice->send(QStringLiteral("one"), QStringLiteral("p-1"));
    alice->send(QStringLiteral("two"), QStringLiteral("p-2"));
    alice->send(QStringLiteral("two"), QStringLiteral("p-2")); // resent while it waits
    // After a ping round trip the hub has handled every send before it: none is stored yet, so
    // none is acknowledged.
    QVERIFY(barrier());
    QCOMPARE(alice->messages().size(), 0);
    QCOMPARE(hub.lastSeq(), qint64(0));

    alice->send(QStringLiteral("three"), QStringLiteral("p-3")); // a full batch
    QVERIFY(bob->waitForMessages(3));
    QVERIFY(barrier());
    QCOMPARE(alice->messages().size(), 3); // the waiting resend took no number of its own
    QCOMPARE(seqs(alice->messages()), range(1, 3));
    QCOMPARE(alice->messages()[1].id, QStringLiteral("p-2"));
    QCOMPARE(hub.lastSeq(), qint64(3));

    alice->send(QStringLiteral("four"));
    QVERIFY(barrier());
    QCOMPARE(alice->messages().size(), 3);
    alice->send(QStringLiteral("five"));
    alice->send(QStringLiteral("six"));
    QVERIFY(bob->waitForMessages(6));
    QCOMPARE(seqs(bob->messages()), range(1, 6));
}

void StoreHubTest::hubReportsFailedCommitToSender()
{
    auto store = std::make_unique<FailingStore>();
    FailingStore *failing = store.get();
    ChatHub hub(hubConfig(), std::move(store));
    QVERIFY(hub.listen());
    TestClient *alice = join(hub, QStringLiteral("alice"));
    TestClient *bob = join(hub, QStringLiteral("bob"));
    QVERIFY(alice && bob);
    failing->failing = true;
    const QString id = alice->send(QStringLiteral("lost?"));
    QVERIFY(alice->waitForErrors(1));
    QCOMPARE(alice->errors()[0].code, ErrorCode::Internal);
    QCOMPARE(alice->errors()[0].ref, id);
    QCOMPARE(alice->messages().size(), 0); // never acknowledged
    QCOMPARE(hub.lastSeq(), qint64(0));

    failing->failing = false;
    alice->send(QStringLiteral("lost?"), id); // the client's retry, with the same id
    QVERIFY(bob->waitForMessages(1));
    QCOMPARE(bob->messages()[0].seq, qint64(1)); // the failed one's number was handed out again
    QCOMPARE(bob->messages()[0].id, id);
    QCOMPARE(bob->errors().size(), 0);
}

void StoreHubTest::hubPrunesOnStart()
{
    fill(10);
    std::unique_ptr<SqliteStore> store = openSqlite();
    QVERIFY(store);
    HubConfig config = hubConfig();
    config.retainMessages = 4;
    ChatHub hub(config, withAccounts(std::move(store)));
    QVERIFY(hub.listen());
    TestClient *alice = join(hub, QStringLiteral("alice"), 1);
    QVERIFY(alice);
    QVERIFY(!alice->welcome()->resumed); // 2..6 are gone
    QVERIFY(alice->welcome()->history.isEmpty());
    QCOMPARE(alice->welcome()->reload, QStringList{QStringLiteral("lobby")});
    QCOMPARE(hub.lastSeq(), qint64(10));
    // What the lobby's history holds now is what retention kept, and nothing older.
    const std::optional<HistoryPage> page = historyPage(alice, QStringLiteral("lobby"));
    QVERIFY(page);
    QCOMPARE(seqs(page->messages), range(7, 10));
    QCOMPARE(page->more, false);
}

// --- the program --------------------------------------------------------------------------------

void StoreHubTest::serverRefusesBadDatabase_data()
{
    QTest::addColumn<QString>("setup");
    QTest::addColumn<QString>("expected");
    QTest::addRow("folder missing")
        << QStringLiteral("missing-folder") << QStringLiteral("unable to open");
    QTest::addRow("not SQLite") << QStringLiteral("garbage") << QStringLiteral("not a database");
    QTest::addRow("newer schema") << QStringLiteral("newer") << QStringLiteral("newer chat-server");
}

void StoreHubTest::serverRefusesBadDatabase()
{
    QFETCH(QString, setup);
    QFETCH(QString, expected);
    QString path = dbPath();
    if (setup == QLatin1String("missing-folder")) {
        path = m_dir->filePath(QStringLiteral("no/such/h.sqlite"));
    } else if (setup == QLatin1String("garbage")) {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray(5000, 'x'));
    } else {
        fill(1);
        QVERIFY(execSql(path, {QStringLiteral("UPDATE schema_version SET version = 7")}));
    }
    const QByteArray before = fileHash(path);
    QProcess server;
    server.start(QStringLiteral(CHAT_SERVER_BINARY),
                 {QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--host"),
                  QStringLiteral("127.0.0.1"), QStringLiteral("--db"), path});
    QTRY_COMPARE_WITH_TIMEOUT(server.state(), QProcess::NotRunning, 10000);
    QCOMPARE(server.exitStatus(), QProcess::NormalExit);
    QCOMPARE(server.exitCode(), 3);
    QCOMPARE(server.readAllStandardOutput(), QByteArray()); // never said it was listening
    const QString stderrText = QString::fromUtf8(server.readAllStandardError());
    QVERIFY2(stderrText.contains(QLatin1String("cannot use the history database")),
             qPrintable(stderrText));
    QVERIFY2(stderrText.contains(path), qPrintable(stderrText));
    QVERIFY2(stderrText.contains(expected, Qt::CaseInsensitive), qPrintable(stderrText));
    QCOMPARE(fileHash(path), before);
    QVERIFY(!QDir(m_dir->path()).exists(QStringLiteral("no"))); // an explicit path makes no folder
}

QTEST_GUILESS_MAIN(StoreHubTest)
#include "tst_storehub.moc"
