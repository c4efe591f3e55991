// A token bucket per connection: `rate` messages a second on average, bursts of up to `burst`.
// It also counts refusals in a row, so a client that keeps pushing after being told to slow
// down can be cut off instead of costing the server an error reply per message forever.
#pragma once

#include <QtGlobal>

namespace chat::server {

class RateLimiter
{
public:
    enum class Verdict {
        Accept,     // within the limit
        Reject,     // over the limit: refuse this one, the connection stays
        Disconnect, // over the limit once too often in a row: close the connection
    };

    // `ratePerSecond` <= 0 turns the limit off. The bucket starts full. After `strikesAllowed`
    // refusals in a row the next one is a Disconnect.
    RateLimiter(double ratePerSecond, int burst, int strikesAllowed);

    // Takes a token at `nowMs` (any monotonic clock, never going back).
    [[nodiscard]] Verdict take(qint64 nowMs);
    [[nodiscard]] int strikes() const { return m_strikes; }

private:
    double m_rate;
    double m_burst;
    int m_strikesAllowed;
    double m_tokens;
    qint64 m_lastMs = -1;
    int m_strikes = 0;
};

} // namespace chat::server
