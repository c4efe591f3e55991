// ConnectionController's rooms: selecting one, sending into it, the room requests, and the
// requests the models need (pages of history and members, read marks, typing notices).
#include "connectioncontroller.h"
#include "connectioncontroller_p.h"

#include "codec.h"
#include "memberlistmodel.h"
#include "messagemodel.h"
#include "roomlistmodel.h"
#include "rooms.h"
#include "typingtracker.h"
#include "validation.h"
#include "validationtext.h"

namespace chat::client {

namespace {

constexpr int kMembersPage = proto::kMaxPageSize;

} // namespace

void ConnectionController::Private::connectRooms()
{
    Rooms *rooms = conversation->rooms();
    QObject::connect(
        rooms, &Rooms::historyWanted, q, [this, rooms](const QString &room, qint64 before) {
            const QString id = newRequestId();
            rooms->historyRequested(
                room,
                sendQuietly(id, proto::LoadHistory{id, room, before, proto::kDefaultPageSize}));
        });
    QObject::connect(
        rooms, &Rooms::membersWanted, q, [this, rooms](const QString &room, const QString &after) {
            const QString id = newRequestId();
            rooms->membersRequested(
                room, after, sendQuietly(id, proto::ListMembers{id, room, after, kMembersPage}));
        });
    QObject::connect(rooms, &Rooms::readWanted, q, [this](const QString &room, qint64 seq) {
        if (isJoined())
            socket->sendTextMessage(QString::fromUtf8(proto::encode(proto::MarkRead{room, seq})));
    });
    QObject::connect(rooms, &Rooms::currentChanged, q, [this] {
        emit q->currentRoomChanged();
        emit q->typingChanged();
    });
    QObject::connect(rooms, &Rooms::historyLoaded, q, &ConnectionController::historyLoaded);
    QObject::connect(rooms, &Rooms::roomGone, q, &ConnectionController::roomGone);
    QObject::connect(rooms, &Rooms::messageArrived, q, &ConnectionController::messageArrived);
    QObject::connect(rooms->typing(), &TypingTracker::changed, q,
                     [this, rooms](const QString &room) {
                         if (room == rooms->currentRoom() && rooms->directDraft().isEmpty())
                             emit q->typingChanged();
                     });
    QObject::connect(conversation, &Conversation::quietRequestFailed, rooms, &Rooms::requestFailed);
    QObject::connect(conversation, &Conversation::roomListReceived, q,
                     [this](const proto::RoomList &list) {
                         emit q->roomListReceived(list.ref, list.rooms, list.next);
                     });
}

bool ConnectionController::Private::isJoined() const
{
    // Not the state: requests made while the welcome is read go out before joined() is told.
    return socket && conversation->isJoined();
}

QString ConnectionController::Private::sendQuietly(const QString &id,
                                                   const proto::ClientMessage &request)
{
    if (!isJoined())
        return {};
    conversation->trackRequest(id, true);
    socket->sendTextMessage(QString::fromUtf8(proto::encode(request)));
    return id;
}

QString ConnectionController::Private::queueSend(const QString &room, const QString &to,
                                                 const QString &text)
{
    if (const proto::Rejection problem = proto::textRejection(text); problem.refused()) {
        emit q->errorOccurred(rejectionSentence(problem));
        return {};
    }
    // Goes out through the OutboxSender as soon as the window allows.
    return conversation->queue(room, to, text).id;
}

RoomListModel *ConnectionController::rooms() const
{
    return d->conversation->rooms()->list();
}

MessageModel *ConnectionController::messages() const
{
    return d->conversation->rooms()->current();
}

MessageModel *ConnectionController::messages(const QString &room) const
{
    return d->conversation->rooms()->messages(room);
}

MemberListModel *ConnectionController::members() const
{
    return d->conversation->rooms()->members();
}

TypingTracker *ConnectionController::typing() const
{
    return d->conversation->rooms()->typing();
}

QString ConnectionController::currentRoom() const
{
    return d->conversation->rooms()->currentRoom();
}

QString ConnectionController::directDraft() const
{
    return d->conversation->rooms()->directDraft();
}

QString ConnectionController::typingText() const
{
    const Rooms *rooms = d->conversation->rooms();
    return rooms->directDraft().isEmpty() ? rooms->typing()->text(rooms->currentRoom()) : QString();
}

bool ConnectionController::isLoadingOlder(const QString &room) const
{
    return d->conversation->rooms()->isLoadingOlder(room);
}

bool ConnectionController::hasOlder(const QString &room) const
{
    return d->conversation->rooms()->hasOlder(room);
}

void ConnectionController::setReading(bool reading)
{
    d->conversation->rooms()->setReading(reading);
}

void ConnectionController::setReadDelay(int ms)
{
    d->conversation->rooms()->setReadDelay(ms);
}

void ConnectionController::setTypingInterval(int ms)
{
    d->typingIntervalMs = std::max(0, ms);
}

QString ConnectionController::send(const QString &text)
{
    const Rooms *rooms = d->conversation->rooms();
    if (!rooms->directDraft().isEmpty())
        return sendDirect(rooms->directDraft(), text);
    if (rooms->currentRoom().isEmpty()) {
        emit errorOccurred(tr("Choose a room first."));
        return {};
    }
    return d->queueSend(rooms->currentRoom(), {}, text);
}

QString ConnectionController::sendToRoom(const QString &room, const QString &text)
{
    if (const proto::Rejection problem = proto::roomRejection(room); problem.refused()) {
        emit errorOccurred(rejectionSentence(problem));
        return {};
    }
    return d->queueSend(room, {}, text);
}

QString ConnectionController::sendDirect(const QString &account, const QString &text)
{
    const proto::Normalized name = proto::normalizeAccountName(account);
    if (!name.ok()) {
        emit errorOccurred(rejectionSentence(name.rejection));
        return {};
    }
    const QString room = rooms()->directRoomWith(name.value);
    return room.isEmpty() ? d->queueSend({}, name.value, text) : d->queueSend(room, {}, text);
}

void ConnectionController::userTyping()
{
    const QString room = currentRoom();
    if (room.isEmpty() || !directDraft().isEmpty() || !d->isJoined())
        return;
    QElapsedTimer &since = d->typingSent[room];
    if (since.isValid() && since.elapsed() < d->typingIntervalMs)
        return;
    since.start();
    d->socket->sendTextMessage(QString::fromUtf8(proto::encode(proto::Typing{room})));
}

bool ConnectionController::selectRoom(const QString &room)
{
    return d->conversation->rooms()->select(room);
}

bool ConnectionController::openDirect(const QString &account)
{
    return d->conversation->rooms()->openDirect(account);
}

bool ConnectionController::loadOlder(const QString &room)
{
    return d->conversation->rooms()->loadOlder(room.isEmpty() ? currentRoom() : room);
}

QString ConnectionController::listRooms(const QString &after)
{
    const QString id = newRequestId();
    return d->sendRequest(id, proto::ListRooms{id, after, proto::kDefaultPageSize});
}

QString ConnectionController::createRoom(const QString &name, const QString &title,
                                         const QString &topic, bool isPrivate)
{
    if (const proto::Rejection problem = proto::newRoomNameRejection(name); problem.refused()) {
        emit errorOccurred(rejectionSentence(problem));
        return {};
    }
    const proto::Normalized checkedTitle = proto::normalizeTitle(title);
    const proto::Normalized checkedTopic = proto::normalizeTopic(topic);
    if (!checkedTitle.ok() || !checkedTopic.ok()) {
        emit errorOccurred(
            rejectionSentence(checkedTitle.ok() ? checkedTopic.rejection : checkedTitle.rejection));
        return {};
    }
    const QString id = newRequestId();
    return d->sendRequest(
        id, proto::CreateRoom{id, name, checkedTitle.value, checkedTopic.value, isPrivate});
}

QString ConnectionController::joinRoom(const QString &room)
{
    const QString id = newRequestId();
    return d->sendRequest(id, proto::JoinRoom{id, room});
}

QString ConnectionController::leaveRoom(const QString &room)
{
    const QString id = newRequestId();
    return d->sendRequest(id, proto::LeaveRoom{id, room});
}

QString ConnectionController::inviteToRoom(const QString &room, const QString &account)
{
    const QString id = newRequestId();
    return d->sendRequest(id, proto::InviteToRoom{id, room, account.trimmed()});
}

QString ConnectionController::removeFromRoom(const QString &room, const QString &account)
{
    const QString id = newRequestId();
    return d->sendRequest(id, proto::RemoveFromRoom{id, room, account.trimmed()});
}

QString ConnectionController::updateRoom(const QString &room, const std::optional<QString> &title,
                                         const std::optional<QString> &topic)
{
    proto::UpdateRoom update{newRequestId(), room, std::nullopt, std::nullopt};
    for (const auto &[given, checked, normalize] :
         {std::tuple{&title, &update.title, &proto::normalizeTitle},
          std::tuple{&topic, &update.topic, &proto::normalizeTopic}}) {
        if (!*given)
            continue;
        const proto::Normalized value = normalize(**given);
        if (!value.ok()) {
            emit errorOccurred(rejectionSentence(value.rejection));
            return {};
        }
        *checked = value.value;
    }
    if (!update.title && !update.topic) {
        emit errorOccurred(tr("There is nothing to change."));
        return {};
    }
    return d->sendRequest(update.id, update);
}

QString ConnectionController::transferRoom(const QString &room, const QString &account)
{
    const QString id = newRequestId();
    return d->sendRequest(id, proto::TransferRoom{id, room, account.trimmed()});
}

} // namespace chat::client
