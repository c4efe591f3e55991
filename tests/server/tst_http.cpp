// Plain HTTP on the chat port: the page and its files, /healthz, /metrics, the limits on a
// request head, and the browser's login (POST /api/login, /api/register, /api/logout) with its
// own limits. Real QTcpSockets speak raw HTTP/1.1 to a hub on a free localhost port.
#include "hubtestbase.h"

#include "accounts/accounts.h"
#include "codec.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QTcpSocket>

using chat::test::HubTestBase;
using chat::test::TestClient;

namespace {

struct Reply
{
    bool complete = false; // the server closed the connection after a well-formed response
    int status = 0;
    QMap<QByteArray, QByteArray> headers; // lower-case names
    QByteArray body;
};

Reply parseReply(const QByteArray &bytes)
{
    Reply reply;
    const qsizetype end = bytes.indexOf("\r\n\r\n");
    if (end < 0)
        return reply;
    const QList<QByteArray> lines = bytes.first(end).split('\n');
    const QList<QByteArray> statusLine = lines.value(0).trimmed().split(' ');
    if (statusLine.size() < 2 || statusLine.at(0) != "HTTP/1.1")
        return reply;
    reply.status = statusLine.at(1).toInt();
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const qsizetype colon = lines.at(i).indexOf(':');
        if (colon > 0)
            reply.headers.insert(lines.at(i).first(colon).toLower(),
                                 lines.at(i).sliced(colon + 1).trimmed());
    }
    reply.body = bytes.sliced(end + 4);
    reply.complete = true;
    return reply;
}

// The value of one sample line ("name{labels} value") of a Prometheus page; -1 when absent.
double sampleValue(const QByteArray &page, const QByteArray &series)
{
    for (const QByteArray &line : page.split('\n')) {
        if (line.startsWith(QByteArray(series + ' ')))
            return line.sliced(series.size() + 1).toDouble();
    }
    return -1;
}

