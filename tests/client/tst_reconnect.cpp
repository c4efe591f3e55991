// The connection controller against a real ChatHub over real sockets: joining, acknowledgements,
// reconnection with backoff, resume, resend with the same ids, refused upgrades and hellos.
// The clients log in with tokens made for them (hubaccounts.h).
#include "chat/chathub.h"
#include "chinesetranslation.h"
#include "connectioncontroller.h"
#include "fakeservers.h"
#include "hubaccounts.h"
#include "memberlistmodel.h"
#include "messagemodel.h"
#include "roomlistmodel.h"
#include "validation.h"

#include <QAbstractItemModelTester>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>

#include <algorithm>
#include <memory>

using chat::client::ConnectionController;
using chat::client::ConnectionState;
using chat::client::MessageModel;
using chat::server::ChatHub;
using chat::server::HubConfig;

namespace {

QUrl hubUrl(quint16 port)
{
    QUrl url;
    url.setScheme(QStringLiteral("ws"));
    url.setHost(QStringLiteral("127.0.0.1"));
    url.setPort(port);
    url.setPath(QStringLiteral("/"));
    return url;
}

QStringList texts(const ConnectionController *client)
{
    const MessageModel *model = client->messages();
    QStringList result;
    for (int row = 0; row < model->rowCount(); ++row)
        result.append(model->index(row).data(MessageModel::TextRole).toString());
    return result;
}

QList<qint64> seqs(const ConnectionController *client)
{
    const MessageModel *model = client->messages();
    QList<qint64> result;
    for (int row = 0; row < model->rowCount(); ++row)
        result.append(model->index(row).data(MessageModel::SeqRole).toLongLong());
    return result;
}

QList<qint64> range(qint64 first, qint64 last)
{
    QList<qint64> result;
    for (qint64 seq = first; seq <= last; ++seq)
        result.append(seq);
    return result;
}

QList<int> delays(const QSignalSpy &spy)
{
    QList<int> result;
    for (const QList<QVariant> &arguments : spy)
        result.append(arguments.at(0).toInt());
    return result;
}

constexpr int kSlowMs = 10000; // for waits that cover several reconnection rounds

} // namespace

class TestReconnect : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { QVERIFY(chat::test::installChineseTranslation()); }
    void cleanup();

    void connectsSendsAndIsAcknowledged();
    void invalidTextIsRefusedLocally();
    void reconnectsToRestartedHubAndResendsOutbox();
    void resumesWithoutGapOrDuplicateAfterDrop();
    void resentIdIsNotDuplicated();
    void httpRefusalIsRetriedUntilHubAppears();
    void silentServerHitsAttemptTimeout();
    void unknownTokenAsksForCredentialsWithoutRetry();
    void twoDevicesOfOneAccountAreOnePerson();
    void stopWhileReconnecting();
    void reconnectNowSkipsTheWait();
    void shortLivedConnectionKeepsBackingOff();

private:
    ChatHub *startHub(quint16 port = 0, int historySize = 200);
    ConnectionController *makeClient(const QString &nick, const QUrl &url);

    std::unique_ptr<ChatHub> m_hub;
    HubAccounts m_accounts;
    QList<ConnectionController *> m_clients;
    QList<QAbstractItemModelTester *> m_testers;
};

ChatHub *TestReconnect::startHub(quint16 port, int historySize)
{
    HubConfig config;
    config.host = QHostAddress::LocalHost;
    config.port = port;
    config.historySize = historySize;
    m_hub = std::make_unique<ChatHub>(config);
    // The accounts of the clients made so far, with the same tokens on every hub.
    if (!m_accounts.grantAll(*m_hub))
        qWarning("cannot add the test accounts");
    if (!m_hub->listen()) {
        qWarning("listen failed: %s", qPrintable(m_hub->errorString()));
        m_hub.reset();
    }
    return m_hub.get();
}

