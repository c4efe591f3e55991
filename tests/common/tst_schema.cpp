// The message schema: every kind round-trips, every malformed frame is refused with its reason.
#include "codec.h"
#include "mentions.h"
#include "namekey.h"
#include "validation.h"

#include <QFile>
#include <QRegularExpression>
#include <QTest>

using namespace chat::proto;

Q_DECLARE_METATYPE(chat::proto::ErrorCode)
Q_DECLARE_METATYPE(chat::proto::ClientMessage)
Q_DECLARE_METATYPE(chat::proto::ServerMessage)

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

// A chat message's event form: alice invited bob.
Message sampleEvent(qint64 seq)
{
    Message m = sampleMessage(seq, {});
    m.id.clear();
    m.room = QStringLiteral("dev");
    m.from = QStringLiteral("alice");
    m.event = QStringLiteral("invited");
    m.target = QStringLiteral("bob");
    return m;
}

RoomState sampleRoom()
{
    RoomState room;
    room.name = QStringLiteral("dev");
    room.title = QStringLiteral("开发组");
    room.topic = QStringLiteral("发布计划");
    room.role = QStringLiteral("owner");
    room.members = 3;
    room.read = 120;
    room.unread = 2;
    room.mentions = 1;
    room.last = sampleMessage(122, QStringLiteral("@alice 看一下"));
    room.last->room = room.name;
    return room;
}

RoomState sampleDirectRoom()
{
    RoomState room;
    room.name = QStringLiteral("@3-17");
    room.isPrivate = true;
    room.direct = true;
    room.with = QStringLiteral("bob");
    room.role = QStringLiteral("member");
    room.members = 2;
    return room;
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
    void helloCredentialsRoundTrip();
    void helloNormalizesNamesAndDevice();
    void olderHellosAreUnsupported_data();
    void olderHellosAreUnsupported();
    void accountRequestsRoundTrip();
    void sendRoundTrips_data();
    void sendRoundTrips();
    void pingAndPongRoundTrip();
    void messageRoundTrips();
    void welcomeRoundTrips();
    void presenceRoundTrips_data();
    void presenceRoundTrips();
    void errorRoundTrips();
    void doneRoundTrips();
    void devicesRoundTrip();
    void everyErrorCodeHasItsName();
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
    void passwordRules_data();
    void passwordRules();
    void displayRules_data();
    void displayRules();
    void loginRequestsDecode();
    void malformedLoginRequestsAreRejected_data();
    void malformedLoginRequestsAreRejected();
    void httpAnswers();
    // Version 3: rooms.
    void messageEventsRoundTrip();
    void roomRequestsRoundTrip_data();
    void roomRequestsRoundTrip();
    void roomAnswersRoundTrip_data();
    void roomAnswersRoundTrip();
    void roomStateRoundTrips();
    void sendToAnAccount();
    void roomRequestsAreNormalized();
    void pageDefaults();
    void everyErrorCodeUpToTheLastHasAName();
    void roomNames_data();
    void roomNames();
    void directRoomNames();
    void pageLimits();
    void titlesAndTopics_data();
    void titlesAndTopics();
    void mentionsOfAnAccount_data();
    void mentionsOfAnAccount();
    void mentionedNamesInOrder_data();
    void mentionedNamesInOrder();
    void documentedExamplesDecode();
};

void TestSchema::helloRoundTrips_data()
{
    QTest::addColumn<QString>("token");
    QTest::addColumn<qint64>("lastSeq");
    QTest::addColumn<QString>("session");
    QTest::addRow("cookie, first connection") << QString() << qint64(-1) << QString();
    QTest::addRow("token") << QStringLiteral("s3cret") << qint64(-1) << QString();
    QTest::addRow("resume") << QStringLiteral("s3cret") << qint64(41) << QStringLiteral("abc123");
    QTest::addRow("resume from zero") << QStringLiteral("t") << qint64(0) << QString();
    QTest::addRow("largest seq") << QStringLiteral("t") << kMaxSeq << QString();
    QTest::addRow("longest token") << QString(kMaxTokenChars, u'k') << qint64(-1) << QString();
}

void TestSchema::helloRoundTrips()
{
    QFETCH(QString, token);
    QFETCH(qint64, lastSeq);
    QFETCH(QString, session);
    Hello hello;
    hello.token = token;
    hello.device = QStringLiteral("桌面 · pc1");
    if (lastSeq >= 0)
        hello.lastSeq = lastSeq;
    hello.session = session;
    if (hello.lastSeq)
        hello.instance = QStringLiteral("9a8b");
    const Hello back = roundTripClient(hello);
    QCOMPARE(back.version, kProtocolVersion);
    QCOMPARE(back.token, token);
    QVERIFY(!back.login);
    QVERIFY(!back.registration);
    QCOMPARE(back.device, hello.device);
    QCOMPARE(back.instance, hello.instance);
    QCOMPARE(back.lastSeq, hello.lastSeq);
    QCOMPARE(back.session, session);
}

void TestSchema::helloCredentialsRoundTrip()
{
    Hello login;
    login.login = Login{QStringLiteral("alice"), QStringLiteral("correct horse")};
    const Hello loginBack = roundTripClient(login);
    QVERIFY(loginBack.login);
    QCOMPARE(loginBack.login->name, QStringLiteral("alice"));
    QCOMPARE(loginBack.login->password, QStringLiteral("correct horse"));
    QVERIFY(loginBack.token.isEmpty());
    QVERIFY(!loginBack.registration);
    QVERIFY(encode(login).contains(R"("login":{"name":"alice","password":"correct horse"})"));

    Hello reg;
    reg.registration = Registration{QStringLiteral("小明"), QStringLiteral(" spaces ok 密码 "),
                                    QStringLiteral("CODE-1"), QStringLiteral("爱丽丝 🦊")};
    reg.device = QStringLiteral("phone");
    const Hello regBack = roundTripClient(reg);
    QVERIFY(regBack.registration);
    QVERIFY(!regBack.login);
    QCOMPARE(regBack.registration->name, reg.registration->name);
    QCOMPARE(regBack.registration->password, reg.registration->password);
    QCOMPARE(regBack.registration->invite, reg.registration->invite);
    QCOMPARE(regBack.registration->display, reg.registration->display);
    QCOMPARE(regBack.device, QStringLiteral("phone"));
    QVERIFY(encode(reg).contains("\"register\":{"));

    // Invite and display are optional.
    Hello bare;
    bare.registration = Registration{QStringLiteral("bob"), QStringLiteral("12345678"), {}, {}};
    const Hello bareBack = roundTripClient(bare);
    QVERIFY(bareBack.registration);
    QVERIFY(bareBack.registration->invite.isEmpty());
    QVERIFY(bareBack.registration->display.isEmpty());
    QVERIFY(!encode(bare).contains("invite"));
    QVERIFY(!encode(bare).contains("display"));
}

void TestSchema::helloNormalizesNamesAndDevice()
{
    const Decoded<ClientMessage> decoded = decodeClientMessage(
        R"({"type":"hello","version":3,"register":{"name":"  jose\u0301 ","password":"12345678",)"
        R"("display":"  "},"device":"  pc1  "})");
    QVERIFY2(decoded.ok(), qPrintable(decoded.reason));
    const Hello hello = std::get<Hello>(*decoded.message);
    QCOMPARE(hello.registration->name, QStringLiteral("jos\u00e9"));
    QCOMPARE(hello.registration->display, QString()); // blank means none
    QCOMPARE(hello.device, QStringLiteral("pc1"));
    // An empty token is no token: the cookie is used.
    const Decoded<ClientMessage> emptyToken = decodeClientMessage(
        R"({"type":"hello","version":3,"token":"","login":{"name":"a","password":"12345678"}})");
    QVERIFY2(emptyToken.ok(), qPrintable(emptyToken.reason));
    QVERIFY(std::get<Hello>(*emptyToken.message).login);
}

void TestSchema::olderHellosAreUnsupported_data()
{
    QTest::addColumn<QByteArray>("frame");
    QTest::addRow("version 1") << QByteArray(R"({"type":"hello","version":1,"nick":"x"})");
    QTest::addRow("version 2 with a token")
        << QByteArray(R"({"type":"hello","version":2,"token":"t","lastSeq":5})");
    QTest::addRow("version 2 by cookie") << QByteArray(R"({"type":"hello","version":2})");
}

void TestSchema::olderHellosAreUnsupported()
{
    QFETCH(QByteArray, frame);
    const Decoded<ClientMessage> decoded = decodeClientMessage(frame);
    QVERIFY(!decoded.ok());
    QCOMPARE(errorCodeName(decoded.code), QStringLiteral("unsupported_version"));
    QCOMPARE(decoded.reason,
             QStringLiteral("This server speaks protocol version 3 (rooms); update the client."));
}

void TestSchema::accountRequestsRoundTrip()
{
    QCOMPARE(roundTripClient(Logout{QStringLiteral("r1")}).id, QStringLiteral("r1"));
    QVERIFY(encode(Logout{QStringLiteral("r1")}) == R"({"id":"r1","type":"logout"})");

    const ChangePassword change{QStringLiteral("r2"), QStringLiteral("old password"),
                                QStringLiteral("new password ✓")};
    const ChangePassword changeBack = roundTripClient(change);
    QCOMPARE(changeBack.id, change.id);
    QCOMPARE(changeBack.oldPassword, change.oldPassword);
    QCOMPARE(changeBack.newPassword, change.newPassword);
    QVERIFY(encode(change).contains(R"("old":"old password")"));
    QVERIFY(encode(change).contains(R"("type":"change_password")"));

    QCOMPARE(roundTripClient(ListDevices{QStringLiteral("r3")}).id, QStringLiteral("r3"));
    QVERIFY(encode(ListDevices{QStringLiteral("r3")}).contains(R"("type":"devices")"));

    const EndDevice end{QStringLiteral("r4"), QStringLiteral("3f2a9c0d1e2b4a5f")};
    const EndDevice endBack = roundTripClient(end);
    QCOMPARE(endBack.id, end.id);
    QCOMPARE(endBack.device, end.device);

    const SetDisplay set{QStringLiteral("r5"), QStringLiteral("爱丽丝")};
    const SetDisplay setBack = roundTripClient(set);
    QCOMPARE(setBack.id, set.id);
    QCOMPARE(setBack.display, set.display);
    QCOMPARE(roundTripClient(SetDisplay{QStringLiteral("r6"), {}}).display, QString());

    // Through the variant too.
    const ClientMessage message{SetDisplay{QStringLiteral("r7"), QStringLiteral("x")}};
    QCOMPARE(encode(message), encode(std::get<SetDisplay>(message)));
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
    const Send send{QStringLiteral("7d1e5c2a-52d4-4a40-9f0e-0c9a3c1f6b11"), room, {}, text};
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
    Message m = sampleMessage(kMaxSeq, QStringLiteral("你好 👋 <script>"));
    QCOMPARE(roundTripServer(m), m);
    QVERIFY(!encode(m).contains("display"));
    m.display = QStringLiteral("爱丽丝");
    const Message back = roundTripServer(m);
    QCOMPARE(back, m);
    QCOMPARE(back.time.timeSpec(), Qt::UTC);
    QVERIFY(encode(m).contains("\"time\":\"2026-11-22T09:14:03.120Z\""));
    QVERIFY(encode(m).contains("\"from\":\"bob\",\"display\":\"爱丽丝\""));
}

