#include "connectioncontroller.h"
#include "connectioncontroller_p.h"

#include "clientlogging.h"
#include "codec.h"
#include "errortext.h"
#include "eventtext.h"
#include "outboxfile.h"
#include "tokenvault.h"
#include "validation.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QPointer>
#include <QRegularExpression>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslError>
#include <QStandardPaths>
#include <QSysInfo>
#include <QTimer>
#include <QUuid>
#include <QWebSocket>

#include <algorithm>

namespace chat::client {

namespace {

constexpr qint64 kMaxIncomingBytes = 32 * 1024 * 1024; // a welcome with long history is big
constexpr int kDefaultStableAfterMs = 10000;
constexpr int kCountdownTickMs = 1000;
constexpr int kCloseGraceMs = 1000; // how long a stopped connection may take to say goodbye

QString describeDuration(int ms)
{
    return ms < 1000 ? ConnectionController::tr("%n ms", nullptr, ms)
                     : ConnectionController::tr("%n second(s)", nullptr, (ms + 999) / 1000);
}

} // namespace

void ConnectionController::Private::setState(ConnectionState newState)
{
    if (state == newState)
        return;
    state = newState;
    qCDebug(lcNet) << "state" << newState;
    emit q->stateChanged(newState);
}

void ConnectionController::Private::setStatusText(const QString &text)
{
    if (statusText == text)
        return;
    statusText = text;
    emit q->statusTextChanged(text);
}

void ConnectionController::Private::updateReconnectStatus()
{
    const qint64 remainingMs = std::max<qint64>(0, reconnectDeadline.remainingTime());
    const qint64 seconds = std::max<qint64>(1, (remainingMs + 999) / 1000);
    // The reason stays visible while waiting: "证书不受信任" (certificate not trusted) must not
    // hide behind a countdown.
    setStatusText(
        lastError.isEmpty()
            ? ConnectionController::tr("Reconnecting in %n second(s)…", nullptr, int(seconds))
            : ConnectionController::tr("Reconnecting in %n second(s) — %1", nullptr, int(seconds))
                  .arg(lastError));
}

void ConnectionController::Private::openSocket()
{
    dropSocket(false);
    reconnectTimer.stop();
    countdownTimer.stop();
    ++attempts;

    // A fresh socket per attempt: a QWebSocket that failed once can be left in a state it never
    // leaves (an HTTP refusal keeps it in ConnectingState), so it is never reused.
    auto *ws = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, q);
    ws->setMaxAllowedIncomingMessageSize(kMaxIncomingBytes);
    ws->setMaxAllowedIncomingFrameSize(kMaxIncomingBytes);
    if (!caCertificates.isEmpty()) {
        QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
        ssl.setCaCertificates(caCertificates);
        ws->setSslConfiguration(ssl);
    }
    sslProblem.clear();
    socket = ws;

    QObject::connect(ws, &QWebSocket::connected, q, [this, ws] {
        if (ws != socket)
            return;
        proto::Hello hello = conversation->hello();
        hello.device = deviceName;
        switch (credential) {
        case Credential::Token:
            hello.token = token;
            break;
        case Credential::Password:
            hello.login = login;
            break;
        case Credential::Registration:
            hello.registration = registration;
            break;
        case Credential::None:
            break;
        }
        qCDebug(lcNet) << "connected; hello as" << conversation->account() << "with"
                       << int(credential) << "lastSeq" << hello.lastSeq.value_or(0);
        ws->sendTextMessage(QString::fromUtf8(proto::encode(proto::ClientMessage(hello))));
    });
    QObject::connect(ws, &QWebSocket::textMessageReceived, q, [this, ws](const QString &frame) {
        if (ws == socket)
            conversation->handleFrame(frame);
    });
    // Only noted here: the socket gives up by itself (nothing is ignored) and error() follows.
    QObject::connect(ws, &QWebSocket::sslErrors, q, [this, ws](const QList<QSslError> &errors) {
        if (ws == socket)
            sslProblem = describeSslErrors(errors);
    });
    // Qt 6.4 emits only error(), not disconnected(), when the server refuses the upgrade with an
    // HTTP error and keeps the TCP connection open: both must end the attempt.
    QObject::connect(ws, QOverload<QAbstractSocket::SocketError>::of(&QWebSocket::error), q,
                     [this, ws](QAbstractSocket::SocketError error) {
                         attemptFailed(ws, !sslProblem.isEmpty()
                                               ? sslProblem
                                               : describeSocketError(error, ws->errorString()));
                     });
    QObject::connect(ws, &QWebSocket::disconnected, q, [this, ws] {
        QString reason = ws->closeReason().left(200);
        if (reason.isEmpty() && !sslProblem.isEmpty())
            reason = sslProblem;
        if (reason.isEmpty() && ws->error() != QAbstractSocket::UnknownSocketError)
            reason = describeSocketError(ws->error(), ws->errorString());
        if (reason.isEmpty())
            reason = ConnectionController::tr("The server closed the connection.");
        attemptFailed(ws, reason);
    });

