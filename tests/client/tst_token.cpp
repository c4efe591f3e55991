// Accounts end to end against a real hub: a registration hands out a token that the next start
// logs in with, the password is written nowhere, a wrong password asks for credentials, and the
// account requests (devices, display name, password change, logout) do what they say to this
// device and the others.
#include "accounts/accounts.h"
#include "chat/chathub.h"
#include "chinesetranslation.h"
#include "connectioncontroller.h"
#include "memberlistmodel.h"
#include "namekey.h"
#include "tokenvault.h"

#include <QDirIterator>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace chat::client;
using chat::server::ChatHub;
using chat::server::HubConfig;
namespace proto = chat::proto;

namespace {

bool anyFileContains(const QString &directory, const QByteArray &needle)
{
    QDirIterator it(directory, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        QFile file(it.next());
        if (file.open(QIODevice::ReadOnly) && file.readAll().contains(needle))
            return true;
    }
    return false;
}

QString storedToken(TokenVault &vault, const QUrl &url, const QString &account)
{
    QString result;
    vault.read(url, account, &vault, [&result](const QString &token) { result = token; });
    return result;
}

} // namespace

class TestToken : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { QVERIFY(chat::test::installChineseTranslation()); }
    void init();
    void cleanup();
    void registrationTokenIsUsedNextTime();
    void wrongPasswordAsksForCredentials();
    void accountRequests();

private:
    ConnectionController *makeClient(FileTokenVault *vault, const QString &device);
    [[nodiscard]] int tokenCount(const QString &account) const;

    std::unique_ptr<ChatHub> m_hub;
    std::unique_ptr<QTemporaryDir> m_dir;
    QList<ConnectionController *> m_clients;
};

void TestToken::init()
{
    HubConfig config;
    config.host = QHostAddress::LocalHost;
    config.port = 0;
    config.accounts.cheapHashes = true; // tests: libsodium's minimum Argon2id cost
    m_hub = std::make_unique<ChatHub>(config);
    QVERIFY2(m_hub->listen(), qPrintable(m_hub->errorString()));
    m_dir = std::make_unique<QTemporaryDir>();
}

void TestToken::cleanup()
{
    qDeleteAll(m_clients);
    m_clients.clear();
    m_hub.reset();
    m_dir.reset();
}

ConnectionController *TestToken::makeClient(FileTokenVault *vault, const QString &device)
{
    auto *client = new ConnectionController;
    client->setServerUrl(m_hub->url());
    client->setTokenVault(vault);
    client->setDeviceName(device);
    client->setBackoff(50, 200);
    m_clients.append(client);
    return client;
}

int TestToken::tokenCount(const QString &account) const
{
    chat::server::AccountStore *store = m_hub->accounts()->store();
    const std::optional<chat::server::Account> found =
        store->findByKey(proto::accountNameKey(account));
    return found ? int(store->tokens(found->id).size()) : -1;
}

void TestToken::registrationTokenIsUsedNextTime()
{
    FileTokenVault vault(m_dir->path());
    const QString password = QStringLiteral("correct horse battery staple");
    ConnectionController *first = makeClient(&vault, QStringLiteral("桌面 · test"));
    first->setRegistration(
        proto::Registration{QStringLiteral("alice"), password, {}, QStringLiteral("爱丽丝")});
    first->start();
    QTRY_COMPARE_WITH_TIMEOUT(first->state(), ConnectionState::Connected, 10000);
    QCOMPARE(first->account(), QStringLiteral("alice"));
    QCOMPARE(first->displayName(), QStringLiteral("爱丽丝"));
    const QString token = storedToken(vault, m_hub->url(), QStringLiteral("alice"));
    QVERIFY(!token.isEmpty());
    QCOMPARE(first->token(), token);
    QVERIFY(!anyFileContains(m_dir->path(), password.toUtf8()));
    first->stop();

    // The next start: the token from the vault, no password, no new token on the server.
    ConnectionController *next = makeClient(&vault, QStringLiteral("桌面 · test"));
    next->setToken(QStringLiteral("alice"),
                   storedToken(vault, m_hub->url(), QStringLiteral("alice")));
    next->start();
    QTRY_COMPARE(next->state(), ConnectionState::Connected);
    QCOMPARE(next->displayName(), QStringLiteral("爱丽丝"));
    QCOMPARE(tokenCount(QStringLiteral("alice")), 1);
    QTRY_COMPARE(next->members()->index(0).data().toString(), QStringLiteral("爱丽丝 (alice)"));
}

