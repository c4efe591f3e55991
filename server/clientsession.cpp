#include "clientsession.h"

#include "codec.h"
#include "logging.h"

#include <QTimer>
#include <QWebSocket>

namespace chat::server {

using namespace chat::proto;

namespace {

// Codes the decoder gives only for a hello: refusing such a hello ends the connection.
bool isHelloRefusal(ErrorCode code)
{
    return code == ErrorCode::NickInvalid || code == ErrorCode::UnsupportedVersion;
}

} // namespace

ClientSession::ClientSession(QWebSocket *socket, const HubConfig &config, QObject *parent)
    : QObject(parent)
    , m_socket(socket)
    , m_helloTimer(new QTimer(this))
{
    m_socket->setParent(this);
    // Without these a peer could make the server buffer a message of any size.
    m_socket->setMaxAllowedIncomingMessageSize(quint64(config.maxMessageBytes));
    m_socket->setMaxAllowedIncomingFrameSize(quint64(config.maxMessageBytes));

    m_peer = peerName(m_socket->peerAddress(), m_socket->peerPort());

    connect(m_socket, &QWebSocket::textMessageReceived, this, &ClientSession::onText);
    connect(m_socket, &QWebSocket::binaryMessageReceived, this, &ClientSession::onBinary);
    connect(m_socket, &QWebSocket::disconnected, this, &ClientSession::onDisconnected);
    // QWebSocket::error is the 6.4 name of the signal (errorOccurred arrived in 6.5).
    connect(m_socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this,
            [this](QAbstractSocket::SocketError error) {
                if (error == QAbstractSocket::RemoteHostClosedError)
                    qCDebug(lcServerNet).noquote() << m_peer << "closed by the peer";
                else
                    qCInfo(lcServerNet).noquote()
                        << m_peer << "socket error:" << m_socket->errorString();
            });

    m_helloTimer->setSingleShot(true);
    connect(m_helloTimer, &QTimer::timeout, this, [this] {
        qCInfo(lcServerNet).noquote() << m_peer << "sent no hello in time; closing";
        close(QWebSocketProtocol::CloseCodePolicyViolated, QStringLiteral("no hello in time"));
    });
    m_helloTimer->start(config.helloTimeoutMs);

    // The peer may have gone between the upgrade and now: report it once the hub listens.
    if (m_socket->state() != QAbstractSocket::ConnectedState)
        QMetaObject::invokeMethod(this, &ClientSession::onDisconnected, Qt::QueuedConnection);
}

ClientSession::~ClientSession()
{
    // The socket (our child) is destroyed after this body; it must not call back into us then.
    m_socket->disconnect(this);
}

void ClientSession::markJoined(const QString &nick, const QString &nickKey)
{
    m_joined = true;
    m_nick = nick;
    m_nickKey = nickKey;
    m_helloTimer->stop();
}

void ClientSession::sendFrame(const QString &frame)
{
    if (m_closing || m_socket->state() != QAbstractSocket::ConnectedState)
        return;
    m_socket->sendTextMessage(frame);
}

void ClientSession::sendMessage(const ServerMessage &message)
{
    sendFrame(QString::fromUtf8(encode(message)));
}

void ClientSession::sendError(ErrorCode code, const QString &reason, const QString &ref)
{
    qCDebug(lcServer).noquote() << m_peer << "error reply:" << errorCodeName(code);
    sendMessage(Error{code, reason, ref});
}

void ClientSession::refuse(ErrorCode code, const QString &reason)
{
    qCInfo(lcServer).noquote() << m_peer << "hello refused:" << errorCodeName(code);
    sendMessage(Error{code, reason, {}});
    close(QWebSocketProtocol::CloseCodePolicyViolated, reason);
}

void ClientSession::close(QWebSocketProtocol::CloseCode code, const QString &reason)
{
    if (m_closing)
        return;
    m_closing = true;
    m_helloTimer->stop();
    // Close frames carry at most 123 bytes of reason; QWebSocket cuts longer ones itself.
    m_socket->close(code, reason);
}

void ClientSession::onText(const QString &frame)
{
    if (m_closing)
        return; // frames that were already buffered behind a refusal or a shutdown
    Decoded<ClientMessage> decoded = decodeClientMessage(frame.toUtf8());
    if (!decoded.ok()) {
        if (isHelloRefusal(decoded.code)) {
            if (m_joined)
                sendError(ErrorCode::AlreadyJoined, QStringLiteral("You have already joined."));
            else
                refuse(decoded.code, decoded.reason);
            return;
        }
        sendError(decoded.code, decoded.reason, decoded.ref);
        return;
    }

    ClientMessage &message = *decoded.message;
    if (const auto *hello = std::get_if<Hello>(&message)) {
        if (m_joined)
            sendError(ErrorCode::AlreadyJoined, QStringLiteral("You have already joined."));
        else
            emit helloReceived(this, *hello);
    } else if (const auto *send = std::get_if<Send>(&message)) {
        if (!m_joined)
            sendError(ErrorCode::NotJoined, QStringLiteral("Send a hello first."), send->id);
        else
            emit sendReceived(this, *send);
    } else if (const auto *ping = std::get_if<Ping>(&message)) {
        if (!m_joined)
            sendError(ErrorCode::NotJoined, QStringLiteral("Send a hello first."));
        else
            sendMessage(Pong{ping->id});
    }
}

void ClientSession::onBinary()
{
    if (m_closing)
        return;
    sendError(ErrorCode::BinaryFrame, QStringLiteral("Only text frames are accepted."));
}

void ClientSession::onDisconnected()
{
    if (m_gone)
        return;
    m_gone = true;
    m_closing = true;
    m_helloTimer->stop();
    qCDebug(lcServerNet).noquote() << m_peer << "disconnected, close code" << m_socket->closeCode();
    emit closed(this);
    deleteLater();
}

} // namespace chat::server
