#include "store/idfilter.h"

#include <QHashFunctions>

namespace chat::server {

IdFilter::IdFilter(qint64 capacity)
    : m_capacity(qMax<qint64>(1, capacity))
    , m_bits(quint64(m_capacity) * 10)
    , m_words(size_t((m_bits + 63) / 64), 0)
{}

template<typename Visit>
void IdFilter::forEachBit(QStringView nickKey, QStringView id, Visit visit) const
{
    // Two hashes make all seven (Kirsch and Mitzenmacher); the second is odd, so the steps
    // never repeat a bit before wrapping around.
    const quint64 first = qHashMulti(0x9e3779b97f4a7c15ULL, nickKey, id);
    const quint64 step = qHashMulti(0xc2b2ae3d27d4eb4fULL, id, nickKey) | 1;
    for (int i = 0; i < kHashes; ++i) {
        const quint64 bit = (first + quint64(i) * step) % m_bits;
        if (!visit(bit / 64, quint64(1) << (bit % 64)))
            return;
    }
}

void IdFilter::add(QStringView nickKey, QStringView id)
{
    forEachBit(nickKey, id, [this](size_t word, quint64 mask) {
        m_words[word] |= mask;
        return true;
    });
    ++m_count;
}

bool IdFilter::mightContain(QStringView nickKey, QStringView id) const
{
    bool all = true;
    forEachBit(nickKey, id, [&](size_t word, quint64 mask) {
        all = (m_words[word] & mask) != 0;
        return all;
    });
    return all;
}

} // namespace chat::server
