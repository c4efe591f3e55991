// Where accepted chat messages are kept: the interface the hub talks to, a store in memory that
// keeps nothing past the process, and openMessageStore(), which picks one for a --db value.
#pragma once

#include "accounts/accountstore.h"
#include "protocol.h"
#include "store/sentindex.h"

#include <QDateTime>
#include <QList>
#include <QLoggingCategory>
#include <QString>

#include <deque>
#include <memory>
#include <optional>

namespace chat::server {

Q_DECLARE_LOGGING_CATEGORY(lcStore) // chat.server.store: opening, pruning, failed commits

struct HubConfig;

// How much history to keep; 0 means no limit of that kind.
struct Retention
{
    qint64 maxMessages = 0; // keep the newest N
    int maxDays = 0;        // keep what is younger than D days
    [[nodiscard]] bool keepsAll() const { return maxMessages <= 0 && maxDays <= 0; }
};

class MessageStore
{
public:
    // An accepted message with its sender's dedup key ("account:<id>"; "v1:<nick key>" for the
    // messages of a version-1 server), under which its id is unique. The message's display is
    // stored with it.
    struct Entry
    {
        QString nickKey;
        chat::proto::Message message;
    };

    MessageStore() = default;
    virtual ~MessageStore() = default;
    MessageStore(const MessageStore &) = delete;
    MessageStore &operator=(const MessageStore &) = delete;

    // Names the history that sequence numbers count in; it lives as long as the store does.
    [[nodiscard]] virtual QString instance() const = 0;
    // The newest seq ever stored (pruning does not lower it); 0 for a new store.
    [[nodiscard]] virtual qint64 lastSeq() const = 0;
    // The oldest seq still held; lastSeq() + 1 when nothing is held.
    [[nodiscard]] virtual qint64 oldestSeq() const = 0;
    // False when a commit costs nothing (memory): there is nothing to gain by grouping.
    [[nodiscard]] virtual bool isDurable() const = 0;

    // Stores every entry in one transaction, all or none. The first seq must be lastSeq() + 1
    // and each next one more. On failure nothing changed and errorString() says why.
    [[nodiscard]] virtual bool append(const QList<Entry> &entries) = 0;
    // The message stored earlier from this nickname with this id. Its text may be empty when
    // the store no longer holds it (MemoryStore): a resend carries the same text.
    [[nodiscard]] virtual std::optional<chat::proto::Message> findSent(const QString &nickKey,
                                                                       const QString &id) const = 0;
    // The held messages with first <= seq <= last, oldest first. With `maxWeight` >= 0 the read
    // stops before the messages' messageWeight() passes it (the caller sees fewer than asked).
    [[nodiscard]] virtual QList<chat::proto::Message> range(qint64 first, qint64 last,
                                                            qint64 maxWeight = -1) const = 0;
    // Deletes the oldest messages the retention does not keep, so that what is held stays one
    // run of consecutive seqs. Returns how many went, or -1 on failure (see errorString()).
    virtual qint64 prune(const Retention &retention, const QDateTime &now) = 0;

    [[nodiscard]] QString errorString() const { return m_error; }

protected:
    void setError(const QString &error) { m_error = error; }

private:
    QString m_error;
};

// Keeps the newest `capacity` messages and the recent ids of each nickname (without their
// texts), in memory only: bounded whatever the traffic.
class MemoryStore final : public MessageStore
{
public:
    MemoryStore(int capacity, int dedupIdsPerNick, int dedupNicks);

    [[nodiscard]] QString instance() const override { return m_instance; }
    [[nodiscard]] qint64 lastSeq() const override { return m_lastSeq; }
    [[nodiscard]] qint64 oldestSeq() const override;
    [[nodiscard]] bool isDurable() const override { return false; }
    [[nodiscard]] bool append(const QList<Entry> &entries) override;
    [[nodiscard]] std::optional<chat::proto::Message> findSent(const QString &nickKey,
                                                               const QString &id) const override;
    [[nodiscard]] QList<chat::proto::Message> range(qint64 first, qint64 last,
                                                    qint64 maxWeight = -1) const override;
    qint64 prune(const Retention &retention, const QDateTime &now) override;

private:
    QString m_instance;
    size_t m_capacity;
    std::deque<chat::proto::Message> m_messages;
    SentIndex m_sent;
    qint64 m_lastSeq = 0;
};

// What a message weighs against the limits on a welcome's history: its text in UTF-8 plus the
// rest of its frame.
[[nodiscard]] qint64 messageWeight(const chat::proto::Message &message);

// The value of --db that keeps nothing.
[[nodiscard]] QString memoryStorePath();

// The history and the accounts, in one place: for ":memory:" a MemoryStore sized by the config
// and a MemoryAccountStore; for anything else the SQLite file, both on its one connection (either
// may be destroyed first). On failure both are null and *error says why.
struct Stores
{
    std::unique_ptr<MessageStore> messages;
    std::unique_ptr<AccountStore> accounts;
};
[[nodiscard]] Stores openStores(const QString &path, const HubConfig &config, QString *error);

// openStores() without the accounts. On failure returns nullptr and *error says why.
[[nodiscard]] std::unique_ptr<MessageStore>
openMessageStore(const QString &path, const HubConfig &config, QString *error);

} // namespace chat::server
