// Keeps one connection to the chat server alive: connects, logs in with hello, resumes after a
// drop, retries with backoff, and resends what was not acknowledged. The UI only watches it.
//
// Rooms (protocol version 3): rooms() lists the account's rooms and direct conversations;
// one of them is selected, and messages(), members() and typingText() follow the selection.
//
// Credentials (protocol version 2): a token (the normal case), a password login or a
// registration. A welcome that hands out a token replaces the password, which is then forgotten;
// the token goes to the TokenVault when one is set. A refusal of the credentials stops the
// retries and is told by credentialsNeeded(); busy and too_many_attempts are retried.
#pragma once

#include "connectionstate.h"
#include "protocol.h"

#include <QObject>
#include <QString>
#include <QUrl>

#include <functional>
#include <memory>
#include <optional>

namespace chat::client {

class MemberListModel;
class MessageModel;
class RoomListModel;
class TokenVault;
class TypingTracker;

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
    // Credentials; each takes effect with the next connection attempt and replaces the others.
    // A token login as this account (the name keys the vault and the outbox).
    void setToken(const QString &account, const QString &token);
    // A password login: after the welcome, the token it brings replaces the password.
    void setPasswordLogin(const QString &account, const QString &password);
    // A new account (name, password, optional invite and display name); then like a login.
    void setRegistration(const proto::Registration &registration);
    // Forgets every credential (the stored token stays where it is).
    void clearCredentials();
    [[nodiscard]] bool hasCredentials() const;
    // The token logged in with, or to be; empty while there is none.
    [[nodiscard]] QString token() const;

    // Where tokens are kept (not owned; may be null): written after a welcome or a password
    // change hands one out, removed after a logout or when the server says it ended.
    void setTokenVault(TokenVault *vault);
    [[nodiscard]] TokenVault *tokenVault() const;

    // How this device is named in the account's device list; default: defaultDeviceName().
    void setDeviceName(const QString &name);
    [[nodiscard]] QString deviceName() const;
    // "桌面 · <hostname>", cut to what the protocol allows.
    [[nodiscard]] static QString defaultDeviceName();

    // The account as the server gave it in the last welcome; the wanted one before that.
    [[nodiscard]] QString account() const;
    [[nodiscard]] QString nick() const { return account(); }
    [[nodiscard]] QString displayName() const; // ours; may be empty
    [[nodiscard]] bool isAdmin() const;

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
    // Where the app keeps the outbox for this server and account (under AppDataLocation).
    [[nodiscard]] static QString defaultOutboxPath(const QUrl &serverUrl, const QString &account);

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

    // The account's rooms and direct conversations, with their unread and mention counts.
    [[nodiscard]] RoomListModel *rooms() const;
    // The selected room's (or draft direct conversation's) messages; another model after
    // currentRoomChanged().
    [[nodiscard]] MessageModel *messages() const;
    // A room's messages (made, with the room's newest message, when first asked for).
    [[nodiscard]] MessageModel *messages(const QString &room) const;
    // The members of the selected room, with who is online.
    [[nodiscard]] MemberListModel *members() const;
    [[nodiscard]] TypingTracker *typing() const;
    // The selected room; the lobby until the first welcome says otherwise. Empty while a draft
    // direct conversation is selected (directDraft() names its person) or there is no room.
    [[nodiscard]] QString currentRoom() const;
    [[nodiscard]] QString directDraft() const;
    // "bob 正在输入…" for the selected room; empty when nobody types there.
    [[nodiscard]] QString typingText() const;
    [[nodiscard]] bool isLoadingOlder(const QString &room) const;
    [[nodiscard]] bool hasOlder(const QString &room) const;
    // Whether the person looks at the selected room (the window is active, default true): its
    // messages are then marked read on the server, at most once a second per room.
    void setReading(bool reading);
    void setReadDelay(int ms);
    // Typing notices go out at most this often per room (default 3 s).
    void setTypingInterval(int ms);

public slots:
    void start();
    void stop();
    // While waiting for a retry: try at once.
    void reconnectNow();
    // Queues the text for the selected room (or as the first message of the selected draft
    // direct conversation) and shows it pending; returns its id, or an empty string when the
    // text is not acceptable or there is nowhere to send it (errorOccurred then says why).
    QString send(const QString &text);
    QString sendToRoom(const QString &room, const QString &text);
    // A direct message: into the direct room with this account when there is one; otherwise the
    // server makes that room with this first message.
    QString sendDirect(const QString &account, const QString &text);
    // The person is typing in the selected room: tells the room, at most every few seconds.
    void userTyping();

