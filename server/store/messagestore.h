// Where accepted chat messages are kept: the interface the hub talks to, a store in memory that
// keeps nothing past the process, and openMessageStore(), which picks one for a --db value.
#pragma once

#include "accounts/accountstore.h"
#include "protocol.h"
#include "store/roomstore.h"
#include "store/sentindex.h"

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QLoggingCategory>
#include <QSet>
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
        QString nickKey; // empty for a room event (event messages have no id to deduplicate)
        chat::proto::Message message;
        QList<qint64> mentions = {}; // the accounts of the room the text names with @name
        // Set by append(): this (nick key, id) was stored already (by any server sharing the
        // store, or earlier in the same batch). Nothing was stored for it, and `message` is the
        // stored one, seq and all: a resend, to acknowledge with that.
        bool duplicate = false;
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
    // True when findSent() is a round trip to a database server (PostgreSQL): the hub then does
    // not look every send up first, since append() finds a resend in its transaction anyway.
    [[nodiscard]] virtual bool findSentIsRemote() const { return false; }

    // Stores every entry in one transaction, all or none, numbering them: the first gets
    // lastSeq() + 1, each next one more, in the list's order (their message.seq is set). So the
    // commit order is the sequence order, and a store shared by several servers can number.
    // An entry whose (nick key, id) is stored already is not stored again and uses no seq: it
    // comes back with `duplicate` set and the stored message. On failure nothing changed (no
    // seq is used up) and errorString() says why.
    [[nodiscard]] virtual bool append(QList<Entry> &entries) = 0;
    // The message stored earlier from this nickname with this id. Its text may be empty when
    // the store no longer holds it (MemoryStore): a resend carries the same text.
    [[nodiscard]] virtual std::optional<chat::proto::Message> findSent(const QString &nickKey,
                                                                       const QString &id) const = 0;
    // The held messages with first <= seq <= last, oldest first. With `maxWeight` >= 0 the read
    // stops before the messages' messageWeight() passes it (the caller sees fewer than asked).
    [[nodiscard]] virtual QList<chat::proto::Message> range(qint64 first, qint64 last,
                                                            qint64 maxWeight = -1) const = 0;
    // A page of one room: the newest `limit` held messages with seq < before (before <= 0: no
    // bound), oldest first. *more: older messages of the room are held.
    [[nodiscard]] virtual QList<chat::proto::Message> page(const QString &room, qint64 before,
                                                           int limit, bool *more) const = 0;
    // What an account missed: the held messages with seq > after in any of `rooms`, and the
    // events whose target is `target` (an account name) in any room, oldest first; at most
    // `limit` of them and (maxWeight >= 0) no more than maxWeight of messageWeight().
    // *complete: false when more were there than returned, or when messages after `after` are
    // no longer held (pruned, or past a MemoryStore's capacity): they may have been for them.
    [[nodiscard]] virtual QList<chat::proto::Message> since(const QSet<QString> &rooms,
                                                            const QString &target, qint64 after,
                                                            int limit, qint64 maxWeight,
                                                            bool *complete) const = 0;
    // The held chat messages (not events) of the room with seq > after whose sender is not
    // `exceptFrom` (an account name), counted up to `cap`.
    [[nodiscard]] virtual int countUnread(const QString &room, qint64 after,
                                          const QString &exceptFrom, int cap) const = 0;
    // ... and of those, the ones whose entry named `accountId` among its mentions (the store
    // keeps an entry's mentions as given: leave the sender out; an event's are not kept).
    [[nodiscard]] virtual int countMentions(const QString &room, qint64 after, qint64 accountId,
                                            int cap) const = 0;
    // The newest held message of every room that has one, by room name.
    [[nodiscard]] virtual QHash<QString, chat::proto::Message> newestPerRoom() const = 0;
    // Deletes the oldest messages the retention does not keep, so that what is held stays one
    // run of consecutive seqs. Returns how many went, or -1 on failure (see errorString()).
    virtual qint64 prune(const Retention &retention, const QDateTime &now) = 0;
    // A store several nodes share (PostgreSQL) tells all of them, as `node`, which seqs each
    // commit stored, from inside the committing transaction (store/commitnotice.h). False for
    // a store no other node sees.
    [[nodiscard]] virtual bool announceCommitsAs(const QString &node)
    {
        Q_UNUSED(node);
        return false;
    }

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
    [[nodiscard]] bool append(QList<Entry> &entries) override;
    [[nodiscard]] QList<chat::proto::Message> page(const QString &room, qint64 before, int limit,
                                                   bool *more) const override;
    [[nodiscard]] QList<chat::proto::Message> since(const QSet<QString> &rooms,
                                                    const QString &target, qint64 after, int limit,
                                                    qint64 maxWeight,
                                                    bool *complete) const override;
    [[nodiscard]] int countUnread(const QString &room, qint64 after, const QString &exceptFrom,
                                  int cap) const override;
    [[nodiscard]] int countMentions(const QString &room, qint64 after, qint64 accountId,
                                    int cap) const override;
    [[nodiscard]] QHash<QString, chat::proto::Message> newestPerRoom() const override;
    [[nodiscard]] std::optional<chat::proto::Message> findSent(const QString &nickKey,
                                                               const QString &id) const override;
    [[nodiscard]] QList<chat::proto::Message> range(qint64 first, qint64 last,
                                                    qint64 maxWeight = -1) const override;
    qint64 prune(const Retention &retention, const QDateTime &now) override;

private:
    struct Held
    {
        chat::proto::Message message;
        QList<qint64> mentions;
    };

    [[nodiscard]] static bool isTargetedEvent(const chat::proto::Message &message);
    [[nodiscard]] const Held &held(qint64 seq) const; // seq must be held
    void dropOldest();

    QString m_instance;
    size_t m_capacity;
    std::deque<Held> m_messages; // consecutive seqs, oldest first
    // The held seqs of each room, and of the events that concern each account (by name), oldest
    // first: a room's page or count reads its own messages only, however busy the others are.
    QHash<QString, std::deque<qint64>> m_byRoom;
    QHash<QString, std::deque<qint64>> m_byTarget;
    SentIndex m_sent;
    qint64 m_lastSeq = 0;
};

// What a message weighs against the limits on a welcome's history: its text in UTF-8 plus the
// rest of its frame.
[[nodiscard]] qint64 messageWeight(const chat::proto::Message &message);

// The value of --db that keeps nothing.
[[nodiscard]] QString memoryStorePath();

// The history, the accounts and the rooms, in one place: for ":memory:" a MemoryStore sized by
// the config, a MemoryAccountStore and a MemoryRoomStore; for a postgresql:// URL the shared
// PostgreSQL database (postgresstore.h); for anything else the SQLite file; all on one connection
// (any may be destroyed first). On failure all are null and *error says why.
struct Stores
{
    std::unique_ptr<MessageStore> messages;
    std::unique_ptr<AccountStore> accounts;
    std::unique_ptr<RoomStore> rooms;
};
[[nodiscard]] Stores openStores(const QString &path, const HubConfig &config, QString *error);

// openStores() without the accounts. On failure returns nullptr and *error says why.
[[nodiscard]] std::unique_ptr<MessageStore>
openMessageStore(const QString &path, const HubConfig &config, QString *error);

} // namespace chat::server
