// Where accounts, their tokens and the invite codes live: the interface, and a store in memory
// for --db :memory:. The SQLite one shares the history's file (sqlitestore.h, schema version 2);
// the PostgreSQL one comes with issue 13. Secrets are never stored: tokens and invite codes as
// their SHA-256, passwords as Argon2id hashes.
#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QString>

#include <QHash>
#include <QMap>

#include <optional>

namespace chat::server {

struct Account
{
    qint64 id = 0;
    QString name;            // as registered (normalised like a nickname)
    QString nameKey;         // accountNameKey(name): unique
    QString display;         // may be empty
    QByteArray passwordHash; // "$argon2id$..."; empty for an account with tokens only (a bot)
    bool admin = false;
    bool disabled = false;
    QDateTime created;

    friend bool operator==(const Account &a, const Account &b)
    {
        return a.id == b.id && a.name == b.name && a.nameKey == b.nameKey &&
               a.display == b.display && a.passwordHash == b.passwordHash && a.admin == b.admin &&
               a.disabled == b.disabled && a.created == b.created;
    }
};

struct TokenRecord
{
    QByteArray hash; // SHA-256 of the token
    qint64 accountId = 0;
    QString device;
    QDateTime created;
    QDateTime lastUsed;
};

struct InviteRecord
{
    QByteArray hash; // SHA-256 of the code
    int usesLeft = 1;
    QDateTime expires; // invalid: never
    QDateTime created;
};

class AccountStore
{
public:
    AccountStore() = default;
    virtual ~AccountStore() = default;
    AccountStore(const AccountStore &) = delete;
    AccountStore &operator=(const AccountStore &) = delete;

    // Every call returns false / nullopt / -1 on a storage failure, with errorString() set;
    // "not found" is not a failure (errorString() stays empty).
    [[nodiscard]] virtual std::optional<Account> findByKey(const QString &nameKey) = 0;
    [[nodiscard]] virtual std::optional<Account> findById(qint64 id) = 0;
    // Sets account->id. False when the name key is taken (errorString() empty) or on failure.
    [[nodiscard]] virtual bool create(Account *account) = 0;
    // Writes display, passwordHash, admin and disabled of the account with this id.
    [[nodiscard]] virtual bool update(const Account &account) = 0;
    [[nodiscard]] virtual QList<Account> list() = 0;

    [[nodiscard]] virtual bool addToken(const TokenRecord &token) = 0;
    [[nodiscard]] virtual std::optional<TokenRecord> findToken(const QByteArray &hash) = 0;
    [[nodiscard]] virtual bool touchToken(const QByteArray &hash, const QDateTime &when) = 0;
    [[nodiscard]] virtual QList<TokenRecord> tokens(qint64 accountId) = 0;
    // Removes the given tokens; returns how many went.
    virtual qint64 removeTokens(const QList<QByteArray> &hashes) = 0;
    // Every token last used before `cutoff`.
    [[nodiscard]] virtual QList<TokenRecord> tokensUnusedSince(const QDateTime &cutoff) = 0;

    [[nodiscard]] virtual bool addInvite(const InviteRecord &invite) = 0;
    // Uses the invite once if it exists, has uses left and has not expired at `now`: true then.
    [[nodiscard]] virtual bool useInvite(const QByteArray &hash, const QDateTime &now) = 0;
    // The invite with this hash, used up or expired or not.
    [[nodiscard]] virtual std::optional<InviteRecord> findInvite(const QByteArray &hash) = 0;
    [[nodiscard]] virtual QList<InviteRecord> invites() = 0;

    [[nodiscard]] QString errorString() const { return m_error; }

protected:
    void setError(const QString &error) { m_error = error; }
    void clearError() { m_error.clear(); }

private:
    QString m_error;
};

// Everything in hashes and maps, gone with the process (--db :memory:).
class MemoryAccountStore final : public AccountStore
{
public:
    [[nodiscard]] std::optional<Account> findByKey(const QString &nameKey) override;
    [[nodiscard]] std::optional<Account> findById(qint64 id) override;
    [[nodiscard]] bool create(Account *account) override;
    [[nodiscard]] bool update(const Account &account) override;
    [[nodiscard]] QList<Account> list() override;

    [[nodiscard]] bool addToken(const TokenRecord &token) override;
    [[nodiscard]] std::optional<TokenRecord> findToken(const QByteArray &hash) override;
    [[nodiscard]] bool touchToken(const QByteArray &hash, const QDateTime &when) override;
    [[nodiscard]] QList<TokenRecord> tokens(qint64 accountId) override;
    qint64 removeTokens(const QList<QByteArray> &hashes) override;
    [[nodiscard]] QList<TokenRecord> tokensUnusedSince(const QDateTime &cutoff) override;

    [[nodiscard]] bool addInvite(const InviteRecord &invite) override;
    [[nodiscard]] bool useInvite(const QByteArray &hash, const QDateTime &now) override;
    [[nodiscard]] std::optional<InviteRecord> findInvite(const QByteArray &hash) override;
    [[nodiscard]] QList<InviteRecord> invites() override;

private:
    QMap<qint64, Account> m_accounts; // by id, so list() comes in the order of registration
    QHash<QString, qint64> m_byKey;
    QHash<QByteArray, TokenRecord> m_tokens;
    QHash<QByteArray, InviteRecord> m_invites;
    qint64 m_nextId = 1;
};

} // namespace chat::server
