#include "accounts/sqliteaccountstore.h"

#include "store/rows.h"
#include "store/sqlitestore.h"

#include <QSqlError>
#include <QSqlQuery>

namespace chat::server {

// The accounts' rows are read and written alike in every database.
using namespace rows;

SqliteAccountStore::SqliteAccountStore(std::shared_ptr<SqliteConnection> connection)
    : m_connection(std::move(connection))
{}

SqliteAccountStore::~SqliteAccountStore()
{
    qDeleteAll(m_statements); // before the connection, which may go with this object
    m_statements.clear();
}

QSqlQuery &SqliteAccountStore::statement(const QString &sql)
{
    QSqlQuery *&query = m_statements[sql];
    if (!query) {
        query = new QSqlQuery(m_connection->database());
        query->setForwardOnly(true);
        if (!query->prepare(sql))
            qWarning("cannot prepare %s: %s", qPrintable(sql),
                     qPrintable(query->lastError().text()));
    }
    return *query;
}

bool SqliteAccountStore::fail(const QString &what, const QSqlQuery &query)
{
    const QSqlError error = query.lastError();
    const QString text = error.databaseText().isEmpty() ? error.text() : error.databaseText();
    setError(what + QStringLiteral(": ") +
             (text.isEmpty() ? QStringLiteral("unknown SQLite error") : text));
    return false;
}

std::optional<Account> SqliteAccountStore::findAccount(const QString &where, const QVariant &value)
{
    clearError();
    QSqlQuery &query = statement(
        QStringLiteral("SELECT %1 FROM accounts WHERE %2 = ?").arg(kAccountColumns, where));
    query.bindValue(0, value);
    if (!query.exec()) {
        (void)fail(QStringLiteral("cannot read an account"), query);
        return std::nullopt;
    }
    std::optional<Account> found;
    if (query.next())
        found = accountFrom(query);
    query.finish();
    return found;
}

std::optional<Account> SqliteAccountStore::findByKey(const QString &nameKey)
{
    return findAccount(QStringLiteral("name_key"), nameKey);
}

std::optional<Account> SqliteAccountStore::findById(qint64 id)
{
    return findAccount(QStringLiteral("id"), id);
}

bool SqliteAccountStore::create(Account *account)
{
    clearError();
    if (account->nameKey.isEmpty()) {
        setError(QStringLiteral("an account needs a name key"));
        return false;
    }
    // One connection holds the file, and only this thread uses it: nothing comes between the
    // look and the insert.
    if (findByKey(account->nameKey).has_value() || !errorString().isEmpty())
        return false;
    QSqlQuery &query = statement(
        QStringLiteral("INSERT INTO accounts (name, name_key, display, password_hash, admin, "
                       "disabled, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?)"));
    query.bindValue(0, text(account->name));
    query.bindValue(1, account->nameKey);
    query.bindValue(2, text(account->display));
    query.bindValue(3, bytes(account->passwordHash));
    query.bindValue(4, account->admin ? 1 : 0);
    query.bindValue(5, account->disabled ? 1 : 0);
    query.bindValue(6, account->created.isValid() ? account->created.toMSecsSinceEpoch() : 0);
    if (!query.exec())
        return fail(QStringLiteral("cannot store an account"), query);
    account->id = query.lastInsertId().toLongLong();
    query.finish();
    return true;
}

bool SqliteAccountStore::update(const Account &account)
{
    clearError();
    QSqlQuery &query =
        statement(QStringLiteral("UPDATE accounts SET display = ?, password_hash = ?, admin = ?, "
                                 "disabled = ? WHERE id = ?"));
    query.bindValue(0, text(account.display));
    query.bindValue(1, bytes(account.passwordHash));
    query.bindValue(2, account.admin ? 1 : 0);
    query.bindValue(3, account.disabled ? 1 : 0);
    query.bindValue(4, account.id);
    if (!query.exec())
        return fail(QStringLiteral("cannot update an account"), query);
    const bool found = query.numRowsAffected() == 1;
    query.finish();
    return found;
}

QList<Account> SqliteAccountStore::list()
{
    clearError();
    QList<Account> result;
    QSqlQuery &query =
        statement(QStringLiteral("SELECT %1 FROM accounts ORDER BY id").arg(kAccountColumns));
    if (!query.exec()) {
        (void)fail(QStringLiteral("cannot list the accounts"), query);
        return result;
    }
    while (query.next())
        result.append(accountFrom(query));
    query.finish();
    return result;
}

bool SqliteAccountStore::addToken(const TokenRecord &token)
{
    clearError();
    QSqlQuery &query = statement(
        QStringLiteral("INSERT INTO tokens (hash, account_id, device, created_ms, last_used_ms) "
                       "VALUES (?, ?, ?, ?, ?)"));
    query.bindValue(0, token.hash);
    query.bindValue(1, token.accountId);
    query.bindValue(2, text(token.device));
    query.bindValue(3, token.created.toMSecsSinceEpoch());
    query.bindValue(4, token.lastUsed.toMSecsSinceEpoch());
    if (!query.exec())
        return fail(QStringLiteral("cannot store a token"), query);
    query.finish();
    return true;
}

std::optional<TokenRecord> SqliteAccountStore::findToken(const QByteArray &hash)
{
    clearError();
    QSqlQuery &query =
        statement(QStringLiteral("SELECT %1 FROM tokens WHERE hash = ?").arg(kTokenColumns));
    query.bindValue(0, hash);
    if (!query.exec()) {
        (void)fail(QStringLiteral("cannot read a token"), query);
        return std::nullopt;
    }
    std::optional<TokenRecord> found;
    if (query.next())
        found = tokenFrom(query);
    query.finish();
    return found;
}

bool SqliteAccountStore::touchToken(const QByteArray &hash, const QDateTime &when)
{
    clearError();
    QSqlQuery &query =
        statement(QStringLiteral("UPDATE tokens SET last_used_ms = ? WHERE hash = ?"));
    query.bindValue(0, when.toMSecsSinceEpoch());
    query.bindValue(1, hash);
    if (!query.exec())
        return fail(QStringLiteral("cannot update a token"), query);
    const bool found = query.numRowsAffected() == 1;
    query.finish();
    return found;
}

QList<TokenRecord> SqliteAccountStore::tokens(qint64 accountId)
{
    clearError();
    QList<TokenRecord> result;
    QSqlQuery &query = statement(
        QStringLiteral("SELECT %1 FROM tokens WHERE account_id = ? ORDER BY created_ms, hash")
            .arg(kTokenColumns));
    query.bindValue(0, accountId);
    if (!query.exec()) {
        (void)fail(QStringLiteral("cannot read the tokens"), query);
        return result;
    }
    while (query.next())
        result.append(tokenFrom(query));
    query.finish();
    return result;
}

qint64 SqliteAccountStore::removeTokens(const QList<QByteArray> &hashes)
{
    clearError();
    if (hashes.isEmpty())
        return 0;
    QSqlDatabase db = m_connection->database();
    if (!db.transaction()) {
        setError(QStringLiteral("cannot remove tokens: ") + db.lastError().text());
        return -1;
    }
    QSqlQuery &query = statement(QStringLiteral("DELETE FROM tokens WHERE hash = ?"));
    qint64 removed = 0;
    for (const QByteArray &hash : hashes) {
        query.bindValue(0, hash);
        if (!query.exec()) {
            (void)fail(QStringLiteral("cannot remove a token"), query);
            db.rollback();
            return -1;
        }
        removed += query.numRowsAffected();
        query.finish();
    }
    if (!db.commit()) {
        setError(QStringLiteral("cannot remove tokens: ") + db.lastError().text());
        db.rollback();
        return -1;
    }
    return removed;
}

QList<TokenRecord> SqliteAccountStore::tokensUnusedSince(const QDateTime &cutoff)
{
    clearError();
    QList<TokenRecord> result;
    QSqlQuery &query = statement(
        QStringLiteral("SELECT %1 FROM tokens WHERE last_used_ms < ?").arg(kTokenColumns));
    query.bindValue(0, cutoff.toMSecsSinceEpoch());
    if (!query.exec()) {
        (void)fail(QStringLiteral("cannot read the tokens"), query);
        return result;
    }
    while (query.next())
        result.append(tokenFrom(query));
    query.finish();
    return result;
}

bool SqliteAccountStore::addInvite(const InviteRecord &invite)
{
    clearError();
    QSqlQuery &query = statement(QStringLiteral(
        "INSERT INTO invites (hash, uses_left, expires_ms, created_ms) VALUES (?, ?, ?, ?)"));
    query.bindValue(0, invite.hash);
    query.bindValue(1, invite.usesLeft);
    query.bindValue(2, msOrNull(invite.expires));
    query.bindValue(3, invite.created.toMSecsSinceEpoch());
    if (!query.exec())
        return fail(QStringLiteral("cannot store an invite"), query);
    query.finish();
    return true;
}

bool SqliteAccountStore::useInvite(const QByteArray &hash, const QDateTime &now)
{
    clearError();
    QSqlQuery &query =
        statement(QStringLiteral("UPDATE invites SET uses_left = uses_left - 1 WHERE hash = ? AND "
                                 "uses_left > 0 AND (expires_ms IS NULL OR expires_ms > ?)"));
    query.bindValue(0, hash);
    query.bindValue(1, now.toMSecsSinceEpoch());
    if (!query.exec())
        return fail(QStringLiteral("cannot use an invite"), query);
    const bool used = query.numRowsAffected() == 1;
    query.finish();
    return used;
}

std::optional<InviteRecord> SqliteAccountStore::findInvite(const QByteArray &hash)
{
    clearError();
    QSqlQuery &query =
        statement(QStringLiteral("SELECT %1 FROM invites WHERE hash = ?").arg(kInviteColumns));
    query.bindValue(0, hash);
    if (!query.exec()) {
        (void)fail(QStringLiteral("cannot read an invite"), query);
        return std::nullopt;
    }
    std::optional<InviteRecord> found;
    if (query.next())
        found = inviteFrom(query);
    query.finish();
    return found;
}

QList<InviteRecord> SqliteAccountStore::invites()
{
    clearError();
    QList<InviteRecord> result;
    QSqlQuery &query = statement(
        QStringLiteral("SELECT %1 FROM invites ORDER BY created_ms, hash").arg(kInviteColumns));
    if (!query.exec()) {
        (void)fail(QStringLiteral("cannot list the invites"), query);
        return result;
    }
    while (query.next())
        result.append(inviteFrom(query));
    query.finish();
    return result;
}

} // namespace chat::server
