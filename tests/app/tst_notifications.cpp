// Noticing what arrives, offscreen, against a real hub: which messages ask for a desktop
// notification (a direct message, a mention; not a plain message in a "mentions only" room,
// not a room set to "nothing", not the room one is looking at), clicking one opens its room,
// the unread total is in the title and the tray's tooltip, and the tray's menu and closing the
// window behave. The notifications are recorded, not shown: there is no notification service.
#include "chatwindow.h"
#include "connectioncontroller.h"
#include "notificationsettings.h"
#include "notifier.h"
#include "roomlistmodel.h"
#include "trayicon.h"
#include "windowtest.h"

#include <QAction>
#include <QDir>
#include <QMenu>
#include <QPainter>
#include <QSignalSpy>
#include <QSystemTrayIcon>
#include <QTest>

using namespace chat::client;

namespace {

// What the window asked to show.
class RecordingNotifier : public Notifier
{
public:
    using Notifier::Notifier;
    void notify(const Notification &notification) override { shown.append(notification); }
    QList<Notification> shown;
};

} // namespace

class TestNotifications : public chat::test::WindowTest
{
    Q_OBJECT
private slots:
    void init();
    void cleanup();
    void directMessageNotifies();
    void mentionNotifiesPlainMessageDoesNot();
    void roomLevelFromTheRoomMenu();
    void noneWhileLookingAtTheRoom();
    void muteAllFromTheTray();
    void clickingTheNotificationOpensTheRoom();
    void unreadTotalInTheTitleAndTray();
    void trayMenu();
    void closingWithoutATrayQuits();

private:
    // bob makes the room "dev" and alice joins it; alice still reads the lobby.
    void makeDev();
    // Waits until alice has this many unread messages in the room.
    void waitUnread(const QString &room, int unread);
    // Another window takes the focus: alice's window is no longer looked at.
    void deactivateWindow();
    [[nodiscard]] QAction *action(const char *name) const;

    std::unique_ptr<QWidget> m_other;
    RecordingNotifier *m_notifier = nullptr;
};

void TestNotifications::init()
{
    startAll(QStringLiteral("tst_notifications"), [this](ChatWindow &window) {
        m_notifier = new RecordingNotifier(&window);
        window.setNotifier(m_notifier);
    });
    QCOMPARE(m_alice->currentRoom(), QStringLiteral("lobby"));
}

void TestNotifications::cleanup()
{
    m_other.reset();
    stopAll();
}

void TestNotifications::makeDev()
{
    QSignalSpy bobDone(m_bob.get(), &ConnectionController::roomRequestDone);
    m_bob->createRoom(QStringLiteral("dev"), QStringLiteral("开发组"), {}, false);
    QVERIFY(bobDone.wait());
    QSignalSpy aliceDone(m_alice.get(), &ConnectionController::roomRequestDone);
    m_alice->joinRoom(QStringLiteral("dev"));
    QVERIFY(aliceDone.wait());
    QTRY_VERIFY(m_alice->rooms()->contains(QStringLiteral("dev")));
    QCOMPARE(m_alice->currentRoom(), QStringLiteral("lobby"));
}

void TestNotifications::waitUnread(const QString &room, int unread)
{
    QTRY_COMPARE(m_alice->rooms()->room(room).value_or(chat::proto::RoomState{}).unread, unread);
}

void TestNotifications::deactivateWindow()
{
    m_other = std::make_unique<QWidget>();
    m_other->show();
    QApplication::setActiveWindow(m_other.get());
    QVERIFY(QTest::qWaitForWindowActive(m_other.get()));
    QTRY_VERIFY(!m_window->isActiveWindow());
}

QAction *TestNotifications::action(const char *name) const
{
    auto *found = m_window->findChild<QAction *>(QString::fromLatin1(name));
    if (!found)
        found = m_window->trayIcon()->menu()->findChild<QAction *>(QString::fromLatin1(name));
    return found;
}

void TestNotifications::directMessageNotifies()
{
    QVERIFY(!m_bob->sendDirect(QStringLiteral("alice"), QStringLiteral("在吗？")).isEmpty());
    QTRY_COMPARE(m_notifier->shown.size(), 1);
    const Notification shown = m_notifier->shown.constFirst();
    QCOMPARE(shown.room, m_alice->rooms()->directRoomWith(QStringLiteral("bob")));
    QVERIFY(shown.room.startsWith(u'@'));
    QVERIFY(shown.direct);
    QCOMPARE(shown.title, QStringLiteral("bob"));
    QCOMPARE(shown.body, QStringLiteral("在吗？"));
    // alice's own answer asks for nothing.
    QVERIFY(!m_alice->sendDirect(QStringLiteral("bob"), QStringLiteral("在")).isEmpty());
    QTRY_COMPARE(m_alice->pendingCount(), 0);
    QCOMPARE(m_notifier->shown.size(), 1);
}

