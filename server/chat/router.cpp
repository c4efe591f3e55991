#include "chat/router.h"

#include "chat/chatsession.h"
#include "chat/rooms.h"

#include <algorithm>

namespace chat::server {

namespace {

// Calls `each` for every member of `online`, asking for each member's memory a step or two
// ahead (ChatSession::prefetchForFlush). A copy of the set's pointers: sessions leave the set
// when they close, which writing may cause; they are deleted later, from the event loop, so the
// pointers stay valid for the whole loop.
template<typename Each> void forEachMember(const QSet<ChatSession *> &online, Each each)
{
    const QList<ChatSession *> members = online.values();
    const qsizetype count = members.size();
    for (qsizetype i = 0; i < 2 && i < count; ++i)
        members[i]->prefetchForFlush();
    for (qsizetype i = 0; i < count; ++i) {
        if (i + 2 < count)
            members[i + 2]->prefetchForFlush();
        if (i + 1 < count)
            members[i + 1]->prefetchTransport();
        each(members[i]);
    }
}

} // namespace

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
        qint64 members = 0;
        forEachMember(room->online, [&](ChatSession *client) {
            direct += client->sendBatch(batch);
            ++members;
        });
        *deliveries += members * batch.frameCount();
        return direct;
    }
    // Several rooms, written room by room: a room's batch stays in the cache while its members
    // get it. A member that is online in only one of these rooms gets that room's shared batch;
    // one in several is put aside, once, for a merged batch. Each member is looked at once, from
    // what it carries (ChatSession::onlineIn): no table of sessions, no second pass over them
    // (10,000 of them in bench (j)).
    const quint64 stamp = ++m_flushes;
    QList<ChatSession *> shared; // in several of these rooms
    const auto roomsFlushingFor = [&byRoom](const ChatSession *client) {
        int count = 0;
        for (Room *room : client->onlineIn())
            count += byRoom.contains(room) ? 1 : 0;
        return count;
    };
    for (auto it = byRoom.cbegin(); it != byRoom.cend(); ++it) {
        const FrameBatch &batch = it.value();
        forEachMember(it.key()->online, [&](ChatSession *client) {
            if (roomsFlushingFor(client) > 1) {
                ChatSession::RouteMark &mark = client->routeMark();
                if (mark.flush != stamp) {
                    mark.flush = stamp;
                    shared.append(client);
                }
                return;
            }
            direct += client->sendBatch(batch);
            *deliveries += batch.frameCount();
        });
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
