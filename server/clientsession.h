// One accepted WebSocket connection: enforces the size limits and the hello deadline, decodes
// every text frame through chatcommon and answers what it can alone (errors, pings). The hub
// gets only well-formed hellos and sends, already checked against the session's state.
#pragma once

#include "hubconfig.h"
#include "protocol.h"

#include <QObject>
#include <QString>
#include <QWebSocketProtocol>

QT_BEGIN_NAMESPACE
class QTimer;
class QWebSocket;
QT_END_NAMESPACE

namespace chat::server {

class ClientSession : public QObject
{
    Q_OBJECT
public:
    // Takes ownership of the socket. Deletes itself (later) once the connection is gone.
    explicit ClientSession(QWebSocket *socket, const HubConfig &config, QObject *parent = nullptr);
    ~ClientSession() override;

    [[nodiscard]] bool isJoined() const { return m_joined; }
    [[nodiscard]] bool isClosing() const { return m_closing; }
    [[nodiscard]] const QString &nick() const { return m_nick; }
    [[nodiscard]] const QString &nickKey() const { return m_nickKey; }
    [[nodiscard]] const QString &peer() const { return m_peer; } // "address:port", for logs

    // Called by the hub once the hello was accepted; stops the hello deadline.
    void markJoined(const QString &nick, const QString &nickKey);

    // Sends a frame encoded elsewhere (a broadcast encodes once for everyone).
    void sendFrame(const QString &frame);
    void sendMessage(const chat::proto::ServerMessage &message);
    void sendError(chat::proto::ErrorCode code, const QString &reason, const QString &ref = {});
    // Sends the error, then closes with 1008: for a hello that cannot be admitted.
    void refuse(chat::proto::ErrorCode code, const QString &reason);
    void close(QWebSocketProtocol::CloseCode code, const QString &reason);

signals:
    void helloReceived(chat::server::ClientSession *session, const chat::proto::Hello &hello);
    void sendReceived(chat::server::ClientSession *session, const chat::proto::Send &send);
    // The connection is gone; emitted once, after which the session deletes itself.
    void closed(chat::server::ClientSession *session);

private:
    void onText(const QString &frame);
    void onBinary();
    void onDisconnected();

    QWebSocket *m_socket;
    QTimer *m_helloTimer;
    QString m_peer;
    QString m_nick;
    QString m_nickKey;
    bool m_joined = false;
    bool m_closing = false;
    bool m_gone = false;
};

} // namespace chat::server
