// The real chat-server killed with SIGKILL in the middle of a flood of sends, then started again
// on the same database and port: every acknowledged message is still there with the number it
// was acknowledged with, every message sent is stored exactly once, and seqs have no gaps.
// Resumes after each crash read the database; at the end the whole history is read back a page
// at a time, as a client pages back through a room.
#include "testclient.h"

#include <QHash>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <memory>
#include <vector>

using namespace chat::proto;
using chat::test::TestClient;

namespace {

constexpr int kClients = 4;
constexpr int kPerClient = 500; // messages each client sends in all
constexpr int kWindow = 25;     // sends a client keeps unacknowledged at most: a bounded flood
constexpr int kWaitMs = 20000;

// One person sending: the ids it means to send, what it has sent and what came back.
struct Sender
{
    QString nick;
    std::unique_ptr<TestClient> client;
    QStringList ids;               // every id this sender will send, in order
    int sent = 0;                  // ids[0..sent) went out at least once
    QHash<QString, Message> acked; // by id: the acknowledgement (or history entry) that came back
    QString instance;
    QString session;
    qint64 lastSeq = 0;
    // Comes back without lastSeq, as a client restarted with only its outbox would: it resends
    // everything unacknowledged, and the server must recognise what it stored before the crash.
    bool forgetful = false;

    [[nodiscard]] static QString text(const QString &id)
    {
        return QStringLiteral("%1 ✓ 你好").arg(id);
    }

    // Sends more while fewer than kWindow wait for their acknowledgement.
    void topUp()
    {
        while (client && client->isOpen() && sent < ids.size() && sent - acked.size() < kWindow) {
            client->send(text(ids[sent]), ids[sent]);
            ++sent;
        }
    }
    void onMessage(const Message &message)
    {
        lastSeq = qMax(lastSeq, message.seq);
        if (message.from == nick && !acked.contains(message.id))
            acked.insert(message.id, message);
        topUp();
    }
};

} // namespace

class CrashTest : public QObject
{
    Q_OBJECT
private slots:
    void init();
    void cleanup();
    void killedMidFloodLosesNothing_data();
    void killedMidFloodLosesNothing();
    void resendAfterCrashIsAcknowledgedOnce();

private:
    [[nodiscard]] bool startServer(quint16 port);
    [[nodiscard]] QUrl waitListening();
    // Opens a new connection for the sender and says hello, resuming where it left off.
    [[nodiscard]] bool connectSender(Sender &sender);
    [[nodiscard]] int totalAcked() const;

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<QProcess> m_server;
    QUrl m_url;
    std::vector<std::unique_ptr<Sender>> m_senders;
    int m_killAt = 0; // SIGKILL the server the moment this many acknowledgements arrived
};

void CrashTest::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    chat::test::TokenBook::clear(); // a new database: the accounts of the last test are gone
    QVERIFY(m_dir->isValid());
}

void CrashTest::cleanup()
{
    m_senders.clear();
    if (m_server && m_server->state() != QProcess::NotRunning) {
        m_server->kill();
        m_server->waitForFinished(5000);
    }
    m_server.reset();
    m_dir.reset();
}

bool CrashTest::startServer(quint16 port)
{
    m_server = std::make_unique<QProcess>();
    m_server->setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_server->start(QStringLiteral(CHAT_SERVER_BINARY),
                    {QStringLiteral("--host"), QStringLiteral("127.0.0.1"),
                     QStringLiteral("--port"), QString::number(port), QStringLiteral("--rate"),
                     QStringLiteral("0"), // a flood is the point here
                     QStringLiteral("--max-bytes-rate"), QStringLiteral("0"),
                     QStringLiteral("--max-address-bytes-rate"), QStringLiteral("0"),
                     // a resume after a crash carries everything it missed
                     QStringLiteral("--max-welcome-bytes"), QStringLiteral("0"),
                     QStringLiteral("--max-outbox-bytes"), QStringLiteral("16777216"),
                     QStringLiteral("--db"), m_dir->filePath(QStringLiteral("history.sqlite")),
                     QStringLiteral("--max-registrations-per-address"), QStringLiteral("0")});
    m_url = waitListening();
    return m_url.isValid();
}

QUrl CrashTest::waitListening()
{
    QSignalSpy output(m_server.get(), &QProcess::readyReadStandardOutput);
    QDeadlineTimer deadline(10000);
    while (!m_server->canReadLine()) {
        if (deadline.hasExpired() || m_server->state() == QProcess::NotRunning)
            return {};
        output.wait(qMax(1, int(deadline.remainingTime())));
    }
    static const QRegularExpression pattern(QStringLiteral("^listening on (ws://\\S+/)$"));
    const QRegularExpressionMatch match =
        pattern.match(QString::fromUtf8(m_server->readLine()).trimmed());
    return match.hasMatch() ? QUrl(match.captured(1)) : QUrl();
}

