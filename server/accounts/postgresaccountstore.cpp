#include "accounts/postgresaccountstore.h"

#include "store/postgresconnection.h"
#include "store/rows.h"
#include "store/statenotice.h"

#include <QSqlDatabase>
#include <QSqlQuery>

namespace chat::server {

// The accounts' rows are read and written alike in every database.
using namespace rows;

PostgresAccountStore::PostgresAccountStore(std::shared_ptr<PostgresConnection> connection)
    : m_statements(std::make_unique<PostgresStatements>(std::move(connection)))
{}

PostgresAccountStore::~PostgresAccountStore() = default;

bool PostgresAccountStore::run(QSqlQuery &query, const QString &what)
{
    QString error;
    if (m_statements->exec(query, what, &error))
        return true;
    setError(error);
    return false;
}

std::optional<Account> PostgresAccountStore::findAccount(const QString &where,
                                                         const QVariant &value)
{
    clearError();
    QSqlQuery &query = m_statements->get(
        QStringLiteral("SELECT %1 FROM accounts WHERE %2 = ?").arg(kAccountColumns, where));
    query.bindValue(0, value);
    if (!run(query, QStringLiteral("cannot read an account")))
        return std::nullopt;
    std::optional<Account> found;
    if (query.next())
        found = accountFrom(query);
    query.finish();
    return found;
}

std::optional<Account> PostgresAccountStore::findByKey(const QString &nameKey)
{
    return findAccount(QStringLiteral("name_key"), nameKey);
}

std::optional<Account> PostgresAccountStore::findById(qint64 id)
{
    return findAccount(QStringLiteral("id"), id);
}

bool PostgresAccountStore::create(Account *account)
{
    clearError();
    if (account->nameKey.isEmpty()) {
        setError(QStringLiteral("an account needs a name key"));
        return false;
    }
    // Two nodes may register the same name at once: the unique key decides, in one statement.
    // A name seen taken uses up no id; only a race may.
    QSqlQuery &query = m_statements->get(
        QStringLiteral("INSERT INTO accounts (name, name_key, display, password_hash, admin, "
                       "disabled, created_ms) SELECT ?, ?, ?, ?, ?, ?, ? WHERE NOT EXISTS "
                       "(SELECT 1 FROM accounts WHERE name_key = ?) "
                       "ON CONFLICT (name_key) DO NOTHING RETURNING id"));
    query.bindValue(0, text(account->name));
    query.bindValue(1, account->nameKey);
    query.bindValue(2, text(account->display));
    query.bindValue(3, bytes(account->passwordHash));
    query.bindValue(4, account->admin);
    query.bindValue(5, account->disabled);
    query.bindValue(6, account->created.isValid() ? account->created.toMSecsSinceEpoch() : 0);
    query.bindValue(7, account->nameKey);
    if (!run(query, QStringLiteral("cannot store an account")))
        return false;
    const bool created = query.next();
    if (created)
        account->id = query.value(0).toLongLong();
    query.finish();
    return created; // not created: the name key is taken, no error
}

bool PostgresAccountStore::update(const Account &account)
{
    clearError();
    // The nodes read the account again (store/statenotice.h): a new display name, disabled.
    QSqlQuery &query = m_statements->get(
        QStringLiteral("WITH changed AS (UPDATE accounts SET display = ?, password_hash = ?, "
                       "admin = ?, disabled = ? WHERE id = ? RETURNING id) SELECT %1 FROM changed")
            .arg(StateNotice::sqlAccount(QStringLiteral("id"))));
    query.bindValue(0, text(account.display));
    query.bindValue(1, bytes(account.passwordHash));
    query.bindValue(2, account.admin);
    query.bindValue(3, account.disabled);
    query.bindValue(4, account.id);
    if (!run(query, QStringLiteral("cannot update an account")))
        return false;
    const bool found = query.next();
    query.finish();
    return found;
}

QList<Account> PostgresAccountStore::list()
{
    clearError();
    QList<Account> result;
    QSqlQuery &query = m_statements->get(
        QStringLiteral("SELECT %1 FROM accounts ORDER BY id").arg(kAccountColumns));
    if (!run(query, QStringLiteral("cannot list the accounts")))
        return result;
    while (query.next())
        result.append(accountFrom(query));
    query.finish();
    return result;
}

bool PostgresAccountStore::addToken(const TokenRecord &token)
{
    clearError();
    QSqlQuery &query = m_statements->get(
        QStringLiteral("INSERT INTO tokens (hash, account_id, device, created_ms, last_used_ms) "
                       "VALUES (?, ?, ?, ?, ?)"));
    query.bindValue(0, token.hash);
    query.bindValue(1, token.accountId);
    query.bindValue(2, text(token.device));
    query.bindValue(3, token.created.toMSecsSinceEpoch());
    query.bindValue(4, token.lastUsed.toMSecsSinceEpoch());
    if (!run(query, QStringLiteral("cannot store a token")))
        return false;
    query.finish();
    return true;
}

std::optional<TokenRecord> PostgresAccountStore::findToken(const QByteArray &hash)
{
    clearError();
    QSqlQuery &query = m_statements->get(
        QStringLiteral("SELECT %1 FROM tokens WHERE hash = ?").arg(kTokenColumns));
    query.bindValue(0, hash);
    if (!run(query, QStringLiteral("cannot read a token")))
        return std::nullopt;
    std::optional<TokenRecord> found;
    if (query.next())
        found = tokenFrom(query);
    query.finish();
    return found;
}

bool PostgresAccountStore::touchToken(const QByteArray &hash, const QDateTime &when)
{
    clearError();
    QSqlQuery &query =
        m_statements->get(QStringLiteral("UPDATE tokens SET last_used_ms = ? WHERE hash = ?"));
    query.bindValue(0, when.toMSecsSinceEpoch());
    query.bindValue(1, hash);
    if (!run(query, QStringLiteral("cannot update a token")))
        return false;
    const bool found = query.numRowsAffected() == 1;
    query.finish();
    return found;
}

QList<TokenRecord> PostgresAccountStore::readTokens(QSqlQuery &query)
{
    QList<TokenRecord> result;
    if (!run(query, QStringLiteral("cannot read the tokens")))
        return result;
    while (query.next())
        result.append(tokenFrom(query));
    query.finish();
    return result;
}

QList<TokenRecord> PostgresAccountStore::tokens(qint64 accountId)
{
    clearError();
    QSqlQuery &query = m_statements->get(
        QStringLiteral("SELECT %1 FROM tokens WHERE account_id = ? ORDER BY created_ms, hash")
            .arg(kTokenColumns));
    query.bindValue(0, accountId);
    return readTokens(query);
}

qint64 PostgresAccountStore::removeTokens(const QList<QByteArray> &hashes)
{
    clearError();
    if (hashes.isEmpty())
        return 0;
    // One statement: all or none. The nodes check the connections of those accounts.
    QSqlQuery &query = m_statements->get(
        QStringLiteral("WITH gone AS (DELETE FROM tokens WHERE hash = ANY (SELECT decode(h, "
                       "'hex') FROM json_array_elements_text(CAST(? AS json)) AS h) RETURNING "
                       "account_id), told AS (SELECT %1 FROM (SELECT DISTINCT account_id FROM "
                       "gone) AS owners) SELECT (SELECT count(*) FROM gone), (SELECT count(*) "
                       "FROM told)")
            .arg(StateNotice::sqlAccount(QStringLiteral("account_id"))));
    QStringList hex;
    for (const QByteArray &hash : hashes)
        hex.append(QString::fromLatin1(hash.toHex()));
    query.bindValue(0, QStringLiteral("[\"%1\"]").arg(hex.join(QStringLiteral("\",\""))));
    if (!run(query, QStringLiteral("cannot remove tokens")))
        return -1;
    const qint64 removed = query.next() ? query.value(0).toLongLong() : 0;
    query.finish();
    return removed;
}

QList<TokenRecord> PostgresAccountStore::tokensUnusedSince(const QDateTime &cutoff)
{
    clearError();
    QSqlQuery &query = m_statements->get(
        QStringLiteral("SELECT %1 FROM tokens WHERE last_used_ms < ?").arg(kTokenColumns));
    query.bindValue(0, cutoff.toMSecsSinceEpoch());
    return readTokens(query);
}

bool PostgresAccountStore::addInvite(const InviteRecord &invite)
{
    clearError();
    QSqlQuery &query = m_statements->get(QStringLiteral(
        "INSERT INTO invites (hash, uses_left, expires_ms, created_ms) VALUES (?, ?, ?, ?)"));
    query.bindValue(0, invite.hash);
    query.bindValue(1, invite.usesLeft);
    query.bindValue(2, msOrNull(invite.expires));
    query.bindValue(3, invite.created.toMSecsSinceEpoch());
    if (!run(query, QStringLiteral("cannot store an invite")))
        return false;
    query.finish();
    return true;
}

bool PostgresAccountStore::useInvite(const QByteArray &hash, const QDateTime &now)
{
    clearError();
    // One statement: two nodes using the last use at once cannot both get it.
    QSqlQuery &query = m_statements->get(
        QStringLiteral("UPDATE invites SET uses_left = uses_left - 1 WHERE hash = ? AND "
                       "uses_left > 0 AND (expires_ms IS NULL OR expires_ms > ?)"));
    query.bindValue(0, hash);
    query.bindValue(1, now.toMSecsSinceEpoch());
    if (!run(query, QStringLiteral("cannot use an invite")))
        return false;
    const bool used = query.numRowsAffected() == 1;
    query.finish();
    return used;
}

std::optional<InviteRecord> PostgresAccountStore::findInvite(const QByteArray &hash)
{
    clearError();
    QSqlQuery &query = m_statements->get(
        QStringLiteral("SELECT %1 FROM invites WHERE hash = ?").arg(kInviteColumns));
    query.bindValue(0, hash);
    if (!run(query, QStringLiteral("cannot read an invite")))
        return std::nullopt;
    std::optional<InviteRecord> found;
    if (query.next())
        found = inviteFrom(query);
    query.finish();
    return found;
}

QList<InviteRecord> PostgresAccountStore::invites()
{
    clearError();
    QList<InviteRecord> result;
    QSqlQuery &query = m_statements->get(
        QStringLiteral("SELECT %1 FROM invites ORDER BY created_ms, hash").arg(kInviteColumns));
    if (!run(query, QStringLiteral("cannot list the invites")))
        return result;
    while (query.next())
        result.append(inviteFrom(query));
    query.finish();
    return result;
}

} // namespace chat::server