    attemptTimer.start(attemptTimeoutMs);
    setState(ConnectionState::Connecting);
    setStatusText(ConnectionController::tr("Connecting to %1…").arg(url.toDisplayString()));
    qCDebug(lcNet) << "attempt" << attempts << "to" << url;
    emit q->attemptStarted(attempts);
    ws->open(url);
}

void ConnectionController::Private::dropSocket(bool graceful)
{
    attemptTimer.stop();
    stableTimer.stop();
    liveness->stop();
    sender->setSocket(nullptr);
    conversation->connectionLost();
    QWebSocket *ws = std::exchange(socket, nullptr);
    if (!ws)
        return;
    // Disconnect first: abort() can emit disconnected() synchronously.
    QObject::disconnect(ws, nullptr, q, nullptr);
    // Only a healthy connection gets a close frame: writing to a failed one only makes noise.
    if (graceful && ws->state() == QAbstractSocket::ConnectedState) {
        QObject::connect(ws, &QWebSocket::disconnected, ws, &QObject::deleteLater);
        QTimer::singleShot(kCloseGraceMs, ws, &QObject::deleteLater);
        ws->close(QWebSocketProtocol::CloseCodeNormal);
    } else {
        ws->abort();
        ws->deleteLater();
    }
}

void ConnectionController::Private::attemptFailed(QWebSocket *from, const QString &reason)
{
    // Only the current socket counts, and only once: error() and disconnected() of one attempt
    // must not schedule two retries.
    if (!from || from != socket)
        return;
    // A busy or throttling server said why before it closed; that is the news, not the close.
    const QString why = refusal.isEmpty() ? reason : std::exchange(refusal, {});
    qCInfo(lcNet) << "connection ended:" << why;
    lastError = why;
    dropSocket(false);
    if (state == ConnectionState::Offline && !running)
        return; // something on the way ended it for good (a logout, refused credentials)
    if (running)
        scheduleReconnect();
    else
        goOffline(why);
}

void ConnectionController::Private::scheduleReconnect()
{
    if (reconnectTimer.isActive())
        return;
    reconnectDelayMs = std::max(backoff.nextDelayMs(), std::exchange(retryHintMs, 0));
    reconnectDeadline.setRemainingTime(reconnectDelayMs);
    reconnectTimer.start(reconnectDelayMs);
    countdownTimer.start(kCountdownTickMs);
    setState(ConnectionState::Reconnecting);
    updateReconnectStatus();
    qCDebug(lcNet) << "retry in" << reconnectDelayMs << "ms";
    emit q->reconnectScheduled(reconnectDelayMs);
}

void ConnectionController::Private::goOffline(const QString &reason)
{
    running = false;
    reconnectTimer.stop();
    countdownTimer.stop();
    reconnectDelayMs = 0;
    dropSocket(true);
    if (!reason.isEmpty())
        lastError = reason;
    setState(ConnectionState::Offline);
    setStatusText(reason.isEmpty() ? ConnectionController::tr("Offline")
                                   : ConnectionController::tr("Offline: %1").arg(reason));
}

void ConnectionController::Private::onJoined()
{
    attemptTimer.stop();
    stableTimer.start();
    liveness->watch(socket);
    setState(ConnectionState::Connected);
    setStatusText(ConnectionController::tr("Connected: %1").arg(connectedLabel()));
    // Everything unacknowledged goes out again with the same ids as before: the server drops
    // what it already accepted and just acknowledges it.
    sender->setSocket(socket);
    emit q->joined();
}

QString ConnectionController::Private::connectedLabel() const
{
    return personLabel(conversation->account(), conversation->displayName());
}

void ConnectionController::Private::forgetCredentials()
{
    credential = Credential::None;
    token.clear();
    login = {};
    registration = {};
}

