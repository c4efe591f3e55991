// Network stand-ins for client tests: a server that refuses or ignores WebSocket upgrades, and a
// TCP proxy that can cut, block or blackhole a client's connection while the hub stays up.
#pragma once

#include <QList>
#include <QObject>
#include <QTcpServer>
#include <QUrl>
#include <QWebSocketServer>

class QSslConfiguration;
class QTcpSocket;
class QWebSocket;

// A WebSocket server whose answers the test writes itself (with chatcommon's encode()), for
// replies a real hub would not give on cue.
class ScriptedServer : public QObject
{
    Q_OBJECT
public:
    explicit ScriptedServer(QObject *parent = nullptr);
    // wss://, with this certificate and key.
    explicit ScriptedServer(const QSslConfiguration &tls, QObject *parent = nullptr);
    ~ScriptedServer() override;

    [[nodiscard]] bool listen();
    [[nodiscard]] QUrl url() const;
    [[nodiscard]] int clientCount() const { return int(m_clients.size()); }
    // Sends to the newest client.
    void reply(const QByteArray &frame);
    // Closes the newest client's connection with this close code.
    void closeNewest(quint16 code, const QString &reason);

signals:
    void frameReceived(const QByteArray &frame);

private:
    void onNewConnection();

    QWebSocketServer m_server;
    QList<QWebSocket *> m_clients;
};

// Accepts TCP connections and never completes a WebSocket upgrade.
class RefusingServer : public QObject
{
    Q_OBJECT
public:
    enum class Mode {
        Http403, // answers the upgrade with 403 Forbidden and keeps the connection open
        Silent,  // reads the request and never answers
    };

    explicit RefusingServer(Mode mode, QObject *parent = nullptr);

    [[nodiscard]] bool listen(quint16 port = 0);
    [[nodiscard]] quint16 port() const { return m_server.serverPort(); }
    [[nodiscard]] QUrl url() const;
    [[nodiscard]] int connectionCount() const { return m_accepted; }
    // Stops listening and drops every connection, freeing the port.
    void close();

private:
    void onNewConnection();

    Mode m_mode;
    QTcpServer m_server;
    QList<QTcpSocket *> m_sockets;
    int m_accepted = 0;
};

// Forwards TCP connections to 127.0.0.1:targetPort.
class TcpProxy : public QObject
{
    Q_OBJECT
public:
    explicit TcpProxy(quint16 targetPort, QObject *parent = nullptr);
    ~TcpProxy() override;

    [[nodiscard]] bool listen();
    [[nodiscard]] QUrl url() const;

    // false: new connections are dropped at once, like a network that is down.
    void setAccepting(bool accepting) { m_accepting = accepting; }
    // false: what the server sends is swallowed, like acknowledgements lost on the way.
    void setForwardToClient(bool forward) { m_forwardToClient = forward; }
    // Aborts the clients' connections but keeps the server's side open: the server still
    // believes those clients are online.
    void dropClientSides();

private:
    struct Link
    {
        QTcpSocket *client = nullptr;
        QTcpSocket *server = nullptr;
    };
    void onNewConnection();
    void unlink(QTcpSocket *client);

    quint16 m_targetPort;
    QTcpServer m_server;
    QList<Link> m_links;
    QList<QTcpSocket *> m_ghosts; // server sides whose client was dropped
    bool m_accepting = true;
    bool m_forwardToClient = true;
};
