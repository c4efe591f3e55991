// The rooms as the client keeps them (Rooms, RoomListModel, TypingTracker), fed with the
// server's messages by hand: the welcome's rooms, `room`, `room_gone`, `unread`, messages
// counting as unread and mentions, read marks for the room being read, the welcome's history
// and reload, direct-message drafts, and typing notices that expire.
#include "chinesetranslation.h"
#include "memberlistmodel.h"
#include "messagemodel.h"
#include "outbox.h"
#include "roomlistmodel.h"
#include "rooms.h"
#include "typingtracker.h"

#include <QAbstractItemModelTester>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>

using namespace chat::client;
namespace proto = chat::proto;

namespace {

const QString kLobby = QStringLiteral("lobby");
const QString kDev = QStringLiteral("dev");
const QString kDirect = QStringLiteral("@1-2"); // alice (1) and bob (2)

proto::Message said(const QString &room, qint64 seq, const QString &from, const QString &text,
                    const QString &id = {})
{
    proto::Message m;
    m.seq = seq;
    m.id = id.isEmpty() ? QStringLiteral("id-%1").arg(seq) : id;
    m.room = room;
    m.from = from;
    m.time = QDateTime(QDate(2026, 12, 1), QTime(9, 0), Qt::UTC).addSecs(seq);
    m.text = text;
    return m;
}

proto::Message roomEvent(const QString &room, qint64 seq, const QString &kind, const QString &from,
                         const QString &target = {}, const QString &text = {})
{
    proto::Message m = said(room, seq, from, text);
    m.id.clear();
    m.event = kind;
    m.target = target;
    return m;
}

proto::RoomState state(const QString &name, const QString &title = {}, int unread = 0,
                       int mentions = 0, std::optional<proto::Message> last = std::nullopt)
{
    proto::RoomState r;
    r.name = name;
    r.title = title;
    r.role = QStringLiteral("member");
    r.members = 3;
    r.unread = unread;
    r.mentions = mentions;
    r.last = std::move(last);
    r.read = r.last ? r.last->seq - unread : 0;
    return r;
}

proto::RoomState direct(const QString &name, const QString &with)
{
    proto::RoomState r = state(name);
    r.direct = true;
    r.isPrivate = true;
    r.with = with;
    r.members = 2;
    return r;
}

proto::Welcome welcome(const QList<proto::RoomState> &rooms)
{
    proto::Welcome w;
    w.account = QStringLiteral("alice");
    w.seq = 100;
    w.rooms = rooms;
    return w;
}

QList<qint64> seqs(const MessageModel *model)
{
    QList<qint64> result;
    for (int row = 0; row < model->confirmedCount(); ++row)
        result.append(model->messageAt(row).seq);
    return result;
}

QStringList titles(const RoomListModel *list)
{
    QStringList result;
    for (int row = 0; row < list->rowCount(); ++row)
        result.append(list->index(row).data(RoomListModel::TitleRole).toString());
    return result;
}

} // namespace

class TestRooms : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { QVERIFY(chat::test::installChineseTranslation()); }
    void init();
    void cleanup();

    void welcomeFillsTheSidebar();
    void roomUpdatesAndGone();
    void messagesCountUnreadAndMentions();
    void readingTheRoomMarksItRead();
    void readMarksAreThrottled();
    void unreadFromAnotherDevice();
    void resumedHistoryAndReload();
    void freshWelcomeReplacesWhatWasHeld();
    void olderPagesMergeWithoutGapOrDuplicate();
    void directDraftBecomesTheRoom();
    void directOpensTheExistingRoom();
    void eventsKeepMembersAndTitles();
    void typingExpiresOrEndsWithTheMessage();
    void typingLines();
    void outboxCarriesRoomOrRecipient();

private:
    void selectAndAnswerMembers(const QString &room);

    Rooms *m_rooms = nullptr;
    QList<QAbstractItemModelTester *> m_testers;
};

void TestRooms::init()
{
    m_rooms = new Rooms;
    m_rooms->setOwnAccount(QStringLiteral("alice"));
    for (QAbstractItemModel *model :
         std::initializer_list<QAbstractItemModel *>{m_rooms->list(), m_rooms->members()}) {
        m_testers.append(new QAbstractItemModelTester(
            model, QAbstractItemModelTester::FailureReportingMode::QtTest));
    }
}

void TestRooms::cleanup()
{
    qDeleteAll(m_testers);
    m_testers.clear();
    delete m_rooms;
}

