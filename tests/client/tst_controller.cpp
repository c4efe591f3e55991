// The controller's answers to server replies a real hub gives only in rare cases: refused
// sends, rate limits, frames it cannot read; and the account side of protocol version 2:
// credentials in the hello, the token that replaces the password, refusals that ask for new
// credentials, and the account requests. The server here is scripted by the test.
#include "chinesetranslation.h"
#include "codec.h"
#include "connectioncontroller.h"
#include "errortext.h"
#include "fakeservers.h"
#include "memberlistmodel.h"
#include "messagemodel.h"
#include "roomlistmodel.h"
#include "tokenvault.h"

#include <QAbstractItemModelTester>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using chat::client::ConnectionController;
using chat::client::ConnectionState;
using chat::client::FileTokenVault;
using chat::client::MemberListModel;
using chat::client::MessageModel;
using chat::client::RoomListModel;
namespace proto = chat::proto;

namespace {

template<typename T> std::optional<T> decodeAs(const QByteArray &frame)
{
    const proto::Decoded<proto::ClientMessage> decoded = proto::decodeClientMessage(frame);
    if (!decoded.ok() || !std::holds_alternative<T>(*decoded.message))
        return std::nullopt;
    return std::get<T>(*decoded.message);
}

QString sendId(const QList<QVariant> &frameArguments)
{
    const std::optional<proto::Send> send =
        decodeAs<proto::Send>(frameArguments.at(0).toByteArray());
    return send ? send->id : QStringLiteral("(not a send)");
}

QString storedToken(FileTokenVault &vault, const QUrl &url, const QString &account)
{
    QString result;
    vault.read(url, account, &vault, [&result](const QString &token) { result = token; });
    return result;
}

// Whether any file under directory holds these bytes.
bool anyFileContains(const QString &directory, const QByteArray &needle)
{
    QDirIterator it(directory, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        QFile file(it.next());
        if (file.open(QIODevice::ReadOnly) && file.readAll().contains(needle))
            return true;
    }
    return false;
}

proto::RoomState lobbyState()
{
    proto::RoomState lobby;
    lobby.name = proto::defaultRoom();
    lobby.role = QStringLiteral("member");
    lobby.members = 2;
    return lobby;
}

proto::Welcome welcomeFor(const QString &account, const QString &token = QString())
{
    proto::Welcome welcome;
    welcome.account = account;
    welcome.token = token;
    welcome.session = QStringLiteral("s-") + account;
    welcome.rooms = {lobbyState()};
    return welcome;
}

// What the client asks for by itself after every welcome (the selected room's members and
// older history, read marks) goes aside; tests watch the rest, the frames they cause.
class FrameFilter : public QObject
{
    Q_OBJECT
public:
    explicit FrameFilter(ScriptedServer *server)
    {
        connect(server, &ScriptedServer::frameReceived, this, [this](const QByteArray &frame) {
            const proto::Decoded<proto::ClientMessage> decoded = proto::decodeClientMessage(frame);
            if (decoded.ok() && (std::holds_alternative<proto::ListMembers>(*decoded.message) ||
                                 std::holds_alternative<proto::LoadHistory>(*decoded.message) ||
                                 std::holds_alternative<proto::MarkRead>(*decoded.message))) {
                background.append(*decoded.message);
                emit backgroundReceived();
                return;
            }
            emit frameReceived(frame);
        });
    }
    QList<proto::ClientMessage> background;

signals:
    void frameReceived(const QByteArray &frame);
    void backgroundReceived();
};

} // namespace

class TestController : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { QVERIFY(chat::test::installChineseTranslation()); }
    void init();
    void cleanup();

    void helloCarriesResumePoint();
    void refusedSendIsDroppedAndReported();
    void unknownCodeShowsTheServersWords();
    void refusedForNowIsRetried_data();
    void refusedForNowIsRetried();
    void unreadableFramesAreIgnored();
    void presenceUpdatesMembers();
    void roomsFromWelcomeAndUpdates();
    void sendGoesToTheSelectedRoomOrPerson();
    void roomRequestsAreSentAndAnswered();
    void typingNoticesAreThrottled();

    void startWithoutCredentialsAsksForThem();
    void registrationTokenIsStoredAndUsedNext();
    void passwordLoginIsReplacedByToken();
    void refusedCredentialsStopRetrying_data();
    void refusedCredentialsStopRetrying();
    void invalidTokenIsDeleted();
    void tokenEndedWhileConnected();
    void busyIsRetriedAfterTheWaitItNames_data();
    void busyIsRetriedAfterTheWaitItNames();
    void changePasswordStoresTheNewToken();
    void devicesListAndEnd();
    void setDisplayNameShowsIt();
    void failedRequestIsReported();
    void logoutDeletesTokenAndGoesOffline();
    void requestsNeedAConnection();
    void messagesShowDisplayNames();

private:
    // Starts the client and answers its hello with this welcome.
    [[nodiscard]] bool join(proto::Welcome welcome);
    // The next frame the server got, decoded as T.
    template<typename T> [[nodiscard]] std::optional<T> next();

    template<typename T> [[nodiscard]] std::optional<T> nextBackground();

    ScriptedServer *m_server = nullptr;
    FrameFilter *m_filter = nullptr;
    ConnectionController *m_client = nullptr;
    QSignalSpy *m_frames = nullptr;
    QList<QAbstractItemModelTester *> m_testers;
};

void TestController::init()
{
    m_server = new ScriptedServer;
    QVERIFY(m_server->listen());
    m_filter = new FrameFilter(m_server);
    m_frames = new QSignalSpy(m_filter, &FrameFilter::frameReceived);
    m_client = new ConnectionController;
    m_client->setServerUrl(m_server->url());
    m_client->setToken(QStringLiteral("alice"), QStringLiteral("token-of-alice"));
    m_client->setBackoff(50, 400);
    m_testers.append(new QAbstractItemModelTester(
        m_client->messages(), QAbstractItemModelTester::FailureReportingMode::QtTest));
    m_testers.append(new QAbstractItemModelTester(
        m_client->members(), QAbstractItemModelTester::FailureReportingMode::QtTest));
    m_testers.append(new QAbstractItemModelTester(
        m_client->rooms(), QAbstractItemModelTester::FailureReportingMode::QtTest));
}

