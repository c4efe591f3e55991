#include "store/messagestore.h"

#include "http/metrics.h"
#include "hubconfig.h"
#include "secrets.h"
#include "store/postgresconnection.h"
#include "store/postgresstore.h"
#include "store/sqlitestore.h"

#include <algorithm>

namespace chat::server {

Q_LOGGING_CATEGORY(lcStore, "chat.server.store", QtInfoMsg)

using chat::proto::Message;

MemoryStore::MemoryStore(int capacity, int dedupIdsPerNick, int dedupNicks)
    : m_instance(randomHex(64))
    , m_capacity(size_t(qMax(0, capacity)))
    , m_sent(dedupIdsPerNick, dedupNicks)
{}

qint64 MemoryStore::oldestSeq() const
{
    return m_messages.empty() ? m_lastSeq + 1 : m_messages.front().message.seq;
}

bool MemoryStore::append(QList<Entry> &entries)
{
    // Nothing here can fail: numbering and keeping are one step.
    for (Entry &entry : entries) {
        Message &message = entry.message;
        entry.duplicate = false;
        if (std::optional<Message> stored = findSent(entry.nickKey, message.id)) {
            entry.duplicate = true; // a resend: not kept again
            if (stored->text.isEmpty())
                stored->text = message.text; // no longer held: the resend carries the same text
            message = *stored;
            continue;
        }
        message.seq = ++m_lastSeq;
        if (!entry.nickKey.isEmpty()) {
            // Without its text: the index holds up to ids x nicknames messages, which at 4,000
            // characters each would pin gigabytes (findSent() below puts a text back).
            Message sent = message;
            sent.text = QString();
            m_sent.remember(entry.nickKey, sent);
        }
        if (m_capacity == 0)
            continue;
        // An event names nobody: its text is a title or a topic.
        m_messages.push_back({message, message.event.isEmpty() ? entry.mentions : QList<qint64>()});
        m_byRoom[message.room].push_back(message.seq);
        if (isTargetedEvent(message))
            m_byTarget[message.target].push_back(message.seq);
        if (m_messages.size() > m_capacity)
            dropOldest();
    }
    return true;
}

bool MemoryStore::isTargetedEvent(const Message &message)
{
    return !message.event.isEmpty() && !message.target.isEmpty();
}

void MemoryStore::dropOldest()
{
    const Message &oldest = m_messages.front().message;
    // The oldest held seq is the oldest of its room (and of its target's events).
    const auto forget = [&](QHash<QString, std::deque<qint64>> &index, const QString &key) {
        const auto it = index.find(key);
        if (it == index.end())
            return;
        it->pop_front();
        if (it->empty())
            index.erase(it);
    };
    forget(m_byRoom, oldest.room);
    if (isTargetedEvent(oldest))
        forget(m_byTarget, oldest.target);
    m_messages.pop_front();
}

const MemoryStore::Held &MemoryStore::held(qint64 seq) const
{
    return m_messages[size_t(seq - oldestSeq())]; // held seqs are consecutive
}

std::optional<Message> MemoryStore::findSent(const QString &nickKey, const QString &id) const
{
    if (id.isEmpty())
        return std::nullopt; // events have no id
    const Message *sent = m_sent.find(nickKey, id);
    if (!sent)
        return std::nullopt;
    if (sent->seq >= oldestSeq())
        return held(sent->seq).message; // still held, text and all
    return *sent; // text empty: the caller has the resend's, which carries the same text
}

QList<Message> MemoryStore::range(qint64 first, qint64 last, qint64 maxWeight) const
{
    QList<Message> result;
    first = qMax(first, oldestSeq());
    last = qMin(last, m_lastSeq);
    qint64 weight = 0;
    for (qint64 seq = first; seq <= last; ++seq) {
        const Message &message = held(seq).message;
        weight += messageWeight(message);
        if (maxWeight >= 0 && weight > maxWeight)
            break;
        result.append(message);
    }
    return result;
}

QList<Message> MemoryStore::page(const QString &room, qint64 before, int limit, bool *more) const
{
    QList<Message> result;
    *more = false;
    const auto it = m_byRoom.constFind(room);
    if (it == m_byRoom.cend() || limit <= 0)
        return result;
    const std::deque<qint64> &seqs = *it;
    const auto end =
        before > 0 ? std::lower_bound(seqs.cbegin(), seqs.cend(), before) : seqs.cend();
    const auto begin = end - qMin<qint64>(limit, end - seqs.cbegin());
    *more = begin != seqs.cbegin();
    result.reserve(end - begin);
    for (auto seq = begin; seq != end; ++seq)
        result.append(held(*seq).message);
    return result;
}

QList<Message> MemoryStore::since(const QSet<QString> &rooms, const QString &target, qint64 after,
                                  int limit, qint64 maxWeight, bool *complete) const
{
    // Messages after `after` that are no longer held may have been for this account.
    *complete = after + 1 >= oldestSeq();
    limit = qMax(0, limit);
    // The first limit + 1 after `after` of each room and of the target's events, merged.
    std::vector<qint64> seqs;
    const auto collect = [&](const std::deque<qint64> &of) {
        auto first = std::upper_bound(of.cbegin(), of.cend(), after);
        const qint64 take = qMin<qint64>(qint64(limit) + 1, of.cend() - first);
        seqs.insert(seqs.end(), first, first + take);
    };
    for (const QString &room : rooms) {
        if (const auto it = m_byRoom.constFind(room); it != m_byRoom.cend())
            collect(*it);
    }
    if (const auto it = m_byTarget.constFind(target); !target.isEmpty() && it != m_byTarget.cend())
        collect(*it);
    std::sort(seqs.begin(), seqs.end());
    seqs.erase(std::unique(seqs.begin(), seqs.end()), seqs.end());
    QList<Message> result;
    qint64 weight = 0;
    for (const qint64 seq : seqs) {
        const Message &message = held(seq).message;
        weight += messageWeight(message);
        if (result.size() >= limit || (maxWeight >= 0 && weight > maxWeight)) {
            *complete = false;
            break;
        }
        result.append(message);
    }
    return result;
}

int MemoryStore::countUnread(const QString &room, qint64 after, const QString &exceptFrom,
                             int cap) const
{
    int count = 0;
    const auto it = m_byRoom.constFind(room);
    if (it == m_byRoom.cend())
        return count;
    for (auto seq = std::upper_bound(it->cbegin(), it->cend(), after);
         seq != it->cend() && count < cap; ++seq) {
        const Message &message = held(*seq).message;
        if (message.event.isEmpty() && message.from != exceptFrom)
            ++count;
    }
    return count;
}

int MemoryStore::countMentions(const QString &room, qint64 after, qint64 accountId, int cap) const
{
    int count = 0;
    const auto it = m_byRoom.constFind(room);
    if (it == m_byRoom.cend())
        return count;
    for (auto seq = std::upper_bound(it->cbegin(), it->cend(), after);
         seq != it->cend() && count < cap; ++seq) {
        if (held(*seq).mentions.contains(accountId))
            ++count;
    }
    return count;
}

QHash<QString, Message> MemoryStore::newestPerRoom() const
{
    QHash<QString, Message> newest;
    newest.reserve(m_byRoom.size());
    for (auto it = m_byRoom.cbegin(); it != m_byRoom.cend(); ++it)
        newest.insert(it.key(), held(it->back()).message);
    return newest;
}

qint64 messageWeight(const Message &message)
{
    // A message frame's fields besides its text: type, seq, id, room, from and time, quoted.
    constexpr qint64 kFrameOverhead = 160;
    return utf8Size(message.text) + message.id.size() + utf8Size(message.from) +
           utf8Size(message.display) + message.event.size() + utf8Size(message.target) +
           kFrameOverhead;
}

qint64 MemoryStore::prune(const Retention &retention, const QDateTime &now)
{
    qint64 removed = 0;
    const QDateTime cutoff = now.addDays(-retention.maxDays);
    while (!m_messages.empty()) {
        const bool tooMany =
            retention.maxMessages > 0 && qint64(m_messages.size()) > retention.maxMessages;
        const bool tooOld = retention.maxDays > 0 && m_messages.front().message.time < cutoff;
        if (!tooMany && !tooOld)
            break;
        dropOldest();
        ++removed;
    }
    return removed;
}

QString memoryStorePath()
{
    return QStringLiteral(":memory:");
}

Stores openStores(const QString &path, const HubConfig &config, QString *error)
{
    Stores stores;
    if (path == memoryStorePath()) {
        stores.messages = std::make_unique<MemoryStore>(config.historySize, config.dedupIdsPerNick,
                                                        config.dedupNicks);
        stores.accounts = std::make_unique<MemoryAccountStore>();
        stores.rooms = std::make_unique<MemoryRoomStore>();
        return stores;
    }
    if (postgres::isUrl(path)) {
        std::unique_ptr<PostgresStore> shared = PostgresStore::open(path, error);
        if (!shared)
            return stores;
        stores.accounts = shared->accountStore();
        stores.rooms = shared->roomStore();
        stores.messages = std::move(shared);
        return stores;
    }
    std::unique_ptr<SqliteStore> sqlite = SqliteStore::open(path, SqliteStore::Sync::Full, error);
    if (!sqlite)
        return stores;
    stores.accounts = sqlite->accountStore();
    stores.rooms = sqlite->roomStore();
    stores.messages = std::move(sqlite);
    return stores;
}

std::unique_ptr<MessageStore> openMessageStore(const QString &path, const HubConfig &config,
                                               QString *error)
{
    return openStores(path, config, error).messages;
}

} // namespace chat::server