void TestNotifications::mentionNotifiesPlainMessageDoesNot()
{
    makeDev();
    // dev is "mentions only", as rooms are by default.
    m_bob->sendToRoom(QStringLiteral("dev"), QStringLiteral("有人吗"));
    m_bob->sendToRoom(QStringLiteral("dev"), QStringLiteral("@alice 看一下发布计划"));
    waitUnread(QStringLiteral("dev"), 2);
    QCOMPARE(m_notifier->shown.size(), 1);
    const Notification shown = m_notifier->shown.constFirst();
    QCOMPARE(shown.room, QStringLiteral("dev"));
    QVERIFY(shown.mentionsUs);
    QVERIFY(!shown.direct);
    QCOMPARE(shown.title, QStringLiteral("开发组"));
    QCOMPARE(shown.body, QStringLiteral("bob: @alice 看一下发布计划"));
}

void TestNotifications::roomLevelFromTheRoomMenu()
{
    makeDev();
    // The room menu's 通知 choices apply to the selected room and show its level.
    QVERIFY(m_alice->selectRoom(QStringLiteral("dev")));
    QTRY_VERIFY(action("notify_mentions")->isChecked());
    action("notify_nothing")->trigger();
    QVERIFY(action("notify_nothing")->isChecked());
    QVERIFY(m_alice->selectRoom(QStringLiteral("lobby")));
    QTRY_VERIFY(action("notify_mentions")->isChecked()); // the lobby's own, the default
    m_bob->sendToRoom(QStringLiteral("dev"), QStringLiteral("@alice 这条不该通知"));
    waitUnread(QStringLiteral("dev"), 1);
    QCOMPARE(m_notifier->shown.size(), 0);

    // "All messages": a plain message notifies too.
    QVERIFY(m_alice->selectRoom(QStringLiteral("dev")));
    action("notify_all")->trigger();
    QVERIFY(m_alice->selectRoom(QStringLiteral("lobby")));
    QCOMPARE(m_window->notificationSettings()->level(QStringLiteral("dev"), false),
             NotifyLevel::All);
    m_bob->sendToRoom(QStringLiteral("dev"), QStringLiteral("普通消息"));
    QTRY_COMPARE(m_notifier->shown.size(), 1);
    QCOMPARE(m_notifier->shown.constFirst().body, QStringLiteral("bob: 普通消息"));
}

void TestNotifications::noneWhileLookingAtTheRoom()
{
    m_window->notificationSettings()->setLevel(QStringLiteral("lobby"), NotifyLevel::All);
    // The window is active on the lobby: read as it comes, nothing to notify.
    m_bob->send(QStringLiteral("@alice 你看得到"));
    QTRY_COMPARE(
        m_alice->rooms()->room(QStringLiteral("lobby"))->last.value_or(chat::proto::Message{}).text,
        QStringLiteral("@alice 你看得到"));
    QCOMPARE(m_notifier->shown.size(), 0);
    // Another window is active: the same room notifies.
    deactivateWindow();
    m_bob->send(QStringLiteral("现在看不到了"));
    QTRY_COMPARE(m_notifier->shown.size(), 1);
    QCOMPARE(m_notifier->shown.constFirst().room, QStringLiteral("lobby"));
}

void TestNotifications::muteAllFromTheTray()
{
    QAction *mute = action("trayMuteAction");
    QVERIFY(mute);
    QVERIFY(mute->isCheckable());
    mute->trigger();
    QVERIFY(m_window->notificationSettings()->mutedAll());
    m_bob->sendDirect(QStringLiteral("alice"), QStringLiteral("静音了吗"));
    QTRY_VERIFY(!m_alice->rooms()->directRoomWith(QStringLiteral("bob")).isEmpty());
    waitUnread(m_alice->rooms()->directRoomWith(QStringLiteral("bob")), 1);
    QCOMPARE(m_notifier->shown.size(), 0);
    // Unmuted: the next one notifies.
    mute->trigger();
    QVERIFY(!m_window->notificationSettings()->mutedAll());
    m_bob->sendDirect(QStringLiteral("alice"), QStringLiteral("现在呢"));
    QTRY_COMPARE(m_notifier->shown.size(), 1);
}

