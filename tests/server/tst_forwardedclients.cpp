// --trusted-proxy end to end: a real chat-server, "proxies" that are sockets bound to 127.0.0.2
// (trusted) and plain ones from 127.0.0.1 (not trusted), both sending X-Forwarded-For or
// Forwarded (--trusted-proxy-header forwarded) by hand. Two clients behind the proxy count as
// two addresses for a per-address limit; the header of an untrusted sender changes nothing;
// garbage from the proxy counts as the proxy and is logged; the proxy's connections that name
// nobody count as the proxy, capped by --max-per-ip like anyone's.
#include "chatserverprocess.h"

#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>

#include <memory>

using chat::test::ChatServerProcess;

namespace {

const QHostAddress kProxy(QStringLiteral("127.0.0.2"));
const QHostAddress kStranger(QStringLiteral("127.0.0.1"));

// A connection from `source` that has sent `request`; what came back once the head is in or
// the server closed.
struct Exchange
{
    std::unique_ptr<QTcpSocket> socket;
    QByteArray received;
    [[nodiscard]] int status() const
    {
        if (!received.startsWith("HTTP/1.1 "))
            return 0; // closed without a word
        return received.mid(9, 3).toInt();
    }
};

// The head and as much body as its Content-Length says (none for a 101) are in.
bool isComplete(const QByteArray &received)
{
    const qsizetype end = received.indexOf("\r\n\r\n");
    if (end < 0)
        return false;
    qsizetype length = 0;
    for (const QByteArray &line : received.first(end).split('\n')) {
        if (line.toLower().startsWith("content-length:"))
            length = line.sliced(15).trimmed().toLongLong();
    }
    return received.size() >= end + 4 + length;
}

Exchange send(const QHostAddress &source, quint16 port, const QByteArray &request)
{
    Exchange result;
    result.socket = std::make_unique<QTcpSocket>();
    QTcpSocket *socket = result.socket.get();
    if (!socket->bind(source)) {
        qWarning("cannot bind to %s: %s", qPrintable(source.toString()),
                 qPrintable(socket->errorString()));
        return result;
    }
    QSignalSpy connected(socket, &QTcpSocket::connected);
    socket->connectToHost(QHostAddress::LocalHost, port);
    if (!connected.wait(5000))
        return result;
    socket->write(request);
    // Until the answer is in or the server closed (a dropped connection sends nothing).
    while (socket->state() == QAbstractSocket::ConnectedState && !isComplete(result.received)) {
        if (!QTest::qWaitFor(
                [socket] {
                    return socket->bytesAvailable() > 0 ||
                           socket->state() != QAbstractSocket::ConnectedState;
                },
                5000))
            break;
        result.received += socket->readAll();
    }
    result.received += socket->readAll();
    return result;
}

QByteArray forwardedFor(const QByteArray &value)
{
    return value.isNull() ? QByteArray() : "X-Forwarded-For: " + value + "\r\n";
}

QByteArray forwarded(const QByteArray &value)
{
    return "Forwarded: " + value + "\r\n";
}

// The server closed the connection without a word (over a per-address limit).
bool wasDropped(const Exchange &exchange)
{
    return exchange.status() == 0 && QTest::qWaitFor([&] {
               return exchange.socket->state() == QAbstractSocket::UnconnectedState;
           });
}

bool isOpen(const Exchange &exchange)
{
    return exchange.socket->state() == QAbstractSocket::ConnectedState;
}

} // namespace

class ForwardedClientsTest : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void connectionsCountPerForwardedClient();
    void signUpsCountPerForwardedClient();
    void forwardedNamesTheClient();
    void proxyConnectionsWithoutHeaderAreCapped();

private:
    [[nodiscard]] std::unique_ptr<ChatServerProcess> start(const QStringList &limits);
    // A WebSocket upgrade; true when it was switched (101), false when dropped.
    [[nodiscard]] Exchange upgrade(const QHostAddress &source, const QByteArray &xff);
    // The same with these header lines ("Name: value\r\n" each).
    [[nodiscard]] Exchange upgradeWith(const QHostAddress &source, const QByteArray &headers);
    // POST /api/register from the page's origin; the status (200, 429, ...).
    [[nodiscard]] int signUp(const QHostAddress &source, const QByteArray &xff,
                             const QByteArray &name);

    std::unique_ptr<ChatServerProcess> m_server;
};

void ForwardedClientsTest::initTestCase()
{
    // Every address of 127.0.0.0/8 is this machine's on Linux; without that, nothing to test.
    QTcpSocket probe;
    if (!probe.bind(kProxy))
        QSKIP("cannot bind to 127.0.0.2 here");
}