void TestRooms::welcomeFillsTheSidebar()
{
    QSignalSpy members(m_rooms, &Rooms::membersWanted);
    m_rooms->applyWelcome(
        welcome({direct(kDirect, QStringLiteral("bob")),
                 state(kDev, QStringLiteral("开发组"), 2, 1,
                       said(kDev, 50, QStringLiteral("bob"), QStringLiteral("@alice 看一下"))),
                 state(kLobby, {}, 0, 0,
                       said(kLobby, 40, QStringLiteral("carol"), QStringLiteral("hi")))}));
    RoomListModel *list = m_rooms->list();
    // Rooms by title, then the direct conversations by the other person.
    QCOMPARE(titles(list), (QStringList{QStringLiteral("lobby"), QStringLiteral("开发组"),
                                        QStringLiteral("bob")}));
    const QModelIndex dev = list->index(list->indexOf(kDev));
    QCOMPARE(dev.data(RoomListModel::UnreadRole).toInt(), 2);
    QCOMPARE(dev.data(RoomListModel::MentionsRole).toInt(), 1);
    QCOMPARE(dev.data(RoomListModel::LastTextRole).toString(), QStringLiteral("@alice 看一下"));
    QCOMPARE(dev.data(RoomListModel::LastFromRole).toString(), QStringLiteral("bob"));
    QCOMPARE(list->index(2).data(RoomListModel::DirectRole).toBool(), true);
    QCOMPARE(list->directRoomWith(QStringLiteral("BOB")), kDirect);
    QCOMPARE(list->totalUnread(), 2);
    QCOMPARE(list->roleNames().value(RoomListModel::LastTextRole), QByteArray("lastText"));

    // The lobby is selected; its members are asked for; its newest message is shown.
    QCOMPARE(m_rooms->currentRoom(), kLobby);
    QCOMPARE(members.count(), 1);
    QCOMPARE(members.first().at(0).toString(), kLobby);
    QCOMPARE(seqs(m_rooms->current()), QList<qint64>{40});

    // The preview reads without formatting marks, under the sender's display name.
    proto::Message marked = said(kLobby, 60, QStringLiteral("carol"),
                                 QStringLiteral("**好**，看 `release/2.3`\n第二行"));
    marked.display = QStringLiteral("卡罗尔");
    m_rooms->applyMessage(marked);
    const QModelIndex lobby = list->index(list->indexOf(kLobby));
    QCOMPARE(lobby.data(RoomListModel::LastTextRole).toString(),
             QStringLiteral("好，看 release/2.3 第二行"));
    QCOMPARE(lobby.data(RoomListModel::LastFromRole).toString(), QStringLiteral("卡罗尔"));
}

void TestRooms::roomUpdatesAndGone()
{
    m_rooms->applyWelcome(welcome({state(kLobby), state(kDev, QStringLiteral("b 开发"))}));
    QVERIFY(m_rooms->select(kDev));
    QSignalSpy gone(m_rooms, &Rooms::roomGone);
    QSignalSpy current(m_rooms, &Rooms::currentChanged);

    // Renamed: the row moves to its new place.
    proto::RoomState renamed = state(kDev, QStringLiteral("z 开发"));
    renamed.role = QStringLiteral("owner");
    m_rooms->applyRoom(renamed);
    QCOMPARE(titles(m_rooms->list()),
             (QStringList{QStringLiteral("lobby"), QStringLiteral("z 开发")}));
    QCOMPARE(m_rooms->list()->room(kDev)->role, QStringLiteral("owner"));
    // A new room joined on another device.
    m_rooms->applyRoom(state(QStringLiteral("art"), QStringLiteral("a 美术")));
    QCOMPARE(m_rooms->list()->rowCount(), 3);

    m_rooms->applyRoomGone(proto::RoomGone{kDev, QStringLiteral("removed")});
    QCOMPARE(m_rooms->list()->rowCount(), 2);
    QVERIFY(!m_rooms->list()->contains(kDev));
    QCOMPARE(gone.count(), 1);
    QCOMPARE(gone.first().at(1).toString(), QStringLiteral("z 开发"));
    QCOMPARE(gone.first().at(2).toString(), QStringLiteral("removed"));
    // The selected room went: the lobby is shown instead.
    QCOMPARE(m_rooms->currentRoom(), kLobby);
    QCOMPARE(current.count(), 1);
    m_rooms->applyRoomGone(proto::RoomGone{kDev, QStringLiteral("left")}); // again: nothing
    QCOMPARE(gone.count(), 1);
}

