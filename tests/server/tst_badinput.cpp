// Abuse the hub must survive: deep JSON, invalid UTF-8, frame headers that announce a gigabyte,
// WebSocket protocol violations, and a client that stops reading while another floods. Each
// gets an error reply or a protocol close, never a crash; after each, a new client can still
// join and chat. (Invalid JSON, wrong types, binary frames, huge texts, messages before hello, a
// second hello, unknown kinds, replayed ids, stale resumes and stalled upgrades are in tst_hub,
// tst_hublimits and tst_resume.)
#include "codec.h"
#include "hubtestbase.h"
#include "servertestmain.h"
#include "rawwsclient.h"
#include "residentmemory.h"

#include <QFile>
#include <QSignalSpy>
#include <QTest>

using namespace chat::proto;
using chat::test::RawWsClient;
using chat::test::residentBytes;
using chat::test::TestClient;

namespace {

QByteArray helloFrame(const QString &nick)
{
    Hello hello;
    hello.registration = chat::proto::Registration{nick, chat::test::kTestPassword, {}, {}};
    return encode(hello);
}

QByteArray nested(int depth, char open, char close, const QByteArray &inner = {})
{
    return QByteArray(depth, open) + inner + QByteArray(depth, close);
}

} // namespace

class BadInputTest : public chat::test::HubTestBase
{
    Q_OBJECT
private slots:
    void init() { QVERIFY(startHub()); }
    void cleanup();

    void deepOrOddJson_data();
    void deepOrOddJson();
    void loneSurrogateNameIsRefused();
    void invalidUtf8ClosesWith1007_data();
    void invalidUtf8ClosesWith1007();
    void hugeFrameHeaderClosesWithoutAllocating_data();
    void hugeFrameHeaderClosesWithoutAllocating();
    void fragmentsAddingUpOverTheLimit();
    void protocolViolationsClose_data();
    void protocolViolationsClose();
    void slowReaderIsCutOffOthersUnaffected();
    void pingFloodWithoutReadingIsCutOff();
    void welcomeStaysUnderTheCap();

private:
    // A raw client that completed its hello, or nullptr.
    RawWsClient *rawJoin(const QString &nick);
    std::vector<std::unique_ptr<RawWsClient>> m_raw;
};

RawWsClient *BadInputTest::rawJoin(const QString &nick)
{
    m_raw.push_back(std::make_unique<RawWsClient>());
    RawWsClient *raw = m_raw.back().get();
    if (!raw->open(hub().port()))
        return nullptr;
    raw->sendText(helloFrame(nick));
    const bool welcomed =
        raw->waitFor([raw] { return !raw->texts().isEmpty() || raw->isClosed(); });
    return welcomed && !raw->texts().isEmpty() && raw->texts().constFirst().contains("welcome")
               ? raw
               : nullptr;
}

void BadInputTest::cleanup()
{
    // Whatever the test did, the hub still serves: a newcomer joins and is heard.
    TestClient *newcomer = join(QStringLiteral("newcomer"));
    QVERIFY(newcomer);
    const QString id = newcomer->send(QStringLiteral("still here"));
    QVERIFY(newcomer->waitForMessages(1));
    QCOMPARE(newcomer->messages().constLast().id, id);
    verifyClientsHealthy();
    m_raw.clear();
    stopAll();
}

