// The hub facing strangers: the rate limit, liveness pings, the caps on connections in total and
// per address, the origin check, and the small parts they are built from (token bucket, address
// grouping, origin normalising, secret files). docs/security.md lists every limit.
#include "codec.h"
#include "hubtestbase.h"
#include "servertestmain.h"
#include "rawwsclient.h"
#include "secrets.h"
#include "transport/connectionlimits.h"
#include "transport/originpolicy.h"
#include "transport/ratelimiter.h"

#include <QElapsedTimer>
#include <QNetworkRequest>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace chat::proto;
using chat::server::ConnectionLimits;
using chat::server::RateLimiter;
using chat::test::RawWsClient;
using chat::test::TestClient;

namespace {

QByteArray helloFrame(const QString &nick)
{
    Hello hello;
    hello.registration = chat::proto::Registration{nick, chat::test::kTestPassword, {}, {}};
    return encode(hello);
}

} // namespace

class HardeningTest : public chat::test::HubTestBase
{
    Q_OBJECT
private slots:
    void init() { QVERIFY(startHub()); }
    void cleanup();

    void tokenBucket_data();
    void tokenBucket();
    void addressGroups_data();
    void addressGroups();
    void limitsCount();
    void originNormalised_data();
    void originNormalised();
    void secretFile_data();
    void secretFile();
    void secretComparison_data();
    void secretComparison();

    void overTheRateIsRefusedNotAccepted();
    void floodingOnIsClosedWith1008();
    void silentClientIsClosed();
    void answeringClientsStay_data();
    void answeringClientsStay();
    void totalCapRefusesWith503BeforeTheUpgrade();
    void perAddressCapClosesAtAccept();
    void originCheck_data();
    void originCheck();
    void longWelcomeWithNonAsciiTextArrives();

private:
    RawWsClient *newRaw();
    // A joined client that does not ask for the lobby's members (so its hello is the only
    // message it has sent), or nullptr.
    TestClient *joinUnwatched(const QString &nick);
    std::vector<std::unique_ptr<RawWsClient>> m_raw;
};

RawWsClient *HardeningTest::newRaw()
{
    m_raw.push_back(std::make_unique<RawWsClient>());
    return m_raw.back().get();
}

TestClient *HardeningTest::joinUnwatched(const QString &nick)
{
    TestClient *client = newClient();
    client->setWatchLobby(false);
    return client->open(url()) && client->helloAndWait(nick) ? client : nullptr;
}

void HardeningTest::cleanup()
{
    verifyClientsHealthy();
    m_raw.clear();
    stopClients();
    // Every connection's count is given back once its socket is gone.
    QTRY_COMPARE(hub().openConnectionCount(), 0);
    stopAll();
}

void HardeningTest::tokenBucket_data()
{
    QTest::addColumn<double>("rate");
    QTest::addColumn<int>("burst");
    QTest::addColumn<QList<qint64>>("times");
    QTest::addColumn<QString>("verdicts"); // A accept, R reject, D disconnect
    QTest::addRow("burst at once, then refusals")
        << 10.0 << 3 << QList<qint64>{0, 0, 0, 0, 0} << QStringLiteral("AAARR");
    QTest::addRow("refills at the rate")
        << 10.0 << 1 << QList<qint64>{0, 50, 100, 150, 200} << QStringLiteral("ARARA");
    QTest::addRow("refill is capped at the burst")
        << 10.0 << 2 << QList<qint64>{0, 10000, 10000, 10000} << QStringLiteral("AAAR");
    QTest::addRow("strikes in a row disconnect (3x burst = 6)")
        << 1.0 << 2 << QList<qint64>{0, 0, 1, 2, 3, 4, 5, 6, 7} << QStringLiteral("AARRRRRRD");
    QTest::addRow("an accepted message resets the strikes")
        << 1.0 << 1 << QList<qint64>{0, 1, 2, 1002, 1003, 1004, 1005} << QStringLiteral("ARRARRR");
    QTest::addRow("rate 0: no limit")
        << 0.0 << 1 << QList<qint64>{0, 0, 0, 0, 0, 0} << QStringLiteral("AAAAAA");
    QTest::addRow("clock going back changes nothing")
        << 10.0 << 1 << QList<qint64>{1000, 0, 1100} << QStringLiteral("ARA");
}

