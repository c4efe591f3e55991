// The message schema: every kind round-trips, every malformed frame is refused with its reason.
#include "codec.h"
#include "validation.h"

#include <QTest>

using namespace chat::proto;

Q_DECLARE_METATYPE(chat::proto::ErrorCode)

namespace {

Message sampleMessage(qint64 seq, const QString &text)
{
    Message m;
    m.seq = seq;
    m.id = QStringLiteral("id-%1").arg(seq);
    m.room = defaultRoom();
    m.from = QStringLiteral("bob");
    m.time = QDateTime(QDate(2026, 11, 22), QTime(9, 14, 3, 120), Qt::UTC);
    m.text = text;
    return m;
}

template<typename T> T roundTripServer(const T &value)
{
    const Decoded<ServerMessage> decoded = decodeServerMessage(encode(value));
    if (!decoded.ok())
        qFatal("decode failed: %s", qPrintable(decoded.reason));
    return std::get<T>(*decoded.message);
}

template<typename T> T roundTripClient(const T &value)
{
    const Decoded<ClientMessage> decoded = decodeClientMessage(encode(value));
    if (!decoded.ok())
        qFatal("decode failed: %s", qPrintable(decoded.reason));
    return std::get<T>(*decoded.message);
}

} // namespace

class TestSchema : public QObject
{
    Q_OBJECT
private slots:
    void helloRoundTrips_data();
    void helloRoundTrips();
    void sendRoundTrips_data();
    void sendRoundTrips();
    void pingAndPongRoundTrip();
    void messageRoundTrips();
    void welcomeRoundTrips();
    void presenceRoundTrips_data();
    void presenceRoundTrips();
    void errorRoundTrips();
    void unknownErrorCodeIsKeptAsUnknown();
    void malformedClientFramesAreRejected_data();
    void malformedClientFramesAreRejected();
    void malformedServerFramesAreRejected_data();
    void malformedServerFramesAreRejected();
    void nicksAreNormalized_data();
    void nicksAreNormalized();
    void nickKeysIgnoreCase();
    void invisibleNickCharactersAreRefused_data();
    void invisibleNickCharactersAreRefused();
    void emojiSequencesInNicks_data();
    void emojiSequencesInNicks();
    void sendWithoutRoomGoesToLobby();
    void textLimitCountsCharactersNotBytes();
};

void TestSchema::helloRoundTrips_data()
{
    QTest::addColumn<QString>("nick");
    QTest::addColumn<qint64>("lastSeq");
    QTest::addColumn<QString>("session");
    QTest::addRow("first connection") << QStringLiteral("alice") << qint64(-1) << QString();
    QTest::addRow("resume") << QStringLiteral("alice") << qint64(41) << QStringLiteral("abc123");
    QTest::addRow("resume from zero") << QStringLiteral("bob") << qint64(0) << QString();
    QTest::addRow("chinese nick") << QStringLiteral("小明") << qint64(-1) << QString();
    QTest::addRow("largest seq") << QStringLiteral("z") << kMaxSeq << QString();
    QTest::addRow("with token") << QStringLiteral("t") << qint64(-1) << QString();
}

void TestSchema::helloRoundTrips()
{
    QFETCH(QString, nick);
    QFETCH(qint64, lastSeq);
    QFETCH(QString, session);
    Hello hello;
    hello.nick = nick;
    if (lastSeq >= 0)
        hello.lastSeq = lastSeq;
    hello.session = session;
    if (QByteArray(QTest::currentDataTag()) == "with token")
        hello.token = QStringLiteral("s3cret");
    if (hello.lastSeq)
        hello.instance = QStringLiteral("9a8b");
    const Hello back = roundTripClient(hello);
    QCOMPARE(back.instance, hello.instance);
    QCOMPARE(back.token, hello.token);
    QCOMPARE(back.version, kProtocolVersion);
    QCOMPARE(back.nick, nick);
    QCOMPARE(back.lastSeq, hello.lastSeq);
    QCOMPARE(back.session, session);
}

