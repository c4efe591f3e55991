// The hub's side of what several nodes share besides messages (cluster/): rooms, memberships,
// read positions and accounts changed on another node, or by an admin command on the database.
// The stores announce each change (store/statenotice.h) in the statement that makes it; this
// node reads again only what a notice names and tells its own connections. Notices also come
// back for this node's own changes: the memory is current then, and nothing is told twice.
// Room events read from the shared history re-read their room too, so a notice overtaken by its
// event changes nothing. After a lost listening connection everything is read once again.
#include "chat/hubprivate.h"

#include "logging.h"

namespace chat::server {

using namespace chat::proto;

void ChatHub::Private::onStateNotice(const StateNotice &notice)
{
    switch (notice.kind) {
    case StateNotice::Kind::Room:
        refreshRoom(notice.room, {});
        break;
    case StateNotice::Kind::Member:
        refreshAccountRooms(notice.account);
        break;
    case StateNotice::Kind::Read:
        // Whole in the notice: nothing to read. Forward only: a member's own later mark here
        // may have overtaken it.
        if (Room *room = rooms.findById(notice.room);
            room && rooms.noteRead(room, notice.account, notice.seq))
            tellUnread(room, notice.account);
        break;
    case StateNotice::Kind::Account:
        refreshAccount(notice.account);
        break;
    }
}

void ChatHub::Private::refreshRoom(qint64 id, const QString &name)
{
    RoomSnapshot snapshot;
    if (!roomStore->loadRoom(id, name, &snapshot)) {
        qCWarning(lcCluster).noquote() << "cannot read a room again:" << roomStore->errorString();
        return;
    }
    tellMemberChanges(rooms.sync(snapshot));
}

void ChatHub::Private::refreshRoomsOf(const QList<Message> &messages)
{
    QSet<QString> concerned;
    for (const Message &message : messages)
        if (!message.event.isEmpty() || !rooms.find(message.room))
            concerned.insert(message.room);
    for (const QString &name : std::as_const(concerned))
        refreshRoom(0, name);
}

void ChatHub::Private::refreshAccountRooms(qint64 accountId)
{
    RoomSnapshot snapshot;
    if (!roomStore->loadAccount(accountId, &snapshot)) {
        qCWarning(lcCluster).noquote()
            << "cannot read an account's rooms again:" << roomStore->errorString();
        return;
    }
    tellMemberChanges(rooms.syncAccount(accountId, snapshot));
}

void ChatHub::Private::refreshAccount(qint64 accountId)
{
    // Neither connected here nor named in a list: nothing of it is held here.
    if (!roster.isOnline(accountId) && !knownAccounts.contains(accountId))
        return;
    const std::optional<Account> account = accountStore->findById(accountId);
    if (!account) {
        if (!accountStore->errorString().isEmpty())
            qCWarning(lcCluster).noquote()
                << "cannot read an account again:" << accountStore->errorString();
        return;
    }
    rememberAccount(*account);
    const Roster::Member *member = roster.find(accountId);
    if (!member)
        return;
    if (account->disabled) {
        closeSessions(accountId, {}, ErrorCode::AccountDisabled,
                      QStringLiteral("This account was disabled by an administrator."));
        return;
    }
    // Devices logged out elsewhere: on another node, or by an admin command.
    QList<QByteArray> ended;
    for (ChatSession *client : member->clients) {
        const QByteArray &hash = client->account().tokenHash;
        if (hash.isEmpty() || ended.contains(hash) || accountStore->findToken(hash))
            continue;
        if (accountStore->errorString().isEmpty())
            ended.append(hash);
    }
    if (!ended.isEmpty())
        closeSessions(accountId, ended, ErrorCode::TokenInvalid,
                      QStringLiteral("This device was logged out; log in again."));
    member = roster.find(accountId);
    if (!member)
        return;
    for (ChatSession *client : member->clients)
        client->account().admin = account->admin;
    if (member->user.display != account->display)
        applyDisplay(accountId, account->name, account->display);
}

void ChatHub::Private::syncRooms()
{
    RoomSnapshot snapshot;
    if (!roomStore->load(&snapshot)) {
        qCWarning(lcCluster).noquote()
            << "cannot read the rooms again:" << roomStore->errorString();
        return;
    }
    tellMemberChanges(rooms.sync(snapshot));
    const QList<qint64> online = roster.members().keys();
    for (qint64 accountId : online)
        refreshAccount(accountId);
}

void ChatHub::Private::tellMemberChanges(const QList<Rooms::MemberChange> &changes)
{
    for (const Rooms::MemberChange &change : changes) {
        switch (change.kind) {
        case Rooms::MemberChange::Added:
            connectDevices(change.room, change.accountId);
            tellRoomState(change.room, change.accountId);
            break;
        case Rooms::MemberChange::Removed:
            disconnectDevices(change.room, change.accountId);
            break;
        case Rooms::MemberChange::RoleChanged:
            tellRoomState(change.room, change.accountId);
            break;
        case Rooms::MemberChange::ReadMoved:
            tellUnread(change.room, change.accountId);
            break;
        }
    }
}

void ChatHub::Private::tellUnread(Room *room, qint64 accountId)
{
    const Roster::Member *member = roster.find(accountId);
    if (!member)
        return;
    const RoomState state = roomState(*room, accountId);
    const Unread counts{room->name(), state.read, state.unread, state.mentions};
    const QList<ChatSession *> devices = member->clients; // sending may close a session
    for (ChatSession *device : devices)
        device->sendMessage(counts);
}

void ChatHub::Private::applyDisplay(qint64 accountId, const QString &name, const QString &display)
{
    if (auto it = knownAccounts.find(accountId); it != knownAccounts.end())
        it->display = display;
    if (!roster.setDisplay(accountId, display))
        return;
    for (ChatSession *device : roster.find(accountId)->clients)
        device->account().display = display;
    presence.changed(accountId, User{name, display});
    if (clusterPresence)
        clusterPresence->setOnline(accountId, User{name, display});
}

} // namespace chat::server
