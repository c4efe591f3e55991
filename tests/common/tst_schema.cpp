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
    void helloCredentialsRoundTrip();
    void helloNormalizesNamesAndDevice();
    void version1HelloIsUnsupported();
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
        R"({"type":"hello","version":2,"register":{"name":"  jose\u0301 ","password":"12345678",)"
        R"("display":"  "},"device":"  pc1  "})");
    QVERIFY2(decoded.ok(), qPrintable(decoded.reason));
    const Hello hello = std::get<Hello>(*decoded.message);
    QCOMPARE(hello.registration->name, QStringLiteral("jos\u00e9"));
    QCOMPARE(hello.registration->display, QString()); // blank means none
    QCOMPARE(hello.device, QStringLiteral("pc1"));
    // An empty token is no token: the cookie is used.
    const Decoded<ClientMessage> emptyToken = decodeClientMessage(
        R"({"type":"hello","version":2,"token":"","login":{"name":"a","password":"12345678"}})");
    QVERIFY2(emptyToken.ok(), qPrintable(emptyToken.reason));
    QVERIFY(std::get<Hello>(*emptyToken.message).login);
}

void TestSchema::version1HelloIsUnsupported()
{
    const Decoded<ClientMessage> decoded =
        decodeClientMessage(R"({"type":"hello","version":1,"nick":"x"})");
    QVERIFY(!decoded.ok());
    QCOMPARE(errorCodeName(decoded.code), QStringLiteral("unsupported_version"));
    QCOMPARE(
        decoded.reason,
        QStringLiteral("This server speaks protocol version 2 (accounts); update the client."));
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
    w.users = {User{QStringLiteral("alice"), QStringLiteral("爱丽丝")},
               User{QStringLiteral("小明"), {}}};
    w.history = {sampleMessage(1, QStringLiteral("a")), sampleMessage(2, QStringLiteral("b"))};
    w.history[1].display = QStringLiteral("Bobby");
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
    QCOMPARE(back.users, w.users);
    QCOMPARE(back.history, w.history);
    const QByteArray json = encode(w);
    QVERIFY(json.contains(R"("users":[{"name":"alice","display":"爱丽丝"},{"name":"小明"}])"));

    // Optional fields are left out when empty or false, and read back as such.
    Welcome plain;
    plain.account = QStringLiteral("bob");
    const QByteArray plainJson = encode(plain);
    QVERIFY(!plainJson.contains("display"));
    QVERIFY(!plainJson.contains("admin"));
    QVERIFY(!plainJson.contains("token"));
    QVERIFY(plainJson.contains(R"("users":[])"));
    const Welcome plainBack = roundTripServer(plain);
    QCOMPARE(plainBack.account, plain.account);
    QVERIFY(plainBack.display.isEmpty());
    QVERIFY(!plainBack.admin);
    QVERIFY(plainBack.token.isEmpty());

    // The cached user list gives the same frame.
    QCOMPARE(encode(w, encodeUserList(w.users)), json);
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
    const Presence p{joined, left, 3};
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
    const Done plain{QStringLiteral("r1"), {}};
    QCOMPARE(encode(plain), QByteArray(R"({"ref":"r1","type":"done"})"));
    const Done plainBack = roundTripServer(plain);
    QCOMPARE(plainBack.ref, plain.ref);
    QVERIFY(plainBack.token.isEmpty());
    const Done withToken = roundTripServer(Done{QStringLiteral("r2"), QStringLiteral("NEW")});
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
        ErrorCode::UnsupportedVersion, "protocol version 2");
    row("hello version 3", R"({"type":"hello","version":3,"token":"t"})",
        ErrorCode::UnsupportedVersion, "update the client");
    row("hello version as string", R"({"type":"hello","version":"2"})", ErrorCode::BadMessage,
        "must be an integer");
    row("hello token and login",
        R"({"type":"hello","version":2,"token":"t","login":{"name":"a","password":"12345678"}})",
        ErrorCode::BadMessage, "at most one");
    row("hello login and register",
        R"({"type":"hello","version":2,"login":{"name":"a","password":"12345678"},)"
        R"("register":{"name":"a","password":"12345678"}})",
        ErrorCode::BadMessage, "at most one");
    row("hello token is a number", R"({"type":"hello","version":2,"token":5})",
        ErrorCode::BadMessage, "\"token\" must be a string");
    row("hello token too long",
        R"({"type":"hello","version":2,"token":")" + QByteArray(kMaxTokenChars + 1, 't') + "\"}",
        ErrorCode::TokenInvalid, "longer than 1024");
    row("hello token with a space", R"({"type":"hello","version":2,"token":"a b"})",
        ErrorCode::TokenInvalid, "printable ASCII");
    row("hello login is a string", R"({"type":"hello","version":2,"login":"alice"})",
        ErrorCode::BadMessage, "\"login\" must be an object");
    row("hello login is null", R"({"type":"hello","version":2,"login":null})",
        ErrorCode::BadMessage, "it is null");
    row("hello login without password", R"({"type":"hello","version":2,"login":{"name":"alice"}})",
        ErrorCode::BadMessage, "hello: login: the field \"password\" is missing");
    row("hello login without name",
        R"({"type":"hello","version":2,"login":{"password":"12345678"}})", ErrorCode::BadMessage,
        "\"name\" is missing");
    row("hello login name is a number",
        R"({"type":"hello","version":2,"login":{"name":1,"password":"12345678"}})",
        ErrorCode::BadMessage, "\"name\" must be a string");
    row("hello login empty name",
        R"({"type":"hello","version":2,"login":{"name":"  ","password":"12345678"}})",
        ErrorCode::NameInvalid, "The account name is empty");
    row("hello login long name",
        R"({"type":"hello","version":2,"login":{"name":")" + QByteArray(33, 'n') +
            R"(","password":"12345678"}})",
        ErrorCode::NameInvalid, "32");
    row("hello login name with control",
        R"({"type":"hello","version":2,"login":{"name":"a\u0007b","password":"12345678"}})",
        ErrorCode::NameInvalid, "U+0007");
    row("hello login name with zero width space",
        R"({"type":"hello","version":2,"login":{"name":"a\u200bb","password":"12345678"}})",
        ErrorCode::NameInvalid, "U+200B");
    row("hello login short password",
        R"({"type":"hello","version":2,"login":{"name":"alice","password":"1234567"}})",
        ErrorCode::PasswordInvalid, "at least 8");
    row("hello login long password",
        R"({"type":"hello","version":2,"login":{"name":"alice","password":")" +
            QByteArray(kMaxPasswordChars + 1, 'p') + "\"}}",
        ErrorCode::PasswordInvalid, "at most 256");
    row("hello login password with NUL",
        R"({"type":"hello","version":2,"login":{"name":"alice","password":"1234\u00005678"}})",
        ErrorCode::PasswordInvalid, "U+0000");
    row("hello register password with newline",
        R"({"type":"hello","version":2,"register":{"name":"alice","password":"1234\n5678"}})",
        ErrorCode::PasswordInvalid, "control character");
    row("hello register empty password",
        R"({"type":"hello","version":2,"register":{"name":"alice","password":""}})",
        ErrorCode::PasswordInvalid, "has 0 characters");
    row("hello register bad name",
        R"({"type":"hello","version":2,"register":{"name":"a  b","password":"12345678"}})",
        ErrorCode::NameInvalid, "two spaces");
    row("hello register invite is a number",
        R"({"type":"hello","version":2,"register":{"name":"a","password":"12345678","invite":1}})",
        ErrorCode::BadMessage, "\"invite\" must be a string");
    row("hello register long invite",
        R"({"type":"hello","version":2,"register":{"name":"a","password":"12345678","invite":")" +
            QByteArray(kMaxInviteChars + 1, 'i') + "\"}}",
        ErrorCode::InviteInvalid, "longer than 64");
    row("hello register invite with control",
        R"({"type":"hello","version":2,"register":{"name":"a","password":"12345678",)"
        R"("invite":"a\u0001"}})",
        ErrorCode::InviteInvalid, "U+0001");
    row("hello register display with zero width",
        R"({"type":"hello","version":2,"register":{"name":"a","password":"12345678",)"
        R"("display":"x\u200by"}})",
        ErrorCode::DisplayInvalid, "The display name contains an invisible");
    row("hello register long display",
        R"({"type":"hello","version":2,"register":{"name":"a","password":"12345678","display":")" +
            QByteArray(kMaxDisplayChars + 1, 'd') + "\"}}",
        ErrorCode::DisplayInvalid, "longer than 64");
    row("hello register display is null",
        R"({"type":"hello","version":2,"register":{"name":"a","password":"12345678",)"
        R"("display":null}})",
        ErrorCode::BadMessage, "\"display\" must be a string");
    row("hello device is a number", R"({"type":"hello","version":2,"device":7})",
        ErrorCode::BadMessage, "\"device\" must be a string");
    row("hello long device",
        R"({"type":"hello","version":2,"device":")" + QByteArray(kMaxDeviceChars + 1, 'd') + "\"}",
        ErrorCode::BadMessage, "longer than 64");
    row("hello device with control", R"({"type":"hello","version":2,"device":"pc\u001b1"})",
        ErrorCode::BadMessage, "U+001B");
    row("hello device with line separator", R"({"type":"hello","version":2,"device":"pc\u20281"})",
        ErrorCode::BadMessage, "U+2028");
    row("hello negative lastSeq", R"({"type":"hello","version":2,"token":"t","lastSeq":-1})",
        ErrorCode::BadMessage, "lastSeq");
    row("hello fractional lastSeq", R"({"type":"hello","version":2,"token":"t","lastSeq":1.5})",
        ErrorCode::BadMessage, "lastSeq");
    row("hello huge lastSeq", R"({"type":"hello","version":2,"token":"t","lastSeq":1e300})",
        ErrorCode::BadMessage, "lastSeq");
    row("hello session too long",
        R"({"type":"hello","version":2,"token":"t","session":")" + QByteArray(65, 's') + "\"}",
        ErrorCode::BadMessage, "too long");
    row("hello instance too long",
        R"({"type":"hello","version":2,"instance":")" + QByteArray(65, 's') + "\"}",
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
    // A rejected request whose id could be read names it, so the client knows which one failed.
    const QByteArray tag(QTest::currentDataTag());
    if (frame.contains("\"id\":\"r\"") && !tag.startsWith("hello") && !tag.startsWith("send"))
        QCOMPARE(decoded.ref, QStringLiteral("r"));
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
               R"({"type":"welcome","version":2,"account":"a","seq":1,"resumed":false,"users":[],"history":[7]})")
        << QStringLiteral("history[0]");
    QTest::addRow("welcome with a string for a user")
        << QByteArray(
               R"({"type":"welcome","version":2,"account":"a","seq":1,"resumed":false,"users":["a"],"history":[]})")
        << QStringLiteral("users[0] must be an object");
    QTest::addRow("welcome with a user without name")
        << QByteArray(
               R"({"type":"welcome","version":2,"account":"a","seq":1,"resumed":false,"users":[{"display":"x"}],"history":[]})")
        << QStringLiteral("users[0]: the field \"name\" is missing");
    QTest::addRow("welcome without account (a version-1 welcome)")
        << QByteArray(
               R"({"type":"welcome","version":1,"nick":"a","seq":1,"resumed":false,"users":[],"history":[]})")
        << QStringLiteral("\"account\" is missing");
    QTest::addRow("welcome with admin a string")
        << QByteArray(
               R"({"type":"welcome","version":2,"account":"a","admin":"yes","seq":1,"resumed":false,"users":[],"history":[]})")
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
        decodeClientMessage(R"({"type":"hello","version":2,"login":{"name":")" + escaped +
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
}

QTEST_APPLESS_MAIN(TestSchema)
#include "tst_schema.moc"