void HardeningTest::tokenBucket()
{
    QFETCH(double, rate);
    QFETCH(int, burst);
    QFETCH(QList<qint64>, times);
    QFETCH(QString, verdicts);
    RateLimiter limiter(rate, burst, 3 * burst);
    QString got;
    for (qint64 t : times) {
        switch (limiter.take(t)) {
        case RateLimiter::Verdict::Accept:
            got += u'A';
            break;
        case RateLimiter::Verdict::Reject:
            got += u'R';
            break;
        case RateLimiter::Verdict::Disconnect:
            got += u'D';
            break;
        }
    }
    QCOMPARE(got, verdicts);
}

void HardeningTest::addressGroups_data()
{
    QTest::addColumn<QString>("address");
    QTest::addColumn<QString>("group");
    QTest::addRow("IPv4") << QStringLiteral("192.0.2.7") << QStringLiteral("192.0.2.7");
    QTest::addRow("IPv4-mapped IPv6 counts as IPv4")
        << QStringLiteral("::ffff:192.0.2.7") << QStringLiteral("192.0.2.7");
    QTest::addRow("IPv6 by its /64") << QStringLiteral("2001:db8:1:2:aaaa:bbbb:cccc:dddd")
                                     << QStringLiteral("2001:db8:1:2::/64");
    QTest::addRow("another host in the same /64")
        << QStringLiteral("2001:db8:1:2::1") << QStringLiteral("2001:db8:1:2::/64");
    QTest::addRow("loopback IPv6") << QStringLiteral("::1") << QStringLiteral("::/64");
}

void HardeningTest::addressGroups()
{
    QFETCH(QString, address);
    QFETCH(QString, group);
    QCOMPARE(ConnectionLimits::addressKey(QHostAddress(address)), group);
}

void HardeningTest::limitsCount()
{
    ConnectionLimits limits(3, 2);
    const QHostAddress a(QStringLiteral("192.0.2.1"));
    const QHostAddress b(QStringLiteral("2001:db8::1"));
    const QHostAddress bSameNet(QStringLiteral("2001:db8::2"));
    QCOMPARE(limits.check(a), ConnectionLimits::Verdict::Admit);
    limits.add(a);
    limits.add(a);
    QCOMPARE(limits.check(a), ConnectionLimits::Verdict::AddressFull);
    QCOMPARE(limits.check(b), ConnectionLimits::Verdict::Admit);
    limits.add(b);
    QCOMPARE(limits.check(b), ConnectionLimits::Verdict::ServerFull);
    limits.remove(a);
    QCOMPARE(limits.total(), 2);
    limits.add(bSameNet);
    QCOMPARE(limits.count(b), 2);
    limits.remove(QHostAddress(QStringLiteral("198.51.100.9"))); // never added: ignored
    QCOMPARE(limits.total(), 3);
    for (const QHostAddress &address : {a, b, bSameNet})
        limits.remove(address);
    QCOMPARE(limits.total(), 0);
    QCOMPARE(limits.count(a), 0);
    ConnectionLimits unlimited(0, 0);
    for (int i = 0; i < 100; ++i)
        unlimited.add(a);
    QCOMPARE(unlimited.check(a), ConnectionLimits::Verdict::Admit);
}

