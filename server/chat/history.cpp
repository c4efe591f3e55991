#include "chat/history.h"

#include "store/messagestore.h"

#include <algorithm>
#include <climits>
#include <limits>

namespace chat::server {

using chat::proto::Message;

History::History(int capacity, const MessageStore &store, int resumeLimit, qint64 maxBytes)
    : m_store(store)
    , m_capacity(size_t(qMax(0, capacity)))
    , m_resumeLimit(qMax(0, resumeLimit))
    , m_maxBytes(maxBytes > 0 ? maxBytes : std::numeric_limits<qint64>::max())
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

qint64 History::weight(const Message &message)
{
    return messageWeight(message);
}

qint64 History::weightFrom(qint64 firstSeq) const
{
    qint64 total = 0;
    const size_t skip = size_t(qMax<qint64>(0, firstSeq - oldestSeq()));
    for (size_t i = skip; i < m_messages.size(); ++i)
        total += weight(m_messages[i]);
    return total;
}

QList<Message> History::recent() const
{
    // The newest messages whose weight fits, walking back from the newest.
    qint64 first = m_newestSeq + 1;
    qint64 total = 0;
    for (auto it = m_messages.crbegin(); it != m_messages.crend(); ++it) {
        total += weight(*it);
        if (total > m_maxBytes)
            break;
        first = it->seq;
    }
    return fromSeq(first);
}

History::Resume History::since(qint64 lastSeq) const
{
    // The client knows numbers this server never gave (it started afresh): reload.
    if (lastSeq > m_newestSeq)
        return {false, recent()};
    const qint64 heldWeight = weightFrom(qMax(lastSeq + 1, oldestSeq()));
    // Too much to send in one answer: the client reloads the recent history instead.
    if (heldWeight > m_maxBytes)
        return {false, recent()};
    if (lastSeq >= oldestSeq() - 1)
        return {true, fromSeq(lastSeq + 1)};
    // Older than memory: the store may still hold the gap, unless it is too long to send.
    if (m_newestSeq - lastSeq > m_resumeLimit || lastSeq < m_store.oldestSeq() - 1)
        return {false, recent()};
    QList<Message> missed = m_store.range(lastSeq + 1, oldestSeq() - 1, m_maxBytes - heldWeight);
    if (missed.size() != oldestSeq() - 1 - lastSeq)
        return {false, recent()}; // over the byte limit, a read failed, or a piece is gone
    missed.append(fromSeq(oldestSeq()));
    return {true, missed};
}

History::Resume History::since(const QSet<QString> &rooms, const QString &target,
                               qint64 lastSeq) const
{
    if (lastSeq > m_newestSeq)
        return {}; // numbers this history never gave
    if (lastSeq + 1 < oldestSeq() || m_messages.empty()) {
        bool complete = false;
        QList<Message> missed =
            m_store.since(rooms, target, lastSeq, int(qMin<qint64>(m_resumeLimit, INT_MAX)),
                          m_maxBytes, &complete);
        if (!complete)
            return {};
        return {true, missed};
    }
    Resume resume{true, {}};
    qint64 total = 0;
    const size_t skip = size_t(qMax<qint64>(0, lastSeq + 1 - oldestSeq()));
    for (size_t i = skip; i < m_messages.size(); ++i) {
        const Message &message = m_messages[i];
        if (!rooms.contains(message.room) &&
            (message.event.isEmpty() || target.isEmpty() || message.target != target))
            continue;
        total += weight(message);
        if (resume.messages.size() >= m_resumeLimit || total > m_maxBytes)
            return {};
        resume.messages.append(message);
    }
    return resume;
}

QList<Message> History::page(const QString &room, qint64 before, int limit, bool *more) const
{
    *more = false;
    QList<Message> result;
    const qint64 bound = before > 0 ? qMin(before, m_newestSeq + 1) : m_newestSeq + 1;
    if (limit > 0 && !m_messages.empty() && bound > oldestSeq()) {
        const size_t end = size_t(bound - oldestSeq()); // the first held seq not wanted
        for (size_t i = end; i-- > 0;) {
            if (m_messages[i].room != room)
                continue;
            if (result.size() == limit) {
                *more = true;
                break;
            }
            result.append(m_messages[i]);
        }
        // Memory ends before the page does, or cannot tell whether older ones exist: unless it
        // holds everything the store does, the store answers.
        if (*more || oldestSeq() <= m_store.oldestSeq()) {
            std::reverse(result.begin(), result.end());
            return result;
        }
    }
    *more = false;
    return m_store.page(room, before, limit, more);
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
