#include "fakeservers.h"

#include <QSslConfiguration>
#include <QTcpSocket>
#include <QWebSocket>

namespace {
QUrl localUrl(quint16 port, bool secure = false)
{
    QUrl url;
    url.setScheme(secure ? QStringLiteral("wss") : QStringLiteral("ws"));
    url.setHost(QStringLiteral("127.0.0.1"));
    url.setPort(port);
    url.setPath(QStringLiteral("/"));
    return url;
}
} // namespace

// --- ScriptedServer -------------------------------------------------------------------------

ScriptedServer::ScriptedServer(QObject *parent)
    : QObject(parent)
    , m_server(QStringLiteral("scripted"), QWebSocketServer::NonSecureMode)
{
    connect(&m_server, &QWebSocketServer::newConnection, this, &ScriptedServer::onNewConnection);
}

ScriptedServer::ScriptedServer(const QSslConfiguration &tls, QObject *parent)
    : QObject(parent)
    , m_server(QStringLiteral("scripted"), QWebSocketServer::SecureMode)
{
    m_server.setSslConfiguration(tls);
    connect(&m_server, &QWebSocketServer::newConnection, this, &ScriptedServer::onNewConnection);
}

void ScriptedServer::onNewConnection()
{
    while (QWebSocket *client = m_server.nextPendingConnection()) {
        client->setParent(this); // nextPendingConnection() hands over an unowned socket
        m_clients.append(client);
        connect(client, &QWebSocket::textMessageReceived, this,
                [this](const QString &frame) { emit frameReceived(frame.toUtf8()); });
    }
}

ScriptedServer::~ScriptedServer()
{
    for (QWebSocket *client : std::as_const(m_clients))
        client->disconnect(this);
}

bool ScriptedServer::listen()
{
    return m_server.listen(QHostAddress::LocalHost, 0);
}

QUrl ScriptedServer::url() const
{
    return localUrl(m_server.serverPort(), m_server.secureMode() == QWebSocketServer::SecureMode);
}

void ScriptedServer::reply(const QByteArray &frame)
{
    if (!m_clients.isEmpty())
        m_clients.constLast()->sendTextMessage(QString::fromUtf8(frame));
}

void ScriptedServer::closeNewest(quint16 code, const QString &reason)
{
    if (!m_clients.isEmpty())
        m_clients.constLast()->close(QWebSocketProtocol::CloseCode(code), reason);
}

// --- RefusingServer ---------------------------------------------------------------------------

RefusingServer::RefusingServer(Mode mode, QObject *parent)
    : QObject(parent)
    , m_mode(mode)
{
    connect(&m_server, &QTcpServer::newConnection, this, &RefusingServer::onNewConnection);
}

bool RefusingServer::listen(quint16 port)
{
    return m_server.listen(QHostAddress::LocalHost, port);
}

QUrl RefusingServer::url() const
{
    return localUrl(port());
}

void RefusingServer::close()
{
    m_server.close();
    for (QTcpSocket *socket : std::as_const(m_sockets)) {
        socket->abort();
        socket->deleteLater();
    }
    m_sockets.clear();
}

void RefusingServer::onNewConnection()
{
    while (QTcpSocket *socket = m_server.nextPendingConnection()) {
        ++m_accepted;
        m_sockets.append(socket);
        connect(socket, &QTcpSocket::readyRead, socket, [this, socket] {
            // Answer once the request headers are complete; the connection stays open.
            if (!socket->property("answered").toBool() &&
                socket->peek(64 * 1024).contains("\r\n\r\n")) {
                socket->readAll();
                socket->setProperty("answered", true);
                if (m_mode == Mode::Http403)
                    socket->write("HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\n"
                                  "Content-Length: 9\r\n\r\nForbidden");
            }
        });
    }
}

// --- TcpProxy ---------------------------------------------------------------------------------

TcpProxy::TcpProxy(quint16 targetPort, QObject *parent)
    : QObject(parent)
    , m_targetPort(targetPort)
{
    connect(&m_server, &QTcpServer::newConnection, this, &TcpProxy::onNewConnection);
}

TcpProxy::~TcpProxy()
{
    // The sockets are children of the server or of this; only their signals need care.
    for (const Link &link : std::as_const(m_links)) {
        link.client->disconnect(this);
        link.server->disconnect(this);
    }
}

bool TcpProxy::listen()
{
    return m_server.listen(QHostAddress::LocalHost, 0);
}

QUrl TcpProxy::url() const
{
    return localUrl(m_server.serverPort());
}

void TcpProxy::dropClientSides()
{
    const QList<Link> links = std::exchange(m_links, {});
    for (const Link &link : links) {
        link.client->disconnect(this);
        link.server->disconnect(this);
        // Keep reading the ghost so the server never blocks on it.
        connect(link.server, &QTcpSocket::readyRead, link.server,
                [server = link.server] { server->readAll(); });
        m_ghosts.append(link.server);
        link.client->abort();
        link.client->deleteLater();
    }
}

void TcpProxy::onNewConnection()
{
    while (QTcpSocket *client = m_server.nextPendingConnection()) {
        if (!m_accepting) {
            client->abort();
            client->deleteLater();
            continue;
        }
        auto *server = new QTcpSocket(this);
        m_links.append(Link{client, server});
        connect(client, &QTcpSocket::readyRead, this,
                [client, server] { server->write(client->readAll()); });
        connect(server, &QTcpSocket::readyRead, this, [this, client, server] {
            const QByteArray bytes = server->readAll();
            if (m_forwardToClient)
                client->write(bytes);
        });
        connect(client, &QTcpSocket::disconnected, this, [this, client] { unlink(client); });
        connect(server, &QTcpSocket::disconnected, this, [this, client] { unlink(client); });
        server->connectToHost(QHostAddress::LocalHost, m_targetPort);
    }
}

void TcpProxy::unlink(QTcpSocket *client)
{
    for (qsizetype i = 0; i < m_links.size(); ++i) {
        const Link link = m_links.at(i);
        if (link.client != client)
            continue;
        m_links.removeAt(i);
        link.client->disconnect(this);
        link.server->disconnect(this);
        // Pass on what is left, then close both sides.
        if (link.server->bytesAvailable() > 0 && m_forwardToClient)
            link.client->write(link.server->readAll());
        if (link.client->bytesAvailable() > 0)
            link.server->write(link.client->readAll());
        link.client->disconnectFromHost();
        link.server->disconnectFromHost();
        link.client->deleteLater();
        link.server->deleteLater();
        return;
    }
}
