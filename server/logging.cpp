#include "logging.h"

namespace chat::server {

Q_LOGGING_CATEGORY(lcServer, "chat.server", QtInfoMsg)
Q_LOGGING_CATEGORY(lcServerNet, "chat.server.net", QtInfoMsg)

QString peerName(const QHostAddress &address, quint16 port)
{
    const QString host = address.protocol() == QAbstractSocket::IPv6Protocol
                             ? u'[' + address.toString() + u']'
                             : address.toString();
    return host + u':' + QString::number(port);
}

} // namespace chat::server
