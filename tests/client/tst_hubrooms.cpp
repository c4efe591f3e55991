// The client's rooms against a real hub speaking protocol version 3: two devices of one account
// (reading on one clears the counts on the other), a direct conversation made by its first
// message and found again, older history paged back to the room's first message, rooms created,
// joined and left, and typing shown on the other side.
#include "chat/chathub.h"
#include "chinesetranslation.h"
#include "connectioncontroller.h"
#include "hubaccounts.h"
#include "memberlistmodel.h"
#include "messagemodel.h"
#include "roomlistmodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace chat::client;
using chat::server::ChatHub;
using chat::server::HubConfig;

namespace {

const QString kLobby = QStringLiteral("lobby");

QList<qint64> seqs(const MessageModel *model)
{
    QList<qint64> result;
    for (int row = 0; row < model->confirmedCount(); ++row)
        result.append(model->messageAt(row).seq);
    return result;
}

} // namespace

class TestHubRooms : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { QVERIFY(chat::test::installChineseTranslation()); }
    void init();
    void cleanup();

    void readingOnOneDeviceClearsTheOther();
    void directMessageMadeByItsFirstMessageAndFoundAgain();
    void olderHistoryPagesBackToTheStart();
    void createJoinLeave();
    void typingShowsOnTheOtherSide();
    void resumeFillsEveryRoomWithoutGap();
    void sendToNobodyIsDroppedAndSaid();
    void tooMuchMissedReloadsTheRoom();

private:
    void startHub(int resumeLimit);
    // A client of this account, started and connected; reading as given.
    ConnectionController *connect(const QString &account, bool reading = true);

    HubAccounts m_accounts;
    std::unique_ptr<ChatHub> m_hub;
    QList<ConnectionController *> m_clients;
    QList<QAbstractItemModelTester *> m_testers;
};

void TestHubRooms::init()
{
    startHub(1000);
}

void TestHubRooms::startHub(int resumeLimit)
{
    HubConfig config;
    config.resumeLimit = resumeLimit;
    config.host = QHostAddress::LocalHost;
    config.port = 0;
    config.ratePerSecond = 0; // the paging test sends a lot
    config.maxBytesPerSecond = 0;
    config.maxAddressBytesPerSecond = 0;
    config.accounts.cheapHashes = true;
    m_hub = std::make_unique<ChatHub>(config);
    QVERIFY2(m_hub->listen(), qPrintable(m_hub->errorString()));
}

void TestHubRooms::cleanup()
{
    qDeleteAll(m_testers);
    m_testers.clear();
    qDeleteAll(m_clients);
    m_clients.clear();
    m_hub.reset();
}

ConnectionController *TestHubRooms::connect(const QString &account, bool reading)
{
    auto *client = new ConnectionController;
    m_clients.append(client);
    if (!m_accounts.grant(*m_hub, account))
        qWarning("cannot add the account %s", qPrintable(account));
    client->setServerUrl(m_hub->url());
    client->setToken(account, m_accounts.tokenFor(account));
    client->setBackoff(50, 200);
    client->setReadDelay(50);
    client->setSendWindow(8);
    client->setReading(reading);
    for (QAbstractItemModel *model : std::initializer_list<QAbstractItemModel *>{
             client->rooms(), client->members(), client->messages()}) {
        m_testers.append(new QAbstractItemModelTester(
            model, QAbstractItemModelTester::FailureReportingMode::QtTest));
    }
    client->start();
    QSignalSpy joined(client, &ConnectionController::joined);
    if (client->state() != ConnectionState::Connected && !joined.wait())
        qWarning("%s did not connect", qPrintable(account));
    return client;
}

void TestHubRooms::readingOnOneDeviceClearsTheOther()
{
    // Two devices of alice, neither looking; bob writes in the lobby.
    ConnectionController *laptop = connect(QStringLiteral("alice"), false);
    ConnectionController *phone = connect(QStringLiteral("alice"), false);
    ConnectionController *bob = connect(QStringLiteral("bob"));
    QCOMPARE(laptop->currentRoom(), kLobby);
    bob->send(QStringLiteral("早上好"));
    bob->send(QStringLiteral("@alice 请看一下"));
    bob->send(QStringLiteral("谢谢"));
    for (ConnectionController *device : {laptop, phone}) {
        QTRY_COMPARE(device->rooms()->room(kLobby)->unread, 3);
        QCOMPARE(device->rooms()->room(kLobby)->mentions, 1);
    }
    // The laptop's window becomes active: the lobby is read there, and so on the phone.
    laptop->setReading(true);
    QCOMPARE(laptop->rooms()->room(kLobby)->unread, 0);
    QTRY_COMPARE(phone->rooms()->room(kLobby)->unread, 0);
    QCOMPARE(phone->rooms()->room(kLobby)->mentions, 0);
    QTRY_COMPARE(phone->rooms()->room(kLobby)->read, bob->messages()->lastSeq());
    // A device connecting now gets the counts as read.
    ConnectionController *tablet = connect(QStringLiteral("alice"), false);
    QCOMPARE(tablet->rooms()->room(kLobby)->unread, 0);
}

