// The most recent chat messages, for the history in a welcome and for resuming after a drop.
#pragma once

#include "protocol.h"

#include <QList>

#include <vector>

namespace chat::server {

class History
{
public:
    explicit History(int capacity);

    // Appends a message; its seq must be one more than the previous one.
    void append(const chat::proto::Message &message);

    [[nodiscard]] int capacity() const { return m_capacity; }
    [[nodiscard]] int size() const { return int(m_size); }
    [[nodiscard]] qint64 newestSeq() const { return m_newestSeq; }
    // The oldest seq still held; newestSeq() + 1 when nothing is held.
    [[nodiscard]] qint64 oldestSeq() const { return m_newestSeq - qint64(m_size) + 1; }

    // Everything held, oldest first.
    [[nodiscard]] QList<chat::proto::Message> all() const;

    struct Resume
    {
        bool resumed = false; // true: messages are exactly those after lastSeq
        QList<chat::proto::Message> messages;
    };
    // Applies the resume rules of docs/protocol.md for a hello carrying lastSeq.
    [[nodiscard]] Resume since(qint64 lastSeq) const;

private:
    [[nodiscard]] QList<chat::proto::Message> fromSeq(qint64 firstSeq) const;

    int m_capacity;
    std::vector<chat::proto::Message> m_ring; // grows to m_capacity, then wraps
    size_t m_start = 0;                       // index of the oldest message once full
    size_t m_size = 0;
    qint64 m_newestSeq = 0;
};

} // namespace chat::server