void HardeningTest::originNormalised_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("origin"); // empty: not an origin
    QTest::addRow("as browsers send it")
        << QStringLiteral("https://chat.example.org") << QStringLiteral("https://chat.example.org");
    QTest::addRow("letter case") << QStringLiteral("HTTPS://Chat.Example.ORG")
                                 << QStringLiteral("https://chat.example.org");
    QTest::addRow("default port dropped") << QStringLiteral("https://chat.example.org:443")
                                          << QStringLiteral("https://chat.example.org");
    QTest::addRow("other port kept")
        << QStringLiteral("http://localhost:8080") << QStringLiteral("http://localhost:8080");
    QTest::addRow("trailing slash")
        << QStringLiteral("http://localhost/") << QStringLiteral("http://localhost");
    QTest::addRow("IPv6 host") << QStringLiteral("http://[::1]:8080")
                               << QStringLiteral("http://[::1]:8080");
    QTest::addRow("a path is not an origin")
        << QStringLiteral("https://a.example/chat") << QString();
    QTest::addRow("null") << QStringLiteral("null") << QString();
    QTest::addRow("file scheme") << QStringLiteral("file:///tmp/x.html") << QString();
    QTest::addRow("no scheme") << QStringLiteral("chat.example.org") << QString();
    QTest::addRow("user info") << QStringLiteral("https://me@chat.example.org") << QString();
}

void HardeningTest::originNormalised()
{
    QFETCH(QString, text);
    QFETCH(QString, origin);
    QCOMPARE(chat::server::normalizeOrigin(text), origin);
}

void HardeningTest::secretFile_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("secret"); // empty: refused
    QTest::addRow("plain") << QByteArray("s3cret") << QStringLiteral("s3cret");
    QTest::addRow("trailing newline") << QByteArray("s3cret\n") << QStringLiteral("s3cret");
    QTest::addRow("trailing CRLF") << QByteArray("s3cret\r\n") << QStringLiteral("s3cret");
    QTest::addRow("inner spaces kept") << QByteArray("a b c\n") << QStringLiteral("a b c");
    QTest::addRow("UTF-8") << QByteArray("g\xC3\xA9heim\n") << QStringLiteral("g\u00e9heim");
    QTest::addRow("empty") << QByteArray() << QString();
    QTest::addRow("only a newline") << QByteArray("\n") << QString();
    QTest::addRow("too long") << QByteArray(kMaxTokenChars + 1, 'x') << QString();
    QTest::addRow("longest") << QByteArray(kMaxTokenChars, 'x') << QString(kMaxTokenChars, u'x');
}