void TestSchema::welcomeRoundTrips()
{
    Welcome w;
    w.server = QStringLiteral("test server");
    w.account = QStringLiteral("alice");
    w.display = QStringLiteral("爱丽丝");
    w.admin = true;
    w.token = QStringLiteral("NEWTOKEN");
    w.session = QStringLiteral("5f0c");
    w.instance = QStringLiteral("9a8b");
    w.seq = 2;
    w.resumed = true;
    w.rooms = {sampleRoom(), sampleDirectRoom()};
    w.history = {sampleMessage(1, QStringLiteral("a")), sampleMessage(2, QStringLiteral("b")),
                 sampleEvent(3)};
    w.history[1].display = QStringLiteral("Bobby");
    w.reload = {QStringLiteral("dev"), QStringLiteral("@3-17")};
    const Welcome back = roundTripServer(w);
    QCOMPARE(back.version, kProtocolVersion);
    QCOMPARE(back.server, w.server);
    QCOMPARE(back.account, w.account);
    QCOMPARE(back.display, w.display);
    QCOMPARE(back.admin, true);
    QCOMPARE(back.token, w.token);
    QCOMPARE(back.session, w.session);
    QCOMPARE(back.instance, w.instance);
    QCOMPARE(back.seq, w.seq);
    QCOMPARE(back.resumed, true);
    QCOMPARE(back.rooms, w.rooms);
    QCOMPARE(back.history, w.history);
    QCOMPARE(back.reload, w.reload);
    const QByteArray json = encode(w);
    QVERIFY(!json.contains("\"users\""));
    QVERIFY(json.contains(R"("rooms":[{"name":"dev","title":"开发组","topic":"发布计划",)"
                          R"("role":"owner","members":3,"read":120,"unread":2,"mentions":1,)"
                          R"("last":{"type":"message","seq":122,)"));
    QVERIFY(json.contains(R"({"name":"@3-17","private":true,"direct":true,"with":"bob",)"
                          R"("role":"member","members":2,"read":0,"unread":0,"mentions":0})"));
    QVERIFY(json.endsWith(R"("reload":["dev","@3-17"]})"));

    // Optional fields are left out when empty or false, and read back as such.
    Welcome plain;
    plain.account = QStringLiteral("bob");
    const QByteArray plainJson = encode(plain);
    QVERIFY(!plainJson.contains("display"));
    QVERIFY(!plainJson.contains("admin"));
    QVERIFY(!plainJson.contains("token"));
    QVERIFY(plainJson.contains(R"("rooms":[])"));
    QVERIFY(plainJson.contains(R"("history":[])"));
    QVERIFY(!plainJson.contains("reload"));
    const Welcome plainBack = roundTripServer(plain);
    QCOMPARE(plainBack.account, plain.account);
    QVERIFY(plainBack.display.isEmpty());
    QVERIFY(!plainBack.admin);
    QVERIFY(plainBack.token.isEmpty());
    QVERIFY(plainBack.rooms.isEmpty());
    QVERIFY(plainBack.reload.isEmpty());

    // A welcome as docs/protocol.md shows it; fields this build does not know are ignored.
    const Decoded<ServerMessage> documented = decodeServerMessage(
        R"({"type":"welcome","version":3,"server":"s","account":"alice","session":"x",)"
        R"("instance":"i","seq":130,"resumed":false,"users":[{"name":"old"}],"future":1,)"
        R"("rooms":[{"name":"lobby","role":"member","members":40,"read":130,"unread":0,)"
        R"("mentions":0}],"history":[]})");
    QVERIFY2(documented.ok(), qPrintable(documented.reason));
    const Welcome documentedBack = std::get<Welcome>(*documented.message);
    QCOMPARE(documentedBack.rooms.size(), 1);
    QCOMPARE(documentedBack.rooms.at(0).members, 40);
    QCOMPARE(documentedBack.rooms.at(0).role, QStringLiteral("member"));
    QVERIFY(!documentedBack.rooms.at(0).last);
}

void TestSchema::presenceRoundTrips_data()
{
    QTest::addColumn<QList<User>>("joined");
    QTest::addColumn<QStringList>("left");
    QTest::addRow("one join") << QList<User>{User{QStringLiteral("bob"), {}}} << QStringList{};
    QTest::addRow("one leave") << QList<User>{} << QStringList{QStringLiteral("bob")};
    QTest::addRow("new display name")
        << QList<User>{User{QStringLiteral("bob"), QStringLiteral("Bobby")}} << QStringList{};
    QTest::addRow("a crowd") << QList<User>{User{QStringLiteral("ann"), {}},
                                            User{QStringLiteral("小明"), QStringLiteral("明")},
                                            User{QStringLiteral("zoë 🎉"), {}},
                                            User{QStringLiteral("\"q\""), QStringLiteral("\\")}}
                             << QStringList{QStringLiteral("carl"), QStringLiteral("dora")};
}

void TestSchema::presenceRoundTrips()
{
    QFETCH(QList<User>, joined);
    QFETCH(QStringList, left);
    const Presence p{QStringLiteral("dev"), joined, left, 3};
    const Presence back = roundTripServer(p);
    QCOMPARE(back, p);
}

void TestSchema::errorRoundTrips()
{
    const Error e{ErrorCode::NameTaken, QStringLiteral("The name is taken."), QStringLiteral("r1")};
    const Error back = roundTripServer(e);
    QCOMPARE(back.code, ErrorCode::NameTaken);
    QCOMPARE(back.message, e.message);
    QCOMPARE(back.ref, e.ref);
    QVERIFY(encode(e).contains("\"code\":\"name_taken\""));
}

void TestSchema::doneRoundTrips()
{
    const Done plain{QStringLiteral("r1"), {}, {}};
    QCOMPARE(encode(plain), QByteArray(R"({"ref":"r1","type":"done"})"));
    const Done plainBack = roundTripServer(plain);
    QCOMPARE(plainBack.ref, plain.ref);
    QVERIFY(plainBack.token.isEmpty());
    const Done withToken = roundTripServer(Done{QStringLiteral("r2"), QStringLiteral("NEW"), {}});
    QCOMPARE(withToken.ref, QStringLiteral("r2"));
    QCOMPARE(withToken.token, QStringLiteral("NEW"));
}

void TestSchema::devicesRoundTrip()
{
    Devices d;
    d.ref = QStringLiteral("r3");
    const QDateTime t1(QDate(2026, 12, 1), QTime(10, 0, 0, 5), Qt::UTC);
    const QDateTime t2(QDate(2026, 12, 2), QTime(11, 30), Qt::UTC);
    d.devices = {
        Device{QStringLiteral("3f2a9c0d1e2b4a5f"), QStringLiteral("桌面 · pc1"), t1, t2, true},
        Device{QStringLiteral("0011223344556677"), {}, t1, {}, false}};
    const Devices back = roundTripServer(d);
    QCOMPARE(back.ref, d.ref);
    QCOMPARE(back.devices, d.devices);
    QVERIFY(encode(d).contains(R"("created":"2026-12-01T10:00:00.005Z")"));
    QVERIFY(encode(d).contains(R"("type":"devices")"));
    QCOMPARE(roundTripServer(Devices{QStringLiteral("r4"), {}}).devices.size(), 0);
}

