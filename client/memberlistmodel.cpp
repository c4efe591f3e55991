#include "memberlistmodel.h"

#include "eventtext.h"
#include "namekey.h"

#include <algorithm>

namespace chat::client {

namespace {

bool shownBefore(const proto::RoomMember &a, const proto::RoomMember &b)
{
    if (a.online != b.online)
        return a.online;
    const int byLabel = QString::compare(personLabel(a.name, a.display),
                                         personLabel(b.name, b.display), Qt::CaseInsensitive);
    return byLabel != 0 ? byLabel < 0 : a.name < b.name;
}

} // namespace

MemberListModel::MemberListModel(QObject *parent)
    : QAbstractListModel(parent)
{}

int MemberListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_members.size());
}

QVariant MemberListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const proto::RoomMember &m = m_members.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return m.role == u"owner" ? tr("%1 · owner").arg(personLabel(m.name, m.display))
                                  : personLabel(m.name, m.display);
    case Qt::ToolTipRole:
        return m.online ? tr("Online") : tr("Offline");
    case NameRole:
        return m.name;
    case DisplayNameRole:
        return m.display;
    case RoleRole:
        return m.role;
    case OnlineRole:
        return m.online;
    case LabelRole:
        return personLabel(m.name, m.display);
    default:
        return {};
    }
}

QHash<int, QByteArray> MemberListModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractListModel::roleNames();
    names.insert({{NameRole, "name"},
                  {DisplayNameRole, "displayName"},
                  {RoleRole, "role"},
                  {OnlineRole, "online"},
                  {LabelRole, "label"}});
    return names;
}

void MemberListModel::setRoom(const QString &room)
{
    if (room == m_room)
        return;
    m_room = room;
    m_keys.clear();
    clear();
}

void MemberListModel::setMembers(const QList<proto::RoomMember> &members)
{
    QList<proto::RoomMember> sorted;
    QHash<QString, qsizetype> at; // key -> index in sorted: a repeated name replaces
    for (const proto::RoomMember &m : members) {
        const QString key = keyOf(m.name);
        if (const auto it = at.constFind(key); it != at.cend()) {
            sorted[*it] = m;
            continue;
        }
        at.insert(key, sorted.size());
        sorted.append(m);
    }
    std::stable_sort(sorted.begin(), sorted.end(), shownBefore);
    beginResetModel();
    m_members = std::move(sorted);
    endResetModel();
    emit countsChanged();
}

void MemberListModel::addMembers(const QList<proto::RoomMember> &members)
{
    for (const proto::RoomMember &m : members)
        place(m);
    emit countsChanged();
}

void MemberListModel::addMember(const proto::RoomMember &member)
{
    place(member);
    emit countsChanged();
}

void MemberListModel::removeMember(const QString &account)
{
    const int row = indexOf(account);
    if (row < 0)
        return;
    beginRemoveRows({}, row, row);
    m_members.removeAt(row);
    endRemoveRows();
    emit countsChanged();
}

void MemberListModel::applyPresence(const QList<proto::User> &joined, const QStringList &left)
{
    for (const QString &name : left) {
        const int row = indexOf(name);
        if (row >= 0 && m_members.at(row).online) {
            proto::RoomMember m = m_members.at(row);
            m.online = false;
            place(m);
        }
    }
    for (const proto::User &user : joined) {
        const int row = indexOf(user.name);
        proto::RoomMember m =
            row >= 0 ? m_members.at(row)
                     : proto::RoomMember{user.name, {}, QStringLiteral("member"), false};
        m.online = true;
        m.display = user.display;
        place(m);
    }
    emit countsChanged();
}

void MemberListModel::setRole(const QString &account, const QString &role)
{
    const int row = indexOf(account);
    if (row < 0 || m_members.at(row).role == role)
        return;
    m_members[row].role = role;
    emit dataChanged(index(row), index(row));
}

void MemberListModel::clear()
{
    if (m_members.isEmpty())
        return;
    beginResetModel();
    m_members.clear();
    endResetModel();
    emit countsChanged();
}

int MemberListModel::onlineCount() const
{
    return int(std::count_if(m_members.cbegin(), m_members.cend(),
                             [](const proto::RoomMember &m) { return m.online; }));
}

bool MemberListModel::contains(const QString &account) const
{
    return indexOf(account) >= 0;
}

bool MemberListModel::isOnline(const QString &account) const
{
    const int row = indexOf(account);
    return row >= 0 && m_members.at(row).online;
}

QStringList MemberListModel::names() const
{
    QStringList names;
    for (const proto::RoomMember &m : m_members)
        names.append(m.name);
    return names;
}

proto::RoomMember MemberListModel::memberAt(int row) const
{
    return row >= 0 && row < m_members.size() ? m_members.at(row) : proto::RoomMember{};
}

int MemberListModel::indexOf(const QString &account) const
{
    const QString key = keyOf(account);
    for (qsizetype i = 0; i < m_members.size(); ++i) {
        if (keyOf(m_members.at(i).name) == key)
            return int(i);
    }
    return -1;
}

QString MemberListModel::keyOf(const QString &account) const
{
    auto it = m_keys.find(account);
    if (it == m_keys.end())
        it = m_keys.insert(account, proto::accountNameKey(account));
    return *it;
}

void MemberListModel::place(const proto::RoomMember &member)
{
    const int row = indexOf(member.name);
    QList<proto::RoomMember> others = m_members;
    if (row >= 0)
        others.removeAt(row);
    const auto it = std::lower_bound(others.cbegin(), others.cend(), member, shownBefore);
    const int at = int(it - others.cbegin());
    if (row < 0) {
        beginInsertRows({}, at, at);
        m_members.insert(at, member);
        endInsertRows();
        return;
    }
    const int destination = at >= row ? at + 1 : at;
    const bool moves = destination != row && destination != row + 1;
    if (moves)
        beginMoveRows({}, row, row, {}, destination);
    others.insert(at, member);
    m_members = std::move(others);
    if (moves)
        endMoveRows();
    emit dataChanged(index(at), index(at));
}

} // namespace chat::client
