#include "chat/roster.h"

namespace chat::server {

const Roster::Member *Roster::find(const QString &accountKey) const
{
    const auto it = m_members.constFind(accountKey);
    return it == m_members.cend() ? nullptr : &*it;
}

bool Roster::add(const QString &accountKey, const chat::proto::User &user, ClientSession *client)
{
    ++m_connections;
    auto it = m_members.find(accountKey);
    if (it != m_members.end()) {
        it->clients.append(client);
        return false;
    }
    m_members.insert(accountKey, Member{user, {client}});
    return true;
}

bool Roster::remove(const QString &accountKey, const ClientSession *client)
{
    const auto it = m_members.find(accountKey);
    if (it == m_members.end() || !it->clients.removeOne(client))
        return false;
    --m_connections;
    if (!it->clients.isEmpty())
        return false;
    m_members.erase(it);
    return true;
}

bool Roster::setDisplay(const QString &accountKey, const QString &display)
{
    const auto it = m_members.find(accountKey);
    if (it == m_members.end())
        return false;
    it->user.display = display;
    return true;
}

} // namespace chat::server
