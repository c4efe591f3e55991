#include "backoff.h"

#include <QRandomGenerator>

#include <algorithm>
#include <cmath>

namespace chat::client {

Backoff::Backoff(int initialMs, int maxMs, RandomSource random)
    : m_random(std::move(random))
{
    setRange(initialMs, maxMs);
}

void Backoff::setRange(int initialMs, int maxMs)
{
    m_initialMs = std::max(1, initialMs);
    m_maxMs = std::max(m_initialMs, maxMs);
}

void Backoff::setRandomSource(RandomSource random)
{
    m_random = std::move(random);
}

int Backoff::nextDelayMs()
{
    // Doubling stops at the cap; the exponent is bounded so the shift never overflows.
    const double base =
        std::min(double(m_maxMs), double(m_initialMs) * std::ldexp(1.0, std::min(m_attempts, 30)));
    ++m_attempts;
    const double factor = 1.0 + kJitter * (2.0 * random() - 1.0);
    const double delay = std::round(base * factor);
    return int(std::clamp(delay, double(floorMs()), double(ceilingMs())));
}

void Backoff::reset()
{
    m_attempts = 0;
}

int Backoff::floorMs() const
{
    return std::max(1, int(std::ceil(m_initialMs * (1.0 - kJitter))));
}

int Backoff::ceilingMs() const
{
    return int(std::floor(m_maxMs * (1.0 + kJitter)));
}

double Backoff::random() const
{
    const double r = m_random ? m_random() : QRandomGenerator::global()->generateDouble();
    // A broken source must not push a delay outside its bounds.
    return std::isfinite(r) ? std::clamp(r, 0.0, 1.0) : 0.5;
}

} // namespace chat::client
