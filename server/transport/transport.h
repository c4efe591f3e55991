// What a chat session needs from the connection under it, whatever carries the frames: a
// WebSocket today (WebSocketTransport), HTTP long polling later (docs/architecture.md). A
// transport moves whole text messages both ways and enforces the limits of the connection
// (sizes, rates, byte budgets, unsent bytes, liveness); it knows nothing of the protocol in them.
#pragma once

#include <QHostAddress>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QWebSocketProtocol>

namespace chat::server {

class FrameBatch;

class Transport : public QObject
{
    Q_OBJECT
public:
    // What the inbound limits say of a complete message. The transport counts; the chat session
    // answers, because a refusal names the request it refuses, which only decoding tells.
    enum class Admission {
        Accepted,
        OverBytes,     // the byte budget is spent: refused with rate_limited
        OverRate,      // over the message rate: refused with rate_limited
        OverRateClose, // over the rate once too often in a row: refused, then closed
    };
    Q_ENUM(Admission)

    [[nodiscard]] const QString &peer() const { return m_peer; } // "address:port", for logs
    [[nodiscard]] bool isClosing() const { return m_closing; }
    // Asks for the first lines of this object (the virtual table pointer, the base's state and
    // what a subclass's sendBatch reads first) before a flush gets to it: see Router::flush.
    void prefetchForSend() const
    {
        const char *start = reinterpret_cast<const char *>(this);
        for (int line = 0; line < 3; ++line)
            __builtin_prefetch(start + 64 * line);
    }
    [[nodiscard]] virtual QHostAddress peerAddress() const = 0;
    // The chat_token cookie of the request that opened the connection (the browser page's
    // login), or empty.
    [[nodiscard]] virtual QString cookieToken() const = 0;
    // Whether that request came from this server's own page (or an allowed origin): a cookie
    // login from anywhere else (another port, a sibling subdomain) is refused.
    [[nodiscard]] virtual bool upgradeFromOwnPage(const QStringList &allowedOrigins) const = 0;
    // Whether something the peer sent waits unread (a busy server, not a silent peer).
    [[nodiscard]] virtual bool hasUnreadInput() const = 0;
    // Bytes queued for the peer that the network has not taken yet.
    [[nodiscard]] virtual qint64 unsentBytes() const = 0;

    // One encoded message. A peer that already has more than the outbox cap unsent is cut off
    // instead. Emits aboutToSend() first.
    virtual void sendFrame(const QString &frame) = 0;
    // A batch of messages for everyone (see FrameBatch), after whatever waits; the hot path of
    // every broadcast. Returns the bytes that went straight to the network (for /metrics).
    virtual qint64 sendBatch(const FrameBatch &batch) = 0;
    // Everything sent so far goes out, then the connection ends with this code and reason; one
    // that has not ended after a grace period is cut.
    virtual void close(QWebSocketProtocol::CloseCode code, const QString &reason) = 0;
    // The hub's liveness timer: closes the connection when nothing at all came from the peer for
    // more than `silenceLimitMs`, else asks the peer for a sign of life.
    virtual void checkAlive(qint64 silenceLimitMs) = 0;

signals:
    // A complete text message within the size limits, with what the rate and byte limits say.
    void textReceived(const QString &text, chat::server::Transport::Admission admission);
    // A complete binary message within the byte budget, with what the rate limit says.
    void binaryReceived(chat::server::Transport::Admission admission);
    // About to write on its own (a reply, a close): whatever the hub gathered for everyone must
    // go first, so that the client sees everything in order.
    void aboutToSend();
    // About to close: whatever the peer sent that was accepted must be stored and acknowledged
    // now, before the close, which is the last thing it receives.
    void aboutToClose();
    // Bytes written straight to the network outside sendBatch() (held ones, written later); like
    // sendBatch()'s result, not reported by the socket's bytesWritten. For /metrics.
    void sentDirectly(qint64 bytes);
    // Closed for flooding (`limit` names it: "bytes", "address_bytes", "fragments"); for /metrics.
    void floodClosed(const QString &limit);
    // The connection is gone; emitted once. The owner (the chat session) deletes the transport.
    void closed();

protected:
    Transport(QString peer, QObject *parent)
        : QObject(parent)
        , m_peer(std::move(peer))
    {}
    void markClosing() { m_closing = true; }

private:
    QString m_peer;
    bool m_closing = false;
};

} // namespace chat::server