QByteArray resource(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

class HttpTest : public HubTestBase
{
    Q_OBJECT
private slots:
    void init();
    void cleanup();

    void servesThePageAndItsFiles_data();
    void servesThePageAndItsFiles();
    void pageHasSecurityHeaders();
    void hostHeaderCannotWidenThePolicy();
    void headHasNoBody();
    void unknownPathIs404_data();
    void unknownPathIs404();
    void otherMethodsAre405_data();
    void otherMethodsAre405();
    void malformedHeadIs400_data();
    void malformedHeadIs400();
    void oversizedHeadIs431_data();
    void oversizedHeadIs431();
    void headInPiecesIsServed();
    void stalledRequestIsClosed_data();
    void stalledRequestIsClosed();
    void healthReportsConnectionsAndUsers();
    void metricsHaveTheSeriesAndCount();
    void webSocketStillUpgradesOnTheSamePort();

    void apiRefusals_data();
    void apiRefusals();
    void apiRegisterLoginLogout();
    void apiBodyInPieces();
    void apiAllowedOrigin();
    void apiPeerGoneBeforeTheAnswer();
    void apiAnswersAreCounted();

private:
    // A POST to /api/... from the page's own origin, with these extra header lines.
    Reply post(const QByteArray &path, const QByteArray &body, const QByteArray &extra = {})
    {
        return exchange("POST " + path + " HTTP/1.1\r\n" + host() + "Origin: " + origin() +
                        "\r\nContent-Type: application/json\r\nContent-Length: " +
                        QByteArray::number(body.size()) + "\r\n" + extra + "\r\n" + body);
    }
    [[nodiscard]] QByteArray origin() const
    {
        return "http://127.0.0.1:" + QByteArray::number(m_port);
    }

    // Sends `raw` on a new connection and reads until the server closes it.
    Reply exchange(const QByteArray &raw);
    Reply get(const QByteArray &path)
    {
        return exchange("GET " + path + " HTTP/1.1\r\n" + host() + "\r\n");
    }
    [[nodiscard]] QByteArray host() const
    {
        return "Host: 127.0.0.1:" + QByteArray::number(m_port) + "\r\n";
    }

    quint16 m_port = 0;
};

void HttpTest::init()
{
    chat::server::HubConfig config = testConfig();
    if (QByteArray(QTest::currentTestFunction()) == "stalledRequestIsClosed")
        config.handshakeTimeoutMs = 300;
    if (QByteArray(QTest::currentTestFunction()) == "apiAllowedOrigin")
        config.allowedOrigins = {QStringLiteral("https://chat.example")};
    QVERIFY(startHub(config));
    m_port = hub().port();
}

void HttpTest::cleanup()
{
    verifyClientsHealthy();
    stopAll();
}

Reply HttpTest::exchange(const QByteArray &raw)
{
    QTcpSocket socket;
    QSignalSpy closed(&socket, &QTcpSocket::disconnected);
    socket.connectToHost(QHostAddress::LocalHost, m_port);
    if (!socket.waitForConnected(5000))
        return {};
    socket.write(raw);
    QByteArray received;
    connect(&socket, &QTcpSocket::readyRead, &socket, [&] { received += socket.readAll(); });
    if (!closed.wait(5000))
        return {};
    received += socket.readAll();
    return parseReply(received);
}

void HttpTest::servesThePageAndItsFiles_data()
{
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QString>("resource");
    QTest::addColumn<QByteArray>("contentType");
    QTest::addRow("/") << QByteArray("/") << QStringLiteral(":/web/index.html")
                       << QByteArray("text/html; charset=utf-8");
    QTest::addRow("/index.html") << QByteArray("/index.html") << QStringLiteral(":/web/index.html")
                                 << QByteArray("text/html; charset=utf-8");
    QTest::addRow("/app.js") << QByteArray("/app.js") << QStringLiteral(":/web/app.js")
                             << QByteArray("text/javascript; charset=utf-8");
    QTest::addRow("/notify.js") << QByteArray("/notify.js") << QStringLiteral(":/web/notify.js")
                                << QByteArray("text/javascript; charset=utf-8");
    QTest::addRow("/i18n.js") << QByteArray("/i18n.js") << QStringLiteral(":/web/i18n.js")
                              << QByteArray("text/javascript; charset=utf-8");
    QTest::addRow("/style.css") << QByteArray("/style.css") << QStringLiteral(":/web/style.css")
                                << QByteArray("text/css; charset=utf-8");
    QTest::addRow("/favicon.svg") << QByteArray("/favicon.svg")
                                  << QStringLiteral(":/web/favicon.svg")
                                  << QByteArray("image/svg+xml");
    QTest::addRow("with a query") << QByteArray("/app.js?v=2") << QStringLiteral(":/web/app.js")
                                  << QByteArray("text/javascript; charset=utf-8");
}

void HttpTest::servesThePageAndItsFiles()
{
    QFETCH(QByteArray, path);
    QFETCH(QString, resource);
    QFETCH(QByteArray, contentType);
    const QByteArray expected = ::resource(resource);
    QVERIFY(!expected.isEmpty());
    const Reply reply = get(path);
    QVERIFY(reply.complete);
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.headers.value("content-type"), contentType);
    QCOMPARE(reply.headers.value("content-length"), QByteArray::number(expected.size()));
    QCOMPARE(reply.headers.value("connection"), QByteArray("close"));
    QCOMPARE(reply.body, expected);
}

void HttpTest::pageHasSecurityHeaders()
{
    const Reply reply = get("/");
    QCOMPARE(reply.status, 200);
    QVERIFY(reply.body.contains("<script src=\"app.js\""));
    QCOMPARE(reply.headers.value("x-content-type-options"), QByteArray("nosniff"));
    const QByteArray csp = reply.headers.value("content-security-policy");
    const QByteArray self = "127.0.0.1:" + QByteArray::number(m_port);
    QVERIFY2(csp.contains("default-src 'none'"), csp.constData());
    QVERIFY2(csp.contains("script-src 'self';"), csp.constData());
    QVERIFY2(csp.contains("style-src 'self';"), csp.constData());
    QVERIFY2(csp.contains(QByteArray("connect-src 'self' ws://" + self + " wss://" + self + ";")),
             csp.constData());
    QVERIFY2(!csp.contains("unsafe"), csp.constData());
    QVERIFY2(csp.contains("frame-ancestors 'none'"), csp.constData());
}

