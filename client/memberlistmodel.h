// The members of the selected room, as the members pane shows them: those online first, then
// the others, each group by what is shown ("显示名 (account)"), case-insensitively. Filled
// from the `members` pages, then kept by the room's `presence` and its events.
#pragma once

#include "protocol.h"

#include <QAbstractListModel>
#include <QHash>

namespace chat::client {

class MemberListModel : public QAbstractListModel
{
    Q_OBJECT
    Q_PROPERTY(int count READ count NOTIFY countsChanged)
    Q_PROPERTY(int onlineCount READ onlineCount NOTIFY countsChanged)
public:
    enum Role {
        NameRole = Qt::UserRole + 1, // QString: the account name
        DisplayNameRole,             // QString: may be empty
        RoleRole,                    // QString: "owner" or "member"
        OnlineRole,                  // bool
        LabelRole,                   // QString: "显示名 (account)"
    };
    Q_ENUM(Role)

    explicit MemberListModel(QObject *parent = nullptr);

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index,
                                int role = Qt::DisplayRole) const override;
    [[nodiscard]] QHash<int, QByteArray> roleNames() const override;

    // The room shown; a new one empties the list.
    void setRoom(const QString &room);
    [[nodiscard]] QString room() const { return m_room; }

    // The first page replaces the list; later pages add to it.
    void setMembers(const QList<proto::RoomMember> &members);
    void addMembers(const QList<proto::RoomMember> &members);
    // Adds or replaces one (matched by accountNameKey).
    void addMember(const proto::RoomMember &member);
    void removeMember(const QString &account);
    // Presence: `left` go offline first, then `joined` come online (with their display name).
    void applyPresence(const QList<proto::User> &joined, const QStringList &left);
    void setRole(const QString &account, const QString &role);
    void clear();

    [[nodiscard]] int count() const { return int(m_members.size()); }
    [[nodiscard]] int onlineCount() const;
    [[nodiscard]] bool contains(const QString &account) const;
    [[nodiscard]] bool isOnline(const QString &account) const;
    [[nodiscard]] QStringList names() const; // in shown order
    [[nodiscard]] proto::RoomMember memberAt(int row) const;

signals:
    void countsChanged();

private:
    [[nodiscard]] int indexOf(const QString &account) const;
    // accountNameKey(), remembered: presence in a big room looks up many names.
    [[nodiscard]] QString keyOf(const QString &account) const;
    void place(const proto::RoomMember &member); // inserts, or moves and replaces

    QString m_room;
    QList<proto::RoomMember> m_members;
    mutable QHash<QString, QString> m_keys; // account name as spelled -> its key
};

} // namespace chat::client
