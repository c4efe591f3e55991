// One accepted WebSocket as a Transport: sets the size limits on the socket, counts every message
// against the rate limit and every byte read against the byte budgets, cuts off a peer that
// floods or stops reading, pings for liveness and closes with a grace period. The protocol
// spoken over it is ChatSession's.
#pragma once

#include "hubconfig.h"
#include "transport/inboundbudget.h"
#include "transport/ratelimiter.h"
#include "transport/sharedoutbox.h"
#include "transport/transport.h"

#include <QElapsedTimer>
#include <QPointer>

#include <memory>

QT_BEGIN_NAMESPACE
class QSslSocket;
class QTcpSocket;
class QWebSocket;
QT_END_NAMESPACE

namespace chat::server {

class WebSocketTransport final : public Transport
{
    Q_OBJECT
public:
    // Takes ownership of the socket. `tcp` is the connection under it (see Listener), used to
    // see how many bytes wait to be sent and how many were read; may be null. `addressBytes` is
    // the byte budget shared with the other connections from the same address; may be null.
    WebSocketTransport(QWebSocket *socket, QTcpSocket *tcp, const HubConfig &config,
                       std::shared_ptr<AddressBudgets::Lease> addressBytes = {},
                       QObject *parent = nullptr);
    ~WebSocketTransport() override;

    [[nodiscard]] QHostAddress peerAddress() const override;
    [[nodiscard]] QString cookieToken() const override;
    [[nodiscard]] bool upgradeFromOwnPage(const QStringList &allowedOrigins) const override;
    // Bytes in the socket or the kernel, not yet read by us.
    [[nodiscard]] bool hasUnreadInput() const override;
    [[nodiscard]] qint64 unsentBytes() const override;

    void sendFrame(const QString &frame) override;
    // On a plain connection, straight to the kernel in one call when nothing waits; what the
    // kernel does not take, or what comes while something waits, is held as the shared batch it
    // is (SharedOutbox) and written from Qt's write notifications. The bytes written straight to
    // the network are what the socket's bytesWritten signal does not report (see sentDirectly).
    qint64 sendBatch(const FrameBatch &batch) override;
    // A close frame, then the connection ends; one that has not ended after a grace period
    // (a peer that does not read) is aborted.
    void close(QWebSocketProtocol::CloseCode code, const QString &reason) override;
    // Sends a WebSocket ping (any frame back counts as an answer).
    void checkAlive(qint64 silenceLimitMs) override;

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
    // Past the cap of unsent bytes (after handing the kernel what it takes), cuts the client
    // off; true when the connection is closing (nothing more should be queued).
    bool dropIfBacklogged();
    // From the event loop, for TLS: flushes, and cuts off the client if it is still over the cap.
    void checkBacklog();
    // Stops writing to a client that does not read and aborts it from the event loop.
    void cutOff(qint64 unsent, qint64 cap);
    // With QTcpSocket's buffer empty: hands the kernel what is held, then QTcpSocket the bytes up
    // to the next frame boundary (its write notification brings us back). Returns the bytes that
    // went straight to the kernel.
    qint64 pushHeld();
    // QTcpSocket wrote from its buffer: when it is empty, what is held follows.
    void onTcpBytesWritten();
    // Before QWebSocket writes a data or close frame itself: what is held goes first, into
    // QTcpSocket's buffer (a copy; rare: replies and closes while a reader lags).
    void spillHeld();

    // The flush's fast path (sendBatch): a plain connection with nothing waiting anywhere writes
    // to the kernel from what this object knows, without touching Qt's socket objects, each a
    // few cache misses away (10,000 connections in bench (j), docs/performance.md).
    qint64 sendDirect(const FrameBatch &batch);
    void noteTcpStateChanged(QAbstractSocket::SocketState state);

    // What the fast path reads, first: right after the base class, in the lines that
    // Transport::prefetchForSend() asks for.
    int m_directFd = -1;          // m_tcp's descriptor while it is connected; -1 for TLS
    bool m_connected = false;     // QWebSocket's state, as its stateChanged said last
    bool m_tcpMayHold = true;     // QTcpSocket's buffer may hold bytes (ours, or QWebSocket's)
    qint64 m_outboxAllowance = 0; // room for one frame larger than the cap (see sendFrame)
    SharedOutbox m_held;          // after what waits in QTcpSocket's buffer (plain connections)

    QWebSocket *m_socket;
    QPointer<QTcpSocket> m_tcp;
    QPointer<QSslSocket> m_ssl; // the same connection when it is TLS
    bool m_pushing = false;
    RateLimiter m_rate;
    ByteBucket m_bytes;                                    // what this connection may send
    std::shared_ptr<AddressBudgets::Lease> m_addressBytes; // ... and its address, together
    qint64 m_payloadThisRead = 0; // data frame bytes already charged in the current read
    int m_fragments = 0;          // frames of the message being received so far
    int m_maxFragments;
    QElapsedTimer m_clock; // since the upgrade
    qint64 m_lastHeardMs = 0;
    qint64 m_maxOutboxBytes;
    bool m_backlogCheckQueued = false;
    bool m_gone = false;
};

} // namespace chat::server