void TestController::cleanup()
{
    qDeleteAll(m_testers);
    m_testers.clear();
    delete m_client;
    delete m_frames;
    delete m_filter;
    delete m_server;
}

bool TestController::join(proto::Welcome welcome)
{
    m_client->start();
    if (!m_frames->wait())
        return false;
    if (!decodeAs<proto::Hello>(m_frames->takeFirst().at(0).toByteArray()))
        return false;
    m_server->reply(proto::encode(welcome));
    QSignalSpy joined(m_client, &ConnectionController::joined);
    return m_client->state() == ConnectionState::Connected || joined.wait();
}

template<typename T> std::optional<T> TestController::nextBackground()
{
    QSignalSpy arrived(m_filter, &FrameFilter::backgroundReceived);
    for (;;) {
        while (!m_filter->background.isEmpty()) {
            const proto::ClientMessage message = m_filter->background.takeFirst();
            if (const T *wanted = std::get_if<T>(&message))
                return *wanted;
        }
        if (!arrived.wait())
            return std::nullopt;
    }
}

template<typename T> std::optional<T> TestController::next()
{
    if (m_frames->isEmpty() && !m_frames->wait())
        return std::nullopt;
    return decodeAs<T>(m_frames->takeFirst().at(0).toByteArray());
}

void TestController::helloCarriesResumePoint()
{
    proto::Welcome welcome;
    welcome.account = QStringLiteral("alice");
    welcome.session = QStringLiteral("s1");
    welcome.seq = 7;
    welcome.rooms = {lobbyState()};
    QVERIFY(join(welcome));
    QCOMPARE(m_client->lastSeq(), 7);

    // Started again, the client asks to resume where it left off.
    m_client->stop();
    m_frames->clear();
    m_client->start();
    QVERIFY(m_frames->wait());
    const std::optional<proto::Hello> hello =
        decodeAs<proto::Hello>(m_frames->takeFirst().at(0).toByteArray());
    QVERIFY(hello);
    QCOMPARE(hello->version, 3);
    QCOMPARE(hello->token, QStringLiteral("token-of-alice"));
    QVERIFY(!hello->login && !hello->registration);
    QVERIFY(hello->device.startsWith(QStringLiteral("桌面 · ")));
    QCOMPARE(hello->lastSeq, std::optional<qint64>(7));
    QCOMPARE(hello->session, QStringLiteral("s1"));
}

void TestController::refusedSendIsDroppedAndReported()
{
    QVERIFY(join(welcomeFor(QStringLiteral("alice"))));
    QSignalSpy errors(m_client, &ConnectionController::errorOccurred);

    const QString id = m_client->send(QStringLiteral("something the server dislikes"));
    QVERIFY(m_frames->wait());
    const std::optional<proto::Send> send =
        decodeAs<proto::Send>(m_frames->takeFirst().at(0).toByteArray());
    QVERIFY(send);
    QCOMPARE(send->id, id);
    QCOMPARE(m_client->pendingCount(), 1);

    m_server->reply(proto::encode(
        proto::Error{proto::ErrorCode::TextInvalid, QStringLiteral("<b>No.</b>"), id}));
    QVERIFY(errors.wait());
    QCOMPARE(m_client->pendingCount(), 0);
    QCOMPARE(m_client->messages()->rowCount(), 0);
    // In the user's words, then the server's, which say what exactly was wrong, as text.
    QCOMPARE(errors.at(0).at(0).toString(),
             QStringLiteral("消息未能发送：内容为空、太长或含有控制字符。服务器说明：<b>No.</b>."));
    QCOMPARE(m_client->state(), ConnectionState::Connected);
}

void TestController::unknownCodeShowsTheServersWords()
{
    QVERIFY(join(welcomeFor(QStringLiteral("alice"))));
    QSignalSpy errors(m_client, &ConnectionController::errorOccurred);
    // A code from a newer server, with words that are markup and two lines.
    m_server->reply(
        R"({"type":"error","code":"from_the_future","message":"<i>New</i> rule:\nno <b>Mondays</b>"})");
    QVERIFY(errors.wait());
    QCOMPARE(errors.at(0).at(0).toString(),
             QStringLiteral("服务器拒绝了请求：<i>New</i> rule: no <b>Mondays</b>."));
    QCOMPARE(m_client->state(), ConnectionState::Connected);
}

void TestController::refusedForNowIsRetried_data()
{
    QTest::addColumn<proto::ErrorCode>("code");
    QTest::addColumn<QString>("said");
    QTest::addRow("rate_limited") << proto::ErrorCode::RateLimited
                                  << QStringLiteral("发送得太快了，请慢一点。");
    QTest::addRow("internal") << proto::ErrorCode::Internal
                              << QStringLiteral("服务器出现问题，请再试一次。");
}

