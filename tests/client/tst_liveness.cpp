// A connection that goes quiet is noticed: the client pings, and when nothing comes back in
// time it drops the connection and reconnects, instead of showing "Connected" forever. Against
// a blackholing proxy in-process, and against the real chat-server frozen with SIGSTOP.
#include "chat/chathub.h"
#include "chinesetranslation.h"
#include "connectioncontroller.h"
#include "fakeservers.h"
#include "hubaccounts.h"
#include "messagemodel.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>
#include <QWebSocket>

#include <csignal>
#include <memory>
#include <utility>

#include <signal.h>

using chat::client::ConnectionController;
using chat::client::ConnectionState;
using chat::client::MessageModel;
using chat::server::ChatHub;
using chat::server::HubConfig;

namespace {

QStringList texts(const ConnectionController *client)
{
    const MessageModel *model = client->messages();
    QStringList result;
    for (int row = 0; row < model->rowCount(); ++row)
        result.append(model->index(row).data(MessageModel::TextRole).toString());
    return result;
}

// The socket of the controller's live connection.
QWebSocket *connectedSocket(const ConnectionController *client)
{
    const QList<QWebSocket *> sockets = client->findChildren<QWebSocket *>();
    for (QWebSocket *socket : sockets) {
        if (socket->state() == QAbstractSocket::ConnectedState)
            return socket;
    }
    return nullptr;
}

constexpr int kPingMs = 200;
// How late the notice may come on a loaded machine; checking only at each ping was 150 ms late
// in silenceIsNoticed.
constexpr int kLateMs = 100;
constexpr int kSlowMs = 10000;

} // namespace

class TestLiveness : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { QVERIFY(chat::test::installChineseTranslation()); }
    void cleanup();

    void answeredPingsKeepTheConnection();
    void silenceIsNoticed_data();
    void silenceIsNoticed();
    void frozenServerProcess();

private:
    ConnectionController *makeClient(const QString &nick, const QUrl &url);
    // Starts chat-server on a free port of 127.0.0.1 and returns its URL; invalid on failure.
    [[nodiscard]] QUrl startServerProcess();

    std::unique_ptr<ChatHub> m_hub;
    HubAccounts m_accounts;
    std::unique_ptr<QProcess> m_process;
    QList<ConnectionController *> m_clients;
};

void TestLiveness::cleanup()
{
    qDeleteAll(m_clients);
    m_clients.clear();
    m_hub.reset();
    if (m_process && m_process->state() != QProcess::NotRunning) {
        // A stopped process cannot die of SIGKILL until it runs again.
        ::kill(pid_t(m_process->processId()), SIGCONT);
        QSignalSpy finished(m_process.get(), &QProcess::finished);
        m_process->kill();
        QVERIFY(finished.wait(kSlowMs));
    }
    m_process.reset();
}

ConnectionController *TestLiveness::makeClient(const QString &nick, const QUrl &url)
{
    auto *client = new ConnectionController;
    client->setServerUrl(url);
    if (m_hub) {
        client->setToken(nick, m_accounts.tokenFor(nick));
        if (!m_accounts.grant(*m_hub, nick))
            qWarning("cannot add the account %s", qPrintable(nick));
    } else {
        // The real chat-server registers newcomers (--registration open, the default); the
        // token from its welcome logs in after that.
        client->setRegistration(chat::proto::Registration{
            nick, QStringLiteral("password of ") + nick, QString(), QString()});
    }
    client->setBackoff(50, 400);
    client->setBackoffRandomSource([] { return 0.5; });
    client->setAttemptTimeout(1000);
    client->setPingInterval(kPingMs);
    m_clients.append(client);
    return client;
}

