#include "chat/roster.h"

namespace chat::server {

const Roster::Member *Roster::find(qint64 accountId) const
{
    const auto it = m_members.constFind(accountId);
    return it == m_members.cend() ? nullptr : &*it;
}

bool Roster::add(qint64 accountId, const chat::proto::User &user, ChatSession *client)
{
    ++m_connections;
    auto it = m_members.find(accountId);
    if (it != m_members.end()) {
        it->clients.append(client);
        return false;
    }
    m_members.insert(accountId, Member{user, {client}});
    return true;
}

bool Roster::remove(qint64 accountId, const ChatSession *client)
{
    const auto it = m_members.find(accountId);
    if (it == m_members.end() || !it->clients.removeOne(client))
        return false;
    --m_connections;
    if (!it->clients.isEmpty())
        return false;
    m_members.erase(it);
    return true;
}

bool Roster::setDisplay(qint64 accountId, const QString &display)
{
    const auto it = m_members.find(accountId);
    if (it == m_members.end())
        return false;
    it->user.display = display;
    return true;
}

} // namespace chat::server