void TestController::refusedForNowIsRetried()
{
    QFETCH(const proto::ErrorCode, code);
    QFETCH(const QString, said);
    constexpr int kRetryMs = 300;
    m_client->setRetryDelay(kRetryMs);
    QVERIFY(join(welcomeFor(QStringLiteral("alice"))));
    QSignalSpy errors(m_client, &ConnectionController::errorOccurred);
    const QString first = m_client->send(QStringLiteral("first"));
    const QString second = m_client->send(QStringLiteral("second"));
    QCOMPARE(m_client->pendingCount(), 2);

    // One at a time: the second waits for the first's acknowledgement.
    QVERIFY(m_frames->wait());
    QCOMPARE(sendId(m_frames->takeFirst()), first);

    // Refused for now: it stays pending and goes out again after the delay, on the same
    // connection, with the same id, still ahead of the second.
    QElapsedTimer sinceRefusal;
    sinceRefusal.start();
    m_server->reply(proto::encode(proto::Error{code, QStringLiteral("Slow down."), first}));
    QVERIFY(errors.wait());
    QCOMPARE(errors.at(0).at(0).toString(), said);
    QCOMPARE(m_client->pendingCount(), 2);
    QCOMPARE(m_client->messages()->pendingCount(), 2);
    QVERIFY(m_frames->wait());
    QVERIFY2(sinceRefusal.elapsed() >= kRetryMs * 8 / 10,
             qPrintable(QString::number(sinceRefusal.elapsed())));
    QCOMPARE(sendId(m_frames->takeFirst()), first);
    QCOMPARE(m_client->attemptCount(), 1);

    // Its acknowledgement lets the second go.
    proto::Message echo;
    echo.seq = 1;
    echo.id = first;
    echo.room = proto::defaultRoom();
    echo.from = QStringLiteral("alice");
    echo.time = QDateTime::currentDateTimeUtc();
    echo.text = QStringLiteral("first");
    m_server->reply(proto::encode(echo));
    QVERIFY(m_frames->wait());
    QCOMPARE(sendId(m_frames->takeFirst()), second);
    QCOMPARE(m_client->pendingCount(), 1);

    // An error that names no message of ours resends nothing.
    m_server->reply(proto::encode(proto::Error{code, QStringLiteral("Slow down."), QString()}));
    QTRY_COMPARE(errors.count(), 2);
    QVERIFY(!m_frames->wait(2 * kRetryMs));
}

void TestController::unreadableFramesAreIgnored()
{
    QVERIFY(join(welcomeFor(QStringLiteral("alice"))));
    QSignalSpy errors(m_client, &ConnectionController::errorOccurred);
    QSignalSpy rows(m_client->messages(), &QAbstractItemModel::rowsInserted);
    m_server->reply("not json");
    m_server->reply(R"({"type":"from_the_future"})");
    m_server->reply(R"({"type":"message","seq":"one"})");
    proto::Message m;
    m.seq = 1;
    m.id = QStringLiteral("x");
    m.room = QStringLiteral("lobby");
    m.from = QStringLiteral("bob");
    m.time = QDateTime::currentDateTimeUtc();
    m.text = QStringLiteral("still here");
    m_server->reply(proto::encode(m));
    QVERIFY(rows.wait());
    QCOMPARE(m_client->messages()->rowCount(), 1);
    QCOMPARE(m_client->lastSeq(), 1);
    QCOMPARE(errors.count(), 0);
    QCOMPARE(m_client->state(), ConnectionState::Connected);
}

void TestController::presenceUpdatesMembers()
{
    QVERIFY(join(welcomeFor(QStringLiteral("alice"))));
    // After the welcome, the selected room's members are asked for, a page at a time.
    const std::optional<proto::ListMembers> first = nextBackground<proto::ListMembers>();
    QVERIFY(first);
    QCOMPARE(first->room, proto::defaultRoom());
    QCOMPARE(first->after, QString());
    const auto member = [](const char *name, bool online, const QString &display = {}) {
        return proto::RoomMember{QString::fromUtf8(name), display, QStringLiteral("member"),
                                 online};
    };
    m_server->reply(proto::encode(
        proto::MemberList{first->id,
                          proto::defaultRoom(),
                          {member("alice", true), member("bob", true, QStringLiteral("鲍勃"))},
                          QStringLiteral("bob"),
                          2}));
    const std::optional<proto::ListMembers> second = nextBackground<proto::ListMembers>();
    QVERIFY(second);
    QCOMPARE(second->after, QStringLiteral("bob"));
    m_server->reply(proto::encode(
        proto::MemberList{second->id, proto::defaultRoom(), {member("carol", false)}, {}, 2}));
    MemberListModel *members = m_client->members();
    QTRY_COMPARE(members->count(), 3);
    QCOMPARE(members->names(), (QStringList{QStringLiteral("alice"), QStringLiteral("bob"),
                                            QStringLiteral("carol")}));
    QCOMPARE(members->index(1).data().toString(), QStringLiteral("鲍勃 (bob)"));
    QCOMPARE(members->onlineCount(), 2);

    // Presence of this room: bob went, Carol came with a display name; another room's is not ours.
    m_server->reply(proto::encode(
        proto::Presence{proto::defaultRoom(),
                        {proto::User{QStringLiteral("Carol"), QStringLiteral("卡罗尔")}},
                        {QStringLiteral("bob")},
                        2}));
    m_server->reply(
        proto::encode(proto::Presence{QStringLiteral("dev"), {}, {QStringLiteral("alice")}, 0}));
    QTRY_VERIFY(members->isOnline(QStringLiteral("carol")));
    QVERIFY(!members->isOnline(QStringLiteral("bob")));
    QVERIFY(members->isOnline(QStringLiteral("alice")));
    QCOMPARE(members->index(1).data(MemberListModel::LabelRole).toString(),
             QStringLiteral("卡罗尔 (carol)")); // the name as first spelled
    QCOMPARE(members->onlineCount(), 2);
}

