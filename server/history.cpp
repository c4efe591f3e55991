#include "history.h"

namespace chat::server {

using chat::proto::Message;

History::History(int capacity)
    : m_capacity(qMax(0, capacity))
{}

void History::append(const Message &message)
{
    Q_ASSERT(message.seq == m_newestSeq + 1);
    m_newestSeq = message.seq;
    if (m_capacity == 0)
        return;
    if (m_ring.size() < size_t(m_capacity)) {
        m_ring.push_back(message);
        ++m_size;
        return;
    }
    // Full: overwrite the oldest and move the start past it.
    m_ring[m_start] = message;
    m_start = (m_start + 1) % m_ring.size();
}

QList<Message> History::all() const
{
    return fromSeq(oldestSeq());
}

History::Resume History::since(qint64 lastSeq) const
{
    // The gap is gone (lastSeq too old) or the client knows numbers this server never gave
    // (it restarted): the client must drop what it shows and take the recent history.
    if (lastSeq > m_newestSeq || lastSeq < oldestSeq() - 1)
        return {false, all()};
    return {true, fromSeq(lastSeq + 1)};
}

QList<Message> History::fromSeq(qint64 firstSeq) const
{
    QList<Message> result;
    if (m_size == 0 || firstSeq > m_newestSeq)
        return result;
    // Sequence numbers are consecutive, so a seq maps straight to a position.
    const size_t skip = size_t(firstSeq - oldestSeq());
    result.reserve(qsizetype(m_size - skip));
    for (size_t i = skip; i < m_size; ++i)
        result.append(m_ring[(m_start + i) % m_ring.size()]);
    return result;
}

} // namespace chat::server
