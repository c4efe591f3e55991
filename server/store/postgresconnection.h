// One QPSQL connection to the PostgreSQL database several nodes share, and the prepared
// statements made on it. The history, the accounts and the rooms of one node share it (as with
// SqliteConnection); the cluster's LISTEN connection is another (cluster/clusterfeed.h).
//
// A lost connection (PostgreSQL restarted, network gone) shows as a failed statement: the store
// that saw it calls noteFailure(), which probes the connection and, when it is gone, opens a new
// one (at most once a second, so a database that stays down costs a failed attempt a second, not
// one per call). Statements prepared on the old connection are dropped and made again on first
// use (PostgresStatements): the call that failed has failed, the next one works. Deleting them
// makes QPSQL send DEALLOCATE on the lost connection; its "Unable to free statement" warnings
// are dropped (the server freed them with the connection).
#pragma once

#include <QElapsedTimer>
#include <QHash>
#include <QString>

#include <memory>

QT_BEGIN_NAMESPACE
class QSqlDatabase;
class QSqlError;
class QSqlQuery;
QT_END_NAMESPACE

namespace chat::server {

namespace postgres {

// True for a --db value naming a PostgreSQL database: postgresql:// or postgres://.
[[nodiscard]] bool isUrl(const QString &text);
// Sets host, port, user, database and connect options (the URL's query items, e.g.
// ?sslmode=require, ?host=/run/postgresql for a socket folder, ?passfile=FILE) on `db`. A URL
// with a password is refused: a command line is visible to every user of the machine; libpq
// reads the password from the passfile, PGPASSFILE or ~/.pgpass. False with *error for a URL it
// cannot use.
[[nodiscard]] bool configure(QSqlDatabase &db, const QString &url, QString *error);
// The error's text, for messages: PostgreSQL's own, else Qt's.
[[nodiscard]] QString reason(const QSqlError &error);

} // namespace postgres

class PostgresConnection
{
public:
    // Opens the connection; isOpen() false and errorString() when it could not.
    explicit PostgresConnection(const QString &url);
    ~PostgresConnection();
    PostgresConnection(const PostgresConnection &) = delete;
    PostgresConnection &operator=(const PostgresConnection &) = delete;

    [[nodiscard]] bool isOpen() const;
    [[nodiscard]] QString errorString() const { return m_error; }
    [[nodiscard]] QSqlDatabase database() const;
    // Counts the connections opened: statements prepared under another generation are stale.
    [[nodiscard]] int generation() const { return m_generation; }
    // After a failed statement (and its transaction rolled back): when the connection is gone,
    // opens a new one.
    void noteFailure();

private:
    bool open();

    QString m_url;
    QString m_base; // the QSqlDatabase connection names are "<base>-<generation>"
    QString m_name; // the current generation's
    QString m_error;
    int m_generation = 0;
    QElapsedTimer m_lastAttempt;
};

// Prepared statements of one store on a shared PostgresConnection, made on first use and made
// again after a reconnect.
class PostgresStatements
{
public:
    explicit PostgresStatements(std::shared_ptr<PostgresConnection> connection);
    ~PostgresStatements();
    PostgresStatements(const PostgresStatements &) = delete;
    PostgresStatements &operator=(const PostgresStatements &) = delete;

    [[nodiscard]] QSqlQuery &get(const QString &sql);
    // Runs a statement from get(); when it fails, finishes it, checks the connection and sets
    // *error to "<what>: <PostgreSQL's reason>".
    [[nodiscard]] bool exec(QSqlQuery &query, const QString &what, QString *error);

private:
    void clear();

    std::shared_ptr<PostgresConnection> m_connection;
    QHash<QString, QSqlQuery *> m_statements; // owned
    int m_generation = 0;
};

} // namespace chat::server
