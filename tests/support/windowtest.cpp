#include "windowtest.h"

#include <QApplication>
#include <QSettings>
#include <QTest>

namespace chat::test {

using client::ConnectionController;
using client::ConnectionState;

bool WindowTest::startHub(quint16 port)
{
    server::HubConfig config;
    config.host = QHostAddress::LocalHost;
    config.port = port;
    config.accounts.cheapHashes = true; // tests: libsodium's minimum Argon2id cost
    config.ratePerSecond = 0;           // bob writes pages of history at once
    config.maxBytesPerSecond = 0;
    config.maxAddressBytesPerSecond = 0;
    m_hub = std::make_unique<server::ChatHub>(config);
    // The same accounts and tokens on every hub of a test: restarts keep them.
    return m_accounts.grantAll(*m_hub) && m_hub->listen();
}

void WindowTest::startClient(ConnectionController &controller, const QString &nick)
{
    controller.setServerUrl(m_hub->url());
    controller.setToken(nick, m_accounts.tokenFor(nick));
    QVERIFY(m_accounts.grant(*m_hub, nick));
    controller.setBackoff(50, 200);
    controller.setSendWindow(8);
    controller.start();
}

void WindowTest::useFreshSettings(const QString &application)
{
    // Not the user's own settings (the login dialog remembers the account name); each test
    // starts from the defaults.
    QVERIFY(m_settingsDir.isValid());
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_settingsDir.path());
    QCoreApplication::setOrganizationName(QStringLiteral("QtChatTest"));
    QCoreApplication::setApplicationName(application);
    QSettings().clear();
}

void WindowTest::startAll(const QString &application,
                          const std::function<void(client::ChatWindow &)> &prepare)
{
    useFreshSettings(application);
    QVERIFY2(startHub(0), qPrintable(m_hub->errorString()));

    m_alice = std::make_unique<ConnectionController>();
    m_bob = std::make_unique<ConnectionController>();
    m_window = std::make_unique<client::ChatWindow>(m_alice.get());
    if (prepare)
        prepare(*m_window);
    m_window->show();
    QApplication::setActiveWindow(m_window.get());
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    startClient(*m_alice, QStringLiteral("alice"));
    startClient(*m_bob, QStringLiteral("bob"));
    QTRY_COMPARE(m_alice->state(), ConnectionState::Connected);
    QTRY_COMPARE(m_bob->state(), ConnectionState::Connected);
}

void WindowTest::stopAll()
{
    m_window.reset();
    m_alice.reset();
    m_bob.reset();
    m_hub.reset();
}

void WindowTest::bobWrites(const QString &room, int count, const QString &prefix)
{
    for (int i = 1; i <= count; ++i)
        QVERIFY(!m_bob->sendToRoom(room, QStringLiteral("%1 %2").arg(prefix).arg(i)).isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(m_bob->pendingCount(), 0, 20000);
}

} // namespace chat::test