    // Selects a room of rooms(): its messages become messages(), its members members(); its
    // unread messages are marked read when reading. False when there is no such room.
    bool selectRoom(const QString &room);
    // "发消息": selects the direct room with this account, or a draft that becomes the room once
    // its first message made it. False for our own account.
    bool openDirect(const QString &account);
    // Loads the page of messages before the oldest held in the room (default: the selected
    // one); historyLoaded() follows. False when one is on its way or the start was reached.
    bool loadOlder(const QString &room = QString());

    // Room requests, only while connected; each returns its id or an empty string (with
    // errorOccurred saying why). Answered by requestDone (and roomRequestDone), or
    // requestFailed, with that id; listRooms by roomListReceived.
    QString listRooms(const QString &after = QString());
    QString createRoom(const QString &name, const QString &title, const QString &topic,
                       bool isPrivate);
    QString joinRoom(const QString &room);
    QString leaveRoom(const QString &room);
    QString inviteToRoom(const QString &room, const QString &account);
    QString removeFromRoom(const QString &room, const QString &account);
    // An absent value stays as it is; at least one must be given.
    QString updateRoom(const QString &room, const std::optional<QString> &title,
                       const std::optional<QString> &topic);
    QString transferRoom(const QString &room, const QString &account);

    // Account requests, only while connected. Each returns its id, or an empty string when it
    // cannot be sent now (errorOccurred then says why). The answer comes as requestDone,
    // devicesReceived or requestFailed with that id.
    // Ends this device's token; the stored one is deleted at once. loggedOut() follows.
    QString logout();
    // Ends every other device's token; this device's new token is stored from the answer.
    QString changePassword(const QString &oldPassword, const QString &newPassword);
    QString listDevices();
    QString endDevice(const QString &deviceId);
    // Empty clears it.
    QString setDisplayName(const QString &display);

signals:
    void stateChanged(chat::client::ConnectionState state);
    void statusTextChanged(const QString &text);
    void errorOccurred(const QString &message);
    void reconnectScheduled(int delayMs);
    void attemptStarted(int attempt);
    void joined();
    // The server refused the credentials (or ended the token): nothing is retried until new
    // ones are given and start() is called. reason is the server's words; empty when start()
    // found no credentials at all.
    void credentialsNeeded(const QString &reason);
    // After logout(): offline, no token.
    void loggedOut();
    void accountChanged(); // account(), displayName() or isAdmin() changed
    void requestDone(const QString &id);
    void requestFailed(const QString &id, const QString &reason);
    void devicesReceived(const QString &id, const QList<chat::proto::Device> &devices);
    // A room request succeeded; room: the room it concerned (the new one after createRoom).
    void roomRequestDone(const QString &id, const QString &room);
    void roomListReceived(const QString &id, const QList<chat::proto::RoomSummary> &rooms,
                          const QString &next);
    void currentRoomChanged();
    void typingChanged(); // typingText() changed
    void historyLoaded(const QString &room);
    // We left the room, here or on another device, or were removed ("left", "removed").
    void roomGone(const QString &room, const QString &title, const QString &reason);
    // A chat message arrived live in one of our rooms (ours too; not history pages, not events).
    // mentionsUs: its text names this account with @name.
    void messageArrived(const chat::proto::Message &message, bool mentionsUs);

private:
    class Private;
    std::unique_ptr<Private> d;
};

} // namespace chat::client