void TestHubRooms::directMessageMadeByItsFirstMessageAndFoundAgain()
{
    ConnectionController *alice = connect(QStringLiteral("alice"));
    ConnectionController *bob = connect(QStringLiteral("bob"));
    QVERIFY(alice->openDirect(QStringLiteral("bob")));
    QCOMPARE(alice->directDraft(), QStringLiteral("bob"));
    QSignalSpy current(alice, &ConnectionController::currentRoomChanged);
    QVERIFY(!alice->send(QStringLiteral("你好，bob")).isEmpty());
    // The server made the direct room: the draft became it, with the message in it.
    QVERIFY(current.wait());
    const QString room = alice->currentRoom();
    QVERIFY2(room.startsWith(u'@'), qPrintable(room));
    QVERIFY(alice->directDraft().isEmpty());
    QTRY_COMPARE(alice->pendingCount(), 0);
    QCOMPARE(alice->messages()->rowCount(), 1);
    QCOMPARE(alice->rooms()->directRoomWith(QStringLiteral("bob")), room);
    QCOMPARE(alice->rooms()->room(room)->with, QStringLiteral("bob"));

    // Bob's sidebar has it too, unread, titled with alice's name.
    QTRY_COMPARE(bob->rooms()->directRoomWith(QStringLiteral("alice")), room);
    QTRY_COMPARE(bob->rooms()->room(room)->unread, 1);
    QCOMPARE(bob->rooms()->index(bob->rooms()->indexOf(room)).data(RoomListModel::TitleRole),
             QVariant(QStringLiteral("alice")));
    // Bob answers with `to`: the same room, not a new one.
    QVERIFY(!bob->sendDirect(QStringLiteral("Alice"), QStringLiteral("你好！")).isEmpty());
    QTRY_COMPARE(alice->messages()->rowCount(), 2);

    // "发消息" again, from the lobby, finds the room; and so does a new device.
    QVERIFY(alice->selectRoom(kLobby));
    QVERIFY(alice->openDirect(QStringLiteral("BOB")));
    QCOMPARE(alice->currentRoom(), room);
    ConnectionController *again = connect(QStringLiteral("alice"));
    QVERIFY(again->openDirect(QStringLiteral("bob")));
    QCOMPARE(again->currentRoom(), room);
    QTRY_COMPARE(again->messages()->confirmedCount(), 2);
    QTRY_COMPARE(again->members()->count(), 2); // the direct room's two people
    QVERIFY(again->members()->isOnline(QStringLiteral("bob")));
    QCOMPARE(again->rooms()->rowCount(), 2); // the lobby and the direct room
}

void TestHubRooms::olderHistoryPagesBackToTheStart()
{
    ConnectionController *bob = connect(QStringLiteral("bob"));
    constexpr int kCount = 130; // almost three pages
    for (int i = 1; i <= kCount; ++i)
        bob->send(QStringLiteral("第 %1 条").arg(i));
    QTRY_COMPARE_WITH_TIMEOUT(bob->pendingCount(), 0, 20000);
    const qint64 newest = bob->messages()->lastSeq();

    // A new device sees the newest message at once, the page before it next.
    ConnectionController *alice = connect(QStringLiteral("alice"));
    MessageModel *lobby = alice->messages();
    QSignalSpy loaded(alice, &ConnectionController::historyLoaded);
    QTRY_VERIFY(lobby->confirmedCount() > 1);
    while (alice->hasOlder(kLobby)) {
        if (!alice->isLoadingOlder(kLobby))
            QVERIFY(alice->loadOlder());
        QVERIFY(loaded.wait());
    }
    QVERIFY(!alice->loadOlder()); // the start was reached
    const QList<qint64> held = seqs(lobby);
    QCOMPARE(held.size(), kCount);
    QCOMPARE(held.constLast(), newest);
    for (qsizetype i = 1; i < held.size(); ++i)
        QVERIFY2(held.at(i - 1) < held.at(i), "in order, without duplicates");
    QCOMPARE(lobby->index(0).data(MessageModel::TextRole).toString(), QStringLiteral("第 1 条"));
    // The same seqs as the sender saw live: no gap.
    QTRY_COMPARE(seqs(bob->messages()).mid(seqs(bob->messages()).size() - kCount), held);
}

