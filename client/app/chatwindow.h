// The chat window. It owns no chat logic: it shows what the connection controller and its
// models say, hands typed text to the controller, and asks for an account when the controller
// needs one. Left: the rooms and direct conversations with their badges; middle: the selected
// room's conversation (ConversationPane); right: its members, who is online.
#pragma once

#include <QMainWindow>
#include <QPointer>
#include <QTimer>

class QAction;
class QLabel;
class QListView;
class QPushButton;

namespace chat::client {

class ConnectionController;
class ConversationPane;
class LoginDialog;
class NotificationCenter;
class NotificationSettings;
class Notifier;
class RoomActions;
class TokenVault;
class TrayIcon;
struct Notification;

class ChatWindow : public QMainWindow
{
    Q_OBJECT
public:
    // vault: where the tokens are (not owned; may be null: nothing is kept between runs).
    explicit ChatWindow(ConnectionController *controller, TokenVault *vault = nullptr,
                        QWidget *parent = nullptr);

    // Keeps unsent messages on disk, in a file per server and account (chat-client does).
    void setOutboxOnDisk(bool onDisk) { m_outboxOnDisk = onDisk; }

    // Logs in to the controller's server as this account: with its stored token when the vault
    // has one, otherwise through the login dialog.
    // A token to use when the vault holds none for the account beginSession() starts with.
    void setFirstToken(const QString &token) { m_firstToken = token; }
    void beginSession(const QString &account);
    // Opens the login dialog (not blocking), with the server's reason for asking when there is
    // one. Accepting it sets the credentials and starts the controller.
    void askForCredentials(const QString &reason = QString());
    [[nodiscard]] LoginDialog *loginDialog() const { return m_login; }
    [[nodiscard]] ConversationPane *conversationPane() const { return m_pane; }

    // 浏览/创建房间.
    void openRoomsDialog();

    // Notifications: the settings they follow, the tray icon, and how they are shown (default:
    // the desktop's service, made when first needed; tests set their own, not owned).
    [[nodiscard]] NotificationSettings *notificationSettings() const { return m_notifySettings; }
    [[nodiscard]] TrayIcon *trayIcon() const { return m_tray; }
    void setNotifier(Notifier *notifier);
    // Shows the window with this room selected (a clicked notification).
    void openRoom(const QString &room);

signals:
    // The program should end: the window was closed without the tray keeping it, or Quit.
    void quitRequested();

protected:
    void changeEvent(QEvent *event) override;
    void closeEvent(QCloseEvent *event) override;

private:
    void showNotice(const QString &message, int shownMs);
    void showStatus();
    void showError(const QString &message);
    void showMemberCount();
    void showSelection();
    void updateRoomActions();
    void openConnectDialog();
    void openDevices();
    void openChangePassword();
    void openSetDisplayName();
    void logout();
    void updateActions();
    void startWithAccount(const QString &account);
    void showUnread();
    void notify(const Notification &notification);
    void quit();

    ConnectionController *m_controller;
    QPointer<TokenVault> m_vault;
    bool m_outboxOnDisk = false;
    QListView *m_rooms;
    QPushButton *m_browse;
    ConversationPane *m_pane;
    QLabel *m_membersLabel;
    QListView *m_members;
    QLabel *m_status;
    QLabel *m_notice; // errors and notices for a few seconds, right of the status
    QTimer m_noticeTimer;
    QPointer<LoginDialog> m_login;
    QAction *m_loginAction = nullptr;
    QAction *m_displayAction = nullptr;
    QAction *m_passwordAction = nullptr;
    QAction *m_devicesAction = nullptr;
    QAction *m_logoutAction = nullptr;
    QAction *m_browseAction = nullptr;
    RoomActions *m_roomActions = nullptr;
    QString m_firstToken;
    NotificationSettings *m_notifySettings;
    NotificationCenter *m_notifications;
    TrayIcon *m_tray;
    QPointer<Notifier> m_notifier;
    bool m_quitting = false; // Quit was chosen: closing ends the program, tray or not
    bool m_quitSaid = false;
};

} // namespace chat::client
