// Two real chat-server nodes on one real PostgreSQL, clients connected straight to each: what
// changes besides messages (rooms, members, read positions, display names, devices, accounts)
// on node A, or by an admin command on the database, reaches the clients on node B through the
// notices of store/statenotice.h, within about a second (the heartbeat is 3 s: every wait here
// is shorter, so a change that only a heartbeat would bring fails).
#include "chatserverprocess.h"
#include "postgresserver.h"
#include "testclient.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

using namespace chat::proto;
using chat::test::ChatServerProcess;
using chat::test::PostgresServer;
using chat::test::TestClient;
using chat::test::TokenBook;

namespace {

// Shorter than the 3 s heartbeat: only a notice can make it.
constexpr int kPromptMs = 2000;

enum Node { A = 0, B = 1 };

// What was said in a room, as the client received it (room events left out).
QStringList said(const TestClient &client, const QString &room)
{
    QStringList texts;
    for (const Message &message : client.messagesIn(room))
        if (message.event.isEmpty())
            texts.append(message.text);
    return texts;
}

} // namespace

class ClusterStateTest : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanup();
    void roomMadeOnAShowsOnB();
    void memberAddedAndRemovedOnAReachesB();
    void directRoomOpenedOnAShowsOnB();
    void readPositionOnALowersUnreadOnB();
    void displayNameOnAShowsOnB();
    void deviceEndedOnAClosesItOnB();
    void adminCommandReachesEveryNode();
    void noticeMissedWhileDisconnectedIsCaughtUp();

private:
    // `nick` on a node: registered at its first join (on any node), then by its token, which
    // works on both. nullptr (and a failed check) when that did not work.
    std::unique_ptr<TestClient> join(const QString &nick, Node node);
    // Another device of `nick` (a password login: a token of its own) on a node.
    std::unique_ptr<TestClient> joinAsDevice(const QString &nick, const QString &device, Node node);
    // `chat-server --db URL user disable NAME`: on the database, through no node.
    void disableByAdminCommand(const QString &name);
    // Two new accounts: the first on node A, the second on node B (joined first).
    struct Pair
    {
        QString a, b;
        std::unique_ptr<TestClient> onA, onB;
    };
    Pair pairUp(const QString &prefixA, const QString &prefixB);
    // The room's members as the client's node lists them (empty when it refuses).
    static QList<RoomMember> membersOf(TestClient *client, const QString &room);
    // A request that must succeed; false (with a warning) when it did not.
    bool ask(TestClient *client, const ClientMessage &request);
    static QString uniqueNick(const QString &prefix);

    PostgresServer m_postgres;
    QString m_dbUrl;
    QTemporaryDir m_sockets; // the nodes' control sockets
    std::vector<std::unique_ptr<ChatServerProcess>> m_nodes;
};

void ClusterStateTest::initTestCase()
{
    CHAT_START_POSTGRES(m_postgres);
    m_dbUrl = m_postgres.createDatabase(QStringLiteral("clusterstate"));
    QVERIFY2(!m_dbUrl.isEmpty(), qPrintable(m_postgres.errorString()));
    for (int i = 0; i < 2; ++i) {
        m_nodes.push_back(std::make_unique<ChatServerProcess>(
            QStringLiteral(CHAT_SERVER_BINARY),
            QStringList{QStringLiteral("--db"), m_dbUrl, QStringLiteral("--name"),
                        QStringLiteral("node%1").arg(i), QStringLiteral("--hash-workers"),
                        QStringLiteral("1"), QStringLiteral("--max-registrations-per-address"),
                        QStringLiteral("0"), QStringLiteral("--control-socket"),
                        m_sockets.filePath(QStringLiteral("node%1.control").arg(i))}));
        QVERIFY2(m_nodes.back()->start(), qPrintable(m_nodes.back()->errorString()));
    }
}

void ClusterStateTest::cleanup()
{
    if (!QTest::currentTestFailed())
        return;
    for (const auto &node : m_nodes)
        qWarning("node log:\n%s", qPrintable(node->log().right(4000)));
}

QString ClusterStateTest::uniqueNick(const QString &prefix)
{
    return prefix + QUuid::createUuid().toString(QUuid::Id128).left(6);
}

