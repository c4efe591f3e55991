#include "testclient.h"

#include "codec.h"
#include "namekey.h"

#include <QHash>

#include <QDeadlineTimer>
#include <QSignalSpy>
#include <QUuid>

namespace chat::test {

using namespace chat::proto;

namespace {

QHash<QString, QString> &tokens()
{
    static QHash<QString, QString> book;
    return book;
}

QString bookKey(const QUrl &server, const QString &name)
{
    return server.authority() + QLatin1Char('|') + accountNameKey(name);
}

} // namespace

QString TokenBook::token(const QUrl &server, const QString &name)
{
    return tokens().value(bookKey(server, name));
}

void TokenBook::remember(const QUrl &server, const QString &name, const QString &token)
{
    tokens().insert(bookKey(server, name), token);
}

void TokenBook::clear()
{
    tokens().clear();
}

TestClient::TestClient(QObject *parent)
    : QObject(parent)
{
    connect(&m_socket, &QWebSocket::connected, this, &TestClient::connected);
    connect(this, &TestClient::connected, this, &TestClient::changed);
    connect(this, &TestClient::disconnected, this, &TestClient::changed);
    connect(this, &TestClient::received, this, &TestClient::changed);
    connect(&m_socket, &QWebSocket::textMessageReceived, this, &TestClient::onText);
    connect(&m_socket, &QWebSocket::binaryMessageReceived, this, [this] {
        ++m_undecodable;
        emit changed();
    });
    connect(&m_socket, &QWebSocket::disconnected, this, [this] {
        m_closed = true;
        m_closeCode = m_socket.closeCode();
        m_closeReason = m_socket.closeReason();
        emit disconnected();
    });
    // QWebSocket::error is the 6.4 name (errorOccurred came in 6.5).
    connect(&m_socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this,
            [this](QAbstractSocket::SocketError error) {
                // The server closing the connection is an expected end, not a failure.
                if (error != QAbstractSocket::RemoteHostClosedError)
                    ++m_socketErrors;
                emit changed();
            });
}

TestClient::~TestClient()
{
    // Aborting avoids waiting for the peer's close frame while the test tears down.
    m_socket.abort();
}

void TestClient::openAsync(const QUrl &url)
{
    m_closed = false;
    m_closeCode = QWebSocketProtocol::CloseCodeNormal;
    m_closeReason.clear();
    m_url = url;
    m_socket.open(url);
}

bool TestClient::open(const QUrl &url, int timeoutMs)
{
    openAsync(url);
    return waitUntil([this] { return isOpen() || m_closed || m_socketErrors > 0; }, timeoutMs) &&
           isOpen();
}

void TestClient::openAsync(const QNetworkRequest &request)
{
    m_closed = false;
    m_closeCode = QWebSocketProtocol::CloseCodeNormal;
    m_closeReason.clear();
    m_url = request.url();
    m_socket.open(request);
}

bool TestClient::open(const QNetworkRequest &request, int timeoutMs)
{
    openAsync(request);
    return waitUntil([this] { return isOpen() || m_closed || m_socketErrors > 0; }, timeoutMs) &&
           isOpen();
}

Hello TestClient::helloFor(const QString &nick, std::optional<qint64> lastSeq,
                           const QString &session) const
{
    Hello hello;
    hello.token = TokenBook::token(m_url, nick);
    if (hello.token.isEmpty())
        hello.registration = Registration{nick, kTestPassword, {}, {}};
    hello.device = QStringLiteral("test");
    hello.lastSeq = lastSeq;
    hello.session = session;
    return hello;
}

void TestClient::sendHello(const QString &nick, std::optional<qint64> lastSeq,
                           const QString &session)
{
    sendHello(helloFor(nick, lastSeq, session));
}

void TestClient::sendHello(const Hello &hello)
{
    sendMessage(hello);
}

bool TestClient::helloAndWait(const QString &nick, std::optional<qint64> lastSeq,
                              const QString &session, int timeoutMs)
{
    return helloAndWait(helloFor(nick, lastSeq, session), timeoutMs);
}

bool TestClient::helloAndWait(const Hello &hello, int timeoutMs)
{
    m_welcome.reset();
    const qsizetype errorsBefore = m_errors.size();
    sendHello(hello);
    return waitUntil([&] { return m_welcome || m_errors.size() > errorsBefore || m_closed; },
                     timeoutMs) &&
           m_welcome.has_value();
}

QString TestClient::send(const QString &text, const QString &id)
{
    Send message;
    message.id = id.isEmpty() ? QUuid::createUuid().toString(QUuid::WithoutBraces) : id;
    message.text = text;
    sendMessage(message);
    return message.id;
}

void TestClient::ping(const QString &id)
{
    sendMessage(Ping{id});
}

void TestClient::sendMessage(const ClientMessage &message)
{
    sendRaw(QString::fromUtf8(encode(message)));
}

void TestClient::sendRaw(const QString &frame)
{
    m_socket.sendTextMessage(frame);
}

void TestClient::sendBinary(const QByteArray &frame)
{
    m_socket.sendBinaryMessage(frame);
}

void TestClient::close(QWebSocketProtocol::CloseCode code)
{
    m_socket.close(code);
}

void TestClient::abort()
{
    m_socket.abort();
}

bool TestClient::waitForMessages(qsizetype count, int timeoutMs)
{
    return waitUntil([&] { return m_messages.size() >= count; }, timeoutMs);
}

bool TestClient::waitForErrors(qsizetype count, int timeoutMs)
{
    return waitUntil([&] { return m_errors.size() >= count; }, timeoutMs);
}

bool TestClient::waitForPresences(qsizetype count, int timeoutMs)
{
    return waitUntil([&] { return m_presences.size() >= count; }, timeoutMs);
}

bool TestClient::waitForJoin(const QString &nick, int timeoutMs)
{
    return waitUntil([&] { return joinsSeen().contains(nick); }, timeoutMs);
}

bool TestClient::waitForLeave(const QString &nick, int timeoutMs)
{
    return waitUntil([&] { return leavesSeen().contains(nick); }, timeoutMs);
}

QStringList TestClient::joinsSeen() const
{
    QStringList names;
    for (const Presence &presence : m_presences)
        for (const User &user : presence.joined)
            names += user.name;
    return names;
}

QStringList TestClient::leavesSeen() const
{
    QStringList nicks;
    for (const Presence &presence : m_presences)
        nicks += presence.left;
    return nicks;
}

bool TestClient::waitForUsers(const QStringList &users, int timeoutMs)
{
    QStringList wanted = users;
    wanted.sort();
    return waitUntil([&] { return this->users() == wanted; }, timeoutMs);
}

QStringList TestClient::users() const
{
    QStringList sorted = m_users;
    sorted.sort();
    return sorted;
}

bool TestClient::waitForDisconnected(int timeoutMs)
{
    return waitUntil([this] { return m_closed; }, timeoutMs);
}

bool TestClient::isOpen() const
{
    return m_socket.state() == QAbstractSocket::ConnectedState;
}

void TestClient::clearReceived()
{
    m_welcome.reset();
    m_messages.clear();
    m_presences.clear();
    m_users.clear();
    m_online = 0;
    m_errors.clear();
    m_pongs.clear();
    m_all.clear();
}

void TestClient::onText(const QString &frame)
{
    Decoded<ServerMessage> decoded = decodeServerMessage(frame.toUtf8());
    if (!decoded.ok()) {
        ++m_undecodable;
        emit changed();
        return;
    }
    const ServerMessage &message = *decoded.message;
    m_all.append(message);
    if (const auto *welcome = std::get_if<Welcome>(&message)) {
        m_welcome = *welcome;
        if (!welcome->token.isEmpty())
            TokenBook::remember(m_url, welcome->account, welcome->token);
        m_users.clear();
        for (const User &user : welcome->users)
            m_users.append(user.name);
        if (!m_users.contains(welcome->account))
            m_users.append(welcome->account);
        m_online = int(m_users.size());
        emit received();
        emit welcomed();
    } else if (const auto *chat = std::get_if<Message>(&message)) {
        m_messages.append(*chat);
        emit received();
        emit messageReceived(*chat);
    } else if (const auto *presence = std::get_if<Presence>(&message)) {
        m_presences.append(*presence);
        for (const QString &nick : presence->left)
            m_users.removeAll(nick);
        for (const User &user : presence->joined) {
            if (!m_users.contains(user.name))
                m_users.append(user.name);
        }
        m_online = presence->online;
        emit received();
        emit presenceReceived(*presence);
    } else if (const auto *error = std::get_if<Error>(&message)) {
        m_errors.append(*error);
        emit received();
        emit errorReceived(*error);
    } else if (const auto *pong = std::get_if<Pong>(&message)) {
        m_pongs.append(*pong);
        emit received();
        emit pongReceived(pong->id);
    }
}

// Spins the event loop through QSignalSpy::wait until done() holds. Every state change of this
// class emits changed(), so each wait ends as soon as there is something new to look at.
bool TestClient::waitUntil(const std::function<bool()> &done, int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    QSignalSpy spy(this, &TestClient::changed);
    while (!done()) {
        if (deadline.hasExpired())
            return false;
        spy.wait(qMax(1, int(deadline.remainingTime())));
    }
    return true;
}

} // namespace chat::test
