#include "transport/unreadinput.h"

#include <QTcpSocket>

#ifdef Q_OS_LINUX
#include <sys/ioctl.h>
#endif

namespace chat::server {

qint64 unreadInKernel(const QTcpSocket *socket)
{
#ifdef Q_OS_LINUX
    int queued = 0;
    if (socket->socketDescriptor() >= 0 &&
        ::ioctl(int(socket->socketDescriptor()), FIONREAD, &queued) == 0)
        return queued;
#else
    Q_UNUSED(socket);
#endif
    return 0;
}

bool requestWaitsForUs(QTcpSocket *socket)
{
    if (!socket->isOpen())
        return false;
    if (unreadInKernel(socket) > 0)
        return true;
    return socket->bytesAvailable() > 0 &&
           socket->peek(socket->bytesAvailable()).contains("\r\n\r\n");
}

} // namespace chat::server
