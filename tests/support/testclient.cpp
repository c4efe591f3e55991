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
    m_lobbyRequest.clear();
    const qsizetype errorsBefore = m_errors.size();
    sendHello(hello);
    if (!waitUntil([&] { return m_welcome || m_errors.size() > errorsBefore || m_closed; },
                   timeoutMs) ||
        !m_welcome)
        return false;
    if (m_lobbyRequest.isEmpty())
        return true;
    const QString id = m_lobbyRequest;
    return waitUntil(
        [&] {
            for (const ServerMessage &message : m_all)
                if (const auto *list = std::get_if<MemberList>(&message); list && list->ref == id)
                    return true;
            return m_closed;
        },
        timeoutMs);
}

QString TestClient::send(const QString &text, const QString &id)
{
    return sendTo(QString(), text, id);
}

QString TestClient::sendTo(const QString &room, const QString &text, const QString &id)
{
    const Send message{id.isEmpty() ? QUuid::createUuid().toString(QUuid::WithoutBraces) : id, room,
                       QString(), text};
    sendMessage(message);
    return message.id;
}

QString TestClient::sendDirect(const QString &account, const QString &text, const QString &id)
{
    const Send message{id.isEmpty() ? QUuid::createUuid().toString(QUuid::WithoutBraces) : id,
                       QString(), account, text};
    sendMessage(message);
    return message.id;
}

namespace {
QString refOf(const ServerMessage &message)
{
    return std::visit(
        [](const auto &m) -> QString {
            using T = std::decay_t<decltype(m)>;
            if constexpr (std::is_same_v<T, Done> || std::is_same_v<T, Devices> ||
                          std::is_same_v<T, RoomList> || std::is_same_v<T, MemberList> ||
                          std::is_same_v<T, HistoryPage> || std::is_same_v<T, Error>)
                return m.ref;
            else
                return {};
        },
        message);
}

} // namespace

std::optional<ServerMessage> TestClient::request(const ClientMessage &message, int timeoutMs)
{
    const QString id = requestIdOf(message);
    const qsizetype from = m_all.size();
    sendMessage(message);
    std::optional<ServerMessage> answer;
    (void)waitUntil(
        [&] {
            for (qsizetype i = from; i < m_all.size(); ++i)
                if (!id.isEmpty() && refOf(m_all.at(i)) == id) {
                    answer = m_all.at(i);
                    return true;
                }
            return m_closed;
        },
        timeoutMs);
    return answer;
}

bool TestClient::succeeded(const std::optional<ServerMessage> &answer)
{
    return answer && !std::holds_alternative<Error>(*answer);
}

ErrorCode TestClient::errorOf(const std::optional<ServerMessage> &answer)
{
    if (!answer)
        return ErrorCode::Unknown;
    const auto *error = std::get_if<Error>(&*answer);
    return error ? error->code : ErrorCode::Unknown;
}

QList<Message> TestClient::messagesIn(const QString &room) const
{
    QList<Message> found;
    for (const Message &message : m_messages)
        if (message.room == room)
            found.append(message);
    return found;
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
        m_online = 0;
        const bool inLobby =
            std::any_of(welcome->rooms.cbegin(), welcome->rooms.cend(),
                        [](const RoomState &room) { return room.name == defaultRoom(); });
        if (m_watchLobby && inLobby) {
            m_lobbyRequest = QStringLiteral("test-lobby-%1").arg(++m_requests);
            sendMessage(ListMembers{m_lobbyRequest, defaultRoom(), {}, kMaxPageSize});
        }
        emit received();
        emit welcomed();
    } else if (const auto *list = std::get_if<MemberList>(&message)) {
        if (list->room == defaultRoom() && list->ref == m_lobbyRequest) {
            m_users.clear();
            for (const RoomMember &member : list->members)
                if (member.online)
                    m_users.append(member.name);
            m_online = list->online;
        }
        emit received();
    } else if (const auto *chat = std::get_if<Message>(&message)) {
        m_messages.append(*chat);
        emit received();
        emit messageReceived(*chat);
    } else if (const auto *presence = std::get_if<Presence>(&message)) {
        m_presences.append(*presence);
        if (presence->room != defaultRoom()) {
            emit received();
            emit presenceReceived(*presence);
            return;
        }
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
    } else {
        emit received(); // room states, answers to requests, typing, unread: kept in all()
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
