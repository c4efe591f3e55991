// Rooms, direct messages, unread counts, older history and typing through a real hub (protocol
// version 3): the life cycle of a room, who may see and do what, and what survives a restart.
// Privacy is checked with raw clients too, which see every byte the server sends them.
#include "hubtestbase.h"
#include "servertestmain.h"
#include "rawwsclient.h"

#include "codec.h"
#include "validation.h"

#include <QTemporaryDir>

using namespace chat::proto;
using chat::test::RawWsClient;
using chat::test::TestClient;

namespace {

std::optional<RoomState> roomIn(const QList<RoomState> &rooms, const QString &name)
{
    for (const RoomState &room : rooms)
        if (room.name == name)
            return room;
    return std::nullopt;
}

std::optional<RoomState> welcomeRoom(const TestClient *client, const QString &name)
{
    return client->welcome() ? roomIn(client->welcome()->rooms, name) : std::nullopt;
}

template<typename T> std::optional<T> as(const std::optional<ServerMessage> &answer)
{
    if (!answer)
        return std::nullopt;
    if (const auto *one = std::get_if<T>(&*answer))
        return *one;
    return std::nullopt;
}

CreateRoom createRoom(const QString &id, const QString &name, bool isPrivate = false)
{
    CreateRoom create;
    create.id = id;
    create.name = name;
    create.title = QStringLiteral("标题 ") + name;
    create.topic = QStringLiteral("话题");
    create.isPrivate = isPrivate;
    return create;
}

bool hasEvent(const TestClient *client, const QString &room, const QString &event,
              const QString &target = {})
{
    for (const Message &message : client->messages())
        if (message.room == room && message.event == event &&
            (target.isEmpty() || message.target == target))
            return true;
    return false;
}

} // namespace

class TestRooms : public chat::test::HubTestBase
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void newAccountsJoinTheLobby();
    void lobbyForNewAccountsCanBeTurnedOff();
    void createListJoinSendLeave();
    void messagesReachOnlyTheRoom();
    void privateRoomStaysPrivateToRawClients();
    void ownerManagesTheRoom();
    void ownerLeavingHandsTheRoomOver();
    void directMessagesMakeOneRoomPerPair();
    void directRoomIsFoundAgainAfterRestart();
    void unreadAndMentionsAcrossDevices();
    void readPositionSurvivesRestart();
    void historyPagesWithoutGapsOrDuplicates();
    void historyPagesAreBoundedInBytes();
    void typingIsThrottledAndNeverLeavesTheRoom();
    void presenceOnlyForTheWatchedRoom();
    void resumeBringsMissedMessagesAndRoomChanges();
    void resumeTooLargeAsksToReload();
    void tooManyRooms();
    void badTitleIsRefused();

private:
    [[nodiscard]] chat::server::HubConfig roomsConfig() const
    {
        chat::server::HubConfig config = testConfig();
        config.typingIntervalMs = 60 * 60 * 1000; // no second notice unless a send resets it
        config.rateBurst = 1000;                  // tests send hundreds of messages at once
        config.ratePerSecond = 1000;
        return config;
    }
    TestClient *joinAs(const QString &name)
    {
        TestClient *client = join(name);
        if (!client)
            qWarning("%s could not join", qPrintable(name));
        return client;
    }

    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestRooms::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    QVERIFY(startHub(roomsConfig()));
}

void TestRooms::cleanup()
{
    verifyClientsHealthy();
    stopAll();
}

void TestRooms::newAccountsJoinTheLobby()
{
    TestClient *alice = joinAs(QStringLiteral("alice"));
    QVERIFY(alice);
    const std::optional<RoomState> lobby = welcomeRoom(alice, QStringLiteral("lobby"));
    QVERIFY(lobby);
    QCOMPARE(lobby->role, QStringLiteral("member"));
    QCOMPARE(lobby->members, 1);
    QVERIFY(!lobby->isPrivate);
    QCOMPARE(alice->welcome()->rooms.size(), 1);
    QVERIFY(alice->welcome()->history.isEmpty());
    // Quietly: no "joined" event for the automatic lobby join.
    QVERIFY(barrier(alice));
    QVERIFY(!hasEvent(alice, QStringLiteral("lobby"), QStringLiteral("joined")));
}

void TestRooms::lobbyForNewAccountsCanBeTurnedOff()
{
    chat::server::HubConfig config = roomsConfig();
    config.lobbyForNewAccounts = false;
    QVERIFY(startHub(config));
    TestClient *alice = joinAs(QStringLiteral("alice"));
    QVERIFY(alice);
    QVERIFY(alice->welcome()->rooms.isEmpty());
    const QString id = alice->send(QStringLiteral("hello?"));
    QVERIFY(alice->waitForErrors(1));
    QCOMPARE(alice->errors().constLast().code, ErrorCode::NotMember);
    QCOMPARE(alice->errors().constLast().ref, id);
    // Joining by hand works.
    QVERIFY(TestClient::succeeded(
        alice->request(JoinRoom{QStringLiteral("j"), QStringLiteral("lobby")})));
}

