// The account's rooms and direct conversations, as the sidebar shows them: rooms by title, then
// the direct conversations by the other person's name. Kept from the welcome's rooms and the
// `room`, `room_gone` and `unread` messages, and counted on as messages arrive.
#pragma once

#include "protocol.h"

#include <QAbstractListModel>

#include <optional>

namespace chat::client {

class RoomListModel : public QAbstractListModel
{
    Q_OBJECT
    Q_PROPERTY(int totalUnread READ totalUnread NOTIFY countsChanged)
public:
    enum Role {
        NameRole = Qt::UserRole + 1, // QString: what requests name the room by
        TitleRole,   // QString: the title; else, for a direct room, the other person; else the name
        TopicRole,   // QString
        DirectRole,  // bool
        PrivateRole, // bool
        RoleRole,    // QString: "owner" or "member"
        UnreadRole,  // int
        MentionsRole, // int
        LastTextRole, // QString: the newest message's text without its marks, or an event's line
        LastTimeRole, // QDateTime, UTC; invalid when there is none
        LastFromRole, // QString: who wrote the newest message (display name, else account); empty
                      // for an event
        MembersRole,  // int
        WithRole,     // QString: a direct room's other account
        ReadRole,     // qint64: the newest seq this account has read
        LastSeqRole,  // qint64: the newest message's seq, 0 when none known
    };
    Q_ENUM(Role)

    explicit RoomListModel(QObject *parent = nullptr);

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index,
                                int role = Qt::DisplayRole) const override;
    [[nodiscard]] QHash<int, QByteArray> roleNames() const override;

    // What the sidebar shows for a room.
    [[nodiscard]] static QString titleOf(const proto::RoomState &room);

    // The welcome's rooms: replaces every room.
    void setRooms(const QList<proto::RoomState> &rooms);
    // A room joined or changed (`room`): replaces or adds it.
    void upsert(const proto::RoomState &room);
    // `room_gone`; returns whether it was there.
    bool remove(const QString &name);
    // `unread`: the new counts after a device marked the room read.
    void applyUnread(const proto::Unread &unread);
    // A message arrived in the room: it becomes the newest when it is. `counts`: it adds to the
    // unread count (and, with `mentionsUs`, to the mentions).
    void noteMessage(const proto::Message &message, bool counts, bool mentionsUs);
    // Read up to seq here (this device reads it, or we wrote there): no unread, no mentions.
    void markRead(const QString &name, qint64 seq);
    // A member came or went (an event in the room).
    void adjustMembers(const QString &name, int delta);
    // The title or topic changed (an event in the room).
    void setTitle(const QString &name, const QString &title);
    void setTopic(const QString &name, const QString &topic);

    [[nodiscard]] bool contains(const QString &name) const;
    [[nodiscard]] std::optional<proto::RoomState> room(const QString &name) const;
    [[nodiscard]] int indexOf(const QString &name) const;
    [[nodiscard]] QString nameAt(int row) const;
    // The direct room with this account (any spelling of the name); empty when there is none.
    [[nodiscard]] QString directRoomWith(const QString &account) const;
    [[nodiscard]] QStringList names() const;
    [[nodiscard]] int totalUnread() const;
    // The newest seq known in the room (of its last message).
    [[nodiscard]] qint64 lastSeq(const QString &name) const;

signals:
    void countsChanged(); // unread or mentions of some room changed
    void roomRemoved(const QString &name);

private:
    [[nodiscard]] int insertPosition(const proto::RoomState &room) const;
    // Replaces the state of the room at row, moving the row when its place changes.
    void replaceAt(int row, const proto::RoomState &room);
    void changedAt(int row, const QList<int> &roles = {});

    QList<proto::RoomState> m_rooms;
};

} // namespace chat::client