void HttpTest::hostHeaderCannotWidenThePolicy()
{
    const Reply reply = exchange("GET / HTTP/1.1\r\nHost: x; script-src * 'unsafe-inline'\r\n\r\n");
    QCOMPARE(reply.status, 200);
    const QByteArray csp = reply.headers.value("content-security-policy");
    QVERIFY2(!csp.contains("unsafe-inline"), csp.constData());
    QVERIFY2(csp.contains("connect-src 'self';"), csp.constData());
}

void HttpTest::headHasNoBody()
{
    const Reply reply = exchange("HEAD / HTTP/1.1\r\n" + host() + "\r\n");
    QVERIFY(reply.complete);
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.headers.value("content-length"),
             QByteArray::number(resource(QStringLiteral(":/web/index.html")).size()));
    QVERIFY(reply.body.isEmpty());
}

void HttpTest::unknownPathIs404_data()
{
    QTest::addColumn<QByteArray>("path");
    QTest::addRow("unknown") << QByteArray("/nope");
    QTest::addRow("resource prefix") << QByteArray("/web/app.js");
    QTest::addRow("dot dot") << QByteArray("/../server/main.cpp");
    QTest::addRow("trailing slash") << QByteArray("/app.js/");
    QTest::addRow("case differs") << QByteArray("/APP.JS");
    QTest::addRow("health with slash") << QByteArray("/healthz/");
}

void HttpTest::unknownPathIs404()
{
    QFETCH(QByteArray, path);
    const Reply reply = get(path);
    QVERIFY(reply.complete);
    QCOMPARE(reply.status, 404);
    QCOMPARE(reply.headers.value("x-content-type-options"), QByteArray("nosniff"));
    QCOMPARE(reply.headers.value("content-length"), QByteArray::number(reply.body.size()));
}

