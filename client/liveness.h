// Notices a connection that has gone quiet: pings the server at an interval and reports when
// nothing at all (pong or frame) has come back for too long. Without it a half-open connection
// (a frozen server, a vanished NAT entry) looks connected forever.
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QTimer>

class QWebSocket;

namespace chat::client {

class Liveness : public QObject
{
    Q_OBJECT
public:
    static constexpr int kDefaultIntervalMs = 15000;

    explicit Liveness(QObject *parent = nullptr);

    // 0 turns pings and the check off.
    void setInterval(int ms);
    [[nodiscard]] int interval() const { return m_intervalMs; }
    // 0 (the default) means two intervals. A dead connection is noticed when the timeout has
    // passed since the last thing heard (15 s pings: after 30 s of silence), not at the next ping.
    void setTimeout(int ms);
    [[nodiscard]] int timeout() const;

    // Starts watching this socket, counting from now; replaces the one watched before.
    void watch(QWebSocket *socket);
    void stop();

signals:
    // Nothing was heard for silentMs; watching has stopped.
    void silent(int silentMs);

private:
    void heard();
    void ping();
    void checkSilence();
    void armDeadline();

    QPointer<QWebSocket> m_socket;
    QTimer m_timer;    // pings
    QTimer m_deadline; // fires when the timeout since the last thing heard may have passed
    QElapsedTimer m_sinceHeard;
    int m_intervalMs = kDefaultIntervalMs;
    int m_timeoutMs = 0;
};

} // namespace chat::client