void TestController::roomsFromWelcomeAndUpdates()
{
    proto::Welcome welcome = welcomeFor(QStringLiteral("alice"));
    proto::RoomState dev;
    dev.name = QStringLiteral("dev");
    dev.title = QStringLiteral("开发组");
    dev.role = QStringLiteral("owner");
    dev.members = 3;
    dev.unread = 4;
    dev.mentions = 1;
    welcome.rooms.append(dev);
    QVERIFY(join(welcome));
    RoomListModel *rooms = m_client->rooms();
    QCOMPARE(rooms->rowCount(), 2);
    QCOMPARE(rooms->room(QStringLiteral("dev"))->unread, 4);
    QCOMPARE(m_client->currentRoom(), proto::defaultRoom());

    // Another device read dev: the counts follow.
    m_server->reply(proto::encode(proto::Unread{QStringLiteral("dev"), 9, 0, 0}));
    QTRY_COMPARE(rooms->room(QStringLiteral("dev"))->unread, 0);
    // A message mentioning us in dev counts; one in the lobby, which we read, is marked read.
    proto::Message m;
    m.seq = 10;
    m.id = QStringLiteral("m10");
    m.room = QStringLiteral("dev");
    m.from = QStringLiteral("bob");
    m.time = QDateTime::currentDateTimeUtc();
    m.text = QStringLiteral("@alice 请看");
    m_server->reply(proto::encode(m));
    m.seq = 11;
    m.id = QStringLiteral("m11");
    m.room = proto::defaultRoom();
    m_server->reply(proto::encode(m));
    QTRY_COMPARE(rooms->room(QStringLiteral("dev"))->mentions, 1);
    QCOMPARE(rooms->room(QStringLiteral("dev"))->unread, 1);
    const std::optional<proto::MarkRead> read = nextBackground<proto::MarkRead>();
    QVERIFY(read);
    QCOMPARE(read->room, proto::defaultRoom());
    QCOMPARE(read->seq, 11);
    QCOMPARE(rooms->room(proto::defaultRoom())->unread, 0);

    // Selecting dev marks it read too, and asks for its members.
    QSignalSpy current(m_client, &ConnectionController::currentRoomChanged);
    QVERIFY(m_client->selectRoom(QStringLiteral("dev")));
    QCOMPARE(current.count(), 1);
    QCOMPARE(rooms->room(QStringLiteral("dev"))->unread, 0);
    QCOMPARE(m_client->messages(), m_client->messages(QStringLiteral("dev")));
    const std::optional<proto::MarkRead> devRead = nextBackground<proto::MarkRead>();
    QVERIFY(devRead);
    QCOMPARE(devRead->room, QStringLiteral("dev"));
    QVERIFY(!m_client->selectRoom(QStringLiteral("nowhere")));

    // Removed from dev on the server: it goes, and the lobby is shown.
    QSignalSpy gone(m_client, &ConnectionController::roomGone);
    m_server->reply(
        proto::encode(proto::RoomGone{QStringLiteral("dev"), QStringLiteral("removed")}));
    QVERIFY(gone.wait());
    QCOMPARE(gone.first().at(1).toString(), QStringLiteral("开发组"));
    QCOMPARE(rooms->rowCount(), 1);
    QCOMPARE(m_client->currentRoom(), proto::defaultRoom());
}

void TestController::sendGoesToTheSelectedRoomOrPerson()
{
    QVERIFY(join(welcomeFor(QStringLiteral("alice"))));
    m_client->send(QStringLiteral("to the lobby"));
    std::optional<proto::Send> send = next<proto::Send>();
    QVERIFY(send);
    QCOMPARE(send->room, proto::defaultRoom());
    QVERIFY(send->to.isEmpty());
    proto::Message echo;
    echo.seq = 5;
    echo.id = send->id;
    echo.room = proto::defaultRoom();
    echo.from = QStringLiteral("alice");
    echo.time = QDateTime::currentDateTimeUtc();
    echo.text = send->text;
    m_server->reply(proto::encode(echo));
    QTRY_COMPARE(m_client->pendingCount(), 0);

    // "发消息" to bob, who has no direct room with us: a draft, whose first message uses `to`.
    QVERIFY(m_client->openDirect(QStringLiteral("bob")));
    QCOMPARE(m_client->directDraft(), QStringLiteral("bob"));
    m_client->send(QStringLiteral("你好 bob"));
    send = next<proto::Send>();
    QVERIFY(send);
    QCOMPARE(send->to, QStringLiteral("bob"));
    QVERIFY(send->room.isEmpty());
    QCOMPARE(m_client->messages()->pendingCount(), 1);
    // The server makes the room, then echoes the message into it.
    proto::RoomState dm;
    dm.name = QStringLiteral("@1-2");
    dm.direct = true;
    dm.isPrivate = true;
    dm.with = QStringLiteral("bob");
    dm.role = QStringLiteral("member");
    dm.members = 2;
    QSignalSpy current(m_client, &ConnectionController::currentRoomChanged);
    m_server->reply(proto::encode(proto::RoomUpdate{dm}));
    QVERIFY(current.wait());
    QCOMPARE(m_client->currentRoom(), dm.name);
    echo.seq = 6;
    echo.id = send->id;
    echo.room = dm.name;
    echo.text = send->text;
    m_server->reply(proto::encode(echo));
    QTRY_COMPARE(m_client->pendingCount(), 0);
    QCOMPARE(m_client->messages()->rowCount(), 1);
    QCOMPARE(m_client->messages()->confirmedCount(), 1);
    // The next goes into the room.
    m_client->sendDirect(QStringLiteral("Bob"), QStringLiteral("again"));
    send = next<proto::Send>();
    QVERIFY(send);
    QCOMPARE(send->room, dm.name);
    QVERIFY(send->to.isEmpty());
}