void TestSchema::sendRoundTrips_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("room");
    QTest::addRow("ascii") << QStringLiteral("hello") << QStringLiteral("lobby");
    QTest::addRow("chinese") << QStringLiteral("你好,世界。WebSocket 聊天室")
                             << QStringLiteral("lobby");
    QTest::addRow("emoji") << QStringLiteral("👋🏽 🧑‍💻 🇨🇳")
                           << QStringLiteral("lobby");
    QTest::addRow("html stays text")
        << QStringLiteral("<b>x</b><img src=y>") << QStringLiteral("lobby");
    QTest::addRow("quotes and backslashes")
        << QStringLiteral("\"\\\"\\n") << QStringLiteral("lobby");
    QTest::addRow("newline and tab")
        << QStringLiteral("line 1\n\tline 2") << QStringLiteral("lobby");
    QTest::addRow("longest text") << QString(kMaxTextChars, u'x') << QStringLiteral("lobby");
    QTest::addRow("longest emoji text")
        << QString(kMaxTextChars, u'x').replace(u'x', QStringLiteral("😀"))
        << QStringLiteral("lobby");
}

void TestSchema::sendRoundTrips()
{
    QFETCH(QString, text);
    QFETCH(QString, room);
    const Send send{QStringLiteral("7d1e5c2a-52d4-4a40-9f0e-0c9a3c1f6b11"), room, text};
    const Send back = roundTripClient(send);
    QCOMPARE(back.id, send.id);
    QCOMPARE(back.room, room);
    QCOMPARE(back.text, text);
}

void TestSchema::pingAndPongRoundTrip()
{
    QCOMPARE(roundTripClient(Ping{QStringLiteral("17")}).id, QStringLiteral("17"));
    QCOMPARE(roundTripClient(Ping{}).id, QString());
    QCOMPARE(roundTripServer(Pong{QStringLiteral("17")}).id, QStringLiteral("17"));
}

void TestSchema::messageRoundTrips()
{
    const Message m = sampleMessage(kMaxSeq, QStringLiteral("你好 👋 <script>"));
    const Message back = roundTripServer(m);
    QCOMPARE(back, m);
    QCOMPARE(back.time.timeSpec(), Qt::UTC);
    QVERIFY(encode(m).contains("\"time\":\"2026-11-22T09:14:03.120Z\""));
}

void TestSchema::welcomeRoundTrips()
{
    Welcome w;
    w.server = QStringLiteral("test server");
    w.nick = QStringLiteral("alice");
    w.session = QStringLiteral("5f0c");
    w.instance = QStringLiteral("9a8b");
    w.seq = 2;
    w.resumed = true;
    w.users = {QStringLiteral("alice"), QStringLiteral("小明")};
    w.history = {sampleMessage(1, QStringLiteral("a")), sampleMessage(2, QStringLiteral("b"))};
    const Welcome back = roundTripServer(w);
    QCOMPARE(back.version, kProtocolVersion);
    QCOMPARE(back.server, w.server);
    QCOMPARE(back.nick, w.nick);
    QCOMPARE(back.session, w.session);
    QCOMPARE(back.instance, w.instance);
    QCOMPARE(back.seq, w.seq);
    QCOMPARE(back.resumed, true);
    QCOMPARE(back.users, w.users);
    QCOMPARE(back.history, w.history);
}

void TestSchema::presenceRoundTrips_data()
{
    QTest::addColumn<QStringList>("joined");
    QTest::addColumn<QStringList>("left");
    QTest::addRow("one join") << QStringList{QStringLiteral("bob")} << QStringList{};
    QTest::addRow("one leave") << QStringList{} << QStringList{QStringLiteral("bob")};
    QTest::addRow("came back as Bob")
        << QStringList{QStringLiteral("Bob")} << QStringList{QStringLiteral("bob")};
    QTest::addRow("a crowd") << QStringList{QStringLiteral("ann"), QStringLiteral("小明"),
                                            QStringLiteral("zoë 🎉"), QStringLiteral("\"q\"")}
                             << QStringList{QStringLiteral("carl"), QStringLiteral("dora")};
}

void TestSchema::presenceRoundTrips()
{
    QFETCH(QStringList, joined);
    QFETCH(QStringList, left);
    const Presence p{joined, left, 3};
    const Presence back = roundTripServer(p);
    QCOMPARE(back.joined, joined);
    QCOMPARE(back.left, left);
    QCOMPARE(back.online, 3);
}