void ConnectionController::Private::onTokenReceived(const QString &newToken)
{
    // From now on the token logs in; the password is forgotten, and was never written anywhere.
    forgetCredentials();
    credential = Credential::Token;
    token = newToken;
    if (vault)
        vault->write(url, conversation->account(), token);
    qCInfo(lcNet) << "got a token for" << conversation->account();
}

void ConnectionController::Private::onCredentialsRefused(proto::ErrorCode code,
                                                         const QString &reason)
{
    qCInfo(lcNet) << "credentials refused:" << proto::errorCodeName(code);
    // A token the server no longer knows is of no use to anyone.
    if (code == proto::ErrorCode::TokenInvalid && vault && credential == Credential::Token)
        vault->remove(url, conversation->account());
    forgetCredentials();
    goOffline(reason);
    emit q->credentialsNeeded(reason);
}

void ConnectionController::Private::finishLogout(const QString &problem)
{
    logoutId.clear();
    goOffline(ConnectionController::tr("Logged out"));
    if (!problem.isEmpty())
        emit q->errorOccurred(problem);
    emit q->loggedOut();
}

QString ConnectionController::Private::sendRequest(const QString &id,
                                                   const proto::ClientMessage &request)
{
    if (state != ConnectionState::Connected || !socket || !conversation->isJoined()) {
        emit q->errorOccurred(
            ConnectionController::tr("Not connected to the server; connect and try again."));
        return {};
    }
    conversation->trackRequest(id);
    socket->sendTextMessage(QString::fromUtf8(proto::encode(request)));
    return id;
}

// --- ConnectionController ---------------------------------------------------------------------

ConnectionController::ConnectionController(QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Private>(this))
{
    d->attemptTimer.setSingleShot(true);
    d->reconnectTimer.setSingleShot(true);
    d->stableTimer.setSingleShot(true);
    d->stableTimer.setInterval(kDefaultStableAfterMs);

    connect(&d->attemptTimer, &QTimer::timeout, this, [this] {
        d->attemptFailed(
            d->socket,
            tr("The server did not answer within %1.").arg(describeDuration(d->attemptTimeoutMs)));
    });
    connect(&d->reconnectTimer, &QTimer::timeout, this, [this] { d->openSocket(); });
    connect(&d->countdownTimer, &QTimer::timeout, this, [this] {
        if (d->state == ConnectionState::Reconnecting)
            d->updateReconnectStatus();
    });
    connect(&d->stableTimer, &QTimer::timeout, this, [this] {
        qCDebug(lcNet) << "connection stable; backoff reset";
        d->backoff.reset();
    });

    connect(d->liveness, &Liveness::silent, this, [this](int silentMs) {
        d->attemptFailed(d->socket, tr("The server stopped answering (nothing received for %1).")
                                        .arg(describeDuration(silentMs)));
    });
    connect(d->conversation, &Conversation::retryLater, d->sender, &OutboxSender::retryLater);
    connect(d->conversation, &Conversation::outboxChanged, d->sender, &OutboxSender::pump);
    connect(d->conversation, &Conversation::joined, this, [this] { d->onJoined(); });
    connect(d->conversation, &Conversation::refused, this, [this](const QString &reason) {
        d->goOffline(reason);
        emit errorOccurred(reason);
    });
    connect(d->conversation, &Conversation::errorOccurred, this,
            &ConnectionController::errorOccurred);
    connect(d->conversation, &Conversation::credentialsRefused, this,
            [this](proto::ErrorCode code, const QString &reason) {
                d->onCredentialsRefused(code, reason);
            });
    connect(d->conversation, &Conversation::tryLater, this, [this](const QString &reason) {
        d->refusal = reason;
        d->retryHintMs = waitNamedIn(reason);
    });
    connect(d->conversation, &Conversation::tokenReceived, this,
            [this](const QString &token) { d->onTokenReceived(token); });
    connect(d->conversation, &Conversation::accountChanged, this, [this] {
        if (d->state == ConnectionState::Connected)
            d->setStatusText(tr("Connected: %1").arg(d->connectedLabel()));
        emit accountChanged();
    });
    d->connectRooms();
    connect(d->conversation, &Conversation::requestDone, this, [this](const proto::Done &done) {
        if (done.ref == d->logoutId) {
            d->finishLogout({});
            return;
        }
        if (const auto it = d->displayRequests.constFind(done.ref);
            it != d->displayRequests.cend()) {
            d->conversation->setDisplayName(*it);
            d->displayRequests.erase(it);
        }
        emit requestDone(done.ref);
        if (!done.room.isEmpty())
            emit roomRequestDone(done.ref, done.room);
    });
    connect(d->conversation, &Conversation::devicesReceived, this,
            [this](const proto::Devices &devices) {
                emit devicesReceived(devices.ref, devices.devices);
            });
    connect(d->conversation, &Conversation::requestFailed, this,
            [this](const QString &id, proto::ErrorCode, const QString &reason) {
                d->displayRequests.remove(id);
                if (id == d->logoutId) {
                    // The token is gone here already; the server's copy ends when it expires.
                    d->finishLogout(tr("The server did not confirm the logout: %1").arg(reason));
                    return;
                }
                emit requestFailed(id, reason);
            });
}