ConnectionController *TestReconnect::makeClient(const QString &nick, const QUrl &url)
{
    auto *client = new ConnectionController;
    client->setServerUrl(url);
    const QString account = chat::proto::normalizeNick(nick).nick;
    client->setToken(nick, m_accounts.tokenFor(account));
    if (m_hub && !m_accounts.grant(*m_hub, account))
        qWarning("cannot add the account %s", qPrintable(account));
    client->setBackoff(50, 400);
    client->setBackoffRandomSource([] { return 0.5; }); // no jitter: exact delays
    client->setAttemptTimeout(5000);
    m_clients.append(client);
    m_testers.append(new QAbstractItemModelTester(
        client->messages(), QAbstractItemModelTester::FailureReportingMode::QtTest));
    m_testers.append(new QAbstractItemModelTester(
        client->members(), QAbstractItemModelTester::FailureReportingMode::QtTest));
    m_testers.append(new QAbstractItemModelTester(
        client->rooms(), QAbstractItemModelTester::FailureReportingMode::QtTest));
    return client;
}

void TestReconnect::cleanup()
{
    qDeleteAll(m_testers);
    m_testers.clear();
    qDeleteAll(m_clients);
    m_clients.clear();
    m_hub.reset();
}

void TestReconnect::connectsSendsAndIsAcknowledged()
{
    QVERIFY(startHub());
    ConnectionController *alice = makeClient(QStringLiteral(" alice "), hubUrl(m_hub->port()));
    QSignalSpy states(alice, &ConnectionController::stateChanged);
    QSignalSpy joined(alice, &ConnectionController::joined);
    QSignalSpy errors(alice, &ConnectionController::errorOccurred);

    alice->start();
    QCOMPARE(alice->state(), ConnectionState::Connecting);
    QVERIFY(alice->statusText().startsWith(QStringLiteral("正在连接 ws://127.0.0.1:")));
    QVERIFY(joined.wait());
    QCOMPARE(alice->state(), ConnectionState::Connected);
    QCOMPARE(alice->account(), QStringLiteral("alice"));
    QCOMPARE(alice->statusText(), QStringLiteral("已连接：alice"));
    QTRY_COMPARE(alice->members()->names(), QStringList{QStringLiteral("alice")});
    QCOMPARE(states.count(), 2);
    QCOMPARE(states.at(0).at(0).value<ConnectionState>(), ConnectionState::Connecting);
    QCOMPARE(states.at(1).at(0).value<ConnectionState>(), ConnectionState::Connected);

    const QString id = alice->send(QStringLiteral("hello 👋"));
    QVERIFY(!id.isEmpty());
    QCOMPARE(alice->pendingCount(), 1);
    QCOMPARE(alice->messages()->rowCount(), 1);
    QVERIFY(alice->messages()->index(0).data(MessageModel::PendingRole).toBool());
    QTRY_COMPARE(alice->pendingCount(), 0);
    QCOMPARE(alice->messages()->rowCount(), 1);
    const QModelIndex row = alice->messages()->index(0);
    QCOMPARE(row.data(MessageModel::IdRole).toString(), id);
    QCOMPARE(row.data(MessageModel::SeqRole).toLongLong(), 1);
    QCOMPARE(row.data(MessageModel::PendingRole).toBool(), false);
    QCOMPARE(row.data(MessageModel::OwnRole).toBool(), true);
    QCOMPARE(alice->lastSeq(), 1);

    ConnectionController *bob = makeClient(QStringLiteral("bob"), hubUrl(m_hub->port()));
    bob->start();
    QTRY_COMPARE(bob->state(), ConnectionState::Connected);
    // From the history page bob asks for after the welcome: it may come a turn later.
    QTRY_COMPARE(texts(bob), QStringList{QStringLiteral("hello 👋")});
    QTRY_COMPARE(alice->members()->onlineCount(), 2); // the lobby's, through presence
    bob->stop();
    QTRY_COMPARE(alice->members()->onlineCount(), 1);
    QCOMPARE(errors.count(), 0);
}