void TestSchema::errorRoundTrips()
{
    const Error e{ErrorCode::NickTaken, QStringLiteral("The nickname is taken."),
                  QStringLiteral("r1")};
    const Error back = roundTripServer(e);
    QCOMPARE(back.code, ErrorCode::NickTaken);
    QCOMPARE(back.message, e.message);
    QCOMPARE(back.ref, e.ref);
    QVERIFY(encode(e).contains("\"code\":\"nick_taken\""));
}

void TestSchema::unknownErrorCodeIsKeptAsUnknown()
{
    const auto decoded =
        decodeServerMessage(R"({"type":"error","code":"from_the_future","message":"m"})");
    QVERIFY(decoded.ok());
    QCOMPARE(std::get<Error>(*decoded.message).code, ErrorCode::Unknown);
}

void TestSchema::malformedClientFramesAreRejected_data()
{
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<ErrorCode>("code");
    QTest::addColumn<QString>("reasonContains");

    const auto row = [](const char *tag, const QByteArray &frame, ErrorCode code, const char *why) {
        QTest::addRow("%s", tag) << frame << code << QString::fromUtf8(why);
    };
    row("empty frame", "", ErrorCode::BadJson, "Invalid JSON");
    row("invalid json", "{\"type\":", ErrorCode::BadJson, "Invalid JSON");
    row("trailing garbage", "{\"type\":\"ping\"} x", ErrorCode::BadJson, "Invalid JSON");
    row("array", "[1,2]", ErrorCode::BadJson, "JSON object");
    row("string", "\"hello\"", ErrorCode::BadJson, "Invalid JSON");
    row("invalid utf-8", "{\"type\":\"send\",\"id\":\"a\",\"text\":\"\xff\xfe\"}",
        ErrorCode::BadJson, "Invalid JSON");
    row("deep nesting", QByteArray(100000, '[') + QByteArray(100000, ']'), ErrorCode::TooLarge,
        "at most");
    row("nesting under the size limit", QByteArray(20000, '[') + QByteArray(20000, ']'),
        ErrorCode::BadJson, "");
    row("no type", "{}", ErrorCode::BadMessage, "\"type\"");
    row("type is a number", "{\"type\":3}", ErrorCode::BadMessage, "\"type\"");
    row("unknown type", "{\"type\":\"shout\"}", ErrorCode::UnknownType, "shout");
    row("hello without version", "{\"type\":\"hello\",\"nick\":\"a\"}", ErrorCode::BadMessage,
        "\"version\" is missing");
    row("hello wrong version", "{\"type\":\"hello\",\"version\":2,\"nick\":\"a\"}",
        ErrorCode::UnsupportedVersion, "version 1");
    row("hello version as string", "{\"type\":\"hello\",\"version\":\"1\",\"nick\":\"a\"}",
        ErrorCode::BadMessage, "must be an integer");
    row("hello without nick", "{\"type\":\"hello\",\"version\":1}", ErrorCode::BadMessage,
        "\"nick\" is missing");
    row("hello nick is a number", "{\"type\":\"hello\",\"version\":1,\"nick\":5}",
        ErrorCode::BadMessage, "must be a string");
    row("hello empty nick", "{\"type\":\"hello\",\"version\":1,\"nick\":\"   \"}",
        ErrorCode::NickInvalid, "empty");
    row("hello long nick",
        "{\"type\":\"hello\",\"version\":1,\"nick\":\"" + QByteArray(33, 'n') + "\"}",
        ErrorCode::NickInvalid, "32");
    row("hello nick with control", "{\"type\":\"hello\",\"version\":1,\"nick\":\"a\\u0007b\"}",
        ErrorCode::NickInvalid, "U+0007");
    row("hello nick with zero width space",
        "{\"type\":\"hello\",\"version\":1,\"nick\":\"a\\u200bb\"}", ErrorCode::NickInvalid,
        "U+200B");
    row("hello negative lastSeq",
        "{\"type\":\"hello\",\"version\":1,\"nick\":\"a\",\"lastSeq\":-1}", ErrorCode::BadMessage,
        "lastSeq");
    row("hello fractional lastSeq",
        "{\"type\":\"hello\",\"version\":1,\"nick\":\"a\",\"lastSeq\":1.5}", ErrorCode::BadMessage,
        "lastSeq");
    row("hello huge lastSeq", "{\"type\":\"hello\",\"version\":1,\"nick\":\"a\",\"lastSeq\":1e300}",
        ErrorCode::BadMessage, "lastSeq");
    row("hello session too long",
        "{\"type\":\"hello\",\"version\":1,\"nick\":\"a\",\"session\":\"" + QByteArray(65, 's') +
            "\"}",
        ErrorCode::BadMessage, "too long");
    row("send without id", "{\"type\":\"send\",\"text\":\"hi\"}", ErrorCode::BadMessage,
        "\"id\" is missing");
    row("send with empty id", "{\"type\":\"send\",\"id\":\"\",\"text\":\"hi\"}",
        ErrorCode::BadMessage, "id is empty");
    row("send id with space", "{\"type\":\"send\",\"id\":\"a b\",\"text\":\"hi\"}",
        ErrorCode::BadMessage, "printable ASCII");
    row("send without text", "{\"type\":\"send\",\"id\":\"a\"}", ErrorCode::BadMessage,
        "\"text\" is missing");
    row("send text is null", "{\"type\":\"send\",\"id\":\"a\",\"text\":null}",
        ErrorCode::BadMessage, "it is null");
    row("send text is an object", "{\"type\":\"send\",\"id\":\"a\",\"text\":{}}",
        ErrorCode::BadMessage, "an object");
    row("send empty text", "{\"type\":\"send\",\"id\":\"a\",\"text\":\" \\n \"}",
        ErrorCode::TextInvalid, "empty");
    row("send oversized text",
        "{\"type\":\"send\",\"id\":\"a\",\"text\":\"" + QByteArray(kMaxTextChars + 1, 'x') + "\"}",
        ErrorCode::TextInvalid, "4001 characters");
    row("send text with NUL", "{\"type\":\"send\",\"id\":\"a\",\"text\":\"a\\u0000b\"}",
        ErrorCode::TextInvalid, "U+0000");
    row("send bad room", "{\"type\":\"send\",\"id\":\"a\",\"room\":\"Lobby!\",\"text\":\"x\"}",
        ErrorCode::BadMessage, "room");
    row("send other room", "{\"type\":\"send\",\"id\":\"a\",\"room\":\"dev\",\"text\":\"x\"}",
        ErrorCode::BadMessage, "other than \"lobby\" do not exist yet");
    row("send empty room", "{\"type\":\"send\",\"id\":\"a\",\"room\":\"\",\"text\":\"x\"}",
        ErrorCode::BadMessage, "room");
    row("oversized frame",
        "{\"type\":\"send\",\"id\":\"a\",\"text\":\"" + QByteArray(kMaxClientFrameBytes, 'x') +
            "\"}",
        ErrorCode::TooLarge, "at most");
}