void TestController::roomRequestsAreSentAndAnswered()
{
    QVERIFY(join(welcomeFor(QStringLiteral("alice"))));
    QSignalSpy errors(m_client, &ConnectionController::errorOccurred);
    QSignalSpy done(m_client, &ConnectionController::roomRequestDone);
    QSignalSpy listed(m_client, &ConnectionController::roomListReceived);
    // Refused before sending: a name the server would refuse.
    QCOMPARE(m_client->createRoom(QStringLiteral("Dev Room"), {}, {}, false), QString());
    QCOMPARE(errors.count(), 1);
    QCOMPARE(errors.first().at(0).toString(),
             QStringLiteral("房间名只能包含 a-z、0-9、“-”和“_”。"));

    const QString create =
        m_client->createRoom(QStringLiteral("dev"), QStringLiteral(" 开发组 "), {}, true);
    const std::optional<proto::CreateRoom> created = next<proto::CreateRoom>();
    QVERIFY(created);
    QCOMPARE(created->id, create);
    QCOMPARE(created->title, QStringLiteral("开发组"));
    QVERIFY(created->isPrivate);
    m_server->reply(proto::encode(proto::Done{create, {}, QStringLiteral("dev")}));
    QVERIFY(done.wait());
    QCOMPARE(done.first().at(1).toString(), QStringLiteral("dev"));

    const QString list = m_client->listRooms();
    const std::optional<proto::ListRooms> asked = next<proto::ListRooms>();
    QVERIFY(asked);
    m_server->reply(
        proto::encode(proto::RoomList{list,
                                      {proto::RoomSummary{QStringLiteral("art"), {}, {}, 2, false}},
                                      QStringLiteral("art")}));
    QVERIFY(listed.wait());
    QCOMPARE(listed.first().at(0).toString(), list);
    QCOMPARE(listed.first().at(2).toString(), QStringLiteral("art"));

    QVERIFY(!m_client->joinRoom(QStringLiteral("art")).isEmpty());
    QCOMPARE(next<proto::JoinRoom>()->room, QStringLiteral("art"));
    QVERIFY(!m_client->inviteToRoom(QStringLiteral("dev"), QStringLiteral("bob")).isEmpty());
    QCOMPARE(next<proto::InviteToRoom>()->name, QStringLiteral("bob"));
    QVERIFY(!m_client->removeFromRoom(QStringLiteral("dev"), QStringLiteral("bob")).isEmpty());
    QCOMPARE(next<proto::RemoveFromRoom>()->name, QStringLiteral("bob"));
    QVERIFY(!m_client->transferRoom(QStringLiteral("dev"), QStringLiteral("carol")).isEmpty());
    QCOMPARE(next<proto::TransferRoom>()->name, QStringLiteral("carol"));
    QVERIFY(!m_client->updateRoom(QStringLiteral("dev"), std::nullopt, QStringLiteral("新话题"))
                 .isEmpty());
    const std::optional<proto::UpdateRoom> update = next<proto::UpdateRoom>();
    QVERIFY(update && !update->title && update->topic == QStringLiteral("新话题"));
    QCOMPARE(m_client->updateRoom(QStringLiteral("dev"), std::nullopt, std::nullopt), QString());
    const QString leave = m_client->leaveRoom(QStringLiteral("dev"));
    QCOMPARE(next<proto::LeaveRoom>()->id, leave);
    QSignalSpy failed(m_client, &ConnectionController::requestFailed);
    m_server->reply(proto::encode(
        proto::Error{proto::ErrorCode::NotAllowed, QStringLiteral("不能离开。"), leave}));
    QVERIFY(failed.wait());
    QCOMPARE(failed.first().at(0).toString(), leave);
}

void TestController::typingNoticesAreThrottled()
{
    m_client->setTypingInterval(300);
    QVERIFY(join(welcomeFor(QStringLiteral("alice"))));
    QElapsedTimer clock;
    clock.start();
    m_client->userTyping();
    QCOMPARE(next<proto::Typing>()->room, proto::defaultRoom());
    // More keystrokes within the interval send nothing; the first after it does.
    m_client->userTyping();
    m_client->userTyping();
    QVERIFY(!m_frames->wait(100));
    QTRY_VERIFY((m_client->userTyping(), !m_frames->isEmpty()));
    QVERIFY2(clock.elapsed() >= 300, qPrintable(QString::number(clock.elapsed())));
    QVERIFY(next<proto::Typing>());
    QCOMPARE(m_frames->count(), 0);

    // Someone else types: the line shows for the selected room.
    QSignalSpy typing(m_client, &ConnectionController::typingChanged);
    m_server->reply(proto::encode(
        proto::TypingNotice{proto::defaultRoom(), QStringLiteral("bob"), QStringLiteral("鲍勃")}));
    QVERIFY(typing.wait());
    QCOMPARE(m_client->typingText(), QStringLiteral("鲍勃 (bob) 正在输入…"));
}

void TestController::startWithoutCredentialsAsksForThem()
{
    m_client->clearCredentials();
    QSignalSpy needed(m_client, &ConnectionController::credentialsNeeded);
    m_client->start();
    QCOMPARE(needed.count(), 1);
    QCOMPARE(m_client->state(), ConnectionState::Offline);
    QVERIFY(!m_frames->wait(200));
    QCOMPARE(m_server->clientCount(), 0);
}

void TestController::registrationTokenIsStoredAndUsedNext()
{
    QTemporaryDir dir;
    FileTokenVault vault(dir.path());
    m_client->setTokenVault(&vault);
    const QString password = QStringLiteral("correct horse battery staple");
    m_client->setRegistration(proto::Registration{
        QStringLiteral(" alice "), password, QStringLiteral("INVITE-1"), QStringLiteral("爱丽丝")});
    m_client->start();
    const std::optional<proto::Hello> hello = next<proto::Hello>();
    QVERIFY(hello);
    QVERIFY(hello->token.isEmpty() && !hello->login);
    QVERIFY(hello->registration);
    QCOMPARE(hello->registration->name, QStringLiteral("alice"));
    QCOMPARE(hello->registration->password, password);
    QCOMPARE(hello->registration->invite, QStringLiteral("INVITE-1"));
    QCOMPARE(hello->registration->display, QStringLiteral("爱丽丝"));

    proto::Welcome welcome = welcomeFor(QStringLiteral("alice"), QStringLiteral("NEW-TOKEN-1"));
    welcome.display = QStringLiteral("爱丽丝");
    QSignalSpy joined(m_client, &ConnectionController::joined);
    m_server->reply(proto::encode(welcome));
    QVERIFY(joined.wait());
    QCOMPARE(m_client->token(), QStringLiteral("NEW-TOKEN-1"));
    QCOMPARE(m_client->displayName(), QStringLiteral("爱丽丝"));
    QCOMPARE(m_client->statusText(), QStringLiteral("已连接：爱丽丝 (alice)"));
    QCOMPARE(storedToken(vault, m_server->url(), QStringLiteral("alice")),
             QStringLiteral("NEW-TOKEN-1"));
    // The password is written nowhere.
    QVERIFY(!anyFileContains(dir.path(), password.toUtf8()));

    // The next connection logs in with the token.
    m_client->stop();
    m_frames->clear();
    m_client->start();
    const std::optional<proto::Hello> again = next<proto::Hello>();
    QVERIFY(again);
    QCOMPARE(again->token, QStringLiteral("NEW-TOKEN-1"));
    QVERIFY(!again->login && !again->registration);
    QCOMPARE(again->session, QStringLiteral("s-alice"));
}

