// The hub's conversation with real WebSocket clients: broadcast, presence, history, hellos,
// bad input and shutdown. Limits, timeouts and load are in tst_hublimits.
#include "codec.h"
#include "hubtestbase.h"
#include "servertestmain.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>

using namespace chat::proto;
using chat::test::kTestPassword;
using chat::test::TestClient;

Q_DECLARE_METATYPE(chat::proto::ErrorCode)

class HubTest : public chat::test::HubTestBase
{
    Q_OBJECT
private slots:
    void init() { QVERIFY(startHub()); }
    void cleanup()
    {
        verifyClientsHealthy();
        stopAll();
    }

    void broadcastReachesEveryClientOnceInOrder();
    void presenceOnJoinAndLeave();
    void crowdIsToldInFewPresences();
    void ownArrivalIsNotToldInPresence();
    void cameAndWentIsToldToWhoListedIt();
    void historyOnJoin_data();
    void historyOnJoin();
    void helloRefused_data();
    void helloRefused();
    void senderCannotClaimAnotherName();
    void badInputGetsErrorAndConnectionSurvives_data();
    void badInputGetsErrorAndConnectionSurvives();
    void beforeHello_data();
    void beforeHello();
    void pingGetsPong();
    void shutdownClosesEveryoneWithGoingAway();
};

void HubTest::broadcastReachesEveryClientOnceInOrder()
{
    constexpr int kClients = 50;
    constexpr int kSenders = 10;
    constexpr int kPerSender = 3;
    QList<TestClient *> clients;
    for (int i = 0; i < kClients; ++i) {
        TestClient *client = join(QStringLiteral("user%1").arg(i));
        QVERIFY2(client, qPrintable(QStringLiteral("user%1 could not join").arg(i)));
        clients.append(client);
    }
    QCOMPARE(hub().onlineCount(), kClients);

    QSet<QString> ids;
    for (int round = 0; round < kPerSender; ++round) {
        for (int s = 0; s < kSenders; ++s)
            ids.insert(clients[s * 5]->send(QStringLiteral("round %1 from %2").arg(round).arg(s)));
    }
    constexpr int kTotal = kSenders * kPerSender;
    for (TestClient *client : clients) {
        QVERIFY(client->waitForMessages(kTotal));
        QVERIFY(barrier(client)); // a duplicate would have arrived before the pong
        const QList<Message> &messages = client->messages();
        QCOMPARE(messages.size(), kTotal);
        QSet<QString> seen;
        for (int i = 0; i < messages.size(); ++i) {
            QCOMPARE(messages[i].seq, qint64(i + 1));
            seen.insert(messages[i].id);
        }
        QCOMPARE(seen, ids);
    }
    QCOMPARE(hub().lastSeq(), qint64(kTotal));
}

void HubTest::presenceOnJoinAndLeave()
{
    // The test clients watch the lobby's members (TestClient::setWatchLobby): its member list,
    // then every presence of the lobby, tells what changed since, once.
    QSignalSpy joined(&hub(), &chat::server::ChatHub::userJoined);
    TestClient *alice = join(QStringLiteral("alice"));
    QVERIFY(alice);
    QCOMPARE(alice->users(), QStringList{QStringLiteral("alice")});
    QCOMPARE(alice->online(), 1);
    QCOMPARE(joined.size(), 1);

    TestClient *bob = join(QStringLiteral("bob"));
    QVERIFY(bob);
    QVERIFY(bob->waitForUsers({QStringLiteral("alice"), QStringLiteral("bob")}));
    QVERIFY(alice->waitForJoin(QStringLiteral("bob")));
    QCOMPARE(alice->presences().constLast(),
             (Presence{QStringLiteral("lobby"), {User{QStringLiteral("bob"), {}}}, {}, 2}));
    QCOMPARE(joined.size(), 2);

    TestClient *carol = join(QStringLiteral("carol"));
    QVERIFY(carol);
    const QStringList everyone{QStringLiteral("alice"), QStringLiteral("bob"),
                               QStringLiteral("carol")};
    for (TestClient *client : {alice, bob, carol}) {
        QVERIFY(client->waitForUsers(everyone));
        QCOMPARE(client->online(), 3);
    }

    QSignalSpy left(&hub(), &chat::server::ChatHub::userLeft);
    bob->close();
    for (TestClient *client : {alice, carol}) {
        QVERIFY(client->waitForLeave(QStringLiteral("bob")));
        QCOMPARE(client->presences().constLast(),
                 (Presence{QStringLiteral("lobby"), {}, {QStringLiteral("bob")}, 2}));
        QCOMPARE(client->users(), (QStringList{QStringLiteral("alice"), QStringLiteral("carol")}));
    }
    QCOMPARE(left.size(), 1);
    QCOMPARE(hub().onlineCount(), 2);
    // Every change was told once: alice saw two joins (her own arrival is in her member list,
    // not in a presence) and one leave, no more.
    QVERIFY(barrier(alice));
    QCOMPARE(alice->joinsSeen(), (QStringList{QStringLiteral("bob"), QStringLiteral("carol")}));
    QCOMPARE(alice->leavesSeen(), QStringList{QStringLiteral("bob")});
}