void TestSchema::malformedClientFramesAreRejected()
{
    QFETCH(QByteArray, frame);
    QFETCH(ErrorCode, code);
    QFETCH(QString, reasonContains);
    const Decoded<ClientMessage> decoded = decodeClientMessage(frame);
    QVERIFY(!decoded.ok());
    QCOMPARE(errorCodeName(decoded.code), errorCodeName(code));
    QVERIFY2(decoded.reason.contains(reasonContains), qPrintable(decoded.reason));
    QVERIFY(decoded.reason.endsWith(u'.'));
}

void TestSchema::malformedServerFramesAreRejected_data()
{
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<QString>("reasonContains");
    QTest::addRow("message without seq")
        << QByteArray(
               R"({"type":"message","id":"a","from":"b","time":"2026-01-01T00:00:00Z","text":"t"})")
        << QStringLiteral("\"seq\" is missing");
    QTest::addRow("message with seq 0")
        << QByteArray(
               R"({"type":"message","seq":0,"id":"a","from":"b","time":"2026-01-01T00:00:00Z","text":"t"})")
        << QStringLiteral("integer from 1");
    QTest::addRow("message with bad time")
        << QByteArray(
               R"({"type":"message","seq":1,"id":"a","from":"b","time":"yesterday","text":"t"})")
        << QStringLiteral("ISO 8601");
    // Found by fuzz_server_decode: in UTC this is the year 10000, which cannot be written back.
    QTest::addRow("message with time beyond 9999 in UTC")
        << QByteArray(
               R"({"type":"message","seq":1,"id":"a","from":"b","time":"9999-12-31T23:30:00.000-01:00","text":"t"})")
        << QStringLiteral("out of range");
    QTest::addRow("welcome with bad history item")
        << QByteArray(
               R"({"type":"welcome","version":1,"nick":"a","seq":1,"resumed":false,"users":[],"history":[7]})")
        << QStringLiteral("history[0]");
    QTest::addRow("welcome with non-string user")
        << QByteArray(
               R"({"type":"welcome","version":1,"nick":"a","seq":1,"resumed":false,"users":[1],"history":[]})")
        << QStringLiteral("users[0]");
    QTest::addRow("presence without joined")
        << QByteArray(R"({"type":"presence","left":[],"online":1})")
        << QStringLiteral("\"joined\" is missing");
    QTest::addRow("presence with a number for a nick")
        << QByteArray(R"({"type":"presence","joined":["a"],"left":["b",2],"online":1})")
        << QStringLiteral("left[1]");
    QTest::addRow("presence with joined not a list")
        << QByteArray(R"({"type":"presence","joined":"a","left":[],"online":1})")
        << QStringLiteral("\"joined\"");
    QTest::addRow("error without message") << QByteArray(R"({"type":"error","code":"internal"})")
                                           << QStringLiteral("\"message\" is missing");
    QTest::addRow("unknown type") << QByteArray(R"({"type":"teleport"})")
                                  << QStringLiteral("Unknown message type");
}