void BadInputTest::deepOrOddJson_data()
{
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<bool>("answered"); // a pong comes back; otherwise the error below
    QTest::addColumn<ErrorCode>("code");
    const auto ping = [](const QByteArray &extra) -> QByteArray {
        return QByteArrayLiteral(R"({"type":"ping","id":"p","extra":)") + extra + '}';
    };
    QTest::addRow("arrays 30000 deep") << nested(30000, '[', ']') << false << ErrorCode::BadJson;
    QTest::addRow("objects 10000 deep")
        << QByteArrayLiteral("{\"a\":").repeated(10000) + '1' + QByteArray(10000, '}') << false
        << ErrorCode::BadJson;
    QTest::addRow("arrays 30000 deep in an ignored field")
        << ping(nested(30000, '[', ']')) << false << ErrorCode::BadJson;
    QTest::addRow("arrays 100 deep in an ignored field")
        << ping(nested(100, '[', ']')) << true << ErrorCode::Unknown;
    QTest::addRow("number too large for a double")
        << QByteArrayLiteral(R"({"type":"ping","id":1e400})") << false << ErrorCode::BadJson;
    QTest::addRow("id of 60 KB") << QByteArrayLiteral(R"({"type":"ping","id":")") +
                                        QByteArray(60000, 'i') + QByteArrayLiteral("\"}")
                                 << false << ErrorCode::BadMessage;
    QTest::addRow("NUL in the text")
        << QByteArrayLiteral(R"({"type":"send","id":"n","text":"a\u0000b"})") << false
        << ErrorCode::TextInvalid;
    QTest::addRow("lone surrogate in the text")
        << QByteArrayLiteral(R"({"type":"send","id":"s","text":"a\ud800b"})") << false
        << ErrorCode::TextInvalid;
    QTest::addRow("type is an object") << QByteArrayLiteral(R"({"type":{"type":"ping"},"id":"p"})")
                                       << false << ErrorCode::BadMessage;
    QTest::addRow("trailing garbage")
        << QByteArrayLiteral(R"({"type":"ping","id":"p"} x)") << false << ErrorCode::BadJson;
}

void BadInputTest::deepOrOddJson()
{
    QFETCH(QByteArray, frame);
    QFETCH(bool, answered);
    QFETCH(ErrorCode, code);
    TestClient *client = join(QStringLiteral("odd"));
    QVERIFY(client);
    client->sendRaw(QString::fromUtf8(frame));
    if (answered) {
        QVERIFY(barrier(client));
        QVERIFY(client->errors().isEmpty());
    } else {
        QVERIFY(client->waitForErrors(1));
        QCOMPARE(errorCodeName(client->errors().constFirst().code), errorCodeName(code));
        QVERIFY(!client->errors().constFirst().message.isEmpty());
    }
    QVERIFY(client->isOpen());
    QVERIFY(client->messages().isEmpty());
}

// Valid UTF-8 on the wire, but a JSON escape can still name half a character.
void BadInputTest::loneSurrogateNameIsRefused()
{
    TestClient *client = connectClient();
    QVERIFY(client);
    client->sendRaw(QStringLiteral(
        R"({"type":"hello","version":3,"register":{"name":"a\udc00b","password":"12345678"}})"));
    QVERIFY(client->waitForErrors(1));
    QCOMPARE(client->errors().constFirst().code, ErrorCode::NameInvalid);
    QVERIFY(client->waitForDisconnected());
    QCOMPARE(client->closeCode(), QWebSocketProtocol::CloseCodePolicyViolated);
    QCOMPARE(hub().onlineCount(), 0);
}

void BadInputTest::invalidUtf8ClosesWith1007_data()
{
    QTest::addColumn<QList<QByteArray>>("fragments");
    const QByteArray start = QByteArrayLiteral(R"({"type":"send","id":"u","text":")");
    const QByteArray end = QByteArrayLiteral("\"}");
    QTest::addRow("bad continuation byte") << QList<QByteArray>{start + "\xC3\x28" + end};
    QTest::addRow("overlong slash") << QList<QByteArray>{start + "\xC0\xAF" + end};
    QTest::addRow("UTF-16 surrogate encoded") << QList<QByteArray>{start + "\xED\xA0\x80" + end};
    QTest::addRow("above U+10FFFF") << QList<QByteArray>{start + "\xF4\x90\x80\x80" + end};
    QTest::addRow("truncated at the end") << QList<QByteArray>{start + "\xE2\x82"};
    QTest::addRow("0xFF byte") << QList<QByteArray>{start + "\xFF" + end};
    QTest::addRow("bad byte in the second fragment")
        << QList<QByteArray>{start, QByteArrayLiteral("ok\xC3\x28") + end};
}

