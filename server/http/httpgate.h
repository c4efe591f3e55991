// Sits between accept and the WebSocket upgrade: peeks at a new connection until its request
// head is complete (within HttpLimits), then either hands it on as a WebSocket upgrade or
// answers it as plain HTTP through the HttpResponder and closes it. Nothing is consumed before
// the hand-over, so QWebSocketServer reads the same bytes. The browser's login POSTs also need
// their body (at most kMaxHttpBodyBytes), and their answer may come later, once a password is
// hashed. The time a peer gets to send its head and body, and to be answered, is the listener's
// handshake deadline, which keeps running on every connection in here.
#pragma once

#include "http/httprequest.h"
#include "transport/trustedproxies.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>

#include <functional>

QT_BEGIN_NAMESPACE
class QTcpSocket;
QT_END_NAMESPACE

namespace chat::server {

class HttpResponder;

class HttpGate : public QObject
{
    Q_OBJECT
public:
    // `responder` must outlive the gate.
    HttpGate(const HttpLimits &limits, HttpResponder *responder, QObject *parent = nullptr);

    // Watches a freshly accepted connection; the socket's owner stays its owner.
    void inspect(QTcpSocket *socket);
    // Believe the forwarding header of these proxies (transport/clientaddress.h). `admits` is
    // asked about each connection from one of them once its client is known (the proxy itself
    // when the header names nobody); false drops it without a word (its address is over its
    // limit of connections).
    void setForwarding(const TrustedProxies &proxies, std::function<bool(QTcpSocket *)> admits);

signals:
    // The head asks for a WebSocket upgrade: the receiver passes the socket to
    // QWebSocketServer::handleConnection(). The gate no longer watches it.
    void webSocketRequested(QTcpSocket *socket);

private:
    void examine(QTcpSocket *socket);
    // The head and `bodyBytes` of body are in: stop reading, let the responder answer.
    void respondWithBody(QTcpSocket *socket, HttpRequest request);
    void answer(QTcpSocket *socket, const QByteArray &response);
    // Settles the client address from the head, once per connection; false: dropped.
    bool settleClient(QTcpSocket *socket, const HttpRequest &request);
    // Why a trusted proxy's connection counts as the proxy itself, in the log (rate-limited).
    void reportUnnamed(const QTcpSocket *socket, const TrustedProxies::Resolution &client);

    HttpLimits m_limits;
    HttpResponder *m_responder;
    TrustedProxies m_proxies;
    std::function<bool(QTcpSocket *)> m_admitsForwarded;
    QElapsedTimer m_reportClock;
    QHash<QString, qint64> m_reportedAtMs; // by reason and proxy, see reportUnnamed()
};

} // namespace chat::server
