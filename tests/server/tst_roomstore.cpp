// The room stores, memory, SQLite and PostgreSQL, row by row the same: the lobby of a new store,
// rooms and their names, members, read positions, the accounts seen; and for SQLite all of it
// after reopening the file, which the rooms share with the history and the accounts.
#include "hubconfig.h"
#include "store/postgresconnection.h"
#include "store/roomstore.h"
#include "store/statenotice.h"
#include "storetestbase.h"

#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlDriver>

#include <algorithm>

using namespace chat::test;
using chat::server::HubConfig;
using chat::server::MembershipRecord;
using chat::server::openStores;
using chat::server::RoomRecord;
using chat::server::RoomRole;
using chat::server::RoomSnapshot;
using chat::server::RoomStore;
using chat::server::Stores;

namespace {

RoomRecord room(const QString &name, const QString &title = {}, bool isPrivate = false,
                bool direct = false)
{
    RoomRecord record;
    record.name = name;
    record.title = title;
    record.isPrivate = isPrivate;
    record.direct = direct;
    record.created = kNow;
    return record;
}

MembershipRecord member(qint64 roomId, qint64 accountId, RoomRole role = RoomRole::Member,
                        qint64 readSeq = 0)
{
    return {roomId, accountId, role, kNow.addSecs(accountId), readSeq};
}

RoomSnapshot load(RoomStore &store)
{
    RoomSnapshot snapshot;
    if (!store.load(&snapshot))
        qWarning("load failed: %s", qPrintable(store.errorString()));
    return snapshot;
}

QStringList names(const RoomSnapshot &snapshot)
{
    QStringList result;
    for (const RoomRecord &record : snapshot.rooms)
        result.append(record.name);
    return result;
}

} // namespace

class RoomStoreTest : public StoreTestBase
{
    Q_OBJECT
private slots:
    void init()
    {
        makeDir();
        preparePostgres();
    }
    void cleanup()
    {
        m_stores = {};
        m_dir.reset();
    }

    void newStoreHasLobby_data() { kinds(); }
    void newStoreHasLobby();
    void createRooms_data() { kinds(); }
    void createRooms();
    void nameTaken_data() { kinds(); }
    void nameTaken();
    void updateRoom_data() { kinds(); }
    void updateRoom();
    void members_data() { kinds(); }
    void members();
    void readPositions_data() { kinds(); }
    void readPositions();
    void seenAccounts_data() { kinds(); }
    void seenAccounts();
    void everythingAfterReopen();
    // What a node reads again when another node changed something (clusterstate.cpp).
    void partsOfTheSnapshot_data() { kinds(); }
    void partsOfTheSnapshot();
    // PostgreSQL: each change tells every listener what changed (store/statenotice.h).
    void changesAreAnnounced_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addRow("postgres") << QStringLiteral("postgres");
    }
    void changesAreAnnounced();
    void storesGoInAnyOrder();

private:
    static void kinds()
    {
        QTest::addColumn<QString>("kind");
        QTest::addRow("memory") << QStringLiteral("memory");
        QTest::addRow("sqlite") << QStringLiteral("sqlite");
        QTest::addRow("postgres") << QStringLiteral("postgres");
    }
    // Where the row's stores are: in memory, the SQLite file or the PostgreSQL database.
    [[nodiscard]] QString location(const QString &kind) const
    {
        if (kind == QLatin1String("memory"))
            return chat::server::memoryStorePath();
        return kind == QLatin1String("postgres") ? postgresUrl() : dbPath();
    }
    // The stores of the row's kind.
    RoomStore &open()
    {
        QFETCH(QString, kind);
        m_kind = kind;
        QString error;
        m_stores = openStores(location(kind), HubConfig(), &error);
        if (!m_stores.rooms)
            qFatal("cannot open the stores: %s", qPrintable(error));
        return *m_stores.rooms;
    }
    // SQLite: closes and opens the file again (as a restart does). Memory: the same store.
    RoomStore &reopen()
    {
        if (m_kind == QLatin1String("memory"))
            return *m_stores.rooms;
        m_stores = {};
        QString error;
        m_stores = openStores(location(m_kind), HubConfig(), &error);
        if (!m_stores.rooms)
            qFatal("cannot reopen the stores: %s", qPrintable(error));
        return *m_stores.rooms;
    }

    QString m_kind;
    Stores m_stores;
};

