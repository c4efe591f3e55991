// The client a connection stands for: its TCP peer, or, behind a trusted proxy
// (--trusted-proxy), the client the proxy named in X-Forwarded-For or Forwarded
// (--trusted-proxy-header), the proxy itself when it named none. HttpGate decides it once, from
// the request head, and keeps it on the socket; every per-address limit, the refusal log and the
// logs ask here instead of QAbstractSocket::peerAddress().
#pragma once

#include <QHostAddress>
#include <QString>

QT_BEGIN_NAMESPACE
class QAbstractSocket;
QT_END_NAMESPACE

namespace chat::server {

void setClientAddress(QAbstractSocket *socket, const QHostAddress &address);
[[nodiscard]] QHostAddress clientAddress(const QAbstractSocket *socket);
// Whether setClientAddress() was called: the head has been looked at.
[[nodiscard]] bool hasClientAddress(const QAbstractSocket *socket);
// For the log: "192.0.2.7:4711", or "203.0.113.9 via 127.0.0.1:4711" behind a proxy.
[[nodiscard]] QString describeClient(const QAbstractSocket *socket);

} // namespace chat::server
