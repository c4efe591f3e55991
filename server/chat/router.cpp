#include "chat/router.h"

#include "chat/chatsession.h"
#include "chat/rooms.h"

#include <QVarLengthArray>

#include <algorithm>

namespace chat::server {

void Router::queue(Room *room, const QByteArray &json)
{
    m_order.append({room, json});
    FrameBatch &batch = m_byRoom[room];
    batch.append(json);
    m_bytes += json.size();
    m_largestRoomBytes = qMax(m_largestRoomBytes, batch.wire().size());
}

qint64 Router::flush(qint64 *deliveries)
{
    if (m_order.isEmpty())
        return 0;
    // Taken first: a session may come back here (aboutToSend) while being written to.
    const QList<Queued> order = std::exchange(m_order, {});
    const QHash<Room *, FrameBatch> byRoom = std::exchange(m_byRoom, {});
    m_bytes = 0;
    m_largestRoomBytes = 0;
    qint64 direct = 0;
    if (byRoom.size() == 1) {
        Room *room = byRoom.cbegin().key();
        const FrameBatch &batch = byRoom.cbegin().value();
        // A copy: sessions leave the set when they close, which sending may cause. Sessions are
        // deleted later, from the event loop, so the pointers stay valid for the whole loop.
        const QSet<ChatSession *> online = room->online;
        for (ChatSession *client : online)
            direct += client->sendBatch(batch);
        *deliveries += qint64(online.size()) * batch.frameCount();
        return direct;
    }
    // Several rooms: which of them each connection is in. Most are in one of them and get
    // that room's shared batch; the others get their rooms' frames merged, once per set.
    using RoomSet = QVarLengthArray<Room *, 4>;
    QHash<ChatSession *, RoomSet> roomsOf;
    for (auto it = byRoom.cbegin(); it != byRoom.cend(); ++it)
        for (ChatSession *client : std::as_const(it.key()->online))
            roomsOf[client].append(it.key());
    QHash<QList<Room *>, FrameBatch> merged;
    for (auto it = roomsOf.cbegin(); it != roomsOf.cend(); ++it) {
        const RoomSet &rooms = it.value();
        if (rooms.size() == 1) {
            const FrameBatch &batch = byRoom[rooms.front()];
            direct += it.key()->sendBatch(batch);
            *deliveries += batch.frameCount();
            continue;
        }
        QList<Room *> key(rooms.cbegin(), rooms.cend());
        std::sort(key.begin(), key.end());
        auto found = merged.find(key);
        if (found == merged.end()) {
            FrameBatch batch;
            for (const Queued &frame : order)
                if (std::binary_search(key.cbegin(), key.cend(), frame.room))
                    batch.append(frame.json);
            found = merged.insert(key, batch);
        }
        direct += it.key()->sendBatch(*found);
        *deliveries += found->frameCount();
    }
    return direct;
}

} // namespace chat::server
