#include "cluster/ordereddelivery.h"

namespace chat::server {

using chat::proto::Message;

OrderedDelivery::OrderedDelivery(qint64 delivered, Reader reader, Oldest oldest, Deliver deliver,
                                 qint64 chunk)
    : m_reader(std::move(reader))
    , m_oldest(std::move(oldest))
    , m_deliver(std::move(deliver))
    , m_chunk(qMax<qint64>(1, chunk))
    , m_delivered(delivered)
    , m_known(delivered)
{}

bool OrderedDelivery::ownCommitted(const QList<Message> &messages)
{
    m_waiting.append(messages);
    return pump();
}

bool OrderedDelivery::committedUpTo(qint64 last)
{
    m_known = qMax(m_known, last);
    return pump();
}

bool OrderedDelivery::pump()
{
    while (!m_waiting.isEmpty()) {
        const qint64 first = m_waiting.first().seq;
        if (first > m_delivered + 1 && !readUpTo(first - 1))
            return false;
        // Own messages are one run of seqs per commit; commits follow each other in seq order.
        QList<Message> run;
        while (!m_waiting.isEmpty()) {
            const qint64 next = m_delivered + 1 + run.size();
            if (m_waiting.first().seq > next)
                break; // another node's numbers come between: read them first
            Message message = m_waiting.takeFirst();
            if (message.seq == next) // an older one was delivered already (read back)
                run.append(std::move(message));
        }
        if (!run.isEmpty()) {
            m_delivered = run.last().seq;
            m_known = qMax(m_known, m_delivered);
            m_deliver(run, true);
        }
    }
    return m_known <= m_delivered || readUpTo(m_known);
}

bool OrderedDelivery::catchUp()
{
    if (!pump())
        return false;
    for (;;) {
        const qint64 from = m_delivered;
        const std::optional<QList<Message>> read = m_reader(from + 1, from + m_chunk);
        if (!read)
            return false;
        if (read->isEmpty())
            return true;
        m_delivered = read->last().seq;
        m_known = qMax(m_known, m_delivered);
        m_deliver(*read, false);
        if (read->size() < m_chunk)
            return true;
    }
}

bool OrderedDelivery::readUpTo(qint64 last)
{
    while (m_delivered < last) {
        const qint64 end = qMin(last, m_delivered + m_chunk);
        const std::optional<QList<Message>> read = m_reader(m_delivered + 1, end);
        if (!read)
            return false;
        QList<Message> fresh;
        for (const Message &message : *read)
            if (message.seq > m_delivered && message.seq <= end)
                fresh.append(message);
        if (fresh.isEmpty()) {
            // Numbers below the oldest held were pruned: nothing to deliver, nothing to wait for.
            const std::optional<qint64> oldest = m_oldest();
            if (!oldest || end >= *oldest)
                return false;
            m_delivered = end;
            continue;
        }
        m_delivered = fresh.last().seq;
        m_deliver(fresh, false);
        if (m_delivered < end)
            return false; // committed, so there: the rest could not be read now
    }
    return true;
}

} // namespace chat::server