void TestRooms::createListJoinSendLeave()
{
    TestClient *alice = joinAs(QStringLiteral("alice"));
    TestClient *bob = joinAs(QStringLiteral("bob"));
    QVERIFY(alice && bob);

    const auto created =
        as<Done>(alice->request(createRoom(QStringLiteral("c1"), QStringLiteral("dev"))));
    QVERIFY(created);
    QCOMPARE(created->room, QStringLiteral("dev"));
    QVERIFY(alice->waitFor<RoomUpdate>([](const RoomUpdate &u) {
        return u.room.name == QLatin1String("dev") && u.room.role == QLatin1String("owner") &&
               u.room.title == QStringLiteral("标题 dev") && u.room.members == 1;
    }));
    QVERIFY(alice->waitFor<Message>([](const Message &m) {
        return m.room == QLatin1String("dev") && m.event == QLatin1String("created");
    }));
    QCOMPARE(TestClient::errorOf(
                 alice->request(createRoom(QStringLiteral("c2"), QStringLiteral("dev")))),
             ErrorCode::RoomExists);

    // Bob finds it in the list of public rooms, not yet joined.
    const auto list = as<RoomList>(bob->request(ListRooms{QStringLiteral("l1"), {}, 50}));
    QVERIFY(list);
    QCOMPARE(list->rooms.size(), 2); // dev, lobby
    QCOMPARE(list->rooms.at(0), (RoomSummary{QStringLiteral("dev"), QStringLiteral("标题 dev"),
                                             QStringLiteral("话题"), 1, false}));
    QCOMPARE(list->rooms.at(1).name, QStringLiteral("lobby"));
    QVERIFY(list->rooms.at(1).joined);
    QVERIFY(list->next.isEmpty());
    // Paged: one at a time.
    const auto first = as<RoomList>(bob->request(ListRooms{QStringLiteral("l2"), {}, 1}));
    QVERIFY(first && first->rooms.size() == 1 && first->next == QLatin1String("dev"));
    const auto second = as<RoomList>(bob->request(ListRooms{QStringLiteral("l3"), first->next, 1}));
    QVERIFY(second && second->rooms.size() == 1);
    QCOMPARE(second->rooms.at(0).name, QStringLiteral("lobby"));

    // Not a member yet: sending is refused.
    bob->sendTo(QStringLiteral("dev"), QStringLiteral("too early"), QStringLiteral("early"));
    QVERIFY(bob->waitFor<Error>([](const Error &e) { return e.ref == QLatin1String("early"); }));
    QCOMPARE(bob->errors().constLast().code, ErrorCode::NotMember);

    QVERIFY(
        TestClient::succeeded(bob->request(JoinRoom{QStringLiteral("j1"), QStringLiteral("dev")})));
    QVERIFY(bob->waitFor<RoomUpdate>([](const RoomUpdate &u) {
        return u.room.name == QLatin1String("dev") && u.room.role == QLatin1String("member") &&
               u.room.members == 2;
    }));
    QVERIFY(alice->waitFor<Message>([](const Message &m) {
        return m.room == QLatin1String("dev") && m.event == QLatin1String("joined") &&
               m.from == QLatin1String("bob");
    }));

    bob->sendTo(QStringLiteral("dev"), QStringLiteral("你好 dev"));
    QVERIFY(alice->waitFor<Message>([](const Message &m) {
        return m.room == QLatin1String("dev") && m.text == QStringLiteral("你好 dev");
    }));

    QVERIFY(TestClient::succeeded(
        bob->request(LeaveRoom{QStringLiteral("x1"), QStringLiteral("dev")})));
    QVERIFY(bob->waitFor<RoomGone>([](const RoomGone &g) {
        return g.room == QLatin1String("dev") && g.reason == QLatin1String("left");
    }));
    QVERIFY(alice->waitFor<Message>([](const Message &m) {
        return m.room == QLatin1String("dev") && m.event == QLatin1String("left") &&
               m.from == QLatin1String("bob");
    }));
    // Gone means gone: nothing more of dev reaches bob.
    const qsizetype bobHad = bob->messagesIn(QStringLiteral("dev")).size();
    alice->sendTo(QStringLiteral("dev"), QStringLiteral("after bob left"));
    QVERIFY(alice->waitFor<Message>(
        [](const Message &m) { return m.text == QLatin1String("after bob left"); }));
    QVERIFY(barrier(bob));
    QCOMPARE(bob->messagesIn(QStringLiteral("dev")).size(), bobHad);
}

void TestRooms::messagesReachOnlyTheRoom()
{
    TestClient *alice = joinAs(QStringLiteral("alice"));
    TestClient *bob = joinAs(QStringLiteral("bob"));
    TestClient *carol = joinAs(QStringLiteral("carol"));
    QVERIFY(alice && bob && carol);
    QVERIFY(TestClient::succeeded(
        alice->request(createRoom(QStringLiteral("c"), QStringLiteral("dev")))));
    QVERIFY(
        TestClient::succeeded(bob->request(JoinRoom{QStringLiteral("j"), QStringLiteral("dev")})));
    for (int i = 0; i < 20; ++i) {
        alice->sendTo(QStringLiteral("dev"), QStringLiteral("dev %1").arg(i));
        alice->send(QStringLiteral("lobby %1").arg(i));
    }
    QTRY_COMPARE(bob->messagesIn(QStringLiteral("dev")).size(), 21); // his joined + 20
    QTRY_COMPARE(bob->messagesIn(QStringLiteral("lobby")).size(), 20);
    QTRY_COMPARE(carol->messagesIn(QStringLiteral("lobby")).size(), 20);
    QVERIFY(barrier(carol));
    QVERIFY(carol->messagesIn(QStringLiteral("dev")).isEmpty());
    // One sequence for the whole server, increasing, in the order each client receives.
    qint64 previous = 0;
    for (const Message &message : bob->messages()) {
        QVERIFY(message.seq > previous);
        previous = message.seq;
    }
}

