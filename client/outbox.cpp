#include "outbox.h"

#include <QUuid>

#include <utility>

namespace chat::client {

QString Outbox::makeId()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

proto::Send Outbox::enqueue(const QString &text, const QString &room, const QString &to)
{
    proto::Send send;
    send.id = makeId();
    send.room = room.isEmpty() && to.isEmpty() ? proto::defaultRoom() : room;
    send.to = room.isEmpty() ? to : QString();
    send.text = text;
    m_items.append(send);
    m_typed.insert(send.id, QDateTime::currentDateTimeUtc());
    return send;
}

void Outbox::enqueue(const proto::Send &send, const QDateTime &typed)
{
    if (contains(send.id))
        return;
    m_items.append(send);
    if (typed.isValid())
        m_typed.insert(send.id, typed.toUTC());
    else if (!m_typed.contains(send.id))
        m_typed.insert(send.id, QDateTime::currentDateTimeUtc());
}

bool Outbox::acknowledge(const QString &id)
{
    const qsizetype i = indexOf(id);
    if (i < 0)
        return false;
    m_items.removeAt(i);
    m_typed.remove(id);
    return true;
}

std::optional<proto::Send> Outbox::find(const QString &id) const
{
    const qsizetype i = indexOf(id);
    if (i < 0)
        return std::nullopt;
    return m_items.at(i);
}

bool Outbox::contains(const QString &id) const
{
    return indexOf(id) >= 0;
}

QList<proto::Send> Outbox::takeAll()
{
    return std::exchange(m_items, {});
}

qsizetype Outbox::indexOf(const QString &id) const
{
    for (qsizetype i = 0; i < m_items.size(); ++i) {
        if (m_items.at(i).id == id)
            return i;
    }
    return -1;
}

} // namespace chat::client
