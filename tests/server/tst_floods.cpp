// Floods that cost the server without being messages: one address holding thousands of
// unfinished connections, frames that make no message, bytes faster than anyone types, and
// answers (welcome, resume) that would make the server hold and encode megabytes for one peer.
// Each is bounded, and the people who are not flooding keep chatting.
#include "hubtestbase.h"
#include "servertestmain.h"
#include "rawwsclient.h"

#include <QLoggingCategory>
#include <QTcpSocket>

#include <sys/resource.h>

using namespace chat::proto;
using chat::test::RawWsClient;
using chat::test::TestClient;

namespace {

const QHostAddress kAttacker(QStringLiteral("127.0.0.2"));

// Log lines about refused connections, counted while a test floods.
int g_refusalLines = 0;
QtMessageHandler g_previousHandler = nullptr;
void countRefusalLines(QtMsgType type, const QMessageLogContext &context, const QString &text)
{
    if (text.contains(QLatin1String("refus")) || text.contains(QLatin1String("handshake")))
        ++g_refusalLines;
    if (g_previousHandler)
        g_previousHandler(type, context, text);
}

// Raises the open-file limit to what the system allows; returns the new soft limit.
rlim_t raiseFileLimit()
{
    rlimit limit{};
    getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    getrlimit(RLIMIT_NOFILE, &limit);
    return limit.rlim_cur;
}

// A text of `bytes` bytes in UTF-8 (CJK characters, three bytes each).
QString textOfBytes(int bytes)
{
    return QString(bytes / 3, QChar(0x4E2D));
}

} // namespace

class FloodsTest : public chat::test::HubTestBase
{
    Q_OBJECT
private slots:
    void init() { QVERIFY(startHub()); }
    void cleanup();
    void oneAddressCannotFillTheServer();
    void framesThatMakeNoMessageClose_data();
    void framesThatMakeNoMessageClose();
    void byteRateRefusesThenCloses();
    void addressSharesOneByteBudget();
    void welcomeHistoryIsBoundedInBytes();
    void largeResumeReloadsInsteadOfPinningMemory();

private:
    RawWsClient *joinedRaw(const QString &nick, const QHostAddress &from = {});
    // A hub whose last 40 messages are 12 KB each, with resumes limited to 64 KiB of them.
    bool startWithLongHistory();
    // Connected over TCP from `from`, nothing sent yet.
    RawWsClient *newRawAt(const QHostAddress &from);
    std::vector<std::unique_ptr<RawWsClient>> m_raw;
};

void FloodsTest::cleanup()
{
    m_raw.clear();
    stopAll();
}

RawWsClient *FloodsTest::joinedRaw(const QString &nick, const QHostAddress &from)
{
    m_raw.push_back(std::make_unique<RawWsClient>());
    RawWsClient *client = m_raw.back().get();
    if (!client->open(hub().port(), from))
        return nullptr;
    client->sendText(RawWsClient::helloJson(nick));
    if (!client->waitFor([client] { return !client->texts().isEmpty() || client->isClosed(); }) ||
        !client->texts().constFirst().contains("\"welcome\""))
        return nullptr;
    return client;
}

RawWsClient *FloodsTest::newRawAt(const QHostAddress &from)
{
    m_raw.push_back(std::make_unique<RawWsClient>());
    RawWsClient *client = m_raw.back().get();
    return client->connectTo(hub().port(), from) ? client : nullptr;
}

