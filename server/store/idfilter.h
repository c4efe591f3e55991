// A Bloom filter over (nick key, id) of the messages in a store: a send whose id it has never
// seen, which is nearly every send, skips the database lookup for a resend. It may answer
// "maybe" for a pair it never saw (about one in a hundred up to its capacity), never "no" for
// one it did.
#pragma once

#include <QStringView>
#include <QtGlobal>

#include <vector>

namespace chat::server {

class IdFilter
{
public:
    // About 1 % false answers while it holds at most `capacity` pairs.
    explicit IdFilter(qint64 capacity);

    void add(QStringView nickKey, QStringView id);
    [[nodiscard]] bool mightContain(QStringView nickKey, QStringView id) const;
    [[nodiscard]] qint64 count() const { return m_count; }
    [[nodiscard]] qint64 capacity() const { return m_capacity; }

private:
    static constexpr int kHashes = 7; // optimal for 1 % with 9.6 bits per pair

    template<typename Visit>
    void forEachBit(QStringView nickKey, QStringView id, Visit visit) const;

    qint64 m_capacity;
    quint64 m_bits;
    std::vector<quint64> m_words;
    qint64 m_count = 0;
};

} // namespace chat::server