std::unique_ptr<TestClient> ClusterStateTest::join(const QString &nick, Node node)
{
    auto client = std::make_unique<TestClient>();
    const QUrl url = m_nodes[node]->url();
    [&] {
        QVERIFY2(client->open(url), qPrintable(nick));
        QVERIFY2(client->helloAndWait(nick, std::nullopt, {}, 10000), qPrintable(nick));
    }();
    if (QTest::currentTestFailed())
        return nullptr;
    const QString token = TokenBook::token(url, nick);
    for (const auto &each : m_nodes)
        TokenBook::remember(each->url(), nick, token);
    return client;
}

std::unique_ptr<TestClient> ClusterStateTest::joinAsDevice(const QString &nick,
                                                           const QString &device, Node node)
{
    auto client = std::make_unique<TestClient>();
    Hello hello;
    hello.login = Login{nick, chat::test::kTestPassword};
    hello.device = device;
    [&] {
        QVERIFY2(client->open(m_nodes[node]->url()), qPrintable(nick));
        QVERIFY2(client->helloAndWait(hello, 10000), qPrintable(nick));
    }();
    return QTest::currentTestFailed() ? nullptr : std::move(client);
}

bool ClusterStateTest::ask(TestClient *client, const ClientMessage &request)
{
    const std::optional<ServerMessage> answer = client->request(request);
    if (TestClient::succeeded(answer))
        return true;
    qWarning("refused: %s", answer && std::get_if<Error>(&*answer)
                                ? qPrintable(std::get<Error>(*answer).message)
                                : "no answer");
    return false;
}

ClusterStateTest::Pair ClusterStateTest::pairUp(const QString &prefixA, const QString &prefixB)
{
    Pair pair{uniqueNick(prefixA), uniqueNick(prefixB), nullptr, nullptr};
    pair.onB = join(pair.b, B);
    if (pair.onB)
        pair.onA = join(pair.a, A);
    return pair;
}

QList<RoomMember> ClusterStateTest::membersOf(TestClient *client, const QString &room)
{
    const std::optional<ServerMessage> answer =
        client->request(ListMembers{QStringLiteral("members"), room, {}, 100});
    const auto *list = answer ? std::get_if<MemberList>(&*answer) : nullptr;
    return list ? list->members : QList<RoomMember>{};
}

void ClusterStateTest::roomMadeOnAShowsOnB()
{
    const Pair pair = pairUp(QStringLiteral("alice"), QStringLiteral("bob"));
    QVERIFY(pair.onA);
    const QString &alice = pair.a;
    const QString &bob = pair.b;
    TestClient *onA = pair.onA.get();
    TestClient *onB = pair.onB.get();
    const QString room = QStringLiteral("plans-%1").arg(alice.right(6).toLower());
    QVERIFY(ask(onA, CreateRoom{QStringLiteral("c1"), room, QStringLiteral("Plans"), {}, true}));
    QVERIFY(ask(onA, InviteToRoom{QStringLiteral("i1"), room, bob}));
    // Bob's room list on B gains the room, as the one who made it and the one invited see it.
    QVERIFY(onB->waitFor<RoomUpdate>(
        [&](const RoomUpdate &update) {
            return update.room.name == room && update.room.title == QLatin1String("Plans") &&
                   update.room.isPrivate && update.room.role == QLatin1String("member") &&
                   update.room.members == 2;
        },
        kPromptMs));
    onA->sendTo(room, QStringLiteral("hello B"));
    QTRY_COMPARE_WITH_TIMEOUT(said(*onB, room), QStringList{QStringLiteral("hello B")}, kPromptMs);
    // B knows the room: its members list there names both.
    QCOMPARE(membersOf(onB, room).size(), 2);
}

