#include "store/messagestore.h"

#include "http/metrics.h"
#include "hubconfig.h"
#include "secrets.h"
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
        entry.message.seq = ++m_lastSeq;
        if (!entry.nickKey.isEmpty()) {
            // Without its text: the index holds up to ids x nicknames messages, which at 4,000
            // characters each would pin gigabytes (findSent() below puts a text back).
            Message sent = entry.message;
            sent.text = QString();
            m_sent.remember(entry.nickKey, sent);
        }
        if (m_capacity == 0)
            continue;
        // An event names nobody: its text is a title or a topic.
        m_messages.push_back(
            {entry.message, entry.message.event.isEmpty() ? entry.mentions : QList<qint64>()});
        if (m_messages.size() > m_capacity)
            m_messages.pop_front();
    }
    return true;
}

std::optional<Message> MemoryStore::findSent(const QString &nickKey, const QString &id) const
{
    if (id.isEmpty())
        return std::nullopt; // events have no id
    const Message *sent = m_sent.find(nickKey, id);
    if (!sent)
        return std::nullopt;
    if (sent->seq >= oldestSeq())
        return m_messages[size_t(sent->seq - oldestSeq())].message; // still held, text and all
    return *sent; // text empty: the caller has the resend's, which carries the same text
}

QList<Message> MemoryStore::range(qint64 first, qint64 last, qint64 maxWeight) const
{
    QList<Message> result;
    first = qMax(first, oldestSeq());
    last = qMin(last, m_lastSeq);
    // Held seqs are consecutive, so a seq maps straight to a position.
    qint64 weight = 0;
    for (qint64 seq = first; seq <= last; ++seq) {
        const Message &message = m_messages[size_t(seq - oldestSeq())].message;
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
    const qint64 bound = before > 0 ? qMin(before, m_lastSeq + 1) : m_lastSeq + 1;
    const qint64 skip = qMax<qint64>(0, m_lastSeq + 1 - bound); // held messages at or after it
    for (auto it = m_messages.crbegin() + qMin<qint64>(skip, qint64(m_messages.size()));
         it != m_messages.crend(); ++it) {
        if (it->message.room != room)
            continue;
        if (result.size() >= limit) {
            *more = true;
            break;
        }
        result.append(it->message);
    }
    std::reverse(result.begin(), result.end());
    return result;
}

QList<Message> MemoryStore::since(const QSet<QString> &rooms, const QString &target, qint64 after,
                                  int limit, qint64 maxWeight, bool *complete) const
{
    QList<Message> result;
    // Messages after `after` that are no longer held may have been for this account.
    *complete = after + 1 >= oldestSeq();
    const size_t skip = size_t(qMax<qint64>(0, after + 1 - oldestSeq()));
    qint64 weight = 0;
    for (size_t i = skip; i < m_messages.size(); ++i) {
        const Message &message = m_messages[i].message;
        if (!rooms.contains(message.room) &&
            (message.event.isEmpty() || target.isEmpty() || message.target != target))
            continue;
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
    const size_t skip = size_t(qMax<qint64>(0, after + 1 - oldestSeq()));
    for (size_t i = skip; i < m_messages.size() && count < cap; ++i) {
        const Message &message = m_messages[i].message;
        if (message.room == room && message.event.isEmpty() && message.from != exceptFrom)
            ++count;
    }
    return count;
}

int MemoryStore::countMentions(const QString &room, qint64 after, qint64 accountId, int cap) const
{
    int count = 0;
    const size_t skip = size_t(qMax<qint64>(0, after + 1 - oldestSeq()));
    for (size_t i = skip; i < m_messages.size() && count < cap; ++i) {
        const Held &held = m_messages[i];
        if (held.message.room == room && held.mentions.contains(accountId))
            ++count;
    }
    return count;
}

QHash<QString, Message> MemoryStore::newestPerRoom() const
{
    QHash<QString, Message> newest;
    for (auto it = m_messages.crbegin(); it != m_messages.crend(); ++it) {
        if (!newest.contains(it->message.room))
            newest.insert(it->message.room, it->message);
    }
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
        m_messages.pop_front();
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
