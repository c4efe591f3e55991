#include "notifierdbus.h"

#include <QCoreApplication>
#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDBusMessage>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QDBusReply>
#include <QGuiApplication>

namespace chat::client {

namespace {

const QString kService = QStringLiteral("org.freedesktop.Notifications");
const QString kPath = QStringLiteral("/org/freedesktop/Notifications");
const QString kInterface = QStringLiteral("org.freedesktop.Notifications");
constexpr int kExpireMs = -1; // the service's default

QDBusMessage call(const QString &method)
{
    return QDBusMessage::createMethodCall(kService, kPath, kInterface, method);
}

} // namespace

bool NotifierDBus::isAvailable()
{
    QDBusConnection bus = QDBusConnection::sessionBus();
    if (!bus.isConnected() || !bus.interface())
        return false;
    const QDBusReply<bool> registered = bus.interface()->isServiceRegistered(kService);
    return registered.isValid() && registered.value();
}

NotifierDBus::NotifierDBus(QObject *parent)
    : Notifier(parent)
{
    QDBusConnection bus = QDBusConnection::sessionBus();
    bus.connect(kService, kPath, kInterface, QStringLiteral("ActionInvoked"), this,
                SLOT(onActionInvoked(uint, QString)));
    bus.connect(kService, kPath, kInterface, QStringLiteral("NotificationClosed"), this,
                SLOT(onClosed(uint, uint)));
    const QDBusReply<QStringList> capabilities = bus.call(call(QStringLiteral("GetCapabilities")));
    m_bodyMarkup =
        capabilities.isValid() && capabilities.value().contains(QStringLiteral("body-markup"));
}

void NotifierDBus::notify(const Notification &notification)
{
    QDBusMessage message = call(QStringLiteral("Notify"));
    const QVariantMap hints{
        {QStringLiteral("category"), QStringLiteral("im.received")},
        // The installed .desktop file's name, as the window's app id (appidentity.h).
        {QStringLiteral("desktop-entry"), QGuiApplication::desktopFileName().isEmpty()
                                              ? QCoreApplication::applicationName()
                                              : QGuiApplication::desktopFileName()},
    };
    // Text from the network is never markup.
    const QString body = m_bodyMarkup ? notification.body.toHtmlEscaped() : notification.body;
    message << QCoreApplication::applicationName() << m_idByRoom.value(notification.room, 0u)
            << QStringLiteral("mail-message-new") << notification.title << body
            << QStringList{QStringLiteral("default"), tr("Open")} << hints << kExpireMs;
    ++m_awaitingIds;
    auto *watcher =
        new QDBusPendingCallWatcher(QDBusConnection::sessionBus().asyncCall(message), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this,
            [this, room = notification.room](QDBusPendingCallWatcher *finished) {
                const QDBusPendingReply<uint> reply = *finished;
                finished->deleteLater();
                --m_awaitingIds;
                if (reply.isError()) {
                    if (m_awaitingIds == 0)
                        m_clickedEarly.clear();
                    return;
                }
                m_roomById.remove(m_idByRoom.value(room));
                m_idByRoom.insert(room, reply.value());
                m_roomById.insert(reply.value(), room);
                // Clicked before its id came back (both cross the bus; the click may be first).
                const bool clicked = m_clickedEarly.remove(reply.value());
                if (m_awaitingIds == 0)
                    m_clickedEarly.clear(); // what is left there was never ours
                if (clicked)
                    emit activated(room);
            });
}

void NotifierDBus::onActionInvoked(uint id, const QString &action)
{
    if (action != u"default")
        return;
    const QString room = m_roomById.value(id);
    if (!room.isEmpty())
        emit activated(room);
    else if (m_awaitingIds > 0) // else another program's notification
        m_clickedEarly.insert(id);
}

void NotifierDBus::onClosed(uint id, uint /*reason*/)
{
    const QString room = m_roomById.take(id);
    if (m_idByRoom.value(room) == id)
        m_idByRoom.remove(room);
}

} // namespace chat::client