void HttpTest::otherMethodsAre405_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addRow("POST with a body")
        << QByteArray("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
    QTest::addRow("PUT /healthz") << QByteArray("PUT /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    QTest::addRow("DELETE /metrics") << QByteArray("DELETE /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
    QTest::addRow("OPTIONS") << QByteArray("OPTIONS / HTTP/1.1\r\nHost: x\r\n\r\n");
    QTest::addRow("lower-case get") << QByteArray("get / HTTP/1.1\r\nHost: x\r\n\r\n");
    QTest::addRow("POST with an upgrade")
        << QByteArray("POST / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                      "Connection: Upgrade\r\n\r\n");
}

void HttpTest::otherMethodsAre405()
{
    QFETCH(QByteArray, request);
    const Reply reply = exchange(request);
    QVERIFY(reply.complete);
    QCOMPARE(reply.status, 405);
    QCOMPARE(reply.headers.value("allow"), QByteArray("GET, HEAD"));
}

void HttpTest::malformedHeadIs400_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addRow("not HTTP") << QByteArray("HELLO THERE\r\n\r\n");
    QTest::addRow("HTTP/2 preface") << QByteArray("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
    QTest::addRow("HTTP/0.9") << QByteArray("GET /\r\n\r\n");
    QTest::addRow("no leading slash") << QByteArray("GET index.html HTTP/1.1\r\n\r\n");
    QTest::addRow("absolute form") << QByteArray("GET http://x/ HTTP/1.1\r\n\r\n");
    QTest::addRow("space in target") << QByteArray("GET /a b HTTP/1.1\r\n\r\n");
    QTest::addRow("header without colon") << QByteArray("GET / HTTP/1.1\r\nHost x\r\n\r\n");
    QTest::addRow("space before colon") << QByteArray("GET / HTTP/1.1\r\nHost : x\r\n\r\n");
    QTest::addRow("folded header") << QByteArray("GET / HTTP/1.1\r\nHost: x\r\n  folded\r\n\r\n");
    QTest::addRow("bare LF") << QByteArray("GET / HTTP/1.1\nHost: x\r\n\r\n");
    QTest::addRow("NUL in a value") << QByteArray("GET / HTTP/1.1\r\nHost: a\0b\r\n\r\n", 29);
    QTest::addRow("empty head") << QByteArray("\r\n\r\n");
    QTest::addRow("binary") << QByteArray("\x16\x03\x01\x02\x00\x01\r\n\r\n", 10);
}

void HttpTest::malformedHeadIs400()
{
    QFETCH(QByteArray, request);
    const Reply reply = exchange(request);
    QVERIFY(reply.complete);
    QCOMPARE(reply.status, 400);
}

void HttpTest::oversizedHeadIs431_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addRow("one huge header")
        << "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + QByteArray(9000, 'a') + "\r\n\r\n";
    QByteArray many = "GET / HTTP/1.1\r\n";
    for (int i = 0; i < 65; ++i)
        many += "X-H" + QByteArray::number(i) + ": v\r\n";
    QTest::addRow("65 headers") << many + "\r\n";
    QTest::addRow("huge target") << "GET /" + QByteArray(10000, 'a') + " HTTP/1.1\r\n\r\n";
    QTest::addRow("no end in sight") << QByteArray(64 * 1024, 'x');
    QByteArray upgrade =
        "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
    for (int i = 0; i < 70; ++i)
        upgrade += "X-H" + QByteArray::number(i) + ": v\r\n";
    QTest::addRow("upgrade with 70 more headers") << upgrade + "\r\n";
}

void HttpTest::oversizedHeadIs431()
{
    QFETCH(QByteArray, request);
    const Reply reply = exchange(request);
    QVERIFY(reply.complete);
    QCOMPARE(reply.status, 431);
}

void HttpTest::headInPiecesIsServed()
{
    QTcpSocket socket;
    QSignalSpy closed(&socket, &QTcpSocket::disconnected);
    socket.connectToHost(QHostAddress::LocalHost, m_port);
    QVERIFY(socket.waitForConnected(5000));
    const QByteArray request = "GET /healthz HTTP/1.1\r\n" + host() + "\r\n";
    // The head arrives in three writes; only the complete one is answered.
    QByteArray received;
    connect(&socket, &QTcpSocket::readyRead, &socket, [&] { received += socket.readAll(); });
    for (const QByteArray &piece :
         {request.first(10), request.sliced(10, 20), request.sliced(30)}) {
        QTRY_COMPARE(hub().pendingHandshakeCount(), 1);
        QVERIFY(received.isEmpty());
        socket.write(piece);
        QVERIFY(socket.waitForBytesWritten(5000));
    }
    QVERIFY(closed.wait(5000));
    received += socket.readAll();
    QCOMPARE(parseReply(received).status, 200);
}

void HttpTest::stalledRequestIsClosed_data()
{
    QTest::addColumn<QByteArray>("sent");
    QTest::addRow("nothing") << QByteArray();
    QTest::addRow("half a request line") << QByteArray("GET /hea");
    QTest::addRow("head without its end") << QByteArray("GET / HTTP/1.1\r\nHost: x\r\n");
    QTest::addRow("upgrade without its end")
        << QByteArray("GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n");
    // The body must arrive within the same deadline as the head.
    QTest::addRow("login without all its body")
        << QByteArray("POST /api/login HTTP/1.1\r\nHost: x\r\nOrigin: http://x\r\n"
                      "Content-Type: application/json\r\nContent-Length: 40\r\n\r\n{\"name\"");
}

void HttpTest::stalledRequestIsClosed()
{
    QFETCH(QByteArray, sent);
    QTcpSocket socket;
    QSignalSpy closed(&socket, &QTcpSocket::disconnected);
    socket.connectToHost(QHostAddress::LocalHost, m_port);
    QVERIFY(socket.waitForConnected(5000));
    socket.write(sent);
    QElapsedTimer clock;
    clock.start();
    QVERIFY(closed.wait(5000)); // the deadline in init() is 300 ms
    QVERIFY2(clock.elapsed() >= 200, qPrintable(QString::number(clock.elapsed())));
    QVERIFY(socket.readAll().isEmpty());
    QTRY_COMPARE(hub().pendingHandshakeCount(), 0);
}

void HttpTest::healthReportsConnectionsAndUsers()
{
    QVERIFY(join(QStringLiteral("alice")));
    QVERIFY(join(QStringLiteral("bob")));
    QVERIFY(connectClient()); // open, not joined
    QTRY_COMPARE(hub().connectionCount(), 3);

    const Reply reply = get("/healthz");
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.headers.value("content-type"), QByteArray("application/json"));
    QCOMPARE(reply.headers.value("cache-control"), QByteArray("no-store"));
    QJsonParseError error;
    const QJsonObject health = QJsonDocument::fromJson(reply.body, &error).object();
    QCOMPARE(error.error, QJsonParseError::NoError);
    QCOMPARE(health.value(QStringLiteral("status")).toString(), QStringLiteral("ok"));
    QCOMPARE(health.value(QStringLiteral("version")).toString(), QStringLiteral(CHAT_VERSION));
    QVERIFY(health.value(QStringLiteral("uptimeSeconds")).isDouble());
    QVERIFY(health.value(QStringLiteral("uptimeSeconds")).toDouble() >= 0);
    QCOMPARE(health.value(QStringLiteral("connections")).toInt(-1), 3);
    QCOMPARE(health.value(QStringLiteral("online")).toInt(-1), 2);

    const Reply head = exchange("HEAD /healthz HTTP/1.1\r\n" + host() + "\r\n");
    QCOMPARE(head.status, 200);
    QVERIFY(head.body.isEmpty());
}

