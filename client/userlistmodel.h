// The nicks online, sorted case-insensitively. Nicks that differ only in case are one person.
#pragma once

#include <QAbstractListModel>
#include <QStringList>

namespace chat::client {

class UserListModel : public QAbstractListModel
{
    Q_OBJECT
    Q_PROPERTY(int count READ count NOTIFY countChanged)
public:
    enum Role {
        NickRole = Qt::UserRole + 1, // QString; DisplayRole holds the same
    };
    Q_ENUM(Role)

    explicit UserListModel(QObject *parent = nullptr);

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index,
                                int role = Qt::DisplayRole) const override;
    [[nodiscard]] QHash<int, QByteArray> roleNames() const override;

    void setUsers(const QStringList &nicks);
    void addUser(const QString &nick);    // a nick already present is ignored
    void removeUser(const QString &nick); // matched regardless of case
    // A presence: `left` removed first, then `joined` added (someone may be in both).
    void applyChanges(const QStringList &joined, const QStringList &left);
    void clear();

    [[nodiscard]] int count() const;
    [[nodiscard]] QStringList users() const; // in display order
    [[nodiscard]] bool contains(const QString &nick) const;

signals:
    void countChanged(int count);

private:
    [[nodiscard]] int indexOf(const QString &nick) const;
    [[nodiscard]] int insertPosition(const QString &nick) const;

    QStringList m_nicks;
};

} // namespace chat::client
