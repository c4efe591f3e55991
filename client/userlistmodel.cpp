#include "userlistmodel.h"

#include "validation.h"

#include <QSet>

#include <algorithm>

namespace chat::client {

namespace {

// Case-insensitive by what is shown first, so "bob" sits next to "Bob"; the account name, then
// exact order break ties for stability.
bool userLess(const proto::User &a, const proto::User &b)
{
    const QString la = UserListModel::label(a);
    const QString lb = UserListModel::label(b);
    const int c = QString::compare(la, lb, Qt::CaseInsensitive);
    if (c != 0)
        return c < 0;
    return la != lb ? la < lb : a.name < b.name;
}

} // namespace

UserListModel::UserListModel(QObject *parent)
    : QAbstractListModel(parent)
{}

QString UserListModel::label(const proto::User &user)
{
    return user.display.isEmpty() || user.display == user.name
               ? user.name
               : QStringLiteral("%1 (%2)").arg(user.display, user.name);
}

int UserListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_users.size());
}

QVariant UserListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const proto::User &user = m_users.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return label(user);
    case NickRole:
        return user.name;
    case DisplayNameRole:
        return user.display;
    default:
        return {};
    }
}

QHash<int, QByteArray> UserListModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractListModel::roleNames();
    names.insert(NickRole, "nick");
    names.insert(DisplayNameRole, "displayName");
    return names;
}

void UserListModel::setUsers(const QList<proto::User> &users)
{
    // The first spelling of an account stays; its last display name is the newest.
    QList<proto::User> sorted;
    QHash<QString, qsizetype> rows;
    for (const proto::User &user : users) {
        if (user.name.isEmpty())
            continue;
        const QString key = proto::nickKey(user.name);
        if (const auto it = rows.constFind(key); it != rows.cend()) {
            sorted[*it].display = user.display;
        } else {
            rows.insert(key, sorted.size());
            sorted.append(user);
        }
    }
    std::sort(sorted.begin(), sorted.end(), userLess);
    const int before = count();
    beginResetModel();
    m_users = std::move(sorted);
    endResetModel();
    if (count() != before)
        emit countChanged(count());
}

void UserListModel::addUser(const proto::User &user)
{
    if (user.name.isEmpty())
        return;
    if (const int row = indexOf(user.name); row >= 0) {
        if (m_users.at(row).display == user.display)
            return;
        // A new display name may move the row; removing and inserting keeps that simple.
        proto::User changed = m_users.at(row);
        changed.display = user.display;
        beginRemoveRows({}, row, row);
        m_users.removeAt(row);
        endRemoveRows();
        const int to = insertPosition(changed);
        beginInsertRows({}, to, to);
        m_users.insert(to, changed);
        endInsertRows();
        return;
    }
    const int row = insertPosition(user);
    beginInsertRows({}, row, row);
    m_users.insert(row, user);
    endInsertRows();
    emit countChanged(count());
}

void UserListModel::removeUser(const QString &account)
{
    const int row = indexOf(account);
    if (row < 0)
        return;
    beginRemoveRows({}, row, row);
    m_users.removeAt(row);
    endRemoveRows();
    emit countChanged(count());
}

void UserListModel::applyChanges(const QList<proto::User> &joined, const QStringList &left)
{
    // A few changes row by row, so views keep their selection and scroll position; a crowd in
    // one pass, since finding each row costs a walk over the whole list.
    constexpr qsizetype kRowByRowLimit = 16;
    if (joined.size() + left.size() <= kRowByRowLimit) {
        for (const QString &account : left)
            removeUser(account);
        for (const proto::User &user : joined)
            addUser(user);
        return;
    }
    QSet<QString> gone;
    for (const QString &account : left)
        gone.insert(proto::nickKey(account));
    QList<proto::User> next;
    next.reserve(m_users.size() + joined.size());
    for (const proto::User &user : std::as_const(m_users)) {
        if (!gone.contains(proto::nickKey(user.name)))
            next.append(user);
    }
    next.append(joined);
    setUsers(next);
}

void UserListModel::clear()
{
    setUsers({});
}

int UserListModel::count() const
{
    return int(m_users.size());
}

QStringList UserListModel::users() const
{
    QStringList names;
    names.reserve(m_users.size());
    for (const proto::User &user : m_users)
        names.append(user.name);
    return names;
}

QList<proto::User> UserListModel::entries() const
{
    return m_users;
}

bool UserListModel::contains(const QString &account) const
{
    return indexOf(account) >= 0;
}

QString UserListModel::displayName(const QString &account) const
{
    const int row = indexOf(account);
    return row < 0 ? QString() : m_users.at(row).display;
}

int UserListModel::indexOf(const QString &account) const
{
    const QString key = proto::nickKey(account);
    for (int i = 0; i < m_users.size(); ++i) {
        if (proto::nickKey(m_users.at(i).name) == key)
            return i;
    }
    return -1;
}

int UserListModel::insertPosition(const proto::User &user) const
{
    return int(std::lower_bound(m_users.cbegin(), m_users.cend(), user, userLess) -
               m_users.cbegin());
}

} // namespace chat::client