void TestRooms::messagesCountUnreadAndMentions()
{
    m_rooms->applyWelcome(welcome({state(kLobby), state(kDev)}));
    QSignalSpy counts(m_rooms->list(), &RoomListModel::countsChanged);
    // The lobby is being read; dev is not.
    m_rooms->applyMessage(said(kDev, 101, QStringLiteral("bob"), QStringLiteral("hi")));
    m_rooms->applyMessage(said(kDev, 102, QStringLiteral("bob"), QStringLiteral("@Alice 看这个")));
    m_rooms->applyMessage(
        said(kDev, 103, QStringLiteral("carol"), QStringLiteral("mail alice@example.org")));
    m_rooms->applyMessage(
        said(kDev, 103, QStringLiteral("carol"), QStringLiteral("again"))); // a repeat
    m_rooms->applyMessage(roomEvent(kDev, 104, QStringLiteral("joined"), QStringLiteral("dave")));
    std::optional<proto::RoomState> dev = m_rooms->list()->room(kDev);
    QCOMPARE(dev->unread, 3);
    QCOMPARE(dev->mentions, 1);
    QCOMPARE(dev->members, 4); // dave joined
    QCOMPARE(dev->last->seq, 104);
    QVERIFY(counts.count() >= 3);
    // Our own message (from another device) reads the room up to it, as the server counts.
    m_rooms->applyMessage(said(kDev, 105, QStringLiteral("alice"), QStringLiteral("seen")));
    dev = m_rooms->list()->room(kDev);
    QCOMPARE(dev->unread, 0);
    QCOMPARE(dev->mentions, 0);
    QCOMPARE(dev->read, 105);
    // A message to the room being read does not count.
    m_rooms->applyMessage(said(kLobby, 106, QStringLiteral("bob"), QStringLiteral("@alice")));
    QCOMPARE(m_rooms->list()->room(kLobby)->unread, 0);
    QCOMPARE(m_rooms->list()->room(kLobby)->mentions, 0);
}

void TestRooms::readingTheRoomMarksItRead()
{
    m_rooms->setReading(false);
    m_rooms->applyWelcome(welcome(
        {state(kLobby),
         state(kDev, {}, 2, 0, said(kDev, 90, QStringLiteral("bob"), QStringLiteral("x")))}));
    QSignalSpy reads(m_rooms, &Rooms::readWanted);
    m_rooms->applyMessage(said(kLobby, 101, QStringLiteral("bob"), QStringLiteral("not seen")));
    QCOMPARE(m_rooms->list()->room(kLobby)->unread, 1); // the window is not active
    QCOMPARE(reads.count(), 0);
    m_rooms->setReading(true);
    QCOMPARE(reads.count(), 1);
    QCOMPARE(reads.first().at(0).toString(), kLobby);
    QCOMPARE(reads.first().at(1).toLongLong(), 101);
    QCOMPARE(m_rooms->list()->room(kLobby)->unread, 0);

    // Selecting a room with unread messages reads it (the mark waits for the throttle).
    m_rooms->setReadDelay(20);
    QVERIFY(m_rooms->select(kDev));
    QCOMPARE(m_rooms->list()->room(kDev)->unread, 0);
    QTRY_COMPARE(reads.count(), 2);
    QCOMPARE(reads.last().at(0).toString(), kDev);
    QCOMPARE(reads.last().at(1).toLongLong(), 90);
}

void TestRooms::readMarksAreThrottled()
{
    m_rooms->setReadDelay(200);
    m_rooms->applyWelcome(welcome({state(kLobby)}));
    QSignalSpy reads(m_rooms, &Rooms::readWanted);
    QElapsedTimer clock;
    clock.start();
    for (qint64 seq = 101; seq <= 110; ++seq)
        m_rooms->applyMessage(said(kLobby, seq, QStringLiteral("bob"), QStringLiteral("m")));
    QCOMPARE(reads.count(), 1); // the first at once, the rest held back
    QCOMPARE(reads.first().at(1).toLongLong(), 101);
    QVERIFY(reads.wait());
    QCOMPARE(reads.count(), 2); // then one mark for all of them
    QCOMPARE(reads.last().at(1).toLongLong(), 110);
    QVERIFY(clock.elapsed() >= 150);
}

