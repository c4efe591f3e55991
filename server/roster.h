// Who is online: one member per nickname, compared case-insensitively through nickKey(), each
// with the session token that lets a later connection take the nickname over after a drop.
#pragma once

#include <QHash>
#include <QString>

namespace chat::server {

class ClientSession;

class Roster
{
public:
    struct Member
    {
        QString nick;    // as the server holds it (normalised, the first spelling that joined)
        QString session; // the token handed out in the welcome
        ClientSession *client = nullptr;
    };

    [[nodiscard]] const Member *find(const QString &nickKey) const;
    // Adds a member with a fresh session token (128 random bits) and returns that member.
    const Member &add(const QString &nickKey, const QString &nick, ClientSession *client);
    // Points an existing member at a new connection; the nickname and token stay.
    void replaceClient(const QString &nickKey, ClientSession *client);
    // Removes the member when `client` is still its connection; false when it was replaced.
    bool remove(const QString &nickKey, const ClientSession *client);

    [[nodiscard]] int size() const { return int(m_members.size()); }
    // Keyed by nickKey. Callers that send while iterating take a copy (cheap: implicitly shared),
    // so that a member leaving meanwhile cannot invalidate the iteration.
    [[nodiscard]] const QHash<QString, Member> &members() const { return m_members; }

private:
    QHash<QString, Member> m_members;
};

} // namespace chat::server
