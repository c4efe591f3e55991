#include "presencefeed.h"

#include <algorithm>

namespace chat::server {

using chat::proto::Presence;

namespace {

void sortForPeople(QStringList &nicks)
{
    std::sort(nicks.begin(), nicks.end(), [](const QString &a, const QString &b) {
        return QString::compare(a, b, Qt::CaseInsensitive) < 0;
    });
}

} // namespace

PresenceFeed::PresenceFeed(int intervalMs, QObject *parent)
    : QObject(parent)
    , m_intervalMs(qMax(0, intervalMs))
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &PresenceFeed::due);
}

void PresenceFeed::changed(const QString &nickKey, const QString &nick)
{
    m_pending.insert(nickKey, nick);
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
        const QString told = m_told.value(it.key());
        if (told == it.value())
            continue;
        if (!told.isEmpty())
            presence.left.append(told);
        if (it.value().isEmpty())
            m_told.remove(it.key());
        else
            m_told.insert(it.key(), it.value());
        if (!it.value().isEmpty())
            presence.joined.append(it.value());
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
        QStringList nicks = m_told.values();
        sortForPeople(nicks);
        m_toldEncoded = chat::proto::encodeUserList(nicks);
        m_toldEncodedValid = true;
    }
    return m_toldEncoded;
}

} // namespace chat::server
