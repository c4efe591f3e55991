// A protocol client for tests: a real QWebSocket that decodes every server frame with chatcommon
// and keeps what arrived, so tests can wait with QSignalSpy::wait or QTRY_COMPARE.
#pragma once

#include "protocol.h"

#include <QList>
#include <QNetworkRequest>
#include <QObject>
#include <QUrl>
#include <QWebSocket>
#include <QWebSocketProtocol>

#include <functional>
#include <optional>

namespace chat::test {

// The password every account a test registers gets.
inline const QString kTestPassword = QStringLiteral("test-password-1");

// The tokens test clients were given, per server and account name: a nick's first hello
// registers it (with kTestPassword), every later one logs in with its token, as a device would.
// Tests that start a new server forget the old one's tokens (clear()), since a new server may
// get the same port.
class TokenBook
{
public:
    static QString token(const QUrl &server, const QString &name);
    static void remember(const QUrl &server, const QString &name, const QString &token);
    static void clear();
};

class TestClient : public QObject
{
    Q_OBJECT
public:
    explicit TestClient(QObject *parent = nullptr);
    ~TestClient() override;

    // Starts connecting without waiting; connected() or disconnected() follows.
    void openAsync(const QUrl &url);
    // Connects and waits until the WebSocket is open; false on failure or timeout.
    [[nodiscard]] bool open(const QUrl &url, int timeoutMs = 5000);
    // The same with a request, for headers such as Origin.
    void openAsync(const QNetworkRequest &request);
    [[nodiscard]] bool open(const QNetworkRequest &request, int timeoutMs = 5000);

    // Registers `nick` as an account on its first hello to this server, logs in with its token
    // (TokenBook) after that.
    void sendHello(const QString &nick, std::optional<qint64> lastSeq = std::nullopt,
                   const QString &session = {});
    void sendHello(const chat::proto::Hello &hello); // as given
    // The hello sendHello(nick, ...) would send.
    [[nodiscard]] chat::proto::Hello helloFor(const QString &nick,
                                              std::optional<qint64> lastSeq = std::nullopt,
                                              const QString &session = {}) const;
    // Sends a hello and waits for the welcome; false when an error, a close or a timeout came
    // first. The welcome is in welcome().
    [[nodiscard]] bool helloAndWait(const QString &nick,
                                    std::optional<qint64> lastSeq = std::nullopt,
                                    const QString &session = {}, int timeoutMs = 5000);
    [[nodiscard]] bool helloAndWait(const chat::proto::Hello &hello, int timeoutMs = 5000);
    // Sends a chat message to the lobby; an empty id gets a fresh UUID. Returns the id used.
    QString send(const QString &text, const QString &id = {});
    // ... to a room, or directly to an account (its direct room).
    QString sendTo(const QString &room, const QString &text, const QString &id = {});
    QString sendDirect(const QString &account, const QString &text, const QString &id = {});
    // Sends a request (anything with an id) and waits for its answer: the done, devices, rooms,
    // members or history whose ref is the id, or an error with that ref. nullopt on a timeout.
    std::optional<chat::proto::ServerMessage> request(const chat::proto::ClientMessage &message,
                                                      int timeoutMs = 5000);
    // True when the answer is not an error (what request() returned).
    [[nodiscard]] static bool succeeded(const std::optional<chat::proto::ServerMessage> &answer);
    // The error code of an answer, or Unknown when it is none.
    [[nodiscard]] static chat::proto::ErrorCode
    errorOf(const std::optional<chat::proto::ServerMessage> &answer);
    // After each welcome, ask for the lobby's members, so that presence for the lobby follows and
    // users() works as it did when everyone was in one room; helloAndWait() then also waits for
    // that list. On by default.
    void setWatchLobby(bool watch) { m_watchLobby = watch; }
    void ping(const QString &id);
    void sendMessage(const chat::proto::ClientMessage &message);
    void sendRaw(const QString &frame); // a text frame exactly as given
    void sendBinary(const QByteArray &frame);
    void close(QWebSocketProtocol::CloseCode code = QWebSocketProtocol::CloseCodeNormal);
    void abort(); // drops the TCP connection without a close frame

