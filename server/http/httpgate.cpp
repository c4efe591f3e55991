#include "http/httpgate.h"

#include "http/httpresponder.h"
#include "logging.h"
#include "transport/clientaddress.h"
#include "transport/lingeringsocket.h"

#include "codec.h"

#include <QPointer>
#include <QSslSocket>
#include <QTcpSocket>

namespace chat::server {

HttpGate::HttpGate(const HttpLimits &limits, HttpResponder *responder, QObject *parent)
    : QObject(parent)
    , m_limits(limits)
    , m_responder(responder)
{}

void HttpGate::setForwarding(const TrustedProxies &proxies,
                             std::function<bool(QTcpSocket *)> admits)
{
    m_proxies = proxies;
    m_admitsForwarded = std::move(admits);
}

void HttpGate::inspect(QTcpSocket *socket)
{
    // Every connection here has `this` as its context, so one disconnect() ends the watch.
    connect(socket, &QTcpSocket::readyRead, this, [this, socket] { examine(socket); });
    // A peer that leaves before its head is complete: nobody else would delete the socket.
    connect(socket, &QTcpSocket::disconnected, this, [socket] { socket->deleteLater(); });
    if (socket->bytesAvailable() > 0)
        examine(socket);
}

void HttpGate::examine(QTcpSocket *socket)
{
    if (!socket->isOpen())
        return; // cut meanwhile (the handshake deadline): nothing to read
    // peek(), not read(): on an upgrade QWebSocketServer must still find the whole request.
    const QByteArray bytes = socket->peek(m_limits.maxHeadBytes + chat::proto::kMaxHttpBodyBytes);
    const HttpHead head = parseHttpHead(bytes, m_limits);
    switch (head.state) {
    case HttpHead::State::Incomplete:
        return;
    case HttpHead::State::Complete:
        if (!settleClient(socket, head.request))
            return;
        if (head.request.isWebSocketUpgrade()) {
            disconnect(socket, nullptr, this, nullptr);
            emit webSocketRequested(socket);
            return;
        }
        {
            // A TLS listener hands over QSslSockets only.
            const bool secure = qobject_cast<QSslSocket *>(socket) != nullptr;
            const HttpPlan plan = m_responder->plan(head.request, secure);
            if (plan.response) {
                answer(socket, plan.response->serialize());
                return;
            }
            if (bytes.size() - head.headBytes < plan.bodyBytes)
                return; // the rest of the body is still on its way
            HttpRequest request = head.request;
            request.body = bytes.sliced(head.headBytes, plan.bodyBytes);
            respondWithBody(socket, std::move(request));
        }
        return;
    case HttpHead::State::TooLarge:
        // Debug only, like every HTTP answer: counted in /metrics, so scanners cannot flood the
        // log.
        qCDebug(lcServerNet).noquote() << describeClient(socket) << "request head too large";
        answer(socket, m_responder->refuse(431).serialize());
        return;
    case HttpHead::State::Malformed:
        qCDebug(lcServerNet).noquote() << describeClient(socket) << "malformed request head";
        answer(socket, m_responder->refuse(400).serialize());
        return;
    }
}

bool HttpGate::settleClient(QTcpSocket *socket, const HttpRequest &request)
{
    // A POST's body may take several reads: the head, and its verdict, stay the same.
    if (m_proxies.isEmpty() || hasClientAddress(socket))
        return true;
    const TrustedProxies::Resolution client =
        m_proxies.resolve(socket->peerAddress(), {request.headerValues("x-forwarded-for"),
                                                  request.headerValues("forwarded")});
    reportUnnamed(socket, client);
    setClientAddress(socket, client.address);
    // Every connection from a trusted proxy takes its place under its client now, those that
    // name nobody under the proxy's own address: all of them are capped (--max-per-ip).
    if (client.kind == TrustedProxies::Resolution::Kind::Untrusted || !m_admitsForwarded ||
        m_admitsForwarded(socket))
        return true;
    disconnect(socket, nullptr, this, nullptr);
    abortConnection(socket);
    socket->deleteLater();
    return false;
}

void HttpGate::reportUnnamed(const QTcpSocket *socket, const TrustedProxies::Resolution &client)
{
    using Kind = TrustedProxies::Resolution::Kind;
    if (client.kind == Kind::Untrusted || client.kind == Kind::Named)
        return;
    // Once per proxy address, a malformed header once a minute: a client that can spoil the
    // header its proxy passes on must not be able to flood the log.
    constexpr qint64 kMalformedIntervalMs = 60 * 1000;
    const QString key = QString::number(int(client.kind)) + u'|' + client.address.toString();
    if (!m_reportClock.isValid())
        m_reportClock.start();
    const auto last = m_reportedAtMs.constFind(key);
    if (last != m_reportedAtMs.cend() &&
        (client.kind != Kind::Malformed || m_reportClock.elapsed() - *last < kMalformedIntervalMs))
        return;
    m_reportedAtMs.insert(key, m_reportClock.elapsed());
    const QString header = TrustedProxies::headerName(m_proxies.header());
    const QString detail =
        client.detail.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(client.detail);
    const QString fallback = QStringLiteral("; such connections count under the proxy's own "
                                            "address, capped by --max-per-ip (logged once per "
                                            "proxy)");
    if (client.kind == Kind::Malformed)
        qCWarning(lcServerNet).noquote()
            << describeClient(socket)
            << QStringLiteral("trusted proxy sent a malformed %1 header%2; counting the proxy's "
                              "own address (logged at most once a minute per proxy)")
                   .arg(header, detail);
    else if (client.kind == Kind::Hidden)
        qCInfo(lcServerNet).noquote()
            << describeClient(socket)
            << QStringLiteral("trusted proxy hides the client in its %1 header%2%3")
                   .arg(header, detail, fallback);
    else
        qCInfo(lcServerNet).noquote()
            << describeClient(socket)
            << QStringLiteral("trusted proxy sent a request without the %1 header%2%3")
                   .arg(header, detail, fallback);
}

void HttpGate::respondWithBody(QTcpSocket *socket, HttpRequest request)
{
    // Whatever else comes (a pipelined request) gets no answer and is dropped as it arrives.
    disconnect(socket, &QTcpSocket::readyRead, this, nullptr);
    socket->skip(socket->bytesAvailable());
    connect(socket, &QTcpSocket::readyRead, this,
            [socket] { socket->skip(socket->bytesAvailable()); });
    const HttpPeer peer{clientAddress(socket), qobject_cast<QSslSocket *>(socket) != nullptr};
    // Hashing a password takes a while: by the answer the peer may have gone (deleted on
    // disconnected, see inspect()) or the handshake deadline may have cut the connection.
    m_responder->respondWithBody(request, peer,
                                 [gate = QPointer<HttpGate>(this),
                                  guard = QPointer<QTcpSocket>(socket)](HttpResponse response) {
                                     if (!gate || !guard ||
                                         guard->state() != QAbstractSocket::ConnectedState)
                                         return;
                                     gate->answer(guard, response.serialize());
                                 });
}

void HttpGate::answer(QTcpSocket *socket, const QByteArray &response)
{
    disconnect(socket, nullptr, this, nullptr);
    // Drop what was buffered; a request body or a pipelined request gets no answer.
    socket->skip(socket->bytesAvailable());
    socket->write(response);
    // Lingers (lingeringsocket.h): the response arrives even while the peer is still sending,
    // and the handshake deadline still bounds a peer that never reads it.
    connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    if (!lingerThenClose(socket, kLingerDeadlineMs))
        socket->deleteLater();
}

} // namespace chat::server
