#include "chat/commitqueue.h"

#include <QElapsedTimer>

namespace chat::server {

CommitQueue::CommitQueue(MessageStore *store, int maxBatch, int delayMs, QObject *parent)
    : QObject(parent)
    , m_store(store)
    , m_maxBatch(qMax(1, maxBatch))
{
    m_timer.setSingleShot(true);
    m_timer.setInterval(qMax(0, delayMs));
    connect(&m_timer, &QTimer::timeout, this, &CommitQueue::flush);
}

void CommitQueue::submit(const MessageStore::Entry &entry)
{
    m_pending.append(entry);
    m_pending.last().message.seq = 0; // the store numbers it
    if (!entry.message.id.isEmpty())  // events have no id to be resent under
        m_pendingIds.insert({entry.nickKey, entry.message.id});
    if (!m_store->isDurable() || m_pending.size() >= m_maxBatch)
        flush();
    else if (!m_timer.isActive())
        m_timer.start();
}

bool CommitQueue::isPending(const QString &nickKey, const QString &id) const
{
    return !id.isEmpty() && m_pendingIds.contains({nickKey, id});
}

void CommitQueue::flush()
{
    m_timer.stop();
    if (m_pending.isEmpty())
        return;
    QList<MessageStore::Entry> batch = std::exchange(m_pending, {});
    m_pendingIds.clear();
    QElapsedTimer clock;
    clock.start();
    ++m_transactions;
    if (!m_store->append(batch)) {
        qCWarning(lcStore).noquote()
            << "commit of" << batch.size() << "messages failed:" << m_store->errorString();
        for (MessageStore::Entry &entry : batch)
            entry.message.seq = 0;
        emit failed(batch, m_store->errorString());
        return;
    }
    qCDebug(lcStore) << "committed" << batch.size() << "messages in" << clock.nsecsElapsed() / 1000
                     << "us";
    QList<chat::proto::Message> messages;
    QList<MessageStore::Entry> resends;
    messages.reserve(batch.size());
    for (const MessageStore::Entry &entry : batch) {
        if (entry.duplicate)
            resends.append(entry);
        else
            messages.append(entry.message);
    }
    if (!messages.isEmpty())
        emit committed(messages);
    if (!resends.isEmpty())
        emit resent(resends);
}

} // namespace chat::server