    // Waits until `count` chat messages in total have arrived.
    [[nodiscard]] bool waitForMessages(qsizetype count, int timeoutMs = 5000);
    [[nodiscard]] bool waitForErrors(qsizetype count, int timeoutMs = 5000);
    [[nodiscard]] bool waitForPresences(qsizetype count, int timeoutMs = 5000);
    // Waits for a presence that has the account `nick` among its joins, or among its leaves.
    [[nodiscard]] bool waitForJoin(const QString &nick, int timeoutMs = 5000);
    [[nodiscard]] bool waitForLeave(const QString &nick, int timeoutMs = 5000);
    // Every nick in the joins, or the leaves, of the presences so far, in arrival order.
    [[nodiscard]] QStringList joinsSeen() const;
    [[nodiscard]] QStringList leavesSeen() const;
    // Waits until the user list, as the welcome and the presences since built it, is `users`
    // (in any order).
    [[nodiscard]] bool waitForUsers(const QStringList &users, int timeoutMs = 5000);
    [[nodiscard]] bool waitForDisconnected(int timeoutMs = 5000);

    [[nodiscard]] bool isOpen() const;
    [[nodiscard]] QWebSocket *socket() { return &m_socket; }

    // What arrived so far, in arrival order per kind.
    [[nodiscard]] const std::optional<chat::proto::Welcome> &welcome() const { return m_welcome; }
    [[nodiscard]] const QList<chat::proto::Message> &messages() const { return m_messages; }
    [[nodiscard]] const QList<chat::proto::Presence> &presences() const { return m_presences; }
    // Who of the lobby is online as this client was told (account names): the online members
    // of the members list asked after the welcome (setWatchLobby), then every presence of the
    // lobby applied as docs/protocol.md says (left first, then joined); sorted.
    [[nodiscard]] QStringList users() const;
    // The `online` of the newest lobby presence or members list.
    [[nodiscard]] int online() const { return m_online; }
    [[nodiscard]] const QList<chat::proto::Error> &errors() const { return m_errors; }
    [[nodiscard]] const QList<chat::proto::Pong> &pongs() const { return m_pongs; }
    [[nodiscard]] const QList<chat::proto::ServerMessage> &all() const { return m_all; }
    // Every message of one kind so far, in arrival order.
    template<typename T> [[nodiscard]] QList<T> allOf() const
    {
        QList<T> found;
        for (const chat::proto::ServerMessage &message : m_all)
            if (const auto *one = std::get_if<T>(&message))
                found.append(*one);
        return found;
    }
    // Waits until a message of kind T for which `match` holds has arrived (at any time).
    template<typename T>
    [[nodiscard]] bool waitFor(const std::function<bool(const T &)> &match, int timeoutMs = 5000)
    {
        return waitUntil(
            [&] {
                for (const chat::proto::ServerMessage &message : m_all)
                    if (const auto *one = std::get_if<T>(&message); one && match(*one))
                        return true;
                return false;
            },
            timeoutMs);
    }
    // The chat messages of one room so far.
    [[nodiscard]] QList<chat::proto::Message> messagesIn(const QString &room) const;
    // Frames the server sent that chatcommon could not decode, and binary frames: should stay 0.
    [[nodiscard]] int undecodableFrames() const { return m_undecodable; }
    // Socket errors other than the remote closing the connection: should stay 0.
    [[nodiscard]] int socketErrors() const { return m_socketErrors; }

    [[nodiscard]] bool wasClosed() const { return m_closed; }
    // The close code the server sent (or Normal before any close), valid once wasClosed().
    [[nodiscard]] QWebSocketProtocol::CloseCode closeCode() const { return m_closeCode; }
    [[nodiscard]] QString closeReason() const { return m_closeReason; }

    void clearReceived(); // forgets every message kept so far; counters and close state stay

signals:
    void connected();
    void disconnected();
    void received(); // any decoded server message, after it was stored
    void welcomed();
    void messageReceived(const chat::proto::Message &message);
    void presenceReceived(const chat::proto::Presence &presence);
    void errorReceived(const chat::proto::Error &error);
    void pongReceived(const QString &id);
    void changed(); // anything above happened, or a socket error: what the wait helpers watch

private:
    void onText(const QString &frame);
    [[nodiscard]] bool waitUntil(const std::function<bool()> &done, int timeoutMs);

    QWebSocket m_socket;
    QUrl m_url; // the server, for the TokenBook
    std::optional<chat::proto::Welcome> m_welcome;
    QList<chat::proto::Message> m_messages;
    QList<chat::proto::Presence> m_presences;
    QStringList m_users;
    int m_online = 0;
    QList<chat::proto::Error> m_errors;
    QList<chat::proto::Pong> m_pongs;
    QList<chat::proto::ServerMessage> m_all;
    int m_undecodable = 0;
    int m_socketErrors = 0;
    bool m_closed = false;
    QWebSocketProtocol::CloseCode m_closeCode = QWebSocketProtocol::CloseCodeNormal;
    QString m_closeReason;
    bool m_watchLobby = true;
    QString m_lobbyRequest; // the id of the members request sent after the last welcome
    int m_requests = 0;
};

} // namespace chat::test
