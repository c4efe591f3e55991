#include "roster.h"

#include "secrets.h"

#include <algorithm>

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
    m_sortedValid = false;
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
    m_sortedValid = false;
    return true;
}

QStringList Roster::nicks() const
{
    if (m_sortedValid)
        return m_sortedNicks;
    QStringList result;
    result.reserve(m_members.size());
    for (const Member &member : m_members)
        result.append(member.nick);
    std::sort(result.begin(), result.end(), [](const QString &a, const QString &b) {
        return QString::compare(a, b, Qt::CaseInsensitive) < 0;
    });
    m_sortedNicks = result;
    m_sortedValid = true;
    return result;
}

} // namespace chat::server
