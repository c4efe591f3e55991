// The hub's connection limits with real sockets: frame size, upgrade and hello deadlines,
// clients vanishing mid-broadcast, every socket freed, and a burst of connections.
#include "hubtestbase.h"
#include "servertestmain.h"

#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>
#include <QWebSocket>

using namespace chat::proto;
using chat::test::TestClient;

class HubLimitsTest : public chat::test::HubTestBase
{
    Q_OBJECT
private slots:
    void init() { QVERIFY(startHub()); }
    void cleanup()
    {
        verifyClientsHealthy();
        stopAll();
    }

    void frameOverLimitClosesWith1009();
    void stalledUpgradeIsClosed();
    void helloTimeoutCloses();
    void everySocketIsFreed();
    void clientsVanishingWhileOthersTalk();
    void burstOfConnections();
};

void HubLimitsTest::frameOverLimitClosesWith1009()
{
    TestClient *big = join(QStringLiteral("big"));
    TestClient *other = join(QStringLiteral("other"));
    QVERIFY(big && other);
    big->sendRaw(QString(70 * 1024, u'x'));
    QVERIFY(big->waitForDisconnected());
    QCOMPARE(big->closeCode(), QWebSocketProtocol::CloseCodeTooMuchData);
    QVERIFY(other->waitForLeave(QStringLiteral("big")));
    QTRY_COMPARE(hub().connectionCount(), 1);
}

void HubLimitsTest::stalledUpgradeIsClosed()
{
    auto config = testConfig();
    config.handshakeTimeoutMs = 500;
    QVERIFY(startHub(config));

    // A proper client first: its upgrade finishes, so the deadline must not cut it later.
    TestClient *early = join(QStringLiteral("early"));
    QVERIFY(early);

    QTcpSocket raw;
    QSignalSpy rawConnected(&raw, &QTcpSocket::connected);
    QSignalSpy rawClosed(&raw, &QTcpSocket::disconnected);
    raw.connectToHost(QHostAddress::LocalHost, hub().port());
    QVERIFY(rawConnected.wait());
    raw.write("GET / HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"); // and then nothing
    QTRY_COMPARE(hub().pendingHandshakeCount(), 1);
    QVERIFY(rawClosed.wait(5000));
    QTRY_COMPARE(hub().pendingHandshakeCount(), 0);
    QCOMPARE(hub().connectionCount(), 1);

    // More than the deadline has passed since `early` connected: it must still be served.
    early->send(QStringLiteral("still connected"));
    QVERIFY(early->waitForMessages(1));
    QVERIFY(early->isOpen());
}

void HubLimitsTest::helloTimeoutCloses()
{
    auto config = testConfig();
    config.helloTimeoutMs = 300;
    QVERIFY(startHub(config));
    TestClient *silent = connectClient();
    QVERIFY(silent);
    QVERIFY(silent->waitForDisconnected());
    QCOMPARE(silent->closeCode(), QWebSocketProtocol::CloseCodePolicyViolated);
    QTRY_COMPARE(hub().connectionCount(), 0);

    // One that says hello in time stays.
    TestClient *polite = join(QStringLiteral("polite"));
    QVERIFY(polite);
    QSignalSpy closed(polite, &TestClient::disconnected);
    QVERIFY(!closed.wait(600));
    QVERIFY(polite->isOpen());
}