void ClusterStateTest::memberAddedAndRemovedOnAReachesB()
{
    const Pair pair = pairUp(QStringLiteral("owner"), QStringLiteral("guest"));
    QVERIFY(pair.onA);
    const QString &owner = pair.a;
    const QString &guest = pair.b;
    TestClient *onA = pair.onA.get();
    TestClient *onB = pair.onB.get();
    const QString room = QStringLiteral("club-%1").arg(owner.right(6).toLower());
    QVERIFY(ask(onA, CreateRoom{QStringLiteral("c1"), room, {}, {}, false}));
    QVERIFY(ask(onA, InviteToRoom{QStringLiteral("i1"), room, guest}));
    onA->sendTo(room, QStringLiteral("while a member"));
    QTRY_COMPARE_WITH_TIMEOUT(said(*onB, room), QStringList{QStringLiteral("while a member")},
                              kPromptMs);

    QVERIFY(ask(onA, RemoveFromRoom{QStringLiteral("r1"), room, guest}));
    QVERIFY(onB->waitFor<RoomGone>(
        [&](const RoomGone &gone) {
            return gone.room == room && gone.reason == QLatin1String("removed");
        },
        kPromptMs));
    // Said after the removal: it reaches the room on B no more, while the lobby still does.
    onA->sendTo(room, QStringLiteral("after the removal"));
    onA->send(QStringLiteral("lobby after the removal"));
    QTRY_VERIFY_WITH_TIMEOUT(
        said(*onB, defaultRoom()).contains(QStringLiteral("lobby after the removal")), kPromptMs);
    QCOMPARE(said(*onB, room), QStringList{QStringLiteral("while a member")});
    // And B refuses the removed member there.
    QCOMPARE(TestClient::errorOf(onB->request(ListMembers{QStringLiteral("m1"), room, {}, 50})),
             ErrorCode::NotMember);
}

void ClusterStateTest::directRoomOpenedOnAShowsOnB()
{
    const Pair pair = pairUp(QStringLiteral("gina"), QStringLiteral("hank"));
    QVERIFY(pair.onA);
    const QString &gina = pair.a;
    const QString &hank = pair.b;
    TestClient *onA = pair.onA.get();
    TestClient *onB = pair.onB.get();
    onA->sendDirect(hank, QStringLiteral("just us"));
    QVERIFY(onB->waitFor<RoomUpdate>(
        [&](const RoomUpdate &update) { return update.room.direct && update.room.with == gina; },
        kPromptMs));
    QVERIFY(onB->waitFor<Message>(
        [&](const Message &message) {
            return message.text == QLatin1String("just us") && message.from == gina;
        },
        kPromptMs));
    // Hank answers on B into the same room.
    const QString room = onB->allOf<RoomUpdate>().last().room.name;
    onB->sendDirect(gina, QStringLiteral("indeed"));
    QTRY_COMPARE_WITH_TIMEOUT(said(*onA, room),
                              (QStringList{QStringLiteral("just us"), QStringLiteral("indeed")}),
                              kPromptMs);
}

void ClusterStateTest::readPositionOnALowersUnreadOnB()
{
    const QString carol = uniqueNick(QStringLiteral("carol"));
    const QString talker = uniqueNick(QStringLiteral("talker"));
    auto phone = join(carol, A);
    QVERIFY(phone);
    auto laptop = join(carol, B);
    QVERIFY(laptop);
    auto other = join(talker, A);
    QVERIFY(other);
    for (int i = 0; i < 3; ++i)
        other->send(QStringLiteral("unread %1").arg(i));
    QTRY_COMPARE_WITH_TIMEOUT(said(*laptop, defaultRoom()).size(), 3, kPromptMs);
    QTRY_COMPARE_WITH_TIMEOUT(said(*phone, defaultRoom()).size(), 3, kPromptMs);
    const qint64 newest = phone->messagesIn(defaultRoom()).last().seq;

    // The phone on A reads it all: the laptop on B hears the lobby has nothing unread.
    phone->sendMessage(MarkRead{defaultRoom(), newest});
    QVERIFY(laptop->waitFor<Unread>(
        [&](const Unread &unread) {
            return unread.room == defaultRoom() && unread.read == newest && unread.unread == 0;
        },
        kPromptMs));
    // B's memory has it too: a new connection there is welcomed with nothing unread.
    auto tablet = join(carol, B);
    QVERIFY(tablet);
    bool found = false;
    for (const RoomState &state : tablet->welcome()->rooms)
        if (state.name == defaultRoom()) {
            found = true;
            QCOMPARE(state.read, newest);
            QCOMPARE(state.unread, 0);
        }
    QVERIFY(found);
}

