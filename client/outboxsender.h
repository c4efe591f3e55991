// Sends our unacknowledged messages over the joined connection, oldest first, a few at a time:
// the next goes out when one is acknowledged. So a long outbox flushed after a reconnection
// cannot run into the server's rate limit all at once, and with a window of one the server
// accepts them in exactly the order they were written. A message the server answers with an
// error it may get over (rate_limited, internal) goes out again after a delay.
#pragma once

#include <QObject>
#include <QPointer>
#include <QSet>
#include <QTimer>

class QWebSocket;

namespace chat::client {

class Conversation;

class OutboxSender : public QObject
{
    Q_OBJECT
public:
    static constexpr int kDefaultWindow = 1;
    static constexpr int kDefaultRetryDelayMs = 1000;

    explicit OutboxSender(Conversation *conversation, QObject *parent = nullptr);

    // How many messages may await their acknowledgement at once (at least 1).
    void setWindow(int messages);
    void setRetryDelay(int ms);

    // The connection to send on once joined; nullptr when there is none. A new connection
    // starts over: everything unacknowledged goes out again, with the same ids.
    void setSocket(QWebSocket *socket);
    // Sends what the window allows; call when the outbox changed.
    void pump();
    // The server refused this message for now: send it again after the delay.
    void retryLater(const QString &id);

private:
    Conversation *const m_conversation;
    QPointer<QWebSocket> m_socket;
    QSet<QString> m_inFlight; // sent on this connection, not acknowledged yet
    QSet<QString> m_waiting;  // refused for now; they keep their place in the window
    QTimer m_retryTimer;
    int m_window = kDefaultWindow;
};

} // namespace chat::client
