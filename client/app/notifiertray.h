// Notifications as the tray icon's message, where the desktop has no notification service:
// clicking the message opens the room of the last one shown.
#pragma once

#include "notifier.h"

#include <QPointer>
#include <QSystemTrayIcon>

namespace chat::client {

class NotifierTray : public Notifier
{
    Q_OBJECT
public:
    explicit NotifierTray(QSystemTrayIcon *tray, QObject *parent = nullptr);

    void notify(const Notification &notification) override;

private:
    QPointer<QSystemTrayIcon> m_tray;
    QString m_lastRoom;
};

} // namespace chat::client
