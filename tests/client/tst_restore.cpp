// The outbox on disk through the controller: text typed while the server is away survives the
// window being closed, comes back as pending rows, and reaches the hub exactly once, even when
// the hub had already taken it before the crash.
#include "chat/chathub.h"
#include "chinesetranslation.h"
#include "connectioncontroller.h"
#include "fakeservers.h"
#include "hubaccounts.h"
#include "messagemodel.h"

#include <QAbstractItemModelTester>
#include <QFile>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

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

QStringList ids(const ConnectionController *client)
{
    const MessageModel *model = client->messages();
    QStringList result;
    for (int row = 0; row < model->rowCount(); ++row)
        result.append(model->index(row).data(MessageModel::IdRole).toString());
    return result;
}

constexpr int kSlowMs = 10000;

} // namespace

class TestRestore : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { QVERIFY(chat::test::installChineseTranslation()); }
    void init();
    void cleanup();

    void typedOfflineSurvivesRestart();
    void acceptedBeforeCrashAppearsOnce_data();
    void acceptedBeforeCrashAppearsOnce();
    void damagedFileKeepsTheGoodLines();
    void eachServerAndAccountKeepsItsOwn();
    void unwritableOutboxIsReportedOnce();
    void longOutboxKeepsOrderUnderRateLimit();

private:
    ChatHub *startHub(quint16 port = 0, int historySize = 200);
    ChatHub *startHub(const HubConfig &config);
    ConnectionController *makeClient(const QString &nick, const QUrl &url,
                                     const QString &outboxPath = {});
    // Deletes a client the way a closed window does: no goodbye beyond the destructor.
    void closeClient(ConnectionController *client);

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_path;
    std::unique_ptr<ChatHub> m_hub;
    HubAccounts m_accounts;
    QList<ConnectionController *> m_clients;
    QList<QAbstractItemModelTester *> m_testers;
};

void TestRestore::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_path = m_dir->filePath(QStringLiteral("outbox.txt"));
}

void TestRestore::cleanup()
{
    qDeleteAll(m_testers);
    m_testers.clear();
    qDeleteAll(m_clients);
    m_clients.clear();
    m_hub.reset();
    m_dir.reset();
}

ChatHub *TestRestore::startHub(quint16 port, int historySize)
{
    HubConfig config;
    config.host = QHostAddress::LocalHost;
    config.port = port;
    config.historySize = historySize;
    return startHub(config);
}

