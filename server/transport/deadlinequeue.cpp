#include "transport/deadlinequeue.h"

namespace chat::server {

DeadlineQueue::DeadlineQueue(int timeoutMs, QObject *parent)
    : QObject(parent)
    , m_timeoutMs(timeoutMs)
{
    m_clock.start();
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &DeadlineQueue::onTimeout);
}

void DeadlineQueue::add(QObject *target)
{
    m_entries.push_back({m_clock.elapsed() + m_timeoutMs, target});
    if (!m_timer.isActive())
        arm();
}

void DeadlineQueue::onTimeout()
{
    const qint64 now = m_clock.elapsed();
    // Taken out before anyone hears of it: a receiver may add new deadlines or destroy others.
    while (!m_entries.empty() && m_entries.front().dueMs <= now) {
        const QPointer<QObject> target = m_entries.front().target;
        m_entries.pop_front();
        if (target)
            emit expired(target);
    }
    if (!m_entries.empty() && !m_timer.isActive())
        arm();
}

void DeadlineQueue::arm()
{
    if (m_entries.empty())
        return;
    m_timer.start(int(qMax<qint64>(0, m_entries.front().dueMs - m_clock.elapsed())));
}

} // namespace chat::server