void RoomStoreTest::newStoreHasLobby()
{
    RoomStore &store = open();
    const RoomSnapshot snapshot = load(store);
    QCOMPARE(snapshot.rooms.size(), 1);
    const RoomRecord &lobby = snapshot.rooms.constFirst();
    QCOMPARE(lobby.id, 1);
    QCOMPARE(lobby.name, QStringLiteral("lobby"));
    QVERIFY(!lobby.isPrivate);
    QVERIFY(!lobby.direct);
    QVERIFY(lobby.title.isEmpty());
    QVERIFY(lobby.created.isValid());
    QVERIFY(lobby.created <= QDateTime::currentDateTimeUtc());
    QVERIFY(snapshot.memberships.isEmpty());
    QVERIFY(snapshot.seenAccounts.isEmpty());
    QVERIFY(store.errorString().isEmpty());
}

void RoomStoreTest::createRooms()
{
    RoomStore &store = open();
    RoomRecord dev = room(QStringLiteral("dev"), QStringLiteral("开发组"));
    dev.topic = QStringLiteral("发布计划 🚀");
    QVERIFY2(store.createRoom(&dev), qPrintable(store.errorString()));
    QCOMPARE(dev.id, 2);
    RoomRecord secret = room(QStringLiteral("secret"), {}, true);
    QVERIFY(store.createRoom(&secret));
    QCOMPARE(secret.id, 3);
    RoomRecord direct = room(QStringLiteral("@1-2"), {}, true, true);
    QVERIFY(store.createRoom(&direct));
    QCOMPARE(direct.id, 4);

    const RoomSnapshot snapshot = load(reopen());
    QCOMPARE(names(snapshot), (QStringList{QStringLiteral("lobby"), QStringLiteral("dev"),
                                           QStringLiteral("secret"), QStringLiteral("@1-2")}));
    QCOMPARE(snapshot.rooms[1], dev);
    QCOMPARE(snapshot.rooms[2], secret);
    QCOMPARE(snapshot.rooms[3], direct);
    QCOMPARE(snapshot.rooms[1].topic, QStringLiteral("发布计划 🚀"));
    // Ids go on after a restart.
    RoomRecord next = room(QStringLiteral("next"));
    QVERIFY(reopen().createRoom(&next));
    QCOMPARE(next.id, 5);
}

void RoomStoreTest::nameTaken()
{
    RoomStore &store = open();
    RoomRecord dev = room(QStringLiteral("dev"));
    QVERIFY(store.createRoom(&dev));
    RoomRecord again = room(QStringLiteral("dev"), QStringLiteral("other"));
    QVERIFY(!store.createRoom(&again));
    QVERIFY(store.errorString().isEmpty()); // taken, not a failure
    QCOMPARE(again.id, 0);
    RoomRecord lobby = room(QStringLiteral("lobby"));
    QVERIFY(!reopen().createRoom(&lobby));
    QVERIFY(m_stores.rooms->errorString().isEmpty());
    RoomRecord devAfterReopen = room(QStringLiteral("dev"));
    QVERIFY(!m_stores.rooms->createRoom(&devAfterReopen));
    const RoomSnapshot snapshot = load(*m_stores.rooms);
    QCOMPARE(snapshot.rooms.size(), 2);
    QCOMPARE(snapshot.rooms[1].title, QString());
    // A name taken is not used up: the next room gets the next id.
    RoomRecord other = room(QStringLiteral("other"));
    QVERIFY(m_stores.rooms->createRoom(&other));
    QCOMPARE(other.id, 3);
}

