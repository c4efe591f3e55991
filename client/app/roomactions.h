// The 房间 (Room) menu and the members' context menu: invite, remove a member, change the title
// and topic, hand the room over, leave; each asks what it needs in a dialog, sends the request
// through the controller, and tells of its failure. Enabled as the selected room and our role
// in it allow.
#pragma once

#include <QList>
#include <QObject>

class QAbstractItemView;
class QAction;
class QMenu;
class QPoint;
class QWidget;

namespace chat::client {

class ConnectionController;
class NotificationSettings;

class RoomActions : public QObject
{
    Q_OBJECT
public:
    // Adds its actions to the menu; dialogs open over `window`.
    RoomActions(ConnectionController *controller, QMenu *menu, QWidget *window);

    // Enables what the selected room and our role allow.
    void update();
    // "发消息", and for the owner 移出房间 and 移交房主, on the member at pos.
    void openMemberMenu(QAbstractItemView *view, const QPoint &pos);

    void invite();
    void removeMember();
    void edit();
    void transfer();
    void leave();

    // Adds the submenu where the selected room's notification level is chosen (all messages,
    // mentions only, nothing), kept in `settings` (not owned).
    void addNotificationMenu(NotificationSettings *settings);

signals:
    void errorOccurred(const QString &message);
    void noticeOccurred(const QString &message);

private:
    // Tells of the request's failure ("邀请失败：…"); says `done` when it succeeds.
    void watchRequest(const QString &id, const QString &failure, const QString &done = {});
    [[nodiscard]] QString pickMember(const QString &title, const QString &label);

    ConnectionController *m_controller;
    QWidget *m_window;
    QAction *m_invite;
    QAction *m_remove;
    QAction *m_edit;
    QAction *m_transfer;
    QAction *m_leave;
    QMenu *m_menu;
    NotificationSettings *m_notifySettings = nullptr;
    QList<QAction *> m_levels; // in the order of NotifyLevel
};

} // namespace chat::client
