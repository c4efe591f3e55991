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

// Cuts a connection at once, whatever it is doing (QAbstractSocket::abort() goes through the
// virtual close(), which for a LingeringSocket would linger instead). Every abort in the server
// goes through here.
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
        if (isAborting(this) || !lingerThenClose(this, kLingerDeadlineMs))
            Socket::close();
    }
};

using LingeringTcpSocket = LingeringSocket<QTcpSocket>;
using LingeringSslSocket = LingeringSocket<QSslSocket>;

} // namespace chat::server