void TestRooms::privateRoomStaysPrivateToRawClients()
{
    TestClient *alice = joinAs(QStringLiteral("alice"));
    TestClient *bob = joinAs(QStringLiteral("bob"));
    QVERIFY(alice && bob);
    RawWsClient mallory;
    QVERIFY(mallory.open(hub().port()));
    mallory.sendText(RawWsClient::helloJson(QStringLiteral("mallory")));
    QVERIFY(mallory.waitFor([&] { return !mallory.texts().isEmpty(); }));
    QVERIFY(mallory.texts().constFirst().contains("\"welcome\""));

    QVERIFY(TestClient::succeeded(
        alice->request(createRoom(QStringLiteral("c"), QStringLiteral("secret"), true))));
    QVERIFY(TestClient::succeeded(alice->request(
        InviteToRoom{QStringLiteral("i"), QStringLiteral("secret"), QStringLiteral("bob")})));
    QVERIFY(bob->waitFor<RoomUpdate>([](const RoomUpdate &u) {
        return u.room.name == QLatin1String("secret") && u.room.isPrivate;
    }));
    QVERIFY(bob->waitFor<Message>([](const Message &m) {
        return m.room == QLatin1String("secret") && m.event == QLatin1String("invited") &&
               m.target == QLatin1String("bob");
    }));
    alice->sendTo(QStringLiteral("secret"), QStringLiteral("the plan is ready"));
    bob->sendMessage(Typing{QStringLiteral("secret")});
    QVERIFY(alice->waitFor<TypingNotice>(
        [](const TypingNotice &t) { return t.room == QLatin1String("secret"); }));
    QVERIFY(bob->waitFor<Message>(
        [](const Message &m) { return m.text == QLatin1String("the plan is ready"); }));
    QVERIFY(TestClient::succeeded(
        alice->request(ListMembers{QStringLiteral("m"), QStringLiteral("secret"), {}, 50})));

    // Mallory asks for everything, by raw frames: each is refused, nothing leaks.
    const QList<QByteArray> attempts = {
        R"({"type":"join","id":"a1","room":"secret"})",
        R"({"type":"history","id":"a2","room":"secret","before":0,"limit":50})",
        R"({"type":"members","id":"a3","room":"secret"})",
        R"({"type":"send","id":"a4","room":"secret","text":"let me in"})",
        R"({"type":"typing","room":"secret"})",
        R"({"type":"read","room":"secret","seq":1})",
        R"({"type":"invite","id":"a5","room":"secret","name":"mallory"})",
        R"({"type":"update_room","id":"a6","room":"secret","topic":"mine"})",
        R"({"type":"rooms","id":"a7"})",
    };
    for (const QByteArray &frame : attempts)
        mallory.sendText(frame);
    mallory.sendText(R"({"type":"ping","id":"done"})");
    QVERIFY(mallory.waitFor([&] { return mallory.texts().constLast().contains("\"pong\""); }));
    const QByteArray everything = mallory.texts().join('\n');
    QVERIFY2(!everything.contains("the plan"), everything.constData());
    QVERIFY(!everything.contains("\"typing\""));
    QVERIFY(!everything.contains("\"alice\""));
    QCOMPARE(everything.count("\"invite_only\""), 1);
    QCOMPARE(everything.count("\"room_not_found\""), 7);
    // The room list does not show it.
    QVERIFY(everything.contains("\"rooms\""));
    QVERIFY(!everything.contains("\"name\":\"secret\""));
    // And mallory's attempt to post went nowhere.
    QVERIFY(barrier(alice));
    for (const Message &message : alice->messages())
        QVERIFY(message.text != QLatin1String("let me in"));
}