void HubTest::crowdIsToldInFewPresences()
{
    TestClient *watcher = join(QStringLiteral("watcher"));
    QVERIFY(watcher);
    QCOMPARE(watcher->users(), QStringList{QStringLiteral("watcher")});
    // A crowd arrives at once, as after a server restart; one of them leaves again at once and
    // one speaks as soon as it is in.
    constexpr int kCrowd = 120;
    QStringList everyone{QStringLiteral("watcher")};
    QList<TestClient *> crowd;
    QElapsedTimer clock;
    clock.start();
    for (int i = 0; i < kCrowd; ++i) {
        TestClient *client = newClient();
        crowd.append(client);
        client->openAsync(url());
        connect(client, &TestClient::connected, client,
                [client, i] { client->sendHello(QStringLiteral("crowd%1").arg(i)); });
        everyone.append(QStringLiteral("crowd%1").arg(i));
    }
    for (TestClient *client : crowd)
        QTRY_VERIFY(client->welcome().has_value());
    crowd[0]->close();
    everyone.removeOne(QStringLiteral("crowd0"));
    crowd[1]->send(QStringLiteral("first words"));

    // Whether a crowd member's list named crowd0 or not, its leave reaches it
    // (cameAndWentIsToldToWhoListedIt).
    for (TestClient *client : crowd.mid(1))
        QVERIFY(client->waitForUsers(everyone));
    QVERIFY(watcher->waitForUsers(everyone));
    QCOMPARE(watcher->online(), kCrowd);
    QCOMPARE(hub().onlineCount(), kCrowd);
    // Gathered: at most one presence per interval (100 ms), plus one told early because a
    // message had to follow it; far fewer than the 121 a frame per change would have made.
    const qint64 elapsedMs = clock.elapsed();
    QVERIFY2(watcher->presences().size() <= 2 + elapsedMs / 100 + 1,
             qPrintable(QStringLiteral("%1 presences in %2 ms")
                            .arg(watcher->presences().size())
                            .arg(elapsedMs)));
    // The speaker was announced before its words arrived, to everyone who watched the lobby by
    // then: in the member list it asked for, or in a presence before the words. (A client whose
    // member list came after the words was not watching yet; the list then names the speaker.)
    QList<TestClient *> listeners = crowd.mid(1);
    listeners.append(watcher);
    for (TestClient *client : std::as_const(listeners)) {
        QVERIFY(client->waitForMessages(1));
        bool watching = false;
        bool announced = false;
        for (const ServerMessage &message : client->all()) {
            if (const auto *list = std::get_if<MemberList>(&message)) {
                watching = true;
                for (const RoomMember &member : list->members)
                    announced =
                        announced || (member.name == QStringLiteral("crowd1") && member.online);
            } else if (const auto *presence = std::get_if<Presence>(&message)) {
                announced =
                    announced || presence->joined.contains(User{QStringLiteral("crowd1"), {}});
            } else if (std::holds_alternative<Message>(message)) {
                break;
            }
        }
        QVERIFY(announced || !watching);
        QVERIFY(client->users().contains(QStringLiteral("crowd1")));
    }
}

