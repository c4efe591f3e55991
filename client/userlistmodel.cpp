#include "userlistmodel.h"

#include "validation.h"

#include <QSet>

#include <algorithm>

namespace chat::client {

namespace {

// Case-insensitive first, so "bob" sits next to "Bob"; exact order breaks ties for stability.
bool nickLess(const QString &a, const QString &b)
{
    const int c = QString::compare(a, b, Qt::CaseInsensitive);
    return c != 0 ? c < 0 : a < b;
}

} // namespace

UserListModel::UserListModel(QObject *parent)
    : QAbstractListModel(parent)
{}

int UserListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_nicks.size());
}

QVariant UserListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    if (role == Qt::DisplayRole || role == NickRole)
        return m_nicks.at(index.row());
    return {};
}

QHash<int, QByteArray> UserListModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractListModel::roleNames();
    names.insert(NickRole, "nick");
    return names;
}

void UserListModel::setUsers(const QStringList &nicks)
{
    QStringList sorted;
    QSet<QString> keys;
    for (const QString &nick : nicks) {
        if (!nick.isEmpty() && !keys.contains(proto::nickKey(nick))) {
            keys.insert(proto::nickKey(nick));
            sorted.append(nick);
        }
    }
    std::sort(sorted.begin(), sorted.end(), nickLess);
    const int before = count();
    beginResetModel();
    m_nicks = std::move(sorted);
    endResetModel();
    if (count() != before)
        emit countChanged(count());
}

void UserListModel::addUser(const QString &nick)
{
    if (nick.isEmpty() || indexOf(nick) >= 0)
        return;
    const int row = insertPosition(nick);
    beginInsertRows({}, row, row);
    m_nicks.insert(row, nick);
    endInsertRows();
    emit countChanged(count());
}

void UserListModel::removeUser(const QString &nick)
{
    const int row = indexOf(nick);
    if (row < 0)
        return;
    beginRemoveRows({}, row, row);
    m_nicks.removeAt(row);
    endRemoveRows();
    emit countChanged(count());
}

void UserListModel::applyChanges(const QStringList &joined, const QStringList &left)
{
    // A few changes row by row, so views keep their selection and scroll position; a crowd in
    // one pass, since finding each row costs a walk over the whole list.
    constexpr qsizetype kRowByRowLimit = 16;
    if (joined.size() + left.size() <= kRowByRowLimit) {
        for (const QString &nick : left)
            removeUser(nick);
        for (const QString &nick : joined)
            addUser(nick);
        return;
    }
    QSet<QString> gone;
    for (const QString &nick : left)
        gone.insert(proto::nickKey(nick));
    QStringList next;
    next.reserve(m_nicks.size() + joined.size());
    for (const QString &nick : std::as_const(m_nicks)) {
        if (!gone.contains(proto::nickKey(nick)))
            next.append(nick);
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
    return int(m_nicks.size());
}

QStringList UserListModel::users() const
{
    return m_nicks;
}

bool UserListModel::contains(const QString &nick) const
{
    return indexOf(nick) >= 0;
}

int UserListModel::indexOf(const QString &nick) const
{
    const QString key = proto::nickKey(nick);
    for (int i = 0; i < m_nicks.size(); ++i) {
        if (proto::nickKey(m_nicks.at(i)) == key)
            return i;
    }
    return -1;
}

int UserListModel::insertPosition(const QString &nick) const
{
    return int(std::lower_bound(m_nicks.cbegin(), m_nicks.cend(), nick, nickLess) -
               m_nicks.cbegin());
}

} // namespace chat::client
