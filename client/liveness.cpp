#include "liveness.h"

#include "clientlogging.h"

#include <QWebSocket>

#include <algorithm>

namespace chat::client {

Liveness::Liveness(QObject *parent)
    : QObject(parent)
{
    connect(&m_timer, &QTimer::timeout, this, &Liveness::ping);
    // Precise, so the deadline is never early or late by a coarse timer's 5 %; it is armed only
    // once per timeout, not on every frame.
    m_deadline.setSingleShot(true);
    m_deadline.setTimerType(Qt::PreciseTimer);
    connect(&m_deadline, &QTimer::timeout, this, &Liveness::checkSilence);
}

void Liveness::setInterval(int ms)
{
    m_intervalMs = std::max(0, ms);
    if (m_intervalMs == 0) {
        stop();
    } else if (m_timer.isActive()) {
        m_timer.start(m_intervalMs);
        armDeadline();
    }
}

void Liveness::setTimeout(int ms)
{
    m_timeoutMs = std::max(0, ms);
    if (m_deadline.isActive())
        armDeadline();
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
    armDeadline();
}

void Liveness::stop()
{
    m_timer.stop();
    m_deadline.stop();
    if (m_socket)
        disconnect(m_socket, nullptr, this, nullptr);
    m_socket.clear();
}

void Liveness::heard()
{
    // Only the clock moves: the deadline finds out when it fires, so a busy chat costs no timer
    // restarts.
    m_sinceHeard.start();
}

void Liveness::ping()
{
    if (!m_socket) {
        stop();
        return;
    }
    m_socket->ping();
}

void Liveness::armDeadline()
{
    m_deadline.start(int(std::max<qint64>(0, timeout() - m_sinceHeard.elapsed())));
}

void Liveness::checkSilence()
{
    if (!m_socket) {
        stop();
        return;
    }
    const qint64 silentMs = m_sinceHeard.elapsed();
    if (silentMs < timeout()) {
        armDeadline(); // something came since it was armed: wait for the rest
        return;
    }
    qCInfo(lcNet) << "nothing heard from the server for" << silentMs << "ms";
    stop();
    emit silent(int(silentMs));
}

} // namespace chat::client