ConnectionController::~ConnectionController()
{
    // No signals from a dying socket into a half-destroyed controller.
    if (d->socket)
        QObject::disconnect(d->socket, nullptr, this, nullptr);
}

void ConnectionController::setServerUrl(const QUrl &url)
{
    if (url == d->url)
        return;
    d->url = url;
    // Another server's sequence numbers and session mean nothing here.
    d->conversation->forgetResumePoint();
}

QUrl ConnectionController::serverUrl() const
{
    return d->url;
}

void ConnectionController::setToken(const QString &account, const QString &token)
{
    d->forgetCredentials();
    d->credential = token.isEmpty() ? Private::Credential::None : Private::Credential::Token;
    d->token = token;
    d->conversation->setWantedAccount(proto::normalizeNick(account).nick);
}

void ConnectionController::setPasswordLogin(const QString &account, const QString &password)
{
    d->forgetCredentials();
    d->credential = Private::Credential::Password;
    d->login = proto::Login{proto::normalizeNick(account).nick, password};
    d->conversation->setWantedAccount(d->login.name);
}

void ConnectionController::setRegistration(const proto::Registration &registration)
{
    d->forgetCredentials();
    d->credential = Private::Credential::Registration;
    d->registration = registration;
    d->registration.name = proto::normalizeNick(registration.name).nick;
    d->registration.display = registration.display.trimmed();
    d->registration.invite = registration.invite.trimmed();
    d->conversation->setWantedAccount(d->registration.name);
}

void ConnectionController::clearCredentials()
{
    d->forgetCredentials();
}

bool ConnectionController::hasCredentials() const
{
    return d->credential != Private::Credential::None;
}

QString ConnectionController::token() const
{
    return d->token;
}

void ConnectionController::setTokenVault(TokenVault *vault)
{
    d->vault = vault;
}

TokenVault *ConnectionController::tokenVault() const
{
    return d->vault;
}

void ConnectionController::setDeviceName(const QString &name)
{
    d->deviceName = name;
}

QString ConnectionController::deviceName() const
{
    return d->deviceName;
}

QString ConnectionController::defaultDeviceName()
{
    QString host = QSysInfo::machineHostName().trimmed();
    host.remove(QRegularExpression(QStringLiteral("[\\x00-\\x1f\\x7f]")));
    if (host.isEmpty())
        host = QStringLiteral("?");
    QString name = tr("Desktop · %1").arg(host);
    // Host names are ASCII: characters are code points here.
    return name.left(proto::kMaxDeviceChars);
}

QString ConnectionController::account() const
{
    return d->conversation->account();
}

QString ConnectionController::displayName() const
{
    return d->conversation->displayName();
}

bool ConnectionController::isAdmin() const
{
    return d->conversation->isAdmin();
}

void ConnectionController::setBackoff(int initialMs, int maxMs)
{
    d->backoff.setRange(initialMs, maxMs);
}

void ConnectionController::setBackoffRandomSource(std::function<double()> random)
{
    d->backoff.setRandomSource(std::move(random));
}

void ConnectionController::setAttemptTimeout(int ms)
{
    d->attemptTimeoutMs = std::max(1, ms);
}

void ConnectionController::setStableAfter(int ms)
{
    d->stableTimer.setInterval(std::max(0, ms));
}

void ConnectionController::setPingInterval(int ms)
{
    d->liveness->setInterval(ms);
    if (d->state == ConnectionState::Connected)
        d->liveness->watch(d->socket);
}

void ConnectionController::setPingTimeout(int ms)
{
    d->liveness->setTimeout(ms);
}

