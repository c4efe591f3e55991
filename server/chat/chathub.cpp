#include "chat/hubprivate.h"

#include "codec.h"
#include "http/httpgate.h"
#include "logging.h"
#include "secrets.h"
#include "transport/clientaddress.h"
#include "transport/connectionlimits.h"
#include "transport/framebatch.h"
#include "transport/websockettransport.h"
#include "validation.h"

#include <QDateTime>
#include <QPointer>
#include <QWebSocket>

namespace chat::server {

using namespace chat::proto;

qint64 historyBytesLimit(const HubConfig &config)
{
    if (config.maxOutboxBytes <= 0)
        return config.maxWelcomeHistoryBytes;
    if (config.maxWelcomeHistoryBytes <= 0)
        return config.maxOutboxBytes / 2;
    return qMin(config.maxWelcomeHistoryBytes, config.maxOutboxBytes / 2);
}

ChatHub::Private::Private(ChatHub *hub, HubConfig config, Stores stores)
    : q(hub)
    , config(std::move(config))
    , listener(new Listener(this->config, hub))
    , accountStore(std::move(stores.accounts))
    , accounts(accountStore.get(), this->config.accounts)
    , store(std::move(stores.messages))
    , roomStore(std::move(stores.rooms))
    , rooms(roomStore.get())
    , commits(store.get(), this->config.commitBatch, this->config.commitDelayMs)
    , http(
          &metrics,
          [this] {
              return Metrics::Gauges{
                  int(sessions.size()), roster.size(), listener->pendingHandshakes(),
                  listener->refusedOverAddressLimit(), listener->refusedServerFull()};
          },
          &accounts, this->config.allowedOrigins)
    , helloDeadlines(new DeadlineQueue(this->config.helloTimeoutMs, hub))
{
    clock.start();
    QObject::connect(helloDeadlines, &DeadlineQueue::expired, q, [this](QObject *target) {
        static_cast<ChatSession *>(target)->helloDeadlinePassed(helloDeadlines);
    });
    prune();
    loaded = rooms.load(store->newestPerRoom(), &loadError);
}

void ChatHub::Private::accept(QWebSocket *socket, QTcpSocket *tcp)
{
    if (shuttingDown) {
        socket->close(QWebSocketProtocol::CloseCodeGoingAway,
                      QStringLiteral("server shutting down"));
        socket->deleteLater();
        return;
    }
    auto *transport = new WebSocketTransport(
        socket, tcp, config,
        config.maxAddressBytesPerSecond > 0
            ? addressBytes->lease(ConnectionLimits::addressKey(clientAddress(tcp)))
            : nullptr);
    ChatSession *session = open(transport);
    watchTraffic(socket, session);
    qCDebug(lcServerNet).noquote() << session->peer() << "upgraded to WebSocket";
}

ChatSession *ChatHub::Private::open(Transport *transport)
{
    auto *session = new ChatSession(transport, helloDeadlines, q);
    sessions.insert(session);
    QObject::connect(session, &ChatSession::helloReceived, q,
                     [this](ChatSession *s, const Hello &hello) { onHello(s, hello); });
    QObject::connect(session, &ChatSession::requestReceived, q,
                     [this](ChatSession *s, const ClientMessage &m) { dispatch(s, m); });
    QObject::connect(session, &ChatSession::errorSent, q,
                     [this](ErrorCode code) { metrics.countRejection(code); });
    QObject::connect(session, &ChatSession::closed, q, [this](ChatSession *s) { onClosed(s); });
    QObject::connect(transport, &Transport::aboutToSend, q, [this] { flushFrames(); });
    // What the closing client sent and the server accepted is acknowledged before its close.
    QObject::connect(transport, &Transport::aboutToClose, q, [this] { commits.flush(); });
    QObject::connect(transport, &Transport::floodClosed, q,
                     [this](const QString &limit) { metrics.countFloodClose(limit); });
    emit q->connectionCountChanged(int(sessions.size()));
    return session;
}

void ChatHub::Private::checkAlive()
{
    // Silent for 1.5 intervals when the timer fires: the ping sent one interval ago went
    // unanswered. So a dead peer goes after 1.5 to 2.5 intervals.
    const qint64 silenceLimitMs = qint64(config.pingIntervalMs) * 3 / 2;
    // A copy: a session may close, and leave the set, during the loop.
    const QSet<ChatSession *> all = sessions;
    for (ChatSession *session : all)
        session->checkAlive(silenceLimitMs);
}

void ChatHub::Private::onHello(ChatSession *session, const Hello &hello)
{
    if (shuttingDown)
        return;
    session->markAuthenticating();
    // Password hashing answers later; the session may be gone by then.
    auto later = [this, session = QPointer<ChatSession>(session), hello](const AuthResult &r) {
        admit(session, hello, r);
    };
    if (hello.login) {
        accounts.login(*hello.login, hello.device, session->peerAddress(), later);
        return;
    }
    if (hello.registration) {
        accounts.registerAccount(*hello.registration, hello.device, session->peerAddress(), later);
        return;
    }
    const bool byCookie = hello.token.isEmpty();
    const QString token = byCookie ? session->cookieToken() : hello.token;
    if (byCookie && !token.isEmpty() && !session->upgradeFromOwnPage(config.allowedOrigins)) {
        // The browser sends the cookie with any page's upgrade on the same site (another port,
        // a sibling subdomain): only the chat's own page may log in with it.
        session->refuse(ErrorCode::Forbidden,
                        QStringLiteral("Only the chat's own page may log in with its cookie."));
        return;
    }
    if (token.isEmpty()) {
        session->refuse(ErrorCode::TokenInvalid,
                        QStringLiteral("Log in first: the hello needs a token, a login or a "
                                       "registration."));
        return;
    }
    admit(session, hello, accounts.loginWithToken(token, hello.device));
}

void ChatHub::Private::admit(ChatSession *session, const Hello &hello, const AuthResult &result)
{
    if (!session || session->isClosing() || shuttingDown) {
        // Nobody is there to receive a token made for this login: it must not stay valid.
        if (result.ok() && !result.newToken.isEmpty())
            accounts.logout(result.account->id, result.tokenHash);
        return;
    }
    if (!result.ok()) {
        session->refuse(result.code, result.reason);
        return;
    }
    metrics.countLogin(hello.login ? "password" : hello.registration ? "register" : "token");
    // With several nodes, what the others committed up to now goes out first too.
    if (ordered)
        pumpCluster([this] { return ordered->catchUp(); });
    // Whatever waits to go out is already in the store this welcome reads: it must reach the
    // others before the newcomer counts among them, or the newcomer would get it twice.
    flushFrames();
    const Account &account = *result.account;
    rememberAccount(account);
    // Met on another node first: its rooms (the lobby it joined there) may be news here.
    if (cluster && !rooms.hasSeen(account.id))
        refreshAccountRooms(account.id);
    SessionAccount joined;
    joined.id = account.id;
    joined.key = QStringLiteral("account:%1").arg(account.id);
    joined.name = account.name;
    joined.display = account.display;
    joined.admin = account.admin;
    joined.tokenHash = result.tokenHash;
    joined.session = randomHex(128);
    // A new account joins the lobby (quietly: a crowd of sign-ups would flood it with events).
    if (rooms.firstSight(account.id) && config.lobbyForNewAccounts) {
        Room *lobby = rooms.lobby();
        if (!lobby->isMember(account.id) &&
            !rooms.addMember(lobby, account.id, RoomRole::Member, lobby->newestSeq()))
            qCWarning(lcStore).noquote()
                << "cannot add" << account.name << "to the lobby:" << rooms.errorString();
    }
    // The same device back on a new connection while its old one still looks alive: the old
    // one goes. The account stays online throughout, so the others see nothing.
    QPointer<ChatSession> replaced;
    if (const Roster::Member *member = roster.find(joined.id)) {
        for (ChatSession *other : member->clients)
            if (!hello.session.isEmpty() && sameSecret(other->account().session, hello.session))
                replaced = other;
    }
    session->markJoined(joined);
    const bool cameOnline = roster.add(joined.id, User{joined.name, joined.display}, session);
    if (cameOnline && clusterPresence)
        clusterPresence->setOnline(joined.id, User{joined.name, joined.display});
    if (cameOnline && !isOnlineElsewhere(joined.id))
        presence.changed(joined.id, User{joined.name, joined.display});
    if (replaced) {
        qCDebug(lcServer).noquote()
            << session->peer() << "takes over from" << replaced->peer() << "for" << joined.name;
        replaced->close(QWebSocketProtocol::CloseCodeNormal,
                        QStringLiteral("replaced by a new connection"));
    }

    Welcome welcome;
    welcome.server = config.name;
    welcome.account = joined.name;
    welcome.display = joined.display;
    welcome.admin = joined.admin;
    welcome.token = result.newToken;
    welcome.session = joined.session;
    welcome.instance = store->instance();
    // Messages still waiting for their commit reach this client from its rooms, as to everyone.
    // With several nodes, what was delivered here: later seqs come as messages, not history.
    welcome.seq = ordered ? ordered->delivered() : store->lastSeq();
    const QList<Room *> own = rooms.roomsOf(joined.id);
    welcome.rooms.reserve(own.size());
    QSet<QString> names;
    for (Room *room : own) {
        room->addOnline(session);
        names.insert(room->name());
        welcome.rooms.append(roomState(*room, joined.id));
    }
    // Numbers from another instance (a history before a restart) say nothing about this one.
    const bool sameHistory = hello.instance.isEmpty() || hello.instance == welcome.instance;
    if (hello.lastSeq && sameHistory) {
        const qint64 lastSeen = *hello.lastSeq;
        bool complete = false;
        // A number from the future belongs to another history; a gap that was pruned away is
        // no longer there to send: either way the rooms are loaded afresh.
        if (lastSeen <= welcome.seq && lastSeen + 1 >= store->oldestSeq()) {
            if (lastSeen == welcome.seq)
                complete = true;
            else
                welcome.history = store->since(names, joined.name, lastSeen, config.resumeLimit,
                                               historyBytesLimit(config), &complete);
            // Another node may have committed past welcome.seq meanwhile: those follow as
            // messages.
            welcome.history.removeIf([&](const Message &m) { return m.seq > welcome.seq; });
        }
        welcome.resumed = complete;
        if (!complete) {
            welcome.history.clear();
            for (Room *room : own)
                if (room->newestSeq() > 0 &&
                    (room->newestSeq() > lastSeen || lastSeen > welcome.seq))
                    welcome.reload.append(room->name());
        }
    }
    // Straight to the kernel when it takes it: a crowd's welcomes then do not pile up in Qt's
    // buffers.
    FrameBatch welcomeFrame;
    welcomeFrame.append(encode(welcome));
    metrics.countBytesSent(session->sendBatch(welcomeFrame));

    if (!cameOnline)
        return;
    qCDebug(lcServer).noquote() << session->peer() << "joined as" << joined.name;
    emit q->userJoined(joined.name);
}

void ChatHub::Private::dispatch(ChatSession *session, const ClientMessage &request)
{
    if (shuttingDown)
        return;
    struct Dispatcher
    {
        Private *d;
        ChatSession *s;
        void operator()(const Hello &) const {} // the session answers a second hello itself
        void operator()(const Ping &) const {}  // ... and pings
        void operator()(const Send &m) const { d->onSend(s, m); }
        void operator()(const Logout &m) const { d->onLogout(s, m); }
        void operator()(const ChangePassword &m) const { d->onChangePassword(s, m); }
        void operator()(const ListDevices &m) const { d->onListDevices(s, m); }
        void operator()(const EndDevice &m) const { d->onEndDevice(s, m); }
        void operator()(const SetDisplay &m) const { d->onSetDisplay(s, m); }
        void operator()(const Typing &m) const { d->onTyping(s, m); }
        void operator()(const MarkRead &m) const { d->onMarkRead(s, m); }
        void operator()(const ListRooms &m) const { d->onListRooms(s, m); }
        void operator()(const CreateRoom &m) const { d->onCreateRoom(s, m); }
        void operator()(const JoinRoom &m) const { d->onJoinRoom(s, m); }
        void operator()(const LeaveRoom &m) const { d->onLeaveRoom(s, m); }
        void operator()(const InviteToRoom &m) const { d->onInvite(s, m); }
        void operator()(const RemoveFromRoom &m) const { d->onRemove(s, m); }
        void operator()(const UpdateRoom &m) const { d->onUpdateRoom(s, m); }
        void operator()(const TransferRoom &m) const { d->onTransfer(s, m); }
        void operator()(const ListMembers &m) const { d->onListMembers(s, m); }
        void operator()(const LoadHistory &m) const { d->onLoadHistory(s, m); }
    };
    std::visit(Dispatcher{this, session}, request);
}

void ChatHub::Private::onLogout(ChatSession *session, const Logout &request)
{
    const SessionAccount &account = session->account();
    session->sendMessage(Done{request.id, {}, {}});
    session->close(QWebSocketProtocol::CloseCodeNormal, QStringLiteral("logged out"));
    accounts.logout(account.id, account.tokenHash);
}

void ChatHub::Private::onChangePassword(ChatSession *session, const ChangePassword &change)
{
    const SessionAccount &account = session->account();
    accounts.changePassword(
        account.id, account.tokenHash, change.oldPassword, change.newPassword,
        [session = QPointer<ChatSession>(session), id = change.id](const AuthResult &r) {
            if (!session || session->isClosing())
                return;
            if (!r.ok()) {
                session->sendError(r.code, r.reason, id);
                return;
            }
            session->account().tokenHash = r.tokenHash;
            session->sendMessage(Done{id, r.newToken, {}});
        });
}

void ChatHub::Private::onListDevices(ChatSession *session, const ListDevices &list)
{
    const SessionAccount &account = session->account();
    session->sendMessage(Devices{list.id, accounts.devices(account.id, account.tokenHash)});
}

void ChatHub::Private::onEndDevice(ChatSession *session, const EndDevice &end)
{
    const SessionAccount &account = session->account();
    QString reason;
    // Ending this very device closes this connection (token_invalid), with no list.
    if (!accounts.endDevice(account.id, end.device, &reason)) {
        session->sendError(ErrorCode::BadMessage, reason, end.id);
        return;
    }
    if (!session->isClosing())
        session->sendMessage(Devices{end.id, accounts.devices(account.id, account.tokenHash)});
}

void ChatHub::Private::onSetDisplay(ChatSession *session, const SetDisplay &display)
{
    const SessionAccount &account = session->account();
    if (const QString problem = accounts.setDisplay(account.id, display.display);
        !problem.isEmpty()) {
        session->sendError(ErrorCode::DisplayInvalid, problem, display.id);
        return;
    }
    applyDisplay(account.id, account.name, display.display); // other nodes: statenotice.h
    session->sendMessage(Done{display.id, {}, {}});
}

void ChatHub::Private::closeSessions(qint64 accountId, const QList<QByteArray> &tokenHashes,
                                     ErrorCode code, const QString &reason)
{
    const Roster::Member *member = roster.find(accountId);
    if (!member)
        return;
    const QList<ChatSession *> clients = member->clients; // closing changes the roster
    for (ChatSession *client : clients) {
        if (client->isClosing())
            continue;
        if (tokenHashes.isEmpty() || tokenHashes.contains(client->account().tokenHash))
            client->refuse(code, reason);
    }
}

void ChatHub::Private::prune()
{
    const Retention retention{config.retainMessages, config.retainDays};
    if (retention.keepsAll())
        return;
    const qint64 removed = store->prune(retention, QDateTime::currentDateTimeUtc());
    if (removed < 0)
        qCWarning(lcStore).noquote() << "pruning failed:" << store->errorString();
    else if (removed > 0)
        qCInfo(lcStore) << "pruned" << removed << "old messages";
}

void ChatHub::Private::onClosed(ChatSession *session)
{
    sessions.remove(session);
    alreadyListed.remove(session); // another session may be made at the same address
    if (Room *watched = watching.take(session)) {
        auto it = watchers.find(watched);
        if (it != watchers.end()) {
            it->remove(session);
            if (it->isEmpty())
                watchers.erase(it);
        }
    }
    const SessionAccount &account = session->account();
    if (session->isJoined()) {
        for (Room *room : rooms.roomsOf(account.id))
            room->removeOnline(session);
        if (roster.remove(account.id, session)) {
            qCDebug(lcServer).noquote() << session->peer() << account.name << "left";
            if (clusterPresence)
                clusterPresence->setOffline(account.id);
            if (!shuttingDown && !isOnlineElsewhere(account.id))
                presence.changed(account.id, std::nullopt);
            emit q->userLeft(account.name);
        }
    }
    emit q->connectionCountChanged(int(sessions.size()));
}

void ChatHub::Private::scheduleFlush()
{
    // A room's batch past this size goes at once: it bounds what one connection gets in one write.
    // Per room, not in all: with 100 busy rooms a bound on the sum flushed every few frames a
    // room, and each connection's write carried that few (4x the CPU per delivery of one room).
    constexpr qsizetype kMaxBatchBytes = 256 * 1024;
    // ... and everything held back in one turn of the event loop, across rooms.
    constexpr qsizetype kMaxHeldBytes = 8 * 1024 * 1024;
    if (router.largestRoomBytes() >= kMaxBatchBytes || router.pendingBytes() >= kMaxHeldBytes)
        flushFrames();
    else if (!framesTimer.isActive())
        framesTimer.start(0);
}

void ChatHub::Private::flushFrames()
{
    framesTimer.stop();
    // A session's aboutToSend() can come back here while its batch is being written.
    if (router.isEmpty() || flushingFrames)
        return;
    flushingFrames = true;
    qint64 deliveries = 0;
    metrics.countBytesSent(router.flush(&deliveries)); // the rest is counted from bytesWritten
    flushingFrames = false;
}

void ChatHub::Private::tellPresence()
{
    const std::optional<PresenceFeed::Round> round = presence.take();
    // What member lists showed ahead of this round is in it; from now on lists are current.
    const QHash<ChatSession *, QHash<qint64, bool>> listedAhead = std::exchange(alreadyListed, {});
    if (!round || watchers.isEmpty())
        return;
    flushFrames(); // what was queued before these changes arrives before them
    // Each watched room hears of its own members only. A copy: sending may close sessions.
    const QHash<Room *, QSet<ChatSession *>> watched = watchers;
    for (auto it = watched.cbegin(); it != watched.cend(); ++it) {
        Room *room = it.key();
        // The round's changes among this room's members, by account: (id, online, user).
        struct Change
        {
            qint64 account;
            bool online;
            User user;
        };
        QList<Change> changes;
        for (auto j = round->joined.cbegin(); j != round->joined.cend(); ++j)
            if (room->isMember(j.key()))
                changes.append({j.key(), true, *j});
        for (auto l = round->left.cbegin(); l != round->left.cend(); ++l)
            if (room->isMember(l.key()))
                changes.append({l.key(), false, User{*l, {}}});
        // Told only to those whose member list showed them online (below); nobody else knew.
        QList<Change> vanished;
        for (auto v = round->cameAndWent.cbegin(); v != round->cameAndWent.cend(); ++v)
            if (room->isMember(v.key()))
                vanished.append({v.key(), false, User{*v, {}}});
        if (changes.isEmpty() && vanished.isEmpty())
            continue;
        std::sort(changes.begin(), changes.end(), [](const Change &a, const Change &b) {
            return QString::compare(a.user.name, b.user.name, Qt::CaseInsensitive) < 0;
        });
        int online = 0;
        for (auto m = room->members.cbegin(); m != room->members.cend(); ++m)
            online += isOnline(m.key()) ? 1 : 0;
        // `skip`: what a member list already showed this watcher.
        const auto presenceFor = [&](const QHash<qint64, bool> &skip) {
            Presence news;
            news.room = room->name();
            news.online = online;
            for (const Change &change : changes) {
                if (const auto shown = skip.constFind(change.account);
                    shown != skip.cend() && *shown == change.online)
                    continue;
                if (change.online)
                    news.joined.append(change.user);
                else
                    news.left.append(change.user.name);
            }
            for (const Change &change : vanished)
                if (skip.value(change.account, false))
                    news.left.append(change.user.name);
            return news;
        };
        FrameBatch frame;
        if (!changes.isEmpty())
            frame.append(encode(presenceFor({})));
        for (ChatSession *watcher : it.value()) {
            const auto listed = listedAhead.constFind(watcher);
            if (listed == listedAhead.cend()) {
                if (!frame.isEmpty())
                    metrics.countBytesSent(watcher->sendBatch(frame));
                continue;
            }
            // Its member list came after these changes and showed them: only the rest.
            const Presence rest = presenceFor(*listed);
            if (rest.joined.isEmpty() && rest.left.isEmpty())
                continue;
            FrameBatch own;
            own.append(encode(rest));
            metrics.countBytesSent(watcher->sendBatch(own));
        }
    }
}

void ChatHub::Private::watchTraffic(QWebSocket *socket, ChatSession *session)
{
    // Contexts are the session: these go with it. Bytes sent are what reached the TCP layer.
    QObject::connect(socket, &QWebSocket::textMessageReceived, session,
                     [this](const QString &text) { metrics.countBytesReceived(utf8Size(text)); });
    QObject::connect(socket, &QWebSocket::binaryMessageReceived, session,
                     [this](const QByteArray &data) { metrics.countBytesReceived(data.size()); });
    QObject::connect(socket, &QWebSocket::bytesWritten, session,
                     [this](qint64 bytes) { metrics.countBytesSent(bytes); });
    QObject::connect(session->transport(), &Transport::sentDirectly, session,
                     [this](qint64 bytes) { metrics.countBytesSent(bytes); });
}

ChatHub::ChatHub(HubConfig config, QObject *parent)
    : ChatHub(config,
              std::make_unique<MemoryStore>(config.historySize, config.dedupIdsPerNick,
                                            config.dedupNicks),
              parent)
{}

ChatHub::ChatHub(HubConfig config, std::unique_ptr<MessageStore> store, QObject *parent)
    : ChatHub(std::move(config),
              Stores{std::move(store), std::make_unique<MemoryAccountStore>(),
                     std::make_unique<MemoryRoomStore>()},
              parent)
{}

ChatHub::ChatHub(HubConfig config, Stores stores, QObject *parent)
    : QObject(parent)
    , d(new Private(this, std::move(config), std::move(stores)))
{
    connect(d->listener, &Listener::newConnection, this,
            [this](QWebSocket *socket, QTcpSocket *tcp) { d->accept(socket, tcp); });
    // Plain HTTP on the same port: the browser page, /healthz and /metrics.
    d->listener->setHttpGate(new HttpGate(
        HttpLimits{d->config.maxHttpHeadBytes, d->config.maxHttpHeaders}, &d->http, this));
    if (d->config.pingIntervalMs > 0) {
        connect(&d->livenessTimer, &QTimer::timeout, this, [this] { d->checkAlive(); });
        d->livenessTimer.start(d->config.pingIntervalMs);
    }
    d->framesTimer.setSingleShot(true);
    connect(&d->framesTimer, &QTimer::timeout, this, [this] { d->flushFrames(); });
    connect(&d->presence, &PresenceFeed::due, this, [this] {
        d->tellPresence();
        d->flushFrames();
    });
    connect(&d->commits, &CommitQueue::committed, this,
            [this](const QList<Message> &messages) { d->onCommitted(messages); });
    connect(&d->commits, &CommitQueue::resent, this,
            [this](const QList<MessageStore::Entry> &entries) { d->onResent(entries); });
    connect(&d->commits, &CommitQueue::failed, this,
            [this](const QList<MessageStore::Entry> &entries, const QString &reason) {
                d->onCommitFailed(entries, reason);
            });
    connect(&d->accounts, &Accounts::tokensEnded, this,
            [this](qint64 accountId, const QList<QByteArray> &hashes) {
                if (!hashes.isEmpty())
                    d->closeSessions(accountId, hashes, ErrorCode::TokenInvalid,
                                     QStringLiteral("This device was logged out; log in again."));
            });
    connect(&d->accounts, &Accounts::accountDisabled, this, [this](qint64 accountId) {
        d->closeSessions(accountId, {}, ErrorCode::AccountDisabled,
                         QStringLiteral("This account was disabled by an administrator."));
    });
    connect(&d->accounts, &Accounts::refused, this, [this](const QString &what, ErrorCode code) {
        d->metrics.countLoginRefused(what, code);
    });
    if (d->config.accounts.tokenExpiryDays > 0) {
        connect(&d->expiryTimer, &QTimer::timeout, this,
                [this] { d->accounts.expireTokens(QDateTime::currentDateTimeUtc()); });
        d->expiryTimer.start(60 * 60 * 1000);
        d->accounts.expireTokens(QDateTime::currentDateTimeUtc());
    }
    if (!Retention{d->config.retainMessages, d->config.retainDays}.keepsAll()) {
        connect(&d->pruneTimer, &QTimer::timeout, this, [this] { d->prune(); });
        d->pruneTimer.start(qMax(1000, d->config.pruneIntervalMs));
    }
}

bool ChatHub::Private::isOnlineElsewhere(qint64 accountId) const
{
    return clusterPresence && clusterPresence->elsewhere().contains(accountId);
}

bool ChatHub::Private::isOnline(qint64 accountId) const
{
    return roster.isOnline(accountId) || isOnlineElsewhere(accountId);
}

bool ChatHub::joinCluster(const QString &databaseUrl, QString *error)
{
    auto feed = std::make_unique<ClusterFeed>(ClusterFeed::Options{databaseUrl, {}});
    if (!feed->start(error))
        return false;
    // Every commit names its seqs to every node from inside its transaction.
    if (!d->store->announceCommitsAs(feed->node())) {
        *error = QStringLiteral("the history is not shared with other nodes");
        return false;
    }
    d->cluster = std::move(feed);
    MessageStore *store = d->store.get();
    d->ordered = std::make_unique<OrderedDelivery>(
        store->lastSeq(),
        [store](qint64 first, qint64 last) -> std::optional<QList<Message>> {
            return store->range(first, last);
        },
        [this] { return d->cluster->oldestHeld(); },
        [this](const QList<Message> &messages, bool own) { d->deliver(messages, own); });
    d->clusterRetry.setSingleShot(true);
    d->clusterRetry.setInterval(250);
    const auto catchUp = [this] {
        d->pumpCluster([this] { return d->ordered->catchUp(); });
    };
    connect(&d->clusterRetry, &QTimer::timeout, this, catchUp);
    connect(d->cluster.get(), &ClusterFeed::reconnected, this, catchUp);
    connect(d->cluster.get(), &ClusterFeed::tick, this, catchUp);
    // Rooms, memberships, read positions and accounts changed anywhere (clusterstate.cpp); after
    // a lost connection their notices may be gone: everything is read again.
    connect(d->cluster.get(), &ClusterFeed::stateChanged, this,
            [this](const StateNotice &notice) { d->onStateNotice(notice); });
    connect(d->cluster.get(), &ClusterFeed::reconnected, this, [this] { d->syncRooms(); });
    connect(d->cluster.get(), &ClusterFeed::committed, this,
            [this](const QString &, qint64, qint64 last) {
                d->pumpCluster([this, last] { return d->ordered->committedUpTo(last); });
            });
    // Presence: the others' people count as online here while their node beats.
    d->clusterPresence =
        std::make_unique<ClusterPresence>(d->cluster.get(), ClusterPresence::kExpirySeconds);
    connect(d->clusterPresence.get(), &ClusterPresence::changed, this,
            [this](qint64 accountId, const std::optional<User> &user) {
                if (!d->roster.isOnline(accountId)) // told already as this node's
                    d->presence.changed(accountId, user);
            });
    qCInfo(lcCluster).noquote() << "node" << d->cluster->node() << "joined the cluster at seq"
                                << d->ordered->delivered();
    return true;
}

ChatHub::~ChatHub()
{
    // What was accepted gets stored and acknowledged while the clients are still there.
    d->commits.flush();
    d->flushFrames();
    // Sessions first, while the hub they report to is still whole.
    const QSet<ChatSession *> sessions = d->sessions;
    d->sessions.clear();
    qDeleteAll(sessions);
    delete d;
}

bool ChatHub::listen()
{
    if (!d->loaded)
        return false; // errorString() says why
    if (!d->listener->listen())
        return false;
    qCDebug(lcServer).noquote() << "listening on" << url().toString();
    return true;
}

QString ChatHub::errorString() const
{
    if (!d->loaded)
        return QStringLiteral("cannot read the rooms: %1").arg(d->loadError);
    return d->listener->errorString();
}

quint16 ChatHub::port() const
{
    return d->listener->port();
}

QUrl ChatHub::url() const
{
    QUrl url;
    url.setScheme(d->listener->isSecure() ? QStringLiteral("wss") : QStringLiteral("ws"));
    const QHostAddress &host = d->config.host;
    // QHostAddress::Any prints as "::"; people expect 0.0.0.0 for "every interface".
    url.setHost(host == QHostAddress::Any ? QStringLiteral("0.0.0.0") : host.toString());
    url.setPort(port());
    url.setPath(QStringLiteral("/"));
    return url;
}

void ChatHub::shutdown()
{
    if (d->shuttingDown)
        return;
    d->shuttingDown = true;
    d->commits.flush(); // acknowledged before the close frames go out
    d->flushFrames();
    qCInfo(lcServer).noquote() << "shutting down," << d->sessions.size() << "connections to close";
    d->listener->close();
    const QSet<ChatSession *> sessions = d->sessions;
    for (ChatSession *session : sessions)
        session->close(QWebSocketProtocol::CloseCodeGoingAway,
                       QStringLiteral("server shutting down"));
}

Accounts *ChatHub::accounts() const
{
    return &d->accounts;
}

int ChatHub::onlineCount() const
{
    return d->roster.size();
}

int ChatHub::connectionCount() const
{
    return int(d->sessions.size());
}

int ChatHub::pendingHandshakeCount() const
{
    return d->listener->pendingHandshakes();
}

int ChatHub::openConnectionCount() const
{
    return d->listener->openConnections();
}

qint64 ChatHub::lastSeq() const
{
    return d->store->lastSeq();
}

QString ChatHub::instance() const
{
    return d->store->instance();
}

} // namespace chat::server