void TestReconnect::invalidTextIsRefusedLocally()
{
    ConnectionController *alice = makeClient(QStringLiteral("alice"), hubUrl(1));
    QSignalSpy errors(alice, &ConnectionController::errorOccurred);
    QCOMPARE(alice->send(QStringLiteral("  \n ")), QString());
    QCOMPARE(alice->send(QString(4001, u'x')), QString());
    QCOMPARE(errors.count(), 2);
    QCOMPARE(errors.at(0).at(0).toString(), QStringLiteral("消息内容为空。"));
    QCOMPARE(alice->pendingCount(), 0);
    QCOMPARE(alice->messages()->rowCount(), 0);
    QCOMPARE(alice->state(), ConnectionState::Offline);
}

void TestReconnect::reconnectsToRestartedHubAndResendsOutbox()
{
    QVERIFY(startHub());
    const quint16 port = m_hub->port();
    ConnectionController *alice = makeClient(QStringLiteral("alice"), hubUrl(port));
    ConnectionController *bob = makeClient(QStringLiteral("bob"), hubUrl(port));
    alice->start();
    bob->start();
    QTRY_COMPARE(alice->state(), ConnectionState::Connected);
    QTRY_COMPARE(bob->state(), ConnectionState::Connected);

    // Ten messages, so that the restarted hub's numbers stay below every client's lastSeq and it
    // answers with a fresh history (protocol v1 has no way to tell a restarted hub apart).
    for (int i = 1; i <= 10; ++i)
        alice->send(QStringLiteral("before %1").arg(i));
    QTRY_COMPARE(bob->lastSeq(), 10);
    QTRY_COMPARE(alice->pendingCount(), 0);

    QSignalSpy scheduled(alice, &ConnectionController::reconnectScheduled);
    QSignalSpy statusTexts(alice, &ConnectionController::statusTextChanged);
    m_hub.reset();
    QTRY_VERIFY_WITH_TIMEOUT(scheduled.count() >= 5, kSlowMs);
    QCOMPARE(delays(scheduled).mid(0, 5), (QList<int>{50, 100, 200, 400, 400}));
    QTRY_COMPARE(alice->state(), ConnectionState::Reconnecting);
    QVERIFY2(alice->statusText().contains(QRegularExpression(QStringLiteral("^\\d+ 秒后重新连接"))),
             qPrintable(alice->statusText()));
    // The countdown names why the last attempt failed.
    QVERIFY(std::any_of(statusTexts.cbegin(), statusTexts.cend(), [](const QList<QVariant> &args) {
        return args.at(0).toString().startsWith(QStringLiteral("1 秒后重新连接 — "));
    }));
    QCOMPARE(alice->reconnectDelayMs(), 400);

    const QStringList offline{QStringLiteral("offline from alice 1"),
                              QStringLiteral("offline from alice 2"),
                              QStringLiteral("offline from bob")};
    QVERIFY(!alice->send(offline.at(0)).isEmpty());
    QVERIFY(!alice->send(offline.at(1)).isEmpty());
    QVERIFY(!bob->send(offline.at(2)).isEmpty());
    QCOMPARE(alice->pendingCount(), 2);
    QCOMPARE(alice->messages()->pendingCount(), 2);
    QCOMPARE(bob->pendingCount(), 1);

    QVERIFY(startHub(port));
    QTRY_COMPARE_WITH_TIMEOUT(alice->state(), ConnectionState::Connected, kSlowMs);
    QTRY_COMPARE_WITH_TIMEOUT(bob->state(), ConnectionState::Connected, kSlowMs);
    QTRY_COMPARE(alice->pendingCount(), 0);
    QTRY_COMPARE(bob->pendingCount(), 0);
    QTRY_COMPARE(m_hub->lastSeq(), 3);

    for (ConnectionController *client : {alice, bob}) {
        QTRY_COMPARE(seqs(client), (QList<qint64>{1, 2, 3}));
        QStringList shown = texts(client);
        shown.sort();
        QCOMPARE(shown, offline); // each exactly once, and nothing from the old hub
        QCOMPARE(client->messages()->pendingCount(), 0);
        QCOMPARE(client->lastSeq(), 3);
    }
    QTRY_COMPARE(alice->members()->onlineCount(), 2);
}