void HubTest::ownArrivalIsNotToldInPresence()
{
    // A newcomer's member list names it already; the presences after it tell only what changed
    // since. With a long presence interval, bob's arrival waits in the hub's presence feed
    // while bob gets his member list: the round that tells alice must not tell bob again.
    auto config = testConfig();
    config.presenceIntervalMs = 2000;
    QVERIFY(startHub(config));
    TestClient *alice = join(QStringLiteral("alice")); // the first change: told at once
    QVERIFY(alice);
    TestClient *bob = join(QStringLiteral("bob")); // within the interval: held back
    QVERIFY(bob);
    QCOMPARE(bob->users(), (QStringList{QStringLiteral("alice"), QStringLiteral("bob")}));
    QVERIFY(alice->waitForJoin(QStringLiteral("bob")));
    QVERIFY(barrier(bob)); // had the round gone to bob too, it would be here by now
    QCOMPARE(bob->users(), (QStringList{QStringLiteral("alice"), QStringLiteral("bob")}));
    QCOMPARE(bob->joinsSeen(), QStringList());
}

void HubTest::cameAndWentIsToldToWhoListedIt()
{
    // Someone who comes and goes between two presence rounds is mentioned to nobody whose list
    // came before; one whose member list named them in between is told they left.
    auto config = testConfig();
    config.presenceIntervalMs = 2000;
    QVERIFY(startHub(config));
    TestClient *alice = join(QStringLiteral("alice")); // told at once; the interval starts
    QVERIFY(alice);
    TestClient *bob = join(QStringLiteral("bob")); // held back until the next round
    QVERIFY(bob);
    TestClient *carol = join(QStringLiteral("carol")); // her list names bob: he is online
    QVERIFY(carol);
    QCOMPARE(carol->users(), (QStringList{QStringLiteral("alice"), QStringLiteral("bob"),
                                          QStringLiteral("carol")}));
    bob->close(); // gone before the round that would have told his arrival
    QTRY_COMPARE(hub().onlineCount(), 2);
    QVERIFY(alice->waitForJoin(QStringLiteral("carol"))); // the round
    QVERIFY(barrier(alice));
    QVERIFY(!alice->joinsSeen().contains(QStringLiteral("bob"))); // never told, never missed
    QCOMPARE(alice->users(), (QStringList{QStringLiteral("alice"), QStringLiteral("carol")}));
    QVERIFY(alice->leavesSeen().isEmpty());
    QVERIFY(carol->waitForLeave(QStringLiteral("bob")));
    QCOMPARE(carol->users(), (QStringList{QStringLiteral("alice"), QStringLiteral("carol")}));
    QCOMPARE(carol->online(), 2);
}

void HubTest::historyOnJoin_data()
{
    QTest::addColumn<int>("sent");
    QTest::addColumn<int>("expected");
    QTest::addRow("nothing said") << 0 << 0;
    QTest::addRow("fewer than the cap") << 3 << 3;
    QTest::addRow("exactly the cap") << 5 << 5;
    QTest::addRow("more than the cap") << 12 << 5;
}

void HubTest::historyOnJoin()
{
    // A welcome carries no history (only a resume's): a newcomer sees the lobby's newest message
    // in its room state and pages the rest, as much as the hub holds (historySize here).
    QFETCH(int, sent);
    QFETCH(int, expected);
    auto config = testConfig();
    config.historySize = 5;
    QVERIFY(startHub(config));

    TestClient *talker = join(QStringLiteral("talker"));
    QVERIFY(talker);
    for (int i = 0; i < sent; ++i)
        talker->send(QStringLiteral("message %1").arg(i));
    QVERIFY(talker->waitForMessages(sent));

    TestClient *late = join(QStringLiteral("late"));
    QVERIFY(late);
    const Welcome &welcome = *late->welcome();
    QCOMPARE(welcome.server, QStringLiteral("test-hub"));
    QCOMPARE(welcome.seq, qint64(sent));
    QCOMPARE(welcome.resumed, false);
    QVERIFY(welcome.history.isEmpty());
    QVERIFY(welcome.reload.isEmpty());
    QCOMPARE(welcome.rooms.size(), 1);
    const RoomState &lobby = welcome.rooms[0];
    QCOMPARE(lobby.name, QStringLiteral("lobby"));
    QCOMPARE(lobby.unread, 0); // joined now: the past is not unread
    if (sent == 0)
        QVERIFY(!lobby.last);
    else
        QCOMPARE(lobby.last, std::optional<Message>(talker->messages().constLast()));

    const std::optional<ServerMessage> answer =
        late->request(LoadHistory{QStringLiteral("h1"), QStringLiteral("lobby"), 0, 50});
    QVERIFY(answer);
    const auto *page = std::get_if<HistoryPage>(&*answer);
    QVERIFY(page);
    QCOMPARE(page->room, QStringLiteral("lobby"));
    QCOMPARE(page->more, false); // nothing older is held
    QCOMPARE(page->messages.size(), expected);
    for (int i = 0; i < expected; ++i) {
        const Message &m = page->messages[i];
        QCOMPARE(m.seq, qint64(sent - expected + i + 1));
        QCOMPARE(m, talker->messages()[sent - expected + i]);
    }
}