void TestRooms::unreadFromAnotherDevice()
{
    m_rooms->applyWelcome(welcome(
        {state(kLobby),
         state(kDev, {}, 5, 2, said(kDev, 99, QStringLiteral("bob"), QStringLiteral("x")))}));
    QCOMPARE(m_rooms->list()->totalUnread(), 5);
    m_rooms->applyUnread(proto::Unread{kDev, 99, 0, 0});
    QCOMPARE(m_rooms->list()->room(kDev)->unread, 0);
    QCOMPARE(m_rooms->list()->room(kDev)->mentions, 0);
    QCOMPARE(m_rooms->list()->room(kDev)->read, 99);
    QCOMPARE(m_rooms->list()->totalUnread(), 0);
    m_rooms->applyUnread(proto::Unread{QStringLiteral("gone"), 1, 1, 1}); // not ours: ignored
    QCOMPARE(m_rooms->list()->rowCount(), 2);
}

void TestRooms::resumedHistoryAndReload()
{
    m_rooms->applyWelcome(welcome(
        {state(kLobby, {}, 0, 0, said(kLobby, 10, QStringLiteral("bob"), QStringLiteral("a"))),
         state(kDev, {}, 0, 0, said(kDev, 11, QStringLiteral("bob"), QStringLiteral("b")))}));
    MessageModel *lobby = m_rooms->messages(kLobby);
    MessageModel *dev = m_rooms->messages(kDev);
    QCOMPARE(seqs(lobby), QList<qint64>{10});
    QCOMPARE(seqs(dev), QList<qint64>{11});

    // Back after a drop: the lobby's missed messages come in the welcome, dev is to be reloaded.
    m_rooms->connectionLost();
    QSignalSpy history(m_rooms, &Rooms::historyWanted);
    proto::Welcome resumed = welcome(
        {state(kLobby, {}, 1, 0, said(kLobby, 13, QStringLiteral("bob"), QStringLiteral("c"))),
         state(kDev, {}, 0, 0, said(kDev, 14, QStringLiteral("bob"), QStringLiteral("d")))});
    resumed.resumed = true;
    resumed.history = {said(kLobby, 10, QStringLiteral("bob"), QStringLiteral("a")), // held already
                       said(kLobby, 12, QStringLiteral("bob"), QStringLiteral("b")),
                       said(kLobby, 13, QStringLiteral("bob"), QStringLiteral("c"))};
    resumed.reload = {kDev};
    m_rooms->applyWelcome(resumed);
    QCOMPARE(m_rooms->messages(kLobby), lobby); // the same models
    QCOMPARE(seqs(lobby), (QList<qint64>{10, 12, 13}));
    QCOMPARE(seqs(dev), QList<qint64>{});
    QVERIFY(m_rooms->isLoadingOlder(kDev));
    const auto reload =
        std::find_if(history.cbegin(), history.cend(),
                     [](const QList<QVariant> &a) { return a.at(0).toString() == kDev; });
    QVERIFY(reload != history.cend());
    QCOMPARE(reload->at(1).toLongLong(), 0); // the newest page
    m_rooms->historyRequested(kDev, QStringLiteral("h1"));
    m_rooms->applyHistory(
        proto::HistoryPage{QStringLiteral("h1"),
                           kDev,
                           {said(kDev, 5, QStringLiteral("bob"), QStringLiteral("x")),
                            said(kDev, 14, QStringLiteral("bob"), QStringLiteral("d"))},
                           true});
    QCOMPARE(seqs(dev), (QList<qint64>{5, 14}));
    QVERIFY(!m_rooms->isLoadingOlder(kDev));
    QVERIFY(dev->hasMore());
}

void TestRooms::freshWelcomeReplacesWhatWasHeld()
{
    m_rooms->applyWelcome(welcome(
        {state(kLobby, {}, 0, 0, said(kLobby, 10, QStringLiteral("bob"), QStringLiteral("a")))}));
    MessageModel *lobby = m_rooms->messages(kLobby);
    lobby->addPending(proto::Send{QStringLiteral("p1"), kLobby, {}, QStringLiteral("waiting")});
    m_rooms->applyMessage(said(kLobby, 11, QStringLiteral("bob"), QStringLiteral("b")));
    QCOMPARE(seqs(lobby), (QList<qint64>{10, 11}));
    // A server that started afresh: its newest message replaces ours; ours still waits.
    m_rooms->connectionLost();
    m_rooms->applyWelcome(welcome({state(
        kLobby, {}, 0, 0, said(kLobby, 3, QStringLiteral("carol"), QStringLiteral("new")))}));
    QCOMPARE(seqs(lobby), QList<qint64>{3});
    QCOMPARE(lobby->pendingCount(), 1);
}