void TestSchema::malformedServerFramesAreRejected()
{
    QFETCH(QByteArray, frame);
    QFETCH(QString, reasonContains);
    const Decoded<ServerMessage> decoded = decodeServerMessage(frame);
    QVERIFY(!decoded.ok());
    QVERIFY2(decoded.reason.contains(reasonContains), qPrintable(decoded.reason));
}

void TestSchema::nicksAreNormalized_data()
{
    QTest::addColumn<QString>("raw");
    QTest::addColumn<QString>("expected");
    QTest::addRow("trimmed") << QStringLiteral("  alice \t") << QStringLiteral("alice");
    QTest::addRow("inner space kept") << QStringLiteral("mary ann") << QStringLiteral("mary ann");
    // "é" as e + combining acute becomes the single precomposed character.
    QTest::addRow("nfc") << QStringLiteral("jose\u0301") << QStringLiteral("jos\u00e9");
    QTest::addRow("emoji") << QStringLiteral("🦊fox") << QStringLiteral("🦊fox");
    QTest::addRow("32 chinese characters")
        << QString(32, QChar(0x4e2d)) << QString(32, QChar(0x4e2d));
    QTest::addRow("hangul syllables") << QStringLiteral("한글") << QStringLiteral("한글");
    QTest::addRow("accent only after a letter")
        << QStringLiteral("a\u0301\u0301") << QStringLiteral("\u00e1\u0301");
    // U+FE0F and U+200D where they belong to an emoji.
    QTest::addRow("heart in emoji style")
        << QStringLiteral("alice\u2764\uFE0F") << QStringLiteral("alice\u2764\uFE0F");
    QTest::addRow("zwj family") << QStringLiteral("👨‍👩‍👧")
                                << QStringLiteral("👨‍👩‍👧");
    QTest::addRow("rainbow flag: FE0F then ZWJ")
        << QStringLiteral("🏳️‍🌈") << QStringLiteral("🏳️‍🌈");
    QTest::addRow("skin tone then ZWJ")
        << QStringLiteral("👩🏽‍💻") << QStringLiteral("👩🏽‍💻");
    QTest::addRow("ZWJ then FE0F")
        << QStringLiteral("🏃‍♀️ runner") << QStringLiteral("🏃‍♀️ runner");
    QTest::addRow("keycap") << QStringLiteral("1\uFE0F\u20E3 one")
                            << QStringLiteral("1\uFE0F\u20E3 one");
    QTest::addRow("double exclamation in emoji style")
        << QStringLiteral("wow\u203C\uFE0F") << QStringLiteral("wow\u203C\uFE0F");
}