bool CrashTest::connectSender(Sender &sender)
{
    sender.client = std::make_unique<TestClient>();
    connect(sender.client.get(), &TestClient::messageReceived, this,
            [this, &sender](const Message &message) {
                sender.onMessage(message);
                if (m_killAt > 0 && totalAcked() >= m_killAt) {
                    m_killAt = 0;
                    ::kill(pid_t(m_server->processId()), SIGKILL);
                }
            });
    if (!sender.client->open(m_url))
        return false;
    // Broadcasts that follow the welcome may be handled before it is: remember where we were.
    const qint64 resumeFrom = sender.lastSeq;
    const bool resuming = !sender.instance.isEmpty() && !sender.forgetful;
    Hello hello = sender.client->helloFor(sender.nick); // registers, or logs in with its token
    if (resuming) {
        hello.lastSeq = resumeFrom;
        hello.instance = sender.instance;
        hello.session = sender.session;
    }
    if (!sender.client->helloAndWait(hello))
        return false;
    const Welcome &welcome = *sender.client->welcome();
    if (!sender.instance.isEmpty() &&
        (welcome.instance != sender.instance || welcome.resumed != resuming)) {
        qWarning("%s: instance %s resumed %d after the restart", qPrintable(sender.nick),
                 qPrintable(welcome.instance), welcome.resumed);
        return false;
    }
    // A resumed history holds exactly what was missed, which may include one's own messages:
    // those are acknowledged too.
    qint64 expected = resumeFrom + 1;
    for (const Message &message : welcome.history) {
        if (!resuming)
            break; // the forgetful one does not look for its messages in the recent history
        if (message.seq != expected++) {
            qWarning("%s: resumed history has seq %lld where %lld was due", qPrintable(sender.nick),
                     message.seq, expected - 1);
            return false;
        }
        sender.onMessage(message);
    }
    if (resuming && expected - 1 != welcome.seq) {
        qWarning("%s: resumed history ends at %lld, not at %lld", qPrintable(sender.nick),
                 expected - 1, welcome.seq);
        return false;
    }
    sender.instance = welcome.instance;
    sender.session = welcome.session;
    sender.lastSeq = qMax(sender.lastSeq, welcome.seq);
    // Everything sent before and not seen acknowledged goes again, with the same id.
    for (int i = 0; i < sender.sent; ++i) {
        if (!sender.acked.contains(sender.ids[i]))
            sender.client->send(Sender::text(sender.ids[i]), sender.ids[i]);
    }
    sender.topUp();
    return true;
}

int CrashTest::totalAcked() const
{
    int total = 0;
    for (const auto &sender : m_senders)
        total += int(sender->acked.size());
    return total;
}

void CrashTest::killedMidFloodLosesNothing_data()
{
    QTest::addColumn<QList<int>>("killAt"); // kill once this many acknowledgements arrived
    QTest::addRow("one crash") << QList<int>{kClients * kPerClient / 5};
    QTest::addRow("two crashes") << QList<int>{kClients * kPerClient / 6,
                                               kClients * kPerClient / 2};
}