void TestRooms::olderPagesMergeWithoutGapOrDuplicate()
{
    m_rooms->applyWelcome(welcome({state(
        kLobby, {}, 0, 0, said(kLobby, 200, QStringLiteral("bob"), QStringLiteral("newest")))}));
    QSignalSpy wanted(m_rooms, &Rooms::historyWanted);
    QSignalSpy loaded(m_rooms, &Rooms::historyLoaded);
    MessageModel *lobby = m_rooms->messages(kLobby);
    // The welcome already asked for the page before the only message held (too few to scroll).
    QVERIFY(m_rooms->isLoadingOlder(kLobby));
    QVERIFY(!m_rooms->loadOlder(kLobby)); // one at a time
    m_rooms->historyRequested(kLobby, QStringLiteral("p1"));

    QList<proto::Message> page;
    for (qint64 seq = 150; seq < 200; ++seq)
        page.append(said(kLobby, seq, QStringLiteral("bob"), QStringLiteral("m")));
    m_rooms->applyMessage(said(kLobby, 201, QStringLiteral("bob"), QStringLiteral("live")));
    // An answer to another request is not this one.
    m_rooms->applyHistory(proto::HistoryPage{QStringLiteral("other"), kLobby, page, true});
    QCOMPARE(lobby->confirmedCount(), 2);
    m_rooms->applyHistory(proto::HistoryPage{QStringLiteral("p1"), kLobby, page, true});
    QCOMPARE(loaded.count(), 1);
    QCOMPARE(lobby->confirmedCount(), 52);

    QVERIFY(m_rooms->loadOlder(kLobby));
    QCOMPARE(wanted.last().at(1).toLongLong(), 150); // before the oldest held
    m_rooms->historyRequested(kLobby, QStringLiteral("p2"));
    page.clear();
    for (qint64 seq = 1; seq < 150; ++seq)
        page.append(said(kLobby, seq, QStringLiteral("bob"), QStringLiteral("m")));
    m_rooms->applyHistory(proto::HistoryPage{QStringLiteral("p2"), kLobby, page, false});
    QList<qint64> all;
    for (qint64 seq = 1; seq <= 201; ++seq)
        all.append(seq);
    QCOMPARE(seqs(lobby), all);
    QVERIFY(!m_rooms->hasOlder(kLobby));
    QVERIFY(!m_rooms->loadOlder(kLobby)); // the start was reached

    // A request that failed can be made again.
    m_rooms->applyWelcome(welcome(
        {state(kDev, {}, 0, 0, said(kDev, 300, QStringLiteral("bob"), QStringLiteral("x")))}));
    QVERIFY(m_rooms->isLoadingOlder(kDev));
    m_rooms->historyRequested(kDev, QStringLiteral("p3"));
    m_rooms->requestFailed(QStringLiteral("p3"));
    QVERIFY(!m_rooms->isLoadingOlder(kDev));
    QVERIFY(m_rooms->loadOlder(kDev));
}

void TestRooms::directDraftBecomesTheRoom()
{
    m_rooms->applyWelcome(welcome({state(kLobby)}));
    QSignalSpy current(m_rooms, &Rooms::currentChanged);
    QVERIFY(!m_rooms->openDirect(QStringLiteral("Alice"))); // ourselves
    QVERIFY(m_rooms->openDirect(QStringLiteral("bob")));
    QCOMPARE(current.count(), 1);
    QCOMPARE(m_rooms->directDraft(), QStringLiteral("bob"));
    QCOMPARE(m_rooms->currentRoom(), QString());
    MessageModel *draft = m_rooms->current();
    QCOMPARE(draft->rowCount(), 0);

    // The first message goes out with `to` and shows in the draft.
    Outbox outbox;
    const proto::Send first = outbox.enqueue(QStringLiteral("你好"), {}, QStringLiteral("bob"));
    QCOMPARE(first.to, QStringLiteral("bob"));
    QVERIFY(first.room.isEmpty());
    m_rooms->addPending(first);
    QCOMPARE(draft->pendingCount(), 1);

    // The server made the room: the draft becomes it, with our message still pending there.
    m_rooms->applyRoom(direct(kDirect, QStringLiteral("bob")));
    QCOMPARE(m_rooms->currentRoom(), kDirect);
    QCOMPARE(m_rooms->directDraft(), QString());
    QCOMPARE(current.count(), 2);
    QCOMPARE(m_rooms->current(), draft);
    QCOMPARE(m_rooms->messages(kDirect), draft);
    // Its echo acknowledges it.
    m_rooms->applyMessage(
        said(kDirect, 120, QStringLiteral("alice"), QStringLiteral("你好"), first.id));
    QCOMPARE(draft->pendingCount(), 0);
    QCOMPARE(seqs(draft), QList<qint64>{120});
    // "发消息" again finds the room.
    QVERIFY(m_rooms->select(kLobby));
    QVERIFY(m_rooms->openDirect(QStringLiteral("BOB")));
    QCOMPARE(m_rooms->currentRoom(), kDirect);
    QCOMPARE(titles(m_rooms->list()), (QStringList{kLobby, QStringLiteral("bob")}));
}