void HubTest::helloRefused_data()
{
    QTest::addColumn<QString>("frame");
    QTest::addColumn<ErrorCode>("code");
    // Registrations with names the nickname rules refuse (the codec's rules, end to end).
    const auto hello = [](const QString &name) {
        Hello h;
        h.registration = Registration{name, kTestPassword, {}, {}};
        return QString::fromUtf8(encode(h));
    };
    QTest::addRow("empty name") << hello(QString()) << ErrorCode::NameInvalid;
    QTest::addRow("only spaces") << hello(QStringLiteral("   ")) << ErrorCode::NameInvalid;
    QTest::addRow("too long") << hello(QString(33, u'n')) << ErrorCode::NameInvalid;
    QTest::addRow("control character")
        << hello(QStringLiteral("a\u0007b")) << ErrorCode::NameInvalid;
    QTest::addRow("zero-width space")
        << hello(QStringLiteral("a\u200Bb")) << ErrorCode::NameInvalid;
    QTest::addRow("two spaces") << hello(QStringLiteral("a  b")) << ErrorCode::NameInvalid;
    QTest::addRow("version 1") << QStringLiteral(R"({"type":"hello","version":1,"nick":"x"})")
                               << ErrorCode::UnsupportedVersion;
    QTest::addRow("version 2") << QStringLiteral(R"({"type":"hello","version":2,"token":"x"})")
                               << ErrorCode::UnsupportedVersion;
    QTest::addRow("version 4") << QStringLiteral(R"({"type":"hello","version":4,"token":"x"})")
                               << ErrorCode::UnsupportedVersion;
    QTest::addRow("no credentials")
        << QStringLiteral(R"({"type":"hello","version":3})") << ErrorCode::TokenInvalid;
    QTest::addRow("unknown token")
        << QStringLiteral(
               R"({"type":"hello","version":3,"token":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"})")
        << ErrorCode::TokenInvalid;
}

void HubTest::helloRefused()
{
    QFETCH(QString, frame);
    QFETCH(ErrorCode, code);
    TestClient *client = connectClient();
    QVERIFY(client);
    client->sendRaw(frame);
    QVERIFY(client->waitForErrors(1));
    QCOMPARE(client->errors()[0].code, code);
    QVERIFY(!client->errors()[0].message.isEmpty());
    QVERIFY(client->waitForDisconnected());
    QCOMPARE(client->closeCode(), QWebSocketProtocol::CloseCodePolicyViolated);
    QCOMPARE(hub().onlineCount(), 0);
    QTRY_COMPARE(hub().connectionCount(), 0);
}

void HubTest::senderCannotClaimAnotherName()
{
    TestClient *alice = join(QStringLiteral("alice"));
    TestClient *bob = join(QStringLiteral("bob"));
    QVERIFY(alice && bob);
    QSignalSpy received(bob, &TestClient::messageReceived);
    alice->sendRaw(QStringLiteral(R"({"type":"send","id":"m1","text":"hi","from":"bob"})"));
    QVERIFY(received.wait());
    QCOMPARE(received[0][0].value<Message>().from, QStringLiteral("alice"));
    QCOMPARE(bob->messages()[0].from, QStringLiteral("alice"));
    QVERIFY(alice->waitForMessages(1));
    QCOMPARE(alice->messages()[0].from, QStringLiteral("alice"));
}

