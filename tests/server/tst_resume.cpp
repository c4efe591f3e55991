// Coming back after a drop: resume from lastSeq, idempotent sends, and taking a nickname over
// with its session token.
#include "hubtestbase.h"
#include "servertestmain.h"

#include <QSignalSpy>
#include <QTest>

using namespace chat::proto;
using chat::test::TestClient;

class ResumeTest : public chat::test::HubTestBase
{
    Q_OBJECT
private slots:
    void init() { QVERIFY(startHub()); }
    void cleanup()
    {
        verifyClientsHealthy();
        stopAll();
    }

    void returningClientGetsExactlyWhatItMissed();
    void resumeRules_data();
    void resumeRules();
    void resumeAcrossInstances_data();
    void resumeAcrossInstances();
    void repeatedIdIsAcknowledgedNotBroadcast();
    void repeatedIdAfterReconnect();
    void sameIdFromAnotherNickIsNewMessage();
    void sessionTakeover_data();
    void sessionTakeover();
    void otherSessionJoinsAsAnotherDevice_data();
    void otherSessionJoinsAsAnotherDevice();
};

static QList<qint64> seqs(const QList<Message> &messages)
{
    QList<qint64> result;
    for (const Message &m : messages)
        result.append(m.seq);
    return result;
}

static QList<qint64> range(qint64 first, qint64 last)
{
    QList<qint64> result;
    for (qint64 s = first; s <= last; ++s)
        result.append(s);
    return result;
}

void ResumeTest::returningClientGetsExactlyWhatItMissed()
{
    TestClient *alice = join(QStringLiteral("alice"));
    TestClient *bob = join(QStringLiteral("bob"));
    QVERIFY(alice && bob);
    bob->send(QStringLiteral("one"));
    bob->send(QStringLiteral("two"));
    QVERIFY(alice->waitForMessages(2));
    const qint64 seen = alice->messages().constLast().seq;
    const QString session = alice->welcome()->session;

    alice->abort(); // a network drop: no close frame
    QVERIFY(bob->waitForLeave(QStringLiteral("alice")));
    for (int i = 0; i < 3; ++i)
        bob->send(QStringLiteral("while you were away %1").arg(i));
    QVERIFY(bob->waitForMessages(5));

    TestClient *back = connectClient();
    QVERIFY(back);
    QVERIFY(back->helloAndWait(QStringLiteral("alice"), seen, session));
    const Welcome &welcome = *back->welcome();
    QVERIFY(welcome.resumed);
    QCOMPARE(welcome.seq, qint64(5));
    QCOMPARE(welcome.history, bob->messages().mid(2));
    QCOMPARE(seqs(welcome.history), range(3, 5));
}

void ResumeTest::resumeRules_data()
{
    QTest::addColumn<int>("said"); // messages sent before the hello, seq 1..said
    QTest::addColumn<qint64>("lastSeq");
    QTest::addColumn<bool>("resumed");
    QTest::addColumn<QList<qint64>>("history");
    QTest::addColumn<QStringList>("reload");
    const QStringList none;
    const QStringList lobby{QStringLiteral("lobby")};
    // historySize is 5: after 8 messages the server holds 4..8 (O = 4, S = 8). What it cannot
    // give exactly is not resumed: no history, and the rooms with newer messages to reload.
    QTest::addRow("L = S") << 8 << qint64(8) << true << QList<qint64>{} << none;
    QTest::addRow("L = S - 1") << 8 << qint64(7) << true << range(8, 8) << none;
    QTest::addRow("L = O - 1") << 8 << qint64(3) << true << range(4, 8) << none;
    QTest::addRow("L = O") << 8 << qint64(4) << true << range(5, 8) << none;
    QTest::addRow("L < O - 1: gap no longer held")
        << 8 << qint64(2) << false << QList<qint64>{} << lobby;
    QTest::addRow("L = 0 with the gap gone") << 8 << qint64(0) << false << QList<qint64>{} << lobby;
    QTest::addRow("L > S: server started afresh")
        << 8 << qint64(9) << false << QList<qint64>{} << lobby;
    QTest::addRow("L far in the future")
        << 8 << qint64(1000000) << false << QList<qint64>{} << lobby;
    QTest::addRow("L = 0, all held") << 3 << qint64(0) << true << range(1, 3) << none;
    QTest::addRow("nothing said, L = 0") << 0 << qint64(0) << true << QList<qint64>{} << none;
    // No room has a message: nothing to reload.
    QTest::addRow("nothing said, L > S") << 0 << qint64(5) << false << QList<qint64>{} << none;
}