void BadInputTest::invalidUtf8ClosesWith1007()
{
    QFETCH(QList<QByteArray>, fragments);
    TestClient *witness = join(QStringLiteral("witness"));
    RawWsClient *raw = rawJoin(QStringLiteral("raw"));
    QVERIFY(witness && raw);
    for (qsizetype i = 0; i < fragments.size(); ++i)
        raw->sendFrame(i == 0 ? RawWsClient::Text : RawWsClient::Continuation, fragments[i],
                       i == fragments.size() - 1);
    QVERIFY(raw->waitForClosed());
    QCOMPARE(raw->closeCode(), int(QWebSocketProtocol::CloseCodeWrongDatatype));
    // Joined and gone within one presence interval: the witness may never hear of it at all.
    QTRY_COMPARE(hub().onlineCount(), 1);
    QVERIFY(witness->waitForUsers({QStringLiteral("witness")}));
    QVERIFY(witness->messages().isEmpty());
    QTRY_COMPARE(hub().connectionCount(), 1);
}

void BadInputTest::hugeFrameHeaderClosesWithoutAllocating_data()
{
    QTest::addColumn<QByteArray>("prefix"); // sent before the announcing header
    QTest::addColumn<quint8>("opcode");
    QTest::addColumn<quint64>("announced");
    QTest::addColumn<int>("closeCode");
    constexpr quint64 gib = quint64(1) << 30;
    const int tooBig = QWebSocketProtocol::CloseCodeTooMuchData;
    QTest::addRow("1 GiB text") << QByteArray() << quint8(RawWsClient::Text) << gib << tooBig;
    QTest::addRow("1 GiB binary") << QByteArray() << quint8(RawWsClient::Binary) << gib << tooBig;
    QTest::addRow("2^63 - 1 bytes")
        << QByteArray() << quint8(RawWsClient::Text) << ((quint64(1) << 63) - 1) << tooBig;
    QTest::addRow("length with the top bit set")
        << QByteArray() << quint8(RawWsClient::Text) << ~quint64(0) - 1
        << int(QWebSocketProtocol::CloseCodeProtocolError);
    QTest::addRow("1 GiB continuation of a small fragment")
        << RawWsClient::frame(RawWsClient::Text, "{\"type\":", false)
        << quint8(RawWsClient::Continuation) << gib << tooBig;
}

void BadInputTest::hugeFrameHeaderClosesWithoutAllocating()
{
    QFETCH(QByteArray, prefix);
    QFETCH(quint8, opcode);
    QFETCH(quint64, announced);
    QFETCH(int, closeCode);
    RawWsClient *raw = rawJoin(QStringLiteral("raw"));
    QVERIFY(raw);
    const qint64 before = residentBytes();
    QVERIFY(before > 0);
    // The header and 1 KiB of the promised payload; the rest never comes.
    raw->sendRaw(
        prefix +
        RawWsClient::frame(opcode, QByteArray(1024, 'x'), true, true, announced).left(14 + 1024));
    QVERIFY(raw->waitForClosed(3000)); // at once: no waiting for the gigabyte
    QCOMPARE(raw->closeCode(), closeCode);
    QTRY_COMPARE(hub().connectionCount(), 0);
    const qint64 grown = residentBytes() - before;
    QVERIFY2(grown < 64 * 1024 * 1024, qPrintable(QString::number(grown)));
}

void BadInputTest::fragmentsAddingUpOverTheLimit()
{
    RawWsClient *raw = rawJoin(QStringLiteral("raw"));
    QVERIFY(raw);
    // 100 fragments of 1 KiB: each is small, the message is not (and there are fewer
    // fragments than the limit on their number).
    raw->sendFrame(RawWsClient::Text, QByteArrayLiteral(R"({"type":"send","id":"f","text":")"),
                   false);
    for (int i = 0; i < 100 && !raw->isClosed(); ++i)
        raw->sendFrame(RawWsClient::Continuation, QByteArray(1024, 'f'), false);
    QVERIFY(raw->waitForClosed());
    QCOMPARE(raw->closeCode(), int(QWebSocketProtocol::CloseCodeTooMuchData));
    QTRY_COMPARE(hub().connectionCount(), 0);
}

