#include "store/messagestore.h"

#include "hubconfig.h"
#include "http/metrics.h"
#include "secrets.h"
#include "store/sqlitestore.h"

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
    return m_messages.empty() ? m_lastSeq + 1 : m_messages.front().seq;
}

bool MemoryStore::append(const QList<Entry> &entries)
{
    qint64 expected = m_lastSeq + 1;
    for (const Entry &entry : entries) {
        if (entry.message.seq != expected++) {
            setError(QStringLiteral("sequence numbers out of order"));
            return false;
        }
    }
    for (const Entry &entry : entries) {
        m_lastSeq = entry.message.seq;
        // Without its text: the index holds up to ids x nicknames messages, which at 4,000
        // characters each would pin gigabytes (findSent() below puts a text back).
        Message sent = entry.message;
        sent.text = QString();
        m_sent.remember(entry.nickKey, sent);
        if (m_capacity == 0)
            continue;
        m_messages.push_back(entry.message);
        if (m_messages.size() > m_capacity)
            m_messages.pop_front();
    }
    return true;
}

std::optional<Message> MemoryStore::findSent(const QString &nickKey, const QString &id) const
{
    const Message *sent = m_sent.find(nickKey, id);
    if (!sent)
        return std::nullopt;
    if (sent->seq >= oldestSeq())
        return m_messages[size_t(sent->seq - oldestSeq())]; // still held, text and all
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
        const Message &message = m_messages[size_t(seq - oldestSeq())];
        weight += messageWeight(message);
        if (maxWeight >= 0 && weight > maxWeight)
            break;
        result.append(message);
    }
    return result;
}

qint64 messageWeight(const Message &message)
{
    // A message frame's fields besides its text: type, seq, id, room, from and time, quoted.
    constexpr qint64 kFrameOverhead = 160;
    return utf8Size(message.text) + message.id.size() + utf8Size(message.from) +
           utf8Size(message.display) + kFrameOverhead;
}

qint64 MemoryStore::prune(const Retention &retention, const QDateTime &now)
{
    qint64 removed = 0;
    const QDateTime cutoff = now.addDays(-retention.maxDays);
    while (!m_messages.empty()) {
        const bool tooMany =
            retention.maxMessages > 0 && qint64(m_messages.size()) > retention.maxMessages;
        const bool tooOld = retention.maxDays > 0 && m_messages.front().time < cutoff;
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
        return stores;
    }
    std::unique_ptr<SqliteStore> sqlite = SqliteStore::open(path, SqliteStore::Sync::Full, error);
    if (!sqlite)
        return stores;
    stores.accounts = sqlite->accountStore();
    stores.messages = std::move(sqlite);
    return stores;
}

std::unique_ptr<MessageStore> openMessageStore(const QString &path, const HubConfig &config,
                                               QString *error)
{
    return openStores(path, config, error).messages;
}

} // namespace chat::server
