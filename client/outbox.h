// Our messages that the server has not acknowledged yet, in the order they were written. They
// keep their ids across reconnections: the server recognises a resent id and does not repeat it.
#pragma once

#include "protocol.h"

#include <QList>

#include <optional>

namespace chat::client {

class Outbox
{
public:
    // Queues a new message under a fresh id and returns it: into `room`, or, with `to`, to that
    // account (a direct message). Neither: the lobby.
    proto::Send enqueue(const QString &text, const QString &room = {}, const QString &to = {});
    // Queues a message that already has an id (restored from disk, say); a known id is ignored.
    void enqueue(const proto::Send &send);

    // Removes the message with this id; returns whether it was queued.
    bool acknowledge(const QString &id);
    [[nodiscard]] std::optional<proto::Send> find(const QString &id) const;
    [[nodiscard]] bool contains(const QString &id) const;

    // Everything still waiting, oldest first; it stays queued until acknowledged.
    [[nodiscard]] const QList<proto::Send> &items() const { return m_items; }
    // Empties the queue and returns what it held, oldest first.
    [[nodiscard]] QList<proto::Send> takeAll();

    [[nodiscard]] int size() const { return int(m_items.size()); }
    [[nodiscard]] bool isEmpty() const { return m_items.isEmpty(); }

    [[nodiscard]] static QString makeId();

private:
    [[nodiscard]] qsizetype indexOf(const QString &id) const;

    QList<proto::Send> m_items;
};

} // namespace chat::client