ChatHub *TestRestore::startHub(const HubConfig &config)
{
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

ConnectionController *TestRestore::makeClient(const QString &nick, const QUrl &url,
                                              const QString &outboxPath)
{
    auto *client = new ConnectionController;
    client->setServerUrl(url);
    client->setToken(nick, m_accounts.tokenFor(nick));
    if (m_hub && !m_accounts.grant(*m_hub, nick))
        qWarning("cannot add the account %s", qPrintable(nick));
    client->setBackoff(50, 400);
    client->setBackoffRandomSource([] { return 0.5; });
    client->setAttemptTimeout(5000);
    m_clients.append(client);
    // The testers watch the models from the start, restored rows included.
    m_testers.append(new QAbstractItemModelTester(
        client->messages(), QAbstractItemModelTester::FailureReportingMode::QtTest));
    client->setOutboxPath(outboxPath);
    return client;
}

void TestRestore::closeClient(ConnectionController *client)
{
    const qsizetype i = m_clients.indexOf(client);
    QVERIFY(i >= 0);
    delete m_testers.takeAt(i);
    delete m_clients.takeAt(i);
}

void TestRestore::typedOfflineSurvivesRestart()
{
    // A port where nothing listens yet.
    QVERIFY(startHub());
    const quint16 port = m_hub->port();
    m_hub.reset();

    ConnectionController *alice = makeClient(QStringLiteral("alice"), hubUrl(port), m_path);
    alice->start();
    QTRY_COMPARE(alice->state(), ConnectionState::Reconnecting);
    const QStringList typed{QStringLiteral("one"), QStringLiteral("two 👋"),
                            QStringLiteral("three\nlines")};
    QStringList sentIds;
    for (const QString &text : typed)
        sentIds.append(alice->send(text));
    QCOMPARE(alice->pendingCount(), 3);
    QVERIFY(QFile::exists(m_path));
    closeClient(alice);
    QVERIFY(QFile::exists(m_path)); // closing keeps what was not sent

    // The window opens again: the rows are back, pending, in order, before any connection.
    alice = makeClient(QStringLiteral("alice"), hubUrl(port), m_path);
    QCOMPARE(alice->pendingCount(), 3);
    QCOMPARE(alice->messages()->pendingCount(), 3);
    QCOMPARE(texts(alice), typed);
    QCOMPARE(ids(alice), sentIds);
    QVERIFY(alice->messages()->index(0).data(MessageModel::PendingRole).toBool());
    QVERIFY(alice->messages()->index(0).data(MessageModel::OwnRole).toBool());

    QVERIFY(startHub(port));
    alice->start();
    QTRY_COMPARE_WITH_TIMEOUT(alice->state(), ConnectionState::Connected, kSlowMs);
    QTRY_COMPARE(alice->pendingCount(), 0);
    QCOMPARE(m_hub->lastSeq(), 3);
    QCOMPARE(texts(alice), typed);
    QCOMPARE(ids(alice), sentIds);
    QCOMPARE(alice->messages()->pendingCount(), 0);
    QVERIFY(!QFile::exists(m_path)); // nothing left to keep

    ConnectionController *bob = makeClient(QStringLiteral("bob"), hubUrl(port));
    bob->start();
    QTRY_COMPARE(bob->state(), ConnectionState::Connected);
    // The welcome brings the lobby's newest message; the page before it follows.
    QTRY_COMPARE(texts(bob), typed);
    QCOMPARE(ids(bob), sentIds);
}

void TestRestore::acceptedBeforeCrashAppearsOnce_data()
{
    // With a long history the welcome itself acknowledges the message; with a history of two it
    // has scrolled out, so the client resends and the hub must recognise the id.
    QTest::addColumn<int>("historySize");
    QTest::addRow("still in the welcome's history") << 200;
    QTest::addRow("resent and recognised by id") << 2;
}

void TestRestore::acceptedBeforeCrashAppearsOnce()
{
    QFETCH(const int, historySize);
    QVERIFY(startHub(0, historySize));
    const quint16 port = m_hub->port();
    TcpProxy proxy(port);
    QVERIFY(proxy.listen());
    ConnectionController *alice = makeClient(QStringLiteral("alice"), proxy.url(), m_path);
    ConnectionController *bob = makeClient(QStringLiteral("bob"), hubUrl(port));
    alice->start();
    bob->start();
    QTRY_COMPARE(alice->state(), ConnectionState::Connected);
    QTRY_COMPARE(bob->state(), ConnectionState::Connected);

    proxy.setForwardToClient(false); // the acknowledgement is lost, then the window dies
    const QString id = alice->send(QStringLiteral("only once"));
    QTRY_COMPARE(bob->lastSeq(), 1);
    for (int i = 2; i <= 4; ++i)
        bob->send(QStringLiteral("bob %1").arg(i));
    QTRY_COMPARE(bob->lastSeq(), 4);
    QCOMPARE(alice->pendingCount(), 1);
    closeClient(alice);

    alice = makeClient(QStringLiteral("alice"), hubUrl(port), m_path);
    QCOMPARE(alice->pendingCount(), 1);
    QCOMPARE(ids(alice), QStringList{id});
    alice->start();
    QTRY_COMPARE_WITH_TIMEOUT(alice->state(), ConnectionState::Connected, kSlowMs);
    QTRY_COMPARE(alice->pendingCount(), 0);

    // A later message proves the hub has dealt with the resend before it.
    alice->send(QStringLiteral("after"));
    QTRY_COMPARE(bob->lastSeq(), 5);
    QTRY_COMPARE(alice->lastSeq(), 5);
    QCOMPARE(m_hub->lastSeq(), 5);
    QCOMPARE(texts(bob).count(QStringLiteral("only once")), 1);
    QCOMPARE(texts(alice).count(QStringLiteral("only once")), 1);
    QCOMPARE(alice->messages()->pendingCount(), 0);
    QVERIFY(ids(alice).contains(id));
    QTRY_VERIFY(!QFile::exists(m_path));
}

void TestRestore::damagedFileKeepsTheGoodLines()
{
    ConnectionController *writer = makeClient(QStringLiteral("alice"), hubUrl(1), m_path);
    const QString good = writer->send(QStringLiteral("survivor"));
    closeClient(writer);
    QFile file(m_path);
    QVERIFY(file.open(QIODevice::Append));
    file.write("{\"type\":\"send\",\"id\":\nnot json\n");
    file.write(QByteArray("\x00\x01\x02\n", 4));
    file.close();

    QTest::ignoreMessage(QtWarningMsg,
                         QRegularExpression(QStringLiteral("^saved outbox line 2 skipped")));
    QTest::ignoreMessage(QtWarningMsg,
                         QRegularExpression(QStringLiteral("^saved outbox line 3 skipped")));
    QTest::ignoreMessage(QtWarningMsg,
                         QRegularExpression(QStringLiteral("^saved outbox line 4 skipped")));
    ConnectionController *alice = makeClient(QStringLiteral("alice"), hubUrl(1), m_path);
    QCOMPARE(ids(alice), QStringList{good});
    QCOMPARE(texts(alice), QStringList{QStringLiteral("survivor")});

    // The next change writes a clean file.
    alice->send(QStringLiteral("next"));
    closeClient(alice);
    alice = makeClient(QStringLiteral("alice"), hubUrl(1), m_path);
    QCOMPARE(texts(alice), (QStringList{QStringLiteral("survivor"), QStringLiteral("next")}));
}

void TestRestore::eachServerAndAccountKeepsItsOwn()
{
    const QString pathA = m_dir->filePath(QStringLiteral("a.txt"));
    const QString pathB = m_dir->filePath(QStringLiteral("b.txt"));
    ConnectionController *client = makeClient(QStringLiteral("alice"), hubUrl(1));
    client->send(QStringLiteral("typed before any file")); // memory only so far

    // Memory-only messages move into the first file.
    client->setOutboxPath(pathA);
    QVERIFY(QFile::exists(pathA));
    client->send(QStringLiteral("for A"));
    QCOMPARE(texts(client),
             (QStringList{QStringLiteral("typed before any file"), QStringLiteral("for A")}));

    // Another server or account: A's messages stay in A's file and leave the view.
    client->setOutboxPath(pathB);
    QCOMPARE(client->pendingCount(), 0);
    QCOMPARE(client->messages()->rowCount(), 0);
    client->send(QStringLiteral("for B"));

    client->setOutboxPath(pathA);
    QCOMPARE(texts(client),
             (QStringList{QStringLiteral("typed before any file"), QStringLiteral("for A")}));
    client->setOutboxPath(pathB);
    QCOMPARE(texts(client), QStringList{QStringLiteral("for B")});

    // Back to memory only: what is shown stays, and is no longer written.
    client->setOutboxPath(QString());
    QCOMPARE(texts(client), QStringList{QStringLiteral("for B")});
    client->send(QStringLiteral("memory"));
    closeClient(client);
    client = makeClient(QStringLiteral("alice"), hubUrl(1), pathB);
    QCOMPARE(texts(client), QStringList{QStringLiteral("for B")});
}

void TestRestore::unwritableOutboxIsReportedOnce()
{
    // A plain file where the outbox's directory should be.
    QFile blocker(m_dir->filePath(QStringLiteral("blocker")));
    QVERIFY(blocker.open(QIODevice::WriteOnly));
    blocker.close();
    const QString path = blocker.fileName() + QStringLiteral("/outbox.txt");

    ConnectionController *alice = makeClient(QStringLiteral("alice"), hubUrl(1), path);
    QSignalSpy errors(alice, &ConnectionController::errorOccurred);
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("cannot save")));
    QVERIFY(!alice->send(QStringLiteral("one")).isEmpty());
    QVERIFY(!alice->send(QStringLiteral("two")).isEmpty());
    QCOMPARE(errors.count(), 1);
    QVERIFY2(errors.at(0).at(0).toString().contains(QStringLiteral("未发送的消息无法保存")),
             qPrintable(errors.at(0).at(0).toString()));
    QCOMPARE(alice->pendingCount(), 2); // still queued in memory

    // Once the file can be written, it catches up with everything still queued.
    QVERIFY(QFile::remove(blocker.fileName()));
    alice->send(QStringLiteral("three"));
    QCOMPARE(errors.count(), 1);
    closeClient(alice);
    alice = makeClient(QStringLiteral("alice"), hubUrl(1), path);
    QCOMPARE(texts(alice),
             (QStringList{QStringLiteral("one"), QStringLiteral("two"), QStringLiteral("three")}));
}