void TestToken::wrongPasswordAsksForCredentials()
{
    FileTokenVault vault(m_dir->path());
    ConnectionController *owner = makeClient(&vault, QStringLiteral("a"));
    owner->setRegistration(
        proto::Registration{QStringLiteral("bob"), QStringLiteral("bob's password"), {}, {}});
    owner->start();
    QTRY_COMPARE_WITH_TIMEOUT(owner->state(), ConnectionState::Connected, 10000);

    ConnectionController *guess = makeClient(nullptr, QStringLiteral("b"));
    guess->setPasswordLogin(QStringLiteral("bob"), QStringLiteral("not the password"));
    QSignalSpy needed(guess, &ConnectionController::credentialsNeeded);
    guess->start();
    QVERIFY(needed.wait(10000));
    QVERIFY(!needed.at(0).at(0).toString().isEmpty());
    QCOMPARE(guess->state(), ConnectionState::Offline);
    QCOMPARE(guess->attemptCount(), 1);

    // Someone registering a taken name is told so, and asked again.
    ConnectionController *taken = makeClient(nullptr, QStringLiteral("c"));
    taken->setRegistration(
        proto::Registration{QStringLiteral("BOB"), QStringLiteral("another password"), {}, {}});
    QSignalSpy neededToo(taken, &ConnectionController::credentialsNeeded);
    taken->start();
    QVERIFY(neededToo.wait(10000));
    QCOMPARE(taken->state(), ConnectionState::Offline);
}

void TestToken::accountRequests()
{
    QTemporaryDir otherDir;
    FileTokenVault vaultA(m_dir->path());
    FileTokenVault vaultB(otherDir.path());
    const QString password = QStringLiteral("first password");
    ConnectionController *a = makeClient(&vaultA, QStringLiteral("桌面 · A"));
    a->setRegistration(proto::Registration{QStringLiteral("carol"), password, {}, {}});
    a->start();
    QTRY_COMPARE_WITH_TIMEOUT(a->state(), ConnectionState::Connected, 10000);
    ConnectionController *b = makeClient(&vaultB, QStringLiteral("桌面 · B"));
    b->setPasswordLogin(QStringLiteral("carol"), password);
    b->start();
    QTRY_COMPARE_WITH_TIMEOUT(b->state(), ConnectionState::Connected, 10000);
    QCOMPARE(tokenCount(QStringLiteral("carol")), 2);

    // Devices: both, this one marked.
    QSignalSpy devices(a, &ConnectionController::devicesReceived);
    const QString listId = a->listDevices();
    QVERIFY(devices.wait());
    QCOMPARE(devices.at(0).at(0).toString(), listId);
    const auto list = devices.at(0).at(1).value<QList<proto::Device>>();
    QCOMPARE(list.size(), 2);
    QStringList names;
    for (const proto::Device &device : list) {
        names.append(device.name);
        QCOMPARE(device.current, device.name == QStringLiteral("桌面 · A"));
    }
    names.sort();
    QCOMPARE(names, (QStringList{QStringLiteral("桌面 · A"), QStringLiteral("桌面 · B")}));

    // A display name set on A shows on B.
    QSignalSpy done(a, &ConnectionController::requestDone);
    const QString displayId = a->setDisplayName(QStringLiteral("卡罗尔"));
    QVERIFY(done.wait());
    QCOMPARE(done.at(0).at(0).toString(), displayId);
    QCOMPARE(a->displayName(), QStringLiteral("卡罗尔"));
    QTRY_COMPARE(b->displayName(), QStringLiteral("卡罗尔"));

    // A password change: A gets a new token, B is logged out and asked for credentials.
    QSignalSpy bNeeded(b, &ConnectionController::credentialsNeeded);
    const QString oldToken = storedToken(vaultA, m_hub->url(), QStringLiteral("carol"));
    const QString changeId = a->changePassword(password, QStringLiteral("second password"));
    QTRY_VERIFY_WITH_TIMEOUT(done.count() == 2, 10000);
    QCOMPARE(done.at(1).at(0).toString(), changeId);
    const QString newToken = storedToken(vaultA, m_hub->url(), QStringLiteral("carol"));
    QVERIFY(!newToken.isEmpty() && newToken != oldToken);
    QCOMPARE(a->token(), newToken);
    QTRY_COMPARE_WITH_TIMEOUT(bNeeded.count(), 1, 10000);
    QCOMPARE(b->state(), ConnectionState::Offline);
    QCOMPARE(storedToken(vaultB, m_hub->url(), QStringLiteral("carol")), QString());
    QCOMPARE(a->state(), ConnectionState::Connected);
    QVERIFY(!anyFileContains(m_dir->path(), "second password"));
    QVERIFY(!anyFileContains(otherDir.path(), "first password"));

    // Logout: the token ends on the server and here.
    QSignalSpy loggedOut(a, &ConnectionController::loggedOut);
    a->logout();
    QVERIFY(loggedOut.wait());
    QCOMPARE(a->state(), ConnectionState::Offline);
    QCOMPARE(storedToken(vaultA, m_hub->url(), QStringLiteral("carol")), QString());
    QTRY_COMPARE(tokenCount(QStringLiteral("carol")), 0);
}

QTEST_MAIN(TestToken)
#include "tst_token.moc"