void HubTest::badInputGetsErrorAndConnectionSurvives_data()
{
    QTest::addColumn<QString>("frame");
    QTest::addColumn<bool>("binary");
    QTest::addColumn<ErrorCode>("code");
    QTest::addColumn<QString>("ref");
    const QString none;
    const QString a = QStringLiteral("a");
    const auto send = [](const QString &text) {
        return QString::fromUtf8(encode(Send{QStringLiteral("a"), QString(), QString(), text}));
    };
    QTest::addRow("invalid JSON") << QStringLiteral("{not json") << false << ErrorCode::BadJson
                                  << none;
    QTest::addRow("empty frame") << QString() << false << ErrorCode::BadJson << none;
    QTest::addRow("array") << QStringLiteral("[1,2]") << false << ErrorCode::BadJson << none;
    QTest::addRow("string") << QStringLiteral(R"("hello")") << false << ErrorCode::BadJson << none;
    QTest::addRow("unknown type") << QStringLiteral(R"({"type":"dance"})") << false
                                  << ErrorCode::UnknownType << none;
    QTest::addRow("missing type") << QStringLiteral(R"({"id":"1"})") << false
                                  << ErrorCode::BadMessage << none;
    QTest::addRow("type not a string")
        << QStringLiteral(R"({"type":5})") << false << ErrorCode::BadMessage << none;
    QTest::addRow("send without id") << QStringLiteral(R"({"type":"send","text":"hi"})") << false
                                     << ErrorCode::BadMessage << none;
    QTest::addRow("send id a number") << QStringLiteral(R"({"type":"send","id":5,"text":"hi"})")
                                      << false << ErrorCode::BadMessage << none;
    QTest::addRow("send id with space")
        << QStringLiteral(R"({"type":"send","id":"a b","text":"x"})") << false
        << ErrorCode::BadMessage << none;
    QTest::addRow("send without text")
        << QStringLiteral(R"({"type":"send","id":"a"})") << false << ErrorCode::BadMessage << a;
    QTest::addRow("send text a number") << QStringLiteral(R"({"type":"send","id":"a","text":1})")
                                        << false << ErrorCode::BadMessage << a;
    QTest::addRow("send bad room")
        << QStringLiteral(R"({"type":"send","id":"a","room":"Lobby!","text":"x"})") << false
        << ErrorCode::BadMessage << a;
    QTest::addRow("empty text") << send(QString()) << false << ErrorCode::TextInvalid << a;
    QTest::addRow("only white space")
        << send(QStringLiteral(" \n\t ")) << false << ErrorCode::TextInvalid << a;
    QTest::addRow("text too long")
        << send(QString(kMaxTextChars + 1, u'x')) << false << ErrorCode::TextInvalid << a;
    QTest::addRow("control character")
        << send(QStringLiteral("a\u0001b")) << false << ErrorCode::TextInvalid << a;
    QTest::addRow("ping id a number")
        << QStringLiteral(R"({"type":"ping","id":7})") << false << ErrorCode::BadMessage << none;
    QTest::addRow("binary frame") << QStringLiteral(R"({"type":"ping"})") << true
                                  << ErrorCode::BinaryFrame << none;
    QTest::addRow("second hello") << QStringLiteral(R"({"type":"hello","version":3,"token":"x"})")
                                  << false << ErrorCode::AlreadyJoined << none;
    QTest::addRow("second hello, a login")
        << QStringLiteral(
               R"({"type":"hello","version":3,"login":{"name":"speaker","password":"12345678"}})")
        << false << ErrorCode::AlreadyJoined << none;
    QTest::addRow("second hello, invalid name")
        << QStringLiteral(
               R"({"type":"hello","version":3,"register":{"name":"","password":"12345678"}})")
        << false << ErrorCode::NameInvalid << none;
    QTest::addRow("second hello, version 1")
        << QStringLiteral(R"({"type":"hello","version":1,"nick":"x"})") << false
        << ErrorCode::UnsupportedVersion << none;
    QTest::addRow("second hello, version 2")
        << QStringLiteral(R"({"type":"hello","version":2,"token":"x"})") << false
        << ErrorCode::UnsupportedVersion << none;
}

