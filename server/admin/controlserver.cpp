#include "admin/controlserver.h"

#include "admin/admincommands.h"
#include "admin/backupcommand.h"
#include "admin/controlwire.h"
#include "logging.h"
#include "store/messagestore.h"
#include "store/postgresconnection.h"

#include "accounts/accounts.h"

#include <QFile>
#include <QFileInfo>
#include <QLocalServer>
#include <QLocalSocket>
#include <QTimer>

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

namespace chat::server::admin {

namespace {

const char kBuffer[] = "chatControlBuffer";
const char kDone[] = "chatControlDone";

// Whether the peer runs as our user (or root). The socket file's mode already keeps others out;
// this holds even if someone loosens it.
bool peerIsTrusted(QLocalSocket *socket)
{
#ifdef SO_PEERCRED
    ucred credentials{};
    socklen_t size = sizeof credentials;
    if (::getsockopt(int(socket->socketDescriptor()), SOL_SOCKET, SO_PEERCRED, &credentials,
                     &size) != 0)
        return false;
    return credentials.uid == ::geteuid() || credentials.uid == 0;
#else
    Q_UNUSED(socket);
    return true;
#endif
}

} // namespace

ControlServer::ControlServer(Accounts *accounts, ControlLimits limits, QObject *parent)
    : QObject(parent)
    , m_accounts(accounts)
    , m_limits(limits)
    , m_server(new QLocalServer(this))
{
    connect(m_server, &QLocalServer::newConnection, this, &ControlServer::accept);
}

ControlServer::~ControlServer() = default; // QLocalServer removes its socket file

QString ControlServer::path() const
{
    return m_server->fullServerName();
}

bool ControlServer::listen(const QString &path)
{
    m_error.clear();
    const QByteArray encoded = QFile::encodeName(path);
    struct stat status
    {};
    if (::lstat(encoded.constData(), &status) == 0) {
        if (!S_ISSOCK(status.st_mode)) {
            m_error = QStringLiteral("%1 exists and is not a socket").arg(path);
            return false;
        }
        QLocalSocket probe;
        probe.connectToServer(path);
        if (probe.waitForConnected(1000)) {
            probe.abort();
            m_error =
                QStringLiteral("another process answers on %1 (another chat-server?)").arg(path);
            return false;
        }
        // A socket nothing answers on: left behind by a server that was killed.
        if (!QLocalServer::removeServer(path)) {
            m_error = QStringLiteral("cannot remove the stale socket %1").arg(path);
            return false;
        }
        qCInfo(lcServer) << "removed a stale control socket" << path;
    }
    // Qt makes the socket in a private temporary folder, sets its mode to 0700 and then moves
    // it into place: no moment at which another user could connect.
    m_server->setSocketOptions(QLocalServer::UserAccessOption);
    if (!m_server->listen(path)) {
        m_error = QStringLiteral("cannot listen on %1: %2").arg(path, m_server->errorString());
        return false;
    }
    return true;
}

void ControlServer::accept()
{
    while (QLocalSocket *socket = m_server->nextPendingConnection()) {
        connect(socket, &QLocalSocket::disconnected, socket, &QObject::deleteLater);
        if (!peerIsTrusted(socket)) {
            refuse(socket, QStringLiteral("a peer of another user"));
            continue;
        }
        if (m_connections >= m_limits.maxConnections) {
            // The reply goes out, but the connection stays open, unread, until the client has
            // read it and closed (or the deadline): closing first would make the client's write
            // of its request fail, and it would never see the reply. A few such at once.
            if (m_busy >= m_limits.maxConnections) {
                refuse(socket, QStringLiteral("too many connections"));
                continue;
            }
            ++m_busy;
            connect(socket, &QObject::destroyed, this, [this] { --m_busy; });
            socket->setReadBufferSize(1);
            reply(socket, kAdminStoreFailed,
                  QStringLiteral("the server is busy with %1 other admin commands; try again\n")
                      .arg(m_connections),
                  m_limits.deadlineMs);
            continue;
        }
        ++m_connections;
        connect(socket, &QObject::destroyed, this, [this] { --m_connections; });
        // Nothing is buffered beyond one whole request.
        socket->setReadBufferSize(kControlLengthBytes + kMaxControlRequestBytes + 1);
        auto *deadline = new QTimer(socket);
        deadline->setSingleShot(true);
        connect(deadline, &QTimer::timeout, socket, [this, socket] {
            if (!socket->property(kDone).toBool())
                refuse(socket, QStringLiteral("no whole request within the deadline"));
        });
        deadline->start(m_limits.deadlineMs);
        connect(socket, &QLocalSocket::readyRead, this, [this, socket] { readRequest(socket); });
        if (socket->bytesAvailable() > 0)
            readRequest(socket);
    }
}

void ControlServer::readRequest(QLocalSocket *socket)
{
    if (socket->property(kDone).toBool()) {
        socket->readAll(); // after the request, nothing is read
        return;
    }
    QByteArray buffer = socket->property(kBuffer).toByteArray();
    buffer += socket->read(kControlLengthBytes + kMaxControlRequestBytes + 1 - buffer.size());
    const std::optional<quint32> length = peekFrameLength(buffer);
    if (!length) {
        socket->setProperty(kBuffer, buffer);
        return;
    }
    if (*length > quint32(kMaxControlRequestBytes)) {
        refuse(socket, QStringLiteral("a request of %1 bytes").arg(*length));
        return;
    }
    const qsizetype whole = kControlLengthBytes + qsizetype(*length);
    if (buffer.size() < whole) {
        socket->setProperty(kBuffer, buffer);
        return;
    }
    if (buffer.size() > whole || socket->bytesAvailable() > 0) {
        refuse(socket, QStringLiteral("bytes after the request"));
        return;
    }
    socket->setProperty(kBuffer, QVariant());
    QString error;
    const std::optional<QStringList> arguments =
        decodeControlRequest(buffer.mid(kControlLengthBytes), &error);
    if (!arguments) {
        refuse(socket, error);
        return;
    }
    const QString command = arguments->mid(0, 2).join(QLatin1Char(' '));
    const AdminResult result = arguments->value(0) == backupCommandWord()
                                   ? runBackupArguments(arguments->mid(1), m_store)
                                   : runAdminArguments(*arguments, m_accounts);
    qCInfo(lcServer).noquote() << "admin command" << command << "exit" << result.exitCode;
    reply(socket, result.exitCode, result.output);
    emit commandFinished(command, result.exitCode);
}

void ControlServer::refuse(QLocalSocket *socket, const QString &reason)
{
    qCWarning(lcServer).noquote() << "control socket: dropped a connection:" << reason;
    socket->setProperty(kDone, true);
    socket->abort();
    socket->deleteLater();
    emit connectionRefused(reason);
}

void ControlServer::reply(QLocalSocket *socket, int exitCode, const QString &output, int lingerMs)
{
    socket->setProperty(kDone, true);
    socket->write(encodeControlReply({exitCode, output}));
    auto *deadline = new QTimer(socket);
    deadline->setSingleShot(true);
    connect(deadline, &QTimer::timeout, socket, [socket] {
        socket->abort();
        socket->deleteLater();
    });
    if (lingerMs > 0) {
        deadline->start(lingerMs);
        return;
    }
    deadline->start(m_limits.replyDeadlineMs);
    socket->disconnectFromServer(); // after what was written has gone out
}

QString controlSocketPath(const QString &dbPath, const QString &overridePath)
{
    if (!overridePath.isEmpty())
        return QFileInfo(overridePath).absoluteFilePath();
    // No file to put it next to: in memory, or a PostgreSQL database (whose admin commands act
    // on the database directly, unless --control-socket names a node's).
    if (dbPath.isEmpty() || dbPath == memoryStorePath() || postgres::isUrl(dbPath))
        return {};
    return QFileInfo(dbPath).absoluteFilePath() + QStringLiteral(".control");
}

QString describeControlSocket(const QString &dbPath, const QString &path)
{
    if (!path.isEmpty())
        return QStringLiteral("admin commands reach this server through the control socket %1")
            .arg(path);
    if (postgres::isUrl(dbPath))
        return QStringLiteral("no control socket (--db is a PostgreSQL URL, there is no file to "
                              "put it beside): admin commands act on the database directly; "
                              "--control-socket PATH gives this node one");
    return QStringLiteral("no control socket (--db :memory:): admin commands cannot reach this "
                          "server; --control-socket PATH gives it one");
}

} // namespace chat::server::admin