void TestRooms::ownerManagesTheRoom()
{
    TestClient *alice = joinAs(QStringLiteral("alice"));
    TestClient *bob = joinAs(QStringLiteral("bob"));
    QVERIFY(alice && bob);
    QVERIFY(TestClient::succeeded(
        alice->request(createRoom(QStringLiteral("c"), QStringLiteral("team"), true))));
    QVERIFY(TestClient::succeeded(alice->request(
        InviteToRoom{QStringLiteral("i"), QStringLiteral("team"), QStringLiteral("bob")})));
    QCOMPARE(TestClient::errorOf(alice->request(InviteToRoom{
                 QStringLiteral("i2"), QStringLiteral("team"), QStringLiteral("nobody")})),
             ErrorCode::UserNotFound);

    // Bob is a member, not the owner.
    QCOMPARE(TestClient::errorOf(bob->request(UpdateRoom{
                 QStringLiteral("u"), QStringLiteral("team"), {}, QStringLiteral("bob's topic")})),
             ErrorCode::NotOwner);
    QCOMPARE(TestClient::errorOf(bob->request(RemoveFromRoom{
                 QStringLiteral("r"), QStringLiteral("team"), QStringLiteral("alice")})),
             ErrorCode::NotOwner);
    QCOMPARE(TestClient::errorOf(bob->request(
                 TransferRoom{QStringLiteral("t"), QStringLiteral("team"), QStringLiteral("bob")})),
             ErrorCode::NotOwner);

    // The owner sets title and topic: both members see the events.
    QVERIFY(TestClient::succeeded(
        alice->request(UpdateRoom{QStringLiteral("u2"), QStringLiteral("team"),
                                  QStringLiteral("新标题"), QStringLiteral("新话题")})));
    QVERIFY(bob->waitFor<Message>([](const Message &m) {
        return m.event == QLatin1String("topic") && m.text == QStringLiteral("新话题");
    }));
    QVERIFY(bob->waitFor<Message>([](const Message &m) {
        return m.event == QLatin1String("title") && m.text == QStringLiteral("新标题");
    }));

    // Hands it over: bob owns it now, alice does not.
    QVERIFY(TestClient::succeeded(alice->request(
        TransferRoom{QStringLiteral("t2"), QStringLiteral("team"), QStringLiteral("bob")})));
    QVERIFY(bob->waitFor<RoomUpdate>([](const RoomUpdate &u) {
        return u.room.name == QLatin1String("team") && u.room.role == QLatin1String("owner");
    }));
    QVERIFY(alice->waitFor<RoomUpdate>([](const RoomUpdate &u) {
        return u.room.name == QLatin1String("team") && u.room.role == QLatin1String("member");
    }));
    QVERIFY(alice->waitFor<Message>([](const Message &m) {
        return m.event == QLatin1String("owner") && m.target == QLatin1String("bob");
    }));
    QCOMPARE(TestClient::errorOf(alice->request(UpdateRoom{
                 QStringLiteral("u3"), QStringLiteral("team"), {}, QStringLiteral("x")})),
             ErrorCode::NotOwner);
    QCOMPARE(TestClient::errorOf(bob->request(RemoveFromRoom{
                 QStringLiteral("r2"), QStringLiteral("team"), QStringLiteral("bob")})),
             ErrorCode::NotAllowed);

    // Bob removes alice: she hears it, then the room is gone for her.
    QVERIFY(TestClient::succeeded(bob->request(
        RemoveFromRoom{QStringLiteral("r3"), QStringLiteral("team"), QStringLiteral("alice")})));
    QVERIFY(alice->waitFor<RoomGone>([](const RoomGone &g) {
        return g.room == QLatin1String("team") && g.reason == QLatin1String("removed");
    }));
    QVERIFY(hasEvent(alice, QStringLiteral("team"), QStringLiteral("removed"),
                     QStringLiteral("alice")));
    alice->sendTo(QStringLiteral("team"), QStringLiteral("still here?"), QStringLiteral("s"));
    QVERIFY(alice->waitFor<Error>([](const Error &e) { return e.ref == QLatin1String("s"); }));
    QCOMPARE(alice->errors().constLast().code, ErrorCode::RoomNotFound);
    QCOMPARE(
        TestClient::errorOf(alice->request(JoinRoom{QStringLiteral("j"), QStringLiteral("team")})),
        ErrorCode::InviteOnly);
}

void TestRooms::ownerLeavingHandsTheRoomOver()
{
    TestClient *alice = joinAs(QStringLiteral("alice"));
    TestClient *bob = joinAs(QStringLiteral("bob"));
    QVERIFY(alice && bob);
    QVERIFY(TestClient::succeeded(
        alice->request(createRoom(QStringLiteral("c"), QStringLiteral("ops")))));
    QVERIFY(
        TestClient::succeeded(bob->request(JoinRoom{QStringLiteral("j"), QStringLiteral("ops")})));
    QVERIFY(TestClient::succeeded(
        alice->request(LeaveRoom{QStringLiteral("l"), QStringLiteral("ops")})));
    QVERIFY(bob->waitFor<RoomUpdate>([](const RoomUpdate &u) {
        return u.room.name == QLatin1String("ops") && u.room.role == QLatin1String("owner");
    }));
    QVERIFY(bob->waitFor<Message>([](const Message &m) {
        return m.room == QLatin1String("ops") && m.event == QLatin1String("owner") &&
               m.target == QLatin1String("bob");
    }));
}

void TestRooms::directMessagesMakeOneRoomPerPair()
{
    TestClient *alice = joinAs(QStringLiteral("alice"));
    TestClient *bob = joinAs(QStringLiteral("bob"));
    TestClient *carol = joinAs(QStringLiteral("carol"));
    QVERIFY(alice && bob && carol);

    alice->sendDirect(QStringLiteral("BOB"), QStringLiteral("hi bob")); // any spelling names him
    QVERIFY(
        bob->waitFor<Message>([](const Message &m) { return m.text == QLatin1String("hi bob"); }));
    const QList<RoomUpdate> bobRooms = bob->allOf<RoomUpdate>();
    QCOMPARE(bobRooms.size(), 1);
    const RoomState dm = bobRooms.constFirst().room;
    QVERIFY(dm.direct);
    QVERIFY(dm.isPrivate);
    QCOMPARE(dm.with, QStringLiteral("alice"));
    QCOMPARE(dm.members, 2);
    QVERIFY(isDirectRoomName(dm.name));
    QVERIFY(alice->waitFor<RoomUpdate>(
        [](const RoomUpdate &u) { return u.room.direct && u.room.with == QLatin1String("bob"); }));
    QCOMPARE(bob->messages().constLast().room, dm.name);

    // Both directions land in the same room; no second room is made.
    bob->sendDirect(QStringLiteral("alice"), QStringLiteral("hi alice"));
    QVERIFY(alice->waitFor<Message>(
        [](const Message &m) { return m.text == QLatin1String("hi alice"); }));
    QCOMPARE(alice->messages().constLast().room, dm.name);
    bob->sendTo(dm.name, QStringLiteral("by room name"));
    QVERIFY(alice->waitFor<Message>(
        [](const Message &m) { return m.text == QLatin1String("by room name"); }));
    QVERIFY(barrier(alice));
    QCOMPARE(alice->allOf<RoomUpdate>().size(), 1);
    QCOMPARE(bob->allOf<RoomUpdate>().size(), 1);

    // Carol sees none of it, and cannot read it.
    QVERIFY(barrier(carol));
    QVERIFY(carol->messagesIn(dm.name).isEmpty());
    QCOMPARE(TestClient::errorOf(carol->request(LoadHistory{QStringLiteral("h"), dm.name, 0, 50})),
             ErrorCode::RoomNotFound);
    QCOMPARE(TestClient::errorOf(carol->request(JoinRoom{QStringLiteral("j"), dm.name})),
             ErrorCode::RoomNotFound);

    // What a direct room is not for.
    alice->sendDirect(QStringLiteral("alice"), QStringLiteral("me"), QStringLiteral("self"));
    QVERIFY(alice->waitFor<Error>([](const Error &e) { return e.ref == QLatin1String("self"); }));
    QCOMPARE(alice->errors().constLast().code, ErrorCode::NotAllowed);
    alice->sendDirect(QStringLiteral("nobody"), QStringLiteral("?"), QStringLiteral("none"));
    QVERIFY(alice->waitFor<Error>([](const Error &e) { return e.ref == QLatin1String("none"); }));
    QCOMPARE(alice->errors().constLast().code, ErrorCode::UserNotFound);
    QCOMPARE(TestClient::errorOf(alice->request(LeaveRoom{QStringLiteral("l"), dm.name})),
             ErrorCode::NotAllowed);
    QCOMPARE(TestClient::errorOf(alice->request(
                 InviteToRoom{QStringLiteral("i"), dm.name, QStringLiteral("carol")})),
             ErrorCode::NotAllowed);
}