void TestSchema::nicksAreNormalized()
{
    QFETCH(QString, raw);
    QFETCH(QString, expected);
    const NormalizedNick n = normalizeNick(raw);
    QVERIFY2(n.ok(), qPrintable(n.reason));
    QCOMPARE(n.nick, expected);
}

void TestSchema::nickKeysIgnoreCase()
{
    QCOMPARE(nickKey(QStringLiteral("Bob")), nickKey(QStringLiteral("bOB")));
    QCOMPARE(nickKey(QStringLiteral("STRASSE")), nickKey(QStringLiteral("strasse")));
    QVERIFY(nickKey(QStringLiteral("bob")) != nickKey(QStringLiteral("rob")));
    QVERIFY(!normalizeNick(QStringLiteral("two  spaces")).ok());
    // Where a font lacks the emoji form or the ZWJ sequence, these look alike: one person.
    QCOMPARE(nickKey(QStringLiteral("alice\u2764\uFE0F")), nickKey(QStringLiteral("Alice\u2764")));
    QCOMPARE(nickKey(QStringLiteral("👨‍👩‍👧")), nickKey(QStringLiteral("👨👩👧")));
}

// Every character that shows as nothing, after a name and on its own: "alice" and "alice" with
// one of these were two people who look the same.
void TestSchema::invisibleNickCharactersAreRefused_data()
{
    QTest::addColumn<QString>("raw");
    QTest::addColumn<QString>("reasonContains");
    const char32_t invisible[] = {
        0x3164,  // Hangul filler
        0x115F,  // Hangul choseong filler
        0x1160,  // Hangul jungseong filler
        0xFFA0,  // halfwidth Hangul filler
        0x2800,  // braille pattern blank
        0xFE0F,  // variation selector 16, after a letter
        0xFE0E,  // variation selector 15
        0xFE00,  // variation selector 1
        0x034F,  // combining grapheme joiner
        0x00AD,  // soft hyphen
        0x061C,  // Arabic letter mark
        0x17B4,  // Khmer vowel inherent aq
        0x17B5,  // Khmer vowel inherent aa
        0x180B,  // Mongolian free variation selector one
        0x180E,  // Mongolian vowel separator
        0x180F,  // Mongolian free variation selector four
        0x200B,  // zero width space
        0x200C,  // zero width non-joiner
        0x200D,  // zero width joiner, not in an emoji
        0x200E,  // left-to-right mark
        0x202E,  // right-to-left override
        0x2060,  // word joiner
        0x2064,  // invisible plus
        0x2065,  // reserved, default ignorable
        0x2066,  // left-to-right isolate
        0x206F,  // nominal digit shapes
        0xFEFF,  // zero width no-break space
        0xFFF0,  // reserved, default ignorable
        0x1BCA0, // shorthand format letter overlap
        0x1D173, // musical symbol begin beam
        0x1D17A, // musical symbol end phrase
        0xE0001, // language tag
        0xE0020, // tag space
        0xE0100, // variation selector 17
        0xE01EF, // variation selector 256
        0xE0FFF, // reserved, default ignorable
    };
    for (const char32_t c : invisible) {
        const QString name = QStringLiteral("U+%1").arg(
            QString::number(uint(c), 16).toUpper().rightJustified(4, u'0'));
        // Not QString::fromUcs4(), which takes a leading U+FEFF for a byte order mark and drops it.
        const QString character = QStringView(QChar::fromUcs4(c)).toString();
        QTest::addRow("alice + %s", qPrintable(name))
            << QStringLiteral("alice") + character << name;
        QTest::addRow("%s alone", qPrintable(name)) << character << name;
        QTest::addRow("%s inside", qPrintable(name))
            << QStringLiteral("al") + character + QStringLiteral("ice") << name;
    }
    QTest::addRow("only Hangul fillers")
        << QStringLiteral("\u3164\u3164\u3164") << QStringLiteral("U+3164");
    QTest::addRow("only mixed fillers")
        << QStringLiteral("\u115F\u1160\uFFA0\u2800") << QStringLiteral("U+115F");
    QTest::addRow("fillers around a space")
        << QStringLiteral("\u3164 \u3164") << QStringLiteral("U+3164");
    QTest::addRow("only combining marks")
        << QStringLiteral("\u0301\u0301") << QStringLiteral("no visible character");
    QTest::addRow("only an enclosing keycap")
        << QStringLiteral("\u20E3") << QStringLiteral("no visible character");
    QTest::addRow("ZWJ after an emoji at the end")
        << QStringLiteral("alice\u2764\u200D") << QStringLiteral("U+200D");
    QTest::addRow("ZWJ between letters")
        << QStringLiteral("al\u200Dice") << QStringLiteral("U+200D");
    QTest::addRow("FE0F after a digit without keycap")
        << QStringLiteral("alice1\uFE0F") << QStringLiteral("U+FE0F");
    QTest::addRow("FE0F after FE0F")
        << QStringLiteral("alice\u2764\uFE0F\uFE0F") << QStringLiteral("U+FE0F");
    QTest::addRow("FE0F after braille blank")
        << QStringLiteral("alice\u2800\uFE0F") << QStringLiteral("U+2800");
}