void ConnectionController::setRetryDelay(int ms)
{
    d->sender->setRetryDelay(ms);
}

void ConnectionController::setSendWindow(int messages)
{
    d->sender->setWindow(messages);
}

void ConnectionController::setOutboxPath(const QString &path)
{
    if (path == outboxPath())
        return;
    // Already joined: what the file held goes out now, not after the next welcome.
    d->conversation->setOutboxPath(path);
}

QString ConnectionController::outboxPath() const
{
    return d->conversation->outboxPath();
}

QString ConnectionController::defaultOutboxPath(const QUrl &serverUrl, const QString &account)
{
    return outboxfile::pathFor(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation),
                               serverUrl, account);
}

bool ConnectionController::setCaCertificatesFile(const QString &path, QString *error)
{
    const auto fail = [error](const QString &reason) {
        if (error)
            *error = reason;
        return false;
    };
    if (path.isEmpty()) {
        d->caCertificates.clear();
        return true;
    }
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("Cannot read %1: %2.").arg(path, file.errorString()));
    const QList<QSslCertificate> extra = QSslCertificate::fromDevice(&file, QSsl::Pem);
    if (extra.isEmpty())
        return fail(QStringLiteral("%1 holds no PEM certificate.").arg(path));
    // Naming a list switches off Qt's own loading of the system's certificates, so they are
    // named too: the file adds trust, it does not replace it.
    d->caCertificates = QSslConfiguration::systemCaCertificates() + extra;
    qCInfo(lcNet) << "trusting" << extra.size() << "extra certificates from" << path;
    return true;
}

ConnectionState ConnectionController::state() const
{
    return d->state;
}

QString ConnectionController::statusText() const
{
    return d->statusText;
}

QString ConnectionController::lastError() const
{
    return d->lastError;
}

int ConnectionController::reconnectDelayMs() const
{
    return d->reconnectDelayMs;
}

int ConnectionController::attemptCount() const
{
    return d->attempts;
}

qint64 ConnectionController::lastSeq() const
{
    return d->conversation->lastSeq();
}

int ConnectionController::pendingCount() const
{
    return d->conversation->pendingCount();
}

void ConnectionController::start()
{
    if (d->running)
        return;
    if (!hasCredentials()) {
        d->goOffline(tr("Login needed"));
        emit credentialsNeeded({});
        return;
    }
    d->running = true;
    d->attempts = 0;
    d->backoff.reset();
    d->openSocket();
}

void ConnectionController::stop()
{
    d->goOffline({});
}

void ConnectionController::reconnectNow()
{
    if (d->running && d->state == ConnectionState::Reconnecting)
        d->openSocket();
}

QString ConnectionController::logout()
{
    // Gone from here at once, whatever the server says: the person asked for it.
    if (d->vault && !account().isEmpty())
        d->vault->remove(d->url, account());
    d->forgetCredentials();
    if (d->state == ConnectionState::Connected && d->socket) {
        const QString id = newRequestId();
        d->logoutId = d->sendRequest(id, proto::Logout{id});
        if (!d->logoutId.isEmpty())
            return d->logoutId;
    }
    d->finishLogout({});
    return {};
}

QString ConnectionController::changePassword(const QString &oldPassword, const QString &newPassword)
{
    const qsizetype length = proto::codePointCount(newPassword);
    if (length < proto::kMinPasswordChars || length > proto::kMaxPasswordChars) {
        emit errorOccurred(tr("The new password needs %1 to %2 characters.")
                               .arg(proto::kMinPasswordChars)
                               .arg(proto::kMaxPasswordChars));
        return {};
    }
    const QString id = newRequestId();
    return d->sendRequest(id, proto::ChangePassword{id, oldPassword, newPassword});
}

QString ConnectionController::listDevices()
{
    const QString id = newRequestId();
    return d->sendRequest(id, proto::ListDevices{id});
}

QString ConnectionController::endDevice(const QString &deviceId)
{
    const QString id = newRequestId();
    return d->sendRequest(id, proto::EndDevice{id, deviceId});
}

QString ConnectionController::setDisplayName(const QString &display)
{
    const QString id = newRequestId();
    const QString trimmed = display.trimmed();
    const QString sent = d->sendRequest(id, proto::SetDisplay{id, trimmed});
    if (!sent.isEmpty())
        d->displayRequests.insert(id, trimmed);
    return sent;
}

} // namespace chat::client