QUrl TestLiveness::startServerProcess()
{
    m_process = std::make_unique<QProcess>();
    m_process->setProgram(QStringLiteral(CHAT_SERVER_BINARY));
    // In-memory history: the test must not touch the user's database.
    m_process->setArguments({QStringLiteral("--host"), QStringLiteral("127.0.0.1"),
                             QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--db"),
                             QStringLiteral(":memory:")});
    m_process->setProcessChannelMode(QProcess::ForwardedErrorChannel);
    QSignalSpy output(m_process.get(), &QProcess::readyReadStandardOutput);
    m_process->start();
    QDeadlineTimer deadline(kSlowMs);
    while (!m_process->canReadLine()) {
        if (deadline.hasExpired() || m_process->state() == QProcess::NotRunning) {
            qWarning("chat-server did not start");
            return {};
        }
        output.wait(std::max(1, int(deadline.remainingTime())));
    }
    const QString line = QString::fromUtf8(m_process->readLine()).trimmed();
    static const QRegularExpression pattern(QStringLiteral("^listening on (wss?://\\S+/)$"));
    const QRegularExpressionMatch match = pattern.match(line);
    if (!match.hasMatch()) {
        qWarning("unexpected first line: %s", qPrintable(line));
        return {};
    }
    return QUrl(match.captured(1));
}

void TestLiveness::answeredPingsKeepTheConnection()
{
    // Pings every 100 ms, dead after 500 ms of silence: only the pongs keep this connection.
    HubConfig config;
    config.host = QHostAddress::LocalHost;
    config.port = 0;
    m_hub = std::make_unique<ChatHub>(config);
    QVERIFY(m_hub->listen());
    ConnectionController *alice = makeClient(QStringLiteral("alice"), m_hub->url());
    alice->setPingInterval(100);
    alice->setPingTimeout(500);
    alice->start();
    QTRY_COMPARE(alice->state(), ConnectionState::Connected);
    QSignalSpy states(alice, &ConnectionController::stateChanged);
    QVERIFY(!states.wait(1500)); // three timeouts without a word from the chat
    QCOMPARE(alice->state(), ConnectionState::Connected);
}

void TestLiveness::silenceIsNoticed_data()
{
    QTest::addColumn<int>("pingMs");
    QTest::addColumn<bool>("noticed");
    QTest::addRow("pings every 200 ms") << kPingMs << true;
    QTest::addRow("pings off: it hangs") << 0 << false;
}

void TestLiveness::silenceIsNoticed()
{
    QFETCH(const int, pingMs);
    QFETCH(const bool, noticed);
    HubConfig config;
    config.host = QHostAddress::LocalHost;
    config.port = 0;
    m_hub = std::make_unique<ChatHub>(config);
    QVERIFY(m_hub->listen());
    TcpProxy proxy(m_hub->port());
    QVERIFY(proxy.listen());
    ConnectionController *alice = makeClient(QStringLiteral("alice"), proxy.url());
    alice->setPingInterval(pingMs);
    alice->start();
    QTRY_COMPARE(alice->state(), ConnectionState::Connected);

    QSignalSpy states(alice, &ConnectionController::stateChanged);
    if (!noticed) {
        // From now on nothing reaches the client, though its connection stays open: half-open.
        proxy.setForwardToClient(false);
        QVERIFY(!states.wait(5 * kPingMs)); // what the pings are there for
        QCOMPARE(alice->state(), ConnectionState::Connected);
        return;
    }

    // The silence starts an eighth of an interval after a ping was answered, with a message's echo:
    // a check that only looked at every ping noticed it almost three intervals later
    // (15 s pings: up to 45 s); it must come at two intervals.
    QWebSocket *socket = connectedSocket(alice);
    QVERIFY(socket);
    bool answered = false;
    bool echoDue = false;
    QElapsedTimer sinceLastHeard;
    QObject::connect(socket, &QWebSocket::pong, &proxy, [&] {
        if (std::exchange(answered, true))
            return;
        QTimer::singleShot(pingMs / 8, &proxy, [&] {
            echoDue = true;
            alice->send(QStringLiteral("last words"));
        });
    });
    QObject::connect(socket, &QWebSocket::textMessageReceived, &proxy, [&] {
        if (!echoDue || sinceLastHeard.isValid())
            return;
        proxy.setForwardToClient(false); // half-open from now on
        sinceLastHeard.start();
    });
    qint64 noticedAfterMs = -1;
    QObject::connect(alice, &ConnectionController::stateChanged, &proxy, [&] {
        if (noticedAfterMs < 0 && sinceLastHeard.isValid() &&
            alice->state() == ConnectionState::Reconnecting)
            noticedAfterMs = sinceLastHeard.elapsed();
    });
    QTRY_VERIFY_WITH_TIMEOUT(sinceLastHeard.isValid(), 5000);
    QTRY_COMPARE_WITH_TIMEOUT(alice->state(), ConnectionState::Reconnecting, 5000);
    const int timeoutMs = 2 * pingMs;
    qInfo("noticed %lld ms after the last frame (ping %d ms, timeout %d ms)", noticedAfterMs,
          pingMs, timeoutMs);
    // At the timeout, not at the first ping after it: [timeout, timeout + a little]. The lower
    // bound allows for the millisecond rounding of two clocks started microseconds apart.
    QVERIFY2(noticedAfterMs >= timeoutMs - 2, qPrintable(QString::number(noticedAfterMs)));
    QVERIFY2(noticedAfterMs <= timeoutMs + kLateMs, qPrintable(QString::number(noticedAfterMs)));
    QVERIFY2(alice->lastError().contains(QStringLiteral("服务器已停止应答")),
             qPrintable(alice->lastError()));
    QVERIFY2(alice->statusText().contains(QStringLiteral("服务器已停止应答")),
             qPrintable(alice->statusText()));

    proxy.setForwardToClient(true);
    QTRY_COMPARE_WITH_TIMEOUT(alice->state(), ConnectionState::Connected, kSlowMs);
}

