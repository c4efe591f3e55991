#include "accounts/accountstore.h"

#include <algorithm>

namespace chat::server {

std::optional<Account> MemoryAccountStore::findByKey(const QString &nameKey)
{
    const auto it = m_byKey.constFind(nameKey);
    if (it == m_byKey.constEnd())
        return std::nullopt;
    return m_accounts.value(*it);
}

std::optional<Account> MemoryAccountStore::findById(qint64 id)
{
    const auto it = m_accounts.constFind(id);
    if (it == m_accounts.constEnd())
        return std::nullopt;
    return *it;
}

bool MemoryAccountStore::create(Account *account)
{
    clearError();
    if (account->nameKey.isEmpty()) {
        setError(QStringLiteral("an account needs a name key"));
        return false;
    }
    if (m_byKey.contains(account->nameKey))
        return false;
    account->id = m_nextId++;
    m_accounts.insert(account->id, *account);
    m_byKey.insert(account->nameKey, account->id);
    return true;
}

bool MemoryAccountStore::update(const Account &account)
{
    clearError();
    const auto it = m_accounts.find(account.id);
    if (it == m_accounts.end())
        return false;
    it->display = account.display;
    it->passwordHash = account.passwordHash;
    it->admin = account.admin;
    it->disabled = account.disabled;
    return true;
}

QList<Account> MemoryAccountStore::list()
{
    return m_accounts.values();
}

bool MemoryAccountStore::addToken(const TokenRecord &token)
{
    clearError();
    if (m_tokens.contains(token.hash)) {
        setError(QStringLiteral("the token exists already"));
        return false;
    }
    m_tokens.insert(token.hash, token);
    return true;
}

std::optional<TokenRecord> MemoryAccountStore::findToken(const QByteArray &hash)
{
    const auto it = m_tokens.constFind(hash);
    if (it == m_tokens.constEnd())
        return std::nullopt;
    return *it;
}

bool MemoryAccountStore::touchToken(const QByteArray &hash, const QDateTime &when)
{
    const auto it = m_tokens.find(hash);
    if (it == m_tokens.end())
        return false;
    it->lastUsed = when;
    return true;
}

QList<TokenRecord> MemoryAccountStore::tokens(qint64 accountId)
{
    QList<TokenRecord> result;
    for (const TokenRecord &token : std::as_const(m_tokens)) {
        if (token.accountId == accountId)
            result.append(token);
    }
    std::sort(result.begin(), result.end(), [](const TokenRecord &a, const TokenRecord &b) {
        return a.created != b.created ? a.created < b.created : a.hash < b.hash;
    });
    return result;
}

qint64 MemoryAccountStore::removeTokens(const QList<QByteArray> &hashes)
{
    qint64 removed = 0;
    for (const QByteArray &hash : hashes)
        removed += m_tokens.remove(hash) ? 1 : 0;
    return removed;
}

QList<TokenRecord> MemoryAccountStore::tokensUnusedSince(const QDateTime &cutoff)
{
    QList<TokenRecord> result;
    for (const TokenRecord &token : std::as_const(m_tokens)) {
        if (token.lastUsed < cutoff)
            result.append(token);
    }
    return result;
}

bool MemoryAccountStore::addInvite(const InviteRecord &invite)
{
    clearError();
    if (m_invites.contains(invite.hash)) {
        setError(QStringLiteral("the invite exists already"));
        return false;
    }
    m_invites.insert(invite.hash, invite);
    return true;
}

bool MemoryAccountStore::useInvite(const QByteArray &hash, const QDateTime &now)
{
    const auto it = m_invites.find(hash);
    if (it == m_invites.end() || it->usesLeft <= 0 || (it->expires.isValid() && it->expires <= now))
        return false;
    --it->usesLeft;
    return true;
}

std::optional<InviteRecord> MemoryAccountStore::findInvite(const QByteArray &hash)
{
    const auto it = m_invites.constFind(hash);
    if (it == m_invites.constEnd())
        return std::nullopt;
    return *it;
}

QList<InviteRecord> MemoryAccountStore::invites()
{
    QList<InviteRecord> result = m_invites.values();
    std::sort(result.begin(), result.end(), [](const InviteRecord &a, const InviteRecord &b) {
        return a.created != b.created ? a.created < b.created : a.hash < b.hash;
    });
    return result;
}

} // namespace chat::server