void TestController::passwordLoginIsReplacedByToken()
{
    QTemporaryDir dir;
    FileTokenVault vault(dir.path());
    m_client->setTokenVault(&vault);
    const QString password = QStringLiteral("tr0ub4dor&3 !");
    m_client->setPasswordLogin(QStringLiteral("Alice"), password);
    m_client->start();
    const std::optional<proto::Hello> hello = next<proto::Hello>();
    QVERIFY(hello && hello->login);
    QCOMPARE(hello->login->name, QStringLiteral("Alice"));
    QCOMPARE(hello->login->password, password);
    QSignalSpy joined(m_client, &ConnectionController::joined);
    // The server names the account as registered.
    m_server->reply(proto::encode(welcomeFor(QStringLiteral("alice"), QStringLiteral("T-9"))));
    QVERIFY(joined.wait());
    QCOMPARE(m_client->account(), QStringLiteral("alice"));
    QCOMPARE(storedToken(vault, m_server->url(), QStringLiteral("alice")), QStringLiteral("T-9"));
    QVERIFY(!anyFileContains(dir.path(), password.toUtf8()));

    // A dropped connection comes back with the token, not the password.
    m_frames->clear();
    m_server->closeNewest(1001, QStringLiteral("going away"));
    const std::optional<proto::Hello> again = next<proto::Hello>();
    QVERIFY(again);
    QCOMPARE(again->token, QStringLiteral("T-9"));
    QVERIFY(!again->login);
}

void TestController::refusedCredentialsStopRetrying_data()
{
    QTest::addColumn<proto::ErrorCode>("code");
    QTest::addRow("login_failed") << proto::ErrorCode::LoginFailed;
    QTest::addRow("name_taken") << proto::ErrorCode::NameTaken;
    QTest::addRow("name_invalid") << proto::ErrorCode::NameInvalid;
    QTest::addRow("password_invalid") << proto::ErrorCode::PasswordInvalid;
    QTest::addRow("registration_closed") << proto::ErrorCode::RegistrationClosed;
    QTest::addRow("invite_invalid") << proto::ErrorCode::InviteInvalid;
    QTest::addRow("account_disabled") << proto::ErrorCode::AccountDisabled;
}

void TestController::refusedCredentialsStopRetrying()
{
    QFETCH(const proto::ErrorCode, code);
    m_client->setRegistration(
        proto::Registration{QStringLiteral("alice"), QStringLiteral("password123"), {}, {}});
    QSignalSpy needed(m_client, &ConnectionController::credentialsNeeded);
    m_client->start();
    QVERIFY(next<proto::Hello>());
    const QString reason = QStringLiteral("<b>No</b> — 不行");
    m_server->reply(proto::encode(proto::Error{code, reason, {}}));
    m_server->closeNewest(1008, QStringLiteral("refused"));
    QVERIFY(needed.wait());
    // The sentence for the code, not the server's words (tst_errortext has the sentences).
    QCOMPARE(needed.at(0).at(0).toString(), chat::client::describeServerError(code, reason));
    QCOMPARE(m_client->state(), ConnectionState::Offline);
    QVERIFY(!m_client->hasCredentials());
    QVERIFY(!m_frames->wait(400)); // no second attempt
    QCOMPARE(m_client->attemptCount(), 1);
}

void TestController::invalidTokenIsDeleted()
{
    QTemporaryDir dir;
    FileTokenVault vault(dir.path());
    vault.write(m_server->url(), QStringLiteral("alice"), QStringLiteral("old-token"));
    vault.write(m_server->url(), QStringLiteral("bob"), QStringLiteral("bobs-token"));
    m_client->setTokenVault(&vault);
    m_client->setToken(QStringLiteral("alice"), QStringLiteral("old-token"));
    QSignalSpy needed(m_client, &ConnectionController::credentialsNeeded);
    m_client->start();
    const std::optional<proto::Hello> hello = next<proto::Hello>();
    QVERIFY(hello);
    QCOMPARE(hello->token, QStringLiteral("old-token"));
    m_server->reply(proto::encode(
        proto::Error{proto::ErrorCode::TokenInvalid, QStringLiteral("Log in again."), {}}));
    QVERIFY(needed.wait());
    QCOMPARE(needed.at(0).at(0).toString(),
             QStringLiteral("登录已结束或已过期，请用密码重新登录。"));
    QCOMPARE(m_client->state(), ConnectionState::Offline);
    QCOMPARE(m_client->token(), QString());
    QCOMPARE(storedToken(vault, m_server->url(), QStringLiteral("alice")), QString());
    QCOMPARE(storedToken(vault, m_server->url(), QStringLiteral("bob")),
             QStringLiteral("bobs-token"));
    QVERIFY(!m_frames->wait(400));
}