void BadInputTest::protocolViolationsClose_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("closeCode");
    const int protocolError = QWebSocketProtocol::CloseCodeProtocolError;
    const QByteArray ping = QByteArrayLiteral(R"({"type":"ping","id":"p"})");
    QByteArray reservedBit = RawWsClient::frame(RawWsClient::Text, ping);
    reservedBit[0] = char(reservedBit[0] | 0x40);
    QTest::addRow("reserved bit set") << reservedBit << protocolError;
    QTest::addRow("reserved opcode 3") << RawWsClient::frame(0x3, ping) << protocolError;
    QTest::addRow("reserved control opcode 0xB")
        << RawWsClient::frame(0xB, QByteArray()) << protocolError;
    QTest::addRow("continuation with nothing to continue")
        << RawWsClient::frame(RawWsClient::Continuation, ping) << protocolError;
    QTest::addRow("new text inside a fragmented one")
        << RawWsClient::frame(RawWsClient::Text, "{", false) +
               RawWsClient::frame(RawWsClient::Text, ping)
        << protocolError;
    QTest::addRow("ping with 126 bytes")
        << RawWsClient::frame(RawWsClient::Ping, QByteArray(126, 'p')) << protocolError;
    QTest::addRow("fragmented ping")
        << RawWsClient::frame(RawWsClient::Ping, "p", false) << protocolError;
    QTest::addRow("close with code 999")
        << RawWsClient::frame(RawWsClient::Close, QByteArray::fromHex("03e7")) << protocolError;
    QTest::addRow("close with a 1-byte body")
        << RawWsClient::frame(RawWsClient::Close, QByteArray(1, '\x03')) << protocolError;
    QTest::addRow("close reason not UTF-8")
        << RawWsClient::frame(RawWsClient::Close, QByteArray::fromHex("03e8") + "\xC3\x28")
        << int(QWebSocketProtocol::CloseCodeWrongDatatype);
}

void BadInputTest::protocolViolationsClose()
{
    QFETCH(QByteArray, bytes);
    QFETCH(int, closeCode);
    TestClient *witness = join(QStringLiteral("witness"));
    RawWsClient *raw = rawJoin(QStringLiteral("raw"));
    QVERIFY(witness && raw);
    raw->sendRaw(bytes);
    QVERIFY(raw->waitForClosed());
    QCOMPARE(raw->closeCode(), closeCode);
    QTRY_COMPARE(hub().connectionCount(), 1);
    QTRY_COMPARE(hub().onlineCount(), 1);
    QVERIFY(barrier(witness));
}

void BadInputTest::slowReaderIsCutOffOthersUnaffected()
{
    auto config = testConfig();
    config.ratePerSecond = 0; // the flood must get through; this test is about the reader
    config.maxOutboxBytes = 64 * 1024;
    QVERIFY(startHub(config));
    TestClient *talker = join(QStringLiteral("talker"));
    TestClient *reader = join(QStringLiteral("reader"));
    RawWsClient *stuck = rawJoin(QStringLiteral("stuck"));
    QVERIFY(talker && reader && stuck);
    stuck->stopReading();

    // 12 KB per message; the stuck client's kernel buffers take a few MB before the hub's own
    // queue grows, so the flood goes on, in bounded steps, until the hub drops it.
    const QString text(4000, QChar(0x20AC));
    constexpr int kBatch = 50;
    constexpr int kMaxMessages = 2000;
    int sent = 0;
    while (hub().connectionCount() == 3 && sent < kMaxMessages) {
        for (int i = 0; i < kBatch; ++i)
            talker->send(text);
        sent += kBatch;
        QVERIFY(reader->waitForMessages(sent, 10000));
    }
    QVERIFY2(hub().connectionCount() == 2, qPrintable(QStringLiteral("%1 sent").arg(sent)));
    qInfo("stuck reader dropped after %d messages of %lld bytes", sent,
          qlonglong(text.toUtf8().size()));
    QTRY_COMPARE(hub().onlineCount(), 2);
    QVERIFY(talker->waitForMessages(sent, 10000));
    QCOMPARE(reader->messages().size(), sent);
    for (int i = 0; i < sent; ++i)
        QCOMPARE(reader->messages()[i].seq, qint64(i + 1));
    QVERIFY(reader->isOpen() && talker->isOpen());
}

