// The set-up the chat window tests share: settings in a folder of their own, a hub on a free
// port with the test accounts (tests/client/hubaccounts.h), alice's window shown and active,
// alice and bob connected; and what the tests then do with it. A test class derives from
// WindowTest and calls startAll() in init() and stopAll() in cleanup(); it has no slots of its
// own, so QtTest runs only the derived class's.
#pragma once

#include "chat/chathub.h"
#include "chatwindow.h"
#include "connectioncontroller.h"
#include "hubaccounts.h"
#include "logindialog.h" // for ChatWindow's QPointer<LoginDialog>

#include <QObject>
#include <QTemporaryDir>

#include <functional>
#include <memory>

namespace chat::test {

class WindowTest : public QObject
{
    Q_OBJECT
protected:
    // Settings of this application name in the private folder, emptied; a hub on a free port;
    // alice's window, given to `prepare` before it shows (a notifier, a size); then alice and
    // bob connected. Check QTest::currentTestFailed() after it where it matters.
    void startAll(const QString &application,
                  const std::function<void(client::ChatWindow &)> &prepare = {});
    void stopAll();
    // Settings of this application name in the private folder, emptied (startAll does it).
    void useFreshSettings(const QString &application);

    // A hub on this port (0: a free one) with the test accounts; false when it cannot listen.
    [[nodiscard]] bool startHub(quint16 port = 0);
    // Connects the controller to the hub with the name's token, retrying quickly.
    void startClient(client::ConnectionController &controller, const QString &nick);
    // bob writes this many messages into the room and waits for their acknowledgement.
    void bobWrites(const QString &room, int count, const QString &prefix = QStringLiteral("消息"));

    HubAccounts m_accounts;
    QTemporaryDir m_settingsDir;
    std::unique_ptr<server::ChatHub> m_hub;
    std::unique_ptr<client::ConnectionController> m_alice;
    std::unique_ptr<client::ConnectionController> m_bob;
    std::unique_ptr<client::ChatWindow> m_window;
};

} // namespace chat::test
