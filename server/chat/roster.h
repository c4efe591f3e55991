// Who is online: one member per account, with every connection (device) it has open. An account
// is online while any of its connections is, so one device dropping changes nothing for others.
#pragma once

#include "protocol.h"

#include <QHash>
#include <QList>

namespace chat::server {

class ChatSession;

class Roster
{
public:
    struct Member
    {
        chat::proto::User user;       // the account name and its display name
        QList<ChatSession *> clients; // never empty while the member is in the roster
    };

    [[nodiscard]] const Member *find(qint64 accountId) const;
    // Adds a connection of the account; true when it is the account's first (it came online).
    bool add(qint64 accountId, const chat::proto::User &user, ChatSession *client);
    // Removes a connection; true when it was the account's last (it went offline).
    bool remove(qint64 accountId, const ChatSession *client);
    // A new display name for an online account; false when it is not online.
    bool setDisplay(qint64 accountId, const QString &display);
    [[nodiscard]] bool isOnline(qint64 accountId) const { return m_members.contains(accountId); }

    [[nodiscard]] int size() const { return int(m_members.size()); } // accounts online
    [[nodiscard]] int connectionCount() const { return m_connections; }
    // Keyed by account id. Callers that send while iterating take a copy (cheap: implicitly
    // shared), so that a member leaving meanwhile cannot invalidate the iteration.
    [[nodiscard]] const QHash<qint64, Member> &members() const { return m_members; }

private:
    QHash<qint64, Member> m_members;
    int m_connections = 0;
};

} // namespace chat::server