void CrashTest::killedMidFloodLosesNothing()
{
    QFETCH(QList<int>, killAt);
    QVERIFY(startServer(0));
    const quint16 port = quint16(m_url.port());
    QString instance;
    for (int c = 0; c < kClients; ++c) {
        auto sender = std::make_unique<Sender>();
        sender->nick = QStringLiteral("sender%1").arg(c);
        sender->forgetful = c == 0;
        for (int i = 0; i < kPerClient; ++i)
            sender->ids.append(QStringLiteral("%1-%2").arg(sender->nick).arg(i));
        QVERIFY(connectSender(*sender));
        instance = sender->instance;
        m_senders.push_back(std::move(sender));
    }

    // Every acknowledgement received before a crash, as it was received.
    QHash<QString, Message> acknowledged; // by "nick/id"
    for (const int threshold : killAt) {
        m_killAt = threshold;
        QTRY_COMPARE_WITH_TIMEOUT(m_server->state(), QProcess::NotRunning, kWaitMs);
        QCOMPARE(m_killAt, 0); // killed by the acknowledgement that reached the threshold
        int waiting = 0;
        for (const auto &sender : m_senders)
            waiting += sender->sent - int(sender->acked.size());
        QVERIFY(waiting > 0); // the crash does hit sends in flight
        QCOMPARE(m_server->exitStatus(), QProcess::CrashExit);
        // Acknowledgements already on their way still count: collect until each connection ends.
        for (const auto &sender : m_senders)
            QVERIFY(sender->client->waitForDisconnected(kWaitMs));
        for (const auto &sender : m_senders) {
            QCOMPARE(sender->client->undecodableFrames(), 0);
            for (const Message &message : std::as_const(sender->acked))
                acknowledged.insert(sender->nick + u'/' + message.id, message);
        }

        QVERIFY(startServer(port)); // same database, same port, as an operator would
        for (const auto &sender : m_senders)
            QVERIFY(connectSender(*sender)); // same instance, resumed
    }
    QTRY_VERIFY_WITH_TIMEOUT(totalAcked() == kClients * kPerClient, kWaitMs);
    QHash<QString, Message> everyAck; // by "nick/id", before and after the crashes
    for (const auto &sender : m_senders) {
        QCOMPARE(sender->client->undecodableFrames(), 0);
        QCOMPARE(sender->client->socketErrors(), 0);
        for (const Message &message : std::as_const(sender->acked))
            everyAck.insert(sender->nick + u'/' + message.id, message);
    }

    // A clean stop and a start: a newcomer pages back through the lobby and sees it all.
    m_senders.clear();
    QCOMPARE(::kill(pid_t(m_server->processId()), SIGTERM), 0);
    QTRY_COMPARE_WITH_TIMEOUT(m_server->state(), QProcess::NotRunning, kWaitMs);
    QCOMPARE(m_server->exitStatus(), QProcess::NormalExit);
    QCOMPARE(m_server->exitCode(), 0);
    QVERIFY(startServer(port));
    TestClient observer;
    QVERIFY(observer.open(m_url));
    QVERIFY(observer.helloAndWait(QStringLiteral("observer")));
    const Welcome &welcome = *observer.welcome();
    QCOMPARE(welcome.instance, instance);
    QList<Message> history;
    qint64 before = 0;
    for (int pageNumber = 0;; ++pageNumber) {
        QVERIFY(pageNumber <= kClients * kPerClient / kMaxPageSize); // no page twice
        const std::optional<ServerMessage> answer = observer.request(LoadHistory{
            QStringLiteral("page-%1").arg(pageNumber), defaultRoom(), before, kMaxPageSize});
        QVERIFY(answer);
        const auto *page = std::get_if<HistoryPage>(&*answer);
        QVERIFY(page);
        history = page->messages + history;
        if (!page->more)
            break;
        QVERIFY(!page->messages.isEmpty());
        before = page->messages.constFirst().seq;
    }
    QCOMPARE(history.size(), kClients * kPerClient); // every message exactly once...
    QCOMPARE(welcome.seq, qint64(history.size()));
    QHash<QString, Message> stored;
    for (qsizetype i = 0; i < history.size(); ++i) {
        QCOMPARE(history[i].seq, qint64(i + 1)); // ...numbered without a gap
        stored.insert(history[i].from + u'/' + history[i].id, history[i]);
        QCOMPARE(history[i].text, Sender::text(history[i].id));
    }
    QCOMPARE(stored.size(), history.size()); // no nick/id twice
    for (int c = 0; c < kClients; ++c) {
        for (int i = 0; i < kPerClient; ++i) {
            const QString key = QStringLiteral("sender%1/sender%1-%2").arg(c).arg(i);
            QVERIFY2(stored.contains(key), qPrintable(key));
        }
    }
    // Every acknowledgement, before or after a crash, names what is stored, as it is stored.
    QCOMPARE(everyAck.size(), history.size());
    for (auto it = everyAck.cbegin(); it != everyAck.cend(); ++it)
        QCOMPARE(stored.value(it.key()), it.value());
    QVERIFY(!acknowledged.isEmpty());
    for (auto it = acknowledged.cbegin(); it != acknowledged.cend(); ++it)
        QCOMPARE(stored.value(it.key()), it.value()); // acknowledged before the crash: kept as is
}

void CrashTest::resendAfterCrashIsAcknowledgedOnce()
{
    QVERIFY(startServer(0));
    const quint16 port = quint16(m_url.port());
    Message original;
    {
        TestClient alice;
        QVERIFY(alice.open(m_url));
        QVERIFY(alice.helloAndWait(QStringLiteral("Alice")));
        alice.send(QStringLiteral("只一次 once"), QStringLiteral("only-once"));
        QVERIFY(alice.waitForMessages(1));
        original = alice.messages()[0];
        QCOMPARE(::kill(pid_t(m_server->processId()), SIGKILL), 0);
        QTRY_COMPARE_WITH_TIMEOUT(m_server->state(), QProcess::NotRunning, kWaitMs);
        QVERIFY(alice.waitForDisconnected());
    }
    QVERIFY(startServer(port));
    TestClient bob;
    QVERIFY(bob.open(m_url));
    QVERIFY(bob.helloAndWait(QStringLiteral("bob")));
    QCOMPARE(bob.welcome()->seq, original.seq);
    // No lastSeq: she lost her place, not her unconfirmed message; her name's case differs too.
    TestClient alice;
    QVERIFY(alice.open(m_url));
    QVERIFY(alice.helloAndWait(QStringLiteral("ALICE")));
    alice.send(QStringLiteral("只一次 once"), QStringLiteral("only-once"));
    QVERIFY(alice.waitForMessages(1));
    QCOMPARE(alice.messages()[0], original); // the stored one: same seq, time and sender
    alice.send(QStringLiteral("next"));
    QVERIFY(bob.waitForMessages(1));
    QCOMPARE(bob.messages()[0].text, QStringLiteral("next")); // the resend was not broadcast
    QCOMPARE(bob.messages()[0].seq, original.seq + 1);
    QCOMPARE(bob.socketErrors(), 0);
    QCOMPARE(alice.socketErrors(), 0);
}

QTEST_GUILESS_MAIN(CrashTest)
#include "tst_crash.moc"