std::unique_ptr<ChatServerProcess> ForwardedClientsTest::start(const QStringList &limits)
{
    auto server = std::make_unique<ChatServerProcess>(
        QStringLiteral(CHAT_SERVER_BINARY),
        QStringList{QStringLiteral("--db"), QStringLiteral(":memory:"),
                    QStringLiteral("--trusted-proxy"), QStringLiteral("127.0.0.2"),
                    QStringLiteral("--hash-workers"), QStringLiteral("1"),
                    // The upgraded sockets here never say hello: they hold their place.
                    QStringLiteral("--hello-timeout"), QStringLiteral("600")} +
            limits);
    if (!server->start()) {
        qWarning("%s", qPrintable(server->errorString()));
        return nullptr;
    }
    return server;
}

Exchange ForwardedClientsTest::upgrade(const QHostAddress &source, const QByteArray &xff)
{
    return upgradeWith(source, forwardedFor(xff));
}

Exchange ForwardedClientsTest::upgradeWith(const QHostAddress &source, const QByteArray &headers)
{
    return send(source, m_server->port(),
                "GET / HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(m_server->port()) +
                    "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    "Sec-WebSocket-Version: 13\r\n" +
                    headers + "\r\n");
}

int ForwardedClientsTest::signUp(const QHostAddress &source, const QByteArray &xff,
                                 const QByteArray &name)
{
    const QByteArray body = R"({"name":")" + name + R"(","password":"correct horse"})";
    const QByteArray origin = "http://127.0.0.1:" + QByteArray::number(m_server->port());
    return send(source, m_server->port(),
                "POST /api/register HTTP/1.1\r\nHost: 127.0.0.1:" +
                    QByteArray::number(m_server->port()) + "\r\nOrigin: " + origin +
                    "\r\nContent-Type: application/json\r\nContent-Length: " +
                    QByteArray::number(body.size()) + "\r\n" + forwardedFor(xff) + "\r\n" + body)
        .status();
}

void ForwardedClientsTest::connectionsCountPerForwardedClient()
{
    m_server = start({QStringLiteral("--max-per-ip"), QStringLiteral("1")});
    QVERIFY(m_server);

    // Behind the proxy: one connection each for two clients, a second one for either is over.
    const Exchange first = upgrade(kProxy, "203.0.113.1");
    QCOMPARE(first.status(), 101);
    const Exchange second = upgrade(kProxy, "203.0.113.2");
    QCOMPARE(second.status(), 101);
    const Exchange again = upgrade(kProxy, "198.51.100.9, 203.0.113.1"); // its own claim: skipped
    QCOMPARE(again.status(), 0);
    QTRY_COMPARE(again.socket->state(), QAbstractSocket::UnconnectedState);

    // Not a trusted proxy: it is its one address, whatever it writes.
    const Exchange stranger = upgrade(kStranger, "198.51.100.1");
    QCOMPARE(stranger.status(), 101);
    const Exchange spoofed = upgrade(kStranger, "198.51.100.2");
    QCOMPARE(spoofed.status(), 0);
    // ... and the address it named was not charged.
    const Exchange named = upgrade(kProxy, "198.51.100.1");
    QCOMPARE(named.status(), 101);

    // The first clients are still connected: each kept its own place.
    QVERIFY(first.socket->state() == QAbstractSocket::ConnectedState);
    QVERIFY(second.socket->state() == QAbstractSocket::ConnectedState);
}

void ForwardedClientsTest::signUpsCountPerForwardedClient()
{
    m_server = start({QStringLiteral("--max-registrations-per-address"), QStringLiteral("1"),
                      QStringLiteral("--max-per-ip"), QStringLiteral("0")});
    QVERIFY(m_server);

    QCOMPARE(signUp(kProxy, "203.0.113.1", "alice"), 200);
    QCOMPARE(signUp(kProxy, "203.0.113.2", "bob"), 200);
    QCOMPARE(signUp(kProxy, "1.1.1.1, 203.0.113.1", "carol"), 429);
    QCOMPARE(signUp(kProxy, "[2001:db8::1]:4711", "cleo"), 200);

    QCOMPARE(signUp(kStranger, "198.51.100.1", "dave"), 200);
    QCOMPARE(signUp(kStranger, "198.51.100.2", "erin"), 429);
    QCOMPARE(signUp(kStranger, {}, "erika"), 429);

    // Garbage from the proxy counts as the proxy itself, with a line in the log.
    QCOMPARE(signUp(kProxy, "unknown", "frank"), 200);
    QCOMPARE(signUp(kProxy, "203.0.113.7, not-an-address", "gina"), 429);
    QCOMPARE(signUp(kProxy, {}, "hank"), 429);
    QCOMPARE(signUp(kProxy, "203.0.113.7", "ida"), 200);
    QTRY_VERIFY2(m_server->log().contains(QStringLiteral("127.0.0.2:")) &&
                     m_server->log().contains(
                         QStringLiteral("malformed X-Forwarded-For header (\"unknown\" is not "
                                        "an address)")),
                 qPrintable(m_server->log()));
}

