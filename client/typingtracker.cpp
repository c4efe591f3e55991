#include "typingtracker.h"

#include "eventtext.h"
#include "namekey.h"

#include <algorithm>

namespace chat::client {

TypingTracker::TypingTracker(QObject *parent)
    : QObject(parent)
{
    m_timer.setSingleShot(true);
    m_timer.setTimerType(Qt::CoarseTimer);
    connect(&m_timer, &QTimer::timeout, this, &TypingTracker::expire);
}

void TypingTracker::setExpiry(int ms)
{
    m_expiryMs = std::max(1, ms);
}

void TypingTracker::noteTyping(const QString &room, const QString &account, const QString &display)
{
    const QString key = proto::accountNameKey(account);
    QList<Typist> &typists = m_rooms[room];
    const auto it = std::find_if(typists.begin(), typists.end(),
                                 [&key](const Typist &t) { return t.key == key; });
    const QDeadlineTimer until(m_expiryMs);
    const QString label = personLabel(account, display);
    if (it != typists.end()) {
        it->until = until;
        if (it->label == label) {
            schedule();
            return;
        }
        it->label = label;
    } else {
        typists.append(Typist{key, label, until});
    }
    schedule();
    emit changed(room);
}

void TypingTracker::noteMessage(const QString &room, const QString &account)
{
    const auto roomIt = m_rooms.find(room);
    if (roomIt == m_rooms.end())
        return;
    const QString key = proto::accountNameKey(account);
    const qsizetype removed = roomIt->removeIf([&key](const Typist &t) { return t.key == key; });
    if (roomIt->isEmpty())
        m_rooms.erase(roomIt);
    if (removed > 0)
        emit changed(room);
}

void TypingTracker::clear()
{
    const QList<QString> rooms = m_rooms.keys();
    m_rooms.clear();
    m_timer.stop();
    for (const QString &room : rooms)
        emit changed(room);
}

QStringList TypingTracker::typing(const QString &room) const
{
    QStringList labels;
    for (const Typist &t : m_rooms.value(room)) {
        if (!t.until.hasExpired())
            labels.append(t.label);
    }
    return labels;
}

QString TypingTracker::text(const QString &room) const
{
    const QStringList labels = typing(room);
    if (labels.isEmpty())
        return {};
    if (labels.size() > 3)
        return tr("%n people are typing…", nullptr, int(labels.size()));
    return tr("%1 typing…").arg(labels.join(tr(", ", "between the names of people typing")));
}

void TypingTracker::expire()
{
    QStringList changedRooms;
    for (auto it = m_rooms.begin(); it != m_rooms.end();) {
        if (it->removeIf([](const Typist &t) { return t.until.hasExpired(); }) > 0)
            changedRooms.append(it.key());
        it = it->isEmpty() ? m_rooms.erase(it) : std::next(it);
    }
    schedule();
    for (const QString &room : std::as_const(changedRooms))
        emit changed(room);
}

void TypingTracker::schedule()
{
    qint64 soonest = -1;
    for (const QList<Typist> &typists : std::as_const(m_rooms)) {
        for (const Typist &t : typists) {
            const qint64 left = std::max<qint64>(0, t.until.remainingTime());
            soonest = soonest < 0 ? left : std::min(soonest, left);
        }
    }
    if (soonest < 0)
        m_timer.stop();
    else
        m_timer.start(int(soonest) + 1);
}

} // namespace chat::client