void HttpTest::metricsHaveTheSeriesAndCount()
{
    TestClient *alice = join(QStringLiteral("alice"));
    TestClient *bob = join(QStringLiteral("bob"));
    QVERIFY(alice && bob);

    const Reply before = get("/metrics");
    QCOMPARE(before.status, 200);
    QCOMPARE(before.headers.value("content-type"),
             QByteArray("text/plain; version=0.0.4; charset=utf-8"));
    for (const char *name :
         {"chat_connections", "chat_online_users", "chat_messages_received_total",
          "chat_messages_sent_total", "chat_bytes_received_total", "chat_bytes_sent_total",
          "chat_rejections_total", "chat_store_commit_seconds"}) {
        QVERIFY2(before.body.contains(QByteArray(QByteArray("# TYPE ") + name + ' ')), name);
    }
    QCOMPARE(sampleValue(before.body, "chat_connections"), 2.0);
    QCOMPARE(sampleValue(before.body, "chat_online_users"), 2.0);
    QCOMPARE(sampleValue(before.body, "chat_rejections_total{reason=\"bad_json\"}"), 0.0);
    QCOMPARE(sampleValue(before.body, "chat_rejections_total{reason=\"text_invalid\"}"), 0.0);

    const QString text = QStringLiteral("héllo 👋"); // 11 bytes of UTF-8
    alice->send(text);
    QVERIFY(alice->waitForMessages(1));
    QVERIFY(bob->waitForMessages(1));
    alice->sendRaw(QStringLiteral("{not json"));
    QVERIFY(alice->waitForErrors(1));
    alice->send(QStringLiteral("   "));
    QVERIFY(alice->waitForErrors(2));

    const Reply after = get("/metrics");
    QCOMPARE(after.status, 200);
    const auto delta = [&](const QByteArray &series) {
        return sampleValue(after.body, series) - sampleValue(before.body, series);
    };
    QCOMPARE(delta("chat_messages_received_total"), 1.0);
    QCOMPARE(delta("chat_messages_sent_total"), 2.0); // alice's acknowledgement and bob's copy
    QVERIFY(delta("chat_bytes_received_total") >= 11 + 9 + 3);
    QVERIFY(delta("chat_bytes_sent_total") >= 2 * 11);
    QCOMPARE(delta("chat_rejections_total{reason=\"bad_json\"}"), 1.0);
    QCOMPARE(delta("chat_rejections_total{reason=\"text_invalid\"}"), 1.0);
    QCOMPARE(delta("chat_store_commit_seconds_count"), 1.0);
    QCOMPARE(sampleValue(after.body, "chat_store_commit_seconds_bucket{le=\"+Inf\"}"),
             sampleValue(after.body, "chat_store_commit_seconds_count"));
    // A fresh hub: the first /metrics is the one 200 so far (each page counts after rendering).
    QCOMPARE(sampleValue(after.body, "chat_http_responses_total{code=\"200\"}"), 1.0);
}