// Sockets live under the hub until it is destroyed; every way a connection can end must free
// them right away, or a long-running server would grow without bound.
void HubLimitsTest::everySocketIsFreed()
{
    auto config = testConfig();
    config.handshakeTimeoutMs = 300;
    config.helloTimeoutMs = 300;
    QVERIFY(startHub(config));

    TestClient *polite = join(QStringLiteral("polite"));
    TestClient *dropped = join(QStringLiteral("dropped"));
    TestClient *refused = connectClient();
    TestClient *silent = connectClient();
    TestClient *oversized = join(QStringLiteral("oversized"));
    QVERIFY(polite && dropped && refused && silent && oversized);
    polite->close();
    dropped->abort();
    refused->sendHello(QString());
    oversized->sendRaw(QString(70 * 1024, u'x'));

    QTcpSocket stalled;
    QTcpSocket garbage;
    QTcpSocket quiet;
    for (QTcpSocket *raw : {&stalled, &garbage, &quiet}) {
        QSignalSpy connected(raw, &QTcpSocket::connected);
        raw->connectToHost(QHostAddress::LocalHost, hub().port());
        QVERIFY(connected.wait());
    }
    stalled.write("GET / HTTP/1.1\r\n");
    garbage.write("NOT HTTP AT ALL\r\n\r\n");
    quiet.disconnectFromHost();

    for (TestClient *client : {refused, silent, oversized})
        QVERIFY(client->waitForDisconnected());
    for (QTcpSocket *raw : {&stalled, &garbage}) {
        if (raw->state() != QAbstractSocket::UnconnectedState) {
            QSignalSpy closed(raw, &QTcpSocket::disconnected);
            QVERIFY(closed.wait());
        }
    }
    QTRY_COMPARE(hub().connectionCount(), 0);
    QTRY_COMPARE(hub().pendingHandshakeCount(), 0);
    QTRY_COMPARE(hub().findChildren<QAbstractSocket *>().size(), 0);
    QTRY_COMPARE(hub().findChildren<QWebSocket *>().size(), 0);
    QCOMPARE(hub().onlineCount(), 0);
}

void HubLimitsTest::clientsVanishingWhileOthersTalk()
{
    QList<TestClient *> stayers;
    QList<TestClient *> leavers;
    for (int i = 0; i < 10; ++i) {
        stayers.append(join(QStringLiteral("stay%1").arg(i)));
        leavers.append(join(QStringLiteral("leave%1").arg(i)));
        QVERIFY(stayers.constLast() && leavers.constLast());
    }
    // Interleave abrupt drops (no close frame) with sends, so broadcasts meet dying sockets.
    for (int i = 0; i < 10; ++i) {
        leavers[i]->abort();
        stayers[i]->send(QStringLiteral("message %1").arg(i));
    }
    for (TestClient *client : stayers) {
        QVERIFY(client->waitForMessages(10));
        QVERIFY(barrier(client));
        QCOMPARE(client->messages().size(), 10);
    }
    QTRY_COMPARE(hub().onlineCount(), 10);
    QTRY_COMPARE(hub().connectionCount(), 10);
}

void HubLimitsTest::burstOfConnections()
{
    constexpr int kClients = 300;
    QList<TestClient *> clients;
    for (int i = 0; i < kClients; ++i) {
        clients.append(newClient());
        clients.constLast()->openAsync(url());
    }
    const auto openCount = [&] {
        return int(std::count_if(clients.cbegin(), clients.cend(),
                                 [](const TestClient *c) { return c->isOpen(); }));
    };
    QTRY_COMPARE_WITH_TIMEOUT(openCount(), kClients, 20000);
    for (int i = 0; i < kClients; ++i)
        clients[i]->sendHello(QStringLiteral("burst%1").arg(i));
    const auto welcomed = [&] {
        return int(std::count_if(clients.cbegin(), clients.cend(),
                                 [](const TestClient *c) { return c->welcome().has_value(); }));
    };
    QTRY_COMPARE_WITH_TIMEOUT(welcomed(), kClients, 20000);
    QCOMPARE(hub().onlineCount(), kClients);
    QCOMPARE(hub().connectionCount(), kClients);
    for (const TestClient *client : clients) {
        QVERIFY(client->errors().isEmpty());
        QVERIFY(!client->wasClosed());
    }
}

CHAT_SERVER_TEST_MAIN(HubLimitsTest)
#include "tst_hublimits.moc"
