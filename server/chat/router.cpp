#include "chat/router.h"

#include "chat/chatsession.h"
#include "chat/rooms.h"

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
    // Several rooms. First, in how many of them each connection is: most are in one, and they
    // get that room's shared batch. Counted in the sessions themselves, not in a table of every
    // session built on every flush (a hash insert and an allocation per connection: 10,000 of
    // them in bench (j)).
    const quint64 stamp = ++m_flushes;
    QList<ChatSession *> shared; // in several of these rooms
    for (auto it = byRoom.cbegin(); it != byRoom.cend(); ++it) {
        for (ChatSession *client : std::as_const(it.key()->online)) {
            ChatSession::RouteMark &mark = client->routeMark();
            if (mark.flush != stamp)
                mark = {stamp, 1};
            else if (++mark.rooms == 2)
                shared.append(client);
        }
    }
    // Room by room: a room's batch stays in the cache while all of its members get it. A copy
    // of each set, as above.
    for (auto it = byRoom.cbegin(); it != byRoom.cend(); ++it) {
        const FrameBatch &batch = it.value();
        const QSet<ChatSession *> online = it.key()->online;
        for (ChatSession *client : online) {
            if (client->routeMark().rooms != 1)
                continue;
            direct += client->sendBatch(batch);
            *deliveries += batch.frameCount();
        }
    }
    // The others get their rooms' frames merged in the order queued, once per set of rooms.
    QHash<QList<Room *>, FrameBatch> merged;
    for (ChatSession *client : std::as_const(shared)) {
        QList<Room *> key;
        for (auto it = byRoom.cbegin(); it != byRoom.cend(); ++it)
            if (it.key()->online.contains(client))
                key.append(it.key());
        if (key.isEmpty())
            continue; // gone from its rooms while the others were written to
        std::sort(key.begin(), key.end());
        auto found = merged.find(key);
        if (found == merged.end()) {
            FrameBatch batch;
            for (const Queued &frame : order)
                if (std::binary_search(key.cbegin(), key.cend(), frame.room))
                    batch.append(frame.json);
            found = merged.insert(key, batch);
        }
        direct += client->sendBatch(*found);
        *deliveries += found->frameCount();
    }
    return direct;
}

} // namespace chat::server
