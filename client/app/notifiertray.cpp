#include "notifiertray.h"

#include "notifierdbus.h"

namespace chat::client {

namespace {

constexpr int kShownMs = 10000;

// Where there is neither a notification service nor a tray: the window's alert is all.
class SilentNotifier : public Notifier
{
public:
    using Notifier::Notifier;
    void notify(const Notification &) override {}
};

} // namespace

NotifierTray::NotifierTray(QSystemTrayIcon *tray, QObject *parent)
    : Notifier(parent)
    , m_tray(tray)
{
    connect(tray, &QSystemTrayIcon::messageClicked, this, [this] {
        if (!m_lastRoom.isEmpty())
            emit activated(m_lastRoom);
    });
}

void NotifierTray::notify(const Notification &notification)
{
    if (!m_tray || !m_tray->isVisible())
        return;
    m_lastRoom = notification.room;
    m_tray->showMessage(notification.title, notification.body, QSystemTrayIcon::Information,
                        kShownMs);
}

Notifier *makeSystemNotifier(QSystemTrayIcon *tray, QObject *parent)
{
    if (NotifierDBus::isAvailable())
        return new NotifierDBus(parent);
    if (tray)
        return new NotifierTray(tray, parent);
    return new SilentNotifier(parent);
}

} // namespace chat::client
