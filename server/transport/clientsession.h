// One accepted WebSocket connection: enforces the size limits, the hello deadline, the message
// rate and the cap on unsent bytes; decodes every text frame through chatcommon and answers what
// it can alone (errors, pings). The hub gets only well-formed hellos and sends, already checked
// against the session's state, and drives liveness with one timer for everyone (checkAlive).
#pragma once

#include "hubconfig.h"
#include "protocol.h"
#include "transport/inboundbudget.h"
#include "transport/ratelimiter.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QHostAddress>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QWebSocketProtocol>

#include <memory>

QT_BEGIN_NAMESPACE
class QSslSocket;
class QTcpSocket;
class QTimer;
class QWebSocket;
QT_END_NAMESPACE

namespace chat::server {

class DeadlineQueue;
class FrameBatch;

// Whom a joined connection speaks for.
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

class ClientSession : public QObject
{
    Q_OBJECT
public:
    // Takes ownership of the socket. `tcp` is the connection under it (see Listener), used to
    // see how many bytes wait to be sent and how many were read; may be null. `addressBytes` is
    // the byte budget shared with the other connections from the same address; may be null.
    // `helloDeadlines` is where the hello deadline is set (its owner calls helloDeadlinePassed);
    // may be null for none. Deletes itself (later) once the connection is gone.
    ClientSession(QWebSocket *socket, QTcpSocket *tcp, const HubConfig &config,
                  DeadlineQueue *helloDeadlines,
                  std::shared_ptr<AddressBudgets::Lease> addressBytes = {},
                  QObject *parent = nullptr);
    ~ClientSession() override;

    [[nodiscard]] bool isJoined() const { return m_joined; }
    [[nodiscard]] bool isClosing() const { return m_closing; }
    [[nodiscard]] const SessionAccount &account() const { return m_account; }
    [[nodiscard]] SessionAccount &account() { return m_account; }
    [[nodiscard]] const QString &peer() const { return m_peer; } // "address:port", for logs
    [[nodiscard]] QHostAddress peerAddress() const;
    // The chat_token cookie of the upgrade request (the browser page's login), or empty.
    [[nodiscard]] QString cookieToken() const;
    // Whether the upgrade came from this server's own page (or an allowed origin): a cookie
    // login from anywhere else (another port, a sibling subdomain) is refused.
    [[nodiscard]] bool upgradeFromOwnPage(const QStringList &allowedOrigins) const;

    // The hello deadline set at the upgrade has passed: closes a session that has not sent one,
    // or gives one whose hello is still unread (a busy server) another round in `deadlines`.
    void helloDeadlinePassed(DeadlineQueue *deadlines);

    // Called by the hub once a hello arrived: while its credentials are checked, the hello
    // deadline no longer applies and a second hello is refused.
    void markAuthenticating();
    // Called by the hub once the hello was accepted.
    void markJoined(const SessionAccount &account);

    // Sends a frame encoded elsewhere (a broadcast encodes once for everyone). A client that
    // already has more than the outbox cap unsent is cut off instead.
    void sendFrame(const QString &frame);
    // A batch of frames for everyone (see FrameBatch): on a plain connection with nothing
    // waiting, straight to the kernel in one call, else after what waits. Returns the bytes
    // written straight to the network, which the socket's bytesWritten signal does not report.
    qint64 sendBatch(const FrameBatch &batch);
    void sendMessage(const chat::proto::ServerMessage &message);
    void sendError(chat::proto::ErrorCode code, const QString &reason, const QString &ref = {});
    // Sends the error, then closes with 1008: for a hello that cannot be admitted, or a device
    // logged out elsewhere. (Not 1013 for "try again later": Qt's own clients count it invalid.)
    void refuse(chat::proto::ErrorCode code, const QString &reason);
    // A close frame, then the connection ends; one that has not ended after a grace period
    // (a peer that does not read) is aborted.
    void close(QWebSocketProtocol::CloseCode code, const QString &reason);

