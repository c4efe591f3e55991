// Our messages that the server has not acknowledged yet, in the order they were written. They
// keep their ids across reconnections: the server recognises a resent id and does not repeat it.
#pragma once

#include "protocol.h"

#include <QDateTime>
#include <QHash>
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
    // `typed`: when it was written (now when not given and not known).
    void enqueue(const proto::Send &send, const QDateTime &typed = {});

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

    // When the message was typed (UTC): shown on its pending row, kept in the outbox file.
    [[nodiscard]] QDateTime typedAt(const QString &id) const { return m_typed.value(id); }
    [[nodiscard]] const QHash<QString, QDateTime> &typedTimes() const { return m_typed; }

    [[nodiscard]] static QString makeId();

private:
    [[nodiscard]] qsizetype indexOf(const QString &id) const;

    QList<proto::Send> m_items;
    QHash<QString, QDateTime> m_typed; // by id; outlives takeAll() for the messages re-queued
};

} // namespace chat::client
