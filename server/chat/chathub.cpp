#include "chat/chathub.h"

#include "accounts/accounts.h"
#include "transport/clientsession.h"
#include "codec.h"
#include "chat/commitqueue.h"
#include "transport/connectionlimits.h"
#include "transport/framebatch.h"
#include "chat/history.h"
#include "http/httpgate.h"
#include "http/httpresponder.h"
#include "transport/inboundbudget.h"
#include "transport/listener.h"
#include "logging.h"
#include "store/messagestore.h"
#include "http/metrics.h"
#include "chat/presencefeed.h"
#include "chat/roster.h"
#include "secrets.h"
#include "validation.h"

#include <QDateTime>
#include <QPointer>
#include <QSet>
#include <QTimer>
#include <QWebSocket>

namespace chat::server {

using namespace chat::proto;

namespace {
// A welcome's history stays well under the cap of unsent bytes, so that it counts against that
// cap like everything else instead of needing an exception for one large frame.
qint64 welcomeHistoryBytes(const HubConfig &config)
{
    if (config.maxOutboxBytes <= 0)
        return config.maxWelcomeHistoryBytes;
    if (config.maxWelcomeHistoryBytes <= 0)
        return config.maxOutboxBytes / 2;
    return qMin(config.maxWelcomeHistoryBytes, config.maxOutboxBytes / 2);
}
} // namespace

class ChatHub::Private
{
public:
    Private(ChatHub *hub, HubConfig config, std::unique_ptr<MessageStore> messageStore,
            std::unique_ptr<AccountStore> accountStore)
        : q(hub)
        , config(std::move(config))
        , listener(new Listener(this->config, hub))
        , accountStore(std::move(accountStore))
        , accounts(this->accountStore.get(), this->config.accounts)
        , store(std::move(messageStore))
        , commits(store.get(), this->config.commitBatch, this->config.commitDelayMs)
        , history(this->config.historySize, *store, this->config.resumeLimit,
                  welcomeHistoryBytes(this->config))
        , seq(store->lastSeq())
    {
        prune();
    }

    void accept(QWebSocket *socket, QTcpSocket *tcp);
    // The one liveness timer: pings every client, closes those that stopped answering.
    void checkAlive();
    void onHello(ClientSession *session, const Hello &hello);
    // The credentials of a hello were checked: welcome the session, or refuse it.
    void admit(ClientSession *session, const Hello &hello, const AuthResult &result);
    void onSend(ClientSession *session, const Send &send);
    void onAccountRequest(ClientSession *session, const ClientMessage &request);
    // Closes the joined connections of an account that used one of these tokens (all of them
    // when `tokenHashes` is empty), telling them why.
    void closeSessions(qint64 accountId, const QList<QByteArray> &tokenHashes, ErrorCode code,
                       const QString &reason);
    // Stored: now they may be acknowledged, which for a chat message means broadcast.
    void onCommitted(const QList<Message> &messages);
    void onCommitFailed(const QList<MessageStore::Entry> &entries, const QString &reason);
    void prune();
    void onClosed(ClientSession *session);
    // For every joined client, sent at the end of this turn of the event loop (flushFrames).
    void queueForEveryone(const QByteArray &json);
    // Sends what queueForEveryone() gathered: one write per client.
    void flushFrames();
    // Queues the joins and leaves not yet told, if any.
    void tellPresence();
    // Counts a new connection's bytes and error replies for /metrics.
    void watchTraffic(QWebSocket *socket, ClientSession *session);

