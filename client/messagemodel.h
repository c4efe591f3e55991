// One room's conversation as a list model: confirmed messages in sequence order, then our own
// messages that the server has not acknowledged yet, in the order they were sent. The confirmed
// ones are a contiguous stretch of the room's history: older pages are added before the oldest,
// new messages after the newest, and a seq already held is never added twice. An event message
// (someone joined, the topic changed) is a system line whose text is said in Chinese.
#pragma once

#include "protocol.h"

#include <QAbstractListModel>

#include <memory>

namespace chat::client {

class MessageModel : public QAbstractListModel
{
    Q_OBJECT
public:
    enum Role {
        SeqRole = Qt::UserRole + 1, // qint64; 0 while pending
        IdRole,                     // QString
        RoomRole,                   // QString
        FromRole,                   // QString
        TimeRole,                   // QDateTime, UTC; the time typed while pending
        TextRole,                   // QString, plain text; for an event, its Chinese line
        PendingRole,                // bool: sent by us, not acknowledged yet
        OwnRole,                    // bool: sent by us
        DisplayNameRole,            // QString: the sender's display name when sent; may be empty
        SenderRole,                 // QString: "显示名 (account)", or the account name alone
        EventRole,                  // QString: the event's kind; empty for a chat message
        TargetRole,                 // QString: the account an event concerns
        SystemRole,                 // bool: an event, shown as a system line
        RawTextRole,                // QString: the text as sent
        MentionsUsRole,             // bool: someone else's message that names us with @name
    };
    Q_ENUM(Role)

    static constexpr int kDefaultMaxConfirmed = 5000;

    explicit MessageModel(QObject *parent = nullptr);
    ~MessageModel() override;

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index,
                                int role = Qt::DisplayRole) const override;
    [[nodiscard]] QHash<int, QByteArray> roleNames() const override;

    // Decides OwnRole and which messages acknowledge pending ones: our account name.
    void setOwnNick(const QString &nick);
    [[nodiscard]] QString ownNick() const;
    // Our display name, shown on our pending messages.
    void setOwnDisplayName(const QString &display);

    // "显示名 (account)", or the account name when there is no display name.
    [[nodiscard]] static QString senderLabel(const QString &from, const QString &display);

    // The oldest confirmed messages are dropped beyond this many, so memory stays bounded.
    void setMaxConfirmed(int max);
    [[nodiscard]] int maxConfirmed() const;

    // Adds a confirmed message in seq order; a seq already shown is ignored. A message from our
    // nick whose id matches a pending row turns that row into the confirmed one.
    // Returns whether the model changed.
    bool addMessage(const proto::Message &message);
    // Resumed history: addMessage for each.
    void appendHistory(const QList<proto::Message> &history);
    // Replaces every confirmed message; pending rows stay unless the history acknowledges them.
    void resetHistory(const QList<proto::Message> &history);

    // A page of older messages (a `history` answer): added in place, without duplicates.
    // `more`: the room has messages older than these.
    void addPage(const QList<proto::Message> &page, bool more);
    // Whether older messages than the oldest held may exist (true until a page says otherwise).
    [[nodiscard]] bool hasMore() const;
    void setHasMore(bool more);
    // The oldest confirmed seq, 0 when none: what the next older page is asked `before`.
    [[nodiscard]] qint64 oldestSeq() const;
    // Forgets the confirmed messages (the room is to be loaded afresh); pending rows stay.
    void dropConfirmed();
    // The pending messages, in send order.
    [[nodiscard]] QList<proto::Message> pendingMessages() const;

    // Shows one of our messages before the server has acknowledged it, with the time it was
    // typed (now when not given).
    void addPending(const proto::Send &send, const QDateTime &typed = {});
    // Drops a pending row that can never be acknowledged; returns whether there was one.
    bool removePending(const QString &id);
    // Drops everything, pending rows included.
    void clear();

    [[nodiscard]] int confirmedCount() const;
    [[nodiscard]] int pendingCount() const;
    [[nodiscard]] qint64 lastSeq() const; // the newest confirmed seq, 0 when none
    [[nodiscard]] bool isPending(int row) const;
    [[nodiscard]] proto::Message messageAt(int row) const;

private:
    class Private;
    std::unique_ptr<Private> d;
};

} // namespace chat::client
