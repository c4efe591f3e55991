// The inside of ConnectionController, shared by its two source files: connectioncontroller.cpp
// (the connection) and roomcontrol.cpp (rooms and what is sent in them).
#pragma once

#include "backoff.h"
#include "connectioncontroller.h"
#include "conversation.h"
#include "liveness.h"
#include "outboxsender.h"
#include "tokenvault.h"

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QHash>
#include <QPointer>
#include <QSslCertificate>
#include <QTimer>
#include <QUuid>
#include <QWebSocket>

namespace chat::client {

inline constexpr int kDefaultAttemptTimeoutMs = 10000;
inline constexpr int kDefaultTypingIntervalMs = 3000; // the server relays one per 3 s anyway

inline QString newRequestId()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

class ConnectionController::Private
{
public:
    explicit Private(ConnectionController *q)
        : q(q)
        , conversation(new Conversation(q))
        , liveness(new Liveness(q))
        , sender(new OutboxSender(conversation, q))
    {}

    void setState(ConnectionState newState);
    void setStatusText(const QString &text);
    void updateReconnectStatus();

    void openSocket();
    void dropSocket(bool graceful);
    void attemptFailed(QWebSocket *from, const QString &reason);
    void scheduleReconnect();
    void goOffline(const QString &reason);
    void onJoined();
    void onTokenReceived(const QString &newToken);
    void onCredentialsRefused(proto::ErrorCode code, const QString &reason);
    void finishLogout(const QString &problem);
    [[nodiscard]] QString sendRequest(const QString &id, const proto::ClientMessage &request);
    void forgetCredentials();
    [[nodiscard]] QString connectedLabel() const;

    // roomcontrol.cpp
    void connectRooms();
    // Sends a request the person did not ask for (a page, a read mark) when connected; returns
    // its id, or an empty string, silently, when not connected.
    QString sendQuietly(const QString &id, const proto::ClientMessage &request);
    [[nodiscard]] bool isJoined() const;
    [[nodiscard]] QString queueSend(const QString &room, const QString &to, const QString &text);

    enum class Credential { None, Token, Password, Registration };

    ConnectionController *const q;
    Conversation *const conversation;
    Liveness *const liveness;
    OutboxSender *const sender;
    Backoff backoff;
    QUrl url;
    Credential credential = Credential::None;
    QString token;                    // an account token: the normal login
    proto::Login login;               // a password login, until the welcome brings a token
    proto::Registration registration; // likewise for a new account
    QString deviceName = ConnectionController::defaultDeviceName();
    QPointer<TokenVault> vault;
    QString refusal;     // busy or too_many_attempts, said before the server closed
    int retryHintMs = 0; // ... and how long it asked to wait
    QString logoutId;    // the logout awaiting its done
    QHash<QString, QString> displayRequests;  // id -> the display name asked for
    QHash<QString, QElapsedTimer> typingSent; // room -> since our last typing notice there
    int typingIntervalMs = kDefaultTypingIntervalMs;

    QWebSocket *socket = nullptr; // the current attempt or connection
    bool running = false;         // start() was called and nothing stopped it for good
    int attempts = 0;
    int reconnectDelayMs = 0;
    int attemptTimeoutMs = kDefaultAttemptTimeoutMs;
    QDeadlineTimer reconnectDeadline;

    QTimer attemptTimer;   // limits one attempt, up to the welcome
    QTimer reconnectTimer; // fires the next attempt
    QTimer countdownTimer; // refreshes "N 秒后重新连接…"
    QTimer stableTimer;    // resets the backoff once a connection has lasted

    // The system's CA certificates plus the user's; empty: Qt's defaults.
    QList<QSslCertificate> caCertificates;
    QString sslProblem; // why the current attempt's certificate check failed

    ConnectionState state = ConnectionState::Offline;
    QString statusText = ConnectionController::tr("Offline");
    QString lastError;
};

} // namespace chat::client