void ForwardedClientsTest::forwardedNamesTheClient()
{
    m_server = start({QStringLiteral("--max-per-ip"), QStringLiteral("1"),
                      QStringLiteral("--trusted-proxy-header"), QStringLiteral("forwarded")});
    QVERIFY(m_server);

    // Behind the proxy: one connection each for two clients, a second one for either is over.
    const Exchange first = upgradeWith(kProxy, forwarded("for=203.0.113.1;proto=https"));
    QCOMPARE(first.status(), 101);
    const Exchange second = upgradeWith(kProxy, forwarded(R"(for="[2001:db8::1]:4711")"));
    QCOMPARE(second.status(), 101);
    // Its own claim further left is skipped, and garbage there spoils nothing.
    const Exchange again =
        upgradeWith(kProxy, forwarded(R"(for="[oops", for=198.51.100.9, for=203.0.113.1)"));
    QVERIFY(wasDropped(again));
    const Exchange sameNetwork = upgradeWith(kProxy, forwarded(R"(for="[2001:db8::2]")"));
    QVERIFY(wasDropped(sameNetwork)); // IPv6 counts by /64
    // An X-Forwarded-For beside it is not read: it may be the client's own.
    const Exchange xffBeside =
        upgradeWith(kProxy, forwardedFor("203.0.113.8") + forwarded("for=203.0.113.1"));
    QVERIFY(wasDropped(xffBeside));

    // Not a trusted proxy: it is its one address, whatever it writes.
    const Exchange stranger = upgradeWith(kStranger, forwarded("for=198.51.100.1"));
    QCOMPARE(stranger.status(), 101);
    const Exchange spoofed = upgradeWith(kStranger, forwarded("for=198.51.100.2"));
    QVERIFY(wasDropped(spoofed));
    // ... and the address it named was not charged.
    const Exchange named = upgradeWith(kProxy, forwarded("for=198.51.100.1"));
    QCOMPARE(named.status(), 101);

    // Only X-Forwarded-For from the proxy: not the header it is configured to send, so the
    // connection counts as the proxy itself (one place), and so does a hidden client.
    const Exchange xffOnly = upgrade(kProxy, "203.0.113.5");
    QCOMPARE(xffOnly.status(), 101);
    const Exchange hidden = upgradeWith(kProxy, forwarded("for=_hidden"));
    QVERIFY(wasDropped(hidden));
    QTRY_VERIFY2(m_server->log().contains(
                     QStringLiteral("without the Forwarded header (only X-Forwarded-For came")),
                 qPrintable(m_server->log()));

    QVERIFY(isOpen(first));
    QVERIFY(isOpen(second));
    QVERIFY(isOpen(stranger));
    QVERIFY(isOpen(named));
    QVERIFY(isOpen(xffOnly));
}

void ForwardedClientsTest::proxyConnectionsWithoutHeaderAreCapped()
{
    m_server = start({QStringLiteral("--max-per-ip"), QStringLiteral("2")});
    QVERIFY(m_server);

    // The proxy's own connections (no header) count under its address, like anyone's.
    std::vector<Exchange> own;
    for (int i = 0; i < 2; ++i) {
        own.push_back(upgrade(kProxy, {}));
        QCOMPARE(own.back().status(), 101);
    }
    QVERIFY(wasDropped(upgrade(kProxy, {})));
    QVERIFY(wasDropped(upgrade(kProxy, "not-an-address"))); // garbage counts as the proxy too

    // The clients it forwards are not affected: each has its own two places.
    const Exchange client = upgrade(kProxy, "203.0.113.1");
    QCOMPARE(client.status(), 101);
    const Exchange sameClient = upgrade(kProxy, "198.51.100.7, 203.0.113.1");
    QCOMPARE(sameClient.status(), 101);
    QVERIFY(wasDropped(upgrade(kProxy, "203.0.113.1")));
    const Exchange otherClient = upgrade(kProxy, "203.0.113.2");
    QCOMPARE(otherClient.status(), 101);

    // A place given back is free again.
    own.front().socket->abort();
    QTRY_COMPARE(upgrade(kProxy, {}).status(), 101);

    // Why, once, however many came.
    const QString why = QStringLiteral("trusted proxy sent a request without the X-Forwarded-For "
                                       "header; such connections count under the proxy's own "
                                       "address, capped by --max-per-ip");
    QTRY_VERIFY2(m_server->log().contains(why), qPrintable(m_server->log()));
    QCOMPARE(m_server->log().count(why), 1);

    QVERIFY(isOpen(own.back()));
    QVERIFY(isOpen(client));
    QVERIFY(isOpen(sameClient));
    QVERIFY(isOpen(otherClient));
}

QTEST_GUILESS_MAIN(ForwardedClientsTest)
#include "tst_forwardedclients.moc"