void TestSchema::everyErrorCodeHasItsName()
{
    const std::pair<ErrorCode, const char *> names[] = {
        {ErrorCode::BadJson, "bad_json"},
        {ErrorCode::BadMessage, "bad_message"},
        {ErrorCode::UnknownType, "unknown_type"},
        {ErrorCode::UnsupportedVersion, "unsupported_version"},
        {ErrorCode::NickInvalid, "nick_invalid"},
        {ErrorCode::NickTaken, "nick_taken"},
        {ErrorCode::NotJoined, "not_joined"},
        {ErrorCode::AlreadyJoined, "already_joined"},
        {ErrorCode::TextInvalid, "text_invalid"},
        {ErrorCode::BinaryFrame, "binary_frame"},
        {ErrorCode::TooLarge, "too_large"},
        {ErrorCode::RateLimited, "rate_limited"},
        {ErrorCode::Unauthorized, "unauthorized"},
        {ErrorCode::Internal, "internal"},
        {ErrorCode::LoginFailed, "login_failed"},
        {ErrorCode::TokenInvalid, "token_invalid"},
        {ErrorCode::NameInvalid, "name_invalid"},
        {ErrorCode::NameTaken, "name_taken"},
        {ErrorCode::PasswordInvalid, "password_invalid"},
        {ErrorCode::RegistrationClosed, "registration_closed"},
        {ErrorCode::InviteInvalid, "invite_invalid"},
        {ErrorCode::TooManyAttempts, "too_many_attempts"},
        {ErrorCode::Busy, "busy"},
        {ErrorCode::AccountDisabled, "account_disabled"},
        {ErrorCode::DisplayInvalid, "display_invalid"},
        {ErrorCode::Forbidden, "forbidden"},
        {ErrorCode::RoomNotFound, "room_not_found"},
        {ErrorCode::NotMember, "not_member"},
        {ErrorCode::NotOwner, "not_owner"},
        {ErrorCode::RoomExists, "room_exists"},
        {ErrorCode::InviteOnly, "invite_only"},
        {ErrorCode::UserNotFound, "user_not_found"},
        {ErrorCode::NotAllowed, "not_allowed"},
        {ErrorCode::TooManyRooms, "too_many_rooms"},
        {ErrorCode::TitleInvalid, "title_invalid"},
    };
    for (const auto &[code, name] : names) {
        QCOMPARE(errorCodeName(code), QLatin1String(name));
        QCOMPARE(errorCodeFromName(QLatin1String(name)), code);
        const Error back = roundTripServer(Error{code, QStringLiteral("m"), {}});
        QCOMPARE(back.code, code);
    }
    QCOMPARE(errorCodeName(ErrorCode::Unknown), QStringLiteral("unknown"));
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
    // hello: the version first, so a version-1 hello is told to update.
    row("hello without version", "{\"type\":\"hello\",\"nick\":\"a\"}", ErrorCode::BadMessage,
        "\"version\" is missing");
    row("hello version 1", R"({"type":"hello","version":1,"nick":"x"})",
        ErrorCode::UnsupportedVersion, "update the client");
    row("hello version 1 with a bad nick", R"({"type":"hello","version":1,"nick":5})",
        ErrorCode::UnsupportedVersion, "protocol version 3 (rooms)");
    row("hello version 2", R"({"type":"hello","version":2,"token":"t"})",
        ErrorCode::UnsupportedVersion,
        "This server speaks protocol version 3 (rooms); update the "
        "client.");
    row("hello version 2 with a login",
        R"({"type":"hello","version":2,"login":{"name":"alice","password":"12345678"}})",
        ErrorCode::UnsupportedVersion, "update the client");
    row("hello version 4", R"({"type":"hello","version":4,"token":"t"})",
        ErrorCode::UnsupportedVersion, "update the client");
    row("hello version as string", R"({"type":"hello","version":"2"})", ErrorCode::BadMessage,
        "must be an integer");
    row("hello token and login",
        R"({"type":"hello","version":3,"token":"t","login":{"name":"a","password":"12345678"}})",
        ErrorCode::BadMessage, "at most one");
    row("hello login and register",
        R"({"type":"hello","version":3,"login":{"name":"a","password":"12345678"},)"
        R"("register":{"name":"a","password":"12345678"}})",
        ErrorCode::BadMessage, "at most one");
    row("hello token is a number", R"({"type":"hello","version":3,"token":5})",
        ErrorCode::BadMessage, "\"token\" must be a string");
    row("hello token too long",
        R"({"type":"hello","version":3,"token":")" + QByteArray(kMaxTokenChars + 1, 't') + "\"}",
        ErrorCode::TokenInvalid, "longer than 1024");
    row("hello token with a space", R"({"type":"hello","version":3,"token":"a b"})",
        ErrorCode::TokenInvalid, "printable ASCII");
    row("hello login is a string", R"({"type":"hello","version":3,"login":"alice"})",
        ErrorCode::BadMessage, "\"login\" must be an object");
    row("hello login is null", R"({"type":"hello","version":3,"login":null})",
        ErrorCode::BadMessage, "it is null");
    row("hello login without password", R"({"type":"hello","version":3,"login":{"name":"alice"}})",
        ErrorCode::BadMessage, "hello: login: the field \"password\" is missing");
    row("hello login without name",
        R"({"type":"hello","version":3,"login":{"password":"12345678"}})", ErrorCode::BadMessage,
        "\"name\" is missing");
    row("hello login name is a number",
        R"({"type":"hello","version":3,"login":{"name":1,"password":"12345678"}})",
        ErrorCode::BadMessage, "\"name\" must be a string");
    row("hello login empty name",
        R"({"type":"hello","version":3,"login":{"name":"  ","password":"12345678"}})",
        ErrorCode::NameInvalid, "The account name is empty");
    row("hello login long name",
        R"({"type":"hello","version":3,"login":{"name":")" + QByteArray(33, 'n') +
            R"(","password":"12345678"}})",
        ErrorCode::NameInvalid, "32");
    row("hello login name with control",
        R"({"type":"hello","version":3,"login":{"name":"a\u0007b","password":"12345678"}})",
        ErrorCode::NameInvalid, "U+0007");
    row("hello login name with zero width space",
        R"({"type":"hello","version":3,"login":{"name":"a\u200bb","password":"12345678"}})",
        ErrorCode::NameInvalid, "U+200B");
    row("hello login short password",
        R"({"type":"hello","version":3,"login":{"name":"alice","password":"1234567"}})",
        ErrorCode::PasswordInvalid, "at least 8");
    row("hello login long password",
        R"({"type":"hello","version":3,"login":{"name":"alice","password":")" +
            QByteArray(kMaxPasswordChars + 1, 'p') + "\"}}",
        ErrorCode::PasswordInvalid, "at most 256");
    row("hello login password with NUL",
        R"({"type":"hello","version":3,"login":{"name":"alice","password":"1234\u00005678"}})",
        ErrorCode::PasswordInvalid, "U+0000");
    row("hello register password with newline",
        R"({"type":"hello","version":3,"register":{"name":"alice","password":"1234\n5678"}})",
        ErrorCode::PasswordInvalid, "control character");
    row("hello register empty password",
        R"({"type":"hello","version":3,"register":{"name":"alice","password":""}})",
        ErrorCode::PasswordInvalid, "has 0 characters");
    row("hello register bad name",
        R"({"type":"hello","version":3,"register":{"name":"a  b","password":"12345678"}})",
        ErrorCode::NameInvalid, "two spaces");
    row("hello register invite is a number",
        R"({"type":"hello","version":3,"register":{"name":"a","password":"12345678","invite":1}})",
        ErrorCode::BadMessage, "\"invite\" must be a string");
    row("hello register long invite",
        R"({"type":"hello","version":3,"register":{"name":"a","password":"12345678","invite":")" +
            QByteArray(kMaxInviteChars + 1, 'i') + "\"}}",
        ErrorCode::InviteInvalid, "longer than 64");
    row("hello register invite with control",
        R"({"type":"hello","version":3,"register":{"name":"a","password":"12345678",)"
        R"("invite":"a\u0001"}})",
        ErrorCode::InviteInvalid, "U+0001");
    row("hello register display with zero width",
        R"({"type":"hello","version":3,"register":{"name":"a","password":"12345678",)"
        R"("display":"x\u200by"}})",
        ErrorCode::DisplayInvalid, "The display name contains an invisible");
    row("hello register long display",
        R"({"type":"hello","version":3,"register":{"name":"a","password":"12345678","display":")" +
            QByteArray(kMaxDisplayChars + 1, 'd') + "\"}}",
        ErrorCode::DisplayInvalid, "longer than 64");
    row("hello register display is null",
        R"({"type":"hello","version":3,"register":{"name":"a","password":"12345678",)"
        R"("display":null}})",
        ErrorCode::BadMessage, "\"display\" must be a string");
    row("hello device is a number", R"({"type":"hello","version":3,"device":7})",
        ErrorCode::BadMessage, "\"device\" must be a string");
    row("hello long device",
        R"({"type":"hello","version":3,"device":")" + QByteArray(kMaxDeviceChars + 1, 'd') + "\"}",
        ErrorCode::BadMessage, "longer than 64");
    row("hello device with control", R"({"type":"hello","version":3,"device":"pc\u001b1"})",
        ErrorCode::BadMessage, "U+001B");
    row("hello device with line separator", R"({"type":"hello","version":3,"device":"pc\u20281"})",
        ErrorCode::BadMessage, "U+2028");
    row("hello negative lastSeq", R"({"type":"hello","version":3,"token":"t","lastSeq":-1})",
        ErrorCode::BadMessage, "lastSeq");
    row("hello fractional lastSeq", R"({"type":"hello","version":3,"token":"t","lastSeq":1.5})",
        ErrorCode::BadMessage, "lastSeq");
    row("hello huge lastSeq", R"({"type":"hello","version":3,"token":"t","lastSeq":1e300})",
        ErrorCode::BadMessage, "lastSeq");
    row("hello session too long",
        R"({"type":"hello","version":3,"token":"t","session":")" + QByteArray(65, 's') + "\"}",
        ErrorCode::BadMessage, "too long");
    row("hello instance too long",
        R"({"type":"hello","version":3,"instance":")" + QByteArray(65, 's') + "\"}",
        ErrorCode::BadMessage, "too long");
    // Account requests.
    row("logout without id", R"({"type":"logout"})", ErrorCode::BadMessage,
        "logout: the field \"id\" is missing");
    row("logout id with space", R"({"type":"logout","id":"a b"})", ErrorCode::BadMessage,
        "printable ASCII");
    row("logout long id", R"({"type":"logout","id":")" + QByteArray(65, 'i') + "\"}",
        ErrorCode::BadMessage, "longer than 64");
    row("change_password without new", R"({"type":"change_password","id":"r","old":"12345678"})",
        ErrorCode::BadMessage, "\"new\" is missing");
    row("change_password old is a number",
        R"({"type":"change_password","id":"r","old":1,"new":"12345678"})", ErrorCode::BadMessage,
        "\"old\" must be a string");
    row("change_password short new",
        R"({"type":"change_password","id":"r","old":"12345678","new":"short"})",
        ErrorCode::PasswordInvalid, "The new password: The password has 5 characters");
    row("change_password long old",
        R"({"type":"change_password","id":"r","old":")" + QByteArray(kMaxPasswordChars + 1, 'o') +
            R"(","new":"12345678"})",
        ErrorCode::PasswordInvalid, "The current password");
    row("change_password new with control",
        R"({"type":"change_password","id":"r","old":"12345678","new":"1234567\t8"})",
        ErrorCode::PasswordInvalid, "U+0009");
    row("devices without id", R"({"type":"devices"})", ErrorCode::BadMessage,
        "devices: the field \"id\" is missing");
    row("devices empty id", R"({"type":"devices","id":""})", ErrorCode::BadMessage, "id is empty");
    row("end_device without device", R"({"type":"end_device","id":"r"})", ErrorCode::BadMessage,
        "\"device\" is missing");
    row("end_device empty device", R"({"type":"end_device","id":"r","device":""})",
        ErrorCode::BadMessage, "The device id is empty");
    row("end_device device with space", R"({"type":"end_device","id":"r","device":"a b"})",
        ErrorCode::BadMessage, "The device id may only hold printable ASCII");
    row("end_device id is a number", R"({"type":"end_device","id":4,"device":"d"})",
        ErrorCode::BadMessage, "\"id\" must be a string");
    row("set_display without display", R"({"type":"set_display","id":"r"})", ErrorCode::BadMessage,
        "\"display\" is missing");
    row("set_display with control", R"({"type":"set_display","id":"r","display":"a\u0000"})",
        ErrorCode::DisplayInvalid, "U+0000");
    row("set_display two spaces", R"({"type":"set_display","id":"r","display":"a  b"})",
        ErrorCode::DisplayInvalid, "two spaces");
    row("set_display long",
        R"({"type":"set_display","id":"r","display":")" + QByteArray(kMaxDisplayChars + 1, 'd') +
            "\"}",
        ErrorCode::DisplayInvalid, "longer than 64");
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
    row("send empty room", "{\"type\":\"send\",\"id\":\"a\",\"room\":\"\",\"text\":\"x\"}",
        ErrorCode::BadMessage, "room");
    // Version 3: send into a room or to an account.
    row("send room and to", R"({"type":"send","id":"r","room":"dev","to":"bob","text":"x"})",
        ErrorCode::BadMessage, "either \"room\" or \"to\", not both");
    row("send empty to", R"({"type":"send","id":"r","to":"","text":"x"})", ErrorCode::BadMessage,
        "The account name is empty");
    row("send to a number", R"({"type":"send","id":"r","to":7,"text":"x"})", ErrorCode::BadMessage,
        "\"to\" must be a string");
    row("send to with zero width space", R"({"type":"send","id":"r","to":"b\u200bob","text":"x"})",
        ErrorCode::BadMessage, "U+200B");
    row("send to with two spaces", R"({"type":"send","id":"r","to":"a  b","text":"x"})",
        ErrorCode::BadMessage, "two spaces");
    row("send to a long name",
        R"({"type":"send","id":"r","to":")" + QByteArray(33, 'n') + R"(","text":"x"})",
        ErrorCode::BadMessage, "longer than 32");
    row("send to with bad text", R"({"type":"send","id":"r","to":"bob","text":" "})",
        ErrorCode::TextInvalid, "empty");
    row("send room upper case", R"({"type":"send","id":"r","room":"Dev","text":"x"})",
        ErrorCode::BadMessage, "a-z, 0-9");
    row("send room too long",
        R"({"type":"send","id":"r","room":")" + QByteArray(33, 'd') + R"(","text":"x"})",
        ErrorCode::BadMessage, "longer than 32");
    row("send direct room higher id first", R"({"type":"send","id":"r","room":"@17-3","text":"x"})",
        ErrorCode::BadMessage, "the lower first");
    row("send direct room with itself", R"({"type":"send","id":"r","room":"@3-3","text":"x"})",
        ErrorCode::BadMessage, "two account ids");
    row("send direct room leading zero", R"({"type":"send","id":"r","room":"@03-17","text":"x"})",
        ErrorCode::BadMessage, "direct room");
    row("send direct room id zero", R"({"type":"send","id":"r","room":"@0-17","text":"x"})",
        ErrorCode::BadMessage, "direct room");
    row("send direct room negative id", R"({"type":"send","id":"r","room":"@-3-17","text":"x"})",
        ErrorCode::BadMessage, "direct room");
    row("send direct room plus sign", R"({"type":"send","id":"r","room":"@+3-17","text":"x"})",
        ErrorCode::BadMessage, "direct room");
    row("send direct room letters", R"({"type":"send","id":"r","room":"@a-b","text":"x"})",
        ErrorCode::BadMessage, "direct room");
    row("send direct room one id", R"({"type":"send","id":"r","room":"@317","text":"x"})",
        ErrorCode::BadMessage, "direct room");
    row("send direct room three ids", R"({"type":"send","id":"r","room":"@3-17-20","text":"x"})",
        ErrorCode::BadMessage, "direct room");
    row("send direct room trailing dash", R"({"type":"send","id":"r","room":"@3-","text":"x"})",
        ErrorCode::BadMessage, "direct room");
    row("send direct room 16 digits",
        R"({"type":"send","id":"r","room":"@3-1234567890123456","text":"x"})",
        ErrorCode::BadMessage, "direct room");
    row("send direct room full-width digits",
        R"({"type":"send","id":"r","room":"@３-１７","text":"x"})", ErrorCode::BadMessage,
        "direct room");
    // typing and read carry no id: their rejections carry no ref.
    row("typing without room", R"({"type":"typing"})", ErrorCode::BadMessage,
        "typing: the field \"room\" is missing");
    row("typing room a number", R"({"type":"typing","room":1})", ErrorCode::BadMessage,
        "\"room\" must be a string");
    row("typing bad room", R"({"type":"typing","room":"a b"})", ErrorCode::BadMessage, "a-z");
    row("read without seq", R"({"type":"read","room":"dev"})", ErrorCode::BadMessage,
        "read: the field \"seq\" is missing");
    row("read without room", R"({"type":"read","seq":3})", ErrorCode::BadMessage,
        "read: the field \"room\" is missing");
    row("read negative seq", R"({"type":"read","room":"dev","seq":-1})", ErrorCode::BadMessage,
        "integer from 0 to 9007199254740992");
    row("read fractional seq", R"({"type":"read","room":"dev","seq":2.5})", ErrorCode::BadMessage,
        "\"seq\" must be an integer");
    row("read huge seq", R"({"type":"read","room":"dev","seq":1e300})", ErrorCode::BadMessage,
        "\"seq\" must be an integer");
    row("read seq a string", R"({"type":"read","room":"dev","seq":"5"})", ErrorCode::BadMessage,
        "but it is a string");
    row("read bad direct room", R"({"type":"read","room":"@2-1","seq":5})", ErrorCode::BadMessage,
        "lower first");
    // The room list.
    row("rooms without id", R"({"type":"rooms"})", ErrorCode::BadMessage,
        "rooms: the field \"id\" is missing");
    row("rooms limit zero", R"({"type":"rooms","id":"r","limit":0})", ErrorCode::BadMessage,
        "\"limit\" must be an integer from 1 to 200");
    row("rooms limit 201", R"({"type":"rooms","id":"r","limit":201})", ErrorCode::BadMessage,
        "from 1 to 200");
    row("rooms limit negative", R"({"type":"rooms","id":"r","limit":-5})", ErrorCode::BadMessage,
        "from 1 to 200");
    row("rooms limit fraction", R"({"type":"rooms","id":"r","limit":1.5})", ErrorCode::BadMessage,
        "from 1 to 200");
    row("rooms limit a string", R"({"type":"rooms","id":"r","limit":"50"})", ErrorCode::BadMessage,
        "\"limit\" must be an integer");
    row("rooms after a number", R"({"type":"rooms","id":"r","after":3})", ErrorCode::BadMessage,
        "\"after\" must be a string");
    row("rooms after not a room", R"({"type":"rooms","id":"r","after":"Dev Team"})",
        ErrorCode::BadMessage, "a-z");
    // create_room.
    row("create_room without name", R"({"type":"create_room","id":"r"})", ErrorCode::BadMessage,
        "create_room: the field \"name\" is missing");
    row("create_room empty name", R"({"type":"create_room","id":"r","name":""})",
        ErrorCode::BadMessage, "The room name is empty");
    row("create_room upper case", R"({"type":"create_room","id":"r","name":"Dev"})",
        ErrorCode::BadMessage, "a-z, 0-9");
    row("create_room chinese name", R"({"type":"create_room","id":"r","name":"开发"})",
        ErrorCode::BadMessage, "a-z, 0-9");
    row("create_room direct name", R"({"type":"create_room","id":"r","name":"@3-17"})",
        ErrorCode::BadMessage, "a-z, 0-9");
    row("create_room long name",
        R"({"type":"create_room","id":"r","name":")" + QByteArray(33, 'd') + "\"}",
        ErrorCode::BadMessage, "longer than 32");
    row("create_room name null", R"({"type":"create_room","id":"r","name":null})",
        ErrorCode::BadMessage, "it is null");
    row("create_room title a number", R"({"type":"create_room","id":"r","name":"d","title":1})",
        ErrorCode::BadMessage, "\"title\" must be a string");
    row("create_room private a string",
        R"({"type":"create_room","id":"r","name":"d","private":"yes"})", ErrorCode::BadMessage,
        "\"private\" must be true or false");
    row("create_room long title",
        R"({"type":"create_room","id":"r","name":"d","title":")" +
            QString(kMaxTitleChars + 1, QChar(0x5f00)).toUtf8() + "\"}",
        ErrorCode::TitleInvalid, "The title is longer than 64 characters");
    row("create_room title with newline",
        R"({"type":"create_room","id":"r","name":"d","title":"a\nb"})", ErrorCode::TitleInvalid,
        "The title contains a control character (U+000A)");
    row("create_room title of zero width spaces",
        R"({"type":"create_room","id":"r","name":"d","title":"\u200b\u200b"})",
        ErrorCode::TitleInvalid, "The title has no visible character");
    row("create_room title of hangul fillers",
        R"({"type":"create_room","id":"r","name":"d","title":"\u3164 \u3164"})",
        ErrorCode::TitleInvalid, "no visible character");
    row("create_room title of combining marks",
        R"({"type":"create_room","id":"r","name":"d","title":"\u0301\u0301"})",
        ErrorCode::TitleInvalid, "no visible character");
    row("create_room title with a lone surrogate",
        R"({"type":"create_room","id":"r","name":"d","title":"a\ud800"})", ErrorCode::TitleInvalid,
        "lone surrogate");
    row("create_room long topic",
        R"({"type":"create_room","id":"r","name":"d","topic":")" +
            QByteArray(kMaxTopicChars + 1, 't') + "\"}",
        ErrorCode::TitleInvalid, "The topic is longer than 250 characters");
    row("create_room topic with NUL",
        R"({"type":"create_room","id":"r","name":"d","topic":"a\u0000"})", ErrorCode::TitleInvalid,
        "The topic contains a control character (U+0000)");
    row("create_room topic with line separator",
        R"({"type":"create_room","id":"r","name":"d","topic":"a\u2028b"})", ErrorCode::TitleInvalid,
        "U+2028");
    // join, leave.
    row("join without room", R"({"type":"join","id":"r"})", ErrorCode::BadMessage,
        "join: the field \"room\" is missing");
    row("join without id", R"({"type":"join","room":"dev"})", ErrorCode::BadMessage,
        "join: the field \"id\" is missing");
    row("join room null", R"({"type":"join","id":"r","room":null})", ErrorCode::BadMessage,
        "it is null");
    row("join bad room", R"({"type":"join","id":"r","room":"dev!"})", ErrorCode::BadMessage, "a-z");
    row("leave empty room", R"({"type":"leave","id":"r","room":""})", ErrorCode::BadMessage,
        "The room name is empty");
    row("leave id with space", R"({"type":"leave","id":"a b","room":"dev"})", ErrorCode::BadMessage,
        "printable ASCII");
    // invite, remove, transfer.
    row("invite without name", R"({"type":"invite","id":"r","room":"dev"})", ErrorCode::BadMessage,
        "invite: the field \"name\" is missing");
    row("invite empty name", R"({"type":"invite","id":"r","room":"dev","name":" "})",
        ErrorCode::BadMessage, "The account name is empty");
    row("invite name a number", R"({"type":"invite","id":"r","room":"dev","name":5})",
        ErrorCode::BadMessage, "\"name\" must be a string");
    row("invite bad room", R"({"type":"invite","id":"r","room":"Dev","name":"bob"})",
        ErrorCode::BadMessage, "a-z");
    row("remove name with control", R"({"type":"remove","id":"r","room":"dev","name":"b\u0007"})",
        ErrorCode::BadMessage, "U+0007");
    row("remove without room", R"({"type":"remove","id":"r","name":"bob"})", ErrorCode::BadMessage,
        "remove: the field \"room\" is missing");
    row("transfer long name",
        R"({"type":"transfer","id":"r","room":"dev","name":")" + QByteArray(33, 'n') + "\"}",
        ErrorCode::BadMessage, "longer than 32");
    row("transfer without name", R"({"type":"transfer","id":"r","room":"dev"})",
        ErrorCode::BadMessage, "transfer: the field \"name\" is missing");
    // update_room.
    row("update_room without title or topic", R"({"type":"update_room","id":"r","room":"dev"})",
        ErrorCode::BadMessage, "give \"title\", \"topic\" or both");
    row("update_room topic null", R"({"type":"update_room","id":"r","room":"dev","topic":null})",
        ErrorCode::BadMessage, "\"topic\" must be a string");
    row("update_room long title",
        R"({"type":"update_room","id":"r","room":"dev","title":")" +
            QByteArray(kMaxTitleChars + 1, 't') + "\"}",
        ErrorCode::TitleInvalid, "longer than 64");
    row("update_room topic with escape",
        R"({"type":"update_room","id":"r","room":"dev","title":"ok","topic":"\u001b[31m"})",
        ErrorCode::TitleInvalid, "U+001B");
    row("update_room bad room", R"({"type":"update_room","id":"r","room":"@1","title":"x"})",
        ErrorCode::BadMessage, "direct room");
    // members.
    row("members without room", R"({"type":"members","id":"r"})", ErrorCode::BadMessage,
        "members: the field \"room\" is missing");
    row("members limit zero", R"({"type":"members","id":"r","room":"dev","limit":0})",
        ErrorCode::BadMessage, "from 1 to 200");
    row("members limit 1000", R"({"type":"members","id":"r","room":"dev","limit":1000})",
        ErrorCode::BadMessage, "from 1 to 200");
    row("members after with zero width",
        R"({"type":"members","id":"r","room":"dev","after":"a\u200bb"})", ErrorCode::BadMessage,
        "U+200B");
    // history.
    row("history without room", R"({"type":"history","id":"r"})", ErrorCode::BadMessage,
        "history: the field \"room\" is missing");
    row("history negative before", R"({"type":"history","id":"r","room":"dev","before":-1})",
        ErrorCode::BadMessage, "\"before\" must be an integer from 0");
    row("history fractional before", R"({"type":"history","id":"r","room":"dev","before":0.5})",
        ErrorCode::BadMessage, "\"before\"");
    row("history before a string", R"({"type":"history","id":"r","room":"dev","before":"9"})",
        ErrorCode::BadMessage, "\"before\"");
    row("history limit 201", R"({"type":"history","id":"r","room":"dev","limit":201})",
        ErrorCode::BadMessage, "from 1 to 200");
    row("history limit null", R"({"type":"history","id":"r","room":"dev","limit":null})",
        ErrorCode::BadMessage, "\"limit\"");
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
    // A rejected request whose id could be read names it, so the client knows which one failed.
    const QByteArray tag(QTest::currentDataTag());
    if (frame.contains("\"id\":\"r\"") && !tag.startsWith("hello"))
        QCOMPARE(decoded.ref, QStringLiteral("r"));
    if (!frame.contains("\"id\""))
        QVERIFY(decoded.ref.isEmpty());
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
               R"({"type":"welcome","version":3,"account":"a","seq":1,"resumed":false,"rooms":[],"history":[7]})")
        << QStringLiteral("history[0]");
    QTest::addRow("welcome with a string for a room")
        << QByteArray(
               R"({"type":"welcome","version":3,"account":"a","seq":1,"resumed":false,"rooms":["a"],"history":[]})")
        << QStringLiteral("welcome: rooms[0] must be an object");
    QTest::addRow("welcome with a room without role")
        << QByteArray(
               R"({"type":"welcome","version":3,"account":"a","seq":1,"resumed":false,"rooms":[{"name":"x","members":1,"read":0,"unread":0,"mentions":0}],"history":[]})")
        << QStringLiteral("rooms[0]: the field \"role\" is missing");
    QTest::addRow("welcome without account (a version-1 welcome)")
        << QByteArray(
               R"({"type":"welcome","version":1,"nick":"a","seq":1,"resumed":false,"rooms":[],"history":[]})")
        << QStringLiteral("\"account\" is missing");
    QTest::addRow("welcome with admin a string")
        << QByteArray(
               R"({"type":"welcome","version":3,"account":"a","admin":"yes","seq":1,"resumed":false,"rooms":[],"history":[]})")
        << QStringLiteral("\"admin\" must be true or false");
    QTest::addRow("message with display a number")
        << QByteArray(
               R"({"type":"message","seq":1,"id":"a","from":"b","display":1,"time":"2026-01-01T00:00:00Z","text":"t"})")
        << QStringLiteral("\"display\" must be a string");
    QTest::addRow("presence with a string for a joined user")
        << QByteArray(R"({"type":"presence","joined":["a"],"left":[],"online":1})")
        << QStringLiteral("joined[0] must be an object");
    QTest::addRow("done without ref")
        << QByteArray(R"({"type":"done"})") << QStringLiteral("\"ref\" is missing");
    QTest::addRow("done with token a number")
        << QByteArray(R"({"type":"done","ref":"r","token":5})")
        << QStringLiteral("\"token\" must be a string");
    QTest::addRow("devices without list") << QByteArray(R"({"type":"devices","ref":"r"})")
                                          << QStringLiteral("\"devices\" is missing");
    QTest::addRow("devices with a number for a device")
        << QByteArray(R"({"type":"devices","ref":"r","devices":[1]})")
        << QStringLiteral("devices[0] must be an object");
    QTest::addRow("devices with a device without id")
        << QByteArray(R"({"type":"devices","ref":"r","devices":[{"name":"x"}]})")
        << QStringLiteral("devices[0]: the field \"id\" is missing");
    QTest::addRow("devices with a bad time")
        << QByteArray(R"({"type":"devices","ref":"r","devices":[{"id":"x","created":"soon"}]})")
        << QStringLiteral("\"created\" is not an ISO 8601");
    QTest::addRow("presence without joined")
        << QByteArray(R"({"type":"presence","left":[],"online":1})")
        << QStringLiteral("\"joined\" is missing");
    QTest::addRow("presence with a number for a nick")
        << QByteArray(R"({"type":"presence","joined":[{"name":"a"}],"left":["b",2],"online":1})")
        << QStringLiteral("left[1]");
    QTest::addRow("presence with joined not a list")
        << QByteArray(R"({"type":"presence","joined":"a","left":[],"online":1})")
        << QStringLiteral("\"joined\"");
    QTest::addRow("error without message") << QByteArray(R"({"type":"error","code":"internal"})")
                                           << QStringLiteral("\"message\" is missing");
    // Version 3.
    QTest::addRow("welcome without rooms")
        << QByteArray(
               R"({"type":"welcome","version":3,"account":"a","seq":1,"resumed":false,"history":[]})")
        << QStringLiteral("\"rooms\" is missing");
    QTest::addRow("welcome with a number in reload")
        << QByteArray(
               R"({"type":"welcome","version":3,"account":"a","seq":1,"resumed":false,"rooms":[],"history":[],"reload":["dev",1]})")
        << QStringLiteral("reload[1]");
    QTest::addRow("welcome with a room whose last is a string")
        << QByteArray(
               R"({"type":"welcome","version":3,"account":"a","seq":1,"resumed":false,"rooms":[{"name":"x","role":"member","members":1,"read":0,"unread":0,"mentions":0,"last":"hi"}],"history":[]})")
        << QStringLiteral("\"last\" must be an object");
    QTest::addRow("welcome with a room whose last has no seq")
        << QByteArray(
               R"({"type":"welcome","version":3,"account":"a","seq":1,"resumed":false,"rooms":[{"name":"x","role":"member","members":1,"read":0,"unread":0,"mentions":0,"last":{"id":"","from":"a","time":"2026-01-01T00:00:00Z","text":""}}],"history":[]})")
        << QStringLiteral("rooms[0]: last: the field \"seq\" is missing");
    QTest::addRow("welcome with negative unread")
        << QByteArray(
               R"({"type":"welcome","version":3,"account":"a","seq":1,"resumed":false,"rooms":[{"name":"x","role":"member","members":1,"read":0,"unread":-1,"mentions":0}],"history":[]})")
        << QStringLiteral("\"unread\"");
    QTest::addRow("message with event a number")
        << QByteArray(
               R"({"type":"message","seq":1,"id":"","from":"b","time":"2026-01-01T00:00:00Z","text":"","event":1})")
        << QStringLiteral("\"event\" must be a string");
    QTest::addRow("presence with room a number")
        << QByteArray(R"({"type":"presence","room":1,"joined":[],"left":[],"online":1})")
        << QStringLiteral("\"room\" must be a string");
    QTest::addRow("done with room a number") << QByteArray(R"({"type":"done","ref":"r","room":[]})")
                                             << QStringLiteral("\"room\" must be a string");
    QTest::addRow("typing without from")
        << QByteArray(R"({"type":"typing","room":"dev"})") << QStringLiteral("\"from\" is missing");
    QTest::addRow("room without room") << QByteArray(R"({"type":"room"})")
                                       << QStringLiteral("room: the field \"room\" is missing");
    QTest::addRow("room with a string for room") << QByteArray(R"({"type":"room","room":"dev"})")
                                                 << QStringLiteral("\"room\" must be an object");
    QTest::addRow("room without members")
        << QByteArray(
               R"({"type":"room","room":{"name":"dev","role":"owner","read":0,"unread":0,"mentions":0}})")
        << QStringLiteral("room: room: the field \"members\" is missing");
    QTest::addRow("room with private a string")
        << QByteArray(
               R"({"type":"room","room":{"name":"dev","role":"owner","members":1,"read":0,"unread":0,"mentions":0,"private":"no"}})")
        << QStringLiteral("\"private\" must be true or false");
    QTest::addRow("room_gone without reason") << QByteArray(R"({"type":"room_gone","room":"dev"})")
                                              << QStringLiteral("\"reason\" is missing");
    QTest::addRow("unread without mentions")
        << QByteArray(R"({"type":"unread","room":"dev","read":1,"unread":0})")
        << QStringLiteral("\"mentions\" is missing");
    QTest::addRow("unread with fractional read")
        << QByteArray(R"({"type":"unread","room":"dev","read":1.5,"unread":0,"mentions":0})")
        << QStringLiteral("\"read\" must be an integer");
    QTest::addRow("rooms without ref")
        << QByteArray(R"({"type":"rooms","rooms":[]})") << QStringLiteral("\"ref\" is missing");
    QTest::addRow("rooms with a room without members")
        << QByteArray(R"({"type":"rooms","ref":"r","rooms":[{"name":"dev"}]})")
        << QStringLiteral("rooms: rooms[0]: the field \"members\" is missing");
    QTest::addRow("rooms with joined a number")
        << QByteArray(
               R"({"type":"rooms","ref":"r","rooms":[{"name":"dev","members":1,"joined":1}]})")
        << QStringLiteral("\"joined\" must be true or false");
    QTest::addRow("members without online")
        << QByteArray(R"({"type":"members","ref":"r","room":"dev","members":[]})")
        << QStringLiteral("\"online\" is missing");
    QTest::addRow("members with a member without role")
        << QByteArray(
               R"({"type":"members","ref":"r","room":"dev","members":[{"name":"a"}],"online":0})")
        << QStringLiteral("members: members[0]: the field \"role\" is missing");
    QTest::addRow("history without more")
        << QByteArray(R"({"type":"history","ref":"r","room":"dev","messages":[]})")
        << QStringLiteral("\"more\" is missing");
    QTest::addRow("history with a message without time")
        << QByteArray(
               R"({"type":"history","ref":"r","room":"dev","messages":[{"seq":1,"id":"","from":"a","text":""}],"more":false})")
        << QStringLiteral("history: messages[0]: the field \"time\" is missing");
    QTest::addRow("history with a number for a message")
        << QByteArray(R"({"type":"history","ref":"r","room":"dev","messages":[1],"more":false})")
        << QStringLiteral("messages[0] must be an object");
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

    // The server's path: a hello logging in with this name is refused as name_invalid, naming the
    // character.
    // Written with \u escapes, as a hostile client may: Qt's JSON parser drops a U+FEFF that
    // starts a string when it comes as raw UTF-8.
    QByteArray escaped;
    for (const QChar c : raw)
        escaped += "\\u" + QByteArray::number(c.unicode(), 16).rightJustified(4, '0');
    const Decoded<ClientMessage> decoded =
        decodeClientMessage(R"({"type":"hello","version":3,"login":{"name":")" + escaped +
                            R"(","password":"12345678"}})");
    QVERIFY(!decoded.ok());
    QCOMPARE(errorCodeName(decoded.code), errorCodeName(ErrorCode::NameInvalid));
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
    hello.login = Login{nick, QStringLiteral("12345678")};
    const Hello back = roundTripClient(hello);
    QCOMPARE(back.login->name, nick);
    QVERIFY(normalizeDisplay(nick).ok());
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