void TestReconnect::resumesWithoutGapOrDuplicateAfterDrop()
{
    QVERIFY(startHub());
    TcpProxy proxy(m_hub->port());
    QVERIFY(proxy.listen());
    ConnectionController *alice = makeClient(QStringLiteral("alice"), proxy.url());
    ConnectionController *bob = makeClient(QStringLiteral("bob"), hubUrl(m_hub->port()));
    alice->start();
    bob->start();
    QTRY_COMPARE(alice->state(), ConnectionState::Connected);
    QTRY_COMPARE(bob->state(), ConnectionState::Connected);

    for (int i = 1; i <= 3; ++i)
        bob->send(QStringLiteral("bob %1").arg(i));
    QTRY_COMPARE(alice->lastSeq(), 3);

    // The network drops: alice's side is gone, the hub's side lingers as a ghost.
    QSignalSpy scheduled(alice, &ConnectionController::reconnectScheduled);
    QSignalSpy resets(alice->messages(), &QAbstractItemModel::modelReset);
    proxy.setAccepting(false);
    proxy.dropClientSides();
    QTRY_VERIFY(scheduled.count() >= 2);

    for (int i = 4; i <= 8; ++i)
        bob->send(QStringLiteral("bob %1").arg(i));
    QTRY_COMPARE(bob->lastSeq(), 8);
    QVERIFY(!alice->send(QStringLiteral("typed while away")).isEmpty());
    QCOMPARE(alice->pendingCount(), 1);

    proxy.setAccepting(true);
    QTRY_COMPARE_WITH_TIMEOUT(alice->state(), ConnectionState::Connected, kSlowMs);
    QTRY_COMPARE(alice->pendingCount(), 0);
    QTRY_COMPARE(bob->lastSeq(), 9);
    QCOMPARE(alice->lastSeq(), 9);

    const QList<qint64> expected = range(1, 9);
    QCOMPARE(seqs(alice), expected);
    QCOMPARE(seqs(bob), expected);
    QCOMPARE(texts(alice), texts(bob));
    QCOMPARE(texts(alice).count(QStringLiteral("typed while away")), 1);
    QCOMPARE(resets.count(), 0);           // resumed: appended, not reloaded
    QTRY_COMPARE(m_hub->onlineCount(), 2); // the ghost was replaced, not kept beside her
}

void TestReconnect::resentIdIsNotDuplicated()
{
    // History of two, so alice's accepted-but-unacknowledged message is not in her next
    // welcome: she must resend it, and the hub must recognise the id.
    QVERIFY(startHub(0, 2));
    TcpProxy proxy(m_hub->port());
    QVERIFY(proxy.listen());
    ConnectionController *alice = makeClient(QStringLiteral("alice"), proxy.url());
    ConnectionController *bob = makeClient(QStringLiteral("bob"), hubUrl(m_hub->port()));
    alice->start();
    bob->start();
    QTRY_COMPARE(alice->state(), ConnectionState::Connected);
    QTRY_COMPARE(bob->state(), ConnectionState::Connected);

    proxy.setForwardToClient(false); // the acknowledgement will be lost
    const QString id = alice->send(QStringLiteral("only once"));
    QTRY_COMPARE(bob->lastSeq(), 1); // the hub accepted it
    for (int i = 2; i <= 4; ++i)
        bob->send(QStringLiteral("bob %1").arg(i));
    QTRY_COMPARE(bob->lastSeq(), 4);
    QCOMPARE(alice->pendingCount(), 1);

    QSignalSpy joined(alice, &ConnectionController::joined);
    proxy.setForwardToClient(true);
    proxy.dropClientSides();
    QVERIFY(joined.wait(kSlowMs));
    QTRY_COMPARE(alice->pendingCount(), 0);

    // A later message proves the hub has handled the resend before it.
    alice->send(QStringLiteral("after"));
    QTRY_COMPARE(bob->lastSeq(), 5);
    QTRY_COMPARE(alice->lastSeq(), 5);
    QCOMPARE(m_hub->lastSeq(), 5);
    QCOMPARE(texts(bob).count(QStringLiteral("only once")), 1);
    QCOMPARE(texts(alice).count(QStringLiteral("only once")), 1);
    QCOMPARE(alice->messages()->pendingCount(), 0);
    const int row = int(texts(alice).indexOf(QStringLiteral("only once")));
    QCOMPARE(alice->messages()->index(row).data(MessageModel::IdRole).toString(), id);
    QCOMPARE(alice->messages()->index(row).data(MessageModel::SeqRole).toLongLong(), 1);
}

