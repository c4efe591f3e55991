#include "transport/listener.h"

#include "http/httpgate.h"
#include "logging.h"
#include "transport/clientaddress.h"
#include "transport/deadlinequeue.h"
#include "transport/inboundbudget.h"
#include "transport/lingeringsocket.h"
#include "transport/originpolicy.h"
#include "transport/unreadinput.h"

#include <QSslSocket>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <QWebSocket>
#include <QWebSocketServer>

#include <functional>
#include <optional>

#include <sys/socket.h>
#include <unistd.h>

namespace chat::server {

namespace {

// How long a refused connection gets to take its answer before it is cut.
constexpr int kRefusalGraceMs = 2000;

// More rounds of the handshake deadline for a request that arrived whole but waits for a busy
// server (unreadinput.h).
constexpr int kMaxHandshakeExtensions = 3;

// QWebSocketServer's upgrade slot looks up sender(), which walks every connection made to that
// server object: with thousands of sockets in their upgrade at once (a join storm) one server
// object spent more than half the process's time there. Spread over this many, each walk is
// that much shorter.
constexpr int kUpgradeShards = 256;

// Both ends of a TCP connection identify it among all live ones. QWebSocketServer does not tell
// which QTcpSocket a new QWebSocket came from, but it reports the same addresses and ports.
QString endpointKey(const QHostAddress &peer, quint16 peerPort, const QHostAddress &local,
                    quint16 localPort)
{
    return peer.toString() + u'|' + QString::number(peerPort) + u'|' + local.toString() + u'|' +
           QString::number(localPort);
}

QString describePeer(const QTcpSocket *socket)
{
    return describeClient(socket);
}

// The address a freshly accepted descriptor comes from, read before anything is made for it.
QHostAddress peerOf(qintptr descriptor)
{
    sockaddr_storage storage{};
    socklen_t length = sizeof storage;
    if (::getpeername(int(descriptor), reinterpret_cast<sockaddr *>(&storage), &length) != 0)
        return {};
    return QHostAddress(reinterpret_cast<const sockaddr *>(&storage));
}

// Makes a QSslSocket for every accepted connection when serving TLS, a QTcpSocket otherwise;
// both linger on close (lingeringsocket.h). A connection from an address that is over its limit
// is closed right here, before any object, buffer or timer exists for it.
class AcceptingServer : public QTcpServer
{
public:
    AcceptingServer(bool secure, std::function<bool(const QHostAddress &)> admits, QObject *parent)
        : QTcpServer(parent)
        , m_secure(secure)
        , m_admits(std::move(admits))
    {}

protected:
    void incomingConnection(qintptr descriptor) override
    {
        if (!m_admits(peerOf(descriptor))) {
            ::close(int(descriptor));
            return;
        }
        QTcpSocket *socket = m_secure ? static_cast<QTcpSocket *>(new LingeringSslSocket(this))
                                      : new LingeringTcpSocket(this);
        if (!socket->setSocketDescriptor(descriptor)) {
            qCWarning(lcServerNet).noquote()
                << "cannot take an accepted connection:" << socket->errorString();
            delete socket;
            ::close(int(descriptor));
            return;
        }
        addPendingConnection(socket);
    }

private:
    bool m_secure;
    std::function<bool(const QHostAddress &)> m_admits;
};

// A child of an accepted socket that holds its place in the connection count until the socket
// is destroyed. A connection to the socket's destroyed() would not do: QWebSocket drops every
// connection of the socket it takes over. A trusted proxy's connection has no place (counts in
// the total only) until its request head says which client it stands for.
class CountedConnection : public QObject
{
public:
    CountedConnection(std::shared_ptr<ConnectionLimits> limits,
                      const std::optional<QHostAddress> &peer, QTcpSocket *socket)
        : QObject(socket)
        , m_limits(std::move(limits))
        , m_peer(peer)
    {
        setObjectName(kObjectName);
        if (m_peer)
            m_limits->add(*m_peer);
        else
            m_limits->addUnplaced();
    }
    // Without Q_OBJECT (a class in a .cpp) findChild() finds it by this name only.
    static constexpr char kObjectName[] = "chat-counted-connection";
    [[nodiscard]] static CountedConnection *of(QTcpSocket *socket)
    {
        return static_cast<CountedConnection *>(
            socket->findChild<QObject *>(QLatin1String(kObjectName), Qt::FindDirectChildrenOnly));
    }
    ~CountedConnection() override
    {
        if (m_peer)
            m_limits->remove(*m_peer);
        else
            m_limits->removeUnplaced();
    }