void HubTest::badInputGetsErrorAndConnectionSurvives()
{
    QFETCH(QString, frame);
    QFETCH(bool, binary);
    QFETCH(ErrorCode, code);
    QFETCH(QString, ref);
    TestClient *speaker = join(QStringLiteral("speaker"));
    TestClient *listener = join(QStringLiteral("listener"));
    QVERIFY(speaker && listener);

    if (binary)
        speaker->sendBinary(frame.toUtf8());
    else
        speaker->sendRaw(frame);
    QVERIFY(speaker->waitForErrors(1));
    const Error &error = speaker->errors()[0];
    QCOMPARE(error.code, code);
    QCOMPARE(error.ref, ref);
    QVERIFY2(!error.message.isEmpty(), "an error must say why");

    // Still joined, still heard.
    const QString id = speaker->send(QStringLiteral("still here"));
    QVERIFY(listener->waitForMessages(1));
    QCOMPARE(listener->messages()[0].id, id);
    QCOMPARE(listener->messages()[0].seq, qint64(1));
    QVERIFY(speaker->waitForMessages(1));
    QVERIFY(speaker->isOpen());
    QCOMPARE(speaker->errors().size(), 1);
    QCOMPARE(hub().onlineCount(), 2);
}

void HubTest::beforeHello_data()
{
    QTest::addColumn<QString>("frame");
    QTest::addColumn<QString>("ref");
    QTest::addRow("send") << QStringLiteral(R"({"type":"send","id":"early","text":"hi"})")
                          << QStringLiteral("early");
    QTest::addRow("ping") << QStringLiteral(R"({"type":"ping","id":"p"})") << QString();
}

void HubTest::beforeHello()
{
    QFETCH(QString, frame);
    QFETCH(QString, ref);
    TestClient *client = connectClient();
    QVERIFY(client);
    client->sendRaw(frame);
    QVERIFY(client->waitForErrors(1));
    QCOMPARE(client->errors()[0].code, ErrorCode::NotJoined);
    QCOMPARE(client->errors()[0].ref, ref);
    QCOMPARE(hub().lastSeq(), qint64(0));

    QVERIFY(client->helloAndWait(QStringLiteral("patient")));
    client->send(QStringLiteral("now it works"));
    QVERIFY(client->waitForMessages(1));
    QCOMPARE(client->messages()[0].from, QStringLiteral("patient"));
}

void HubTest::pingGetsPong()
{
    TestClient *client = join(QStringLiteral("pinger"));
    QVERIFY(client);
    QSignalSpy pongs(client, &TestClient::pongReceived);
    client->ping(QStringLiteral("17"));
    QVERIFY(pongs.wait());
    QCOMPARE(pongs[0][0].toString(), QStringLiteral("17"));
}

void HubTest::shutdownClosesEveryoneWithGoingAway()
{
    TestClient *joined = join(QStringLiteral("joined"));
    TestClient *lurker = connectClient();
    QVERIFY(joined && lurker);
    QSignalSpy count(&hub(), &chat::server::ChatHub::connectionCountChanged);
    hub().shutdown();
    for (TestClient *client : {joined, lurker}) {
        QVERIFY(client->waitForDisconnected());
        QCOMPARE(client->closeCode(), QWebSocketProtocol::CloseCodeGoingAway);
    }
    QTRY_COMPARE(hub().connectionCount(), 0);
    QVERIFY(!count.isEmpty());
    QCOMPARE(count.constLast().at(0).toInt(), 0);
    QVERIFY(joined->leavesSeen().isEmpty()); // no leave storm while going down

    // Nobody listens any more.
    QTcpSocket late;
    QSignalSpy refused(&late, &QTcpSocket::errorOccurred);
    late.connectToHost(QHostAddress::LocalHost, url().port());
    QVERIFY(refused.wait());
    QCOMPARE(late.error(), QAbstractSocket::ConnectionRefusedError);
}

CHAT_SERVER_TEST_MAIN(HubTest)
#include "tst_hub.moc"