void RoomStoreTest::updateRoom()
{
    RoomStore &store = open();
    RoomRecord dev = room(QStringLiteral("dev"), QStringLiteral("Dev"));
    QVERIFY(store.createRoom(&dev));
    dev.title = QStringLiteral("新标题");
    dev.topic = QStringLiteral("新话题");
    dev.name = QStringLiteral("renamed"); // names never change: not written
    dev.isPrivate = true;                 // nor does privacy
    QVERIFY2(store.updateRoom(dev), qPrintable(store.errorString()));
    RoomRecord lobby = room(QStringLiteral("lobby"));
    lobby.id = 1;
    lobby.topic = QStringLiteral("welcome");
    QVERIFY(store.updateRoom(lobby));

    RoomRecord missing = room(QStringLiteral("missing"));
    missing.id = 99;
    QVERIFY(!store.updateRoom(missing));
    QVERIFY(!store.errorString().isEmpty());

    const RoomSnapshot snapshot = load(reopen());
    QCOMPARE(snapshot.rooms[0].topic, QStringLiteral("welcome"));
    QCOMPARE(snapshot.rooms[0].name, QStringLiteral("lobby"));
    QCOMPARE(snapshot.rooms[1].name, QStringLiteral("dev"));
    QCOMPARE(snapshot.rooms[1].title, QStringLiteral("新标题"));
    QCOMPARE(snapshot.rooms[1].topic, QStringLiteral("新话题"));
    QVERIFY(!snapshot.rooms[1].isPrivate);
    QCOMPARE(snapshot.rooms.size(), 2);
}

void RoomStoreTest::members()
{
    RoomStore &store = open();
    RoomRecord dev = room(QStringLiteral("dev"));
    QVERIFY(store.createRoom(&dev));
    QVERIFY(store.setMember(member(1, 10)));
    QVERIFY(store.setMember(member(1, 11, RoomRole::Member, 5)));
    QVERIFY(store.setMember(member(dev.id, 10, RoomRole::Owner)));
    QVERIFY(store.setMember(member(dev.id, 12)));
    // Replaced whole: the owner passes dev to 12.
    QVERIFY(store.setMember(member(dev.id, 10, RoomRole::Member, 3)));
    QVERIFY(store.setMember(member(dev.id, 12, RoomRole::Owner)));
    // Removed, and removing again is no failure.
    QVERIFY(store.removeMember(1, 11));
    QVERIFY(store.removeMember(1, 11));
    QVERIFY(store.removeMember(dev.id, 99));
    // No such room.
    QVERIFY(!store.setMember(member(42, 10)));
    QVERIFY(!store.errorString().isEmpty());

    const RoomSnapshot snapshot = load(reopen());
    QList<MembershipRecord> expected = {member(1, 10), member(dev.id, 10, RoomRole::Member, 3),
                                        member(dev.id, 12, RoomRole::Owner)};
    QList<MembershipRecord> memberships = snapshot.memberships;
    const auto order = [](const MembershipRecord &a, const MembershipRecord &b) {
        return std::pair(a.roomId, a.accountId) < std::pair(b.roomId, b.accountId);
    };
    std::sort(memberships.begin(), memberships.end(), order);
    QCOMPARE(memberships, expected);
    QCOMPARE(memberships[2].joined, kNow.addSecs(12));
}

void RoomStoreTest::readPositions()
{
    RoomStore &store = open();
    QVERIFY(store.setMember(member(1, 10, RoomRole::Member, 7)));
    QVERIFY(store.setMember(member(1, 11, RoomRole::Member, 7)));
    QVERIFY(store.setRead(1, 10, 120));
    QVERIFY(store.setRead(1, 11, 9));
    QVERIFY(store.setRead(1, 11, 8)); // the store writes what it is given: the hub clamps
    // A read position of no member is nothing to keep: no member appears.
    QVERIFY(store.setRead(1, 99, 50));
    QVERIFY(store.errorString().isEmpty());
    RoomStore &again = reopen();
    RoomSnapshot snapshot = load(again);
    QCOMPARE(snapshot.memberships.size(), 2);
    for (const MembershipRecord &m : std::as_const(snapshot.memberships))
        QCOMPARE(m.readSeq, m.accountId == 10 ? 120 : 8);
    // Joining again resets it (setMember replaces the whole membership).
    QVERIFY(again.setMember(member(1, 10, RoomRole::Member, 130)));
    QVERIFY(again.setRead(1, 10, 131));
    snapshot = load(reopen());
    for (const MembershipRecord &m : std::as_const(snapshot.memberships))
        QCOMPARE(m.readSeq, m.accountId == 10 ? 131 : 8);
    if (m_kind != QLatin1String("sqlite"))
        return;
    // A read position is committed without waiting for the disk; the connection then goes
    // back to synchronous=FULL for the messages.
    QVERIFY(m_stores.rooms->setRead(1, 10, 140));
    const QStringList connections =
        QSqlDatabase::connectionNames().filter(QRegularExpression(QStringLiteral("^chat-store-")));
    QCOMPARE(connections.size(), 1);
    QSqlQuery pragma(QSqlDatabase::database(connections.constFirst(), false));
    QVERIFY(pragma.exec(QStringLiteral("PRAGMA synchronous")) && pragma.next());
    QCOMPARE(pragma.value(0).toInt(), 2); // FULL
}

