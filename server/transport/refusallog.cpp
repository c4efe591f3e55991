#include "transport/refusallog.h"

#include "logging.h"

namespace chat::server {

RefusalLog::RefusalLog(int intervalMs, QObject *parent)
    : QObject(parent)
    , m_intervalMs(qMax(1, intervalMs))
{
    m_clock.start();
    m_timer.setInterval(qMax(1, m_intervalMs / 6));
    connect(&m_timer, &QTimer::timeout, this, &RefusalLog::summarise);
}

void RefusalLog::refused(const QString &addressKey, int limit)
{
    const auto it = m_entries.find(addressKey);
    if (it != m_entries.end()) {
        ++it->unlogged;
        return;
    }
    m_entries.insert(addressKey, Entry{m_clock.elapsed(), 0});
    ++m_lines;
    qCWarning(lcServerNet).noquote()
        << "refusing connections from" << addressKey << "over the limit of" << limit
        << "per address; further refusals are summarised once a minute";
    if (!m_timer.isActive())
        m_timer.start();
}

void RefusalLog::summarise()
{
    const qint64 now = m_clock.elapsed();
    for (auto it = m_entries.begin(); it != m_entries.end();) {
        if (now - it->loggedAtMs < m_intervalMs) {
            ++it;
            continue;
        }
        if (it->unlogged == 0) {
            it = m_entries.erase(it); // quiet for an interval: the next refusal logs at once
            continue;
        }
        ++m_lines;
        qCWarning(lcServerNet).noquote()
            << it.key() << ":" << it->unlogged << "more connections refused (over the limit)";
        it->unlogged = 0;
        it->loggedAtMs = now;
        ++it;
    }
    if (m_entries.isEmpty())
        m_timer.stop();
}

} // namespace chat::server
