// Remembers which message ids each nickname already got accepted, so that a send repeated after a
// reconnect is acknowledged again instead of being broadcast twice. Bounded in both directions:
// the newest idsPerNick ids of each nickname, and the nicknames that sent most recently.
#pragma once

#include "protocol.h"

#include <QHash>
#include <QString>

#include <deque>

namespace chat::server {

class SentIndex
{
public:
    SentIndex(int idsPerNick, int maxNicks);

    // The message accepted earlier with this id from this nickname, or nullptr.
    [[nodiscard]] const chat::proto::Message *find(const QString &nickKey, const QString &id) const;
    void remember(const QString &nickKey, const chat::proto::Message &message);

    [[nodiscard]] int nickCount() const { return int(m_byNick.size()); }

private:
    struct Sent
    {
        QHash<QString, chat::proto::Message> byId;
        std::deque<QString> order; // oldest id first, to forget in arrival order
        quint64 lastUse = 0;
    };

    void evictStalestNick();

    int m_idsPerNick;
    int m_maxNicks;
    quint64 m_clock = 0; // counts remember() calls: a cheap "most recently used" stamp
    QHash<QString, Sent> m_byNick;
};

} // namespace chat::server
