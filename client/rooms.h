// What the client knows of the account's rooms: the sidebar's list, one message model per room
// (made when first needed), the selected room and its members, and who is typing where. It
// applies the server's room messages; the requests it needs (older history, member pages, read
// marks) it asks for with signals, which the controller turns into frames.
//
// The selected room is either a room of the list or a draft direct conversation with someone
// who has no direct room with us yet: its first message goes out with `to`, and when the
// server's `room` for the new direct room arrives the draft becomes that room.
#pragma once

#include "protocol.h"

#include <QHash>
#include <QObject>
#include <QTimer>

namespace chat::client {

class MemberListModel;
class MessageModel;
class RoomListModel;
class TypingTracker;

class Rooms : public QObject
{
    Q_OBJECT
public:
    // Selecting a room with fewer messages than this loads an older page at once.
    static constexpr int kFillCount = 30;
    static constexpr int kDefaultReadDelayMs = 1000;

    explicit Rooms(QObject *parent = nullptr);
    ~Rooms() override;

    [[nodiscard]] RoomListModel *list() const { return m_list; }
    [[nodiscard]] MemberListModel *members() const { return m_members; }
    [[nodiscard]] TypingTracker *typing() const { return m_typing; }
    // The room's messages, made (with the room's newest message) when first asked for.
    [[nodiscard]] MessageModel *messages(const QString &room);
    // The selected room's or draft's messages; an empty model when nothing is selected.
    [[nodiscard]] MessageModel *current();

    // The selected room; empty while a draft direct conversation (or nothing) is selected.
    [[nodiscard]] QString currentRoom() const { return m_current; }
    // The account of the draft direct conversation selected; empty when none.
    [[nodiscard]] QString directDraft() const { return m_draftTo; }

    void setOwnAccount(const QString &account);
    // Shown on our pending messages.
    void setOwnDisplayName(const QString &display);
    // Whether the person is looking at the selected room (the window is active): its new
    // messages are then marked read. Default: true.
    void setReading(bool reading);
    [[nodiscard]] bool isReading() const { return m_reading; }
    // Read marks go out at most once per this delay per room.
    void setReadDelay(int ms);

    // Selects a room of the list; false when there is no such room.
    bool select(const QString &room);
    // Selects the direct conversation with this account: its room when there is one, else a
    // draft. False for our own account.
    bool openDirect(const QString &account);

    // Asks for the page before the oldest message held, unless one is on its way or the start
    // was reached; returns whether it asked.
    bool loadOlder(const QString &room);
    [[nodiscard]] bool isLoadingOlder(const QString &room) const;
    [[nodiscard]] bool hasOlder(const QString &room);
    // The controller sent the request asked for by historyWanted / membersWanted under this id.
    void historyRequested(const QString &room, const QString &id);
    void membersRequested(const QString &room, const QString &after, const QString &id);
    // A request of ours failed or its connection ended.
    void requestFailed(const QString &id);

    // Our message, queued: shown pending in its room's (or draft's) conversation.
    void addPending(const proto::Send &send, const QDateTime &typed = {});
    void removePending(const QString &id);

    void applyWelcome(const proto::Welcome &welcome);
    void applyMessage(const proto::Message &message);
    void applyRoom(const proto::RoomState &room);
    void applyRoomGone(const proto::RoomGone &gone);
    void applyUnread(const proto::Unread &unread);
    void applyTyping(const proto::TypingNotice &typing);
    void applyPresence(const proto::Presence &presence);
    void applyMembers(const proto::MemberList &members);
    void applyHistory(const proto::HistoryPage &page);
    void connectionLost();

signals:
    void currentChanged(); // another room (or draft) is selected: current() is another model
    void historyWanted(const QString &room, qint64 before);
    void membersWanted(const QString &room, const QString &after);
    void readWanted(const QString &room, qint64 seq);
    void historyLoaded(const QString &room);
    void roomGone(const QString &room, const QString &title, const QString &reason);
    // A chat message (not an event) arrived live, ours included; mentionsUs: it names us.
    void messageArrived(const chat::proto::Message &message, bool mentionsUs);

private:
    [[nodiscard]] bool isOwn(const QString &account) const;
    [[nodiscard]] MessageModel *draftModel(const QString &account);
    // A direct room arrived: the draft with its person becomes it.
    void adoptDraft(const proto::RoomState &room);
    void enterCurrent(); // after the selection changed or the connection (re)started
    void markCurrentRead();
    void requestRead(const QString &room, qint64 seq);
    void flushReads();
    void applyEventToMembers(const proto::Message &message);
    void dropModel(const QString &room);

    RoomListModel *const m_list;
    MemberListModel *const m_members;
    TypingTracker *const m_typing;
    MessageModel *const m_empty;             // shown when nothing is selected
    QHash<QString, MessageModel *> m_models; // by room name
    QHash<QString, MessageModel *> m_drafts; // by accountNameKey of the person
    QString m_current;
    QString m_draftTo;
    QString m_ownAccount;
    QString m_ownKey;
    QString m_ownDisplay;
    bool m_reading = true;
    QHash<QString, QString> m_historyLoading; // room -> request id
    QString m_membersId;                      // the members page on its way
    QString m_membersAfter;                   // ... and where it starts
    QHash<QString, qint64> m_readQueue;       // read marks held back by the throttle
    QTimer m_readTimer;
};

} // namespace chat::client