void FloodsTest::oneAddressCannotFillTheServer()
{
    constexpr int kAttackConnections = 5000;
    if (raiseFileLimit() < rlim_t(kAttackConnections + 500))
        QSKIP("the open-file limit is too low for 5,000 connections");
    auto config = testConfig();
    config.maxConnections = 2000;
    config.maxConnectionsPerAddress = 64;
    QVERIFY(startHub(config));

    g_refusalLines = 0;
    g_previousHandler = qInstallMessageHandler(countRefusalLines);
    // One address opens 5,000 connections and never finishes a request head.
    std::vector<std::unique_ptr<QTcpSocket>> attack;
    attack.reserve(kAttackConnections);
    for (int i = 0; i < kAttackConnections; ++i) {
        auto socket = std::make_unique<QTcpSocket>();
        QVERIFY(socket->bind(kAttacker));
        socket->connectToHost(QHostAddress::LocalHost, hub().port());
        QObject::connect(socket.get(), &QTcpSocket::connected, socket.get(),
                         [s = socket.get()] { s->write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n"); });
        attack.push_back(std::move(socket));
    }
    // Every attempt was accepted and either kept (64) or closed at once.
    const auto settled = [&attack] {
        return std::all_of(attack.cbegin(), attack.cend(), [](const auto &socket) {
            return socket->state() == QAbstractSocket::UnconnectedState ||
                   (socket->state() == QAbstractSocket::ConnectedState &&
                    socket->bytesToWrite() == 0);
        });
    };
    QTRY_VERIFY_WITH_TIMEOUT(settled(), 30000);
    QVERIFY(hub().openConnectionCount() <= 64);

    // Someone from another address joins at once, every time.
    for (int i = 0; i < 30; ++i) {
        TestClient *person = newClient();
        QElapsedTimer took;
        took.start();
        QVERIFY2(person->open(url(), 2000), qPrintable(QStringLiteral("attempt %1").arg(i)));
        QVERIFY(person->helloAndWait(QStringLiteral("person%1").arg(i)));
        QVERIFY2(took.elapsed() < 1000, qPrintable(QString::number(took.elapsed())));
        person->close();
    }
    qInstallMessageHandler(g_previousHandler);
    // A summary, not a line per refused connection.
    QVERIFY2(g_refusalLines <= 3, qPrintable(QString::number(g_refusalLines)));

    // The refusals are counted for the operator.
    RawWsClient *scraper = newRawAt(QHostAddress(QStringLiteral("127.0.0.3")));
    QVERIFY(scraper);
    scraper->sendRaw("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    QVERIFY(scraper->waitFor([scraper] { return scraper->isDisconnected(); }));
    const QByteArray page = scraper->refusal();
    const qsizetype at = page.indexOf("chat_connections_refused_total{reason=\"address_limit\"} ");
    QVERIFY2(at >= 0, page.constData());
    const qint64 refused =
        page.mid(at).split('\n').constFirst().split(' ').constLast().toLongLong();
    QVERIFY2(refused >= kAttackConnections - 64 - 100, qPrintable(QString::number(refused)));
}

void FloodsTest::framesThatMakeNoMessageClose_data()
{
    QTest::addColumn<QByteArray>("first");
    QTest::addColumn<QByteArray>("repeated");
    QTest::addColumn<int>("repeat");

    QTest::addRow("empty fragments")
        << RawWsClient::frame(RawWsClient::Text, {}, false)
        << RawWsClient::frame(RawWsClient::Continuation, {}, false) << 2000;
    QTest::addRow("one-byte fragments")
        << RawWsClient::frame(RawWsClient::Text, "{", false)
        << RawWsClient::frame(RawWsClient::Continuation, " ", false) << 2000;
    QTest::addRow("pings") << QByteArray()
                           << RawWsClient::frame(RawWsClient::Ping, QByteArray(120, 'p')) << 20000;
}

void FloodsTest::framesThatMakeNoMessageClose()
{
    QFETCH(QByteArray, first);
    QFETCH(QByteArray, repeated);
    QFETCH(int, repeat);
    auto config = testConfig();
    config.maxBytesPerSecond = chat::server::HubConfig().maxBytesPerSecond; // the default
    QVERIFY(startHub(config));
    TestClient *witness = join(QStringLiteral("witness"));
    RawWsClient *flooder = joinedRaw(QStringLiteral("flooder"));
    QVERIFY(witness && flooder);
    flooder->sendRaw(first + repeated.repeated(repeat));
    QVERIFY(flooder->waitFor([flooder] { return flooder->isDisconnected(); }, 10000));
    QVERIFY(flooder->closeFrameReceived());
    QCOMPARE(flooder->closeCode(), int(QWebSocketProtocol::CloseCodePolicyViolated));
    // The others chat on.
    witness->send(QStringLiteral("still here"));
    QVERIFY(witness->waitForMessages(1));
}

void FloodsTest::byteRateRefusesThenCloses()
{
    auto config = testConfig();
    config.maxBytesPerSecond = 1000; // a burst of 8,000 bytes, then 1,000 a second
    QVERIFY(startHub(config));
    TestClient *flooder = join(QStringLiteral("flooder"));
    QVERIFY(flooder);
    const QString text = textOfBytes(3000);
    for (int i = 0; i < 12; ++i)
        flooder->send(text);
    QVERIFY(flooder->waitForDisconnected(10000));
    QCOMPARE(flooder->closeCode(), QWebSocketProtocol::CloseCodePolicyViolated);
    QVERIFY2(flooder->closeReason().contains(QLatin1String("too much data")),
             qPrintable(flooder->closeReason()));
    // Two fit in the burst; the next ones are refused while in debt, until the debt is a burst.
    QCOMPARE(flooder->messages().size(), 2);
    QVERIFY(!flooder->errors().isEmpty());
    for (const auto &error : flooder->errors())
        QCOMPARE(error.code, ErrorCode::RateLimited);
}

void FloodsTest::addressSharesOneByteBudget()
{
    auto config = testConfig();
    config.maxBytesPerSecond = 0;
    config.maxAddressBytesPerSecond = 4096; // 32 KiB at once for the whole address
    config.ratePerSecond = 0;
    QVERIFY(startHub(config));
    const QByteArray text = RawWsClient::sendJson(QStringLiteral("x"), textOfBytes(4000));
    QList<RawWsClient *> crowd;
    for (int i = 0; i < 4; ++i) {
        RawWsClient *client = joinedRaw(QStringLiteral("crowd%1").arg(i), kAttacker);
        QVERIFY(client);
        crowd.append(client);
    }
    RawWsClient *elsewhere = joinedRaw(QStringLiteral("elsewhere"));
    QVERIFY(elsewhere);
    int id = 0;
    for (RawWsClient *client : crowd)
        for (int i = 0; i < 4; ++i)
            client->sendText(RawWsClient::sendJson(QString::number(++id), textOfBytes(4000)));
    for (int i = 0; i < 4; ++i)
        elsewhere->sendText(RawWsClient::sendJson(QStringLiteral("e%1").arg(i), textOfBytes(4000)));
    const auto answers = [](RawWsClient *client) {
        int count = 0;
        for (const QByteArray &frame : client->texts())
            count += frame.contains("\"rate_limited\"") || frame.contains("\"ref\"") ? 1 : 0;
        return count;
    };
    QVERIFY(elsewhere->waitFor([&] {
        int refused = 0;
        for (RawWsClient *client : crowd)
            refused += answers(client);
        return refused > 0 && elsewhere->texts().size() > 4;
    }));
    QVERIFY(barrier(join(QStringLiteral("witness"))));
    // The address as a whole got about its burst through; the other address got everything.
    QVERIFY2(hub().lastSeq() <= 4 + 9, qPrintable(QString::number(hub().lastSeq())));
    QVERIFY(hub().lastSeq() >= 4 + 7);
    int elsewhereAcks = 0;
    for (const QByteArray &frame : elsewhere->texts())
        elsewhereAcks += frame.contains("\"id\":\"e") ? 1 : 0;
    QCOMPARE(elsewhereAcks, 4);
}

bool FloodsTest::startWithLongHistory()
{
    auto config = testConfig();
    config.ratePerSecond = 0;
    config.maxWelcomeHistoryBytes = 64 * 1024;
    if (!startHub(config))
        return false;
    TestClient *talker = join(QStringLiteral("talker"));
    if (!talker)
        return false;
    for (int i = 0; i < 40; ++i)
        talker->send(textOfBytes(12000)); // 480 KB in all
    return talker->waitForMessages(40);
}

void FloodsTest::welcomeHistoryIsBoundedInBytes()
{
    QVERIFY(startWithLongHistory());
    // A plain welcome carries no history at all: the lobby's newest message in its state.
    TestClient *newcomer = join(QStringLiteral("newcomer"));
    QVERIFY(newcomer);
    QVERIFY(newcomer->welcome()->history.isEmpty());
    QCOMPARE(newcomer->welcome()->rooms.size(), 1);
    QVERIFY(newcomer->welcome()->rooms[0].last);
    QCOMPARE(newcomer->welcome()->rooms[0].last->seq, qint64(40));

    // A resume's history is what fits in 64 KiB (each message weighs its text and about 160
    // bytes more): five of these messages, exactly, the newest ones.
    TestClient *five = newClient();
    QVERIFY(five->open(url()));
    QVERIFY(five->helloAndWait(QStringLiteral("five"), qint64(35)));
    QVERIFY(five->welcome()->resumed);
    const QList<Message> history = five->welcome()->history;
    qint64 bytes = 0;
    for (const Message &message : history)
        bytes += message.text.toUtf8().size();
    QVERIFY2(bytes <= 64 * 1024, qPrintable(QString::number(bytes)));
    QCOMPARE(history.size(), 5);
    QCOMPARE(history.constFirst().seq, qint64(36));
    QCOMPARE(history.constLast().seq, qint64(40));

    // One more does not fit: nothing but the room to reload.
    TestClient *six = newClient();
    QVERIFY(six->open(url()));
    QVERIFY(six->helloAndWait(QStringLiteral("six"), qint64(34)));
    QVERIFY(!six->welcome()->resumed);
    QVERIFY(six->welcome()->history.isEmpty());
    QCOMPARE(six->welcome()->reload, QStringList{QStringLiteral("lobby")});
}

void FloodsTest::largeResumeReloadsInsteadOfPinningMemory()
{
    QVERIFY(startWithLongHistory());

    // 39 messages of 12 KB missed: more than an answer may hold. Not resumed, no history: the
    // lobby is named to be reloaded a page at a time.
    TestClient *far = newClient();
    QVERIFY(far->open(url()));
    QVERIFY(far->helloAndWait(QStringLiteral("far"), qint64(1)));
    QVERIFY(!far->welcome()->resumed);
    QVERIFY(far->welcome()->history.isEmpty());
    QCOMPARE(far->welcome()->reload, QStringList{QStringLiteral("lobby")});
    // Two missed still resume exactly.
    TestClient *near = newClient();
    QVERIFY(near->open(url()));
    QVERIFY(near->helloAndWait(QStringLiteral("near"), qint64(38)));
    QVERIFY(near->welcome()->resumed);
    QCOMPARE(near->welcome()->history.size(), 2);
    QVERIFY(near->welcome()->reload.isEmpty());
}

CHAT_SERVER_TEST_MAIN(FloodsTest)
#include "tst_floods.moc"
