#include "transport/websockettransport.h"

#include "transport/originpolicy.h"

#include "http/metrics.h" // utf8Size
#include "logging.h"
#include "transport/clientaddress.h"
#include "transport/framebatch.h"
#include "transport/lingeringsocket.h"
#include "transport/unreadinput.h"

#include <QSslSocket>
#include <QTcpSocket>
#include <QTimer>
#include <QWebSocket>

#ifdef Q_OS_LINUX
#include <sys/socket.h>
#endif

namespace chat::server {

namespace {

// How long a closing connection may take to get its close frame out and close its side before
// it is aborted (the socket's own linger has the same deadline).
constexpr int kCloseGraceMs = kLingerDeadlineMs;

// A byte bucket holds this many seconds' worth: a burst of pasted text goes through at once.
constexpr qint64 kByteBurstSeconds = 8;

// The rate limiter's verdict as the chat session sees it.
Transport::Admission admissionOf(RateLimiter::Verdict verdict)
{
    switch (verdict) {
    case RateLimiter::Verdict::Accept:
        return Transport::Admission::Accepted;
    case RateLimiter::Verdict::Reject:
        return Transport::Admission::OverRate;
    case RateLimiter::Verdict::Disconnect:
        break;
    }
    return Transport::Admission::OverRateClose;
}

} // namespace

WebSocketTransport::WebSocketTransport(QWebSocket *socket, QTcpSocket *tcp, const HubConfig &config,
                                       std::shared_ptr<AddressBudgets::Lease> addressBytes,
                                       QObject *parent)
    : Transport(tcp ? describeClient(tcp) : peerName(socket->peerAddress(), socket->peerPort()),
                parent)
    , m_socket(socket)
    , m_tcp(tcp)
    , m_ssl(qobject_cast<QSslSocket *>(tcp))
    , m_rate(config.ratePerSecond, config.rateBurst, 3 * config.rateBurst)
    , m_bytes(config.maxBytesPerSecond, kByteBurstSeconds * config.maxBytesPerSecond)
    , m_addressBytes(std::move(addressBytes))
    , m_maxFragments(config.maxFragments)
    , m_maxOutboxBytes(config.maxOutboxBytes)
{
    m_clock.start();
    m_socket->setParent(this);
    // Without these a peer could make the server buffer a message of any size.
    m_socket->setMaxAllowedIncomingMessageSize(quint64(config.maxMessageBytes));
    m_socket->setMaxAllowedIncomingFrameSize(quint64(config.maxMessageBytes));
    // Never fragment what we send: Qt 6.4 splits text at 512 KiB byte boundaries, through
    // UTF-8 sequences, and its own receiver then closes with 1007 (a long welcome would).
    m_socket->setOutgoingFrameSize(QWebSocket::maxOutgoingFrameSize());

    connect(m_socket, &QWebSocket::textMessageReceived, this, &WebSocketTransport::onText);
    connect(m_socket, &QWebSocket::binaryMessageReceived, this, &WebSocketTransport::onBinary);
    connect(m_socket, &QWebSocket::disconnected, this, &WebSocketTransport::onDisconnected);
    // Any frame is a sign of life: a pong, an application ping, or a part of a long message.
    connect(m_socket, &QWebSocket::pong, this, &WebSocketTransport::heard);
    connect(m_socket, &QWebSocket::textFrameReceived, this,
            [this](const QString &frame, bool isLast) { onDataFrame(utf8Size(frame), isLast); });
    connect(m_socket, &QWebSocket::binaryFrameReceived, this,
            [this](const QByteArray &frame, bool isLast) { onDataFrame(frame.size(), isLast); });
    // After QWebSocket's own slot: what it read is charged, and as it answers the peer's pings
    // by itself, unseen by sendFrame, the backlog is checked after every read.
    if (m_tcp)
        connect(m_tcp, &QIODevice::readyRead, this, &WebSocketTransport::afterRead);
    if (m_tcp && !m_ssl) {
        connect(m_tcp, &QIODevice::bytesWritten, this, &WebSocketTransport::onTcpBytesWritten);
        // The descriptor is written to directly only while QTcpSocket is connected: it is
        // forgotten as soon as QTcpSocket leaves that state or starts closing, before the number
        // could be given to another connection.
#ifdef Q_OS_LINUX
        if (m_tcp->state() == QAbstractSocket::ConnectedState)
            m_directFd = int(m_tcp->socketDescriptor());
#endif
        connect(m_tcp, &QAbstractSocket::stateChanged, this,
                &WebSocketTransport::noteTcpStateChanged);
        connect(m_tcp, &QIODevice::aboutToClose, this, [this] { m_directFd = -1; });
    }
    m_connected = m_socket->state() == QAbstractSocket::ConnectedState;
    connect(m_socket, &QWebSocket::stateChanged, this, [this](QAbstractSocket::SocketState state) {
        m_connected = state == QAbstractSocket::ConnectedState;
    });
    // QWebSocket::error is the 6.4 name of the signal (errorOccurred arrived in 6.5).
    connect(m_socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this,
            [this](QAbstractSocket::SocketError error) {
                if (error == QAbstractSocket::RemoteHostClosedError)
                    qCDebug(lcServerNet).noquote() << peer() << "closed by the peer";
                else
                    qCInfo(lcServerNet).noquote()
                        << peer() << "socket error:" << m_socket->errorString();
            });

    // The peer may have gone between the upgrade and now: report it once the hub listens.
    if (m_socket->state() != QAbstractSocket::ConnectedState)
        QMetaObject::invokeMethod(this, &WebSocketTransport::onDisconnected, Qt::QueuedConnection);
}

WebSocketTransport::~WebSocketTransport()
{
    // The socket (our child) is destroyed after this body; it must not call back into us then.
    m_socket->disconnect(this);
    if (m_tcp)
        m_tcp->disconnect(this);
}

bool WebSocketTransport::hasUnreadInput() const
{
    if (!m_tcp)
        return false;
    if (m_tcp->bytesAvailable() > 0)
        return true;
    return !m_ssl && unreadInKernel(m_tcp) > 0;
}

QHostAddress WebSocketTransport::peerAddress() const
{
    return m_tcp ? clientAddress(m_tcp) : m_socket->peerAddress();
}

bool WebSocketTransport::upgradeFromOwnPage(const QStringList &allowedOrigins) const
{
    return originIsOwnOrAllowed(m_socket->origin(), m_socket->request().rawHeader("Host"),
                                !m_ssl.isNull(), allowedOrigins);
}

QString WebSocketTransport::cookieToken() const
{
    // Every Cookie header, each "name=value; name=value".
    const QByteArray cookies = m_socket->request().rawHeader("Cookie");
    for (const QByteArray &part : cookies.split(';')) {
        const QByteArray pair = part.trimmed();
        if (pair.startsWith("chat_token="))
            return QString::fromLatin1(pair.mid(int(qstrlen("chat_token="))));
    }
    return {};
}

qint64 WebSocketTransport::unsentBytes() const
{
    if (!m_tcp)
        return 0;
    // A TLS socket holds plain text not yet encrypted, and encrypted bytes not yet written.
    return m_tcp->bytesToWrite() + (m_ssl ? m_ssl->encryptedBytesToWrite() : 0) + m_held.bytes();
}

bool WebSocketTransport::dropIfBacklogged()
{
    if (isClosing() || m_maxOutboxBytes <= 0 || !m_tcp)
        return isClosing();
    qint64 unsent = unsentBytes();
    if (unsent <= m_maxOutboxBytes) {
        m_outboxAllowance = 0;
        return false;
    }
    const qint64 cap = m_maxOutboxBytes + m_outboxAllowance;
    if (unsent <= cap)
        return false;
    // Over the cap. Qt writes to the network from the event loop: hand the kernel what it takes
    // now, so that only what a slow peer leaves in the buffers counts. Not for TLS: flushing a
    // QSslSocket from inside its own readyRead corrupts its stream; that is decided from the
    // event loop instead (so one busy turn may overshoot there).
    if (m_ssl) {
        if (!m_backlogCheckQueued) {
            m_backlogCheckQueued = true;
            QMetaObject::invokeMethod(this, &WebSocketTransport::checkBacklog,
                                      Qt::QueuedConnection);
        }
        return false;
    }
    m_tcp->flush();
    if (isClosing())
        return true; // the flush found the connection broken
    if (m_tcp->bytesToWrite() == 0 && !m_held.isEmpty())
        emit sentDirectly(pushHeld());
    unsent = unsentBytes();
    if (unsent <= cap)
        return false;
    // Still over: cut now, so that nothing more piles up in this turn of the event loop (a busy
    // turn could otherwise queue megabytes).
    cutOff(unsent, cap);
    return true;
}

void WebSocketTransport::checkBacklog()
{
    m_backlogCheckQueued = false;
    if (isClosing() || !m_tcp)
        return;
    m_tcp->flush();
    const qint64 unsent = unsentBytes();
    if (unsent <= m_maxOutboxBytes) {
        m_outboxAllowance = 0;
        return;
    }
    if (unsent > m_maxOutboxBytes + m_outboxAllowance)
        cutOff(unsent, m_maxOutboxBytes + m_outboxAllowance);
}

void WebSocketTransport::cutOff(qint64 unsent, qint64 cap)
{
    qCInfo(lcServerNet).noquote() << peer() << "does not read:" << unsent
                                  << "bytes unsent, over the cap of" << cap << "; dropping";
    markClosing();
    // From the event loop: the hub may be in the middle of a broadcast to everyone.
    QMetaObject::invokeMethod(this, &WebSocketTransport::abortNow, Qt::QueuedConnection);
}

void WebSocketTransport::abortNow()
{
    if (m_tcp)
        abortConnection(m_tcp);
    else
        m_socket->abort();
}

void WebSocketTransport::sendFrame(const QString &frame)
{
    emit aboutToSend();
    writeFrame(frame);
}

void WebSocketTransport::writeFrame(const QString &frame)
{
    if (isClosing() || m_socket->state() != QAbstractSocket::ConnectedState)
        return;
    if (dropIfBacklogged())
        return;
    const qint64 before = unsentBytes();
    spillHeld(); // a data frame of QWebSocket's own goes after what is held
    m_tcpMayHold = true;
    m_socket->sendTextMessage(frame);
    // One frame larger than the cap (a welcome with a long history) must still go out: the cap
    // grows by its size until the backlog is back under the cap.
    const qint64 queued = unsentBytes() - before;
    if (queued > m_maxOutboxBytes)
        m_outboxAllowance = qMax(m_outboxAllowance, queued);
    dropIfBacklogged();
}

void WebSocketTransport::noteTcpStateChanged(QAbstractSocket::SocketState state)
{
    if (state != QAbstractSocket::ConnectedState)
        m_directFd = -1;
}

qint64 WebSocketTransport::sendDirect(const FrameBatch &batch)
{
    const QByteArray &wire = batch.wire();
#ifdef Q_OS_LINUX
    const ssize_t sent =
        ::send(m_directFd, wire.constData(), size_t(wire.size()), MSG_NOSIGNAL | MSG_DONTWAIT);
#else
    const ssize_t sent = 0; // m_directFd is never set
#endif
    if (sent == wire.size()) {
        m_outboxAllowance = 0; // nothing unsent: no backlog
        return sent;
    }
    // The kernel took part or none of it (or failed: QTcpSocket finds that out on its next
    // write): the rest is held, and QTcpSocket gets the next frame, as in the general path.
    const qint64 direct = qMax<qint64>(0, sent);
    m_held.appendRest(wire, qsizetype(direct));
    m_tcpMayHold = true;
    m_tcp->write(m_held.takeToFrameBoundary());
    if (m_maxOutboxBytes > 0 && wire.size() - direct > m_maxOutboxBytes)
        m_outboxAllowance = qMax(m_outboxAllowance, wire.size() - direct);
    dropIfBacklogged();
    return direct;
}

qint64 WebSocketTransport::sendBatch(const FrameBatch &batch)
{
    if (m_directFd >= 0 && m_connected && !m_tcpMayHold && m_held.isEmpty() && !isClosing())
        return sendDirect(batch);
    if (isClosing() || m_socket->state() != QAbstractSocket::ConnectedState)
        return 0;
    if (!m_tcp || m_ssl) { // a TLS socket must encrypt first: QWebSocket does it
        for (const QString &text : batch.texts())
            writeFrame(text);
        return 0;
    }
    if (dropIfBacklogged())
        return 0;
    // QWebSocket writes whole frames to the same socket synchronously (pings, closes, replies),
    // so what waits in QTcpSocket's buffer always ends between frames (see SharedOutbox). When
    // that buffer is empty the batch goes to the kernel at once; else it is held behind it, as
    // the buffer shared with the room's other members, until Qt's write notification.
    const qint64 queued = batch.wire().size();
    m_held.append(batch.wire());
    const bool tcpEmpty = m_tcp->bytesToWrite() == 0;
    if (tcpEmpty)
        m_tcpMayHold = false; // until pushHeld() or QWebSocket writes to it again
    const qint64 direct = tcpEmpty ? pushHeld() : 0;
    // As in writeFrame(): a batch larger than the cap (a welcome with a long history) must
    // still go out whole.
    if (m_maxOutboxBytes > 0 && queued - direct > m_maxOutboxBytes)
        m_outboxAllowance = qMax(m_outboxAllowance, queued - direct);
    dropIfBacklogged();
    return direct;
}

qint64 WebSocketTransport::pushHeld()
{
    if (m_held.isEmpty() || m_pushing || !m_tcp)
        return 0;
    m_pushing = true;
    const qint64 sent = m_held.sendTo(int(m_tcp->socketDescriptor()));
    // What the kernel left: up to the next frame boundary through QTcpSocket, whose write
    // notification then brings the rest (onTcpBytesWritten). A frame, not a whole batch: the
    // copy stays small however many connections refuse a flush at once.
    if (!m_held.isEmpty())
        m_tcpMayHold = true;
    m_tcp->write(m_held.takeToFrameBoundary());
    m_pushing = false;
    return sent;
}

void WebSocketTransport::onTcpBytesWritten()
{
    if (m_held.isEmpty() || !m_tcp || m_tcp->bytesToWrite() > 0)
        return;
    const qint64 sent = pushHeld();
    if (sent > 0)
        emit sentDirectly(sent);
}

void WebSocketTransport::spillHeld()
{
    if (!m_held.isEmpty() && m_tcp)
        m_tcpMayHold = true;
    m_tcp->write(m_held.takeAll());
}

void WebSocketTransport::close(QWebSocketProtocol::CloseCode code, const QString &reason)
{
    if (isClosing())
        return;
    emit aboutToClose();
    emit aboutToSend();
    markClosing();
    // One timer for a close, made only then: a QTimer per connection would cost every
    // connection the timer's memory and Qt's sorted timer list O(n) per start.
    QTimer::singleShot(kCloseGraceMs, this, [this] {
        if (m_gone)
            return;
        qCInfo(lcServerNet).noquote() << peer() << "did not take its close in time; aborting";
        abortNow();
    });
    // Close frames carry at most 123 bytes of reason; QWebSocket cuts longer ones itself. The
    // socket then lingers (lingeringsocket.h): everything written before arrives, what was held
    // included. (A close that the peer starts is answered by QWebSocket alone: what is held then
    // is dropped, as the peer is leaving.)
    spillHeld();
    m_tcpMayHold = true;
    m_socket->close(code, reason);
}

void WebSocketTransport::checkAlive(qint64 silenceLimitMs)
{
    if (isClosing() || m_socket->state() != QAbstractSocket::ConnectedState)
        return;
    if (dropIfBacklogged())
        return;
    const qint64 silentMs = m_clock.elapsed() - m_lastHeardMs;
    if (silentMs > silenceLimitMs) {
        qCInfo(lcServerNet).noquote()
            << peer() << "silent for" << silentMs << "ms despite pings; closing";
        close(QWebSocketProtocol::CloseCodeGoingAway, QStringLiteral("no answer to pings"));
        return;
    }
    m_tcpMayHold = true;
    m_socket->ping();
}

void WebSocketTransport::onDataFrame(qint64 payloadBytes, bool isLast)
{
    heard();
    if (isClosing())
        return;
    m_payloadThisRead += payloadBytes;
    chargeBytes(payloadBytes + kFrameCost);
    if (!isLast && payloadBytes == 0) {
        closeForFlood(QStringLiteral("an empty frame that does not end a message"),
                      QStringLiteral("fragments"));
        return;
    }
    m_fragments = isLast ? 0 : m_fragments + 1;
    if (m_maxFragments > 0 && m_fragments >= m_maxFragments) {
        closeForFlood(QStringLiteral("a message in more than %1 frames").arg(m_maxFragments),
                      QStringLiteral("fragments"));
        return;
    }
    overByteBudget(); // closes a connection deep in debt at once, before its message completes
}

void WebSocketTransport::afterRead()
{
    m_tcpMayHold = true; // QWebSocket answers pings by itself, into QTcpSocket's buffer
    if (m_tcp && !isClosing()) {
        const qint64 consumed = bytesBeforeRead(m_tcp) - m_tcp->bytesAvailable();
        chargeBytes(qMax<qint64>(0, consumed - m_payloadThisRead));
        overByteBudget(); // pings alone can put a connection deep in debt
    }
    m_payloadThisRead = 0;
    dropIfBacklogged();
}

void WebSocketTransport::chargeBytes(qint64 bytes)
{
    if (bytes <= 0)
        return;
    m_bytes.take(bytes, m_clock.elapsed());
    if (m_addressBytes)
        m_addressBytes->take(bytes);
}

bool WebSocketTransport::overByteBudget()
{
    if (isClosing())
        return true;
    const qint64 now = m_clock.elapsed();
    const bool ownDebt = m_bytes.deeplyInDebt(now);
    if (ownDebt || (m_addressBytes && m_addressBytes->deeplyInDebt())) {
        closeForFlood(ownDebt ? QStringLiteral("too much data too fast")
                              : QStringLiteral("too much data too fast from your address"),
                      ownDebt ? QStringLiteral("bytes") : QStringLiteral("address_bytes"));
        return true;
    }
    return m_bytes.inDebt(now) || (m_addressBytes && m_addressBytes->inDebt());
}

void WebSocketTransport::closeForFlood(const QString &reason, const QString &limit)
{
    if (isClosing())
        return;
    qCInfo(lcServerNet).noquote() << peer() << "flooding (" << limit << "); closing";
    emit floodClosed(limit);
    close(QWebSocketProtocol::CloseCodePolicyViolated, reason);
}

void WebSocketTransport::onText(const QString &frame)
{
    if (isClosing())
        return; // frames that were already buffered behind a refusal or a shutdown
    // Every message takes a token, even one over the byte budget.
    const RateLimiter::Verdict verdict = m_rate.take(m_clock.elapsed());
    if (overByteBudget()) {
        if (!isClosing())
            emit textReceived(frame, Admission::OverBytes);
        return;
    }
    emit textReceived(frame, admissionOf(verdict));
}

void WebSocketTransport::onBinary()
{
    if (isClosing() || overByteBudget())
        return;
    emit binaryReceived(admissionOf(m_rate.take(m_clock.elapsed())));
}

void WebSocketTransport::onDisconnected()
{
    if (m_gone)
        return;
    m_gone = true;
    markClosing();
    m_held.clear();
    qCDebug(lcServerNet).noquote() << peer() << "disconnected, close code" << m_socket->closeCode();
    emit closed();
}

} // namespace chat::server
