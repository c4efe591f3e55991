#include "store/sentindex.h"

namespace chat::server {

using chat::proto::Message;

SentIndex::SentIndex(int idsPerNick, int maxNicks)
    : m_idsPerNick(qMax(1, idsPerNick))
    , m_maxNicks(qMax(1, maxNicks))
{}

const Message *SentIndex::find(const QString &nickKey, const QString &id) const
{
    const auto sent = m_byNick.constFind(nickKey);
    if (sent == m_byNick.cend())
        return nullptr;
    const auto message = sent->byId.constFind(id);
    return message == sent->byId.cend() ? nullptr : &*message;
}

void SentIndex::remember(const QString &nickKey, const Message &message)
{
    if (!m_byNick.contains(nickKey) && m_byNick.size() >= m_maxNicks)
        evictStalestNick();
    Sent &sent = m_byNick[nickKey];
    sent.lastUse = ++m_clock;
    if (sent.byId.contains(message.id))
        return;
    sent.byId.insert(message.id, message);
    sent.order.push_back(message.id);
    if (sent.order.size() > size_t(m_idsPerNick)) {
        sent.byId.remove(sent.order.front());
        sent.order.pop_front();
    }
}

// Linear, but it runs only when a new nickname arrives with the index full.
void SentIndex::evictStalestNick()
{
    auto stalest = m_byNick.begin();
    for (auto it = m_byNick.begin(); it != m_byNick.end(); ++it) {
        if (it->lastUse < stalest->lastUse)
            stalest = it;
    }
    if (stalest != m_byNick.end())
        m_byNick.erase(stalest);
}

} // namespace chat::server
