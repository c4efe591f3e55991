#include "history.h"

#include "messagestore.h"

namespace chat::server {

using chat::proto::Message;

History::History(int capacity, const MessageStore &store, int resumeLimit)
    : m_store(store)
    , m_capacity(size_t(qMax(0, capacity)))
    , m_resumeLimit(qMax(0, resumeLimit))
    , m_newestSeq(store.lastSeq())
{
    const qint64 first = qMax(store.oldestSeq(), m_newestSeq - qint64(m_capacity) + 1);
    const QList<Message> stored = store.range(first, m_newestSeq);
    // Only an unbroken run that ends at the newest seq can be served as "the messages after L".
    if (!stored.isEmpty() && stored.constLast().seq == m_newestSeq &&
        stored.constFirst().seq == m_newestSeq - stored.size() + 1)
        m_messages.assign(stored.cbegin(), stored.cend());
}

void History::append(const Message &message)
{
    Q_ASSERT(message.seq == m_newestSeq + 1);
    m_newestSeq = message.seq;
    if (m_capacity == 0)
        return;
    m_messages.push_back(message);
    if (m_messages.size() > m_capacity)
        m_messages.pop_front();
}

void History::forgetBefore(qint64 seq)
{
    while (!m_messages.empty() && m_messages.front().seq < seq)
        m_messages.pop_front();
}

QList<Message> History::recent() const
{
    return fromSeq(oldestSeq());
}

History::Resume History::since(qint64 lastSeq) const
{
    // The client knows numbers this server never gave (it started afresh): reload.
    if (lastSeq > m_newestSeq)
        return {false, recent()};
    if (lastSeq >= oldestSeq() - 1)
        return {true, fromSeq(lastSeq + 1)};
    // Older than memory: the store may still hold the gap, unless it is too long to send.
    if (m_newestSeq - lastSeq > m_resumeLimit || lastSeq < m_store.oldestSeq() - 1)
        return {false, recent()};
    QList<Message> missed = m_store.range(lastSeq + 1, oldestSeq() - 1);
    if (missed.size() != oldestSeq() - 1 - lastSeq)
        return {false, recent()}; // a read failed or the store lost a piece: reload
    missed.append(recent());
    return {true, missed};
}

QList<Message> History::fromSeq(qint64 firstSeq) const
{
    QList<Message> result;
    if (m_messages.empty() || firstSeq > m_newestSeq)
        return result;
    // Sequence numbers are consecutive, so a seq maps straight to a position.
    const size_t skip = size_t(qMax<qint64>(0, firstSeq - oldestSeq()));
    result.reserve(qsizetype(m_messages.size() - skip));
    for (size_t i = skip; i < m_messages.size(); ++i)
        result.append(m_messages[i]);
    return result;
}

} // namespace chat::server