void ResumeTest::resumeRules()
{
    QFETCH(int, said);
    QFETCH(qint64, lastSeq);
    QFETCH(bool, resumed);
    QFETCH(QList<qint64>, history);
    QFETCH(QStringList, reload);
    auto config = testConfig();
    config.historySize = 5;
    QVERIFY(startHub(config));

    TestClient *talker = join(QStringLiteral("talker"));
    QVERIFY(talker);
    for (int i = 0; i < said; ++i)
        talker->send(QStringLiteral("message %1").arg(i));
    QVERIFY(talker->waitForMessages(said));

    TestClient *returning = connectClient();
    QVERIFY(returning);
    QVERIFY(returning->helloAndWait(QStringLiteral("returning"), lastSeq));
    const Welcome &welcome = *returning->welcome();
    QCOMPARE(welcome.resumed, resumed);
    QCOMPARE(welcome.seq, qint64(said));
    QCOMPARE(seqs(welcome.history), history);
    if (!history.isEmpty())
        QCOMPARE(welcome.history, talker->messages().mid(history.first() - 1));
    QCOMPARE(welcome.reload, reload);
    // Resumed or not, the room's state carries its newest message.
    QCOMPARE(welcome.rooms.size(), 1);
    if (said > 0)
        QCOMPARE(welcome.rooms[0].last, std::optional<Message>(talker->messages().constLast()));
    else
        QVERIFY(!welcome.rooms[0].last);
}

void ResumeTest::resumeAcrossInstances_data()
{
    QTest::addColumn<bool>("sameInstance");
    QTest::addColumn<bool>("sendInstance");
    QTest::addColumn<qint64>("lastSeq");
    QTest::addColumn<bool>("resumed");
    QTest::addColumn<QList<qint64>>("history");
    QTest::addRow("same instance") << true << true << qint64(1) << true << range(2, 3);
    QTest::addRow("no instance: the current one")
        << true << false << qint64(1) << true << range(2, 3);
    // Numbers of another history say nothing here: not resumed, no history; the client starts
    // again from the rooms (docs/protocol.md, "Resume").
    QTest::addRow("other instance") << false << true << qint64(1) << false << QList<qint64>{};
    QTest::addRow("other instance, L = S")
        << false << true << qint64(3) << false << QList<qint64>{};
}

void ResumeTest::resumeAcrossInstances()
{
    QFETCH(bool, sameInstance);
    QFETCH(bool, sendInstance);
    QFETCH(qint64, lastSeq);
    QFETCH(bool, resumed);
    QFETCH(QList<qint64>, history);
    TestClient *talker = join(QStringLiteral("talker"));
    QVERIFY(talker);
    const QString instance = talker->welcome()->instance;
    QCOMPARE(instance, hub().instance());
    QCOMPARE(instance.size(), 16);
    for (int i = 0; i < 3; ++i)
        talker->send(QStringLiteral("message %1").arg(i));
    QVERIFY(talker->waitForMessages(3));

    TestClient *returning = connectClient();
    QVERIFY(returning);
    Hello hello;
    hello.registration =
        chat::proto::Registration{QStringLiteral("returning"), chat::test::kTestPassword, {}, {}};
    hello.lastSeq = lastSeq;
    if (sendInstance)
        hello.instance = sameInstance ? instance : QStringLiteral("0123456789abcdef");
    QVERIFY(returning->helloAndWait(hello));
    QCOMPARE(returning->welcome()->instance, instance);
    QCOMPARE(returning->welcome()->resumed, resumed);
    QCOMPARE(seqs(returning->welcome()->history), history);

    // Another hub is another history.
    const QString first = hub().instance();
    QVERIFY(startHub());
    QVERIFY(hub().instance() != first);
}

void ResumeTest::repeatedIdIsAcknowledgedNotBroadcast()
{
    TestClient *alice = join(QStringLiteral("alice"));
    TestClient *bob = join(QStringLiteral("bob"));
    QVERIFY(alice && bob);
    const QString id = QStringLiteral("dup-1");
    alice->send(QStringLiteral("once"), id);
    QVERIFY(alice->waitForMessages(1));
    alice->send(QStringLiteral("once, resent"), id);
    QVERIFY(alice->waitForMessages(2));
    QCOMPARE(alice->messages()[1], alice->messages()[0]); // the original: same seq, time, text
    QCOMPARE(alice->messages()[1].text, QStringLiteral("once"));

    QVERIFY(barrier(bob));
    QCOMPARE(bob->messages().size(), 1);
    QCOMPARE(hub().lastSeq(), qint64(1));

    // The next message takes the next number: the repeat used none.
    bob->send(QStringLiteral("next"));
    QVERIFY(alice->waitForMessages(3));
    QCOMPARE(alice->messages()[2].seq, qint64(2));
}

void ResumeTest::repeatedIdAfterReconnect()
{
    TestClient *alice = join(QStringLiteral("alice"));
    TestClient *bob = join(QStringLiteral("bob"));
    QVERIFY(alice && bob);
    alice->send(QStringLiteral("did this arrive?"), QStringLiteral("m-1"));
    QVERIFY(bob->waitForMessages(1));
    alice->abort(); // dropped before it could read the acknowledgement
    QTRY_COMPARE(hub().onlineCount(), 1);

    TestClient *back = join(QStringLiteral("alice"));
    QVERIFY(back);
    back->send(QStringLiteral("did this arrive?"), QStringLiteral("m-1"));
    QVERIFY(back->waitForMessages(1));
    QCOMPARE(back->messages()[0], bob->messages()[0]);
    QVERIFY(barrier(bob));
    QCOMPARE(bob->messages().size(), 1);
}

