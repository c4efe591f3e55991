#include "store/postgresconnection.h"

#include "store/messagestore.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUrl>
#include <QUrlQuery>

#include <atomic>

namespace chat::server {

namespace {

std::atomic<int> connectionCounter{0};

// At most one attempt to connect again per this many milliseconds.
constexpr qint64 kReconnectIntervalMs = 1000;

// QPSQL frees a prepared statement with DEALLOCATE when its QSqlQuery goes. On a lost connection
// that fails and warns "Unable to free statement" for each statement, though the server freed
// them all when the connection ended. (Removing the lost connection first would silence it in
// later Qt versions; Qt 6.4 then dereferences the removed driver.) So while a thread deletes the
// statements of a lost connection, that warning, and only that one, is dropped.
thread_local bool t_freeingLostStatements = false;
QtMessageHandler g_nextHandler = nullptr;

void dropLostStatementWarnings(QtMsgType type, const QMessageLogContext &context,
                               const QString &message)
{
    if (t_freeingLostStatements && type == QtWarningMsg &&
        message.startsWith(QLatin1String("Unable to free statement")))
        return;
    g_nextHandler(type, context, message);
}

// Deletes statements made on a lost connection without the warnings.
void freeLostStatements(QHash<QString, QSqlQuery *> &statements)
{
    static const bool installed = [] {
        g_nextHandler = qInstallMessageHandler(dropLostStatementWarnings);
        return true;
    }();
    Q_UNUSED(installed);
    t_freeingLostStatements = true;
    qDeleteAll(statements);
    t_freeingLostStatements = false;
    statements.clear();
}

} // namespace

namespace postgres {

bool isUrl(const QString &text)
{
    return text.startsWith(QLatin1String("postgresql://")) ||
           text.startsWith(QLatin1String("postgres://"));
}

bool configure(QSqlDatabase &db, const QString &text, QString *error)
{
    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid() || !isUrl(text)) {
        *error = QStringLiteral("not a PostgreSQL URL (postgresql://user@host[:port]/database)");
        return false;
    }
    if (!url.password().isEmpty()) {
        *error = QStringLiteral("the URL holds a password, which every user of this machine can "
                                "read on the command line: put it in a password file "
                                "(?passfile=FILE in the URL, PGPASSFILE or ~/.pgpass)");
        return false;
    }
    const QString database = url.path().mid(1);
    if (database.isEmpty() || database.contains(QLatin1Char('/'))) {
        *error = QStringLiteral("the URL names no database (postgresql://user@host/database)");
        return false;
    }
    db.setHostName(url.host());
    if (url.port() > 0)
        db.setPort(url.port());
    db.setUserName(url.userName());
    db.setDatabaseName(database);
    // A database that does not answer fails the attempt instead of blocking the node for long.
    QStringList options{QStringLiteral("connect_timeout=5"),
                        QStringLiteral("application_name=chat-server")};
    for (const auto &[key, value] : QUrlQuery(url).queryItems(QUrl::FullyDecoded)) {
        if (key == QLatin1String("password")) {
            *error = QStringLiteral("the URL holds a password: put it in a password file");
            return false;
        }
        options.append(key + QLatin1Char('=') + value);
    }
    db.setConnectOptions(options.join(QLatin1Char(';')));
    return true;
}

QString reason(const QSqlError &error)
{
    const QString text = error.databaseText().isEmpty() ? error.text() : error.databaseText();
    return text.isEmpty() ? QStringLiteral("unknown PostgreSQL error") : text.trimmed();
}

} // namespace postgres

PostgresConnection::PostgresConnection(const QString &url)
    : m_url(url)
{
    open();
}

PostgresConnection::~PostgresConnection()
{
    // Every generation's connection, now that no statement uses any of them.
    for (int generation = 0; generation <= m_generation; ++generation) {
        const QString name = QStringLiteral("%1-%2").arg(m_base).arg(generation);
        {
            QSqlDatabase db = QSqlDatabase::database(name, false);
            if (db.isValid())
                db.close();
        }
        QSqlDatabase::removeDatabase(name);
    }
}

bool PostgresConnection::open()
{
    m_lastAttempt.start();
    if (m_base.isEmpty())
        m_base = QStringLiteral("chat-pg-%1").arg(connectionCounter.fetch_add(1));
    else
        ++m_generation;
    m_name = QStringLiteral("%1-%2").arg(m_base).arg(m_generation);
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), m_name);
    if (!db.isValid()) {
        m_error = QStringLiteral("the Qt PostgreSQL driver is missing (Debian: libqt6sql6-psql)");
        return false;
    }
    if (!postgres::configure(db, m_url, &m_error))
        return false;
    if (!db.open()) {
        m_error = postgres::reason(db.lastError());
        return false;
    }
    m_error.clear();
    return true;
}

bool PostgresConnection::isOpen() const
{
    return database().isOpen();
}

QSqlDatabase PostgresConnection::database() const
{
    return QSqlDatabase::database(m_name, false);
}

void PostgresConnection::noteFailure()
{
    QSqlDatabase db = database();
    if (db.isOpen()) {
        QSqlQuery probe(db);
        if (probe.exec(QStringLiteral("SELECT 1")))
            return; // the statement failed, not the connection
    }
    if (m_lastAttempt.isValid() && m_lastAttempt.elapsed() < kReconnectIntervalMs)
        return;
    // The old connection stays (closed at the end): statements made on it may still exist.
    if (open())
        qCInfo(lcStore) << "connected to PostgreSQL again";
    else
        qCWarning(lcStore).noquote() << "PostgreSQL unreachable:" << m_error;
}

PostgresStatements::PostgresStatements(std::shared_ptr<PostgresConnection> connection)
    : m_connection(std::move(connection))
    , m_generation(m_connection->generation())
{}

PostgresStatements::~PostgresStatements()
{
    clear();
}

void PostgresStatements::clear()
{
    qDeleteAll(m_statements);
    m_statements.clear();
}

QSqlQuery &PostgresStatements::get(const QString &sql)
{
    if (m_generation != m_connection->generation()) {
        freeLostStatements(m_statements);
        m_generation = m_connection->generation();
    }
    QSqlQuery *&query = m_statements[sql];
    if (!query) {
        query = new QSqlQuery(m_connection->database());
        query->setForwardOnly(true);
        // A failure shows again when it runs, with the reason.
        if (!query->prepare(sql))
            qCDebug(lcStore).noquote()
                << "cannot prepare" << sql << "-" << postgres::reason(query->lastError());
    }
    return *query;
}

bool PostgresStatements::exec(QSqlQuery &query, const QString &what, QString *error)
{
    if (query.exec())
        return true;
    *error = what + QStringLiteral(": ") + postgres::reason(query.lastError());
    query.finish();
    m_connection->noteFailure();
    return false;
}

} // namespace chat::server
