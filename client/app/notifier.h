// Shows desktop notifications and says which one was clicked. The window asks through this
// interface only, so that tests can watch what it asked for (no notification service offscreen).
// makeSystemNotifier() picks the desktop's notification service (NotifierDBus) or, where there
// is none, the tray icon's balloon (NotifierTray).
#pragma once

#include "notificationcenter.h"

#include <QObject>

class QSystemTrayIcon;

namespace chat::client {

class Notifier : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;

    virtual void notify(const Notification &notification) = 0;

signals:
    // The person clicked the notification of this room.
    void activated(const QString &room);
};

// The freedesktop notification service when the session bus has one; else the tray icon's
// message when `tray` is given (and shown); else a notifier that shows nothing.
[[nodiscard]] Notifier *makeSystemNotifier(QSystemTrayIcon *tray, QObject *parent);

} // namespace chat::client
