// The accounts in the history's SQLite file (sqlitestore.h, schema version 2), on the history's
// own connection: the file is locked for one connection alone. Made by
// SqliteStore::accountStore(); it keeps the connection open as long as it lives.
//
//   accounts(id INTEGER PRIMARY KEY, name, name_key UNIQUE, display, password_hash, admin,
//            disabled, created_ms)
//   tokens(hash BLOB PRIMARY KEY, account_id, device, created_ms, last_used_ms)
//   invites(hash BLOB PRIMARY KEY, uses_left, expires_ms (NULL: never), created_ms)
#pragma once

#include "accounts/accountstore.h"

#include <QVariant>

#include <memory>

QT_BEGIN_NAMESPACE
class QSqlQuery;
QT_END_NAMESPACE

namespace chat::server {

class SqliteConnection;

class SqliteAccountStore final : public AccountStore
{
public:
    explicit SqliteAccountStore(std::shared_ptr<SqliteConnection> connection);
    ~SqliteAccountStore() override;

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
    // A prepared statement, made on first use and kept.
    QSqlQuery &statement(const QString &sql);
    bool fail(const QString &what, const QSqlQuery &query);
    std::optional<Account> findAccount(const QString &where, const QVariant &value);

    std::shared_ptr<SqliteConnection> m_connection;
    QHash<QString, QSqlQuery *> m_statements; // owned; deleted before the connection goes
};

} // namespace chat::server