void TestHubRooms::createJoinLeave()
{
    ConnectionController *alice = connect(QStringLiteral("alice"));
    ConnectionController *bob = connect(QStringLiteral("bob"));
    QSignalSpy aliceDone(alice, &ConnectionController::roomRequestDone);
    QSignalSpy bobDone(bob, &ConnectionController::roomRequestDone);
    QSignalSpy failed(bob, &ConnectionController::requestFailed);

    const QString create = alice->createRoom(QStringLiteral("dev"), QStringLiteral("开发组"),
                                             QStringLiteral("发布计划"), false);
    QVERIFY(aliceDone.wait());
    QCOMPARE(aliceDone.first().at(0).toString(), create);
    QTRY_VERIFY(alice->rooms()->contains(QStringLiteral("dev")));
    QCOMPARE(alice->rooms()->room(QStringLiteral("dev"))->role, QStringLiteral("owner"));
    QVERIFY(alice->selectRoom(QStringLiteral("dev")));

    // Bob finds it in the public list and joins; alice's conversation says so.
    QSignalSpy listed(bob, &ConnectionController::roomListReceived);
    const QString list = bob->listRooms();
    QVERIFY(listed.wait());
    const auto rooms = listed.first().at(1).value<QList<chat::proto::RoomSummary>>();
    QVERIFY(std::any_of(rooms.cbegin(), rooms.cend(), [](const chat::proto::RoomSummary &r) {
        return r.name == QStringLiteral("dev") && r.title == QStringLiteral("开发组") && !r.joined;
    }));
    bob->joinRoom(QStringLiteral("dev"));
    QVERIFY(bobDone.wait());
    QTRY_VERIFY(bob->rooms()->contains(QStringLiteral("dev")));
    MessageModel *dev = alice->messages(QStringLiteral("dev"));
    QTRY_VERIFY(dev->rowCount() > 0 &&
                dev->index(dev->rowCount() - 1).data(MessageModel::TextRole).toString() ==
                    QStringLiteral("bob 加入了房间"));
    QTRY_VERIFY(alice->members()->contains(QStringLiteral("bob")));
    QTRY_COMPARE(alice->rooms()->room(QStringLiteral("dev"))->members, 2);

    // The owner changes the topic: both see it.
    alice->updateRoom(QStringLiteral("dev"), std::nullopt, QStringLiteral("新话题"));
    QTRY_COMPARE(bob->rooms()->room(QStringLiteral("dev"))->topic, QStringLiteral("新话题"));
    // Bob may not; the refusal comes back by its id.
    const QString refused =
        bob->updateRoom(QStringLiteral("dev"), QStringLiteral("我的"), std::nullopt);
    QVERIFY(failed.wait());
    QCOMPARE(failed.first().at(0).toString(), refused);

    // Bob leaves: the room goes from his sidebar, and from alice's member list.
    QSignalSpy gone(bob, &ConnectionController::roomGone);
    bob->leaveRoom(QStringLiteral("dev"));
    QVERIFY(gone.wait());
    QCOMPARE(gone.first().at(2).toString(), QStringLiteral("left"));
    QVERIFY(!bob->rooms()->contains(QStringLiteral("dev")));
    QTRY_VERIFY(!alice->members()->contains(QStringLiteral("bob")));
}

void TestHubRooms::typingShowsOnTheOtherSide()
{
    ConnectionController *alice = connect(QStringLiteral("alice"));
    ConnectionController *bob = connect(QStringLiteral("bob"));
    QSignalSpy typing(alice, &ConnectionController::typingChanged);
    bob->userTyping();
    QVERIFY(typing.wait());
    QCOMPARE(alice->typingText(), QStringLiteral("bob 正在输入…"));
    // Bob's message ends it at once.
    bob->send(QStringLiteral("好了"));
    QTRY_COMPARE(alice->typingText(), QString());
}

