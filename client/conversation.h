// The chat as it continues across connections: which account we are, the newest message seen,
// the session to resume with, what the server still has to acknowledge, and which account
// requests await an answer. It reads the server's frames and keeps the models; it knows nothing
// of sockets, credentials or retries.
#pragma once

#include "protocol.h"

#include <QObject>

#include <memory>

namespace chat::client {

class MessageModel;
class Rooms;

class Conversation : public QObject
{
    Q_OBJECT
public:
    explicit Conversation(QObject *parent = nullptr);
    ~Conversation() override;

    // The rooms, their messages and members.
    [[nodiscard]] Rooms *rooms() const;
    // The selected room's messages.
    [[nodiscard]] MessageModel *messages() const;

    // The account to log in as; forgets the session, which belongs to the old account.
    void setWantedAccount(const QString &account);
    // As the server gave it in the last welcome; the wanted one before that.
    [[nodiscard]] QString account() const;
    // Our display name, from the welcome and later changes; may be empty.
    [[nodiscard]] QString displayName() const;
    [[nodiscard]] bool isAdmin() const;
    // The server accepted a new display name for us.
    void setDisplayName(const QString &display);
    // Forgets lastSeq and session, for another server.
    void forgetResumePoint();

    [[nodiscard]] qint64 lastSeq() const;
    [[nodiscard]] int pendingCount() const;
    [[nodiscard]] bool isJoined() const;

    // The hello for a new connection, without credentials: resumes when something was seen
    // before.
    [[nodiscard]] proto::Hello hello() const;
    // An account request with this id was sent: its answer or error is told by requestDone,
    // devicesReceived or requestFailed. A connection lost before the answer fails it.
    // quiet: a request the models made (a page of history or members): its failure is told by
    // quietRequestFailed only.
    void trackRequest(const QString &id, bool quiet = false);
    [[nodiscard]] bool isRequestPending(const QString &id) const;
    // One text frame from the server.
    void handleFrame(const QString &frame);
    // The connection ended: wait for the next welcome.
    void connectionLost();

    // Queues a message (its text already checked) under a new id and shows it pending: into the
    // room, or with `to` (room empty) as a direct message to that account.
    [[nodiscard]] proto::Send queue(const QString &room, const QString &to, const QString &text);
    // What to (re)send after joining, oldest first, with the ids it was first sent under.
    [[nodiscard]] QList<proto::Send> unacknowledged() const;

    // Keeps the unacknowledged messages in this file from now on (empty: in memory only).
    // What the file holds is shown pending and sent after the next welcome. Messages kept under
    // another file stay there, for when that server and nick are used again; messages that were
    // only in memory move into the new file. Going back to memory only keeps what is queued.
    void setOutboxPath(const QString &path);
    [[nodiscard]] QString outboxPath() const;

signals:
    void joined();                       // a welcome arrived: resend unacknowledged()
    void refused(const QString &reason); // the hello was refused for good
    // The credentials were refused (before the welcome), or the token ended (after it): only
    // other credentials can help.
    void credentialsRefused(chat::proto::ErrorCode code, const QString &reason);
    // The server is busy or throttling logins: the same hello may succeed later.
    void tryLater(const QString &reason);
    // A token to log in with from now on: from a welcome after a password login or a
    // registration, or from a done after a password change.
    void tokenReceived(const QString &token);
    void accountChanged(); // account, display name or admin flag changed
    void requestDone(const chat::proto::Done &done);
    void devicesReceived(const chat::proto::Devices &devices);
    void roomListReceived(const chat::proto::RoomList &list);
    void requestFailed(const QString &id, chat::proto::ErrorCode code, const QString &reason);
    void quietRequestFailed(const QString &id);
    void errorOccurred(const QString &message); // something the user should read
    void retryLater(const QString &id);         // refused for now (rate_limited, internal)
    void outboxChanged();                       // a message was queued or left the outbox

private:
    class Private;
    std::unique_ptr<Private> d;
};

} // namespace chat::client
