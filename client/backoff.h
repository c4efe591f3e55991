// Delays between reconnection attempts: exponential growth up to a cap, with jitter so that many
// clients dropped at once do not all come back in the same instant.
#pragma once

#include <functional>

namespace chat::client {

class Backoff
{
public:
    // Returns uniform random numbers in [0, 1).
    using RandomSource = std::function<double()>;

    static constexpr int kDefaultInitialMs = 1000;
    static constexpr int kDefaultMaxMs = 30000;
    static constexpr double kJitter = 0.2; // each delay varies by up to ±20%

    explicit Backoff(int initialMs = kDefaultInitialMs, int maxMs = kDefaultMaxMs,
                     RandomSource random = {});

    void setRange(int initialMs, int maxMs);
    void setRandomSource(RandomSource random); // empty: QRandomGenerator::global()

    // The delay before the next attempt; each call doubles the base delay until the cap.
    [[nodiscard]] int nextDelayMs();
    // Back to the initial delay, after a connection proved stable.
    void reset();

    [[nodiscard]] int initialMs() const { return m_initialMs; }
    [[nodiscard]] int maxMs() const { return m_maxMs; }
    [[nodiscard]] int attempts() const { return m_attempts; } // delays handed out since reset()
    // Bounds every delay stays within.
    [[nodiscard]] int floorMs() const;
    [[nodiscard]] int ceilingMs() const;

private:
    [[nodiscard]] double random() const;

    int m_initialMs;
    int m_maxMs;
    int m_attempts = 0;
    RandomSource m_random;
};

} // namespace chat::client
