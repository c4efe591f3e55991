#include "chathub.h"

#include "clientsession.h"
#include "codec.h"
#include "history.h"
#include "listener.h"
#include "logging.h"
#include "roster.h"
#include "secrets.h"
#include "sentindex.h"
#include "validation.h"

#include <QDateTime>
#include <QSet>
#include <QWebSocket>

namespace chat::server {

using namespace chat::proto;

class ChatHub::Private
{
public:
    Private(ChatHub *hub, HubConfig config)
        : q(hub)
        , config(std::move(config))
        , listener(new Listener(this->config, hub))
        , history(this->config.historySize)
        , sent(this->config.dedupIdsPerNick, this->config.dedupNicks)
        , instance(randomHex(64))
    {}

    void accept(QWebSocket *socket);
    void onHello(ClientSession *session, const Hello &hello);
    void onSend(ClientSession *session, const Send &send);
    void onClosed(ClientSession *session);
    // Encodes once and sends the same frame to every joined client except `except`.
    void broadcast(const ServerMessage &message, const ClientSession *except = nullptr);

    ChatHub *q;
    HubConfig config;
    Listener *listener;
    History history;
    SentIndex sent;
    Roster roster;
    QSet<ClientSession *> sessions; // every open connection, joined or not
    QString instance; // a fresh history gets a fresh name: old sequence numbers mean nothing
    qint64 seq = 0;
    bool shuttingDown = false;
};

void ChatHub::Private::accept(QWebSocket *socket)
{
    if (shuttingDown) {
        socket->close(QWebSocketProtocol::CloseCodeGoingAway,
                      QStringLiteral("server shutting down"));
        socket->deleteLater();
        return;
    }
    auto *session = new ClientSession(socket, config, q);
    sessions.insert(session);
    qCDebug(lcServerNet).noquote() << session->peer() << "upgraded to WebSocket";
    QObject::connect(session, &ClientSession::helloReceived, q,
                     [this](ClientSession *s, const Hello &hello) { onHello(s, hello); });
    QObject::connect(session, &ClientSession::sendReceived, q,
                     [this](ClientSession *s, const Send &send) { onSend(s, send); });
    QObject::connect(session, &ClientSession::closed, q, [this](ClientSession *s) { onClosed(s); });
    emit q->connectionCountChanged(int(sessions.size()));
}

void ChatHub::Private::onHello(ClientSession *session, const Hello &hello)
{
    if (shuttingDown)
        return;
    if (!config.token.isEmpty() && !sameSecret(config.token, hello.token)) {
        session->refuse(ErrorCode::Unauthorized,
                        hello.token.isEmpty() ? QStringLiteral("This server requires a token.")
                                              : QStringLiteral("The token is wrong."));
        return;
    }
    const QString key = nickKey(hello.nick);
    // A copy: closing a replaced connection below reports back into the hub synchronously.
    Roster::Member member;
    bool takeover = false;
    if (const Roster::Member *held = roster.find(key)) {
        if (!sameSecret(held->session, hello.session)) {
            session->refuse(
                ErrorCode::NickTaken,
                QStringLiteral("The nickname \"%1\" is already in use.").arg(held->nick));
            return;
        }
        // The same person back on a new connection while the old one still looks alive: the
        // new one takes its place, and the others see no one leave or join.
        takeover = true;
        member = *held;
        roster.replaceClient(key, session);
        qCDebug(lcServer).noquote()
            << session->peer() << "takes over" << member.nick << "from" << member.client->peer();
        member.client->close(QWebSocketProtocol::CloseCodeNormal,
                             QStringLiteral("replaced by a new connection"));
    } else {
        member = roster.add(key, hello.nick, session);
    }
    session->markJoined(member.nick, key);

    Welcome welcome;
    welcome.server = config.name;
    welcome.nick = member.nick;
    welcome.session = member.session;
    welcome.instance = instance;
    welcome.seq = seq;
    welcome.users = roster.nicks();
    // Numbers from another instance (a history before a restart) say nothing about this one.
    const bool sameHistory = hello.instance.isEmpty() || hello.instance == instance;
    if (hello.lastSeq && sameHistory) {
        History::Resume resume = history.since(*hello.lastSeq);
        welcome.resumed = resume.resumed;
        welcome.history = std::move(resume.messages);
    } else {
        welcome.history = history.all();
    }
    session->sendMessage(welcome);

    if (takeover)
        return;
    qCDebug(lcServer).noquote() << session->peer() << "joined as" << member.nick;
    broadcast(Presence{Presence::Event::Join, member.nick, roster.size()}, session);
    emit q->userJoined(member.nick);
}

void ChatHub::Private::onSend(ClientSession *session, const Send &send)
{
    if (shuttingDown)
        return;
    if (const Message *original = sent.find(session->nickKey(), send.id)) {
        // A resend after a reconnect: acknowledge again, to the sender alone.
        session->sendMessage(*original);
        return;
    }
    Message message;
    message.seq = ++seq;
    message.id = send.id;
    message.room = send.room;
    message.from = session->nick(); // never a name the client claims
    message.time = QDateTime::currentDateTimeUtc();
    message.text = send.text;
    history.append(message);
    sent.remember(session->nickKey(), message);
    broadcast(message);
}

void ChatHub::Private::onClosed(ClientSession *session)
{
    sessions.remove(session);
    if (session->isJoined() && roster.remove(session->nickKey(), session)) {
        qCDebug(lcServer).noquote() << session->peer() << session->nick() << "left";
        if (!shuttingDown)
            broadcast(Presence{Presence::Event::Leave, session->nick(), roster.size()});
        emit q->userLeft(session->nick());
    }
    emit q->connectionCountChanged(int(sessions.size()));
}

void ChatHub::Private::broadcast(const ServerMessage &message, const ClientSession *except)
{
    // One encoding for everyone: the QString is shared, not copied, per recipient.
    const QString frame = QString::fromUtf8(encode(message));
    // A copy, so that a member leaving during the loop cannot invalidate it; sessions are only
    // ever deleted later, from the event loop, so the pointers stay valid for the whole loop.
    const QHash<QString, Roster::Member> members = roster.members();
    for (const Roster::Member &member : members) {
        if (member.client != except)
            member.client->sendFrame(frame);
    }
}

ChatHub::ChatHub(HubConfig config, QObject *parent)
    : QObject(parent)
    , d(new Private(this, std::move(config)))
{
    connect(d->listener, &Listener::newConnection, this,
            [this](QWebSocket *socket) { d->accept(socket); });
}

ChatHub::~ChatHub()
{
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
    url.setScheme(QStringLiteral("ws"));
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
    qCInfo(lcServer).noquote() << "shutting down," << d->sessions.size() << "connections to close";
    d->listener->close();
    const QSet<ClientSession *> sessions = d->sessions;
    for (ClientSession *session : sessions)
        session->close(QWebSocketProtocol::CloseCodeGoingAway,
                       QStringLiteral("server shutting down"));
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

qint64 ChatHub::lastSeq() const
{
    return d->seq;
}

QString ChatHub::instance() const
{
    return d->instance;
}

} // namespace chat::server