void TestRestore::longOutboxKeepsOrderUnderRateLimit()
{
    // Bursts of 5: the hub refuses the 6th message in a row and closes a connection after 15
    // refusals in a row. Forty messages sent at once would be cut off; sent one at a time and
    // retried after a refusal, they all arrive, once each, in the order they were written.
    HubConfig config;
    config.host = QHostAddress::LocalHost;
    config.port = 0;
    config.ratePerSecond = 50;
    config.rateBurst = 5;
    QVERIFY(startHub(config));
    ConnectionController *alice =
        makeClient(QStringLiteral("alice"), hubUrl(m_hub->port()), m_path);
    alice->setRetryDelay(100);
    QStringList typed;
    for (int i = 1; i <= 40; ++i) {
        typed.append(QStringLiteral("message %1").arg(i));
        alice->send(typed.constLast());
    }
    QSignalSpy errors(alice, &ConnectionController::errorOccurred);
    alice->start();
    QTRY_COMPARE_WITH_TIMEOUT(alice->pendingCount(), 0, kSlowMs);
    QVERIFY(errors.count() > 0); // the limit was hit
    QCOMPARE(alice->attemptCount(), 1);
    QCOMPARE(alice->state(), ConnectionState::Connected);
    QCOMPARE(m_hub->lastSeq(), 40);
    QCOMPARE(texts(alice), typed);
}

QTEST_GUILESS_MAIN(TestRestore)
#include "tst_restore.moc"
