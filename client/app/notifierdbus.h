// Desktop notifications through the freedesktop notification service
// (org.freedesktop.Notifications on the session bus): Notify with the "default" action, so that
// clicking the notification invokes it, and ActionInvoked tells which room to open. A room's
// newer notification replaces its older one. A click can arrive before Notify's reply tells the
// id: it is kept until the reply comes.
#pragma once

#include "notifier.h"

#include <QHash>
#include <QSet>

namespace chat::client {

class NotifierDBus : public Notifier
{
    Q_OBJECT
public:
    explicit NotifierDBus(QObject *parent = nullptr);

    // Whether the session bus is there and has the notification service.
    [[nodiscard]] static bool isAvailable();

    void notify(const Notification &notification) override;

private slots:
    void onActionInvoked(uint id, const QString &action);
    void onClosed(uint id, uint reason);

private:
    bool m_bodyMarkup = false; // the service reads <b>, &amp;, …: the text must be escaped
    QHash<QString, uint> m_idByRoom;
    QHash<uint, QString> m_roomById;
    int m_awaitingIds = 0;     // Notify calls whose reply has not come yet
    QSet<uint> m_clickedEarly; // ActionInvoked for an id whose Notify reply is still on its way
};

} // namespace chat::client
