// The hub's insides, shared by its source files: chathub.cpp (connections, logins, account
// requests, life cycle) and roomrequests.cpp (messages and room requests).
#pragma once

#include "accounts/accounts.h"
#include "chat/chathub.h"
#include "chat/chatsession.h"
#include "chat/commitqueue.h"
#include "chat/presencefeed.h"
#include "chat/rooms.h"
#include "chat/roster.h"
#include "chat/router.h"
#include "cluster/clusterfeed.h"
#include "cluster/clusterpresence.h"
#include "cluster/ordereddelivery.h"
#include "http/httpresponder.h"
#include "http/metrics.h"
#include "store/messagestore.h"
#include "transport/deadlinequeue.h"
#include "transport/inboundbudget.h"
#include "transport/listener.h"

#include <QElapsedTimer>
#include <QHash>
#include <QSet>
#include <QTimer>

namespace chat::server {

// What the hub knows of an account without asking the store again: names for member lists and
// direct rooms, and the key @mentions are matched with.
struct KnownAccount
{
    QString name;
    QString nameKey;
    QString display;
};

// What a resume's history or a history page may weigh (messageWeight()): it stays well under
// the cap of unsent bytes, so that it counts against that cap like everything else.
[[nodiscard]] qint64 historyBytesLimit(const HubConfig &config);

class ChatHub::Private
{
public:
    Private(ChatHub *hub, HubConfig config, Stores stores);

    void accept(QWebSocket *socket, QTcpSocket *tcp);
    // A new connection, whatever its transport: its chat session, in the hub's care from now on.
    ChatSession *open(Transport *transport);
    // The one liveness timer: pings every client, closes those that stopped answering.
    void checkAlive();
    void onHello(ChatSession *session, const chat::proto::Hello &hello);
    // The credentials of a hello were checked: welcome the session, or refuse it.
    void admit(ChatSession *session, const chat::proto::Hello &hello, const AuthResult &result);
    // Every message of a joined session, by kind: a kind without its handler does not compile.
    void dispatch(ChatSession *session, const chat::proto::ClientMessage &request);
    void onClosed(ChatSession *session);
    // Closes the joined connections of an account that used one of these tokens (all of them
    // when `tokenHashes` is empty), telling them why.
    void closeSessions(qint64 accountId, const QList<QByteArray> &tokenHashes,
                       chat::proto::ErrorCode code, const QString &reason);
    void prune();

    // Account requests (chathub.cpp).
    void onLogout(ChatSession *session, const chat::proto::Logout &request);
    void onChangePassword(ChatSession *session, const chat::proto::ChangePassword &request);
    void onListDevices(ChatSession *session, const chat::proto::ListDevices &request);
    void onEndDevice(ChatSession *session, const chat::proto::EndDevice &request);
    void onSetDisplay(ChatSession *session, const chat::proto::SetDisplay &request);

    // Messages and room requests (roomrequests.cpp).
    void onSend(ChatSession *session, const chat::proto::Send &send);
    void onTyping(ChatSession *session, const chat::proto::Typing &typing);
    void onMarkRead(ChatSession *session, const chat::proto::MarkRead &read);
    void onListRooms(ChatSession *session, const chat::proto::ListRooms &request);
    void onCreateRoom(ChatSession *session, const chat::proto::CreateRoom &request);
    void onJoinRoom(ChatSession *session, const chat::proto::JoinRoom &request);
    void onLeaveRoom(ChatSession *session, const chat::proto::LeaveRoom &request);
    void onInvite(ChatSession *session, const chat::proto::InviteToRoom &request);
    void onRemove(ChatSession *session, const chat::proto::RemoveFromRoom &request);
    void onUpdateRoom(ChatSession *session, const chat::proto::UpdateRoom &request);
    void onTransfer(ChatSession *session, const chat::proto::TransferRoom &request);
    void onListMembers(ChatSession *session, const chat::proto::ListMembers &request);
    void onLoadHistory(ChatSession *session, const chat::proto::LoadHistory &request);

    // The room a request names, when the asker may act in it; otherwise answers the error
    // (room_not_found for a private room as for none, not_member for a public one) and returns
    // nullptr.
    Room *memberRoom(ChatSession *session, const QString &name, const QString &ref);
    // ... when the asker may also manage it (its owner, or an admin; never a direct room);
    // otherwise answers not_owner with `refusal`.
    Room *managedRoom(ChatSession *session, const QString &name, const QString &ref,
                      const QString &refusal);
    // A member of the room by any spelling of the name; otherwise answers user_not_found.
    std::optional<Account> memberNamed(ChatSession *session, const Room *room, const QString &name,
                                       const QString &ref);
    // The room as this account sees it, with its counts.
    chat::proto::RoomState roomState(const Room &room, qint64 accountId);
    // Sends the account's devices the room's state (it joined, was invited, its role changed).
    void tellRoomState(Room *room, qint64 accountId);
    // Adds the account's connections to the room's audience, or takes them out.
    void connectDevices(Room *room, qint64 accountId);
    void disconnectDevices(Room *room, qint64 accountId);
    // Writes a room change into the room's sequence (stored, then sent like a message).
    void postEvent(Room *room, const SessionAccount &by, const QString &event,
                   const QString &target = {}, const QString &text = {});
    // The account's name and keys, from memory or from the store; nullopt for none.
    std::optional<KnownAccount> known(qint64 accountId);
    // An account by any spelling of its name that is not disabled.
    std::optional<Account> accountNamed(const QString &name);
    void rememberAccount(const Account &account);
    // A storage failure while changing rooms: the asker hears `internal`.
    void storageFailed(ChatSession *session, const QString &ref);

