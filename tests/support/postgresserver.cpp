#include "postgresserver.h"

#include <QCollator>
#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QProcess>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTest>

#include <csignal>

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

namespace chat::test {

namespace {

constexpr auto kServerUser = "postgres";

bool isRoot()
{
    return ::geteuid() == 0;
}

QString binDirectory()
{
    const QString fromEnv = qEnvironmentVariable("CHAT_PG_BINDIR");
    if (!fromEnv.isEmpty())
        return QFileInfo::exists(fromEnv + QStringLiteral("/initdb")) ? fromEnv : QString();
    QDir debian(QStringLiteral("/usr/lib/postgresql"));
    QStringList versions = debian.entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    QCollator numeric;
    numeric.setNumericMode(true);
    std::sort(versions.begin(), versions.end(), numeric);
    for (auto it = versions.crbegin(); it != versions.crend(); ++it) {
        const QString bin = debian.filePath(*it + QStringLiteral("/bin"));
        if (QFileInfo::exists(bin + QStringLiteral("/initdb")))
            return bin;
    }
    const QString onPath = QStandardPaths::findExecutable(QStringLiteral("initdb"));
    return onPath.isEmpty() ? QString() : QFileInfo(onPath).absolutePath();
}

// A port nobody listens on now; PostgreSQL binds it a moment later (start() retries once on a
// clash).
int freePort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    return probe.serverPort();
}

} // namespace

PostgresServer::PostgresServer() = default;

PostgresServer::~PostgresServer()
{
    if (m_running)
        stop();
}

QString PostgresServer::missingReason()
{
    if (binDirectory().isEmpty())
        return QStringLiteral("PostgreSQL's initdb/pg_ctl not found (install Debian's "
                              "`postgresql`, or set CHAT_PG_BINDIR)");
    if (isRoot() && !::getpwnam(kServerUser))
        return QStringLiteral("running as root and there is no `postgres` user to run "
                              "PostgreSQL as (it refuses root)");
    return {};
}

QString PostgresServer::url(const QString &database) const
{
    return QStringLiteral("postgresql://postgres@127.0.0.1:%1/%2").arg(m_port).arg(database);
}

QString PostgresServer::log() const
{
    if (!m_dir)
        return {};
    QFile file(m_dir->filePath(QStringLiteral("server.log")));
    return file.open(QIODevice::ReadOnly) ? QString::fromLocal8Bit(file.readAll()) : QString();
}

bool PostgresServer::runTool(const QString &tool, const QStringList &arguments, bool asServerUser,
                             int timeoutMs, QString *output)
{
    const QString program = binDirectory() + QLatin1Char('/') + tool;
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    // Not our locale: initdb needs one the system has, and the messages stay parseable.
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("LC_ALL"), QStringLiteral("C.UTF-8"));
    env.remove(QStringLiteral("PGPASSWORD"));
    process.setProcessEnvironment(env);
    if (asServerUser && isRoot()) {
        process.setWorkingDirectory(m_dir->path()); // the user cannot read root's folder
        process.start(QStringLiteral("runuser"),
                      QStringList{QStringLiteral("-u"), QLatin1String(kServerUser),
                                  QStringLiteral("--"), program} +
                          arguments);
    } else {
        process.start(program, arguments);
    }
    const bool finished = process.waitForFinished(timeoutMs);
    const QString text = QString::fromLocal8Bit(process.readAll());
    if (output)
        *output = text;
    if (!finished || process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0) {
        if (!finished)
            process.kill();
        m_error =
            QStringLiteral("%1 failed (%2): %3")
                .arg(tool,
                     finished ? QString::number(process.exitCode()) : QStringLiteral("timed out"),
                     text.trimmed());
        return false;
    }
    return true;
}

bool PostgresServer::initCluster()
{
    if (const QString why = missingReason(); !why.isEmpty()) {
        m_error = why;
        return false;
    }
    m_dir = std::make_unique<QTemporaryDir>(QDir::tempPath() + QStringLiteral("/chat-pg-XXXXXX"));
    if (!m_dir->isValid()) {
        m_error = QStringLiteral("no temporary folder: %1").arg(m_dir->errorString());
        return false;
    }
    // The server's user owns the folder (its data, socket and log); others may pass through to
    // the socket.
    if (isRoot()) {
        const passwd *user = ::getpwnam(kServerUser);
        if (::chown(QFile::encodeName(m_dir->path()).constData(), user->pw_uid, user->pw_gid) !=
            0) {
            m_error = QStringLiteral("cannot give %1 to the postgres user").arg(m_dir->path());
            return false;
        }
    }
    ::chmod(QFile::encodeName(m_dir->path()).constData(), 0711);
    if (!runTool(QStringLiteral("initdb"),
                 {QStringLiteral("--pgdata=") + m_dir->filePath(QStringLiteral("data")),
                  QStringLiteral("--username=postgres"), QStringLiteral("--auth=trust"),
                  QStringLiteral("--encoding=UTF8"), QStringLiteral("--no-sync"),
                  QStringLiteral("--no-instructions")},
                 true, 120000))
        return false;
    return true;
}

