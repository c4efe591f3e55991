#include "chat/presencefeed.h"

namespace chat::server {

using chat::proto::User;

PresenceFeed::PresenceFeed(int intervalMs, QObject *parent)
    : QObject(parent)
    , m_intervalMs(qMax(0, intervalMs))
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &PresenceFeed::due);
}

void PresenceFeed::changed(qint64 accountId, const std::optional<User> &user)
{
    if (user)
        m_cameNames.insert(accountId, user->name);
    m_pending.insert(accountId, user);
    if (m_timer.isActive())
        return;
    // After a quiet spell at the end of this turn of the event loop; in a crowd, once the
    // interval since the last round has passed.
    const qint64 sinceTold = m_sinceTold.isValid() ? m_sinceTold.elapsed() : m_intervalMs;
    m_timer.start(int(qMax<qint64>(0, m_intervalMs - sinceTold)));
}

std::optional<PresenceFeed::Round> PresenceFeed::take()
{
    m_timer.stop();
    if (m_pending.isEmpty())
        return std::nullopt;
    Round round;
    for (auto it = m_pending.cbegin(); it != m_pending.cend(); ++it) {
        const auto told = m_told.constFind(it.key());
        const std::optional<User> &now = it.value();
        if (told == m_told.cend()) {
            if (!now) {
                if (const auto name = m_cameNames.constFind(it.key()); name != m_cameNames.cend())
                    round.cameAndWent.insert(it.key(), *name);
                continue; // came and went in between
            }
            round.joined.insert(it.key(), *now);
            m_told.insert(it.key(), *now);
        } else if (!now) {
            round.left.insert(it.key(), told->name);
            m_told.erase(told);
        } else if (!(*told == *now)) {
            // Still online under another display name: told as a join, which updates it.
            round.joined.insert(it.key(), *now);
            m_told.insert(it.key(), *now);
        }
    }
    m_pending.clear();
    m_cameNames.clear();
    m_sinceTold.start();
    if (round.joined.isEmpty() && round.left.isEmpty() && round.cameAndWent.isEmpty())
        return std::nullopt;
    return round;
}

} // namespace chat::server