void TestRooms::directOpensTheExistingRoom()
{
    m_rooms->applyWelcome(welcome({state(kLobby), direct(kDirect, QStringLiteral("bob"))}));
    QVERIFY(m_rooms->openDirect(QStringLiteral("bob")));
    QCOMPARE(m_rooms->currentRoom(), kDirect);
    QVERIFY(m_rooms->directDraft().isEmpty());
    // A message sent with `to` while the room is known shows in the room.
    m_rooms->addPending(
        proto::Send{QStringLiteral("d1"), {}, QStringLiteral("bob"), QStringLiteral("x")});
    QCOMPARE(m_rooms->messages(kDirect)->pendingCount(), 1);
}

void TestRooms::selectAndAnswerMembers(const QString &room)
{
    QSignalSpy wanted(m_rooms, &Rooms::membersWanted);
    QVERIFY(m_rooms->select(room));
    QCOMPARE(wanted.count(), 1);
    m_rooms->membersRequested(room, {}, QStringLiteral("mem1"));
    m_rooms->applyMembers(proto::MemberList{
        QStringLiteral("mem1"),
        room,
        {proto::RoomMember{QStringLiteral("alice"), {}, QStringLiteral("owner"), true},
         proto::RoomMember{QStringLiteral("bob"), {}, QStringLiteral("member"), false}},
        QStringLiteral("bob"),
        1});
    // More follow: the next page is asked for after the last name.
    QCOMPARE(wanted.count(), 2);
    QCOMPARE(wanted.last().at(1).toString(), QStringLiteral("bob"));
    m_rooms->membersRequested(room, QStringLiteral("bob"), QStringLiteral("mem2"));
    m_rooms->applyMembers(proto::MemberList{
        QStringLiteral("mem2"),
        room,
        {proto::RoomMember{QStringLiteral("carol"), {}, QStringLiteral("member"), true}},
        {},
        2});
    QCOMPARE(wanted.count(), 2);
}

void TestRooms::eventsKeepMembersAndTitles()
{
    m_rooms->applyWelcome(welcome({state(kLobby), state(kDev, QStringLiteral("开发组"))}));
    selectAndAnswerMembers(kDev);
    MemberListModel *members = m_rooms->members();
    QCOMPARE(members->room(), kDev);
    QCOMPARE(members->names(), (QStringList{QStringLiteral("alice"), QStringLiteral("carol"),
                                            QStringLiteral("bob")}));
    QCOMPARE(members->onlineCount(), 2);

    m_rooms->applyPresence(proto::Presence{
        kDev, {proto::User{QStringLiteral("bob"), {}}}, {QStringLiteral("carol")}, 2});
    QVERIFY(members->isOnline(QStringLiteral("bob")));
    QVERIFY(!members->isOnline(QStringLiteral("carol")));
    m_rooms->applyPresence(proto::Presence{kLobby, {}, {QStringLiteral("bob")}, 0}); // another room
    QVERIFY(members->isOnline(QStringLiteral("bob")));

    m_rooms->applyMessage(roomEvent(kDev, 101, QStringLiteral("joined"), QStringLiteral("dave")));
    QVERIFY(members->contains(QStringLiteral("dave")));
    m_rooms->applyMessage(roomEvent(kDev, 102, QStringLiteral("removed"), QStringLiteral("alice"),
                                    QStringLiteral("bob")));
    QVERIFY(!members->contains(QStringLiteral("bob")));
    m_rooms->applyMessage(roomEvent(kDev, 103, QStringLiteral("owner"), QStringLiteral("alice"),
                                    QStringLiteral("carol")));
    QCOMPARE(members->memberAt(members->names().indexOf(QStringLiteral("carol"))).role,
             QStringLiteral("owner"));
    m_rooms->applyMessage(roomEvent(kDev, 104, QStringLiteral("topic"), QStringLiteral("carol"), {},
                                    QStringLiteral("发布计划")));
    m_rooms->applyMessage(roomEvent(kDev, 105, QStringLiteral("title"), QStringLiteral("carol"), {},
                                    QStringLiteral("发布组")));
    QCOMPARE(m_rooms->list()->room(kDev)->topic, QStringLiteral("发布计划"));
    QCOMPARE(m_rooms->list()->room(kDev)->title, QStringLiteral("发布组"));
    QCOMPARE(m_rooms->list()->room(kDev)->members, 3); // +dave -bob
    // The conversation shows them as system lines.
    MessageModel *dev = m_rooms->messages(kDev);
    QCOMPARE(dev->index(dev->rowCount() - 1).data(MessageModel::TextRole).toString(),
             QStringLiteral("carol 把标题改为：发布组"));
    QCOMPARE(m_rooms->list()->room(kDev)->unread, 0); // events are not unread messages
}