bool PostgresServer::launch()
{
    // Throw-away data: no fsync; small shared memory, as several run side by side.
    const QStringList server{binDirectory() + QStringLiteral("/postgres"),
                             QStringLiteral("-D"),
                             m_dir->filePath(QStringLiteral("data")),
                             QStringLiteral("-p"),
                             QString::number(m_port),
                             QStringLiteral("-k"),
                             m_dir->path(),
                             QStringLiteral("-c"),
                             QStringLiteral("listen_addresses=127.0.0.1"),
                             QStringLiteral("-c"),
                             QStringLiteral("fsync=off"),
                             QStringLiteral("-c"),
                             QStringLiteral("full_page_writes=off"),
                             QStringLiteral("-c"),
                             QStringLiteral("shared_buffers=16MB"),
                             QStringLiteral("-c"),
                             QStringLiteral("max_connections=60")};
    // setpriv switches the user first and sets the death signal after (a change of user
    // clears it), then becomes the postmaster: no process in between that could outlive us.
    QStringList arguments;
    if (isRoot())
        arguments << QStringLiteral("--reuid=%1").arg(QLatin1String(kServerUser))
                  << QStringLiteral("--regid=%1").arg(QLatin1String(kServerUser))
                  << QStringLiteral("--init-groups");
    // SIGQUIT is PostgreSQL's immediate shutdown: the postmaster ends its children and exits.
    arguments << QStringLiteral("--pdeathsig") << QStringLiteral("SIGQUIT") << QStringLiteral("--")
              << server;
    m_process = std::make_unique<QProcess>();
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("LC_ALL"), QStringLiteral("C.UTF-8"));
    env.remove(QStringLiteral("PGPASSWORD"));
    m_process->setProcessEnvironment(env);
    m_process->setWorkingDirectory(m_dir->path()); // the postgres user cannot read root's folder
    m_process->setProcessChannelMode(QProcess::MergedChannels);
    m_process->setStandardOutputFile(m_dir->filePath(QStringLiteral("server.log")),
                                     QIODevice::Append);
    m_process->start(QStringLiteral("setpriv"), arguments);
    if (!m_process->waitForStarted(10000)) {
        m_error = QStringLiteral("cannot run setpriv: %1").arg(m_process->errorString());
        return false;
    }
    // Ready once it accepts connections (pg_isready), as pg_ctl --wait waited.
    QDeadlineTimer deadline(60000);
    while (!deadline.hasExpired()) {
        if (m_process->state() == QProcess::NotRunning) {
            m_error = QStringLiteral("postgres exited (%1)").arg(m_process->exitCode());
            return false;
        }
        if (runTool(QStringLiteral("pg_isready"),
                    {QStringLiteral("--host=127.0.0.1"), QStringLiteral("--port=%1").arg(m_port),
                     QStringLiteral("--timeout=1"), QStringLiteral("--quiet")},
                    false, 10000)) {
            m_error.clear();
            return true;
        }
        QTest::qWait(50);
    }
    m_error = QStringLiteral("postgres did not accept connections within 60 s");
    shutDown(SIGQUIT);
    return false;
}

bool PostgresServer::start()
{
    if (m_running)
        return true;
    if (!m_dir && !initCluster())
        return false;
    const bool pickPort = m_port == 0;
    for (int attempt = 0; attempt < (pickPort ? 3 : 1); ++attempt) {
        if (pickPort)
            m_port = freePort();
        if (launch()) {
            m_running = true;
            return true;
        }
    }
    m_error += QStringLiteral("\n--- server log ---\n") + log();
    return false;
}

qint64 PostgresServer::serverPid() const
{
    return m_running && m_process ? m_process->processId() : 0;
}

bool PostgresServer::shutDown(int signal)
{
    if (!m_process)
        return true;
    if (m_process->state() != QProcess::NotRunning) {
        ::kill(pid_t(m_process->processId()), signal);
        if (!m_process->waitForFinished(120000)) {
            m_process->kill();
            m_process->waitForFinished(5000);
            m_error = QStringLiteral("postgres did not shut down within 120 s");
            return false;
        }
    }
    const bool clean =
        m_process->exitStatus() == QProcess::NormalExit && m_process->exitCode() == 0;
    m_process.reset();
    return clean;
}

bool PostgresServer::stop()
{
    if (!m_running)
        return true;
    m_running = false;
    return shutDown(SIGINT);
}

bool PostgresServer::kill()
{
    if (!m_running)
        return true;
    m_running = false;
    // Its exit status after an immediate shutdown says nothing; that it ended does.
    shutDown(SIGQUIT);
    return !m_process;
}

bool PostgresServer::restart()
{
    return stop() && start();
}

bool PostgresServer::execute(const QString &sql, const QString &database, QString *output)
{
    if (!m_running) {
        m_error = QStringLiteral("PostgreSQL is not running");
        return false;
    }
    QString text;
    const bool ok =
        runTool(QStringLiteral("psql"),
                {QStringLiteral("--host=127.0.0.1"), QStringLiteral("--port=%1").arg(m_port),
                 QStringLiteral("--username=postgres"), QStringLiteral("--dbname=") + database,
                 QStringLiteral("--no-psqlrc"), QStringLiteral("--tuples-only"),
                 QStringLiteral("--no-align"), QStringLiteral("--set=ON_ERROR_STOP=1"),
                 QStringLiteral("--command=") + sql},
                false, 60000, &text);
    if (output)
        *output = text.trimmed();
    return ok;
}

QString PostgresServer::createDatabase(const QString &name)
{
    if (!execute(QStringLiteral("CREATE DATABASE \"%1\"").arg(name)))
        return {};
    return url(name);
}

} // namespace chat::test
