// Accepts TCP connections and has QWebSocketServer upgrade them. Owning the QTcpServer lets us
// set the listen backlog; but QWebSocketServer::handleConnection() starts no handshake timeout,
// so this class closes every connection whose upgrade has not finished in time.
#pragma once

#include "hubconfig.h"

#include <QHash>
#include <QObject>

QT_BEGIN_NAMESPACE
class QTcpServer;
class QTcpSocket;
class QWebSocket;
class QWebSocketServer;
QT_END_NAMESPACE

namespace chat::server {

class Listener : public QObject
{
    Q_OBJECT
public:
    explicit Listener(const HubConfig &config, QObject *parent = nullptr);
    ~Listener() override;

    [[nodiscard]] bool listen();
    [[nodiscard]] QString errorString() const;
    [[nodiscard]] bool isListening() const;
    [[nodiscard]] quint16 port() const;
    // Stops accepting and drops the connections that are still in their upgrade.
    void close();

    [[nodiscard]] int pendingHandshakes() const { return int(m_pending.size()); }

signals:
    // A finished upgrade. The receiver takes ownership of the socket.
    void newConnection(QWebSocket *socket);

private:
    void onTcpConnection();
    void onUpgraded();

    HubConfig m_config;
    QTcpServer *m_tcp;
    QWebSocketServer *m_ws;
    // Connections in their upgrade, by their address pair (see endpointKey in the .cpp).
    QHash<QString, QTcpSocket *> m_pending;
};

} // namespace chat::server
