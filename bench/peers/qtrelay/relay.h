// What someone would write from Qt's simplechat example (examples/websockets/simplechat): a
// QWebSocketServer, a list of clients, and every text message sent on to each of them with
// sendTextMessage(). One deliberate change: the sender gets its own message back too, as from
// chat-server, so that both make the same number of deliveries per message.
#pragma once

#include <QList>
#include <QObject>

QT_BEGIN_NAMESPACE
class QWebSocket;
class QWebSocketServer;
QT_END_NAMESPACE

class Relay : public QObject
{
    Q_OBJECT
public:
    explicit Relay(QObject *parent = nullptr);
    [[nodiscard]] bool listen(quint16 port);
    [[nodiscard]] quint16 port() const;
    [[nodiscard]] QString errorString() const;

private:
    void onNewConnection();
    void onText(QWebSocket *from, const QString &message);
    void onDisconnected(QWebSocket *client);

    QWebSocketServer *m_server;
    QList<QWebSocket *> m_clients;
};
