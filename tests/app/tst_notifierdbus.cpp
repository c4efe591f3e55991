// The freedesktop notifier on a private session bus: the test starts its own dbus-daemon, plays
// org.freedesktop.Notifications on it (FakeNotifications, in a thread of its own so that the
// notifier's blocking calls are answered), and checks that a direct message to alice makes a
// Notify with bob as the summary, the text as the body, the "default" action and the installed
// entry's name, and that ActionInvoked("default") for it opens that direct room.
#include "appidentity.h"
#include "notifierdbus.h"
#include "roomlistmodel.h"
#include "windowtest.h"

#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QMutex>
#include <QProcess>
#include <QTest>
#include <QThread>

using namespace chat::client;

namespace {

const QString kService = QStringLiteral("org.freedesktop.Notifications");
const QString kPath = QStringLiteral("/org/freedesktop/Notifications");

struct NotifyCall
{
    uint id = 0;
    QString appName;
    QString summary;
    QString body;
    QStringList actions;
    QVariantMap hints;
};

} // namespace

// What a desktop's notification service answers, recording each Notify.
class FakeNotifications : public QObject
{
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.freedesktop.Notifications")
public:
    [[nodiscard]] QList<NotifyCall> calls() const
    {
        const QMutexLocker lock(&m_mutex);
        return m_calls;
    }

public slots:
    QStringList GetCapabilities() { return {QStringLiteral("actions"), QStringLiteral("body")}; }
    uint Notify(const QString &appName, uint replacesId, const QString & /*icon*/,
                const QString &summary, const QString &body, const QStringList &actions,
                const QVariantMap &hints, int /*timeout*/)
    {
        const QMutexLocker lock(&m_mutex);
        const uint id = replacesId ? replacesId : uint(m_calls.size() + 1);
        m_calls.append({id, appName, summary, body, actions, hints});
        return id;
    }
    // Not on D-Bus (the bus sees only the interface's methods): the click, from the test.
    Q_NOREPLY void click(uint id) { emit ActionInvoked(id, QStringLiteral("default")); }

signals:
    void ActionInvoked(uint id, const QString &actionKey);
    void NotificationClosed(uint id, uint reason);

private:
    mutable QMutex m_mutex;
    QList<NotifyCall> m_calls;
};

class TestNotifierDBus : public chat::test::WindowTest
{
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanupTestCase();
    void directMessageNotifiesAndTheClickOpensItsRoom();

private:
    QProcess m_daemon;
    QThread m_serviceThread;
    FakeNotifications *m_service = nullptr;
};

void TestNotifierDBus::initTestCase()
{
    m_daemon.start(QStringLiteral("dbus-daemon"),
                   {QStringLiteral("--session"), QStringLiteral("--print-address"),
                    QStringLiteral("--nofork")});
    QVERIFY2(m_daemon.waitForStarted(), "dbus-daemon (Debian: dbus-daemon) did not start");
    QTRY_VERIFY(m_daemon.canReadLine());
    const QByteArray address = m_daemon.readLine().trimmed();
    QVERIFY(!address.isEmpty());
    // Before anything asks for the session bus: the notifier's is ours.
    qputenv("DBUS_SESSION_BUS_ADDRESS", address);
    QVERIFY(QDBusConnection::sessionBus().isConnected());

    QDBusConnection service =
        QDBusConnection::connectToBus(QString::fromUtf8(address), QStringLiteral("notifications"));
    QVERIFY(service.isConnected());
    m_service = new FakeNotifications;
    QVERIFY(service.registerObject(
        kPath, m_service, QDBusConnection::ExportAllSlots | QDBusConnection::ExportAllSignals));
    // Registered here (QtDBus gives it a helper child), answering from its own thread.
    m_service->moveToThread(&m_serviceThread);
    connect(&m_serviceThread, &QThread::finished, m_service, &QObject::deleteLater);
    m_serviceThread.start();
    QVERIFY(service.registerService(kService));
    QVERIFY(NotifierDBus::isAvailable());
    applyDesktopIdentity();
}

void TestNotifierDBus::cleanupTestCase()
{
    stopAll();
    QDBusConnection::disconnectFromBus(QStringLiteral("notifications"));
    m_serviceThread.quit();
    m_serviceThread.wait();
    m_daemon.terminate();
    m_daemon.waitForFinished();
}

void TestNotifierDBus::directMessageNotifiesAndTheClickOpensItsRoom()
{
    startAll(QStringLiteral("tst_notifierdbus"),
             [](ChatWindow &window) { window.setNotifier(new NotifierDBus(&window)); });
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(m_alice->currentRoom(), QStringLiteral("lobby"));
    QVERIFY(!m_bob->sendDirect(QStringLiteral("alice"), QStringLiteral("在吗？")).isEmpty());
    QTRY_COMPARE(m_service->calls().size(), 1);
    const NotifyCall call = m_service->calls().constFirst();
    QCOMPARE(call.summary, QStringLiteral("bob"));
    QCOMPARE(call.body, QStringLiteral("在吗？"));
    QVERIFY(call.actions.contains(QStringLiteral("default")));
    QCOMPARE(call.hints.value(QStringLiteral("desktop-entry")).toString(),
             QStringLiteral("org.qtchat.ChatClient"));

    const QString direct = m_alice->rooms()->directRoomWith(QStringLiteral("bob"));
    QVERIFY(!direct.isEmpty());
    QCOMPARE(m_alice->currentRoom(), QStringLiteral("lobby"));
    QMetaObject::invokeMethod(m_service, "click", Qt::QueuedConnection, Q_ARG(uint, call.id));
    QTRY_COMPARE(m_alice->currentRoom(), direct);
    QVERIFY(m_window->isVisible());
}

QTEST_MAIN(TestNotifierDBus)
#include "tst_notifierdbus.moc"
