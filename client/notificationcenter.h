// Watches what arrives on the connection and says which messages deserve a desktop
// notification (notificationpolicy.h), with the room's settings (NotificationSettings). How the
// notification is shown is the window's business (app/notifier.h).
#pragma once

#include <QObject>
#include <QString>

namespace chat::proto {
struct Message;
}

namespace chat::client {

class ConnectionController;
class NotificationSettings;

struct Notification
{
    QString room;  // the room to open when it is clicked
    QString title; // the room's title, or the other person of a direct conversation
    QString body;  // "sender: text" in a shared room; the text in a direct conversation
    bool direct = false;
    bool mentionsUs = false;
};

class NotificationCenter : public QObject
{
    Q_OBJECT
public:
    // Neither is owned.
    NotificationCenter(ConnectionController *controller, NotificationSettings *settings,
                       QObject *parent = nullptr);

    // Whether the window is active (someone looks at the selected room).
    void setWindowActive(bool active) { m_windowActive = active; }

signals:
    void notificationWanted(const chat::client::Notification &notification);

private:
    void consider(const proto::Message &message, bool mentionsUs);

    ConnectionController *m_controller;
    NotificationSettings *m_settings;
    bool m_windowActive = false;
};

} // namespace chat::client
