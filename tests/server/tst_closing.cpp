// A close made by the server reaches the peer whole: every frame written before it, the close
// frame itself, or an HTTP refusal, even when the peer is still sending and reads slowly. A
// server that closed its socket with the peer's bytes unread would make the kernel send a reset,
// and the peer would lose everything it had not read yet (RFC 6455 §7.1.1; lingeringsocket.h).
#include "hubtestbase.h"
#include "servertestmain.h"
#include "rawwsclient.h"
#include "slowpeer.h"

using chat::test::RawWsClient;
using chat::test::SlowPeer;
using chat::test::TestClient;

namespace {

// How often each case runs: a lost close used to show in most tries, not in every one.
constexpr int kRounds = 50;

QByteArray textFrame(const QByteArray &json)
{
    return RawWsClient::frame(RawWsClient::Text, json);
}

int countContaining(const QList<QByteArray> &texts, const QByteArray &part)
{
    return int(std::count_if(texts.cbegin(), texts.cend(),
                             [&part](const QByteArray &text) { return text.contains(part); }));
}

// Names the round in a failure message; kept alive until the end of the full expression.
QByteArray roundName(int round, const char *what = "")
{
    return QByteArrayLiteral("round ") + QByteArray::number(round) + what;
}

} // namespace

class ClosingTest : public chat::test::HubTestBase
{
    Q_OBJECT
private slots:
    void init() { QVERIFY(startHub()); }
    void cleanup() { stopAll(); }
    void rateLimitCloseArrivesWhole();
    void refusedHelloArrivesWhole();
    void tooLargeFrameCloseArrives();
    void httpRefusalArrivesWhole();
    void peerThatNeverClosesIsCutAtTheDeadline();

private:
    // Writes `first`, goes on writing `more` while the server closes, then reads everything.
    static bool writeThenReadToTheEnd(SlowPeer *peer, const QByteArray &first,
                                      const QByteArray &more, int count = 200);
};

bool ClosingTest::writeThenReadToTheEnd(SlowPeer *peer, const QByteArray &first,
                                        const QByteArray &more, int count)
{
    if (!peer->write(first))
        return false;
    peer->writeInBackground(more, count);
    return peer->waitForWriter() && peer->readToTheEnd();
}

void ClosingTest::rateLimitCloseArrivesWhole()
{
    auto config = testConfig();
    config.ratePerSecond = 0.01; // nothing refills during a round
    config.rateBurst = 5;        // the hello and 4 sends; 15 refusals, the 16th closes
    QVERIFY(startHub(config));
    // A token hello is answered at once; a registration would hash a password on a worker
    // thread, and the sends behind it would get not_joined instead of being counted.
    QString reason;
    const QString token =
        hub().accounts()->createToken(QStringLiteral("flooder"), QStringLiteral("test"), &reason);
    QVERIFY2(!token.isEmpty(), qPrintable(reason));
    for (int round = 0; round < kRounds; ++round) {
        QByteArray burst = textFrame(RawWsClient::helloJson(QStringLiteral("flooder"), token));
        for (int i = 0; i < 25; ++i)
            burst += textFrame(RawWsClient::sendJson(QStringLiteral("r%1-%2").arg(round).arg(i),
                                                     QStringLiteral("flood")));
        SlowPeer flooder;
        QVERIFY(flooder.open(hub().port()));
        const QByteArray late =
            textFrame(RawWsClient::sendJson(QStringLiteral("late"), QStringLiteral("x")));
        QVERIFY2(writeThenReadToTheEnd(&flooder, burst, late), roundName(round).constData());
        const QList<QByteArray> texts = flooder.texts();
        QVERIFY2(!texts.isEmpty() && texts.constFirst().contains("\"welcome\""),
                 roundName(round, ": no welcome").constData());
        const QList<QByteArray> afterWelcome = texts.mid(1); // its history has messages too
        QCOMPARE(countContaining(afterWelcome, "\"type\":\"message\""), 4);
        QCOMPARE(countContaining(afterWelcome, "\"rate_limited\""), 16);
        QCOMPARE(flooder.closeCode(), int(QWebSocketProtocol::CloseCodePolicyViolated));
        QVERIFY2(!flooder.wasReset(), roundName(round).constData());
    }
    QTRY_COMPARE(hub().connectionCount(), 0);
}

