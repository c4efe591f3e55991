#include "relay.h"

#include <QWebSocket>
#include <QWebSocketServer>

Relay::Relay(QObject *parent)
    : QObject(parent)
    , m_server(new QWebSocketServer(QStringLiteral("relay"), QWebSocketServer::NonSecureMode, this))
{
    connect(m_server, &QWebSocketServer::newConnection, this, &Relay::onNewConnection);
}

bool Relay::listen(quint16 port)
{
    return m_server->listen(QHostAddress::LocalHost, port);
}

quint16 Relay::port() const
{
    return m_server->serverPort();
}

QString Relay::errorString() const
{
    return m_server->errorString();
}

void Relay::onNewConnection()
{
    while (QWebSocket *client = m_server->nextPendingConnection()) {
        connect(client, &QWebSocket::textMessageReceived, this,
                [this, client](const QString &message) { onText(client, message); });
        connect(client, &QWebSocket::disconnected, this,
                [this, client] { onDisconnected(client); });
        m_clients << client;
    }
}

void Relay::onText(QWebSocket *from, const QString &message)
{
    Q_UNUSED(from) // simplechat skips the sender here; see relay.h
    for (QWebSocket *client : std::as_const(m_clients))
        client->sendTextMessage(message);
}

void Relay::onDisconnected(QWebSocket *client)
{
    m_clients.removeAll(client);
    client->deleteLater();
}