void TestRooms::directRoomIsFoundAgainAfterRestart()
{
    const QString path = m_dir->filePath(QStringLiteral("dm.sqlite"));
    QVERIFY(startHubOnFile(path, roomsConfig()));
    TestClient *alice = joinAs(QStringLiteral("alice"));
    TestClient *bob = joinAs(QStringLiteral("bob"));
    QVERIFY(alice && bob);
    alice->sendDirect(QStringLiteral("bob"), QStringLiteral("before the restart"));
    QVERIFY(bob->waitFor<Message>(
        [](const Message &m) { return m.text == QLatin1String("before the restart"); }));
    const QString room = bob->messages().constLast().room;

    const quint16 port = hub().port();
    QVERIFY(startHubOnFile(path, roomsConfig(), port));
    alice = joinAs(QStringLiteral("alice"));
    bob = joinAs(QStringLiteral("bob"));
    QVERIFY(alice && bob);
    const std::optional<RoomState> dm = welcomeRoom(bob, room);
    QVERIFY(dm);
    QVERIFY(dm->direct);
    QCOMPARE(dm->with, QStringLiteral("alice"));
    QVERIFY(dm->last);
    QCOMPARE(dm->last->text, QStringLiteral("before the restart"));
    bob->sendDirect(QStringLiteral("alice"), QStringLiteral("after the restart"));
    QVERIFY(alice->waitFor<Message>(
        [](const Message &m) { return m.text == QLatin1String("after the restart"); }));
    QCOMPARE(alice->messages().constLast().room, room);
    QVERIFY(alice->allOf<RoomUpdate>().isEmpty()); // found, not made again
}

void TestRooms::unreadAndMentionsAcrossDevices()
{
    TestClient *phone = joinAs(QStringLiteral("alice"));
    TestClient *laptop = joinAs(QStringLiteral("alice"));
    TestClient *bob = joinAs(QStringLiteral("bob"));
    QVERIFY(phone && laptop && bob);
    bob->send(QStringLiteral("plain"));
    bob->send(QStringLiteral("@ALICE look"));              // any case
    bob->send(QStringLiteral("ping @\u0430lice, please")); // Cyrillic а: the same name
    bob->send(QStringLiteral("mail alice@example.org"));   // not a mention
    QTRY_COMPARE(phone->messagesIn(QStringLiteral("lobby")).size(), 4);
    const qint64 last = phone->messages().constLast().seq;

    // A third device logging in now sees the counts.
    TestClient *tablet = joinAs(QStringLiteral("alice"));
    QVERIFY(tablet);
    std::optional<RoomState> lobby = welcomeRoom(tablet, QStringLiteral("lobby"));
    QVERIFY(lobby);
    QCOMPARE(lobby->unread, 4);
    QCOMPARE(lobby->mentions, 2);
    QVERIFY(lobby->last);
    QCOMPARE(lobby->last->seq, last);

    // Reading on the phone clears the count on every device.
    phone->sendMessage(MarkRead{QStringLiteral("lobby"), last});
    for (TestClient *device : {phone, laptop, tablet})
        QVERIFY(device->waitFor<Unread>([&](const Unread &u) {
            return u.room == QLatin1String("lobby") && u.read == last && u.unread == 0 &&
                   u.mentions == 0;
        }));
    // Alice's own messages never count as unread for her.
    phone->send(QStringLiteral("my own"));
    QTRY_COMPARE(phone->messagesIn(QStringLiteral("lobby")).size(), 5);
    TestClient *desk = joinAs(QStringLiteral("alice"));
    QVERIFY(desk);
    lobby = welcomeRoom(desk, QStringLiteral("lobby"));
    QVERIFY(lobby);
    QCOMPARE(lobby->read, last);
    QCOMPARE(lobby->unread, 0);
    // A read position beyond the newest message stops at it; one going back is ignored.
    phone->sendMessage(MarkRead{QStringLiteral("lobby"), last + 1000});
    QVERIFY(phone->waitFor<Unread>([&](const Unread &u) { return u.read == last + 1; }));
    phone->sendMessage(MarkRead{QStringLiteral("lobby"), 1});
    QVERIFY(barrier(phone));
    QCOMPARE(phone->allOf<Unread>().constLast().read, last + 1);
}