// A welcome counts against the cap on unsent bytes like everything else: a resume's history is
// what fits in half the cap, or nothing (the rooms to reload), so a newcomer that reads keeps its
// place.
void BadInputTest::welcomeStaysUnderTheCap()
{
    auto config = testConfig();
    config.ratePerSecond = 0;
    config.maxOutboxBytes = 64 * 1024;
    QVERIFY(startHub(config));
    TestClient *talker = join(QStringLiteral("talker"));
    QVERIFY(talker);
    const QString text(4000, QChar(0x20AC)); // 12 KB each: 150 would make a welcome of 1.8 MB
    constexpr int kMessages = 150;
    for (int i = 0; i < kMessages; ++i)
        talker->send(text);
    QVERIFY(talker->waitForMessages(kMessages));

    for (int round = 0; round < 3; ++round) {
        // Two of these messages fit in 32 KiB (with what each frame adds); three do not.
        TestClient *near = newClient();
        QVERIFY(near->open(url()));
        QVERIFY(near->helloAndWait(QStringLiteral("near%1").arg(round), hub().lastSeq() - 2));
        QVERIFY(near->welcome()->resumed);
        const QList<Message> &history = near->welcome()->history;
        qint64 bytes = 0;
        for (const Message &message : history)
            bytes += message.text.toUtf8().size();
        QVERIFY2(history.size() == 2 && bytes <= 32 * 1024, qPrintable(QString::number(bytes)));
        QCOMPARE(history.constLast().seq, hub().lastSeq()); // the newest, unbroken

        TestClient *far = newClient();
        QVERIFY(far->open(url()));
        QVERIFY(far->helloAndWait(QStringLiteral("far%1").arg(round), hub().lastSeq() - 3));
        QVERIFY(!far->welcome()->resumed);
        QVERIFY(far->welcome()->history.isEmpty());
        QCOMPARE(far->welcome()->reload, QStringList{QStringLiteral("lobby")});

        talker->send(text);
        for (TestClient *newcomer : {near, far}) {
            QVERIFY(newcomer->waitForMessages(1));
            QVERIFY(barrier(newcomer));
            QVERIFY(newcomer->isOpen());
        }
    }
}

// QWebSocket answers pings by itself, past WebSocketTransport::sendFrame: a peer that pings and
// never reads piles up pongs, and must be cut off all the same.
void BadInputTest::pingFloodWithoutReadingIsCutOff()
{
    auto config = testConfig();
    config.maxOutboxBytes = 64 * 1024;
    QVERIFY(startHub(config));
    TestClient *witness = join(QStringLiteral("witness"));
    RawWsClient *pinger = rawJoin(QStringLiteral("pinger"));
    QVERIFY(witness && pinger);
    pinger->stopReading();
    const QByteArray pings =
        RawWsClient::frame(RawWsClient::Ping, QByteArray(125, 'p')).repeated(1000);
    constexpr int kMaxBatches = 200; // 200,000 pings, 26 MB: far more than the buffers on the way
    int batches = 0;
    while (hub().connectionCount() == 2 && batches < kMaxBatches) {
        pinger->sendRaw(pings);
        ++batches;
        QVERIFY(pinger->waitFor(
            [&] { return pinger->socket().bytesToWrite() == 0 || hub().connectionCount() < 2; }));
    }
    QTRY_COMPARE(hub().connectionCount(), 1);
    qInfo("pinger dropped after %d pings", batches * 1000);
    QVERIFY(barrier(witness));
}

CHAT_SERVER_TEST_MAIN(BadInputTest)
#include "tst_badinput.moc"
