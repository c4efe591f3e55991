#include "admin/controlclient.h"

#include <QDeadlineTimer>
#include <QLocalSocket>

namespace chat::server::admin {

namespace {

ControlOutcome failed(const QString &error)
{
    ControlOutcome outcome;
    outcome.kind = ControlOutcome::Kind::Failed;
    outcome.error = error;
    return outcome;
}

// Reads until `buffer` holds `size` bytes; false on timeout or a closed socket.
bool readUpTo(QLocalSocket *socket, QByteArray *buffer, qsizetype size,
              const QDeadlineTimer &deadline)
{
    while (buffer->size() < size) {
        if (socket->bytesAvailable() > 0) {
            *buffer += socket->read(size - buffer->size());
            continue;
        }
        if (socket->state() != QLocalSocket::ConnectedState || deadline.hasExpired())
            return false;
        socket->waitForReadyRead(int(qMin<qint64>(deadline.remainingTime(), 1000)));
    }
    return true;
}

} // namespace

ControlOutcome sendControlCommand(const QString &path, const QStringList &arguments, int timeoutMs,
                                  int replyTimeoutMs)
{
    QLocalSocket socket;
    socket.connectToServer(path);
    if (!socket.waitForConnected(timeoutMs)) {
        // No file, or a file nothing listens on (a server that was killed): no server runs.
        if (socket.error() == QLocalSocket::ServerNotFoundError ||
            socket.error() == QLocalSocket::ConnectionRefusedError)
            return {};
        return failed(QStringLiteral("cannot reach the running server through %1: %2")
                          .arg(path, socket.errorString()));
    }
    const QByteArray request = encodeControlRequest(arguments);
    if (request.size() - kControlLengthBytes > kMaxControlRequestBytes)
        return failed(QStringLiteral("the command is too long for the control socket"));
    socket.write(request);
    // A server that refuses at once (busy) replies and closes before taking it all: the reply
    // is read all the same.
    const QDeadlineTimer sendDeadline(timeoutMs);
    while (socket.bytesToWrite() > 0 && socket.state() == QLocalSocket::ConnectedState &&
           !sendDeadline.hasExpired())
        socket.waitForBytesWritten(int(qMax<qint64>(1, sendDeadline.remainingTime())));

    const QDeadlineTimer deadline(replyTimeoutMs);
    QByteArray buffer;
    if (!readUpTo(&socket, &buffer, kControlLengthBytes, deadline))
        return failed(QStringLiteral("no reply from the server (%1)").arg(socket.errorString()));
    const quint32 length = *peekFrameLength(buffer);
    if (length > quint32(kMaxControlReplyBytes))
        return failed(QStringLiteral("the server's reply is too long (%1 bytes)").arg(length));
    buffer.clear();
    if (!readUpTo(&socket, &buffer, qsizetype(length), deadline))
        return failed(QStringLiteral("the server's reply was cut short"));
    QString error;
    std::optional<ControlReply> reply = decodeControlReply(buffer, &error);
    if (!reply)
        return failed(QStringLiteral("the server's reply is unreadable: %1").arg(error));
    ControlOutcome outcome;
    outcome.kind = ControlOutcome::Kind::Replied;
    outcome.reply = std::move(*reply);
    return outcome;
}

} // namespace chat::server::admin
