// A throw-away PostgreSQL for tests: a cluster made with initdb in a temporary folder, on a free
// port of 127.0.0.1 and a unix socket in that folder, trust authentication for the superuser
// `postgres`, removed with the object. PostgreSQL refuses to run as root: when the test runs as
// root the cluster belongs to (and runs as) the `postgres` system user, through runuser and
// setpriv. The server is the test's own child, not a daemon: started through `setpriv
// --pdeathsig SIGQUIT`, it shuts down at once when the test dies, even by SIGKILL, so a killed
// test leaves no PostgreSQL behind.
#pragma once

#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <memory>

namespace chat::test {

class PostgresServer
{
public:
    PostgresServer();
    ~PostgresServer(); // stops the server
    PostgresServer(const PostgresServer &) = delete;
    PostgresServer &operator=(const PostgresServer &) = delete;

    // Why no server can be made here (PostgreSQL's binaries not found, no `postgres` user when
    // root); empty when one can. The folder is $CHAT_PG_BINDIR, else the newest
    // /usr/lib/postgresql/*/bin, else initdb's folder on PATH.
    [[nodiscard]] static QString missingReason();

    // The first call makes the cluster (initdb) and picks the port; every call starts the server
    // on them and waits until it accepts connections. False with errorString() on failure.
    [[nodiscard]] bool start();
    // A clean, fast shutdown (clients are disconnected); false when it does not end cleanly.
    bool stop();
    // An immediate shutdown, as a crash: no checkpoint, recovery on the next start().
    bool kill();
    // stop() then start(): same port, same data.
    [[nodiscard]] bool restart();
    [[nodiscard]] bool isRunning() const { return m_running; }

    // Creates the database and returns `postgresql://postgres@127.0.0.1:PORT/NAME`; empty on
    // failure (errorString()).
    [[nodiscard]] QString createDatabase(const QString &name);
    // Runs SQL through psql as the superuser on `database`; false with errorString() (psql's
    // output) on failure. `output` gets the unaligned, tuples-only result.
    bool execute(const QString &sql, const QString &database = QStringLiteral("postgres"),
                 QString *output = nullptr);

    [[nodiscard]] int port() const { return m_port; }
    // The postmaster's process id while running, else 0.
    [[nodiscard]] qint64 serverPid() const;
    [[nodiscard]] QString socketDirectory() const { return m_dir ? m_dir->path() : QString(); }
    [[nodiscard]] QString url(const QString &database) const;
    [[nodiscard]] QString errorString() const { return m_error; }
    // The server's log so far, for failure messages.
    [[nodiscard]] QString log() const;

private:
    [[nodiscard]] bool initCluster();
    // Runs a PostgreSQL program from the bin folder, as `postgres` when we are root.
    [[nodiscard]] bool runTool(const QString &tool, const QStringList &arguments, bool asServerUser,
                               int timeoutMs, QString *output = nullptr);
    // Runs the postmaster as our child on m_port; false when it did not get ready.
    [[nodiscard]] bool launch();
    // Sends the postmaster `signal` (SIGINT fast, SIGQUIT immediate) and waits for its end.
    bool shutDown(int signal);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<QProcess> m_process; // the postmaster
    int m_port = 0;
    bool m_running = false;
    QString m_error;
};

} // namespace chat::test

// In a test function: skips when no PostgreSQL is installed here, fails when it cannot start.
#define CHAT_START_POSTGRES(server)                                                                \
    do {                                                                                           \
        if (const QString why = chat::test::PostgresServer::missingReason(); !why.isEmpty())       \
            QSKIP(qPrintable(why));                                                                \
        QVERIFY2((server).start(), qPrintable((server).errorString()));                            \
    } while (false)
