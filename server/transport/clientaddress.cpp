#include "transport/clientaddress.h"

#include "logging.h"

#include <QAbstractSocket>
#include <QVariant>

namespace chat::server {

namespace {

constexpr char kProperty[] = "chatClientAddress";

} // namespace

void setClientAddress(QAbstractSocket *socket, const QHostAddress &address)
{
    socket->setProperty(kProperty, address.toString());
}

QHostAddress clientAddress(const QAbstractSocket *socket)
{
    const QVariant forwarded = socket->property(kProperty);
    return forwarded.isValid() ? QHostAddress(forwarded.toString()) : socket->peerAddress();
}

bool hasClientAddress(const QAbstractSocket *socket)
{
    return socket->property(kProperty).isValid();
}

QString describeClient(const QAbstractSocket *socket)
{
    const QString peer = peerName(socket->peerAddress(), socket->peerPort());
    const QHostAddress client = clientAddress(socket);
    return client == socket->peerAddress() ? peer
                                           : client.toString() + QStringLiteral(" via ") + peer;
}

} // namespace chat::server