void TestSchema::passwordRules_data()
{
    QTest::addColumn<QString>("password");
    QTest::addColumn<QString>("reasonContains"); // empty: accepted
    QTest::addRow("eight ascii") << QStringLiteral("12345678") << QString();
    QTest::addRow("spaces count and are kept") << QStringLiteral("  a b c   ") << QString();
    QTest::addRow("eight emoji") << QStringLiteral("😀😀😀😀😀😀😀😀") << QString();
    QTest::addRow("chinese") << QStringLiteral("正确的马电池订书钉") << QString();
    QTest::addRow("longest") << QString(kMaxPasswordChars, u'p') << QString();
    QTest::addRow("longest in emoji")
        << QString(kMaxPasswordChars, u'x').replace(u'x', QStringLiteral("😀")) << QString();
    QTest::addRow("seven") << QStringLiteral("1234567") << QStringLiteral("at least 8");
    QTest::addRow("four emoji are eight UTF-16 units")
        << QStringLiteral("😀😀😀😀") << QStringLiteral("has 4 characters");
    QTest::addRow("too long") << QString(kMaxPasswordChars + 1, u'p')
                              << QStringLiteral("at most 256");
    QTest::addRow("NUL") << QStringLiteral("1234567") + QChar(0) << QStringLiteral("U+0000");
    QTest::addRow("newline") << QStringLiteral("1234\n5678") << QStringLiteral("U+000A");
    QTest::addRow("DEL") << QStringLiteral("1234\x7f"
                                           "5678")
                         << QStringLiteral("U+007F");
    QTest::addRow("lone surrogate")
        << QStringLiteral("12345678") + QChar(0xD800) << QStringLiteral("lone surrogate");
}