void HttpTest::webSocketStillUpgradesOnTheSamePort()
{
    // The page's own URL scheme: ws:// on the port that served it, any path.
    QUrl url = hub().url();
    url.setPath(QStringLiteral("/chat"));
    url.setQuery(QStringLiteral("x=1"));
    auto *alice = newClient();
    QVERIFY(alice->open(url));
    QVERIFY(alice->helloAndWait(QStringLiteral("alice")));
    QCOMPARE(get("/healthz").status, 200);
    alice->ping(QStringLiteral("still here"));
    QSignalSpy pong(alice, &TestClient::pongReceived);
    QVERIFY(pong.wait(5000));
}

namespace {

// A JSON error answer: its code, and whether it has a sentence for people.
QString errorCode(const Reply &reply)
{
    const std::optional<chat::proto::Error> error = chat::proto::decodeHttpError(reply.body);
    if (!error || error->message.isEmpty())
        return QStringLiteral("(no error body: %1)").arg(QString::fromUtf8(reply.body));
    return chat::proto::errorCodeName(error->code);
}

// "chat_token=VALUE; attributes" -> VALUE
QByteArray cookieValue(const QByteArray &setCookie)
{
    const qsizetype semicolon = setCookie.indexOf(';');
    const QByteArray pair = setCookie.first(semicolon < 0 ? setCookie.size() : semicolon);
    return pair.startsWith("chat_token=") ? pair.sliced(11) : QByteArray("(not chat_token)");
}

} // namespace

void HttpTest::apiRefusals_data()
{
    QTest::addColumn<QByteArray>("head"); // after the request line and Host
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("code");
    const QByteArray json = "Content-Type: application/json\r\n";
    const QByteArray good = R"({"name":"alice","password":"correct horse"})";
    const QByteArray length = "Content-Length: " + QByteArray::number(good.size()) + "\r\n";
    // Filled in with the hub's port in apiRefusals().
    const QByteArray own = "Origin: ORIGIN\r\n";

    QTest::addRow("no Content-Length") << own + json << QByteArray() << 411 << "bad_message";
    QTest::addRow("chunked") << own + json + "Transfer-Encoding: chunked\r\n"
                             << QByteArray("0\r\n\r\n") << 411 << "bad_message";
    QTest::addRow("body over 4 KiB")
        << own + json +
               "Content-Length: " + QByteArray::number(chat::proto::kMaxHttpBodyBytes + 1) + "\r\n"
        << QByteArray() << 413 << "too_large";
    QTest::addRow("Content-Length not a number") << own + json + "Content-Length: 1e3\r\n"
                                                 << QByteArray() << 400 << "bad_message";
    QTest::addRow("two different Content-Lengths") << own + json + length + "Content-Length: 3\r\n"
                                                   << good << 400 << "bad_message";
    QTest::addRow("text/plain") << own + "Content-Type: text/plain\r\n" + length << good << 415
                                << "bad_message";
    QTest::addRow("a form") << own + "Content-Type: application/x-www-form-urlencoded\r\n" + length
                            << good << 415 << "bad_message";
    QTest::addRow("no Content-Type") << own + length << good << 415 << "bad_message";
    QTest::addRow("no Origin") << json + length << good << 403 << "forbidden";
    QTest::addRow("another site") << "Origin: http://evil.example\r\n" + json + length << good
                                  << 403 << "forbidden";
    QTest::addRow("Origin null") << "Origin: null\r\n" + json + length << good << 403
                                 << "forbidden";
    QTest::addRow("https for an http port")
        << "Origin: https://127.0.0.1:PORT\r\n" + json + length << good << 403 << "forbidden";
    QTest::addRow("another port") << "Origin: http://127.0.0.1:1\r\n" + json + length << good << 403
                                  << "forbidden";
    QTest::addRow("bad JSON") << own + json + "Content-Length: 9\r\n"
                              << QByteArray("{\"name\":}") << 400 << "bad_json";
    QTest::addRow("not an object") << own + json + "Content-Length: 2\r\n"
                                   << QByteArray("[]") << 400 << "bad_json";
    QTest::addRow("no password") << own + json + "Content-Length: 16\r\n"
                                 << QByteArray(R"({"name":"alice"})") << 400 << "bad_message";
    QTest::addRow("short password")
        << own + json + "Content-Length: 35\r\n"
        << QByteArray(R"({"name":"alice","password":"short"})") << 400 << "password_invalid";
    QTest::addRow("unknown account") << own + json + length << good << 401 << "login_failed";
}

