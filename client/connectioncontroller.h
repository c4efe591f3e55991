// Keeps one connection to the chat server alive: connects, joins with hello, resumes after a
// drop, retries with backoff, and resends what was not acknowledged. The UI only watches it.
#pragma once

#include "connectionstate.h"

#include <QObject>
#include <QString>
#include <QUrl>

#include <functional>
#include <memory>

namespace chat::client {

class MessageModel;
class UserListModel;

class ConnectionController : public QObject
{
    Q_OBJECT
    Q_PROPERTY(chat::client::ConnectionState state READ state NOTIFY stateChanged)
    Q_PROPERTY(QString statusText READ statusText NOTIFY statusTextChanged)
public:
    explicit ConnectionController(QObject *parent = nullptr);
    ~ConnectionController() override;

    // Changing the server forgets the resume point (lastSeq and session) of the old one.
    void setServerUrl(const QUrl &url);
    [[nodiscard]] QUrl serverUrl() const;
    // The wanted nick; takes effect with the next connection attempt.
    void setNick(const QString &nick);
    // The shared secret for servers started with --token-file; sent in every hello.
    void setToken(const QString &token);
    // The nick as the server gave it in the last welcome; the wanted one before that.
    [[nodiscard]] QString nick() const;

    void setBackoff(int initialMs, int maxMs);
    // Uniform random numbers in [0, 1) for the backoff jitter; for deterministic tests.
    void setBackoffRandomSource(std::function<double()> random);
    // An attempt that has not been welcomed within this time is aborted and retried.
    void setAttemptTimeout(int ms);
    // The backoff starts again from its initial delay only after a connection stayed up this long.
    void setStableAfter(int ms);
    // While connected, pings the server this often (0: never; default 15 s). When nothing comes
    // back within the timeout (0, the default: two intervals) the connection counts as dead and
    // is replaced.
    void setPingInterval(int ms);
    void setPingTimeout(int ms);
    // A message the server refused for now (rate_limited, internal) is sent again after this
    // delay (default 1 s).
    void setRetryDelay(int ms);
    // How many messages may await the server's acknowledgement at once (default 1: the server
    // then accepts them in exactly the order they were written, even under its rate limit).
    void setSendWindow(int messages);

    // Keeps unacknowledged messages in this file, so they survive a restart (empty, the default:
    // in memory only). What the file holds is shown pending and sent after the next welcome,
    // with the ids it was first sent under. Best set while stopped.
    void setOutboxPath(const QString &path);
    [[nodiscard]] QString outboxPath() const;
    // Where the app keeps the outbox for this server and nick (under AppDataLocation).
    [[nodiscard]] static QString defaultOutboxPath(const QUrl &serverUrl, const QString &nick);

    // wss://: also trusts the certificates in this PEM file (a CA, or the server's own
    // self-signed certificate), besides the system's. Certificate errors are never ignored.
    // Returns false, with *error saying why, when the file holds no usable certificate.
    bool setCaCertificatesFile(const QString &path, QString *error = nullptr);

    [[nodiscard]] ConnectionState state() const;
    [[nodiscard]] QString statusText() const;
    [[nodiscard]] QString lastError() const;    // why the last attempt or connection ended
    [[nodiscard]] int reconnectDelayMs() const; // of the retry scheduled last; 0 when none
    [[nodiscard]] int attemptCount() const;     // connection attempts since the last start()
    [[nodiscard]] qint64 lastSeq() const;       // the newest seq seen; 0 when none
    [[nodiscard]] int pendingCount() const;     // messages sent but not acknowledged

    [[nodiscard]] MessageModel *messages() const;
    [[nodiscard]] UserListModel *users() const;

public slots:
    void start();
    void stop();
    // While waiting for a retry: try at once.
    void reconnectNow();
    // Queues the text and shows it pending; returns its id, or an empty string when the text is
    // not acceptable (errorOccurred then says why).
    QString send(const QString &text);

signals:
    void stateChanged(chat::client::ConnectionState state);
    void statusTextChanged(const QString &text);
    void errorOccurred(const QString &message);
    void reconnectScheduled(int delayMs);
    void attemptStarted(int attempt);
    void joined();

private:
    class Private;
    std::unique_ptr<Private> d;
};

} // namespace chat::client
