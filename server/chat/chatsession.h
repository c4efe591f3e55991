// The chat protocol over one connection, whatever transport carries it: decodes every text
// message through chatcommon, answers what it can alone (malformed messages, messages out of
// turn, pings, the refusals the transport's limits call for), and hands the hub only
// well-formed hellos and the requests of a joined session. It holds the session's state (joined,
// the account) and encodes what the hub sends; the bytes are the transport's.
#pragma once

#include "protocol.h"
#include "transport/transport.h"

#include <QByteArray>
#include <QObject>
#include <QString>
#include <QVarLengthArray>

namespace chat::server {

class DeadlineQueue;
struct Room;

// Whom a joined session speaks for.
struct SessionAccount
{
    qint64 id = 0;
    QString key;  // "account:<id>": the roster's key and the one message ids are unique under
    QString name; // the account name, every message's `from`
    QString display;
    bool admin = false;
    QByteArray tokenHash; // the token this device logged in with, or was given
    QString session;      // this connection's session token, from its welcome
};

class ChatSession : public QObject
{
    Q_OBJECT
public:
    // Takes ownership of the transport. `helloDeadlines` is where the hello deadline is set (its
    // owner calls helloDeadlinePassed); may be null for none. Deletes itself (later) once the
    // connection is gone.
    ChatSession(Transport *transport, DeadlineQueue *helloDeadlines, QObject *parent = nullptr);
    ~ChatSession() override;

    // The connection: the hub listens to its aboutToSend, aboutToClose and floodClosed.
    [[nodiscard]] Transport *transport() const { return m_transport; }
    [[nodiscard]] bool isJoined() const { return m_joined; }
    [[nodiscard]] bool isClosing() const { return m_transport->isClosing(); }
    [[nodiscard]] const SessionAccount &account() const { return m_account; }
    [[nodiscard]] SessionAccount &account() { return m_account; }
    [[nodiscard]] const QString &peer() const { return m_transport->peer(); }
    [[nodiscard]] QHostAddress peerAddress() const { return m_transport->peerAddress(); }
    [[nodiscard]] QString cookieToken() const { return m_transport->cookieToken(); }
    [[nodiscard]] bool upgradeFromOwnPage(const QStringList &allowedOrigins) const
    {
        return m_transport->upgradeFromOwnPage(allowedOrigins);
    }

    // The hello deadline set when the session began has passed: closes a session that has not
    // sent one, or gives one whose hello is still unread (a busy server) another round in
    // `deadlines`.
    void helloDeadlinePassed(DeadlineQueue *deadlines);
    // Called by the hub once a hello arrived: while its credentials are checked, the hello
    // deadline no longer applies and a second hello is refused.
    void markAuthenticating();
    // Called by the hub once the hello was accepted.
    void markJoined(const SessionAccount &account);

    // Frames encoded once for everyone (see FrameBatch and Transport::sendBatch): the hot path.
    qint64 sendBatch(const FrameBatch &batch) { return m_transport->sendBatch(batch); }
    void sendMessage(const chat::proto::ServerMessage &message);
    void sendError(chat::proto::ErrorCode code, const QString &reason, const QString &ref = {});
    // Sends the error, then closes with 1008: for a hello that cannot be admitted, or a device
    // logged out elsewhere. (Not 1013 for "try again later": Qt's own clients count it invalid.)
    void refuse(chat::proto::ErrorCode code, const QString &reason);
    void close(QWebSocketProtocol::CloseCode code, const QString &reason)
    {
        m_transport->close(code, reason);
    }
    void checkAlive(qint64 silenceLimitMs) { m_transport->checkAlive(silenceLimitMs); }

    // The rooms whose online set holds this session (Room::addOnline), for Router::flush: a
    // session in only one of the rooms being sent to gets that room's shared batch, one in
    // several gets their frames merged. Kept here so that a flush needs no table of sessions.
    [[nodiscard]] const QVarLengthArray<Room *, 2> &onlineIn() const { return m_onlineIn; }
    void noteOnline(Room *room, bool online);
    // The flush that last put this session on its list of sessions in several of its rooms.
    struct RouteMark
    {
        quint64 flush = 0;
    };
    [[nodiscard]] RouteMark &routeMark() { return m_routeMark; }
    // Router::flush asks for what it will read of a member a step or two ahead: with 10,000
    // connections each member is a cache miss, and the write to the member before (a system
    // call) takes long enough for the load to finish meanwhile. The session's lines first,
    // then, once they are in, its transport's.
    void prefetchForFlush() const
    {
        __builtin_prefetch(&m_transport);
        __builtin_prefetch(reinterpret_cast<const char *>(&m_onlineIn) + sizeof m_onlineIn - 1);
    }
    void prefetchTransport() const { m_transport->prefetchForSend(); }

signals:
    void helloReceived(chat::server::ChatSession *session, const chat::proto::Hello &hello);
    // Any other message from a joined session (sends, account and room requests); the hub
    // dispatches it by kind. Pings are answered here.
    void requestReceived(chat::server::ChatSession *session,
                         const chat::proto::ClientMessage &request);
    // The connection is gone; emitted once, after which the session deletes itself.
    void closed(chat::server::ChatSession *session);
    // An error reply was sent (sendError or refuse): what /metrics counts as a rejection.
    void errorSent(chat::proto::ErrorCode code);

private:
    void onText(const QString &text, Transport::Admission admission);
    void onBinary(Transport::Admission admission);
    // Answers a message over the rate with rate_limited, or closes a client that keeps going.
    void refuseOverRate(Transport::Admission admission, const QString &ref);
    void onTransportClosed();

    // What Router::flush reads, together (prefetchForFlush).
    Transport *m_transport;
    RouteMark m_routeMark;
    QVarLengthArray<Room *, 2> m_onlineIn;

    SessionAccount m_account;
    int m_helloExtensions = 0;
    bool m_authenticating = false;
    bool m_joined = false;
};

} // namespace chat::server
