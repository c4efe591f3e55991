// Group commit: accepted messages wait here until the end of the event loop's turn (or the
// configured delay), so that one transaction (one fsync) stores everything a turn read. Only once
// stored are they handed on to be acknowledged.
#pragma once

#include "store/messagestore.h"

#include <QList>
#include <QObject>
#include <QPair>
#include <QSet>
#include <QString>
#include <QTimer>

namespace chat::server {

class CommitQueue : public QObject
{
    Q_OBJECT
public:
    // Commits when maxBatch messages wait or delayMs after the first of them arrived, whichever
    // comes first. A store that is not durable gains nothing by waiting: each commits at once.
    CommitQueue(MessageStore *store, int maxBatch, int delayMs, QObject *parent = nullptr);

    // The entry's message.seq is not read: the store numbers the batch when it commits.
    void submit(const MessageStore::Entry &entry);
    // True while a message with this id from this nickname waits for its commit.
    [[nodiscard]] bool isPending(const QString &nickKey, const QString &id) const;
    [[nodiscard]] int pendingCount() const { return int(m_pending.size()); }
    [[nodiscard]] qint64 transactionCount() const { return m_transactions; }
    // Commits everything that waits, now.
    void flush();

signals:
    // Stored, numbered by the store, in the order submitted (which is the sequence order): from
    // here on they survive a crash, so they may be acknowledged.
    void committed(const QList<chat::proto::Message> &messages);
    // These ids were stored already (by this node or another sharing the store), so they were
    // not stored again: each entry's message is the stored one, to acknowledge the resend with.
    void resent(const QList<chat::server::MessageStore::Entry> &entries);
    // Nothing of these was stored, in the order submitted; they have no seq (0) and used none up.
    void failed(const QList<chat::server::MessageStore::Entry> &entries, const QString &reason);

private:
    MessageStore *m_store;
    int m_maxBatch;
    QTimer m_timer;
    QList<MessageStore::Entry> m_pending;
    QSet<QPair<QString, QString>> m_pendingIds; // (nick key, id)
    qint64 m_transactions = 0;
};

} // namespace chat::server
