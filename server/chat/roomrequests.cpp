// The hub's answers to chat messages and room requests: who may post, read, join, invite and
// manage where (docs/protocol.md, "Rooms"), and the room changes each writes into the room's
// sequence.
#include "chat/hubprivate.h"

#include "codec.h"
#include "logging.h"
#include "mentions.h"
#include "namekey.h"
#include "transport/framebatch.h"
#include "validation.h"

#include <algorithm>

namespace chat::server {

using namespace chat::proto;

namespace {

// Unread and mention counts stop here: "1000" reads "1000 or more".
constexpr int kUnreadCap = 1000;

QString roleName(RoomRole role)
{
    return role == RoomRole::Owner ? QStringLiteral("owner") : QStringLiteral("member");
}

qint64 accountIdOfKey(const QString &dedupKey)
{
    static const QString prefix = QStringLiteral("account:");
    return dedupKey.startsWith(prefix) ? dedupKey.mid(prefix.size()).toLongLong() : 0;
}

} // namespace

// --- helpers --------------------------------------------------------------------------------

void ChatHub::Private::rememberAccount(const Account &account)
{
    knownAccounts.insert(account.id, KnownAccount{account.name, account.nameKey, account.display});
    accountByKey.insert(account.nameKey, account.id);
}

std::optional<KnownAccount> ChatHub::Private::known(qint64 accountId)
{
    if (const auto it = knownAccounts.constFind(accountId); it != knownAccounts.cend())
        return *it;
    const std::optional<Account> account = accountStore->findById(accountId);
    if (!account)
        return std::nullopt;
    rememberAccount(*account);
    return knownAccounts.value(accountId);
}

std::optional<Account> ChatHub::Private::accountNamed(const QString &name)
{
    std::optional<Account> account = accounts.findAccount(name);
    if (!account || account->disabled)
        return std::nullopt;
    rememberAccount(*account);
    return account;
}

void ChatHub::Private::storageFailed(ChatSession *session, const QString &ref)
{
    qCWarning(lcStore).noquote() << "a room change could not be stored:" << rooms.errorString();
    session->sendError(ErrorCode::Internal,
                       QStringLiteral("The change could not be stored; try again."), ref);
}

Room *ChatHub::Private::memberRoom(ChatSession *session, const QString &name, const QString &ref)
{
    Room *room = rooms.find(name);
    if (room && room->isMember(session->account().id))
        return room;
    // A private room one does not belong to is answered like one that does not exist.
    if (!room || room->record.isPrivate || room->record.direct)
        session->sendError(ErrorCode::RoomNotFound,
                           QStringLiteral("There is no room \"%1\" you belong to.").arg(name), ref);
    else
        session->sendError(ErrorCode::NotMember,
                           QStringLiteral("Join the room \"%1\" first.").arg(name), ref);
    return nullptr;
}

Room *ChatHub::Private::managedRoom(ChatSession *session, const QString &name, const QString &ref,
                                    const QString &refusal)
{
    Room *room = memberRoom(session, name, ref);
    if (!room)
        return nullptr;
    // The owner, or an administrator of the server, manages a room (not a direct one).
    const SessionAccount &account = session->account();
    if (!room->record.direct && (account.admin || room->owner() == account.id))
        return room;
    session->sendError(ErrorCode::NotOwner, refusal, ref);
    return nullptr;
}

std::optional<Account> ChatHub::Private::memberNamed(ChatSession *session, const Room *room,
                                                     const QString &name, const QString &ref)
{
    std::optional<Account> member = accountNamed(name);
    if (member && room->isMember(member->id))
        return member;
    session->sendError(ErrorCode::UserNotFound,
                       QStringLiteral("\"%1\" is not a member of this room.").arg(name), ref);
    return std::nullopt;
}

RoomState ChatHub::Private::roomState(const Room &room, qint64 accountId)
{
    RoomState state;
    state.name = room.name();
    state.title = room.record.title;
    state.topic = room.record.topic;
    state.isPrivate = room.record.isPrivate;
    state.direct = room.record.direct;
    if (room.record.direct) {
        for (auto it = room.members.cbegin(); it != room.members.cend(); ++it)
            if (it.key() != accountId)
                if (const std::optional<KnownAccount> other = known(it.key()))
                    state.with = other->name;
    }
    const RoomMemberState member = room.members.value(accountId);
    state.role = roleName(member.role);
    state.members = int(room.members.size());
    state.read = member.readSeq;
    const std::optional<KnownAccount> me = known(accountId);
    if (room.newestSeq() > member.readSeq) {
        state.unread =
            store->countUnread(room.name(), member.readSeq, me ? me->name : QString(), kUnreadCap);
        if (state.unread > 0)
            state.mentions =
                store->countMentions(room.name(), member.readSeq, accountId, kUnreadCap);
    }
    state.last = room.last;
    return state;
}

void ChatHub::Private::tellRoomState(Room *room, qint64 accountId)
{
    const Roster::Member *member = roster.find(accountId);
    if (!member)
        return;
    const RoomUpdate update{roomState(*room, accountId)};
    const QList<ChatSession *> devices = member->clients;
    for (ChatSession *device : devices)
        device->sendMessage(update);
}

void ChatHub::Private::connectDevices(Room *room, qint64 accountId)
{
    if (const Roster::Member *member = roster.find(accountId))
        for (ChatSession *device : member->clients)
            room->addOnline(device);
}

void ChatHub::Private::disconnectDevices(Room *room, qint64 accountId)
{
    const Roster::Member *member = roster.find(accountId);
    if (!member)
        return;
    for (ChatSession *device : member->clients) {
        room->removeOnline(device);
        if (watching.value(device) == room) {
            watching.remove(device);
            watchers[room].remove(device);
        }
    }
}

void ChatHub::Private::postEvent(Room *room, const SessionAccount &by, const QString &event,
                                 const QString &target, const QString &text)
{
    Message message;
    message.room = room->name();
    message.from = by.name;
    message.display = by.display;
    message.time = QDateTime::currentDateTimeUtc();
    message.event = event;
    message.target = target;
    message.text = text;
    metrics.storeSubmitted();
    commits.submit({QString(), message, {}});
}

// --- messages -------------------------------------------------------------------------------

void ChatHub::Private::onSend(ChatSession *session, const Send &send)
{
    metrics.countMessageReceived();
    const SessionAccount &account = session->account();
    Room *room = nullptr;
    if (!send.to.isEmpty()) {
        const std::optional<Account> other = accountNamed(send.to);
        if (!other) {
            session->sendError(ErrorCode::UserNotFound,
                               QStringLiteral("There is no account named \"%1\".").arg(send.to),
                               send.id);
            return;
        }
        if (other->id == account.id) {
            session->sendError(ErrorCode::NotAllowed,
                               QStringLiteral("A direct conversation needs another account."),
                               send.id);
            return;
        }
        const QString name = directRoomName(account.id, other->id);
        room = rooms.find(name);
        if (!room && cluster) { // opened on another node a moment ago?
            refreshRoom(0, name);
            room = rooms.find(name);
        }
        if (!room) {
            // The pair's first message makes their room; every later one finds it by name.
            if (rooms.roomCount(account.id) >= config.maxRoomsPerAccount ||
                rooms.roomCount(other->id) >= config.maxRoomsPerAccount) {
                session->sendError(ErrorCode::TooManyRooms,
                                   QStringLiteral("One of you is in as many rooms as this server "
                                                  "allows."),
                                   send.id);
                return;
            }
            RoomRecord record;
            record.name = name;
            record.isPrivate = true;
            record.direct = true;
            record.created = QDateTime::currentDateTimeUtc();
            room = rooms.create(record);
            if (!room || !rooms.addMember(room, account.id, RoomRole::Member, 0) ||
                !rooms.addMember(room, other->id, RoomRole::Member, 0)) {
                storageFailed(session, send.id);
                return;
            }
            connectDevices(room, account.id);
            connectDevices(room, other->id);
            tellRoomState(room, account.id);
            tellRoomState(room, other->id);
        }
    } else {
        room = memberRoom(session, send.room.isEmpty() ? defaultRoom() : send.room, send.id);
        if (!room)
            return;
    }
    // A resend after a reconnect: acknowledge again, to the sender alone. On PostgreSQL the
    // look-up would cost every send a round trip: append() reports the resend instead
    // (onResent), in the commit it makes anyway.
    if (std::optional<Message> original =
            store->findSentIsRemote() ? std::nullopt : store->findSent(account.key, send.id)) {
        if (original->text.isEmpty())
            original->text = send.text; // a memory store keeps only recent texts
        session->sendMessage(*original);
        metrics.countDeliveries(1);
        return;
    }
    // Sent again before the first was stored: its broadcast, once stored, acknowledges both.
    if (commits.isPending(account.key, send.id))
        return;
    // Sent: the typing notice is over, and the next one is news at once.
    typingToldAt.remove({account.id, room->record.id});
    MessageStore::Entry entry;
    entry.nickKey = account.key;
    entry.message.id = send.id;
    entry.message.room = room->name();
    entry.message.from = account.name; // never a name the client claims
    entry.message.display = account.display;
    entry.message.time = QDateTime::currentDateTimeUtc();
    entry.message.text = send.text;
    for (const QString &name : mentionedNames(send.text)) {
        qint64 id = accountByKey.value(accountNameKey(name));
        if (id == 0)
            if (const std::optional<Account> named = accountNamed(name))
                id = named->id;
        if (id != 0 && id != account.id && room->isMember(id) && !entry.mentions.contains(id))
            entry.mentions.append(id);
    }
    metrics.storeSubmitted();
    commits.submit(entry);
}

void ChatHub::Private::onTyping(ChatSession *session, const Typing &typing)
{
    Room *room = memberRoom(session, typing.room, {});
    if (!room)
        return;
    const SessionAccount &account = session->account();
    const qint64 now = clock.elapsed();
    const QPair<qint64, qint64> key{account.id, room->record.id};
    if (const auto it = typingToldAt.constFind(key);
        it != typingToldAt.cend() && now - *it < config.typingIntervalMs)
        return;
    // Forget the old entries now and then, so the table holds only the last few seconds.
    if (typingToldAt.size() > 4096)
        typingToldAt.removeIf(
            [&](const auto &entry) { return now - entry.value() >= config.typingIntervalMs; });
    typingToldAt.insert(key, now);
    // To the others only, so not through the router: what it holds goes first, to keep order.
    flushFrames();
    FrameBatch notice;
    notice.append(encode(TypingNotice{room->name(), account.name, account.display}));
    const QSet<ChatSession *> audience = room->online; // sending may close a session
    for (ChatSession *client : audience)
        if (client->account().id != account.id)
            metrics.countBytesSent(client->sendBatch(notice));
}

void ChatHub::Private::onMarkRead(ChatSession *session, const MarkRead &read)
{
    Room *room = memberRoom(session, read.room, {});
    if (!room)
        return;
    const qint64 accountId = session->account().id;
    const qint64 seq = qMin(read.seq, room->newestSeq());
    const bool moved = seq > room->members.value(accountId).readSeq;
    if (moved && !rooms.setRead(room, accountId, seq)) {
        storageFailed(session, {});
        return;
    }
    if (moved) {
        tellUnread(room, accountId); // every device of the account, here (others: statenotice.h)
        return;
    }
    // Nothing changed: only the asker hears where it stands.
    const RoomState state = roomState(*room, accountId);
    session->sendMessage(Unread{room->name(), state.read, state.unread, state.mentions});
}

void ChatHub::Private::onCommitted(const QList<Message> &messages)
{
    if (!ordered) {
        deliver(messages, true);
        return;
    }
    // The store's transaction announced them to every node (store/commitnotice.h).
    pumpCluster([this, &messages] { return ordered->ownCommitted(messages); });
}

void ChatHub::Private::deliver(const QList<Message> &messages, bool own)
{
    if (!own)
        refreshRoomsOf(messages);
    // Someone's first message must not arrive before the news that they came online.
    if (presence.hasPending())
        tellPresence();
    for (const Message &message : messages) {
        metrics.storeCommitted();
        rooms.noteMessage(message);
        Room *room = rooms.find(message.room);
        if (!room)
            continue;
        router.queue(room, encode(message));
        metrics.countDeliveries(room->online.size());
        if (message.event == QLatin1String("removed")) {
            // No longer in the room's audience: the removed account hears it on its own.
            const qint64 removed = accountByKey.value(accountNameKey(message.target));
            if (const Roster::Member *member = roster.find(removed)) {
                const QList<ChatSession *> devices = member->clients;
                for (ChatSession *device : devices) {
                    device->sendMessage(message);
                    device->sendMessage(RoomGone{room->name(), QStringLiteral("removed")});
                }
            }
        } else if (!own && message.event == QLatin1String("left")) {
            // Left on another node: this node's devices of the account hear it too.
            if (const Roster::Member *member =
                    roster.find(accountByKey.value(accountNameKey(message.from)))) {
                const QList<ChatSession *> devices = member->clients;
                for (ChatSession *device : devices)
                    device->sendMessage(RoomGone{room->name(), QStringLiteral("left")});
            }
        }
    }
    scheduleFlush();
}

void ChatHub::Private::pumpCluster(const std::function<bool()> &step)
{
    if (!step() && !clusterRetry.isActive())
        clusterRetry.start();
}

void ChatHub::Private::onResent(const QList<MessageStore::Entry> &entries)
{
    for (const MessageStore::Entry &entry : entries) {
        metrics.storeCommitted();
        // As a resend findSent() catches: the stored message, to the sender alone.
        if (const Roster::Member *member = roster.find(accountIdOfKey(entry.nickKey))) {
            for (ChatSession *client : member->clients)
                client->sendMessage(entry.message);
            metrics.countDeliveries(member->clients.size());
        }
    }
}

void ChatHub::Private::onCommitFailed(const QList<MessageStore::Entry> &entries,
                                      const QString & /*reason: the queue logged it*/)
{
    for (const MessageStore::Entry &entry : entries) {
        metrics.storeFailed();
        // Every device of the sender hears it; the one that sent it knows the id.
        if (const Roster::Member *member = roster.find(accountIdOfKey(entry.nickKey)))
            for (ChatSession *client : member->clients)
                client->sendError(ErrorCode::Internal,
                                  QStringLiteral("The message could not be stored; send it "
                                                 "again."),
                                  entry.message.id);
    }
}

// --- room requests --------------------------------------------------------------------------

void ChatHub::Private::onListRooms(ChatSession *session, const ListRooms &request)
{
    const qint64 me = session->account().id;
    bool more = false;
    RoomList list;
    list.ref = request.id;
    for (Room *room : rooms.publicRooms(request.after, request.limit, &more))
        list.rooms.append(RoomSummary{room->name(), room->record.title, room->record.topic,
                                      int(room->members.size()), room->isMember(me)});
    if (more && !list.rooms.isEmpty())
        list.next = list.rooms.last().name;
    session->sendMessage(list);
}

void ChatHub::Private::onCreateRoom(ChatSession *session, const CreateRoom &request)
{
    const SessionAccount &account = session->account();
    const auto exists = [&] {
        session->sendError(ErrorCode::RoomExists,
                           QStringLiteral("A room named \"%1\" exists.").arg(request.name),
                           request.id);
    };
    if (rooms.find(request.name))
        return exists();
    if (rooms.roomCount(account.id) >= config.maxRoomsPerAccount ||
        rooms.ownedCount(account.id) >= config.maxRoomsOwned) {
        session->sendError(ErrorCode::TooManyRooms,
                           QStringLiteral("You are in, or own, as many rooms as this server "
                                          "allows."),
                           request.id);
        return;
    }
    RoomRecord record;
    record.name = request.name;
    record.title = request.title;
    record.topic = request.topic;
    record.isPrivate = request.isPrivate;
    record.created = QDateTime::currentDateTimeUtc();
    Room *room = rooms.create(record);
    if (!room && rooms.errorString().isEmpty()) {
        if (cluster) // made on another node a moment ago
            refreshRoom(0, request.name);
        return exists();
    }
    if (!room || !rooms.addMember(room, account.id, RoomRole::Owner, 0)) {
        storageFailed(session, request.id);
        return;
    }
    connectDevices(room, account.id);
    tellRoomState(room, account.id);
    postEvent(room, account, QStringLiteral("created"));
    session->sendMessage(Done{request.id, {}, room->name()});
}

void ChatHub::Private::onJoinRoom(ChatSession *session, const JoinRoom &request)
{
    const SessionAccount &account = session->account();
    Room *room = rooms.find(request.room);
    // Made on another node a moment ago: its notice may still be on the way.
    if (!room && cluster) {
        refreshRoom(0, request.room);
        room = rooms.find(request.room);
    }
    if (room && room->isMember(account.id)) {
        session->sendMessage(RoomUpdate{roomState(*room, account.id)});
        session->sendMessage(Done{request.id, {}, room->name()});
        return;
    }
    if (!room || room->record.direct) {
        session->sendError(ErrorCode::RoomNotFound,
                           QStringLiteral("There is no room \"%1\".").arg(request.room),
                           request.id);
        return;
    }
    if (room->record.isPrivate) {
        session->sendError(ErrorCode::InviteOnly,
                           QStringLiteral("The room \"%1\" is private: a member must invite you.")
                               .arg(request.room),
                           request.id);
        return;
    }
    if (rooms.roomCount(account.id) >= config.maxRoomsPerAccount) {
        session->sendError(ErrorCode::TooManyRooms,
                           QStringLiteral("You are in as many rooms as this server allows."),
                           request.id);
        return;
    }
    if (!rooms.addMember(room, account.id, RoomRole::Member, room->newestSeq())) {
        storageFailed(session, request.id);
        return;
    }
    connectDevices(room, account.id);
    tellRoomState(room, account.id);
    postEvent(room, account, QStringLiteral("joined"));
    session->sendMessage(Done{request.id, {}, room->name()});
}

void ChatHub::Private::onLeaveRoom(ChatSession *session, const LeaveRoom &request)
{
    const SessionAccount account = session->account(); // a copy: the session may close
    Room *room = memberRoom(session, request.room, request.id);
    if (!room)
        return;
    if (room->record.direct) {
        session->sendError(ErrorCode::NotAllowed,
                           QStringLiteral("A direct conversation cannot be left."), request.id);
        return;
    }
    const bool wasOwner = room->members.value(account.id).role == RoomRole::Owner;
    if (!rooms.removeMember(room, account.id)) {
        storageFailed(session, request.id);
        return;
    }
    disconnectDevices(room, account.id);
    postEvent(room, account, QStringLiteral("left"));
    if (wasOwner && !room->members.isEmpty()) {
        // The member there longest takes over.
        qint64 successor = 0;
        QDateTime since;
        for (auto it = room->members.cbegin(); it != room->members.cend(); ++it)
            if (successor == 0 || it->joined < since ||
                (it->joined == since && it.key() < successor)) {
                successor = it.key();
                since = it->joined;
            }
        if (rooms.setRole(room, successor, RoomRole::Owner)) {
            const std::optional<KnownAccount> heir = known(successor);
            postEvent(room, account, QStringLiteral("owner"), heir ? heir->name : QString());
            tellRoomState(room, successor);
        }
    }
    if (const Roster::Member *member = roster.find(account.id)) {
        const QList<ChatSession *> devices = member->clients;
        for (ChatSession *device : devices)
            device->sendMessage(RoomGone{room->name(), QStringLiteral("left")});
    }
    session->sendMessage(Done{request.id, {}, room->name()});
}

void ChatHub::Private::onInvite(ChatSession *session, const InviteToRoom &request)
{
    const SessionAccount &account = session->account();
    Room *room = memberRoom(session, request.room, request.id);
    if (!room)
        return;
    if (room->record.direct) {
        session->sendError(ErrorCode::NotAllowed,
                           QStringLiteral("A direct conversation stays between two people; "
                                          "make a private room for more."),
                           request.id);
        return;
    }
    const std::optional<Account> invitee = accountNamed(request.name);
    if (!invitee) {
        session->sendError(ErrorCode::UserNotFound,
                           QStringLiteral("There is no account named \"%1\".").arg(request.name),
                           request.id);
        return;
    }
    if (!room->isMember(invitee->id)) {
        if (rooms.roomCount(invitee->id) >= config.maxRoomsPerAccount) {
            session->sendError(
                ErrorCode::TooManyRooms,
                QStringLiteral("%1 is in as many rooms as this server allows.").arg(invitee->name),
                request.id);
            return;
        }
        if (!rooms.addMember(room, invitee->id, RoomRole::Member, room->newestSeq())) {
            storageFailed(session, request.id);
            return;
        }
        connectDevices(room, invitee->id);
        tellRoomState(room, invitee->id);
        postEvent(room, account, QStringLiteral("invited"), invitee->name);
    }
    session->sendMessage(Done{request.id, {}, room->name()});
}

void ChatHub::Private::onRemove(ChatSession *session, const RemoveFromRoom &request)
{
    const SessionAccount &account = session->account();
    Room *room = managedRoom(session, request.room, request.id,
                             QStringLiteral("Only the room's owner may remove members."));
    if (!room)
        return;
    const std::optional<Account> member = memberNamed(session, room, request.name, request.id);
    if (!member)
        return;
    if (member->id == account.id) {
        session->sendError(ErrorCode::NotAllowed,
                           QStringLiteral("Leave the room instead of removing yourself."),
                           request.id);
        return;
    }
    if (!rooms.removeMember(room, member->id)) {
        storageFailed(session, request.id);
        return;
    }
    disconnectDevices(room, member->id);
    // Once stored, the removed account's devices get this event and room_gone (onCommitted).
    postEvent(room, account, QStringLiteral("removed"), member->name);
    session->sendMessage(Done{request.id, {}, room->name()});
}

void ChatHub::Private::onUpdateRoom(ChatSession *session, const UpdateRoom &request)
{
    const SessionAccount &account = session->account();
    Room *room =
        managedRoom(session, request.room, request.id,
                    QStringLiteral("Only the room's owner may change its title or topic."));
    if (!room)
        return;
    const QString title = request.title.value_or(room->record.title);
    const QString topic = request.topic.value_or(room->record.topic);
    const bool newTitle = title != room->record.title;
    const bool newTopic = topic != room->record.topic;
    if ((newTitle || newTopic) && !rooms.update(room, title, topic)) {
        storageFailed(session, request.id);
        return;
    }
    if (newTitle)
        postEvent(room, account, QStringLiteral("title"), {}, title);
    if (newTopic)
        postEvent(room, account, QStringLiteral("topic"), {}, topic);
    session->sendMessage(Done{request.id, {}, room->name()});
}

void ChatHub::Private::onTransfer(ChatSession *session, const TransferRoom &request)
{
    const SessionAccount &account = session->account();
    Room *room = managedRoom(session, request.room, request.id,
                             QStringLiteral("Only the room's owner may hand it over."));
    if (!room)
        return;
    const std::optional<Account> heir = memberNamed(session, room, request.name, request.id);
    if (!heir)
        return;
    const qint64 previous = room->owner();
    if (previous != heir->id) {
        if ((previous != 0 && !rooms.setRole(room, previous, RoomRole::Member)) ||
            !rooms.setRole(room, heir->id, RoomRole::Owner)) {
            storageFailed(session, request.id);
            return;
        }
        postEvent(room, account, QStringLiteral("owner"), heir->name);
        tellRoomState(room, heir->id);
        if (previous != 0)
            tellRoomState(room, previous);
    }
    session->sendMessage(Done{request.id, {}, room->name()});
}

void ChatHub::Private::onListMembers(ChatSession *session, const ListMembers &request)
{
    Room *room = memberRoom(session, request.room, request.id);
    if (!room)
        return;
    // By name key, the order names are unique in; `after` may be any spelling of a name.
    QList<QPair<QString, qint64>> ordered;
    ordered.reserve(room->members.size());
    int online = 0;
    for (auto it = room->members.cbegin(); it != room->members.cend(); ++it) {
        if (const std::optional<KnownAccount> member = known(it.key()))
            ordered.append({member->nameKey, it.key()});
        online += isOnline(it.key()) ? 1 : 0;
    }
    std::sort(ordered.begin(), ordered.end());
    const QString afterKey = request.after.isEmpty() ? QString() : accountNameKey(request.after);
    auto from = request.after.isEmpty()
                    ? ordered.cbegin()
                    : std::upper_bound(ordered.cbegin(), ordered.cend(),
                                       QPair<QString, qint64>{afterKey, INT64_MAX});
    MemberList list;
    list.ref = request.id;
    list.room = room->name();
    list.online = online;
    for (auto it = from; it != ordered.cend(); ++it) {
        if (list.members.size() == request.limit) {
            list.next = list.members.last().name;
            break;
        }
        const KnownAccount member = knownAccounts.value(it->second);
        list.members.append(RoomMember{member.name, member.display,
                                       roleName(room->members.value(it->second).role),
                                       isOnline(it->second)});
    }
    // The list shows the changes the next round will tell: this connection has them already.
    QHash<qint64, bool> &listed = alreadyListed[session];
    for (qint64 accountId : presence.pendingAccounts())
        if (room->isMember(accountId))
            listed.insert(accountId, isOnline(accountId));
    if (listed.isEmpty())
        alreadyListed.remove(session);
    // From now on this connection hears who of this room comes and goes.
    if (Room *previous = watching.value(session); previous != room) {
        if (previous)
            watchers[previous].remove(session);
        watching.insert(session, room);
        watchers[room].insert(session);
    }
    session->sendMessage(list);
}

void ChatHub::Private::onLoadHistory(ChatSession *session, const LoadHistory &request)
{
    Room *room = memberRoom(session, request.room, request.id);
    if (!room)
        return;
    HistoryPage page;
    page.ref = request.id;
    page.room = room->name();
    page.messages = store->page(room->name(), request.before, request.limit, &page.more);
    // Bounded in bytes like a resume: the newest that fit; the rest is the next page.
    const qint64 maxBytes = historyBytesLimit(config);
    qint64 bytes = 0;
    for (qsizetype i = page.messages.size() - 1; maxBytes > 0 && i >= 0; --i) {
        bytes += messageWeight(page.messages.at(i));
        if (bytes > maxBytes && i < page.messages.size() - 1) {
            page.messages.remove(0, i + 1);
            page.more = true;
            break;
        }
    }
    session->sendMessage(page);
}

} // namespace chat::server