    // The hub's liveness timer: closes the connection when nothing at all came from the peer for
    // more than `silenceLimitMs`, else sends a WebSocket ping (any frame back counts as an answer).
    void checkAlive(qint64 silenceLimitMs);
    // Bytes queued for this client that the network has not taken yet.
    [[nodiscard]] qint64 unsentBytes() const;

signals:
    void helloReceived(chat::server::ClientSession *session, const chat::proto::Hello &hello);
    // Any other message from a joined session (sends, account and room requests); the hub
    // dispatches it by kind. Pings are answered here.
    void requestReceived(chat::server::ClientSession *session,
                         const chat::proto::ClientMessage &request);
    // This session is about to write on its own (a reply, a pong, a close): whatever the hub
    // gathered for everyone must go first, so that the client sees everything in order.
    void aboutToSend();
    // This session is about to close: whatever it sent that was accepted must be stored and
    // acknowledged now, before the close frame, which is the last thing it receives.
    void aboutToClose();
    // Closed for flooding (`reason` names the limit: "bytes", "fragments"); for /metrics.
    void floodClosed(const QString &reason);
    // The connection is gone; emitted once, after which the session deletes itself.
    void closed(chat::server::ClientSession *session);
    // An error reply was sent (sendError or refuse): what /metrics counts as a rejection.
    void errorSent(chat::proto::ErrorCode code);

private:
    void writeFrame(const QString &frame); // sendFrame() without aboutToSend()
    void onText(const QString &frame);
    void onBinary();
    // Every data frame, before the message it belongs to is complete: charges its cost and
    // closes a connection whose frames make no message.
    void onDataFrame(qint64 payloadBytes, bool isLast);
    // After QWebSocket read from the connection: charges the bytes it took that no data frame
    // paid for (headers, pings), then checks the backlog.
    void afterRead();
    void chargeBytes(qint64 bytes);
    // True when the byte budget of the connection or its address is spent: the message is
    // refused. A peer deep in debt is closed (and this returns true).
    bool overByteBudget();
    void closeForFlood(const QString &reason, const QString &limit);
    // Cuts the connection at once (a reader that stopped reading, a close that never ended).
    void abortNow();
    void onDisconnected();
    void heard() { m_lastHeardMs = m_clock.elapsed(); }
    // Whether bytes from the peer wait in the socket or the kernel, not yet read by us.
    [[nodiscard]] bool hasUnreadBytes() const;
    // Answers a message over the rate with rate_limited, or closes a client that keeps going.
    void refuseOverRate(RateLimiter::Verdict verdict, const QString &ref);
    // Past the cap of unsent bytes (after handing the kernel what it takes), cuts the client
    // off; true when the connection is closing (nothing more should be queued).
    bool dropIfBacklogged();
    // From the event loop, for TLS: flushes, and cuts off the client if it is still over the cap.
    void checkBacklog();
    // Stops writing to a client that does not read and aborts it from the event loop.
    void cutOff(qint64 unsent, qint64 cap);

    QWebSocket *m_socket;
    QPointer<QTcpSocket> m_tcp;
    QPointer<QSslSocket> m_ssl; // the same connection when it is TLS
    RateLimiter m_rate;
    ByteBucket m_bytes;                                    // what this connection may send
    std::shared_ptr<AddressBudgets::Lease> m_addressBytes; // ... and its address, together
    qint64 m_payloadThisRead = 0; // data frame bytes already charged in the current read
    int m_fragments = 0;          // frames of the message being received so far
    int m_maxFragments;
    QElapsedTimer m_clock; // since the upgrade
    qint64 m_lastHeardMs = 0;
    qint64 m_maxOutboxBytes;
    qint64 m_outboxAllowance = 0; // room for one frame larger than the cap (see sendFrame)
    bool m_backlogCheckQueued = false;
    QString m_peer;
    SessionAccount m_account;
    int m_helloExtensions = 0;
    bool m_authenticating = false;
    bool m_joined = false;
    bool m_closing = false;
    bool m_gone = false;
};

} // namespace chat::server
