#include "roster.h"

#include "secrets.h"

namespace chat::server {

const Roster::Member *Roster::find(const QString &nickKey) const
{
    const auto it = m_members.constFind(nickKey);
    return it == m_members.cend() ? nullptr : &*it;
}

const Roster::Member &Roster::add(const QString &nickKey, const QString &nick,
                                  ClientSession *client)
{
    Q_ASSERT(!m_members.contains(nickKey));
    return *m_members.insert(nickKey, Member{nick, randomHex(128), client});
}

void Roster::replaceClient(const QString &nickKey, ClientSession *client)
{
    const auto it = m_members.find(nickKey);
    Q_ASSERT(it != m_members.end());
    it->client = client;
}

bool Roster::remove(const QString &nickKey, const ClientSession *client)
{
    const auto it = m_members.find(nickKey);
    if (it == m_members.end() || it->client != client)
        return false;
    m_members.erase(it);
    return true;
}

} // namespace chat::server
