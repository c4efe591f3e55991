#include "fuzzpeer.h"

#include "codec.h"
#include "fuzzcheck.h"

namespace chat::fuzz {

FuzzPeer::FuzzPeer(QObject *parent)
    : QObject(parent)
{
    connect(&m_socket, &QWebSocket::textMessageReceived, this, &FuzzPeer::onText);
    connect(&m_socket, &QWebSocket::binaryMessageReceived, this,
            [] { FUZZ_CHECK(false, "the server sent a binary frame"); });
    connect(&m_socket, &QWebSocket::disconnected, this, [this] { m_closed = true; });
}

FuzzPeer::~FuzzPeer()
{
    m_socket.disconnect(this);
    m_socket.abort();
}

void FuzzPeer::open(const QUrl &url)
{
    m_closed = false;
    m_account.clear();
    m_received.clear();
    m_socket.open(url);
}

void FuzzPeer::onText(const QString &frame)
{
    Decoded<ServerMessage> decoded = decodeServerMessage(frame.toUtf8());
    FUZZ_CHECK(decoded.ok(), "the server sent a frame its own clients cannot decode");
    if (const auto *welcome = std::get_if<Welcome>(&*decoded.message))
        m_account = welcome->account;
    m_received.append(std::move(*decoded.message));
}

} // namespace chat::fuzz