void TestRooms::readPositionSurvivesRestart()
{
    const QString path = m_dir->filePath(QStringLiteral("read.sqlite"));
    QVERIFY(startHubOnFile(path, roomsConfig()));
    TestClient *alice = joinAs(QStringLiteral("alice"));
    TestClient *bob = joinAs(QStringLiteral("bob"));
    QVERIFY(alice && bob);
    for (int i = 0; i < 5; ++i)
        bob->send(QStringLiteral("m%1 @alice").arg(i));
    QTRY_COMPARE(alice->messagesIn(QStringLiteral("lobby")).size(), 5);
    const qint64 third = alice->messages().at(2).seq;
    alice->sendMessage(MarkRead{QStringLiteral("lobby"), third});
    QVERIFY(alice->waitFor<Unread>([&](const Unread &u) { return u.read == third; }));

    const quint16 port = hub().port();
    QVERIFY(startHubOnFile(path, roomsConfig(), port));
    alice = joinAs(QStringLiteral("alice"));
    QVERIFY(alice);
    const std::optional<RoomState> lobby = welcomeRoom(alice, QStringLiteral("lobby"));
    QVERIFY(lobby);
    QCOMPARE(lobby->read, third);
    QCOMPARE(lobby->unread, 2);
    QCOMPARE(lobby->mentions, 2);
}

void TestRooms::historyPagesWithoutGapsOrDuplicates()
{
    const QString path = m_dir->filePath(QStringLiteral("pages.sqlite"));
    QVERIFY(startHubOnFile(path, roomsConfig()));
    TestClient *alice = joinAs(QStringLiteral("alice"));
    QVERIFY(alice);
    QVERIFY(TestClient::succeeded(
        alice->request(createRoom(QStringLiteral("c"), QStringLiteral("dev")))));
    constexpr int kCount = 230;
    for (int i = 0; i < kCount; ++i) {
        alice->send(QStringLiteral("lobby %1").arg(i));
        if (i % 3 == 0)
            alice->sendTo(QStringLiteral("dev"), QStringLiteral("dev %1").arg(i));
    }
    QTRY_COMPARE_WITH_TIMEOUT(alice->messagesIn(QStringLiteral("lobby")).size(), kCount, 10000);

    // After a restart the pages come from the database.
    const quint16 port = hub().port();
    QVERIFY(startHubOnFile(path, roomsConfig(), port));
    alice = joinAs(QStringLiteral("alice"));
    QVERIFY(alice);
    QList<Message> all;
    qint64 before = 0;
    for (int page = 0; page < 10; ++page) {
        const auto answer = as<HistoryPage>(alice->request(
            LoadHistory{QStringLiteral("p%1").arg(page), QStringLiteral("lobby"), before, 100}));
        QVERIFY(answer);
        QCOMPARE(answer->room, QStringLiteral("lobby"));
        QVERIFY(answer->messages.size() <= 100);
        all = answer->messages + all;
        if (!answer->more)
            break;
        before = answer->messages.constFirst().seq;
    }
    QCOMPARE(all.size(), kCount);
    for (int i = 0; i < kCount; ++i) {
        QCOMPARE(all.at(i).text, QStringLiteral("lobby %1").arg(i));
        QCOMPARE(all.at(i).room, QStringLiteral("lobby"));
        if (i > 0)
            QVERIFY(all.at(i).seq > all.at(i - 1).seq);
    }
    QCOMPARE(TestClient::errorOf(alice->request(
                 LoadHistory{QStringLiteral("big"), QStringLiteral("lobby"), 0, kMaxPageSize + 1})),
             ErrorCode::BadMessage);
}

void TestRooms::historyPagesAreBoundedInBytes()
{
    chat::server::HubConfig config = roomsConfig();
    config.maxWelcomeHistoryBytes = 20 * 1024;
    QVERIFY(startHub(config));
    TestClient *alice = joinAs(QStringLiteral("alice"));
    QVERIFY(alice);
    const QString big(3990, QLatin1Char('x'));
    for (int i = 0; i < 10; ++i)
        alice->send(QString::number(i) + big);
    QTRY_COMPARE(alice->messagesIn(QStringLiteral("lobby")).size(), 10);
    QList<Message> all;
    qint64 before = 0;
    int pages = 0;
    for (bool more = true; more && pages < 10; ++pages) {
        const auto page = as<HistoryPage>(alice->request(
            LoadHistory{QStringLiteral("p%1").arg(pages), QStringLiteral("lobby"), before, 50}));
        QVERIFY(page);
        QVERIFY(!page->messages.isEmpty());
        qint64 weight = 0;
        for (const Message &message : page->messages)
            weight += message.text.size() + 160;
        QVERIFY2(weight <= 20 * 1024 + 200, qPrintable(QString::number(weight)));
        all = page->messages + all;
        more = page->more;
        before = page->messages.constFirst().seq;
    }
    QVERIFY(pages >= 2); // four of these fit in a page, not ten
    QCOMPARE(all.size(), 10);
    for (int i = 0; i < 10; ++i)
        QCOMPARE(all.at(i).text, QString::number(i) + big);
}