void HttpTest::apiRefusals()
{
    QFETCH(QByteArray, head);
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QString, code);
    head.replace("ORIGIN", origin()).replace("PORT", QByteArray::number(m_port));
    const Reply reply = exchange("POST /api/login HTTP/1.1\r\n" + host() + head + "\r\n" + body);
    QVERIFY(reply.complete);
    QCOMPARE(reply.status, status);
    QCOMPARE(errorCode(reply), code);
    QCOMPARE(reply.headers.value("content-type"), QByteArray("application/json"));
    QCOMPARE(reply.headers.value("cache-control"), QByteArray("no-store"));
    QVERIFY(!reply.headers.contains("set-cookie"));
}

void HttpTest::apiRegisterLoginLogout()
{
    // Only POST.
    const Reply got = get("/api/login");
    QCOMPARE(got.status, 405);
    QCOMPARE(got.headers.value("allow"), QByteArray("POST"));

    const Reply registered =
        post("/api/register",
             R"({"name":" alice ","password":"correct horse","display":"爱丽丝","device":"test"})");
    QVERIFY(registered.complete);
    QCOMPARE(registered.status, 200);
    QCOMPARE(chat::proto::decodeHttpAuthAnswer(registered.body), QStringLiteral("alice"));
    QCOMPARE(registered.headers.value("cache-control"), QByteArray("no-store"));
    const QByteArray setCookie = registered.headers.value("set-cookie");
    QVERIFY2(setCookie.endsWith("; HttpOnly; SameSite=Strict; Path=/; Max-Age=7776000"),
             setCookie.constData());
    QVERIFY(!setCookie.contains("Secure")); // plain ws:// here

    // The same name again: 409.
    const Reply taken = post("/api/register", R"({"name":"ALICE","password":"another horse"})");
    QCOMPARE(taken.status, 409);
    QCOMPARE(errorCode(taken), QStringLiteral("name_taken"));

    const Reply wrong = post("/api/login", R"({"name":"alice","password":"wrong horse"})");
    QCOMPARE(wrong.status, 401);
    QCOMPARE(errorCode(wrong), QStringLiteral("login_failed"));

    const Reply login = post("/api/login", R"({"name":"Alice","password":"correct horse"})");
    QCOMPARE(login.status, 200);
    QCOMPARE(chat::proto::decodeHttpAuthAnswer(login.body), QStringLiteral("alice"));
    const QByteArray token = cookieValue(login.headers.value("set-cookie"));
    QVERIFY(token != cookieValue(setCookie)); // every login is a device of its own
    chat::server::AccountStore *store = hub().accounts()->store();
    const QByteArray hash = chat::server::Accounts::hashToken(QString::fromLatin1(token));
    QVERIFY(store->findToken(hash).has_value());

    // Logging out needs no body, ends the cookie's token and clears the cookie.
    const Reply logout = exchange("POST /api/logout HTTP/1.1\r\n" + host() + "Origin: " + origin() +
                                  "\r\nContent-Type: application/json\r\n" +
                                  "Cookie: theme=dark; chat_token=" + token + "\r\n\r\n");
    QCOMPARE(logout.status, 200);
    QCOMPARE(logout.headers.value("cache-control"), QByteArray("no-store"));
    QCOMPARE(logout.headers.value("set-cookie"),
             QByteArray("chat_token=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0"));
    QVERIFY(!store->findToken(hash).has_value());
    // The registration's token is another device: still there.
    QVERIFY(store
                ->findToken(
                    chat::server::Accounts::hashToken(QString::fromLatin1(cookieValue(setCookie))))
                .has_value());

    // Without a cookie, or from another site, logging out changes nothing.
    QCOMPARE(post("/api/logout", "{}").status, 200);
    const Reply foreign = exchange("POST /api/logout HTTP/1.1\r\n" + host() +
                                   "Origin: http://evil.example\r\nContent-Type: "
                                   "application/json\r\nContent-Length: 0\r\nCookie: chat_token=" +
                                   cookieValue(setCookie) + "\r\n\r\n");
    QCOMPARE(foreign.status, 403);
    QVERIFY(store
                ->findToken(
                    chat::server::Accounts::hashToken(QString::fromLatin1(cookieValue(setCookie))))
                .has_value());
}