void TestHubRooms::resumeFillsEveryRoomWithoutGap()
{
    ConnectionController *alice = connect(QStringLiteral("alice"), false);
    ConnectionController *bob = connect(QStringLiteral("bob"));
    QSignalSpy bobDone(bob, &ConnectionController::roomRequestDone);
    bob->createRoom(QStringLiteral("dev"), {}, {}, false);
    QVERIFY(bobDone.wait());
    QSignalSpy aliceDone(alice, &ConnectionController::roomRequestDone);
    alice->joinRoom(QStringLiteral("dev"));
    QVERIFY(aliceDone.wait());
    bob->sendToRoom(QStringLiteral("dev"), QStringLiteral("before"));
    bob->sendToRoom(kLobby, QStringLiteral("before"));
    MessageModel *dev = alice->messages(QStringLiteral("dev"));
    MessageModel *lobby = alice->messages(kLobby);
    QTRY_COMPARE(lobby->confirmedCount(), 1);
    QTRY_VERIFY(!alice->isLoadingOlder(kLobby));
    QTRY_VERIFY(dev->confirmedCount() >= 1);

    // Alice is away while bob writes in both rooms.
    alice->stop();
    for (int i = 1; i <= 5; ++i) {
        bob->sendToRoom(QStringLiteral("dev"), QStringLiteral("dev %1").arg(i));
        bob->sendToRoom(kLobby, QStringLiteral("lobby %1").arg(i));
    }
    QTRY_COMPARE(bob->pendingCount(), 0);
    QSignalSpy joined(alice, &ConnectionController::joined);
    alice->start();
    QVERIFY(joined.wait());
    // The same models, continued by the welcome's history: in order, nothing twice.
    QCOMPARE(alice->messages(kLobby), lobby);
    QTRY_COMPARE(lobby->confirmedCount(), 6);
    QCOMPARE(lobby->index(5).data(MessageModel::TextRole).toString(), QStringLiteral("lobby 5"));
    QCOMPARE(dev->index(dev->rowCount() - 1).data(MessageModel::TextRole).toString(),
             QStringLiteral("dev 5"));
    QCOMPARE(seqs(dev).mid(seqs(dev).size() - 6),
             seqs(bob->messages(QStringLiteral("dev")))
                 .mid(seqs(bob->messages(QStringLiteral("dev"))).size() - 6));
    // The counts came with the welcome: alice was not reading.
    QCOMPARE(alice->rooms()->room(QStringLiteral("dev"))->unread, 6);
    QCOMPARE(alice->rooms()->room(kLobby)->unread, 6);
}

void TestHubRooms::sendToNobodyIsDroppedAndSaid()
{
    ConnectionController *alice = connect(QStringLiteral("alice"));
    QSignalSpy errors(alice, &ConnectionController::errorOccurred);
    // Nobody is called zed, and alice is in no room called secret: refused for good, not retried.
    QVERIFY(alice->openDirect(QStringLiteral("zed")));
    QVERIFY(!alice->send(QStringLiteral("hello?")).isEmpty());
    QVERIFY(!alice->sendToRoom(QStringLiteral("secret"), QStringLiteral("hi")).isEmpty());
    QTRY_COMPARE(alice->pendingCount(), 0);
    QCOMPARE(alice->messages()->rowCount(), 0);
    QTRY_COMPARE(errors.count(), 2);
    QVERIFY2(errors.first().at(0).toString().startsWith(QStringLiteral("消息未能发送：")),
             qPrintable(errors.first().at(0).toString()));
    QCOMPARE(alice->state(), ConnectionState::Connected);
}

void TestHubRooms::tooMuchMissedReloadsTheRoom()
{
    m_hub.reset();
    startHub(5); // a welcome carries at most 5 missed messages
    ConnectionController *alice = connect(QStringLiteral("alice"), false);
    ConnectionController *bob = connect(QStringLiteral("bob"));
    bob->send(QStringLiteral("first"));
    MessageModel *lobby = alice->messages(kLobby);
    QTRY_COMPARE(lobby->confirmedCount(), 1);

    alice->stop();
    for (int i = 1; i <= 12; ++i)
        bob->send(QStringLiteral("missed %1").arg(i));
    QTRY_COMPARE(bob->pendingCount(), 0);
    QSignalSpy loaded(alice, &ConnectionController::historyLoaded);
    alice->start();
    // More than a welcome holds: the lobby is loaded afresh, its newest page, and older on demand.
    QVERIFY(loaded.wait());
    QTRY_VERIFY(!alice->isLoadingOlder(kLobby));
    QCOMPARE(alice->messages(kLobby), lobby);
    QCOMPARE(seqs(lobby), seqs(bob->messages(kLobby))
                              .mid(seqs(bob->messages(kLobby)).size() - lobby->confirmedCount()));
    QCOMPARE(lobby->index(lobby->rowCount() - 1).data(MessageModel::TextRole).toString(),
             QStringLiteral("missed 12"));
    QCOMPARE(lobby->index(0).data(MessageModel::TextRole).toString(), QStringLiteral("first"));
    QCOMPARE(alice->rooms()->room(kLobby)->unread, 13); // "first" too: alice never read
}

QTEST_GUILESS_MAIN(TestHubRooms)
#include "tst_hubrooms.moc"
