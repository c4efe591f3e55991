// Accounts for client tests against a real ChatHub, made the way `chat-server token create`
// makes them: straight into the hub's account store, with a token and no password, so that no
// test waits for password hashing. The same names get the same tokens on every hub a test
// starts, so a client keeps logging in across a restarted hub whose accounts lived in memory.
#pragma once

#include "accounts/accounts.h"
#include "chat/chathub.h"
#include "namekey.h"

#include <QDateTime>
#include <QHash>
#include <QString>

class HubAccounts
{
public:
    // The token this test's account with this name logs in with (made on first use).
    QString tokenFor(const QString &name)
    {
        QString &token = m_tokens[name];
        if (token.isEmpty())
            token = chat::server::Accounts::newToken();
        return token;
    }

    // Puts the account and its token into the hub; false when the store refused.
    bool grant(chat::server::ChatHub &hub, const QString &name, const QString &display = {})
    {
        using namespace chat::server;
        AccountStore *store = hub.accounts()->store();
        const QString key = chat::proto::accountNameKey(name);
        const QDateTime now = QDateTime::currentDateTimeUtc();
        Account account;
        if (const std::optional<Account> existing = store->findByKey(key)) {
            account = *existing;
        } else {
            account.name = name;
            account.nameKey = key;
            account.display = display;
            account.created = now;
            if (!store->create(&account))
                return false;
        }
        const QByteArray hash = Accounts::hashToken(tokenFor(name));
        if (store->findToken(hash))
            return true;
        return store->addToken(TokenRecord{hash, account.id, QStringLiteral("test"), now, now});
    }

    // Every account this test has used so far, into a new hub.
    bool grantAll(chat::server::ChatHub &hub)
    {
        for (auto it = m_tokens.cbegin(); it != m_tokens.cend(); ++it) {
            if (!grant(hub, it.key()))
                return false;
        }
        return true;
    }

private:
    QHash<QString, QString> m_tokens;
};