void ClosingTest::refusedHelloArrivesWhole()
{
    auto config = testConfig();
    config.ratePerSecond = 0;
    QVERIFY(startHub(config));
    TestClient *alice = join(QStringLiteral("alice"));
    QVERIFY(alice);
    for (int round = 0; round < kRounds; ++round) {
        // Sends before the hello: each gets not_joined, more than the peer's window takes. The
        // hello registers the name alice holds: refused at once with name_taken, then a close.
        QByteArray burst;
        for (int i = 0; i < 30; ++i)
            burst += textFrame(RawWsClient::sendJson(QString::number(i), QStringLiteral("me")));
        burst += textFrame(RawWsClient::helloJson(QStringLiteral("alice")));
        for (int i = 0; i < 5; ++i)
            burst += textFrame(RawWsClient::sendJson(QString::number(i), QStringLiteral("me")));
        SlowPeer impostor;
        QVERIFY(impostor.open(hub().port()));
        QVERIFY2(writeThenReadToTheEnd(&impostor, burst,
                                       textFrame(RawWsClient::sendJson(QStringLiteral("more"),
                                                                       QStringLiteral("me")))),
                 roundName(round).constData());
        QCOMPARE(countContaining(impostor.texts(), "\"not_joined\""), 30);
        QVERIFY2(countContaining(impostor.texts(), "\"name_taken\"") == 1,
                 roundName(round, ": no name_taken").constData());
        QCOMPARE(impostor.closeCode(), int(QWebSocketProtocol::CloseCodePolicyViolated));
        QVERIFY2(!impostor.wasReset(), roundName(round).constData());
    }
    QVERIFY(barrier(alice));
    QVERIFY(alice->messages().isEmpty());
}

void ClosingTest::tooLargeFrameCloseArrives()
{
    // QWebSocket closes on its own with 1009 when a frame announces more than the limit; the
    // rest of that frame is still on its way.
    auto config = testConfig();
    config.maxMessageBytes = 4096;
    QVERIFY(startHub(config));
    const QByteArray big = textFrame(QByteArray(64 * 1024, 'a'));
    const qsizetype part = big.size() / 8;
    // Pings first: their pongs are more than the peer's window takes.
    const QByteArray pings =
        RawWsClient::frame(RawWsClient::Ping, QByteArray(120, 'p')).repeated(30);
    for (int round = 0; round < kRounds; ++round) {
        SlowPeer sender;
        QVERIFY(sender.open(hub().port()));
        QVERIFY2(
            writeThenReadToTheEnd(&sender, pings + big.left(part), big.mid(part, part / 16), 100),
            roundName(round).constData());
        QCOMPARE(sender.pongCount(), 30);
        QCOMPARE(sender.closeCode(), int(QWebSocketProtocol::CloseCodeTooMuchData));
        QVERIFY2(!sender.wasReset(), roundName(round).constData());
    }
}

void ClosingTest::httpRefusalArrivesWhole()
{
    // A head over the 8 KiB limit, and more header lines after it.
    const QByteArray line = QByteArrayLiteral("X-Filler: ") + QByteArray(500, 'x') + "\r\n";
    const QByteArray head =
        QByteArrayLiteral("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n") + line.repeated(20);
    for (int round = 0; round < kRounds; ++round) {
        SlowPeer client;
        QVERIFY(client.open(hub().port(), false));
        QVERIFY2(writeThenReadToTheEnd(&client, head, line), roundName(round).constData());
        QVERIFY2(client.received().startsWith("HTTP/1.1 431 "),
                 QByteArray(roundName(round, ": ") + client.received().left(40)).constData());
        QVERIFY2(!client.wasReset(), roundName(round).constData());
    }
}

void ClosingTest::peerThatNeverClosesIsCutAtTheDeadline()
{
    // Lingering is bounded: a peer that neither reads nor closes is cut 5 s after the close.
    auto config = testConfig();
    config.helloTimeoutMs = 100;
    QVERIFY(startHub(config));
    SlowPeer silent;
    QVERIFY(silent.open(hub().port()));
    QTRY_COMPARE_WITH_TIMEOUT(hub().openConnectionCount(), 0, 15000);
}

CHAT_SERVER_TEST_MAIN(ClosingTest)
#include "tst_closing.moc"
