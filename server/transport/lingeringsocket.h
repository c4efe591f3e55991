// The server's side of a TCP connection, closed so that the peer receives everything written
// before the close. Closing a socket whose peer's bytes are still unread makes the kernel answer
// with a reset, and the peer then throws away whatever it had not read yet: the error that
// explained a refusal, the last acknowledgements, the close frame (RFC 6455 §7.1.1 asks for the
// opposite). So close() here lingers instead: it stops handing data to the application, lets
// the buffers drain, half-closes (FIN), reads and discards what the peer still sends, and ends
// when the peer closes its side or the deadline passes. abort() still cuts at once.
//
// QWebSocket closes its socket through the virtual close(), so the closes it makes on its own
// (1009, 1007, 1002, its answer to a close frame) linger too.
#pragma once

#include <QSslSocket>
#include <QTcpSocket>

namespace chat::server {

// Starts the linger on a connected socket (once; later calls do nothing). Returns false when the
// socket is not connected, and so has nothing to linger for.
bool lingerThenClose(QTcpSocket *socket, int deadlineMs);

// Cuts a connection at once, whatever it is doing, with a TCP reset: the kernel drops what it
// still held for the peer instead of trying to deliver it for minutes (a reader that stopped
// reading could otherwise pin megabytes of kernel memory per connection after it was cut).
void abortConnection(QTcpSocket *socket);
[[nodiscard]] bool isAborting(const QTcpSocket *socket);

// How long a closing connection may take to read its last bytes and close its side.
inline constexpr int kLingerDeadlineMs = 5000;

template<class Socket> class LingeringSocket final : public Socket
{
public:
    explicit LingeringSocket(QObject *parent)
        : Socket(parent)
    {}

    void close() override
    {
        // QAbstractSocket::abort(), ours or Qt's own after a write error, empties the write
        // channels and then calls close(): that one must close for real.
        if (isAborting(this) || this->writeChannelCount() == 0 ||
            !lingerThenClose(this, kLingerDeadlineMs))
            Socket::close();
    }
};

using LingeringTcpSocket = LingeringSocket<QTcpSocket>;
using LingeringSslSocket = LingeringSocket<QSslSocket>;

} // namespace chat::server