void TestRooms::typingIsThrottledAndNeverLeavesTheRoom()
{
    TestClient *alice = joinAs(QStringLiteral("alice"));
    TestClient *bob = joinAs(QStringLiteral("bob"));
    TestClient *carol = joinAs(QStringLiteral("carol"));
    QVERIFY(alice && bob && carol);
    QVERIFY(TestClient::succeeded(
        alice->request(createRoom(QStringLiteral("c"), QStringLiteral("dev")))));
    QVERIFY(
        TestClient::succeeded(bob->request(JoinRoom{QStringLiteral("j"), QStringLiteral("dev")})));
    for (int i = 0; i < 5; ++i)
        alice->sendMessage(Typing{QStringLiteral("dev")});
    QVERIFY(bob->waitFor<TypingNotice>([](const TypingNotice &t) {
        return t.room == QLatin1String("dev") && t.from == QLatin1String("alice");
    }));
    QVERIFY(barrier(alice));
    QVERIFY(barrier(bob));
    QCOMPARE(bob->allOf<TypingNotice>().size(), 1);
    QVERIFY(alice->allOf<TypingNotice>().isEmpty()); // never to the typist's own devices
    // A message ends the typing: the next notice is news at once.
    alice->sendTo(QStringLiteral("dev"), QStringLiteral("done typing"));
    alice->sendMessage(Typing{QStringLiteral("dev")});
    QTRY_COMPARE(bob->allOf<TypingNotice>().size(), 2);
    QVERIFY(barrier(carol));
    QVERIFY(carol->allOf<TypingNotice>().isEmpty());
}

void TestRooms::presenceOnlyForTheWatchedRoom()
{
    TestClient *alice = joinAs(QStringLiteral("alice"));
    TestClient *bob = joinAs(QStringLiteral("bob"));
    QVERIFY(alice && bob);
    QVERIFY(TestClient::succeeded(
        alice->request(createRoom(QStringLiteral("c"), QStringLiteral("dev"), true))));
    QVERIFY(TestClient::succeeded(alice->request(
        InviteToRoom{QStringLiteral("i"), QStringLiteral("dev"), QStringLiteral("bob")})));
    const auto members = as<MemberList>(
        alice->request(ListMembers{QStringLiteral("m"), QStringLiteral("dev"), {}, 1}));
    QVERIFY(members);
    QCOMPARE(members->members.size(), 1);
    QCOMPARE(members->members.at(0),
             (RoomMember{QStringLiteral("alice"), {}, QStringLiteral("owner"), true}));
    QCOMPARE(members->next, QStringLiteral("alice"));
    QCOMPARE(members->online, 2);
    const auto rest = as<MemberList>(
        alice->request(ListMembers{QStringLiteral("m2"), QStringLiteral("dev"), members->next, 1}));
    QVERIFY(rest);
    QCOMPARE(rest->members.size(), 1);
    QCOMPARE(rest->members.at(0).name, QStringLiteral("bob"));
    QVERIFY(rest->next.isEmpty());

    // Alice now watches dev: bob going and coming is news for dev; carol (lobby only) is not.
    const qsizetype before = alice->presences().size();
    bob->close();
    QVERIFY(alice->waitFor<Presence>([](const Presence &p) {
        return p.room == QLatin1String("dev") && p.left.contains(QStringLiteral("bob"));
    }));
    TestClient *carol = joinAs(QStringLiteral("carol"));
    QVERIFY(carol);
    bob = joinAs(QStringLiteral("bob"));
    QVERIFY(bob);
    QVERIFY(alice->waitFor<Presence>([](const Presence &p) {
        return p.room == QLatin1String("dev") &&
               std::any_of(p.joined.cbegin(), p.joined.cend(),
                           [](const User &u) { return u.name == QLatin1String("bob"); });
    }));
    QVERIFY(barrier(alice));
    for (qsizetype i = before; i < alice->presences().size(); ++i) {
        const Presence &p = alice->presences().at(i);
        QCOMPARE(p.room, QStringLiteral("dev"));
        for (const User &user : p.joined)
            QVERIFY(user.name != QLatin1String("carol"));
    }
}

void TestRooms::resumeBringsMissedMessagesAndRoomChanges()
{
    TestClient *alice = joinAs(QStringLiteral("alice"));
    TestClient *bob = joinAs(QStringLiteral("bob"));
    TestClient *carol = joinAs(QStringLiteral("carol"));
    QVERIFY(alice && bob && carol);
    QVERIFY(TestClient::succeeded(
        alice->request(createRoom(QStringLiteral("c"), QStringLiteral("dev")))));
    QVERIFY(
        TestClient::succeeded(bob->request(JoinRoom{QStringLiteral("j"), QStringLiteral("dev")})));
    QVERIFY(TestClient::succeeded(
        carol->request(createRoom(QStringLiteral("c2"), QStringLiteral("other")))));
    alice->sendTo(QStringLiteral("dev"), QStringLiteral("seen"));
    QVERIFY(
        bob->waitFor<Message>([](const Message &m) { return m.text == QLatin1String("seen"); }));
    const qint64 lastSeen = bob->messages().constLast().seq;
    const QString instance = bob->welcome()->instance;
    bob->close();
    QVERIFY(bob->waitForDisconnected());

    // While bob is away.
    alice->send(QStringLiteral("missed in lobby"));
    alice->sendTo(QStringLiteral("dev"), QStringLiteral("missed in dev"));
    QVERIFY(TestClient::succeeded(alice->request(
        UpdateRoom{QStringLiteral("u"), QStringLiteral("dev"), {}, QStringLiteral("新话题")})));
    QVERIFY(TestClient::succeeded(
        alice->request(createRoom(QStringLiteral("c3"), QStringLiteral("secret"), true))));
    QVERIFY(TestClient::succeeded(alice->request(
        InviteToRoom{QStringLiteral("i"), QStringLiteral("secret"), QStringLiteral("bob")})));
    carol->sendTo(QStringLiteral("other"), QStringLiteral("not for bob"));
    QVERIFY(carol->waitFor<Message>(
        [](const Message &m) { return m.text == QLatin1String("not for bob"); }));
    QVERIFY(alice->waitFor<Message>(
        [](const Message &m) { return m.event == QLatin1String("invited"); }));

    TestClient *back = newClient();
    QVERIFY(back->open(url()));
    Hello hello = back->helloFor(QStringLiteral("bob"), lastSeen);
    hello.instance = instance;
    QVERIFY(back->helloAndWait(hello));
    const Welcome &welcome = *back->welcome();
    QVERIFY(welcome.resumed);
    QVERIFY(welcome.reload.isEmpty());
    QStringList texts;
    for (const Message &message : welcome.history) {
        QVERIFY(message.seq > lastSeen);
        QVERIFY(message.room != QLatin1String("other"));
        texts << (message.event.isEmpty() ? message.text
                                          : message.event + QLatin1Char(':') + message.text);
    }
    QVERIFY2(texts.contains(QStringLiteral("missed in lobby")), qPrintable(texts.join(u'|')));
    QVERIFY(texts.contains(QStringLiteral("missed in dev")));
    QVERIFY(texts.contains(QStringLiteral("topic:新话题")));
    QVERIFY(texts.contains(QStringLiteral("invited:")));
    QVERIFY(!texts.contains(QStringLiteral("not for bob")));
    QVERIFY(roomIn(welcome.rooms, QStringLiteral("secret")));
    QCOMPARE(roomIn(welcome.rooms, QStringLiteral("dev"))->topic, QStringLiteral("新话题"));
}

