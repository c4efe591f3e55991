// The history a welcome carries: the most recent messages, kept in memory, and the answer to a
// resume request, read from the store when the gap is older than what memory holds.
#pragma once

#include "protocol.h"

#include <QList>
#include <QSet>
#include <QString>

#include <deque>

namespace chat::server {

class MessageStore;

class History
{
public:
    // Starts with the newest `capacity` messages of the store. A resume may read up to
    // `resumeLimit` messages from the store; a larger gap gets the recent history instead.
    // Neither answer holds more than `maxBytes` of text (<= 0: no limit), so that what one
    // welcome makes the server read, encode and buffer is bounded whatever the messages' size.
    History(int capacity, const MessageStore &store, int resumeLimit, qint64 maxBytes = 0);

    // Appends a stored message (as CommitQueue::committed hands them over: numbered by the
    // store); its seq must be one more than the previous one.
    void append(const chat::proto::Message &message);
    // Forgets the messages before `seq`, after the store pruned them.
    void forgetBefore(qint64 seq);

    [[nodiscard]] int capacity() const { return int(m_capacity); }
    [[nodiscard]] int size() const { return int(m_messages.size()); }
    [[nodiscard]] qint64 newestSeq() const { return m_newestSeq; }
    // The oldest seq held in memory; newestSeq() + 1 when nothing is.
    [[nodiscard]] qint64 oldestSeq() const { return m_newestSeq - qint64(m_messages.size()) + 1; }

    // The recent messages, oldest first: the newest that fit in the byte limit.
    [[nodiscard]] QList<chat::proto::Message> recent() const;
    // What a message counts against the byte limit: its text in UTF-8 plus the rest of its frame.
    [[nodiscard]] static qint64 weight(const chat::proto::Message &message);

    struct Resume
    {
        bool resumed = false; // true: messages are exactly those after lastSeq
        QList<chat::proto::Message> messages;
    };
    // Applies the resume rules of protocol version 2 for a hello carrying lastSeq: every room.
    [[nodiscard]] Resume since(qint64 lastSeq) const;
    // Version 3's resume: the messages after lastSeq in `rooms` and the events whose target is
    // `target` (an account name), oldest first; from memory when it holds everything after
    // lastSeq, else from the store. Not resumed (and no messages) when they are more than
    // resumeLimit or weigh more than maxBytes, when some after lastSeq are no longer held, or
    // when lastSeq is newer than this history: the client reloads its rooms then.
    [[nodiscard]] Resume since(const QSet<QString> &rooms, const QString &target,
                               qint64 lastSeq) const;
    // A page of one room as MessageStore::page() gives it: from memory when memory holds the
    // page and an older message of the room (or everything the store holds), else from the
    // store, whose (room, seq) index finds a quiet room's page without reading the busy ones.
    [[nodiscard]] QList<chat::proto::Message> page(const QString &room, qint64 before, int limit,
                                                   bool *more) const;

private:
    [[nodiscard]] QList<chat::proto::Message> fromSeq(qint64 firstSeq) const;
    // The bytes the held messages from `firstSeq` on weigh.
    [[nodiscard]] qint64 weightFrom(qint64 firstSeq) const;

    const MessageStore &m_store;
    size_t m_capacity;
    qint64 m_resumeLimit;
    qint64 m_maxBytes;
    std::deque<chat::proto::Message> m_messages; // consecutive seqs, oldest first
    qint64 m_newestSeq = 0;
};

} // namespace chat::server
