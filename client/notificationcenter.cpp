#include "notificationcenter.h"

#include "connectioncontroller.h"
#include "eventtext.h"
#include "namekey.h"
#include "notificationsettings.h"
#include "roomlistmodel.h"

namespace chat::client {

namespace {
// A notification shows a line or two: the rest is in the window.
constexpr int kMaxBodyChars = 200;
} // namespace

NotificationCenter::NotificationCenter(ConnectionController *controller,
                                       NotificationSettings *settings, QObject *parent)
    : QObject(parent)
    , m_controller(controller)
    , m_settings(settings)
{
    connect(controller, &ConnectionController::messageArrived, this, &NotificationCenter::consider);
}

void NotificationCenter::consider(const proto::Message &message, bool mentionsUs)
{
    const std::optional<proto::RoomState> room = m_controller->rooms()->room(message.room);
    if (!room)
        return;
    const bool lookingAtRoom = m_windowActive && m_controller->directDraft().isEmpty() &&
                               m_controller->currentRoom() == message.room;
    const IncomingMessage incoming{room->direct, mentionsUs,
                                   proto::accountNameKey(message.from) ==
                                       proto::accountNameKey(m_controller->account())};
    const NotifyContext context{m_settings->level(message.room, room->direct), lookingAtRoom,
                                m_settings->mutedAll()};
    if (!shouldNotify(incoming, context))
        return;

    Notification notification;
    notification.room = message.room;
    notification.title = RoomListModel::titleOf(*room);
    QString text = previewLine(message);
    if (text.size() > kMaxBodyChars)
        text = text.left(kMaxBodyChars - 1) + u'…';
    notification.body =
        room->direct
            ? text
            : QStringLiteral("%1: %2").arg(personLabel(message.from, message.display), text);
    notification.direct = room->direct;
    notification.mentionsUs = mentionsUs;
    emit notificationWanted(notification);
}

} // namespace chat::client
