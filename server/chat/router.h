// The audience of what the hub sends to rooms: frames for a room go to every joined connection of
// its members, gathered until the end of the current turn of the event loop. Then each connection
// gets the frames of its rooms, in the order they were queued (which is sequence order), with one
// write: the frames of one room, the usual case, are one shared buffer for all of its members.
#pragma once

#include "transport/framebatch.h"

#include <QByteArray>
#include <QHash>
#include <QList>

namespace chat::server {

struct Room;

class Router
{
public:
    void queue(Room *room, const QByteArray &json);
    [[nodiscard]] bool isEmpty() const { return m_order.isEmpty(); }
    [[nodiscard]] qsizetype pendingBytes() const { return m_bytes; }
    // The largest room's share of pendingBytes(): what one connection would get in one write.
    [[nodiscard]] qsizetype largestRoomBytes() const { return m_largestRoomBytes; }
    // Sends everything queued and forgets it. Returns the bytes that went to the kernel at once
    // (the rest is counted when Qt writes it), and adds to *deliveries one per frame and
    // connection.
    qint64 flush(qint64 *deliveries);

private:
    struct Queued
    {
        Room *room;
        QByteArray json;
    };
    QList<Queued> m_order;              // every frame, in the order queued
    QHash<Room *, FrameBatch> m_byRoom; // the same frames, per room
    qsizetype m_bytes = 0;
    qsizetype m_largestRoomBytes = 0;
    quint64 m_flushes = 0; // numbers each flush, for ChatSession::routeMark
};

} // namespace chat::server
