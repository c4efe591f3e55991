// The durable history: an SQLite file in WAL mode, held exclusively by one server.
//
// Schema (version 1): schema_version(version); meta(key, value) holding the instance and the
// newest seq ever stored; messages(seq primary key, nick_key, msg_id, room, sender, time_ms,
// text) with a unique index on (nick_key, msg_id), so that an id is stored once per nickname,
// and an index on time_ms for pruning by age.
//
// Opening checks before writing anything: a file that is not SQLite, is damaged, belongs to
// another program or has a newer schema is refused as it is, with a reason.
#pragma once

#include "idfilter.h"
#include "messagestore.h"

#include <QString>

#include <memory>

QT_BEGIN_NAMESPACE
class QSqlQuery;
QT_END_NAMESPACE

namespace chat::server {

class SqliteStore final : public MessageStore
{
public:
    // FULL: a commit is on disk before it returns, so it survives a power loss. NORMAL (in WAL
    // mode): it survives the process crashing, but the newest commits may be lost with power.
    enum class Sync { Full, Normal };

    static constexpr int kSchemaVersion = 1;

    // Opens the file, creating it (not its folder) when missing. nullptr and *error on failure.
    [[nodiscard]] static std::unique_ptr<SqliteStore> open(const QString &path, Sync sync,
                                                           QString *error);
    ~SqliteStore() override;

    [[nodiscard]] QString instance() const override { return m_instance; }
    [[nodiscard]] qint64 lastSeq() const override { return m_lastSeq; }
    [[nodiscard]] qint64 oldestSeq() const override { return m_oldestSeq; }
    [[nodiscard]] bool isDurable() const override { return true; }
    [[nodiscard]] bool append(const QList<Entry> &entries) override;
    [[nodiscard]] std::optional<chat::proto::Message> findSent(const QString &nickKey,
                                                               const QString &id) const override;
    [[nodiscard]] QList<chat::proto::Message> range(qint64 first, qint64 last,
                                                    qint64 maxWeight = -1) const override;
    qint64 prune(const Retention &retention, const QDateTime &now) override;

    [[nodiscard]] QString path() const { return m_path; }

private:
    explicit SqliteStore(const QString &path);

    [[nodiscard]] bool openDatabase();
    [[nodiscard]] bool checkExisting(bool *fresh);
    [[nodiscard]] bool configure(Sync sync);
    [[nodiscard]] bool createSchema();
    [[nodiscard]] bool loadState();
    [[nodiscard]] bool prepareStatements();
    // Fills m_ids with every stored (nick key, id), sized for twice as many; on failure m_ids
    // stays as it was.
    [[nodiscard]] bool loadIds();
    [[nodiscard]] bool fail(const QString &what, const QSqlQuery &query);
    [[nodiscard]] bool exec(const QString &sql);
    void rollback();

    QString m_path;
    QString m_connection; // the QSqlDatabase connection name, unique per store
    QString m_instance;
    qint64 m_lastSeq = 0;
    qint64 m_oldestSeq = 1;
    std::unique_ptr<QSqlQuery> m_insert;
    std::unique_ptr<QSqlQuery> m_setLastSeq;
    std::unique_ptr<QSqlQuery> m_findSent;
    std::unique_ptr<QSqlQuery> m_range;
    // Tells findSent() which ids cannot be in the file, sparing it the query for nearly every
    // new message (a tenth of the server's time per message in durable mode).
    IdFilter m_ids{1};
};

} // namespace chat::server