void TestLiveness::frozenServerProcess()
{
    const QUrl url = startServerProcess();
    QVERIFY(url.isValid());
    ConnectionController *alice = makeClient(QStringLiteral("alice"), url);
    alice->start();
    QTRY_COMPARE_WITH_TIMEOUT(alice->state(), ConnectionState::Connected, kSlowMs);
    alice->send(QStringLiteral("before"));
    QTRY_COMPARE(alice->pendingCount(), 0);

    // Frozen: the kernel keeps the connection open, the server answers nothing.
    const auto pid = pid_t(m_process->processId());
    QCOMPARE(::kill(pid, SIGSTOP), 0);
    QElapsedTimer sinceStop;
    sinceStop.start();
    // Goes down the connection that is already dead: it must still arrive, and only once.
    QVERIFY(!alice->send(QStringLiteral("typed while frozen")).isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(alice->state(), ConnectionState::Reconnecting, 5000);
    qInfo("frozen server noticed after %lld ms", sinceStop.elapsed());
    QVERIFY(alice->lastError().contains(QStringLiteral("服务器已停止应答")));
    QCOMPARE(alice->pendingCount(), 1);
    // Attempts to a frozen server time out and are retried.
    QTRY_VERIFY_WITH_TIMEOUT(alice->attemptCount() >= 3, kSlowMs);
    QVERIFY(alice->state() != ConnectionState::Connected);

    QCOMPARE(::kill(pid, SIGCONT), 0);
    QTRY_COMPARE_WITH_TIMEOUT(alice->state(), ConnectionState::Connected, kSlowMs);
    QTRY_COMPARE(alice->pendingCount(), 0);

    ConnectionController *bob = makeClient(QStringLiteral("bob"), url);
    bob->start();
    QTRY_COMPARE_WITH_TIMEOUT(bob->state(), ConnectionState::Connected, kSlowMs);
    // bob's rows come from the history page he asks for after the welcome: wait for it.
    QTRY_COMPARE(texts(bob),
                 (QStringList{QStringLiteral("before"), QStringLiteral("typed while frozen")}));
    QCOMPARE(texts(alice), texts(bob));
}

QTEST_GUILESS_MAIN(TestLiveness)
#include "tst_liveness.moc"
