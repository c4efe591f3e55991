// The running server's end of the admin commands (docs/operations.md, "Admin commands"): a
// local socket that only the server's own user can open, at PATH.control beside the database.
// Each connection brings one request (controlwire.h) and gets one reply; the command runs on
// the event loop against the hub's Accounts, so its effects are live.
#pragma once

#include <QObject>
#include <QString>

class QLocalServer;
class QLocalSocket;

namespace chat::server {
class Accounts;
class MessageStore;
} // namespace chat::server

namespace chat::server::admin {

struct ControlLimits
{
    int maxConnections = 4;      // at once; as many more get a "busy" reply, any others nothing
    int deadlineMs = 5000;       // from accepting a connection to the whole request
    int replyDeadlineMs = 30000; // for the reply to be read
};

class ControlServer : public QObject
{
    Q_OBJECT
public:
    // `accounts` must outlive this object.
    explicit ControlServer(Accounts *accounts, ControlLimits limits = {},
                           QObject *parent = nullptr);
    ~ControlServer() override;

    // The history the backup command copies (admin/backupcommand.h); it must outlive this
    // object. Without it, or for a store in memory, a backup is refused.
    void setStore(MessageStore *store) { m_store = store; }

    // Listens at `path`, after removing a socket file there that nothing answers on (left by a
    // server that was killed). False, with errorString(), when another process answers there,
    // when the path is not a socket, or when listening fails.
    [[nodiscard]] bool listen(const QString &path);
    [[nodiscard]] QString errorString() const { return m_error; }
    [[nodiscard]] QString path() const;
    [[nodiscard]] int connectionCount() const { return m_connections; }

signals:
    // A request was answered (for tests and the log): its command words and exit code.
    void commandFinished(const QString &command, int exitCode);
    // A connection was dropped without a reply: malformed, oversized, too slow, or not our user.
    void connectionRefused(const QString &reason);

private:
    void accept();
    void readRequest(QLocalSocket *socket);
    void refuse(QLocalSocket *socket, const QString &reason);
    // With `lingerMs`, the connection stays open that long for the client to close it.
    void reply(QLocalSocket *socket, int exitCode, const QString &output, int lingerMs = 0);

    Accounts *m_accounts;
    MessageStore *m_store = nullptr;
    ControlLimits m_limits;
    QLocalServer *m_server;
    QString m_error;
    int m_connections = 0;
    int m_busy = 0; // turned away with a "busy" reply, waiting for the client to close
};

// Where the control socket of a server on `dbPath` is: `overridePath` when not empty; else,
// for a database file, its absolute path plus ".control"; for ":memory:" and a postgresql://
// URL, none (empty).
[[nodiscard]] QString controlSocketPath(const QString &dbPath, const QString &overridePath);
// The server's log line about it: where it listens (`path`, from controlSocketPath()), or why
// there is none and what admin commands do then.
[[nodiscard]] QString describeControlSocket(const QString &dbPath, const QString &path);

} // namespace chat::server::admin