void HardeningTest::secretFile()
{
    QFETCH(QByteArray, content);
    QFETCH(QString, secret);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("token"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(content);
    file.close();
    QString read;
    const QString problem = chat::server::readSecretFile(path, kMaxTokenChars, &read);
    if (secret.isEmpty()) {
        QVERIFY(!problem.isEmpty());
        QVERIFY2(problem.contains(path), qPrintable(problem));
        QVERIFY(read.isEmpty());
    } else {
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        QCOMPARE(read, secret);
    }
    QVERIFY(!chat::server::readSecretFile(dir.filePath(QStringLiteral("missing")), 10, &read)
                 .isEmpty());
}

void HardeningTest::secretComparison_data()
{
    QTest::addColumn<QString>("expected");
    QTest::addColumn<QString>("offered");
    QTest::addColumn<bool>("same");
    QTest::addRow("equal") << QStringLiteral("s3cret") << QStringLiteral("s3cret") << true;
    QTest::addRow("prefix") << QStringLiteral("s3cret") << QStringLiteral("s3c") << false;
    QTest::addRow("longer") << QStringLiteral("s3cret") << QStringLiteral("s3cret!") << false;
    QTest::addRow("one letter off")
        << QStringLiteral("s3cret") << QStringLiteral("s3creT") << false;
    QTest::addRow("nothing offered") << QStringLiteral("s3cret") << QString() << false;
    QTest::addRow("no secret set never matches") << QString() << QString() << false;
}

void HardeningTest::secretComparison()
{
    QFETCH(QString, expected);
    QFETCH(QString, offered);
    QFETCH(bool, same);
    QCOMPARE(chat::server::sameSecret(expected, offered), same);
}

void HardeningTest::overTheRateIsRefusedNotAccepted()
{
    auto config = testConfig();
    config.ratePerSecond = 0.01; // one token per 100 s: nothing refills during the test
    config.rateBurst = 5;
    QVERIFY(startHub(config));
    // The hello takes one token; the flooder asks for no member list, which would take one more.
    TestClient *flooder = joinUnwatched(QStringLiteral("flooder"));
    TestClient *witness = join(QStringLiteral("witness"));
    QVERIFY(flooder && witness);
    QStringList ids;
    for (int i = 0; i < 7; ++i)
        ids.append(flooder->send(QStringLiteral("message %1").arg(i)));
    QVERIFY(flooder->waitForErrors(3));
    QVERIFY(flooder->waitForMessages(4));
    for (int i = 0; i < 3; ++i) {
        QCOMPARE(flooder->errors()[i].code, ErrorCode::RateLimited);
        QCOMPARE(flooder->errors()[i].ref, ids[4 + i]);
        QVERIFY(!flooder->errors()[i].message.isEmpty());
    }
    QVERIFY(barrier(witness)); // the flooder's sends were all handled before this ping
    QCOMPARE(witness->messages().size(), 4);
    for (int i = 0; i < 4; ++i)
        QCOMPARE(witness->messages()[i].id, ids[i]);
    QCOMPARE(hub().lastSeq(), qint64(4));
    QVERIFY(flooder->isOpen());
}

void HardeningTest::floodingOnIsClosedWith1008()
{
    auto config = testConfig();
    config.ratePerSecond = 0.01;
    config.rateBurst = 2; // the hello and one send; then 6 refusals; the 7th closes
    QVERIFY(startHub(config));
    TestClient *flooder = joinUnwatched(QStringLiteral("flooder"));
    TestClient *witness = join(QStringLiteral("witness")); // the hello and the member list
    QVERIFY(flooder && witness);
    for (int i = 0; i < 20; ++i)
        flooder->send(QStringLiteral("flood %1").arg(i));
    QVERIFY(flooder->waitForDisconnected());
    QCOMPARE(flooder->closeCode(), QWebSocketProtocol::CloseCodePolicyViolated);
    QVERIFY2(flooder->closeReason().contains(QLatin1String("too many messages")),
             qPrintable(flooder->closeReason()));
    QCOMPARE(flooder->errors().size(), 7);
    QCOMPARE(flooder->messages().size(), 1);
    QVERIFY(witness->waitForLeave(QStringLiteral("flooder")));
    QCOMPARE(witness->messages().size(), 1);
}

void HardeningTest::silentClientIsClosed()
{
    auto config = testConfig();
    config.pingIntervalMs = 200;
    QVERIFY(startHub(config));
    TestClient *witness = join(QStringLiteral("witness"));
    RawWsClient *dead = newRaw();
    QVERIFY(witness && dead->open(hub().port()));
    dead->setAnswerPings(false); // like a peer whose network vanished
    dead->sendText(helloFrame(QStringLiteral("dead")));
    QElapsedTimer sinceHello;
    sinceHello.start();
    QVERIFY(dead->waitForClosed(5000));
    const qint64 took = sinceHello.elapsed();
    QCOMPARE(dead->closeCode(), int(QWebSocketProtocol::CloseCodeGoingAway));
    QCOMPARE(dead->closeReason(), QStringLiteral("no answer to pings"));
    QVERIFY(dead->pingsReceived() >= 1);
    // Silent for more than 1.5 intervals when the timer fires: between 300 and 500 ms, and
    // some slack for a loaded machine. Never before 1.5 intervals (less timer coarseness).
    QVERIFY2(took >= 280 && took < 3000, qPrintable(QString::number(took)));
    QVERIFY(witness->waitForLeave(QStringLiteral("dead")));
    QVERIFY(witness->isOpen());
}

void HardeningTest::answeringClientsStay_data()
{
    QTest::addColumn<bool>("answersPings");
    QTest::addColumn<bool>("sendsAppPings");
    QTest::addRow("answers WebSocket pings") << true << false;
    QTest::addRow("only sends application pings") << false << true;
}

void HardeningTest::answeringClientsStay()
{
    QFETCH(bool, answersPings);
    QFETCH(bool, sendsAppPings);
    auto config = testConfig();
    config.pingIntervalMs = 200;
    QVERIFY(startHub(config));
    RawWsClient *client = newRaw();
    QVERIFY(client->open(hub().port()));
    client->setAnswerPings(answersPings);
    client->sendText(helloFrame(QStringLiteral("alive")));
    QTimer appPings;
    int pingId = 0;
    connect(&appPings, &QTimer::timeout, this,
            [&] { client->sendText(encode(Ping{QString::number(++pingId)})); });
    if (sendsAppPings)
        appPings.start(100);
    // Five intervals: a silent client would have been closed three times over.
    QVERIFY(!client->waitFor([client] { return client->isClosed(); }, 1000));
    QVERIFY(client->pingsReceived() >= 3);
    QCOMPARE(hub().onlineCount(), 1);
    // A real QWebSocket answers pings by itself.
    TestClient *ordinary = join(QStringLiteral("ordinary"));
    QVERIFY(ordinary);
    QSignalSpy closed(ordinary, &TestClient::disconnected);
    QVERIFY(!closed.wait(700));
}

void HardeningTest::totalCapRefusesWith503BeforeTheUpgrade()
{
    auto config = testConfig();
    config.maxConnections = 2;
    QVERIFY(startHub(config));
    TestClient *first = join(QStringLiteral("first"));
    TestClient *second = join(QStringLiteral("second"));
    QVERIFY(first && second);

    RawWsClient *third = newRaw();
    QVERIFY(third->connectTo(hub().port()));
    QVERIFY(!third->upgrade());
    QVERIFY2(third->refusal().startsWith("HTTP/1.1 503 "), third->refusal().constData());
    QVERIFY(third->refusal().contains("try again later"));
    QVERIFY(third->waitForClosed());
    TestClient fourth;                  // not checked for health: its socket error is the point
    QVERIFY(!fourth.open(url(), 3000)); // a QWebSocket sees the upgrade fail
    QCOMPARE(fourth.socketErrors(), 1);
    QCOMPARE(hub().connectionCount(), 2);
    QVERIFY(first->waitForUsers({QStringLiteral("first"), QStringLiteral("second")}));
    QVERIFY(barrier(first));
    QStringList others = first->joinsSeen(); // its own arrival is in its member list
    others.removeAll(QStringLiteral("first"));
    QCOMPARE(others, QStringList{QStringLiteral("second")}); // no one else got in

    first->close();
    QTRY_COMPARE(hub().openConnectionCount(), 1);
    TestClient *later = join(QStringLiteral("later"));
    QVERIFY(later);
    QCOMPARE(hub().onlineCount(), 2);
}

void HardeningTest::perAddressCapClosesAtAccept()
{
    auto config = testConfig();
    config.maxConnectionsPerAddress = 2;
    QVERIFY(startHub(config));
    TestClient *first = join(QStringLiteral("first"));
    TestClient *second = join(QStringLiteral("second"));
    QVERIFY(first && second);

    // Closed before any work: no upgrade, no close frame, no reason.
    TestClient third; // not checked for health: its socket error is the point
    QVERIFY(!third.open(url(), 3000));
    QVERIFY(!third.welcome());
    RawWsClient *bare = newRaw();
    QVERIFY(bare->connectTo(hub().port()));
    QVERIFY(bare->waitForClosed());
    QVERIFY(bare->refusal().isEmpty());
    QCOMPARE(hub().openConnectionCount(), 2);

    // Another address is not affected.
    RawWsClient *elsewhere = newRaw();
    QVERIFY(elsewhere->open(hub().port(), QHostAddress(QStringLiteral("127.0.0.2"))));
    elsewhere->sendText(helloFrame(QStringLiteral("elsewhere")));
    QVERIFY(elsewhere->waitFor(
        [elsewhere] { return !elsewhere->texts().isEmpty() || elsewhere->isClosed(); }));
    QVERIFY(elsewhere->texts().constFirst().contains("\"welcome\""));
    QCOMPARE(hub().onlineCount(), 3);

    second->close();
    QTRY_COMPARE(hub().openConnectionCount(), 2);
    QVERIFY(join(QStringLiteral("again")));
}

void HardeningTest::originCheck_data()
{
    QTest::addColumn<QByteArray>("origin"); // empty: no Origin header
    QTest::addColumn<bool>("allowed");
    QTest::addRow("no Origin: not a browser") << QByteArray() << true;
    QTest::addRow("listed") << QByteArray("https://chat.example.org") << true;
    QTest::addRow("listed, other letter case") << QByteArray("HTTPS://Chat.Example.org") << true;
    QTest::addRow("listed, with default port")
        << QByteArray("https://chat.example.org:443") << true;
    QTest::addRow("second listed") << QByteArray("http://localhost:8080") << true;
    QTest::addRow("other site") << QByteArray("https://evil.example") << false;
    QTest::addRow("other scheme") << QByteArray("http://chat.example.org") << false;
    QTest::addRow("suffix trick") << QByteArray("https://chat.example.org.evil.example") << false;
    QTest::addRow("other port") << QByteArray("http://localhost:8081") << false;
    QTest::addRow("null (sandboxed page)") << QByteArray("null") << false;
}

void HardeningTest::originCheck()
{
    QFETCH(QByteArray, origin);
    QFETCH(bool, allowed);
    auto config = testConfig();
    config.allowedOrigins = {QStringLiteral("https://chat.example.org"),
                             QStringLiteral("http://localhost:8080")};
    QVERIFY(startHub(config));
    TestClient *client = newClient();
    QNetworkRequest request(url());
    if (!origin.isEmpty())
        request.setRawHeader("Origin", origin);
    if (allowed) {
        QVERIFY(client->open(request));
        QVERIFY(client->helloAndWait(QStringLiteral("visitor")));
    } else {
        client->openAsync(request);
        QVERIFY(client->waitForDisconnected());
        QCOMPARE(client->closeCode(), QWebSocketProtocol::CloseCodePolicyViolated);
        QVERIFY2(client->closeReason().contains(QLatin1String("origin")),
                 qPrintable(client->closeReason()));
        QCOMPARE(hub().connectionCount(), 0);
    }
}

// Qt 6.4 splits long text messages into 512 KiB frames through UTF-8 sequences, and its own
// receiver then rejects them (1007): the hub sends every message as one frame, a resume's long
// welcome and a long history page alike.
void HardeningTest::longWelcomeWithNonAsciiTextArrives()
{
    auto config = testConfig();
    config.ratePerSecond = 0;
    config.maxWelcomeHistoryBytes = 0;        // an operator who wants long welcomes
    config.maxOutboxBytes = 16 * 1024 * 1024; // ... and lets them through
    QVERIFY(startHub(config));
    TestClient *talker = join(QStringLiteral("talker"));
    QVERIFY(talker);
    const QString text = QString(3999, QChar(0x20AC)) + QStringLiteral("x"); // 12 KB in UTF-8
    for (int i = 0; i < 200; ++i)
        talker->send(text);
    QVERIFY(talker->waitForMessages(200, 20000));

    // A resume from the start: a welcome of 2.4 MB.
    TestClient *late = newClient();
    QVERIFY(late->open(url()));
    QVERIFY(late->helloAndWait(QStringLiteral("late"), qint64(0)));
    QVERIFY(late->welcome()->resumed);
    QCOMPARE(late->welcome()->history.size(), 200);
    QCOMPARE(late->welcome()->history.constLast().text, text);
    QCOMPARE(late->welcome()->history, talker->messages());

    // The same 200 as one page of history: 2.4 MB again.
    const std::optional<ServerMessage> answer =
        late->request(LoadHistory{QStringLiteral("h1"), defaultRoom(), 0, kMaxPageSize});
    QVERIFY(answer);
    const auto *page = std::get_if<HistoryPage>(&*answer);
    QVERIFY(page);
    QCOMPARE(page->messages.size(), 200);
    QCOMPARE(page->messages, talker->messages());
    QVERIFY(late->isOpen());
}

CHAT_SERVER_TEST_MAIN(HardeningTest)
#include "tst_hardening.moc"
