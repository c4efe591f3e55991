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
    // 0 (the default) means two intervals. A dead connection is noticed within
    // timeout + interval.
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
    void tick();

    QPointer<QWebSocket> m_socket;
    QTimer m_timer;
    QElapsedTimer m_sinceHeard;
    int m_intervalMs = kDefaultIntervalMs;
    int m_timeoutMs = 0;
};

} // namespace chat::client
