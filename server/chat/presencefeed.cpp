#include "chat/presencefeed.h"

#include <algorithm>

namespace chat::server {

using chat::proto::Presence;
using chat::proto::User;

namespace {

bool beforeForPeople(const QString &a, const QString &b)
{
    return QString::compare(a, b, Qt::CaseInsensitive) < 0;
}

void sortForPeople(QStringList &names)
{
    std::sort(names.begin(), names.end(), beforeForPeople);
}

void sortForPeople(QList<User> &users)
{
    std::sort(users.begin(), users.end(),
              [](const User &a, const User &b) { return beforeForPeople(a.name, b.name); });
}

} // namespace

PresenceFeed::PresenceFeed(int intervalMs, QObject *parent)
    : QObject(parent)
    , m_intervalMs(qMax(0, intervalMs))
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &PresenceFeed::due);
}

void PresenceFeed::changed(const QString &key, const std::optional<User> &user)
{
    m_pending.insert(key, user);
    if (m_timer.isActive())
        return;
    // After a quiet spell at the end of this turn of the event loop; in a crowd, once the
    // interval since the last presence has passed.
    const qint64 sinceTold = m_sinceTold.isValid() ? m_sinceTold.elapsed() : m_intervalMs;
    m_timer.start(int(qMax<qint64>(0, m_intervalMs - sinceTold)));
}

std::optional<Presence> PresenceFeed::take(int online)
{
    m_timer.stop();
    if (m_pending.isEmpty())
        return std::nullopt;
    Presence presence;
    presence.online = online;
    for (auto it = m_pending.cbegin(); it != m_pending.cend(); ++it) {
        const auto told = m_told.constFind(it.key());
        const std::optional<User> &now = it.value();
        if (told == m_told.cend()) {
            if (!now)
                continue; // came and went in between
            presence.joined.append(*now);
            m_told.insert(it.key(), *now);
        } else if (!now) {
            presence.left.append(told->name);
            m_told.erase(told);
        } else if (!(*told == *now)) {
            // Still online under another display name: told as a join, which updates it.
            presence.joined.append(*now);
            m_told.insert(it.key(), *now);
        }
    }
    m_pending.clear();
    m_sinceTold.start();
    if (presence.joined.isEmpty() && presence.left.isEmpty())
        return std::nullopt;
    m_toldEncodedValid = false;
    sortForPeople(presence.joined);
    sortForPeople(presence.left);
    return presence;
}

const chat::proto::EncodedUserList &PresenceFeed::toldUsers()
{
    if (!m_toldEncodedValid) {
        QList<User> users = m_told.values();
        sortForPeople(users);
        m_toldEncoded = chat::proto::encodeUserList(users);
        m_toldEncodedValid = true;
    }
    return m_toldEncoded;
}

} // namespace chat::server