void TestSchema::invisibleNickCharactersAreRefused()
{
    QFETCH(QString, raw);
    QFETCH(QString, reasonContains);
    const NormalizedNick n = normalizeNick(raw);
    QVERIFY2(!n.ok(), qPrintable(n.nick));
    QVERIFY2(n.reason.contains(reasonContains), qPrintable(n.reason));

    // The server's path: a hello with this nick is refused as nick_invalid, naming the character.
    // Written with \u escapes, as a hostile client may: Qt's JSON parser drops a U+FEFF that
    // starts a string when it comes as raw UTF-8.
    QByteArray escaped;
    for (const QChar c : raw)
        escaped += "\\u" + QByteArray::number(c.unicode(), 16).rightJustified(4, '0');
    const Decoded<ClientMessage> decoded =
        decodeClientMessage(R"({"type":"hello","version":1,"nick":")" + escaped + "\"}");
    QVERIFY(!decoded.ok());
    QCOMPARE(errorCodeName(decoded.code), errorCodeName(ErrorCode::NickInvalid));
    QVERIFY2(decoded.reason.contains(reasonContains), qPrintable(decoded.reason));
    QVERIFY(decoded.reason.endsWith(u'.'));
}

void TestSchema::emojiSequencesInNicks_data()
{
    QTest::addColumn<QString>("nick");
    QTest::addRow("heart with FE0F") << QStringLiteral("\u2764\uFE0F");
    QTest::addRow("fire heart: FE0F then ZWJ") << QStringLiteral("\u2764\uFE0F\u200D🔥");
    QTest::addRow("family") << QStringLiteral("👨‍👩‍👧‍👦");
    QTest::addRow("people holding hands") << QStringLiteral("🧑‍🤝‍🧑");
    QTest::addRow("regional indicator flag") << QStringLiteral("🇨🇳 li");
}

void TestSchema::emojiSequencesInNicks()
{
    QFETCH(QString, nick);
    const NormalizedNick n = normalizeNick(nick);
    QVERIFY2(n.ok(), qPrintable(n.reason));
    Hello hello;
    hello.nick = nick;
    const Hello back = roundTripClient(hello);
    QCOMPARE(back.nick, nick);
}

void TestSchema::sendWithoutRoomGoesToLobby()
{
    const Decoded<ClientMessage> decoded =
        decodeClientMessage(R"({"type":"send","id":"a","text":"x"})");
    QVERIFY2(decoded.ok(), qPrintable(decoded.reason));
    QCOMPARE(std::get<Send>(*decoded.message).room, QStringLiteral("lobby"));
}

void TestSchema::textLimitCountsCharactersNotBytes()
{
    // 4,000 emoji are 8,000 UTF-16 units and 16,000 UTF-8 bytes, and still allowed.
    const QString emoji = QString(kMaxTextChars, u'x').replace(u'x', QStringLiteral("😀"));
    QCOMPARE(codePointCount(emoji), kMaxTextChars);
    QVERIFY(checkText(emoji).isEmpty());
    QVERIFY(!checkText(emoji + QStringLiteral("😀")).isEmpty());
}

QTEST_APPLESS_MAIN(TestSchema)
#include "tst_schema.moc"