void RoomStoreTest::seenAccounts()
{
    RoomStore &store = open();
    QVERIFY(store.markSeen(3));
    QVERIFY(store.markSeen(5));
    QVERIFY(store.markSeen(3));
    QCOMPARE(load(store).seenAccounts, (QSet<qint64>{3, 5}));
    RoomStore &again = reopen();
    QCOMPARE(load(again).seenAccounts, (QSet<qint64>{3, 5}));
    QVERIFY(again.markSeen(7));
    QCOMPARE(load(reopen()).seenAccounts, (QSet<qint64>{3, 5, 7}));
}

void RoomStoreTest::everythingAfterReopen()
{
    // A whole snapshot, written on the SQLite file and in memory, read back the same.
    RoomSnapshot written[2];
    for (int i = 0; i < 2; ++i) {
        Stores stores;
        QString error;
        stores =
            openStores(i == 0 ? chat::server::memoryStorePath() : dbPath(), HubConfig(), &error);
        QVERIFY2(stores.rooms, qPrintable(error));
        RoomStore &store = *stores.rooms;
        for (const QString &name :
             {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")}) {
            RoomRecord record = room(name, name.toUpper());
            QVERIFY(store.createRoom(&record));
            QVERIFY(store.setMember(member(record.id, 1, RoomRole::Owner, record.id)));
            QVERIFY(store.setMember(member(record.id, 2)));
        }
        QVERIFY(store.setMember(member(1, 2, RoomRole::Member, 17)));
        QVERIFY(store.removeMember(3, 2));
        QVERIFY(store.setRead(4, 2, 33));
        QVERIFY(store.markSeen(1));
        QVERIFY(store.markSeen(2));
        QVERIFY(store.load(&written[i]));
        if (i == 1) {
            stores = {};
            stores = openStores(dbPath(), HubConfig(), &error);
            QVERIFY2(stores.rooms, qPrintable(error));
            RoomSnapshot reread;
            QVERIFY(stores.rooms->load(&reread));
            QCOMPARE(reread.rooms, written[1].rooms);
            QCOMPARE(reread.memberships, written[1].memberships);
            QCOMPARE(reread.seenAccounts, written[1].seenAccounts);
        }
    }
    // Both kinds agree (the lobby's creation time aside).
    written[0].rooms[0].created = written[1].rooms[0].created;
    QCOMPARE(written[0].rooms, written[1].rooms);
    QCOMPARE(written[0].memberships, written[1].memberships);
    QCOMPARE(written[0].seenAccounts, written[1].seenAccounts);
}

void RoomStoreTest::storesGoInAnyOrder()
{
    // The three stores share one connection: whichever goes last closes it.
    for (int round = 0; round < 3; ++round) {
        QString error;
        Stores stores = openStores(dbPath(), HubConfig(), &error);
        QVERIFY2(stores.messages && stores.accounts && stores.rooms, qPrintable(error));
        if (round == 0)
            stores.messages.reset();
        if (round == 1)
            stores.accounts.reset();
        RoomRecord record = room(QStringLiteral("r%1").arg(round));
        QVERIFY2(stores.rooms->createRoom(&record), qPrintable(stores.rooms->errorString()));
        if (round == 2)
            stores.rooms.reset();
        if (stores.messages)
            QVERIFY(append(*stores.messages,
                           {chatEntry(QStringLiteral("lobby"), QStringLiteral("alice"),
                                      QString::number(round))}));
    }
    QString error;
    Stores stores = openStores(dbPath(), HubConfig(), &error);
    QVERIFY2(stores.rooms, qPrintable(error));
    QCOMPARE(names(load(*stores.rooms)), (QStringList{QStringLiteral("lobby"), QStringLiteral("r0"),
                                                      QStringLiteral("r1"), QStringLiteral("r2")}));
    QCOMPARE(stores.messages->lastSeq(), 2);
}

void RoomStoreTest::partsOfTheSnapshot()
{
    RoomStore &store = open();
    RoomRecord made = room(QStringLiteral("a"), QStringLiteral("A"));
    QVERIFY(store.createRoom(&made));
    QVERIFY(store.setMember(member(1, 10)));
    QVERIFY(store.setMember(member(made.id, 10, RoomRole::Owner, 4)));
    QVERIFY(store.setMember(member(made.id, 11)));
    QVERIFY(store.markSeen(10));

    RoomSnapshot part;
    QVERIFY(store.loadRoom(made.id, {}, &part));
    QCOMPARE(part.rooms, QList<RoomRecord>{made});
    QCOMPARE(part.memberships, (QList<MembershipRecord>{member(made.id, 10, RoomRole::Owner, 4),
                                                        member(made.id, 11)}));
    QVERIFY(store.loadRoom(0, QStringLiteral("a"), &part));
    QCOMPARE(part.rooms, QList<RoomRecord>{made});
    QCOMPARE(part.memberships.size(), 2);
    QVERIFY(store.loadRoom(0, QStringLiteral("none"), &part));
    QVERIFY(part.rooms.isEmpty() && part.memberships.isEmpty());

    QVERIFY(store.loadAccount(10, &part));
    QCOMPARE(names(part), (QStringList{QStringLiteral("lobby"), QStringLiteral("a")}));
    QCOMPARE(part.memberships,
             (QList<MembershipRecord>{member(1, 10), member(made.id, 10, RoomRole::Owner, 4)}));
    QCOMPARE(part.seenAccounts, QSet<qint64>{10});
    QVERIFY(store.loadAccount(11, &part));
    QCOMPARE(names(part), QStringList{QStringLiteral("a")});
    QVERIFY(part.seenAccounts.isEmpty());
}

void RoomStoreTest::changesAreAnnounced()
{
    RoomStore &store = open();
    QSqlDatabase listener =
        QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), QStringLiteral("listener"));
    QStringList heard;
    [&] {
        QString error;
        QVERIFY2(chat::server::postgres::configure(listener, postgresUrl(), &error),
                 qPrintable(error));
        QVERIFY(listener.open());
        connect(listener.driver(), &QSqlDriver::notification, this,
                [&](const QString &, QSqlDriver::NotificationSource, const QVariant &payload) {
                    heard.append(payload.toString());
                });
        QVERIFY(listener.driver()->subscribeToNotification(
            QLatin1String(chat::server::StateNotice::channel)));

        RoomRecord made = room(QStringLiteral("a"));
        QVERIFY(store.createRoom(&made));
        QVERIFY(!store.createRoom(&made)); // taken: nothing changed, nothing said
        made.title = QStringLiteral("A");
        QVERIFY(store.updateRoom(made));
        QVERIFY(store.setMember(member(made.id, 10)));
        QVERIFY(store.setRead(made.id, 99, 5)); // no such member: nothing changed
        QVERIFY(store.setRead(made.id, 10, 5));
        QVERIFY(store.removeMember(made.id, 10));
        const QStringList expected{
            QStringLiteral("room %1").arg(made.id), QStringLiteral("room %1").arg(made.id),
            QStringLiteral("member 10"), QStringLiteral("read %1 10 5").arg(made.id),
            QStringLiteral("member 10")};
        QTRY_COMPARE(heard, expected);
        for (const QString &payload : expected)
            QVERIFY2(chat::server::StateNotice::parse(payload), qPrintable(payload));
    }();
    listener.close();
    listener = {};
    QSqlDatabase::removeDatabase(QStringLiteral("listener"));
}

QTEST_GUILESS_MAIN(RoomStoreTest)
#include "tst_roomstore.moc"
