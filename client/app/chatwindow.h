// The chat window. It owns no chat logic: it shows what the connection controller and its
// models say, and hands typed text to the controller.
#pragma once

#include <QMainWindow>

class QLabel;
class QLineEdit;
class QListView;
class QPushButton;

namespace chat::client {

class ConnectionController;

class ChatWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit ChatWindow(ConnectionController *controller, QWidget *parent = nullptr);

private:
    void sendInput();
    void showStatus();
    void showError(const QString &message);
    void showOnlineCount();
    void openConnectDialog();
    void scrollToNewest();

    ConnectionController *m_controller;
    QListView *m_conversation;
    QLineEdit *m_input;
    QPushButton *m_send;
    QLabel *m_usersLabel;
    QListView *m_users;
    QLabel *m_status;
};

} // namespace chat::client