void TestRooms::typingExpiresOrEndsWithTheMessage()
{
    m_rooms->applyWelcome(welcome({state(kLobby), state(kDev)}));
    m_rooms->typing()->setExpiry(150);
    QSignalSpy changed(m_rooms->typing(), &TypingTracker::changed);
    m_rooms->applyTyping(proto::TypingNotice{kLobby, QStringLiteral("bob"), {}});
    m_rooms->applyTyping(
        proto::TypingNotice{kDev, QStringLiteral("carol"), QStringLiteral("卡罗尔")});
    m_rooms->applyTyping(proto::TypingNotice{kDev, QStringLiteral("alice"), {}}); // ourselves
    QCOMPARE(m_rooms->typing()->text(kLobby), QStringLiteral("bob 正在输入…"));
    QCOMPARE(m_rooms->typing()->text(kDev), QStringLiteral("卡罗尔 (carol) 正在输入…"));

    // Bob's message ends his notice at once.
    m_rooms->applyMessage(said(kLobby, 101, QStringLiteral("Bob"), QStringLiteral("done")));
    QCOMPARE(m_rooms->typing()->text(kLobby), QString());
    // Carol's expires by itself.
    QElapsedTimer clock;
    clock.start();
    QTRY_COMPARE(m_rooms->typing()->text(kDev), QString());
    QVERIFY(clock.elapsed() >= 100);
    QTRY_COMPARE(changed.count(), 4); // the expiry is told too
}

void TestRooms::typingLines()
{
    TypingTracker tracker;
    tracker.noteTyping(kLobby, QStringLiteral("bob"), {});
    tracker.noteTyping(kLobby, QStringLiteral("carol"), {});
    QCOMPARE(tracker.text(kLobby), QStringLiteral("bob、carol 正在输入…"));
    tracker.noteTyping(kLobby, QStringLiteral("dave"), {});
    tracker.noteTyping(kLobby, QStringLiteral("erin"), {});
    QCOMPARE(tracker.text(kLobby), QStringLiteral("4 人正在输入…"));
    tracker.noteTyping(kLobby, QStringLiteral("BOB"), {}); // the same person again
    QCOMPARE(tracker.typing(kLobby).size(), 4);
    tracker.clear();
    QCOMPARE(tracker.text(kLobby), QString());
}

void TestRooms::outboxCarriesRoomOrRecipient()
{
    Outbox outbox;
    QCOMPARE(outbox.enqueue(QStringLiteral("a")).room, kLobby);
    const proto::Send toDev = outbox.enqueue(QStringLiteral("b"), kDev);
    QCOMPARE(toDev.room, kDev);
    QVERIFY(toDev.to.isEmpty());
    const proto::Send toBob = outbox.enqueue(QStringLiteral("c"), {}, QStringLiteral("bob"));
    QVERIFY(toBob.room.isEmpty());
    QCOMPARE(toBob.to, QStringLiteral("bob"));
    QCOMPARE(outbox.items().size(), 3);
}

QTEST_GUILESS_MAIN(TestRooms)
#include "tst_clientrooms.moc"