void TestSchema::passwordRules()
{
    QFETCH(QString, password);
    QFETCH(QString, reasonContains);
    const QString reason = checkPassword(password);
    if (reasonContains.isEmpty()) {
        QVERIFY2(reason.isEmpty(), qPrintable(reason));
    } else {
        QVERIFY2(reason.contains(reasonContains), qPrintable(reason));
        QVERIFY(reason.endsWith(u'.'));
    }
}

void TestSchema::displayRules_data()
{
    QTest::addColumn<QString>("raw");
    QTest::addColumn<QString>("expected");
    QTest::addColumn<QString>("reasonContains"); // empty: accepted
    QTest::addRow("empty") << QString() << QString() << QString();
    QTest::addRow("blank") << QStringLiteral(" \t ") << QString() << QString();
    QTest::addRow("chinese") << QStringLiteral("爱丽丝") << QStringLiteral("爱丽丝") << QString();
    QTest::addRow("trimmed, nfc") << QStringLiteral(" jose\u0301 ") << QStringLiteral("jos\u00e9")
                                  << QString();
    QTest::addRow("64 characters") << QString(64, u'd') << QString(64, u'd') << QString();
    QTest::addRow("65 characters")
        << QString(65, u'd') << QString() << QStringLiteral("longer than 64");
    QTest::addRow("hangul filler")
        << QStringLiteral("\u3164") << QString() << QStringLiteral("U+3164");
    QTest::addRow("control") << QStringLiteral("a\u0007") << QString() << QStringLiteral("U+0007");
}

void TestSchema::displayRules()
{
    QFETCH(QString, raw);
    QFETCH(QString, expected);
    QFETCH(QString, reasonContains);
    const Normalized n = normalizeDisplay(raw);
    if (reasonContains.isEmpty()) {
        QVERIFY2(n.ok(), qPrintable(n.reason));
        QCOMPARE(n.value, expected);
    } else {
        QVERIFY(!n.ok());
        QVERIFY2(n.reason.contains(reasonContains), qPrintable(n.reason));
        QVERIFY(n.reason.startsWith(QStringLiteral("The display name")));
    }
}

void TestSchema::loginRequestsDecode()
{
    const Decoded<LoginRequest> login = decodeLoginRequest(
        R"({"name":" alice ","password":"correct horse","device":" Firefox · laptop "})", false);
    QVERIFY2(login.ok(), qPrintable(login.reason));
    QCOMPARE(login.message->registering, false);
    QCOMPARE(login.message->name, QStringLiteral("alice"));
    QCOMPARE(login.message->password, QStringLiteral("correct horse"));
    QCOMPARE(login.message->device, QStringLiteral("Firefox · laptop"));
    QCOMPARE(login.message->toLogin().name, QStringLiteral("alice"));

    // A login ignores what only a registration reads.
    const Decoded<LoginRequest> loginExtra = decodeLoginRequest(
        R"({"name":"alice","password":"12345678","invite":5,"display":"x\u0000"})", false);
    QVERIFY2(loginExtra.ok(), qPrintable(loginExtra.reason));
    QVERIFY(loginExtra.message->invite.isEmpty());

    const Decoded<LoginRequest> reg = decodeRegisterRequest(
        R"({"name":"小明","password":"12345678","invite":"CODE","display":" 明 ","device":"phone"})");
    QVERIFY2(reg.ok(), qPrintable(reg.reason));
    QCOMPARE(reg.message->registering, true);
    const Registration r = reg.message->toRegistration();
    QCOMPARE(r.name, QStringLiteral("小明"));
    QCOMPARE(r.password, QStringLiteral("12345678"));
    QCOMPARE(r.invite, QStringLiteral("CODE"));
    QCOMPARE(r.display, QStringLiteral("明"));
    QCOMPARE(reg.message->device, QStringLiteral("phone"));

    // Only name and password are required.
    const Decoded<LoginRequest> bare =
        decodeLoginRequest(R"({"name":"bob","password":"12345678"})", true);
    QVERIFY2(bare.ok(), qPrintable(bare.reason));
    QVERIFY(bare.message->invite.isEmpty() && bare.message->display.isEmpty());
    QVERIFY(bare.message->device.isEmpty());

    // What encodeLoginRequest writes, decodeLoginRequest reads.
    LoginRequest request;
    request.registering = true;
    request.name = QStringLiteral("carol");
    request.password = QStringLiteral("pass word!");
    request.invite = QStringLiteral("INV");
    request.display = QStringLiteral("Carol ✨");
    request.device = QStringLiteral("tablet");
    const Decoded<LoginRequest> back = decodeRegisterRequest(encodeLoginRequest(request));
    QVERIFY2(back.ok(), qPrintable(back.reason));
    QCOMPARE(back.message->name, request.name);
    QCOMPARE(back.message->password, request.password);
    QCOMPARE(back.message->invite, request.invite);
    QCOMPARE(back.message->display, request.display);
    QCOMPARE(back.message->device, request.device);
}