void ClusterStateTest::displayNameOnAShowsOnB()
{
    const QString dave = uniqueNick(QStringLiteral("dave"));
    const QString erin = uniqueNick(QStringLiteral("erin"));
    auto daveOnA = join(dave, A);
    QVERIFY(daveOnA);
    auto daveOnB = join(dave, B);
    QVERIFY(daveOnB);
    auto erinOnB = join(erin, B); // watches the lobby's members
    QVERIFY(erinOnB);
    const QString shown = QStringLiteral("Dave %1").arg(dave.right(6));
    QVERIFY(ask(daveOnA.get(), SetDisplay{QStringLiteral("d1"), shown}));
    // B's roster: the lobby's watchers there hear the new name.
    QVERIFY(erinOnB->waitFor<Presence>(
        [&](const Presence &presence) {
            return presence.joined.contains(User{dave, shown});
        },
        kPromptMs));
    // B's members list and what Dave's device on B says carry it.
    QString listed = QStringLiteral("(not listed)");
    for (const RoomMember &member : membersOf(erinOnB.get(), defaultRoom()))
        if (member.name == dave)
            listed = member.display;
    QCOMPARE(listed, shown);
    daveOnB->send(QStringLiteral("from B"));
    QVERIFY(erinOnB->waitFor<Message>(
        [&](const Message &message) {
            return message.text == QLatin1String("from B") && message.display == shown;
        },
        kPromptMs));
}

void ClusterStateTest::deviceEndedOnAClosesItOnB()
{
    const QString frank = uniqueNick(QStringLiteral("frank"));
    auto desk = join(frank, A);
    QVERIFY(desk);
    auto phone = joinAsDevice(frank, QStringLiteral("phone"), B);
    QVERIFY(phone);
    const std::optional<ServerMessage> listed = desk->request(ListDevices{QStringLiteral("l1")});
    QVERIFY(listed && std::get_if<Devices>(&*listed));
    QString phoneId;
    for (const Device &device : std::get<Devices>(*listed).devices)
        if (device.name == QLatin1String("phone"))
            phoneId = device.id;
    QVERIFY(!phoneId.isEmpty());
    QVERIFY(ask(desk.get(), EndDevice{QStringLiteral("e1"), phoneId}));
    // The phone is connected to B: B closes it, telling why.
    QVERIFY(phone->waitForDisconnected(kPromptMs));
    QVERIFY(!phone->errors().isEmpty());
    QCOMPARE(phone->errors().last().code, ErrorCode::TokenInvalid);
    QVERIFY(desk->isOpen());
}

void ClusterStateTest::adminCommandReachesEveryNode()
{
    const QString gus = uniqueNick(QStringLiteral("gus"));
    auto onA = join(gus, A);
    QVERIFY(onA);
    auto onB = joinAsDevice(gus, QStringLiteral("second"), B);
    QVERIFY(onB);
    // The admin command works on the database, through no node: both nodes close gus.
    disableByAdminCommand(gus);
    for (TestClient *client : {onA.get(), onB.get()}) {
        QVERIFY(client->waitForDisconnected(kPromptMs));
        QVERIFY(!client->errors().isEmpty());
        QCOMPARE(client->errors().last().code, ErrorCode::AccountDisabled);
    }
}

void ClusterStateTest::noticeMissedWhileDisconnectedIsCaughtUp()
{
    const QString ivy = uniqueNick(QStringLiteral("ivy"));
    auto onB = join(ivy, B);
    QVERIFY(onB);
    // Every node's connections cut: a node notices at its next heartbeat (3 s) and connects
    // again, so the admin command's notice reaches nobody. Catching up after the reconnection,
    // B finds ivy disabled all the same.
    QVERIFY2(m_postgres.execute(QStringLiteral("SELECT pg_terminate_backend(pid) FROM "
                                               "pg_stat_activity WHERE datname = "
                                               "'clusterstate' AND pid <> pg_backend_pid()")),
             qPrintable(m_postgres.errorString()));
    disableByAdminCommand(ivy);
    QVERIFY(onB->waitForDisconnected(10000));
    QVERIFY(!onB->errors().isEmpty());
    QCOMPARE(onB->errors().last().code, ErrorCode::AccountDisabled);
}

void ClusterStateTest::disableByAdminCommand(const QString &name)
{
    QProcess admin;
    admin.start(
        QStringLiteral(CHAT_SERVER_BINARY),
        {QStringLiteral("--db"), m_dbUrl, QStringLiteral("user"), QStringLiteral("disable"), name});
    QVERIFY(admin.waitForFinished(20000));
    QVERIFY2(admin.exitCode() == 0, admin.readAllStandardError().constData());
}

QTEST_GUILESS_MAIN(ClusterStateTest)
#include "tst_clusterstate.moc"
