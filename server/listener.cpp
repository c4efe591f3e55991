#include "listener.h"

#include "logging.h"

#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <QWebSocket>
#include <QWebSocketServer>

namespace chat::server {

namespace {

const QString &handshakeTimerName()
{
    static const QString name = QStringLiteral("chat-handshake-timer");
    return name;
}

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
    return peerName(socket->peerAddress(), socket->peerPort());
}

} // namespace

Listener::Listener(const HubConfig &config, QObject *parent)
    : QObject(parent)
    , m_config(config)
    , m_tcp(new QTcpServer(this))
    , m_ws(new QWebSocketServer(config.name, QWebSocketServer::NonSecureMode, this))
{
    m_tcp->setListenBacklogSize(config.listenBacklog);
    // Both queues are drained as soon as they signal; the limits only matter under a burst.
    m_tcp->setMaxPendingConnections(qMax(30, config.listenBacklog));
    m_ws->setMaxPendingConnections(qMax(30, config.listenBacklog));

    connect(m_tcp, &QTcpServer::newConnection, this, &Listener::onTcpConnection);
    connect(m_tcp, &QTcpServer::acceptError, this, [this](QAbstractSocket::SocketError) {
        qCWarning(lcServerNet).noquote() << "accept failed:" << m_tcp->errorString();
    });
    connect(m_ws, &QWebSocketServer::newConnection, this, &Listener::onUpgraded);
    connect(m_ws, &QWebSocketServer::serverError, this, [this](QWebSocketProtocol::CloseCode) {
        qCInfo(lcServerNet).noquote() << "WebSocket upgrade refused:" << m_ws->errorString();
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
        socket->abort();
        socket->deleteLater();
    }
}

void Listener::onTcpConnection()
{
    while (m_tcp->hasPendingConnections()) {
        QTcpSocket *socket = m_tcp->nextPendingConnection();
        const QString key = endpointKey(socket->peerAddress(), socket->peerPort(),
                                        socket->localAddress(), socket->localPort());
        qCDebug(lcServerNet).noquote() << "connection from" << describePeer(socket);
        m_pending.insert(key, socket);
        connect(socket, &QObject::destroyed, this, [this, key](QObject *gone) {
            const auto it = m_pending.constFind(key);
            if (it != m_pending.cend() && *it == gone)
                m_pending.erase(it);
        });

        // A child of the socket: it dies with a socket that goes away on its own.
        auto *timer = new QTimer(socket);
        timer->setObjectName(handshakeTimerName());
        timer->setSingleShot(true);
        connect(timer, &QTimer::timeout, socket, [socket] {
            qCInfo(lcServerNet).noquote()
                << describePeer(socket) << "did not finish the WebSocket upgrade in time; closing";
            socket->abort();
            // QWebSocketServer deletes sockets on disconnected too; deleting twice later is fine.
            socket->deleteLater();
        });
        timer->start(m_config.handshakeTimeoutMs);

        m_ws->handleConnection(socket);
    }
}

void Listener::onUpgraded()
{
    while (QWebSocket *socket = m_ws->nextPendingConnection()) {
        const QString key = endpointKey(socket->peerAddress(), socket->peerPort(),
                                        socket->localAddress(), socket->localPort());
        if (QTcpSocket *tcp = m_pending.take(key)) {
            delete tcp->findChild<QTimer *>(handshakeTimerName(), Qt::FindDirectChildrenOnly);
        } else {
            // Cannot happen while the key is unique; without a match the upgrade would still be
            // cut at the deadline, so refuse it openly instead.
            qCWarning(lcServerNet).noquote()
                << "upgraded connection without a pending record; closing";
            socket->abort();
            socket->deleteLater();
            continue;
        }
        emit newConnection(socket);
    }
}

} // namespace chat::server