void TestController::tokenEndedWhileConnected()
{
    QTemporaryDir dir;
    FileTokenVault vault(dir.path());
    vault.write(m_server->url(), QStringLiteral("alice"), QStringLiteral("token-of-alice"));
    m_client->setTokenVault(&vault);
    QVERIFY(join(welcomeFor(QStringLiteral("alice"))));
    QSignalSpy needed(m_client, &ConnectionController::credentialsNeeded);
    // The password was changed on another device.
    m_server->reply(proto::encode(proto::Error{
        proto::ErrorCode::TokenInvalid, QStringLiteral("This device was logged out."), {}}));
    m_server->closeNewest(1008, QStringLiteral("token ended"));
    QVERIFY(needed.wait());
    QCOMPARE(m_client->state(), ConnectionState::Offline);
    QCOMPARE(storedToken(vault, m_server->url(), QStringLiteral("alice")), QString());
    QVERIFY(!m_frames->wait(400));
}

void TestController::busyIsRetriedAfterTheWaitItNames_data()
{
    QTest::addColumn<proto::ErrorCode>("code");
    QTest::addColumn<QString>("message");
    QTest::addColumn<int>("atLeastMs");
    QTest::addRow("busy") << proto::ErrorCode::Busy << QStringLiteral("Busy; try again soon.") << 0;
    QTest::addRow("too_many_attempts") << proto::ErrorCode::TooManyAttempts
                                       << QStringLiteral("Too many attempts: wait 2 s.") << 1800;
    QTest::addRow("too_many_attempts, Chinese")
        << proto::ErrorCode::TooManyAttempts << QStringLiteral("尝试次数过多，请 2 秒后再试。")
        << 1800;
}

void TestController::busyIsRetriedAfterTheWaitItNames()
{
    QFETCH(const proto::ErrorCode, code);
    QFETCH(const QString, message);
    QFETCH(const int, atLeastMs);
    m_client->setPasswordLogin(QStringLiteral("alice"), QStringLiteral("password123"));
    QSignalSpy needed(m_client, &ConnectionController::credentialsNeeded);
    QSignalSpy scheduled(m_client, &ConnectionController::reconnectScheduled);
    m_client->start();
    QVERIFY(next<proto::Hello>());
    m_server->reply(proto::encode(proto::Error{code, message, {}}));
    m_server->closeNewest(1013, QStringLiteral("try again later"));
    QVERIFY(scheduled.wait());
    QVERIFY2(scheduled.at(0).at(0).toInt() >= atLeastMs,
             qPrintable(QString::number(scheduled.at(0).at(0).toInt())));
    QCOMPARE(m_client->state(), ConnectionState::Reconnecting);
    QVERIFY2(m_client->statusText().contains(chat::client::describeServerError(code, message)),
             qPrintable(m_client->statusText()));
    // The same login again.
    const std::optional<proto::Hello> again = next<proto::Hello>();
    QVERIFY(again && again->login);
    QCOMPARE(needed.count(), 0);
}

void TestController::changePasswordStoresTheNewToken()
{
    QTemporaryDir dir;
    FileTokenVault vault(dir.path());
    m_client->setTokenVault(&vault);
    QVERIFY(join(welcomeFor(QStringLiteral("alice"))));
    QSignalSpy done(m_client, &ConnectionController::requestDone);
    QSignalSpy errors(m_client, &ConnectionController::errorOccurred);
    QCOMPARE(m_client->changePassword(QStringLiteral("old password"), QStringLiteral("short")),
             QString());
    QCOMPARE(errors.count(), 1);

    const QString id =
        m_client->changePassword(QStringLiteral("old password"), QStringLiteral("new password!"));
    QVERIFY(!id.isEmpty());
    const std::optional<proto::ChangePassword> change = next<proto::ChangePassword>();
    QVERIFY(change);
    QCOMPARE(change->id, id);
    QCOMPARE(change->oldPassword, QStringLiteral("old password"));
    QCOMPARE(change->newPassword, QStringLiteral("new password!"));
    m_server->reply(proto::encode(proto::Done{id, QStringLiteral("TOKEN-AFTER-CHANGE"), {}}));
    QVERIFY(done.wait());
    QCOMPARE(done.at(0).at(0).toString(), id);
    QCOMPARE(m_client->token(), QStringLiteral("TOKEN-AFTER-CHANGE"));
    QCOMPARE(storedToken(vault, m_server->url(), QStringLiteral("alice")),
             QStringLiteral("TOKEN-AFTER-CHANGE"));
    QVERIFY(!anyFileContains(dir.path(), "new password!"));
    QVERIFY(!anyFileContains(dir.path(), "old password"));
}

void TestController::devicesListAndEnd()
{
    QVERIFY(join(welcomeFor(QStringLiteral("alice"))));
    QSignalSpy devices(m_client, &ConnectionController::devicesReceived);
    const QString id = m_client->listDevices();
    const std::optional<proto::ListDevices> list = next<proto::ListDevices>();
    QVERIFY(list);
    QCOMPARE(list->id, id);
    proto::Device mine{QStringLiteral("0123456789abcdef"), QStringLiteral("桌面 · pc1"),
                       QDateTime::currentDateTimeUtc().addDays(-3), QDateTime::currentDateTimeUtc(),
                       true};
    proto::Device phone{QStringLiteral("fedcba9876543210"), QStringLiteral("<i>phone</i>"),
                        QDateTime::currentDateTimeUtc().addDays(-9),
                        QDateTime::currentDateTimeUtc().addDays(-1), false};
    m_server->reply(proto::encode(proto::Devices{id, {mine, phone}}));
    QVERIFY(devices.wait());
    QCOMPARE(devices.at(0).at(0).toString(), id);
    const auto got = devices.at(0).at(1).value<QList<proto::Device>>();
    QCOMPARE(got.size(), 2);
    QCOMPARE(got.at(1).name, QStringLiteral("<i>phone</i>"));

    const QString endId = m_client->endDevice(phone.id);
    const std::optional<proto::EndDevice> end = next<proto::EndDevice>();
    QVERIFY(end);
    QCOMPARE(end->id, endId);
    QCOMPARE(end->device, phone.id);
    m_server->reply(proto::encode(proto::Devices{endId, {mine}}));
    QVERIFY(devices.wait());
    QCOMPARE(devices.at(1).at(1).value<QList<proto::Device>>().size(), 1);
    // An answer to nothing we asked is ignored.
    m_server->reply(proto::encode(proto::Devices{QStringLiteral("nobody-asked"), {}}));
    QVERIFY(!devices.wait(200));
}

