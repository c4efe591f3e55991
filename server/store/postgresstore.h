// The history in a PostgreSQL database that several nodes share (--db postgresql://...), with
// the accounts and the rooms on the same connection (postgresconnection.h); the tables and their
// migrations are in postgresschema.h.
//
// The store, not a node, numbers: append() locks the counter row (meta_counter) first, looks up
// which of the batch's ids are stored already (by any node), inserts the rest numbered from the
// counter and writes the counter last, in one transaction. The row lock serialises committers of
// all nodes, so commit order is sequence order: a reader never sees seq N + 1 before N. Once
// announceCommitsAs() named the node, the same transaction sends the commit's notice
// (store/commitnotice.h): PostgreSQL delivers it at the commit, and never for a rollback.
//
// A connection lost during COMMIT leaves its outcome unknown: append() says it failed, yet the
// rows may be stored. Nothing extra is needed for that: a retry is a resend of the same ids,
// and every append() looks its ids up inside its own transaction, after taking the counter
// lock, so an id the lost commit stored comes back a duplicate with its stored seq instead of
// being stored twice (and the notice sent in that commit delivers it to every node).
//
// Nothing another node changes is cached here: lastSeq(), oldestSeq(), findSent() and every read
// ask the database (instance() alone is read once: it never changes). The hub's own caches (the
// rooms and members it loads at start, the newest message per room, the ids of its commit queue)
// are the hub's to refresh.
#pragma once

#include "store/messagestore.h"

#include <memory>

QT_BEGIN_NAMESPACE
class QSqlError;
class QSqlQuery;
QT_END_NAMESPACE

namespace chat::server {

class PostgresConnection;
class PostgresStatements;

class PostgresStore final : public MessageStore
{
public:
    // Connects to the database of `url` (postgresql://user@host[:port]/database, see
    // postgres::configure()) and migrates its schema. nullptr and *error on failure.
    [[nodiscard]] static std::unique_ptr<PostgresStore> open(const QString &url, QString *error);
    ~PostgresStore() override;

    [[nodiscard]] QString instance() const override { return m_instance; }
    [[nodiscard]] qint64 lastSeq() const override;
    [[nodiscard]] qint64 oldestSeq() const override;
    [[nodiscard]] bool isDurable() const override { return true; }
    [[nodiscard]] bool findSentIsRemote() const override { return true; }
    [[nodiscard]] bool append(QList<Entry> &entries) override;
    [[nodiscard]] std::optional<chat::proto::Message> findSent(const QString &nickKey,
                                                               const QString &id) const override;
    [[nodiscard]] QList<chat::proto::Message> range(qint64 first, qint64 last,
                                                    qint64 maxWeight = -1) const override;
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
    qint64 prune(const Retention &retention, const QDateTime &now) override;
    [[nodiscard]] bool announceCommitsAs(const QString &node) override;

    // The schema version the database had when opened (0: it was empty).
    [[nodiscard]] int foundVersion() const { return m_foundVersion; }
    // The accounts and the rooms, on the same connection. The stores may go in any order.
    [[nodiscard]] std::unique_ptr<AccountStore> accountStore() const;
    [[nodiscard]] std::unique_ptr<RoomStore> roomStore() const;

private:
    explicit PostgresStore(std::shared_ptr<PostgresConnection> connection);

    // Marks the batch's entries whose (nick key, id) is stored already duplicate, with the
    // stored message, and those that repeat an earlier entry's in *repeats. Inside append()'s
    // transaction; false when it failed (abandoned).
    [[nodiscard]] bool markDuplicates(QList<Entry> &entries, QHash<qsizetype, qsizetype> *repeats);
    // Inserts the entries that are not duplicates, with their mentions; false when it failed.
    [[nodiscard]] bool insert(QList<Entry> &entries);
    // Sends the commit notice of seqs first..last, to be delivered at COMMIT; false when it failed.
    [[nodiscard]] bool announce(QList<Entry> &entries, qint64 first, qint64 last);
    // Runs a read; false (logged, the connection checked) when it fails.
    [[nodiscard]] bool run(QSqlQuery &query, const char *what) const;
    // A failed append: rolled back, nothing numbered.
    bool abandon(QList<Entry> &entries, const QString &what, const QSqlError &error);
    [[nodiscard]] qint64 seqRow(const QString &sql, qint64 fallback) const;

    std::shared_ptr<PostgresConnection> m_db;
    std::unique_ptr<PostgresStatements> m_statements;
    QString m_instance;
    QString m_node; // the commit notices' sender; empty: none are sent
    int m_foundVersion = 0;
    mutable qint64 m_lastSeqSeen = 0; // what lastSeq() says while the database is unreachable
};

} // namespace chat::server