    // Stored: now they may be acknowledged, which for a chat message means sent to its room.
    void onCommitted(const QList<chat::proto::Message> &messages);
    // Committed messages, in seq order, to the room members connected here; `own`: committed by
    // this node (another node's were read back from the shared store).
    void deliver(const QList<chat::proto::Message> &messages, bool own);
    // Several nodes (cluster/, clusterstate.cpp): what another node (or an admin command)
    // changed besides messages, read again as narrowly as the news allows, and told to the
    // connections here it concerns.
    void onStateNotice(const StateNotice &notice);
    // The room with this id (or, with id 0, this name) and its members.
    void refreshRoom(qint64 id, const QString &name);
    // The rooms of messages from another node that change a room or name one unknown here.
    void refreshRoomsOf(const QList<chat::proto::Message> &messages);
    // One account's memberships (and the rooms among them unknown here).
    void refreshAccountRooms(qint64 accountId);
    // The account's name, display name, admin flag, and whether it and its devices' tokens
    // still hold: connections here whose account was disabled or token ended are closed.
    void refreshAccount(qint64 accountId);
    // Every room and membership, and every account connected here: after notices may have been
    // lost (the listening connection was lost).
    void syncRooms();
    void tellMemberChanges(const QList<Rooms::MemberChange> &changes);
    // Sends the account's devices its read position and counts in the room.
    void tellUnread(Room *room, qint64 accountId);
    // A new display name of an account: for member lists, its devices' messages, presence.
    void applyDisplay(qint64 accountId, const QString &name, const QString &display);
    // Delivers what the other nodes committed; on a failed read tries again shortly.
    void pumpCluster(const std::function<bool()> &step);
    void onCommitFailed(const QList<MessageStore::Entry> &entries, const QString &reason);
    // Ids the store held already (a resend that reached the store, e.g. from another node):
    // acknowledged to their senders with the stored message.
    void onResent(const QList<MessageStore::Entry> &entries);
    // Sends what the router gathered this turn: one write per connection.
    void flushFrames();
    void scheduleFlush();
    // Tells the rooms being watched who came and went.
    void tellPresence();
    // Counts a new WebSocket's bytes for /metrics (its error replies are counted in open()).
    void watchTraffic(QWebSocket *socket, ChatSession *session);

    ChatHub *q;
    HubConfig config;
    Listener *listener;
    std::unique_ptr<AccountStore> accountStore;
    Accounts accounts;
    QTimer expiryTimer;                  // ends tokens unused for too long
    std::unique_ptr<MessageStore> store; // also names the history: store->instance()
    std::unique_ptr<RoomStore> roomStore;
    Rooms rooms;
    CommitQueue commits; // accepted messages waiting to be stored
    QTimer pruneTimer;
    QTimer livenessTimer;
    Roster roster;
    PresenceFeed presence{config.presenceIntervalMs};
    Router router; // frames for rooms, waiting for the end of this turn
    QTimer framesTimer;
    bool flushingFrames = false;
    QSet<ChatSession *> sessions; // every open connection, joined or not
    // The room whose member list each connection watches (its presence), and the reverse.
    QHash<ChatSession *, Room *> watching;
    QHash<Room *, QSet<ChatSession *>> watchers;
    // Changes still waiting for the next round that a member list already showed this
    // connection (account → online as listed): the round must not tell them again.
    QHash<ChatSession *, QHash<qint64, bool>> alreadyListed;
    QHash<qint64, KnownAccount> knownAccounts; // by account id
    QHash<QString, qint64> accountByKey;       // accountNameKey → id, for @mentions
    // When each (account, room) last had its typing told, on `clock`.
    QHash<QPair<qint64, qint64>, qint64> typingToldAt;
    QElapsedTimer clock;
    // The byte budget each client address shares among its connections.
    std::shared_ptr<AddressBudgets> addressBytes = std::make_shared<AddressBudgets>(
        config.maxAddressBytesPerSecond, 8 * config.maxAddressBytesPerSecond);
    bool shuttingDown = false;
    bool loaded = false; // the rooms were read from the store
    QString loadError;
    // The operator's view, served as GET /healthz and /metrics on the chat port.
    Metrics metrics;
    // Several nodes on one PostgreSQL database (joinCluster()): the notices between them, and
    // the cursor that delivers every node's messages here once each, in seq order.
    std::unique_ptr<ClusterFeed> cluster;
    std::unique_ptr<OrderedDelivery> ordered;
    QTimer clusterRetry;
    std::unique_ptr<ClusterPresence> clusterPresence; // who is online on the other nodes
    // Online here or on another node: what member lists and presence counts show.
    [[nodiscard]] bool isOnline(qint64 accountId) const;
    [[nodiscard]] bool isOnlineElsewhere(qint64 accountId) const;
    HttpResponder http;
    // Every new session's hello deadline, behind one timer.
    DeadlineQueue *helloDeadlines;
};

} // namespace chat::server
