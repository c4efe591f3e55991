// The shared history's messages handed to the hub exactly once each and in sequence order,
// whichever node committed them. Several nodes number messages from one counter in the store, so
// this node's own commit may come after numbers it has not seen yet (another node's, whose notice
// is still on its way): those are read from the store and delivered first. Notices may come late,
// twice, overlapping or out of order: the cursor only ever reads what follows the newest seq it
// delivered, up to the seq a notice names, which makes delivery gap-free and duplicate-free.
#pragma once

#include "protocol.h"

#include <QList>

#include <functional>
#include <optional>

namespace chat::server {

class OrderedDelivery
{
public:
    // Reads the stored messages with first <= seq <= last, oldest first; nullopt when the store
    // could not be read (the cursor stays where it is and the caller retries later).
    using Reader =
        std::function<std::optional<QList<chat::proto::Message>>(qint64 first, qint64 last)>;
    // Hands messages on in seq order; `own`: committed by this node.
    using Deliver = std::function<void(const QList<chat::proto::Message> &messages, bool own)>;
    // The oldest seq the store still holds (nullopt: cannot tell now): a read that found nothing
    // below it met pruned numbers, any other read that found nothing failed (committed rows do
    // not vanish otherwise).
    using Oldest = std::function<std::optional<qint64>()>;

    // `delivered`: the newest seq already known to the clients (the store's last at start).
    OrderedDelivery(qint64 delivered, Reader reader, Oldest oldest, Deliver deliver,
                    qint64 chunk = 1000);

    // This node's commit, numbered by the store: everything before it first, then it.
    // False when a read failed: the messages wait and go with the next successful pump().
    bool ownCommitted(const QList<chat::proto::Message> &messages);
    // Some node committed up to `last`.
    bool committedUpTo(qint64 last);
    // Delivers whatever is known to be committed and not yet delivered; false on a failed read.
    bool pump();
    // Reads on past the newest known seq until the store has nothing more (after a lost
    // connection, or as a periodic safety net for a notice that never came).
    bool catchUp();

    [[nodiscard]] qint64 delivered() const { return m_delivered; }
    // The own messages that wait for older ones that could not be read yet.
    [[nodiscard]] int waitingCount() const { return int(m_waiting.size()); }

private:
    bool readUpTo(qint64 last); // last > m_delivered

    Reader m_reader;
    Oldest m_oldest;
    Deliver m_deliver;
    qint64 m_chunk;
    qint64 m_delivered;
    qint64 m_known;                        // the newest seq known to be committed
    QList<chat::proto::Message> m_waiting; // own commits, in seq order, not delivered yet
};

} // namespace chat::server