    // The client a trusted proxy's connection stands for (clientaddress.h), the proxy itself
    // when it named none: it counts there from now on.
    void placeAt(const QHostAddress &client)
    {
        if (m_peer)
            return;
        m_limits->removeUnplaced();
        m_peer = client;
        m_limits->add(client);
    }
    [[nodiscard]] bool isPlaced() const { return m_peer.has_value(); }

private:
    std::shared_ptr<ConnectionLimits> m_limits;
    std::optional<QHostAddress> m_peer;
};

} // namespace

Listener::Listener(const HubConfig &config, QObject *parent)
    : QObject(parent)
    , m_config(config)
    , m_secure(config.tls.isEnabled())
    , m_tcp(new AcceptingServer(
          m_secure, [this](const QHostAddress &peer) { return admitsAddress(peer); }, this))
    , m_handshakeDeadlines(new DeadlineQueue(config.handshakeTimeoutMs, this))
    , m_limits(std::make_shared<ConnectionLimits>(config.maxConnections,
                                                  config.maxConnectionsPerAddress))
{
    if (m_secure)
        m_ssl = serverSslConfiguration(config.tls);
    m_tcp->setListenBacklogSize(config.listenBacklog);
    // Both queues are drained as soon as they signal; the limits only matter under a burst.
    m_tcp->setMaxPendingConnections(qMax(30, config.listenBacklog));
    for (int i = 0; i < kUpgradeShards; ++i) {
        auto *ws = new QWebSocketServer(config.name, QWebSocketServer::NonSecureMode, this);
        ws->setMaxPendingConnections(qMax(30, config.listenBacklog));
        connect(ws, &QWebSocketServer::newConnection, this, [this, ws] { onUpgraded(ws); });
        connect(ws, &QWebSocketServer::serverError, this, [ws](QWebSocketProtocol::CloseCode) {
            qCInfo(lcServerNet).noquote() << "WebSocket upgrade refused:" << ws->errorString();
        });
        m_upgraders.append(ws);
    }
    connect(m_handshakeDeadlines, &DeadlineQueue::expired, this, [this](QObject *target) {
        const auto handshaking = m_handshaking.find(target);
        if (handshaking == m_handshaking.end())
            return;                                       // upgraded in time
        auto *socket = static_cast<QTcpSocket *>(target); // only sockets are in m_handshaking
        // Under a storm the request may be here, whole and unprocessed, because the server was
        // busy: that is not the peer's fault. A few more rounds for those only, as for hellos.
        if (*handshaking < kMaxHandshakeExtensions && requestWaitsForUs(socket)) {
            ++*handshaking;
            m_handshakeDeadlines->add(socket);
            return;
        }
        qCInfo(lcServerNet).noquote()
            << describePeer(socket) << "did not finish the handshake in time; closing";
        abortConnection(socket);
        // QWebSocketServer deletes sockets on disconnected too; deleting twice later is fine.
        socket->deleteLater();
    });

    connect(m_tcp, &QTcpServer::newConnection, this, &Listener::onTcpConnection);
    connect(m_tcp, &QTcpServer::acceptError, this, [this](QAbstractSocket::SocketError) {
        qCWarning(lcServerNet).noquote() << "accept failed:" << m_tcp->errorString();
    });
}

Listener::~Listener()
{
    close();
}

bool Listener::listen()
{
    return m_tcp->listen(m_config.host, m_config.port);
}

QString Listener::errorString() const
{
    return m_tcp->errorString();
}

bool Listener::isListening() const
{
    return m_tcp->isListening();
}

quint16 Listener::port() const
{
    return m_tcp->serverPort();
}

void Listener::close()
{
    m_tcp->close();
    const auto pending = m_pending;
    m_pending.clear();
    for (QTcpSocket *socket : pending) {
        abortConnection(socket);
        socket->deleteLater();
    }
}

void Listener::onTcpConnection()
{
    while (m_tcp->hasPendingConnections()) {
        QTcpSocket *socket = m_tcp->nextPendingConnection();
        // Chat frames are small: without this, Nagle's algorithm holds a frame sent right after
        // another until the client's delayed ACK, up to 40 ms (found by fuzz_hub_frame).
        socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        const QHostAddress peer = socket->peerAddress();
        const ConnectionLimits::Verdict verdict = m_limits->check(peer);
        if (verdict == ConnectionLimits::Verdict::ServerFull) {
            refuseServerFull(socket);
            continue;
        }
        m_fullReported = false;
        // Counted until the socket is gone, whatever happens to it: in its upgrade, as a
        // client's connection, or while it is being refused. A trusted proxy's has no address
        // until the gate has read whom it forwards.
        const bool unplaced = m_httpGate && m_config.trustedProxies.contains(peer);
        new CountedConnection(m_limits, unplaced ? std::nullopt : std::optional(peer), socket);
        admit(socket);
    }
}

void Listener::admit(QTcpSocket *socket)
{
    watchReads(socket); // before any reader: sessions charge what they read (inboundbudget.h)
    const QString key = endpointKey(socket->peerAddress(), socket->peerPort(),
                                    socket->localAddress(), socket->localPort());
    qCDebug(lcServerNet).noquote() << "connection from" << describePeer(socket);
    m_pending.insert(key, socket);
    m_handshaking.insert(socket, 0);
    connect(socket, &QObject::destroyed, this, [this, key](QObject *gone) {
        m_handshaking.remove(gone); // a QObject by now: no cast (UBSan rightly objects)
        const auto it = m_pending.constFind(key);
        if (it != m_pending.cend() && *it == gone)
            m_pending.erase(it);
    });
    // Covers the TLS handshake and the WebSocket upgrade together.
    m_handshakeDeadlines->add(socket);

    auto *ssl = qobject_cast<QSslSocket *>(socket);
    if (!ssl) {
        startUpgrade(socket);
        return;
    }
    ssl->setSslConfiguration(m_ssl);
    connect(ssl, &QSslSocket::encrypted, this, [this, ssl] { startUpgrade(ssl); });
    connect(ssl, &QSslSocket::errorOccurred, this, [ssl](QAbstractSocket::SocketError) {
        if (ssl->isEncrypted())
            return; // from here on the WebSocket handles the socket's errors
        qCInfo(lcServerNet).noquote()
            << describePeer(ssl) << "TLS handshake failed:" << ssl->errorString();
        abortConnection(ssl);
        ssl->deleteLater();
    });
    ssl->startServerEncryption();
}

// The one place a connection, encrypted when TLS is on, is handed to the upgrade.
void Listener::startUpgrade(QTcpSocket *socket)
{
    if (m_httpGate)
        m_httpGate->inspect(socket); // hands WebSocket requests back through webSocketRequested
    else
        upgrader()->handleConnection(socket);
}

QWebSocketServer *Listener::upgrader()
{
    m_nextUpgrader = (m_nextUpgrader + 1) % int(m_upgraders.size());
    return m_upgraders.at(m_nextUpgrader);
}

void Listener::setHttpGate(HttpGate *gate)
{
    m_httpGate = gate;
    if (!m_config.trustedProxies.isEmpty())
        gate->setForwarding(m_config.trustedProxies,
                            [this](QTcpSocket *socket) { return admitsForwarded(socket); });
    connect(gate, &HttpGate::webSocketRequested, this,
            [this](QTcpSocket *socket) { upgrader()->handleConnection(socket); });
}

void Listener::onUpgraded(QWebSocketServer *upgrader)
{
    while (QWebSocket *socket = upgrader->nextPendingConnection()) {
        const QString key = endpointKey(socket->peerAddress(), socket->peerPort(),
                                        socket->localAddress(), socket->localPort());
        QTcpSocket *tcp = m_pending.take(key);
        if (!tcp) {
            // Cannot happen while the key is unique; without a match the upgrade would still be
            // cut at the deadline, so refuse it openly instead.
            qCWarning(lcServerNet).noquote()
                << "upgraded connection without a pending record; closing";
            socket->abort();
            socket->deleteLater();
            continue;
        }
        m_handshaking.remove(tcp);
        // QWebSocketServer stays connected to every socket it upgraded, to delete it once
        // disconnected, and its slot looks up sender(), which walks all of those connections:
        // joining N people cost N² (a quarter of the server's time while 12,000 joined). The
        // socket deletes itself instead, as that slot would have.
        QObject::disconnect(tcp, nullptr, upgrader, nullptr);
        connect(tcp, &QAbstractSocket::disconnected, tcp, &QObject::deleteLater);

        if (!originAllowed(m_config.allowedOrigins, socket->origin())) {
            qCInfo(lcServerNet).noquote() << describePeer(tcp) << "refused: origin not allowed";
            refuseUpgraded(socket, tcp, QWebSocketProtocol::CloseCodePolicyViolated,
                           QStringLiteral("this web page's origin is not allowed here"));
            continue;
        }
        emit newConnection(socket, tcp);
    }
}

void Listener::refuseServerFull(QTcpSocket *socket)
{
    ++m_refusedServerFull;
    if (!m_fullReported) {
        m_fullReported = true;
        qCWarning(lcServerNet).noquote() << "server full:" << m_limits->total()
                                         << "connections; refusing new ones until some close";
    }
    static const QByteArray body =
        QByteArrayLiteral("The server has too many connections right now; try again later.\n");
    socket->write(QByteArrayLiteral("HTTP/1.1 503 Service Unavailable\r\n"
                                    "Retry-After: 30\r\n"
                                    "Content-Type: text/plain; charset=utf-8\r\n"
                                    "Connection: close\r\n"
                                    "Content-Length: ") +
                  QByteArray::number(body.size()) + QByteArrayLiteral("\r\n\r\n") + body);
    connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    QTimer::singleShot(kRefusalGraceMs, socket, [socket] { abortConnection(socket); });
    socket->close(); // lingers: the 503 arrives even while the request is still coming in
    if (socket->state() == QAbstractSocket::UnconnectedState)
        socket->deleteLater();
}

void Listener::refuseUpgraded(QWebSocket *socket, QTcpSocket *tcp,
                              QWebSocketProtocol::CloseCode code, const QString &reason)
{
    socket->setParent(this);
    if (socket->state() != QAbstractSocket::ConnectedState) {
        socket->deleteLater();
        return;
    }
    connect(socket, &QWebSocket::disconnected, socket, &QObject::deleteLater);
    QTimer::singleShot(kRefusalGraceMs, tcp, [tcp] { abortConnection(tcp); });
    socket->close(code, reason); // lingers (lingeringsocket.h)
}

bool Listener::admitsAddress(const QHostAddress &peer)
{
    // A trusted proxy carries many clients; each counts once its request head names it.
    if (m_limits->check(peer) != ConnectionLimits::Verdict::AddressFull ||
        (m_httpGate && m_config.trustedProxies.contains(peer)))
        return true;
    ++m_refusedOverAddressLimit;
    m_refusalLog.refused(ConnectionLimits::addressKey(peer), m_limits->maxPerAddress());
    return false;
}

bool Listener::admitsForwarded(QTcpSocket *socket)
{
    CountedConnection *counted = CountedConnection::of(socket);
    if (!counted || counted->isPlaced())
        return true;
    // Not check(): the total already counts this connection.
    const QHostAddress client = clientAddress(socket);
    if (m_limits->maxPerAddress() > 0 && m_limits->count(client) >= m_limits->maxPerAddress()) {
        ++m_refusedOverAddressLimit;
        m_refusalLog.refused(ConnectionLimits::addressKey(client), m_limits->maxPerAddress());
        return false;
    }
    counted->placeAt(client);
    return true;
}

} // namespace chat::server