void ResumeTest::sameIdFromAnotherNickIsNewMessage()
{
    TestClient *alice = join(QStringLiteral("alice"));
    TestClient *bob = join(QStringLiteral("bob"));
    QVERIFY(alice && bob);
    alice->send(QStringLiteral("from alice"), QStringLiteral("1"));
    QVERIFY(bob->waitForMessages(1));
    bob->send(QStringLiteral("from bob"), QStringLiteral("1"));
    QVERIFY(alice->waitForMessages(2));
    QCOMPARE(alice->messages()[1].seq, qint64(2));
    QCOMPARE(alice->messages()[1].from, QStringLiteral("bob"));
}

void ResumeTest::sessionTakeover_data()
{
    QTest::addColumn<QString>("nick");
    QTest::addColumn<bool>("withLastSeq");
    QTest::addRow("same spelling") << QStringLiteral("alice") << false;
    QTest::addRow("other letter case") << QStringLiteral("ALICE") << false;
    QTest::addRow("with lastSeq") << QStringLiteral("alice") << true;
}

void ResumeTest::sessionTakeover()
{
    QFETCH(QString, nick);
    QFETCH(bool, withLastSeq);
    TestClient *old = join(QStringLiteral("alice"));
    TestClient *bob = join(QStringLiteral("bob"));
    QVERIFY(old && bob);
    bob->send(QStringLiteral("seen by the old connection"));
    QVERIFY(old->waitForMessages(1));
    bob->send(QStringLiteral("second"));
    QVERIFY(old->waitForMessages(2));
    const QString session = old->welcome()->session;
    QCOMPARE(session.size(), 32);
    QSignalSpy joined(&hub(), &chat::server::ChatHub::userJoined);
    QSignalSpy left(&hub(), &chat::server::ChatHub::userLeft);

    TestClient *fresh = connectClient();
    QVERIFY(fresh);
    const std::optional<qint64> lastSeq =
        withLastSeq ? std::optional<qint64>(1) : std::optional<qint64>();
    QVERIFY(fresh->helloAndWait(nick, lastSeq, session));
    const Welcome &welcome = *fresh->welcome();
    QCOMPARE(welcome.account, QStringLiteral("alice")); // the spelling the server holds
    QVERIFY(welcome.session != session);                // every connection gets its own
    QVERIFY(fresh->waitForUsers({QStringLiteral("alice"), QStringLiteral("bob")}));
    QCOMPARE(welcome.resumed, withLastSeq);
    // A resume brings what was missed; a plain hello no history, the lobby's newest in its state.
    QCOMPARE(seqs(welcome.history), withLastSeq ? range(2, 2) : QList<qint64>{});
    QCOMPARE(welcome.rooms.size(), 1);
    QCOMPARE(welcome.rooms[0].last, std::optional<Message>(bob->messages().constLast()));

    QVERIFY(old->waitForDisconnected());
    QCOMPARE(old->closeCode(), QWebSocketProtocol::CloseCodeNormal);
    QCOMPARE(old->closeReason(), QStringLiteral("replaced by a new connection"));
    QTRY_COMPARE(hub().connectionCount(), 2);
    QCOMPARE(hub().onlineCount(), 2);

    // No churn: bob saw no one leave or join.
    QVERIFY(barrier(bob));
    QVERIFY(bob->leavesSeen().isEmpty());
    QVERIFY(bob->joinsSeen().count(QStringLiteral("alice")) <= 1); // its first join only
    QCOMPARE(joined.size(), 0);
    QCOMPARE(left.size(), 0);

    // The new connection speaks as alice, and leaving from it is a real leave.
    fresh->send(QStringLiteral("back"));
    QVERIFY(bob->waitForMessages(3));
    QCOMPARE(bob->messages().constLast().from, QStringLiteral("alice"));
    fresh->close();
    QVERIFY(bob->waitForLeave(QStringLiteral("alice")));
    QCOMPARE(bob->presences().constLast().online, 1);
}

void ResumeTest::otherSessionJoinsAsAnotherDevice_data()
{
    QTest::addColumn<QString>("session");
    QTest::addRow("no session") << QString();
    QTest::addRow("wrong session") << QStringLiteral("00000000000000000000000000000000");
    QTest::addRow("prefix of the session") << QStringLiteral("prefix");
}

void ResumeTest::otherSessionJoinsAsAnotherDevice()
{
    // Only the session of a connection replaces it; the same account without it is one more
    // device (an account is its token, not its session).
    QFETCH(QString, session);
    TestClient *alice = join(QStringLiteral("alice"));
    QVERIFY(alice);
    const QString offered =
        session == QLatin1String("prefix") ? alice->welcome()->session.left(16) : session;

    TestClient *second = connectClient();
    QVERIFY(second);
    QVERIFY(second->helloAndWait(QStringLiteral("alice"), std::nullopt, offered));
    QVERIFY(barrier(alice));
    QVERIFY(alice->isOpen());
    QCOMPARE(hub().onlineCount(), 1);
    QCOMPARE(hub().connectionCount(), 2);
}

CHAT_SERVER_TEST_MAIN(ResumeTest)
#include "tst_resume.moc"