void TestSchema::malformedLoginRequestsAreRejected_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("registering");
    QTest::addColumn<ErrorCode>("code");
    QTest::addColumn<QString>("reasonContains");
    const auto row = [](const char *tag, const QByteArray &body, bool registering, ErrorCode code,
                        const char *why) {
        QTest::addRow("%s", tag) << body << registering << code << QString::fromUtf8(why);
    };
    row("empty body", "", false, ErrorCode::BadJson, "Invalid JSON");
    row("form encoded", "name=alice&password=12345678", false, ErrorCode::BadJson, "Invalid JSON");
    row("array", "[]", false, ErrorCode::BadJson, "JSON object");
    row("too large", "{\"name\":\"" + QByteArray(kMaxHttpBodyBytes, 'a') + "\"}", false,
        ErrorCode::TooLarge, "at most 4096");
    row("no name", R"({"password":"12345678"})", false, ErrorCode::BadMessage,
        "login: the field \"name\" is missing");
    row("no password", R"({"name":"alice"})", true, ErrorCode::BadMessage,
        "register: the field \"password\" is missing");
    row("password a number", R"({"name":"alice","password":12345678})", false,
        ErrorCode::BadMessage, "\"password\" must be a string");
    row("bad name", R"({"name":"a\u200bb","password":"12345678"})", false, ErrorCode::NameInvalid,
        "U+200B");
    row("empty name", R"({"name":"","password":"12345678"})", true, ErrorCode::NameInvalid,
        "empty");
    row("short password", R"({"name":"alice","password":"short"})", false,
        ErrorCode::PasswordInvalid, "at least 8");
    row("long invite",
        R"({"name":"alice","password":"12345678","invite":")" +
            QByteArray(kMaxInviteChars + 1, 'i') + "\"}",
        true, ErrorCode::InviteInvalid, "longer than 64");
    row("invite a number", R"({"name":"alice","password":"12345678","invite":1})", true,
        ErrorCode::BadMessage, "\"invite\" must be a string");
    row("bad display", R"({"name":"alice","password":"12345678","display":"\u3164"})", true,
        ErrorCode::DisplayInvalid, "U+3164");
    row("bad device", R"({"name":"alice","password":"12345678","device":"a\nb"})", false,
        ErrorCode::BadMessage, "U+000A");
    row("device a number", R"({"name":"alice","password":"12345678","device":1})", true,
        ErrorCode::BadMessage, "\"device\" must be a string");
}

void TestSchema::malformedLoginRequestsAreRejected()
{
    QFETCH(QByteArray, body);
    QFETCH(bool, registering);
    QFETCH(ErrorCode, code);
    QFETCH(QString, reasonContains);
    const Decoded<LoginRequest> decoded = decodeLoginRequest(body, registering);
    QVERIFY(!decoded.ok());
    QCOMPARE(errorCodeName(decoded.code), errorCodeName(code));
    QVERIFY2(decoded.reason.contains(reasonContains), qPrintable(decoded.reason));
    QVERIFY(decoded.reason.endsWith(u'.'));
}

void TestSchema::httpAnswers()
{
    QCOMPARE(encodeHttpAuthAnswer(QStringLiteral("alice")), QByteArray(R"({"account":"alice"})"));
    QCOMPARE(decodeHttpAuthAnswer(encodeHttpAuthAnswer(QStringLiteral("小明"))),
             std::optional<QString>(QStringLiteral("小明")));
    QVERIFY(!decodeHttpAuthAnswer("{}"));
    QVERIFY(!decodeHttpAuthAnswer("x"));

    const QByteArray error =
        encodeHttpError(ErrorCode::LoginFailed, QStringLiteral("Wrong name or password."));
    QCOMPARE(error, QByteArray(R"({"code":"login_failed","message":"Wrong name or password."})"));
    const std::optional<Error> back = decodeHttpError(error);
    QVERIFY(back);
    QCOMPARE(back->code, ErrorCode::LoginFailed);
    QCOMPARE(back->message, QStringLiteral("Wrong name or password."));
    QVERIFY(!decodeHttpError(R"({"code":"x"})"));

    QCOMPARE(httpStatusFor(ErrorCode::LoginFailed), 401);
    QCOMPARE(httpStatusFor(ErrorCode::TokenInvalid), 401);
    QCOMPARE(httpStatusFor(ErrorCode::RegistrationClosed), 403);
    QCOMPARE(httpStatusFor(ErrorCode::InviteInvalid), 403);
    QCOMPARE(httpStatusFor(ErrorCode::AccountDisabled), 403);
    QCOMPARE(httpStatusFor(ErrorCode::NameTaken), 409);
    QCOMPARE(httpStatusFor(ErrorCode::NameInvalid), 400);
    QCOMPARE(httpStatusFor(ErrorCode::PasswordInvalid), 400);
    QCOMPARE(httpStatusFor(ErrorCode::DisplayInvalid), 400);
    QCOMPARE(httpStatusFor(ErrorCode::BadJson), 400);
    QCOMPARE(httpStatusFor(ErrorCode::BadMessage), 400);
    QCOMPARE(httpStatusFor(ErrorCode::TooLarge), 413);
    QCOMPARE(httpStatusFor(ErrorCode::TooManyAttempts), 429);
    QCOMPARE(httpStatusFor(ErrorCode::Busy), 503);
    QCOMPARE(httpStatusFor(ErrorCode::Internal), 500);
    QCOMPARE(httpStatusFor(ErrorCode::RoomNotFound), 404);
    QCOMPARE(httpStatusFor(ErrorCode::UserNotFound), 404);
    QCOMPARE(httpStatusFor(ErrorCode::NotMember), 403);
    QCOMPARE(httpStatusFor(ErrorCode::NotOwner), 403);
    QCOMPARE(httpStatusFor(ErrorCode::InviteOnly), 403);
    QCOMPARE(httpStatusFor(ErrorCode::NotAllowed), 403);
    QCOMPARE(httpStatusFor(ErrorCode::TooManyRooms), 403);
    QCOMPARE(httpStatusFor(ErrorCode::RoomExists), 409);
    QCOMPARE(httpStatusFor(ErrorCode::TitleInvalid), 400);
}

void TestSchema::messageEventsRoundTrip()
{
    const Message event = sampleEvent(7);
    QCOMPARE(roundTripServer(event), event);
    QCOMPARE(encode(event),
             QByteArray(R"({"type":"message","seq":7,"id":"","room":"dev","from":"alice",)"
                        R"("time":"2026-11-22T09:14:03.120Z","event":"invited","target":"bob",)"
                        R"("text":""})"));
    Message topic = sampleEvent(8);
    topic.event = QStringLiteral("topic");
    topic.target.clear();
    topic.text = QStringLiteral("发布计划 v2");
    QCOMPARE(roundTripServer(topic), topic);
    QVERIFY(!encode(topic).contains("target"));
    // A chat message has neither.
    const QByteArray chat = encode(sampleMessage(9, QStringLiteral("hi")));
    QVERIFY(!chat.contains("event"));
    QVERIFY(!chat.contains("target"));
    QVERIFY(roundTripServer(sampleMessage(9, QStringLiteral("hi"))).event.isEmpty());
}

void TestSchema::roomRequestsRoundTrip_data()
{
    QTest::addColumn<ClientMessage>("message");
    QTest::addColumn<QByteArray>("json");
    // Compact JSON from QJsonDocument: keys in order.
    const auto row = [](const char *tag, ClientMessage message, const char *json) {
        QTest::addRow("%s", tag) << message << QByteArray(json);
    };
    row("send to a room", Send{u"m1"_qs, u"dev"_qs, {}, u"hi"_qs},
        R"({"id":"m1","room":"dev","text":"hi","type":"send"})");
    row("send to a direct room", Send{u"m1"_qs, u"@3-17"_qs, {}, u"hi"_qs},
        R"({"id":"m1","room":"@3-17","text":"hi","type":"send"})");
    row("send to an account", Send{u"m2"_qs, {}, u"小明"_qs, u"你好"_qs},
        R"({"id":"m2","text":"你好","to":"小明","type":"send"})");
    row("send without room or to", Send{u"m3"_qs, {}, {}, u"hi"_qs},
        R"({"id":"m3","room":"lobby","text":"hi","type":"send"})");
    row("typing", Typing{u"dev"_qs}, R"({"room":"dev","type":"typing"})");
    row("read", MarkRead{u"dev"_qs, 42}, R"({"room":"dev","seq":42,"type":"read"})");
    row("read nothing yet", MarkRead{u"@3-17"_qs, 0}, R"({"room":"@3-17","seq":0,"type":"read"})");
    row("rooms, first page", ListRooms{u"r1"_qs, {}, 50},
        R"({"id":"r1","limit":50,"type":"rooms"})");
    row("rooms, next page", ListRooms{u"r1"_qs, u"dev"_qs, 200},
        R"({"after":"dev","id":"r1","limit":200,"type":"rooms"})");
    row("create_room", CreateRoom{u"r2"_qs, u"dev"_qs, u"开发组"_qs, u"发布计划"_qs, true},
        R"({"id":"r2","name":"dev","private":true,"title":"开发组","topic":"发布计划",)"
        R"("type":"create_room"})");
    row("create_room, name only", CreateRoom{u"r2"_qs, u"a-b_9"_qs, {}, {}, false},
        R"({"id":"r2","name":"a-b_9","type":"create_room"})");
    row("join", JoinRoom{u"r3"_qs, u"dev"_qs}, R"({"id":"r3","room":"dev","type":"join"})");
    row("leave", LeaveRoom{u"r4"_qs, u"dev"_qs}, R"({"id":"r4","room":"dev","type":"leave"})");
    row("invite", InviteToRoom{u"r5"_qs, u"dev"_qs, u"bob"_qs},
        R"({"id":"r5","name":"bob","room":"dev","type":"invite"})");
    row("remove", RemoveFromRoom{u"r6"_qs, u"dev"_qs, u"bob"_qs},
        R"({"id":"r6","name":"bob","room":"dev","type":"remove"})");
    row("update_room, both", UpdateRoom{u"r7"_qs, u"dev"_qs, u"新标题"_qs, u"新话题"_qs},
        R"({"id":"r7","room":"dev","title":"新标题","topic":"新话题","type":"update_room"})");
    row("update_room, clear the title", UpdateRoom{u"r7"_qs, u"dev"_qs, QString(), std::nullopt},
        R"({"id":"r7","room":"dev","title":"","type":"update_room"})");
    row("update_room, topic only", UpdateRoom{u"r7"_qs, u"dev"_qs, std::nullopt, u"t"_qs},
        R"({"id":"r7","room":"dev","topic":"t","type":"update_room"})");
    row("transfer", TransferRoom{u"r8"_qs, u"dev"_qs, u"bob"_qs},
        R"({"id":"r8","name":"bob","room":"dev","type":"transfer"})");
    row("members", ListMembers{u"r9"_qs, u"dev"_qs, {}, 50},
        R"({"id":"r9","limit":50,"room":"dev","type":"members"})");
    row("members, next page", ListMembers{u"r9"_qs, u"dev"_qs, u"bob"_qs, 1},
        R"({"after":"bob","id":"r9","limit":1,"room":"dev","type":"members"})");
    row("history", LoadHistory{u"r10"_qs, u"dev"_qs, 120, 50},
        R"({"before":120,"id":"r10","limit":50,"room":"dev","type":"history"})");
    row("history, newest", LoadHistory{u"r10"_qs, u"@3-17"_qs, 0, 200},
        R"({"id":"r10","limit":200,"room":"@3-17","type":"history"})");
}

// Every field goes out and comes back: encode(decode(json)) gives json again, and json is what
// docs/protocol.md documents.
void TestSchema::roomRequestsRoundTrip()
{
    QFETCH(ClientMessage, message);
    QFETCH(QByteArray, json);
    QCOMPARE(encode(message), json);
    const Decoded<ClientMessage> decoded = decodeClientMessage(json);
    QVERIFY2(decoded.ok(), qPrintable(decoded.reason));
    QCOMPARE(decoded.message->index(), message.index());
    QCOMPARE(encode(*decoded.message), json);
}