void HttpTest::apiBodyInPieces()
{
    QTcpSocket socket;
    QSignalSpy closed(&socket, &QTcpSocket::disconnected);
    socket.connectToHost(QHostAddress::LocalHost, m_port);
    QVERIFY(socket.waitForConnected(5000));
    const QByteArray body = R"({"name":"bob","password":"correct horse"})";
    const QByteArray request = "POST /api/register HTTP/1.1\r\n" + host() + "Origin: " + origin() +
                               "\r\nContent-Type: application/json; charset=utf-8\r\n"
                               "Content-Length: " +
                               QByteArray::number(body.size()) + "\r\n\r\n" + body;
    QByteArray received;
    connect(&socket, &QTcpSocket::readyRead, &socket, [&] { received += socket.readAll(); });
    // The head, then the body in two writes: only the whole request is answered.
    const qsizetype headEnd = request.indexOf("\r\n\r\n") + 4;
    for (const QByteArray &piece :
         {request.first(headEnd), request.sliced(headEnd, 10), request.sliced(headEnd + 10)}) {
        QTest::qWait(50);
        QVERIFY(received.isEmpty());
        socket.write(piece);
        QVERIFY(socket.waitForBytesWritten(5000));
    }
    QVERIFY(closed.wait(5000));
    received += socket.readAll();
    const Reply reply = parseReply(received);
    QCOMPARE(reply.status, 200);
    QCOMPARE(chat::proto::decodeHttpAuthAnswer(reply.body), QStringLiteral("bob"));
}

void HttpTest::apiAllowedOrigin()
{
    // Listed by --allow-origin: accepted as well as the page's own origin.
    const QByteArray body = R"({"name":"carol","password":"correct horse"})";
    const QByteArray rest =
        "Content-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size()) +
        "\r\n\r\n" + body;
    const Reply listed = exchange("POST /api/register HTTP/1.1\r\n" + host() +
                                  "Origin: https://chat.example\r\n" + rest);
    QCOMPARE(listed.status, 200);
    const Reply own =
        exchange("POST /api/login HTTP/1.1\r\n" + host() + "Origin: " + origin() + "\r\n" + rest);
    QCOMPARE(own.status, 200);
    const Reply other = exchange("POST /api/login HTTP/1.1\r\n" + host() +
                                 "Origin: https://other.example\r\n" + rest);
    QCOMPARE(other.status, 403);
}

void HttpTest::apiPeerGoneBeforeTheAnswer()
{
    // The password is still hashing when the peer leaves: the answer finds no socket.
    for (int i = 0; i < 5; ++i) {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_port);
        QVERIFY(socket.waitForConnected(5000));
        const QByteArray body =
            "{\"name\":\"gone" + QByteArray::number(i) + "\",\"password\":\"correct horse\"}";
        socket.write("POST /api/register HTTP/1.1\r\n" + host() + "Origin: " + origin() +
                     "\r\nContent-Type: application/json\r\nContent-Length: " +
                     QByteArray::number(body.size()) + "\r\n\r\n" + body);
        QVERIFY(socket.waitForBytesWritten(5000));
        socket.abort();
    }
    QTRY_COMPARE(hub().pendingHandshakeCount(), 0);
    QCOMPARE(get("/healthz").status, 200);
    // The registrations themselves went through.
    QTRY_VERIFY(hub().accounts()->findAccount(QStringLiteral("gone4")).has_value());
}

void HttpTest::apiAnswersAreCounted()
{
    QCOMPARE(post("/api/login", R"({"name":"nobody","password":"correct horse"})").status, 401);
    QCOMPARE(exchange("POST /api/login HTTP/1.1\r\n" + host() + "\r\n").status, 403);
    const QByteArray page = get("/metrics").body;
    QCOMPARE(sampleValue(page, "chat_http_responses_total{code=\"401\"}"), 1.0);
    QCOMPARE(sampleValue(page, "chat_http_responses_total{code=\"403\"}"), 1.0);
}

QTEST_GUILESS_MAIN(HttpTest)
#include "tst_http.moc"
