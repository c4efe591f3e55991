#include "histogram.h"

#include <algorithm>
#include <cmath>

namespace chat::bench {

int Histogram::bucketOf(std::uint64_t micros)
{
    constexpr std::uint64_t kLinear = std::uint64_t(1) << kSubBits;
    if (micros < kLinear)
        return int(micros);                       // exact below 64 µs
    const int top = 63 - __builtin_clzll(micros); // >= kSubBits
    const int shift = top - kSubBits;
    const int sub = int((micros >> shift) & (kLinear - 1));
    return ((shift + 1) << kSubBits) + sub;
}

std::int64_t Histogram::upperBoundNs(int bucket)
{
    const int group = bucket >> kSubBits;
    const std::int64_t sub = bucket & ((1 << kSubBits) - 1);
    if (group == 0)
        return (sub + 1) * 1000;
    const int shift = group - 1;
    const std::int64_t low = ((std::int64_t(1) << kSubBits) + sub) << shift;
    return (low + (std::int64_t(1) << shift)) * 1000;
}

void Histogram::add(std::int64_t nanoseconds)
{
    const std::int64_t ns = std::max<std::int64_t>(nanoseconds, 0);
    ++m_buckets[std::size_t(bucketOf(std::uint64_t(ns / 1000)))];
    ++m_count;
    m_max = std::max(m_max, ns);
}

void Histogram::merge(const Histogram &other)
{
    for (std::size_t i = 0; i < m_buckets.size(); ++i)
        m_buckets[i] += other.m_buckets[i];
    m_count += other.m_count;
    m_max = std::max(m_max, other.m_max);
}

std::int64_t Histogram::percentileNs(double fraction) const
{
    if (m_count == 0)
        return 0;
    const auto wanted = std::int64_t(std::ceil(fraction * double(m_count)));
    std::int64_t seen = 0;
    for (int i = 0; i < kBuckets; ++i) {
        seen += m_buckets[std::size_t(i)];
        if (seen >= wanted && seen > 0)
            return std::min(upperBoundNs(i), m_max);
    }
    return m_max;
}

} // namespace chat::bench