void TestNotifications::clickingTheNotificationOpensTheRoom()
{
    m_bob->sendDirect(QStringLiteral("alice"), QStringLiteral("点我"));
    QTRY_COMPARE(m_notifier->shown.size(), 1);
    const QString room = m_notifier->shown.constFirst().room;
    QCOMPARE(m_alice->currentRoom(), QStringLiteral("lobby"));
    // From the tray, with the window hidden: the click shows it on that room.
    m_window->hide();
    emit m_notifier->activated(room);
    QCOMPARE(m_alice->currentRoom(), room);
    QVERIFY(m_window->isVisible());
}

void TestNotifications::unreadTotalInTheTitleAndTray()
{
    makeDev();
    const QString plainTitle = m_window->windowTitle();
    QVERIFY(!plainTitle.startsWith(u'('));
    m_bob->sendToRoom(QStringLiteral("dev"), QStringLiteral("一"));
    m_bob->sendToRoom(QStringLiteral("dev"), QStringLiteral("二"));
    m_bob->sendDirect(QStringLiteral("alice"), QStringLiteral("三"));
    QTRY_COMPARE(m_alice->rooms()->totalUnread(), 3);
    QTRY_COMPARE(m_window->windowTitle(), QStringLiteral("(3) ") + plainTitle);
    QVERIFY(m_window->trayIcon()->toolTip().contains(u'3'));
    QVERIFY(!m_window->trayIcon()->icon().isNull());
    // The badge is drawn: the icon with a count differs from the one without.
    QVERIFY(TrayIcon::iconWithCount(3).pixmap(32).toImage() !=
            TrayIcon::iconWithCount(0).pixmap(32).toImage());
    // Reading dev leaves one.
    QVERIFY(m_alice->selectRoom(QStringLiteral("dev")));
    QTRY_COMPARE(m_window->windowTitle(), QStringLiteral("(1) ") + plainTitle);
    QVERIFY(m_alice->selectRoom(m_alice->rooms()->directRoomWith(QStringLiteral("bob"))));
    QTRY_COMPARE(m_window->windowTitle(), plainTitle);
    QVERIFY(!m_window->trayIcon()->toolTip().contains(u'1'));
}

void TestNotifications::trayMenu()
{
    QMenu *menu = m_window->trayIcon()->menu();
    QVERIFY(menu);
    for (const char *name :
         {"trayShowAction", "trayMuteAction", "trayKeepAction", "trayQuitAction"})
        QVERIFY2(menu->findChild<QAction *>(QString::fromLatin1(name)), name);
    // For docs/screenshot-tray-menu.png: the icon with a count beside its menu.
    menu->adjustSize();
    QImage shot(menu->width() + 72, qMax(menu->height(), 64) + 8, QImage::Format_ARGB32);
    shot.fill(Qt::transparent);
    QPainter painter(&shot);
    painter.drawPixmap(4, 4, TrayIcon::iconWithCount(3).pixmap(64));
    painter.drawPixmap(72, 4, menu->grab());
    painter.end();
    shot.save(QDir::temp().filePath(QStringLiteral("chat-tray-menu.png")));
    // Keep running in the tray: on by default, and the same setting as the Chat menu's item.
    QAction *keep = action("trayKeepAction");
    QVERIFY(keep->isChecked());
    QVERIFY(action("keepInTrayAction")->isChecked());
    keep->trigger();
    QVERIFY(!m_window->notificationSettings()->keepInTray());
    QVERIFY(!action("keepInTrayAction")->isChecked());
    // Show brings a hidden window back; Quit ends the program.
    m_window->hide();
    action("trayShowAction")->trigger();
    QVERIFY(m_window->isVisible());
    QSignalSpy quit(m_window.get(), &ChatWindow::quitRequested);
    action("trayQuitAction")->trigger();
    QCOMPARE(quit.count(), 1);
    QVERIFY(!m_window->isVisible());
}

void TestNotifications::closingWithoutATrayQuits()
{
    // Offscreen there is no system tray: closing cannot hide the window into one, so it quits
    // even with the setting on (the decision itself: tst_notificationpolicy).
    QVERIFY(m_window->notificationSettings()->keepInTray());
    QCOMPARE(m_window->trayIcon()->isShown(), QSystemTrayIcon::isSystemTrayAvailable());
    QSignalSpy quit(m_window.get(), &ChatWindow::quitRequested);
    m_window->close();
    QCOMPARE(quit.count(), m_window->trayIcon()->isShown() ? 0 : 1);
}

QTEST_MAIN(TestNotifications)
#include "tst_notifications.moc"