void TestSchema::roomAnswersRoundTrip_data()
{
    QTest::addColumn<ServerMessage>("message");
    QTest::addColumn<QByteArray>("json");
    const auto row = [](const char *tag, ServerMessage message, const char *json) {
        QTest::addRow("%s", tag) << message << QByteArray(json);
    };
    row("typing", TypingNotice{u"dev"_qs, u"bob"_qs, u"鲍勃"_qs},
        R"({"type":"typing","room":"dev","from":"bob","display":"鲍勃"})");
    row("typing without display", TypingNotice{u"dev"_qs, u"bob"_qs, {}},
        R"({"type":"typing","room":"dev","from":"bob"})");
    row("room", RoomUpdate{sampleDirectRoom()},
        R"({"type":"room","room":{"name":"@3-17","private":true,"direct":true,"with":"bob",)"
        R"("role":"member","members":2,"read":0,"unread":0,"mentions":0}})");
    row("room_gone", RoomGone{u"dev"_qs, u"removed"_qs},
        R"({"type":"room_gone","room":"dev","reason":"removed"})");
    row("unread", Unread{u"dev"_qs, 130, 0, 0},
        R"({"type":"unread","room":"dev","read":130,"unread":0,"mentions":0})");
    row("unread, capped", Unread{u"dev"_qs, 1, 1000, 3},
        R"({"type":"unread","room":"dev","read":1,"unread":1000,"mentions":3})");
    row("rooms",
        RoomList{u"r1"_qs,
                 {RoomSummary{u"dev"_qs, u"开发组"_qs, u"发布计划"_qs, 3, true},
                  RoomSummary{u"lobby"_qs, {}, {}, 0, false}},
                 u"lobby"_qs},
        R"({"type":"rooms","ref":"r1","rooms":[{"name":"dev","title":"开发组",)"
        R"("topic":"发布计划","members":3,"joined":true},{"name":"lobby","members":0}],)"
        R"("next":"lobby"})");
    row("rooms, last page", RoomList{u"r1"_qs, {}, {}},
        R"({"type":"rooms","ref":"r1","rooms":[]})");
    row("members",
        MemberList{u"r9"_qs,
                   u"dev"_qs,
                   {RoomMember{u"alice"_qs, u"爱丽丝"_qs, u"owner"_qs, true},
                    RoomMember{u"bob"_qs, {}, u"member"_qs, false}},
                   u"bob"_qs,
                   1},
        R"({"type":"members","ref":"r9","room":"dev","members":[{"name":"alice",)"
        R"("display":"爱丽丝","role":"owner","online":true},{"name":"bob","role":"member"}],)"
        R"("next":"bob","online":1})");
    row("members, nobody online", MemberList{u"r9"_qs, u"dev"_qs, {}, {}, 0},
        R"({"type":"members","ref":"r9","room":"dev","members":[],"online":0})");
    row("history", HistoryPage{u"r10"_qs, u"dev"_qs, {sampleEvent(3)}, true},
        R"({"type":"history","ref":"r10","room":"dev","messages":[{"type":"message","seq":3,)"
        R"("id":"","room":"dev","from":"alice","time":"2026-11-22T09:14:03.120Z",)"
        R"("event":"invited","target":"bob","text":""}],"more":true})");
    row("history, empty", HistoryPage{u"r10"_qs, u"dev"_qs, {}, false},
        R"({"type":"history","ref":"r10","room":"dev","messages":[],"more":false})");
    row("presence in a room", Presence{u"dev"_qs, {User{u"bob"_qs, u"鲍勃"_qs}}, {u"carol"_qs}, 2},
        R"({"type":"presence","room":"dev","joined":[{"name":"bob","display":"鲍勃"}],)"
        R"("left":["carol"],"online":2})");
    row("done for a room", Done{u"r2"_qs, {}, u"dev"_qs},
        R"({"ref":"r2","room":"dev","type":"done"})");
    row("error for a room", Error{ErrorCode::RoomNotFound, u"No such room."_qs, u"r3"_qs},
        R"({"code":"room_not_found","message":"No such room.","ref":"r3","type":"error"})");
}

void TestSchema::roomAnswersRoundTrip()
{
    QFETCH(ServerMessage, message);
    QFETCH(QByteArray, json);
    QCOMPARE(encode(message), json);
    const Decoded<ServerMessage> decoded = decodeServerMessage(json);
    QVERIFY2(decoded.ok(), qPrintable(decoded.reason));
    QCOMPARE(decoded.message->index(), message.index());
    QCOMPARE(encode(*decoded.message), json);
}

void TestSchema::roomStateRoundTrips()
{
    // Every field, the newest message among them, compared field by field.
    const RoomState room = sampleRoom();
    const RoomUpdate back = roundTripServer(RoomUpdate{room});
    QCOMPARE(back.room, room);
    QVERIFY(back.room.last);
    QCOMPARE(back.room.last->text, QStringLiteral("@alice 看一下"));
    QCOMPARE(roundTripServer(RoomUpdate{sampleDirectRoom()}).room, sampleDirectRoom());

    const MemberList members = roundTripServer(
        MemberList{u"r"_qs, u"dev"_qs, {RoomMember{u"a"_qs, u"A"_qs, u"owner"_qs, true}}, {}, 1});
    QCOMPARE(members.members, (QList<RoomMember>{RoomMember{u"a"_qs, u"A"_qs, u"owner"_qs, true}}));
    QVERIFY(members.next.isEmpty());
    const RoomList rooms = roundTripServer(
        RoomList{u"r"_qs, {RoomSummary{u"dev"_qs, u"T"_qs, {}, 9, true}}, u"dev"_qs});
    QCOMPARE(rooms.rooms, (QList<RoomSummary>{RoomSummary{u"dev"_qs, u"T"_qs, {}, 9, true}}));
    QCOMPARE(rooms.next, QStringLiteral("dev"));
    const HistoryPage page =
        roundTripServer(HistoryPage{u"r"_qs, u"dev"_qs, {sampleMessage(5, u"x"_qs)}, true});
    QCOMPARE(page.messages, QList<Message>{sampleMessage(5, u"x"_qs)});
    QVERIFY(page.more);
    const Unread unread = roundTripServer(Unread{u"dev"_qs, kMaxSeq, 1000, 7});
    QCOMPARE(unread.read, kMaxSeq);
    QCOMPARE(unread.unread, 1000);
    QCOMPARE(unread.mentions, 7);

    // As docs/protocol.md shows the members answer: an empty "next" is the last page.
    const Decoded<ServerMessage> documented = decodeServerMessage(
        R"({"type":"members","ref":"r9","room":"dev","members":[{"name":"alice",)"
        R"("display":"爱丽丝","role":"owner","online":true}],"next":"","online":1})");
    QVERIFY2(documented.ok(), qPrintable(documented.reason));
    QVERIFY(std::get<MemberList>(*documented.message).next.isEmpty());
}

void TestSchema::sendToAnAccount()
{
    // The name is normalised like an account name; room stays empty.
    const Decoded<ClientMessage> decoded =
        decodeClientMessage(R"({"type":"send","id":"m","to":"  jose\u0301 ","text":"hi"})");
    QVERIFY2(decoded.ok(), qPrintable(decoded.reason));
    const Send send = std::get<Send>(*decoded.message);
    QCOMPARE(send.to, QStringLiteral("jos\u00e9"));
    QVERIFY(send.room.isEmpty());
    QCOMPARE(send.text, QStringLiteral("hi"));
    // Into a room, the room is kept and `to` is empty.
    const Send room = roundTripClient(Send{u"m"_qs, u"dev"_qs, {}, u"x"_qs});
    QCOMPARE(room.room, QStringLiteral("dev"));
    QVERIFY(room.to.isEmpty());
    // Both: refused, with the request's id.
    const Decoded<ClientMessage> both =
        decodeClientMessage(R"({"type":"send","id":"m9","room":"lobby","to":"bob","text":"x"})");
    QVERIFY(!both.ok());
    QCOMPARE(both.code, ErrorCode::BadMessage);
    QCOMPARE(both.ref, QStringLiteral("m9"));
}

void TestSchema::roomRequestsAreNormalized()
{
    const Decoded<ClientMessage> create = decodeClientMessage(
        R"({"type":"create_room","id":"r","name":"dev","title":"  Caf\u0065\u0301 开发 ",)"
        R"("topic":"  \t "})");
    QVERIFY2(create.ok(), qPrintable(create.reason));
    const CreateRoom room = std::get<CreateRoom>(*create.message);
    QCOMPARE(room.title, QStringLiteral("Caf\u00e9 开发")); // trimmed and NFC
    QCOMPARE(room.topic, QString());                        // blank: none
    QVERIFY(!room.isPrivate);

    const Decoded<ClientMessage> update =
        decodeClientMessage(R"({"type":"update_room","id":"r","room":"dev","title":" "})");
    QVERIFY2(update.ok(), qPrintable(update.reason));
    const UpdateRoom change = std::get<UpdateRoom>(*update.message);
    QVERIFY(change.title);
    QCOMPARE(*change.title, QString()); // present and blank: clear the title
    QVERIFY(!change.topic);             // absent: unchanged

    const Decoded<ClientMessage> invite =
        decodeClientMessage(R"({"type":"invite","id":"r","room":"@3-17","name":" Bob "})");
    QVERIFY2(invite.ok(), qPrintable(invite.reason));
    QCOMPARE(std::get<InviteToRoom>(*invite.message).name, QStringLiteral("Bob"));

    // The longest title and topic, counted in code points.
    const QString title = QString(kMaxTitleChars, u'x').replace(u'x', QStringLiteral("😀"));
    const QString topic = QString(kMaxTopicChars, QChar(0x8bdd));
    const CreateRoom longest =
        roundTripClient(CreateRoom{u"r"_qs, QString(kMaxRoomChars, u'd'), title, topic, true});
    QCOMPARE(longest.title, title);
    QCOMPARE(longest.topic, topic);
    QVERIFY(longest.isPrivate);
}

void TestSchema::pageDefaults()
{
    const auto decode = [](const char *json) {
        const Decoded<ClientMessage> decoded = decodeClientMessage(json);
        if (!decoded.ok())
            qFatal("decode failed: %s", qPrintable(decoded.reason));
        return *decoded.message;
    };
    const ListRooms rooms = std::get<ListRooms>(decode(R"({"type":"rooms","id":"r"})"));
    QCOMPARE(rooms.limit, kDefaultPageSize);
    QVERIFY(rooms.after.isEmpty());
    const ListMembers members =
        std::get<ListMembers>(decode(R"({"type":"members","id":"r","room":"dev"})"));
    QCOMPARE(members.limit, kDefaultPageSize);
    const LoadHistory history =
        std::get<LoadHistory>(decode(R"({"type":"history","id":"r","room":"dev"})"));
    QCOMPARE(history.before, qint64(0));
    QCOMPARE(history.limit, kDefaultPageSize);
    const LoadHistory bounded = std::get<LoadHistory>(
        decode(R"({"type":"history","id":"r","room":"dev","before":9007199254740992,"limit":1})"));
    QCOMPARE(bounded.before, kMaxSeq);
    QCOMPARE(bounded.limit, 1);
    QCOMPARE(
        std::get<MarkRead>(decode(R"({"type":"read","room":"dev","seq":9007199254740992})")).seq,
        kMaxSeq);
}

void TestSchema::everyErrorCodeUpToTheLastHasAName()
{
    // A code appended without a name would be sent as "unknown".
    for (int i = 0; i <= int(kLastErrorCode); ++i) {
        const auto code = ErrorCode(i);
        if (code == ErrorCode::Unknown)
            continue;
        const QString name = errorCodeName(code);
        QVERIFY2(name != QStringLiteral("unknown"), qPrintable(QString::number(i)));
        QCOMPARE(errorCodeFromName(name), code);
    }
}

