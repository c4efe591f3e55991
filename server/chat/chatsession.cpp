#include "chat/chatsession.h"

#include <algorithm>

#include "codec.h"
#include "logging.h"
#include "transport/deadlinequeue.h"

namespace chat::server {

using namespace chat::proto;

namespace {

// How many more hello deadlines a session whose hello waits unread gets (see
// helloDeadlinePassed).
constexpr int kMaxHelloExtensions = 3;

// Decoding errors that only a hello can cause: a session that has not joined is refused.
bool isHelloRefusal(ErrorCode code)
{
    return code == ErrorCode::NickInvalid || code == ErrorCode::UnsupportedVersion ||
           code == ErrorCode::NameInvalid || code == ErrorCode::PasswordInvalid ||
           code == ErrorCode::DisplayInvalid;
}

// The id of the request a frame carried, if it had one, whether or not it was valid: a refusal
// names the send or the room request it refuses.
QString requestIdOf(const Decoded<ClientMessage> &decoded)
{
    return decoded.ok() ? chat::proto::requestIdOf(*decoded.message) : decoded.ref;
}

} // namespace

ChatSession::ChatSession(Transport *transport, DeadlineQueue *helloDeadlines, QObject *parent)
    : QObject(parent)
    , m_transport(transport)
{
    m_transport->setParent(this);
    connect(m_transport, &Transport::textReceived, this, &ChatSession::onText);
    connect(m_transport, &Transport::binaryReceived, this, &ChatSession::onBinary);
    connect(m_transport, &Transport::closed, this, &ChatSession::onTransportClosed);
    if (helloDeadlines)
        helloDeadlines->add(this);
}

ChatSession::~ChatSession()
{
    // The transport (our child) is destroyed after this body; it must not call back into us then.
    m_transport->disconnect(this);
}

void ChatSession::helloDeadlinePassed(DeadlineQueue *deadlines)
{
    if (m_joined || m_authenticating || isClosing())
        return;
    // Under a storm the hello may be here, unread, because the server was busy: that is not the
    // peer's fault. A few more rounds for those only; a peer that sent nothing gets none.
    if (m_helloExtensions < kMaxHelloExtensions && m_transport->hasUnreadInput()) {
        ++m_helloExtensions;
        deadlines->add(this);
        return;
    }
    qCInfo(lcServerNet).noquote() << peer() << "sent no hello in time; closing";
    close(QWebSocketProtocol::CloseCodePolicyViolated, QStringLiteral("no hello in time"));
}

void ChatSession::markAuthenticating()
{
    m_authenticating = true;
}

void ChatSession::markJoined(const SessionAccount &account)
{
    m_authenticating = false;
    m_joined = true;
    m_account = account;
}

void ChatSession::sendMessage(const ServerMessage &message)
{
    m_transport->sendFrame(QString::fromUtf8(encode(message)));
}

void ChatSession::sendError(ErrorCode code, const QString &reason, const QString &ref)
{
    qCDebug(lcServer).noquote() << peer() << "error reply:" << errorCodeName(code);
    sendMessage(Error{code, reason, ref});
    emit errorSent(code);
}

void ChatSession::refuse(ErrorCode code, const QString &reason)
{
    qCInfo(lcServer).noquote() << peer() << "hello refused:" << errorCodeName(code);
    sendMessage(Error{code, reason, {}});
    emit errorSent(code);
    close(QWebSocketProtocol::CloseCodePolicyViolated, reason);
}

void ChatSession::refuseOverRate(Transport::Admission admission, const QString &ref)
{
    sendError(ErrorCode::RateLimited, QStringLiteral("Too many messages; slow down."), ref);
    if (admission != Transport::Admission::OverRateClose)
        return;
    qCInfo(lcServer).noquote() << peer() << "kept sending over the rate limit; closing";
    close(QWebSocketProtocol::CloseCodePolicyViolated,
          QStringLiteral("too many messages too fast"));
}

void ChatSession::onText(const QString &text, Transport::Admission admission)
{
    // Decoded even when refused: the refusal names the send it refuses.
    Decoded<ClientMessage> decoded = decodeClientMessage(text.toUtf8());
    switch (admission) {
    case Transport::Admission::Accepted:
        break;
    case Transport::Admission::OverBytes:
        sendError(ErrorCode::RateLimited, QStringLiteral("Too much data too fast; slow down."),
                  requestIdOf(decoded));
        return;
    case Transport::Admission::OverRate:
    case Transport::Admission::OverRateClose:
        refuseOverRate(admission, requestIdOf(decoded));
        return;
    }
    if (!decoded.ok()) {
        if (isHelloRefusal(decoded.code) && !m_joined && !m_authenticating)
            refuse(decoded.code, decoded.reason);
        else
            sendError(decoded.code, decoded.reason, decoded.ref);
        return;
    }

    ClientMessage &message = *decoded.message;
    if (const auto *hello = std::get_if<Hello>(&message)) {
        if (m_joined || m_authenticating)
            sendError(ErrorCode::AlreadyJoined, QStringLiteral("You have already sent a hello."));
        else
            emit helloReceived(this, *hello);
    } else if (const auto *ping = std::get_if<Ping>(&message)) {
        if (!m_joined)
            sendError(ErrorCode::NotJoined, QStringLiteral("Send a hello first."));
        else
            sendMessage(Pong{ping->id});
    } else if (!m_joined) {
        sendError(ErrorCode::NotJoined, QStringLiteral("Send a hello first."),
                  requestIdOf(message));
    } else {
        emit requestReceived(this, message);
    }
}

void ChatSession::onBinary(Transport::Admission admission)
{
    if (admission != Transport::Admission::Accepted) {
        refuseOverRate(admission, {});
        return;
    }
    sendError(ErrorCode::BinaryFrame, QStringLiteral("Only text frames are accepted."));
}

void ChatSession::onTransportClosed()
{
    emit closed(this);
    deleteLater();
}

void ChatSession::noteOnline(Room *room, bool online)
{
    const auto at = std::find(m_onlineIn.begin(), m_onlineIn.end(), room);
    if (online && at == m_onlineIn.end())
        m_onlineIn.append(room);
    else if (!online && at != m_onlineIn.end())
        m_onlineIn.erase(at);
}

} // namespace chat::server
