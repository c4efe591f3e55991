// Latency histogram with about 1.5 % resolution from 1 µs to hours, in constant memory: every
// delivery is counted, however many millions there are.
#pragma once

#include <array>
#include <cstdint>

namespace chat::bench {

class Histogram
{
public:
    void add(std::int64_t nanoseconds);
    void merge(const Histogram &other);
    [[nodiscard]] std::int64_t count() const { return m_count; }
    [[nodiscard]] std::int64_t maxNs() const { return m_max; }
    // The value at or below which `fraction` (0..1) of the samples lie, in nanoseconds.
    [[nodiscard]] std::int64_t percentileNs(double fraction) const;

private:
    static constexpr int kSubBits = 6; // 64 buckets per power of two
    static constexpr int kBuckets = (64 - kSubBits + 1) << kSubBits;
    static int bucketOf(std::uint64_t micros);
    static std::int64_t upperBoundNs(int bucket);

    std::array<std::int64_t, kBuckets> m_buckets{};
    std::int64_t m_count = 0;
    std::int64_t m_max = 0;
};

} // namespace chat::bench