void TestSchema::roomNames_data()
{
    QTest::addColumn<QString>("room");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<bool>("direct");
    QTest::addColumn<bool>("newName");
    const auto row = [](const char *room, bool valid, bool direct, bool newName) {
        QTest::addRow("%s", room) << QString::fromUtf8(room) << valid << direct << newName;
    };
    row("lobby", true, false, true);
    row("dev", true, false, true);
    row("a-b_9", true, false, true);
    row("x", true, false, true);
    row("abcdefghijklmnopqrstuvwxyz012345", true, false, true);    // 32
    row("abcdefghijklmnopqrstuvwxyz0123456", false, false, false); // 33
    row("", false, false, false);
    row("Dev", false, false, false);
    row("dev team", false, false, false);
    row("dév", false, false, false);
    row("开发", false, false, false);
    row("@3-17", true, true, false);
    row("@1-2", true, true, false);
    row("@999999999999998-999999999999999", true, true, false); // 32: two 15-digit ids
    row("@9999999999999998-99999999999999999", false, false, false);
    row("@3-1234567890123456", false, false, false); // an id of 16 digits
    row("@17-3", false, false, false);
    row("@3-3", false, false, false);
    row("@0-3", false, false, false);
    row("@03-17", false, false, false);
    row("@3-017", false, false, false);
    row("@-3", false, false, false);
    row("@3-", false, false, false);
    row("@3", false, false, false);
    row("@", false, false, false);
    row("@3-17-20", false, false, false);
    row("@a-b", false, false, false);
    row("@ 3-17", false, false, false);
    row("3-17", true, false, true); // an ordinary name
    row("@alice", false, false, false);
}

void TestSchema::roomNames()
{
    QFETCH(QString, room);
    QFETCH(bool, valid);
    QFETCH(bool, direct);
    QFETCH(bool, newName);
    const QString problem = checkRoom(room);
    QCOMPARE(problem.isEmpty(), valid);
    if (!valid)
        QVERIFY2(problem.endsWith(u'.'), qPrintable(problem));
    QCOMPARE(isDirectRoomName(room), direct);
    QCOMPARE(checkNewRoomName(room).isEmpty(), newName);
}

void TestSchema::directRoomNames()
{
    QCOMPARE(directRoomName(3, 17), QStringLiteral("@3-17"));
    QCOMPARE(directRoomName(17, 3), QStringLiteral("@3-17"));
    QCOMPARE(directRoomName(1, 100000), QStringLiteral("@1-100000"));
    QVERIFY(checkRoom(directRoomName(999999999999999, 1)).isEmpty());
    QVERIFY(isDirectRoomName(directRoomName(42, 7)));
}

void TestSchema::pageLimits()
{
    QVERIFY(checkPageLimit(1).isEmpty());
    QVERIFY(checkPageLimit(kDefaultPageSize).isEmpty());
    QVERIFY(checkPageLimit(kMaxPageSize).isEmpty());
    QVERIFY(checkPageLimit(0).contains(QStringLiteral("from 1 to 200")));
    QVERIFY(!checkPageLimit(-1).isEmpty());
    QVERIFY(!checkPageLimit(kMaxPageSize + 1).isEmpty());
}

void TestSchema::titlesAndTopics_data()
{
    QTest::addColumn<QString>("raw");
    QTest::addColumn<QString>("title");   // the normalised title; empty when refused
    QTest::addColumn<QString>("refusal"); // part of the reason; empty when accepted
    QTest::addRow("plain") << u"开发组"_qs << u"开发组"_qs << QString();
    QTest::addRow("trimmed") << u"  Release 2.0 \t"_qs << u"Release 2.0"_qs << QString();
    QTest::addRow("nfc") << u"Cafe\u0301"_qs << u"Caf\u00e9"_qs << QString();
    QTest::addRow("empty") << QString() << QString() << QString();
    QTest::addRow("blank is none") << u"   "_qs << QString() << QString();
    QTest::addRow("emoji zwj") << u"👨‍👩‍👧 family"_qs << u"👨‍👩‍👧 family"_qs
                               << QString();
    QTest::addRow("punctuation") << u"<b> & \"quotes\""_qs << u"<b> & \"quotes\""_qs << QString();
    QTest::addRow("64 emoji") << QString(64, u'x').replace(u'x', u"😀"_qs)
                              << QString(64, u'x').replace(u'x', u"😀"_qs) << QString();
    QTest::addRow("65 characters") << QString(65, u'x') << QString() << u"longer than 64"_qs;
    QTest::addRow("newline") << u"a\nb"_qs << QString() << u"U+000A"_qs;
    QTest::addRow("tab inside") << u"a\tb"_qs << QString() << u"U+0009"_qs;
    QTest::addRow("escape") << u"\u001b[1m"_qs << QString() << u"U+001B"_qs;
    QTest::addRow("paragraph separator") << u"a\u2029b"_qs << QString() << u"U+2029"_qs;
    QTest::addRow("zero width only") << u"\u200b\u200c\u200d"_qs << QString() << u"no visible"_qs;
    QTest::addRow("braille blank only") << u"\u2800\u2800"_qs << QString() << u"no visible"_qs;
    QTest::addRow("hangul filler only") << u"\u3164"_qs << QString() << u"no visible"_qs;
    QTest::addRow("variation selector only") << u"\ufe0f"_qs << QString() << u"no visible"_qs;
    QTest::addRow("ideographic spaces and a bom")
        << u"\u3000\ufeff\u3000"_qs << QString() << u"no visible"_qs;
}

void TestSchema::titlesAndTopics()
{
    QFETCH(QString, raw);
    QFETCH(QString, title);
    QFETCH(QString, refusal);
    const Normalized normalized = normalizeTitle(raw);
    QCOMPARE(normalized.ok(), refusal.isEmpty());
    if (normalized.ok())
        QCOMPARE(normalized.value, title);
    else
        QVERIFY2(normalized.reason.contains(refusal), qPrintable(normalized.reason));
    // A topic follows the same rules with a higher limit.
    const Normalized topic = normalizeTopic(raw);
    if (!refusal.startsWith(u"longer"_qs))
        QCOMPARE(topic.ok(), normalized.ok());
    QVERIFY(normalizeTopic(QString(kMaxTopicChars, u't')).ok());
    QVERIFY(normalizeTopic(QString(kMaxTopicChars + 1, u't')).reason.contains(u"250"_qs));
}

void TestSchema::mentionsOfAnAccount_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("account");
    QTest::addColumn<bool>("mentioned");
    const auto row = [](const char *tag, const QString &text, const QString &account,
                        bool mentioned) {
        QTest::addRow("%s", tag) << text << account << mentioned;
    };
    row("at the start", u"@alice look"_qs, u"alice"_qs, true);
    row("alone", u"@alice"_qs, u"alice"_qs, true);
    row("after a space", u"hi @alice"_qs, u"alice"_qs, true);
    row("upper case", u"@ALICE!"_qs, u"alice"_qs, true);
    row("account in upper case", u"@alice"_qs, u"Alice"_qs, true);
    row("cyrillic a", u"@\u0430lice hi"_qs, u"alice"_qs, true);
    row("full-width letters", u"@ａｌｉｃｅ"_qs, u"alice"_qs, true);
    row("zero width space inside", u"@ali\u200bce"_qs, u"alice"_qs, true);
    row("comma", u"@alice, look"_qs, u"alice"_qs, true);
    row("full stop", u"thanks @alice."_qs, u"alice"_qs, true);
    row("in parentheses", u"(@alice)"_qs, u"alice"_qs, true);
    row("in quotes", u"\"@alice\""_qs, u"alice"_qs, true);
    row("chinese comma", u"@alice，你看"_qs, u"alice"_qs, true);
    row("chinese full stop", u"谢谢@alice。"_qs, u"alice"_qs, false); // '@' after a letter
    row("after a chinese comma", u"好的，@alice。"_qs, u"alice"_qs, true);
    row("chinese enumeration comma", u"@bob、@alice、@carol"_qs, u"alice"_qs, true);
    row("chinese question mark", u"@alice？"_qs, u"alice"_qs, true);
    row("chinese colon", u"@alice：看一下"_qs, u"alice"_qs, true);
    row("chinese parentheses", u"（@alice）"_qs, u"alice"_qs, true);
    row("ideographic space", u"你好\u3000@alice\u3000在吗"_qs, u"alice"_qs, true);
    row("newline after", u"@alice\nnext line"_qs, u"alice"_qs, true);
    row("chinese name", u"@小明！"_qs, u"小明"_qs, true);
    row("chinese text right after", u"@alice你好"_qs, u"alice"_qs, false);
    row("e-mail address", u"write to alice@example.org"_qs, u"example"_qs, false);
    row("e-mail address of the name", u"bob@alice"_qs, u"alice"_qs, false);
    row("longer name", u"@alicex"_qs, u"alice"_qs, false);
    row("shorter name", u"@ali"_qs, u"alice"_qs, false);
    row("no at sign", u"alice"_qs, u"alice"_qs, false);
    row("at sign alone", u"@ alice"_qs, u"alice"_qs, false);
    row("two at signs", u"@@alice"_qs, u"alice"_qs, false);
    row("someone else", u"@bob"_qs, u"alice"_qs, false);
    row("second of two", u"@bob @alice"_qs, u"alice"_qs, true);
    row("name too long", u"@"_qs + QString(kMaxNickChars + 1, u'a'), QString(kMaxNickChars, u'a'),
        false);
    row("longest name", u"@"_qs + QString(kMaxNickChars, u'a'), QString(kMaxNickChars, u'a'), true);
    row("emoji name", u"@🦊fox hi"_qs, u"🦊fox"_qs, true);
}

void TestSchema::mentionsOfAnAccount()
{
    QFETCH(QString, text);
    QFETCH(QString, account);
    QFETCH(bool, mentioned);
    QCOMPARE(mentions(text, accountNameKey(account)), mentioned);
    // mentionedNames() agrees.
    bool named = false;
    for (const QString &name : mentionedNames(text))
        named = named || accountNamesCollide(name, account);
    QCOMPARE(named, mentioned);
}

void TestSchema::mentionedNamesInOrder_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QStringList>("names");
    QTest::addRow("none") << u"hello"_qs << QStringList();
    QTest::addRow("empty") << QString() << QStringList();
    QTest::addRow("in order") << u"@carol and @bob"_qs << QStringList{u"carol"_qs, u"bob"_qs};
    QTest::addRow("duplicates once, as first written")
        << u"@Bob @carol @bob @BOB @carol"_qs << QStringList{u"Bob"_qs, u"carol"_qs};
    QTest::addRow("look-alike duplicates") << u"@alice @\u0430lice"_qs << QStringList{u"alice"_qs};
    QTest::addRow("chinese punctuation")
        << u"@小明，@小红。@bob！"_qs << QStringList{u"小明"_qs, u"小红"_qs, u"bob"_qs};
    QTest::addRow("e-mail is none") << u"mail bob@example.org, @dave"_qs << QStringList{u"dave"_qs};
    QTest::addRow("trailing at") << u"look @"_qs << QStringList();
    QTest::addRow("surrogate pairs") << u"@😀😀 @a"_qs << QStringList{u"😀😀"_qs, u"a"_qs};
}

void TestSchema::mentionedNamesInOrder()
{
    QFETCH(QString, text);
    QFETCH(QStringList, names);
    QCOMPARE(mentionedNames(text), names);
    QVERIFY(!mentions(text, QString())); // an empty key names nobody
}

// Every frame docs/protocol.md shows (each ```json block with a "type", and each `{"type":…}` in
// its tables) is one that a peer accepts: the page and the codec cannot drift apart.
void TestSchema::documentedExamplesDecode()
{
    QFile file(QStringLiteral(QT_TESTCASE_SOURCEDIR "/../../docs/protocol.md"));
    QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.fileName()));
    const QString page = QString::fromUtf8(file.readAll());
    QStringList frames;
    static const QRegularExpression block(QStringLiteral("```json\n(.*?)```"),
                                          QRegularExpression::DotMatchesEverythingOption);
    for (auto it = block.globalMatch(page); it.hasNext();)
        frames.append(it.next().captured(1));
    static const QRegularExpression inlineFrame(QStringLiteral("`(\\{\"type\":[^`]*\\})`"));
    for (auto it = inlineFrame.globalMatch(page); it.hasNext();)
        frames.append(it.next().captured(1));
    int checked = 0;
    for (const QString &frame : std::as_const(frames)) {
        if (!frame.trimmed().startsWith(QStringLiteral("{\"type\"")))
            continue; // a part of a message (a room state)
        const QByteArray json = frame.toUtf8();
        const Decoded<ClientMessage> asClient = decodeClientMessage(json);
        const Decoded<ServerMessage> asServer = decodeServerMessage(json);
        QVERIFY2(asClient.ok() || asServer.ok(),
                 qPrintable(frame + QStringLiteral("\n") + asClient.reason + QStringLiteral("\n") +
                            asServer.reason));
        ++checked;
    }
    QVERIFY2(checked > 60, qPrintable(QString::number(checked)));
}

QTEST_APPLESS_MAIN(TestSchema)
#include "tst_schema.moc"