void TestRooms::resumeTooLargeAsksToReload()
{
    chat::server::HubConfig config = roomsConfig();
    config.resumeLimit = 5;
    QVERIFY(startHub(config));
    TestClient *alice = joinAs(QStringLiteral("alice"));
    TestClient *bob = joinAs(QStringLiteral("bob"));
    QVERIFY(alice && bob);
    QVERIFY(TestClient::succeeded(
        alice->request(createRoom(QStringLiteral("c"), QStringLiteral("dev")))));
    QVERIFY(TestClient::succeeded(
        alice->request(createRoom(QStringLiteral("c2"), QStringLiteral("quiet")))));
    QVERIFY(
        TestClient::succeeded(bob->request(JoinRoom{QStringLiteral("j"), QStringLiteral("dev")})));
    QVERIFY(TestClient::succeeded(
        bob->request(JoinRoom{QStringLiteral("j2"), QStringLiteral("quiet")})));
    QVERIFY(barrier(bob));
    const qint64 lastSeen = bob->messages().constLast().seq;
    bob->close();
    QVERIFY(bob->waitForDisconnected());
    for (int i = 0; i < 10; ++i)
        alice->sendTo(QStringLiteral("dev"), QStringLiteral("dev %1").arg(i));
    QTRY_COMPARE(alice->messagesIn(QStringLiteral("dev")).size(), 2 + 10); // created, joined

    TestClient *back = newClient();
    QVERIFY(back->open(url()));
    QVERIFY(back->helloAndWait(QStringLiteral("bob"), lastSeen));
    QVERIFY(!back->welcome()->resumed);
    QVERIFY(back->welcome()->history.isEmpty());
    QCOMPARE(back->welcome()->reload, QStringList{QStringLiteral("dev")});
}

void TestRooms::tooManyRooms()
{
    chat::server::HubConfig config = roomsConfig();
    config.maxRoomsOwned = 1;
    config.maxRoomsPerAccount = 3; // lobby + 2
    QVERIFY(startHub(config));
    TestClient *alice = joinAs(QStringLiteral("alice"));
    TestClient *bob = joinAs(QStringLiteral("bob"));
    QVERIFY(alice && bob);
    QVERIFY(TestClient::succeeded(
        alice->request(createRoom(QStringLiteral("c"), QStringLiteral("one")))));
    QCOMPARE(TestClient::errorOf(
                 alice->request(createRoom(QStringLiteral("c2"), QStringLiteral("two")))),
             ErrorCode::TooManyRooms);
    QVERIFY(TestClient::succeeded(
        bob->request(createRoom(QStringLiteral("c3"), QStringLiteral("bobs")))));
    QVERIFY(TestClient::succeeded(
        alice->request(JoinRoom{QStringLiteral("j"), QStringLiteral("bobs")})));
    // Alice is in lobby, one and bobs: a direct room would be a fourth.
    alice->sendDirect(QStringLiteral("bob"), QStringLiteral("hi"), QStringLiteral("dm"));
    QVERIFY(alice->waitFor<Error>([](const Error &e) { return e.ref == QLatin1String("dm"); }));
    QCOMPARE(alice->errors().constLast().code, ErrorCode::TooManyRooms);
}

void TestRooms::badTitleIsRefused()
{
    TestClient *alice = joinAs(QStringLiteral("alice"));
    QVERIFY(alice);
    CreateRoom create = createRoom(QStringLiteral("c"), QStringLiteral("dev"));
    create.title = QString(kMaxTitleChars + 1, QLatin1Char('x'));
    QCOMPARE(TestClient::errorOf(alice->request(create)), ErrorCode::TitleInvalid);
    create.title = QStringLiteral("bad\u0007bell");
    QCOMPARE(TestClient::errorOf(alice->request(create)), ErrorCode::TitleInvalid);
    create.title = QStringLiteral("好");
    create.name = QStringLiteral("Not Valid");
    QCOMPARE(TestClient::errorOf(alice->request(create)), ErrorCode::BadMessage);
    create.name = QStringLiteral("@1-2");
    QCOMPARE(TestClient::errorOf(alice->request(create)), ErrorCode::BadMessage);
}

CHAT_SERVER_TEST_MAIN(TestRooms)
#include "tst_rooms.moc"