void TestReconnect::httpRefusalIsRetriedUntilHubAppears()
{
    RefusingServer refusing(RefusingServer::Mode::Http403);
    QVERIFY(refusing.listen());
    const quint16 port = refusing.port();
    ConnectionController *alice = makeClient(QStringLiteral("alice"), refusing.url());
    alice->setAttemptTimeout(60000); // every retry below must come from the refusal itself
    QSignalSpy attempts(alice, &ConnectionController::attemptStarted);
    QSignalSpy scheduled(alice, &ConnectionController::reconnectScheduled);

    alice->start();
    QTRY_VERIFY_WITH_TIMEOUT(alice->attemptCount() >= 5, kSlowMs);
    QVERIFY(refusing.connectionCount() >= 4);
    // One retry per attempt, never two: error() without disconnected() must not stall the loop,
    // and both must not schedule twice.
    QVERIFY2(scheduled.count() == attempts.count() || scheduled.count() == attempts.count() - 1,
             qPrintable(QStringLiteral("%1 attempts, %2 retries scheduled")
                            .arg(attempts.count())
                            .arg(scheduled.count())));
    QVERIFY(alice->state() != ConnectionState::Connected);

    refusing.close();
    QVERIFY(startHub(port));
    QTRY_COMPARE_WITH_TIMEOUT(alice->state(), ConnectionState::Connected, kSlowMs);
    QCOMPARE(m_hub->onlineCount(), 1);
}

void TestReconnect::silentServerHitsAttemptTimeout()
{
    RefusingServer silent(RefusingServer::Mode::Silent);
    QVERIFY(silent.listen());
    ConnectionController *alice = makeClient(QStringLiteral("alice"), silent.url());
    alice->setAttemptTimeout(200);
    alice->start();
    QTRY_VERIFY_WITH_TIMEOUT(alice->attemptCount() >= 3, kSlowMs);
    QTRY_VERIFY(silent.connectionCount() >= 3);
    QCOMPARE(alice->lastError(), QStringLiteral("服务器在 200 毫秒内没有应答。"));
}

void TestReconnect::unknownTokenAsksForCredentialsWithoutRetry()
{
    QVERIFY(startHub());
    ConnectionController *alice = makeClient(QStringLiteral("alice"), hubUrl(m_hub->port()));
    alice->setToken(QStringLiteral("alice"), QStringLiteral("not a token this hub made"));
    QSignalSpy needed(alice, &ConnectionController::credentialsNeeded);
    QSignalSpy attempts(alice, &ConnectionController::attemptStarted);
    QSignalSpy scheduled(alice, &ConnectionController::reconnectScheduled);
    alice->start();
    QVERIFY(needed.wait());
    QVERIFY(!needed.at(0).at(0).toString().isEmpty());
    QCOMPARE(alice->state(), ConnectionState::Offline);
    QVERIFY(alice->statusText().startsWith(QStringLiteral("离线：")));
    QVERIFY(!attempts.wait(500)); // no further attempt
    QCOMPARE(attempts.count(), 1);
    QCOMPARE(scheduled.count(), 0);
    QVERIFY(!alice->hasCredentials());
}

