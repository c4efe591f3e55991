// Accepts TCP connections (with TLS when the config has a certificate) and has
// QWebSocketServer upgrade them. Owning the QTcpServer lets us set the listen backlog, count
// connections against the limits before anything is read, and run the TLS handshake ourselves.
// QWebSocketServer::handleConnection() starts no handshake timeout, so this class closes every
// connection whose TLS handshake and upgrade have not finished in time.
#pragma once

#include "hubconfig.h"
#include "transport/connectionlimits.h"
#include "transport/refusallog.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QSet>
#include <QSslConfiguration>
#include <QWebSocketProtocol>

#include <memory>

QT_BEGIN_NAMESPACE
class QTcpServer;
class QTcpSocket;
class QWebSocket;
class QWebSocketServer;
QT_END_NAMESPACE

namespace chat::server {

class DeadlineQueue;
class HttpGate;

class Listener : public QObject
{
    Q_OBJECT
public:
    explicit Listener(const HubConfig &config, QObject *parent = nullptr);
    ~Listener() override;

    [[nodiscard]] bool listen();
    [[nodiscard]] QString errorString() const;
    [[nodiscard]] bool isListening() const;
    [[nodiscard]] bool isSecure() const { return m_secure; }
    [[nodiscard]] quint16 port() const;
    // Stops accepting and drops the connections that are still in their upgrade.
    void close();

    [[nodiscard]] int pendingHandshakes() const { return int(m_pending.size()); }
    // Plain HTTP on the same port: every connection is shown to the gate first, and only what it
    // hands back as a WebSocket request goes to the upgrade. Without a gate, every one does.
    void setHttpGate(HttpGate *gate);
    // Every TCP connection that counts against the limits: in its upgrade, open, or closing.
    [[nodiscard]] int openConnections() const { return m_limits->total(); }
    // Connections closed at accept because their address had too many (counted for /metrics).
    [[nodiscard]] qint64 refusedOverAddressLimit() const { return m_refusedOverAddressLimit; }
    // Connections answered with HTTP 503 because the server had too many in total.
    [[nodiscard]] qint64 refusedServerFull() const { return m_refusedServerFull; }

signals:
    // A finished upgrade that passed the connection limits and the origin check. The receiver
    // takes ownership of `socket`; `tcp` is the connection under it, which lives as long as the
    // socket (QWebSocket does not tell how many bytes wait to be written; `tcp` does).
    void newConnection(QWebSocket *socket, QTcpSocket *tcp);

private:
    void onTcpConnection();
    void admit(QTcpSocket *socket);
    void startUpgrade(QTcpSocket *socket);
    void onUpgraded(QWebSocketServer *upgrader);
    // The QWebSocketServer the next upgrade goes to, in turn (see kUpgradeShards in the .cpp).
    QWebSocketServer *upgrader();
    // Over the total: a short HTTP 503 before any upgrade, then the connection is closed.
    void refuseServerFull(QTcpSocket *socket);
    // After the upgrade: a close frame with the reason, and the socket is freed once it is gone.
    void refuseUpgraded(QWebSocket *socket, QTcpSocket *tcp, QWebSocketProtocol::CloseCode code,
                        const QString &reason);
    // At accept, before any work: false for an address that already has its limit of
    // connections (handshakes included), which is then closed without a word.
    bool admitsAddress(const QHostAddress &peer);
    // After the request head of a trusted proxy's connection: it counts under the client the
    // proxy named (clientaddress.h), or the proxy itself when it named none, from now on, or it
    // is dropped when that address is full.
    bool admitsForwarded(QTcpSocket *socket);

    HubConfig m_config;
    bool m_secure;
    QSslConfiguration m_ssl;
    QTcpServer *m_tcp;
    QList<QWebSocketServer *> m_upgraders;
    int m_nextUpgrader = 0;
    DeadlineQueue *m_handshakeDeadlines;
    // Sockets accepted, not upgraded yet (nor served as HTTP): the deadline extensions each got.
    QHash<const QObject *, int> m_handshaking;
    // Shared with every accepted socket, which gives its count back when it is destroyed.
    std::shared_ptr<ConnectionLimits> m_limits;
    bool m_fullReported = false; // "server full" is logged once per episode, not per refusal
    qint64 m_refusedOverAddressLimit = 0;
    qint64 m_refusedServerFull = 0;
    RefusalLog m_refusalLog;
    // Connections in their upgrade, by their address pair (see endpointKey in the .cpp).
    QHash<QString, QTcpSocket *> m_pending;
    HttpGate *m_httpGate = nullptr;
};

} // namespace chat::server