void TestController::setDisplayNameShowsIt()
{
    QVERIFY(join(welcomeFor(QStringLiteral("alice"))));
    QSignalSpy changed(m_client, &ConnectionController::accountChanged);
    const QString id = m_client->setDisplayName(QStringLiteral(" 爱丽丝 "));
    const std::optional<proto::SetDisplay> set = next<proto::SetDisplay>();
    QVERIFY(set);
    QCOMPARE(set->display, QStringLiteral("爱丽丝"));
    m_server->reply(proto::encode(proto::Done{id, {}, {}}));
    QVERIFY(changed.wait());
    QCOMPARE(m_client->displayName(), QStringLiteral("爱丽丝"));
    QCOMPARE(m_client->statusText(), QStringLiteral("已连接：爱丽丝 (alice)"));
    // What we type now shows with it.
    m_client->send(QStringLiteral("hi"));
    QCOMPARE(m_client->messages()->index(0).data(MessageModel::SenderRole).toString(),
             QStringLiteral("爱丽丝 (alice)"));
}

void TestController::failedRequestIsReported()
{
    QVERIFY(join(welcomeFor(QStringLiteral("alice"))));
    QSignalSpy failed(m_client, &ConnectionController::requestFailed);
    QSignalSpy needed(m_client, &ConnectionController::credentialsNeeded);
    const QString id =
        m_client->changePassword(QStringLiteral("wrong one"), QStringLiteral("new password!"));
    QVERIFY(next<proto::ChangePassword>());
    m_server->reply(proto::encode(
        proto::Error{proto::ErrorCode::LoginFailed, QStringLiteral("Wrong password."), id}));
    QVERIFY(failed.wait());
    QCOMPARE(failed.at(0).at(0).toString(), id);
    QCOMPARE(failed.at(0).at(1).toString(), QStringLiteral("账号名或密码错误。"));
    // Still logged in: it was the request that failed, not the login.
    QCOMPARE(needed.count(), 0);
    QCOMPARE(m_client->state(), ConnectionState::Connected);

    // A request whose connection is lost fails too.
    const QString lost = m_client->listDevices();
    QVERIFY(next<proto::ListDevices>());
    m_server->closeNewest(1001, QStringLiteral("going away"));
    QVERIFY(failed.wait());
    QCOMPARE(failed.at(1).at(0).toString(), lost);
}

void TestController::logoutDeletesTokenAndGoesOffline()
{
    QTemporaryDir dir;
    FileTokenVault vault(dir.path());
    vault.write(m_server->url(), QStringLiteral("alice"), QStringLiteral("token-of-alice"));
    m_client->setTokenVault(&vault);
    QVERIFY(join(welcomeFor(QStringLiteral("alice"))));
    QSignalSpy loggedOut(m_client, &ConnectionController::loggedOut);
    const QString id = m_client->logout();
    QVERIFY(!id.isEmpty());
    // Deleted at once, before the server answers.
    QCOMPARE(storedToken(vault, m_server->url(), QStringLiteral("alice")), QString());
    const std::optional<proto::Logout> logout = next<proto::Logout>();
    QVERIFY(logout);
    QCOMPARE(logout->id, id);
    m_server->reply(proto::encode(proto::Done{id, {}, {}}));
    m_server->closeNewest(1000, QStringLiteral("logged out"));
    QVERIFY(loggedOut.wait());
    QCOMPARE(loggedOut.count(), 1);
    QCOMPARE(m_client->state(), ConnectionState::Offline);
    QVERIFY(!m_client->hasCredentials());
    QVERIFY(!m_frames->wait(400));

    // Offline, logging out is local only.
    m_client->setToken(QStringLiteral("alice"), QStringLiteral("t"));
    QCOMPARE(m_client->logout(), QString());
    QCOMPARE(loggedOut.count(), 2);
}

void TestController::requestsNeedAConnection()
{
    QSignalSpy errors(m_client, &ConnectionController::errorOccurred);
    QCOMPARE(m_client->listDevices(), QString());
    QCOMPARE(m_client->setDisplayName(QStringLiteral("x")), QString());
    QCOMPARE(errors.count(), 2);
}

void TestController::messagesShowDisplayNames()
{
    QVERIFY(join(welcomeFor(QStringLiteral("alice"))));
    proto::Message m;
    m.seq = 1;
    m.id = QStringLiteral("x");
    m.room = proto::defaultRoom();
    m.from = QStringLiteral("bob");
    m.display = QStringLiteral("鲍勃");
    m.time = QDateTime::currentDateTimeUtc();
    m.text = QStringLiteral("你好");
    m_server->reply(proto::encode(m));
    m.seq = 2;
    m.id = QStringLiteral("y");
    m.from = QStringLiteral("carol");
    m.display.clear();
    m_server->reply(proto::encode(m));
    QTRY_COMPARE(m_client->messages()->rowCount(), 2);
    const QModelIndex first = m_client->messages()->index(0);
    QCOMPARE(first.data(MessageModel::FromRole).toString(), QStringLiteral("bob"));
    QCOMPARE(first.data(MessageModel::DisplayNameRole).toString(), QStringLiteral("鲍勃"));
    QCOMPARE(first.data(MessageModel::SenderRole).toString(), QStringLiteral("鲍勃 (bob)"));
    QVERIFY(first.data().toString().contains(QStringLiteral("鲍勃 (bob): 你好")));
    QCOMPARE(m_client->messages()->index(1).data(MessageModel::SenderRole).toString(),
             QStringLiteral("carol"));
}

QTEST_GUILESS_MAIN(TestController)
#include "tst_controller.moc"