    ChatHub *q;
    HubConfig config;
    Listener *listener;
    std::unique_ptr<AccountStore> accountStore;
    Accounts accounts;
    QTimer expiryTimer;                  // ends tokens unused for too long
    std::unique_ptr<MessageStore> store; // also names the history: store->instance()
    CommitQueue commits;                 // accepted messages waiting to be stored
    History history;                     // stored messages only
    QTimer pruneTimer;
    QTimer livenessTimer;
    Roster roster;
    PresenceFeed presence{config.presenceIntervalMs};
    FrameBatch frames; // for every joined client, waiting for the end of this turn
    QTimer framesTimer;
    bool flushingFrames = false;
    QSet<ClientSession *> sessions; // every open connection, joined or not
    // The byte budget each client address shares among its connections.
    std::shared_ptr<AddressBudgets> addressBytes = std::make_shared<AddressBudgets>(
        config.maxAddressBytesPerSecond, 8 * config.maxAddressBytesPerSecond);
    qint64 seq = 0; // the newest seq handed out, stored or still waiting
    bool shuttingDown = false;
    // The operator's view, served as GET /healthz and /metrics on the chat port.
    Metrics metrics;
    HttpResponder http{&metrics,
                       [this] {
                           return Metrics::Gauges{
                               int(sessions.size()), roster.size(), listener->pendingHandshakes(),
                               listener->refusedOverAddressLimit(), listener->refusedServerFull()};
                       },
                       &accounts, config.allowedOrigins};
};

void ChatHub::Private::accept(QWebSocket *socket, QTcpSocket *tcp)
{
    if (shuttingDown) {
        socket->close(QWebSocketProtocol::CloseCodeGoingAway,
                      QStringLiteral("server shutting down"));
        socket->deleteLater();
        return;
    }
    auto *session = new ClientSession(
        socket, tcp, config,
        config.maxAddressBytesPerSecond > 0
            ? addressBytes->lease(ConnectionLimits::addressKey(socket->peerAddress()))
            : nullptr,
        q);
    sessions.insert(session);
    watchTraffic(socket, session);
    qCDebug(lcServerNet).noquote() << session->peer() << "upgraded to WebSocket";
    QObject::connect(session, &ClientSession::helloReceived, q,
                     [this](ClientSession *s, const Hello &hello) { onHello(s, hello); });
    QObject::connect(session, &ClientSession::sendReceived, q,
                     [this](ClientSession *s, const Send &send) { onSend(s, send); });
    QObject::connect(session, &ClientSession::accountRequest, q,
                     [this](ClientSession *s, const ClientMessage &m) { onAccountRequest(s, m); });
    QObject::connect(session, &ClientSession::aboutToSend, q, [this] { flushFrames(); });
    // What the closing client sent and the server accepted is acknowledged before its close.
    QObject::connect(session, &ClientSession::aboutToClose, q, [this] { commits.flush(); });
    QObject::connect(session, &ClientSession::floodClosed, q,
                     [this](const QString &limit) { metrics.countFloodClose(limit); });
    QObject::connect(session, &ClientSession::closed, q, [this](ClientSession *s) { onClosed(s); });
    emit q->connectionCountChanged(int(sessions.size()));
}

void ChatHub::Private::checkAlive()
{
    // Silent for 1.5 intervals when the timer fires: the ping sent one interval ago went
    // unanswered. So a dead peer goes after 1.5 to 2.5 intervals.
    const qint64 silenceLimitMs = qint64(config.pingIntervalMs) * 3 / 2;
    // A copy: a session may close, and leave the set, during the loop.
    const QSet<ClientSession *> all = sessions;
    for (ClientSession *session : all)
        session->checkAlive(silenceLimitMs);
}

void ChatHub::Private::onHello(ClientSession *session, const Hello &hello)
{
    if (shuttingDown)
        return;
    session->markAuthenticating();
    // Password hashing answers later; the session may be gone by then.
    auto later = [this, session = QPointer<ClientSession>(session), hello](const AuthResult &r) {
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

void ChatHub::Private::admit(ClientSession *session, const Hello &hello, const AuthResult &result)
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
    // Whatever waits to go out is already in the history this welcome carries: it must reach
    // the others before the newcomer counts among them, or the newcomer would get it twice.
    flushFrames();
    const Account &account = *result.account;
    SessionAccount joined;
    joined.id = account.id;
    joined.key = QStringLiteral("account:%1").arg(account.id);
    joined.name = account.name;
    joined.display = account.display;
    joined.admin = account.admin;
    joined.tokenHash = result.tokenHash;
    joined.session = randomHex(128);
    // The same device back on a new connection while its old one still looks alive: the old
    // one goes. The account stays online throughout, so the others see nothing.
    QPointer<ClientSession> replaced;
    if (const Roster::Member *member = roster.find(joined.key)) {
        for (ClientSession *other : member->clients)
            if (!hello.session.isEmpty() && sameSecret(other->account().session, hello.session))
                replaced = other;
    }
    session->markJoined(joined);
    const bool cameOnline = roster.add(joined.key, User{joined.name, joined.display}, session);
    if (cameOnline)
        presence.changed(joined.key, User{joined.name, joined.display});
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
    // Messages still waiting for their commit reach this client by broadcast, as to everyone.
    welcome.seq = history.newestSeq();
    // Numbers from another instance (a history before a restart) say nothing about this one.
    const bool sameHistory = hello.instance.isEmpty() || hello.instance == welcome.instance;
    if (hello.lastSeq && sameHistory) {
        History::Resume resume = history.since(*hello.lastSeq);
        welcome.resumed = resume.resumed;
        welcome.history = std::move(resume.messages);
    } else {
        welcome.history = history.recent();
    }
    // The users as last told; the newcomer is among the joins of the next presence. Straight
    // to the kernel when it takes it: a crowd's welcomes then do not pile up in Qt's buffers.
    FrameBatch welcomeFrame;
    welcomeFrame.append(encode(welcome, presence.toldUsers()));
    metrics.countBytesSent(session->sendBatch(welcomeFrame));

    if (!cameOnline)
        return;
    qCDebug(lcServer).noquote() << session->peer() << "joined as" << joined.name;
    emit q->userJoined(joined.name);
}

void ChatHub::Private::onAccountRequest(ClientSession *session, const ClientMessage &request)
{
    if (shuttingDown)
        return;
    const SessionAccount &account = session->account();
    if (const auto *logout = std::get_if<Logout>(&request)) {
        session->sendMessage(Done{logout->id, {}});
        session->close(QWebSocketProtocol::CloseCodeNormal, QStringLiteral("logged out"));
        accounts.logout(account.id, account.tokenHash);
    } else if (const auto *change = std::get_if<ChangePassword>(&request)) {
        accounts.changePassword(
            account.id, account.tokenHash, change->oldPassword, change->newPassword,
            [session = QPointer<ClientSession>(session), id = change->id](const AuthResult &r) {
                if (!session || session->isClosing())
                    return;
                if (!r.ok()) {
                    session->sendError(r.code, r.reason, id);
                    return;
                }
                session->account().tokenHash = r.tokenHash;
                session->sendMessage(Done{id, r.newToken});
            });
    } else if (const auto *list = std::get_if<ListDevices>(&request)) {
        session->sendMessage(Devices{list->id, accounts.devices(account.id, account.tokenHash)});
    } else if (const auto *end = std::get_if<EndDevice>(&request)) {
        QString reason;
        // Ending this very device closes this connection (token_invalid), with no list.
        if (!accounts.endDevice(account.id, end->device, &reason)) {
            session->sendError(ErrorCode::BadMessage, reason, end->id);
            return;
        }
        if (!session->isClosing())
            session->sendMessage(Devices{end->id, accounts.devices(account.id, account.tokenHash)});
    } else if (const auto *display = std::get_if<SetDisplay>(&request)) {
        if (const QString problem = accounts.setDisplay(account.id, display->display);
            !problem.isEmpty()) {
            session->sendError(ErrorCode::DisplayInvalid, problem, display->id);
            return;
        }
        if (roster.setDisplay(account.key, display->display)) {
            for (ClientSession *device : roster.find(account.key)->clients)
                device->account().display = display->display;
            presence.changed(account.key, User{account.name, display->display});
        }
        session->sendMessage(Done{display->id, {}});
    }
}

void ChatHub::Private::closeSessions(qint64 accountId, const QList<QByteArray> &tokenHashes,
                                     ErrorCode code, const QString &reason)
{
    const Roster::Member *member = roster.find(QStringLiteral("account:%1").arg(accountId));
    if (!member)
        return;
    const QList<ClientSession *> clients = member->clients; // closing changes the roster
    for (ClientSession *client : clients) {
        if (client->isClosing())
            continue;
        if (tokenHashes.isEmpty() || tokenHashes.contains(client->account().tokenHash))
            client->refuse(code, reason);
    }
}

void ChatHub::Private::onSend(ClientSession *session, const Send &send)
{
    if (shuttingDown)
        return;
    metrics.countMessageReceived();
    const SessionAccount &account = session->account();
    if (std::optional<Message> original = store->findSent(account.key, send.id)) {
        // A resend after a reconnect: acknowledge again, to the sender alone.
        if (original->text.isEmpty())
            original->text = send.text; // a memory store keeps only recent texts
        session->sendMessage(*original);
        metrics.countDeliveries(1);
        return;
    }
    // Sent again before the first was stored: its broadcast, once stored, acknowledges both.
    if (commits.isPending(account.key, send.id))
        return;
    Message message;
    message.seq = ++seq;
    message.id = send.id;
    message.room = send.room;
    message.from = account.name; // never a name the client claims
    message.display = account.display;
    message.time = QDateTime::currentDateTimeUtc();
    message.text = send.text;
    metrics.storeSubmitted(message.seq);
    commits.submit({account.key, message});
}

void ChatHub::Private::onCommitted(const QList<Message> &messages)
{
    // Someone's first message must not arrive before the news that they joined.
    if (presence.hasPending())
        tellPresence();
    for (const Message &message : messages) {
        metrics.storeCommitted(message.seq);
        history.append(message);
        queueForEveryone(encode(message));
        metrics.countDeliveries(roster.connectionCount());
    }
}

void ChatHub::Private::onCommitFailed(const QList<MessageStore::Entry> &entries,
                                      const QString & /*reason: the queue logged it*/)
{
    seq = store->lastSeq(); // the numbers were never acknowledged: hand them out again
    for (const MessageStore::Entry &entry : entries) {
        metrics.storeFailed(entry.message.seq);
        // Every device of the sender hears it; the one that sent it knows the id.
        if (const Roster::Member *member = roster.find(entry.nickKey))
            for (ClientSession *client : member->clients)
                client->sendError(ErrorCode::Internal,
                                  QStringLiteral("The message could not be stored; send it "
                                                 "again."),
                                  entry.message.id);
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
    history.forgetBefore(store->oldestSeq());
}

void ChatHub::Private::onClosed(ClientSession *session)
{
    sessions.remove(session);
    const SessionAccount &account = session->account();
    if (session->isJoined() && roster.remove(account.key, session)) {
        qCDebug(lcServer).noquote() << session->peer() << account.name << "left";
        if (!shuttingDown)
            presence.changed(account.key, std::nullopt);
        emit q->userLeft(account.name);
    }
    emit q->connectionCountChanged(int(sessions.size()));
}

void ChatHub::Private::queueForEveryone(const QByteArray &json)
{
    // A batch past this size goes at once: it bounds what one turn of the event loop holds back.
    constexpr qsizetype kMaxBatchBytes = 256 * 1024;
    frames.append(json);
    if (frames.wire().size() >= kMaxBatchBytes)
        flushFrames();
    else if (!framesTimer.isActive())
        framesTimer.start(0);
}

void ChatHub::Private::flushFrames()
{
    framesTimer.stop();
    // A session's aboutToSend() can come back here while its batch is being written.
    if (frames.isEmpty() || flushingFrames)
        return;
    flushingFrames = true;
    // A copy, so that a member leaving during the loop cannot invalidate it; sessions are only
    // ever deleted later, from the event loop, so the pointers stay valid for the whole loop.
    const QHash<QString, Roster::Member> members = roster.members();
    qint64 sentDirectly = 0;
    for (const Roster::Member &member : members)
        for (ClientSession *client : member.clients)
            sentDirectly += client->sendBatch(frames);
    metrics.countBytesSent(sentDirectly); // the rest is counted from bytesWritten
    frames.clear();
    flushingFrames = false;
}

void ChatHub::Private::tellPresence()
{
    if (const std::optional<Presence> news = presence.take(roster.size()))
        queueForEveryone(encode(*news));
}

void ChatHub::Private::watchTraffic(QWebSocket *socket, ClientSession *session)
{
    // Contexts are the session: these go with it. Bytes sent are what reached the TCP layer.
    QObject::connect(socket, &QWebSocket::textMessageReceived, session,
                     [this](const QString &text) { metrics.countBytesReceived(utf8Size(text)); });
    QObject::connect(socket, &QWebSocket::binaryMessageReceived, session,
                     [this](const QByteArray &data) { metrics.countBytesReceived(data.size()); });
    QObject::connect(socket, &QWebSocket::bytesWritten, session,
                     [this](qint64 bytes) { metrics.countBytesSent(bytes); });
    QObject::connect(session, &ClientSession::errorSent, q,
                     [this](ErrorCode code) { metrics.countRejection(code); });
}

ChatHub::ChatHub(HubConfig config, QObject *parent)
    : ChatHub(config,
              std::make_unique<MemoryStore>(config.historySize, config.dedupIdsPerNick,
                                            config.dedupNicks),
              parent)
{}

ChatHub::ChatHub(HubConfig config, std::unique_ptr<MessageStore> store, QObject *parent)
    : ChatHub(std::move(config), Stores{std::move(store), std::make_unique<MemoryAccountStore>()},
              parent)
{}

ChatHub::ChatHub(HubConfig config, Stores stores, QObject *parent)
    : QObject(parent)
    , d(new Private(this, std::move(config), std::move(stores.messages),
                    std::move(stores.accounts)))
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

ChatHub::~ChatHub()
{
    // What was accepted gets stored and acknowledged while the clients are still there.
    d->commits.flush();
    d->flushFrames();
    // Sessions first, while the hub they report to is still whole.
    const QSet<ClientSession *> sessions = d->sessions;
    d->sessions.clear();
    qDeleteAll(sessions);
    delete d;
}

bool ChatHub::listen()
{
    if (!d->listener->listen())
        return false;
    qCDebug(lcServer).noquote() << "listening on" << url().toString();
    return true;
}

QString ChatHub::errorString() const
{
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
    const QSet<ClientSession *> sessions = d->sessions;
    for (ClientSession *session : sessions)
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
    return d->history.newestSeq();
}

QString ChatHub::instance() const
{
    return d->store->instance();
}

} // namespace chat::server
