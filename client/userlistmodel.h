// The accounts online, sorted case-insensitively by what is shown: "显示名 (account)", or the
// account name alone when it has no display name. The account name is the identity.
#pragma once

#include "protocol.h"

#include <QAbstractListModel>
#include <QStringList>

namespace chat::client {

class UserListModel : public QAbstractListModel
{
    Q_OBJECT
    Q_PROPERTY(int count READ count NOTIFY countChanged)
public:
    enum Role {
        NickRole = Qt::UserRole + 1, // QString: the account name
        DisplayNameRole,             // QString: the display name, may be empty
    };
    Q_ENUM(Role)

    explicit UserListModel(QObject *parent = nullptr);

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index,
                                int role = Qt::DisplayRole) const override;
    [[nodiscard]] QHash<int, QByteArray> roleNames() const override;

    // "显示名 (account)", or the account name when there is no display name.
    [[nodiscard]] static QString label(const proto::User &user);

    void setUsers(const QList<proto::User> &users);
    // An account already present gets this display name (it was changed); its name stays as
    // first spelled.
    void addUser(const proto::User &user);
    void removeUser(const QString &account); // matched regardless of case
    // A presence: `left` removed first, then `joined` added or updated (someone may be in both).
    void applyChanges(const QList<proto::User> &joined, const QStringList &left);
    void clear();

    [[nodiscard]] int count() const;
    [[nodiscard]] QStringList users() const; // account names, in display order
    [[nodiscard]] QList<proto::User> entries() const;
    [[nodiscard]] bool contains(const QString &account) const;
    [[nodiscard]] QString displayName(const QString &account) const;

signals:
    void countChanged(int count);

private:
    [[nodiscard]] int indexOf(const QString &account) const;
    [[nodiscard]] int insertPosition(const proto::User &user) const;

    QList<proto::User> m_users;
};

} // namespace chat::client
