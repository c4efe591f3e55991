// The accounts in the shared PostgreSQL database (store/postgresschema.h), on the history's
// connection. Made by PostgresStore::accountStore(). Nothing is cached: every call reads or
// writes the database, so what one node changes the others see at once.
#pragma once

#include "accounts/accountstore.h"

#include <QVariant>

#include <memory>

QT_BEGIN_NAMESPACE
class QSqlQuery;
QT_END_NAMESPACE

namespace chat::server {

class PostgresConnection;
class PostgresStatements;

class PostgresAccountStore final : public AccountStore
{
public:
    explicit PostgresAccountStore(std::shared_ptr<PostgresConnection> connection);
    ~PostgresAccountStore() override;

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
    // Runs the statement; false with errorString() (and the connection checked) when it fails.
    [[nodiscard]] bool run(QSqlQuery &query, const QString &what);
    std::optional<Account> findAccount(const QString &where, const QVariant &value);
    QList<TokenRecord> readTokens(QSqlQuery &query);

    std::unique_ptr<PostgresStatements> m_statements;
};

} // namespace chat::server
