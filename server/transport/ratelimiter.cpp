#include "transport/ratelimiter.h"

#include <algorithm>

namespace chat::server {

RateLimiter::RateLimiter(double ratePerSecond, int burst, int strikesAllowed)
    : m_rate(ratePerSecond)
    , m_burst(std::max(1, burst))
    , m_strikesAllowed(std::max(0, strikesAllowed))
    , m_tokens(m_burst)
{}

RateLimiter::Verdict RateLimiter::take(qint64 nowMs)
{
    if (m_rate <= 0)
        return Verdict::Accept;
    if (m_lastMs >= 0 && nowMs > m_lastMs)
        m_tokens = std::min(m_burst, m_tokens + double(nowMs - m_lastMs) * m_rate / 1000.0);
    m_lastMs = std::max(m_lastMs, nowMs);
    if (m_tokens >= 1.0) {
        m_tokens -= 1.0;
        m_strikes = 0;
        return Verdict::Accept;
    }
    ++m_strikes;
    return m_strikes > m_strikesAllowed ? Verdict::Disconnect : Verdict::Reject;
}

} // namespace chat::server
