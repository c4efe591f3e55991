#include "transport/lingeringsocket.h"

#include <QTimer>

#include <sys/socket.h>

namespace chat::server {

namespace {

constexpr char kLingering[] = "chatLingering";
constexpr char kAborting[] = "chatAborting";
constexpr char kHalfClosed[] = "chatHalfClosed";

qint64 unsentBytes(const QTcpSocket *socket)
{
    const auto *ssl = qobject_cast<const QSslSocket *>(socket);
    return socket->bytesToWrite() + (ssl ? ssl->encryptedBytesToWrite() : 0);
}

// Once everything written has reached the kernel: FIN after the last byte. The kernel still
// delivers what it holds; the peer sees the end of the stream right after it.
void halfCloseWhenDrained(QTcpSocket *socket)
{
    if (unsentBytes(socket) > 0 || socket->property(kHalfClosed).toBool())
        return;
    socket->setProperty(kHalfClosed, true);
    ::shutdown(int(socket->socketDescriptor()), SHUT_WR);
}

} // namespace

bool lingerThenClose(QTcpSocket *socket, int deadlineMs)
{
    if (socket->property(kLingering).toBool())
        return true;
    if (socket->state() != QAbstractSocket::ConnectedState)
        return false;
    socket->setProperty(kLingering, true);

    // No more application data: whoever read this socket (QWebSocket, the HTTP gate) stops, and
    // what arrives from now on is read and dropped, so the kernel never holds unread bytes.
    QObject::disconnect(socket, &QIODevice::readyRead, nullptr, nullptr);
    const auto discard = [socket] {
        socket->skip(socket->bytesAvailable());
    };
    QObject::connect(socket, &QIODevice::readyRead, socket, discard);
    discard();

    QObject::connect(socket, &QIODevice::bytesWritten, socket,
                     [socket] { halfCloseWhenDrained(socket); });
    if (auto *ssl = qobject_cast<QSslSocket *>(socket))
        QObject::connect(ssl, &QSslSocket::encryptedBytesWritten, socket,
                         [socket] { halfCloseWhenDrained(socket); });
    socket->flush();
    halfCloseWhenDrained(socket);

    // The peer closes its side once it has read our close (Qt then reports disconnected); one
    // that never does, or never reads at all, is cut at the deadline.
    QTimer::singleShot(deadlineMs, socket, [socket] { abortConnection(socket); });
    return true;
}

void abortConnection(QTcpSocket *socket)
{
    socket->setProperty(kAborting, true);
    const qintptr descriptor = socket->socketDescriptor();
    if (descriptor >= 0) {
        const linger reset{1, 0}; // close() sends RST and frees the send queue at once
        ::setsockopt(int(descriptor), SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    }
    socket->abort();
}

bool isAborting(const QTcpSocket *socket)
{
    return socket->property(kAborting).toBool();
}

} // namespace chat::server
