#include "liveness.h"

#include "clientlogging.h"

#include <QWebSocket>

#include <algorithm>

namespace chat::client {

Liveness::Liveness(QObject *parent)
    : QObject(parent)
{
    connect(&m_timer, &QTimer::timeout, this, &Liveness::tick);
}

void Liveness::setInterval(int ms)
{
    m_intervalMs = std::max(0, ms);
    if (m_intervalMs == 0)
        m_timer.stop();
    else if (m_timer.isActive())
        m_timer.start(m_intervalMs);
}

void Liveness::setTimeout(int ms)
{
    m_timeoutMs = std::max(0, ms);
}

int Liveness::timeout() const
{
    return m_timeoutMs > 0 ? m_timeoutMs : 2 * m_intervalMs;
}

void Liveness::watch(QWebSocket *socket)
{
    stop();
    if (!socket || m_intervalMs == 0)
        return;
    m_socket = socket;
    // Any sign of life counts, not only pongs: a busy server may answer pings late.
    connect(socket, &QWebSocket::pong, this, &Liveness::heard);
    connect(socket, &QWebSocket::textMessageReceived, this, &Liveness::heard);
    connect(socket, &QWebSocket::binaryMessageReceived, this, &Liveness::heard);
    m_sinceHeard.start();
    m_timer.start(m_intervalMs);
}

void Liveness::stop()
{
    m_timer.stop();
    if (m_socket)
        disconnect(m_socket, nullptr, this, nullptr);
    m_socket.clear();
}

void Liveness::heard()
{
    m_sinceHeard.start();
}

void Liveness::tick()
{
    if (!m_socket) {
        stop();
        return;
    }
    const qint64 silentMs = m_sinceHeard.elapsed();
    if (silentMs >= timeout()) {
        qCInfo(lcNet) << "nothing heard from the server for" << silentMs << "ms";
        stop();
        emit silent(int(silentMs));
        return;
    }
    m_socket->ping();
}

} // namespace chat::client