void TestReconnect::twoDevicesOfOneAccountAreOnePerson()
{
    QVERIFY(startHub());
    ConnectionController *first = makeClient(QStringLiteral("Bob"), hubUrl(m_hub->port()));
    first->start();
    QTRY_COMPARE(first->state(), ConnectionState::Connected);
    ConnectionController *second = makeClient(QStringLiteral("Bob"), hubUrl(m_hub->port()));
    second->start();
    QTRY_COMPARE(second->state(), ConnectionState::Connected);
    QCOMPARE(first->state(), ConnectionState::Connected);
    QCOMPARE(m_hub->onlineCount(), 1);
    QTRY_COMPARE(second->members()->onlineCount(), 1);
    QVERIFY(second->members()->isOnline(QStringLiteral("bob")));

    // One device leaving is not news; the account stays online through the other.
    second->stop();
    QTRY_COMPARE(m_hub->connectionCount(), 1);
    QCOMPARE(m_hub->onlineCount(), 1);
    QCOMPARE(first->members()->onlineCount(), 1);
}

void TestReconnect::stopWhileReconnecting()
{
    RefusingServer refusing(RefusingServer::Mode::Http403);
    QVERIFY(refusing.listen());
    ConnectionController *alice = makeClient(QStringLiteral("alice"), refusing.url());
    QSignalSpy attempts(alice, &ConnectionController::attemptStarted);
    alice->start();
    QTRY_COMPARE(alice->state(), ConnectionState::Reconnecting);
    alice->stop();
    QCOMPARE(alice->state(), ConnectionState::Offline);
    QCOMPARE(alice->statusText(), QStringLiteral("离线"));
    const int count = int(attempts.count());
    QVERIFY(!attempts.wait(500));
    QCOMPARE(attempts.count(), count);
}

void TestReconnect::reconnectNowSkipsTheWait()
{
    RefusingServer refusing(RefusingServer::Mode::Http403);
    QVERIFY(refusing.listen());
    ConnectionController *alice = makeClient(QStringLiteral("alice"), refusing.url());
    alice->setBackoff(60000, 60000);
    QSignalSpy attempts(alice, &ConnectionController::attemptStarted);
    alice->start();
    QTRY_COMPARE(alice->state(), ConnectionState::Reconnecting);
    // Qt's "QWebSocketPrivate::processHandshake: Unhandled http status code: 403 (Forbidden)."
    // in words a person understands.
    QCOMPARE(alice->statusText(),
             QStringLiteral("60 秒后重新连接 — 服务器拒绝了连接（HTTP 403 Forbidden）。"));
    QCOMPARE(attempts.count(), 1);
    alice->reconnectNow();
    QCOMPARE(attempts.count(), 2);
    QCOMPARE(alice->state(), ConnectionState::Connecting);
    QTRY_COMPARE(alice->state(), ConnectionState::Reconnecting);
    QCOMPARE(alice->reconnectDelayMs(), 60000);
}

void TestReconnect::shortLivedConnectionKeepsBackingOff()
{
    // A server that accepts and soon drops again must not be hammered: the backoff only starts
    // over after a connection stayed up for the stable time (10 s by default).
    QVERIFY(startHub());
    const quint16 port = m_hub->port();
    ConnectionController *alice = makeClient(QStringLiteral("alice"), hubUrl(port));
    QSignalSpy scheduled(alice, &ConnectionController::reconnectScheduled);
    alice->start();
    QTRY_COMPARE(alice->state(), ConnectionState::Connected);

    m_hub.reset();
    QTRY_COMPARE(scheduled.count(), 1);
    QCOMPARE(scheduled.at(0).at(0).toInt(), 50);
    QVERIFY(startHub(port));
    QTRY_COMPARE(alice->state(), ConnectionState::Connected);

    const qsizetype before = scheduled.count();
    m_hub.reset();
    QTRY_VERIFY(scheduled.count() > before);
    QVERIFY2(scheduled.at(before).at(0).toInt() > 50,
             qPrintable(QString::number(scheduled.at(before).at(0).toInt())));
}

QTEST_GUILESS_MAIN(TestReconnect)
#include "tst_reconnect.moc"
