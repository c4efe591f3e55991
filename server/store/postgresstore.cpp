#include "store/postgresstore.h"

#include "accounts/postgresaccountstore.h"
#include "store/commitnotice.h"
#include "store/postgresconnection.h"
#include "store/postgresroomstore.h"
#include "store/postgresschema.h"
#include "store/rows.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>

#include <algorithm>
#include <limits>

namespace chat::server {

using chat::proto::Message;

namespace {

using rows::kMessageColumns;
using rows::messageFrom;

// A whole batch travels as one JSON parameter (json_to_recordset): one round trip, not one per
// message, while the counter row is locked.
QString json(const QJsonArray &rows)
{
    return QString::fromUtf8(QJsonDocument(rows).toJson(QJsonDocument::Compact));
}

QString duplicateKey(const QString &nickKey, const QString &id)
{
    return nickKey + QChar(0) + id;
}

} // namespace

std::unique_ptr<PostgresStore> PostgresStore::open(const QString &url, QString *error)
{
    auto connection = std::make_shared<PostgresConnection>(url);
    if (!connection->isOpen()) {
        *error = connection->errorString();
        return nullptr;
    }
    std::unique_ptr<PostgresStore> store(new PostgresStore(connection));
    QSqlDatabase db = connection->database();
    if (!postgres::migrate(db, &store->m_foundVersion, error))
        return nullptr;
    QSqlQuery instance(db);
    if (!instance.exec(QStringLiteral("SELECT value FROM meta WHERE key = 'instance'")) ||
        !instance.next() || instance.value(0).toString().isEmpty()) {
        *error = QStringLiteral("it is damaged: its meta table lacks the instance");
        return nullptr;
    }
    store->m_instance = instance.value(0).toString();
    instance.finish();
    if (store->m_foundVersion > 0 && store->m_foundVersion < postgres::kSchemaVersion)
        qCInfo(lcStore).noquote() << "migrated the database from schema version"
                                  << store->m_foundVersion << "to" << postgres::kSchemaVersion;
    qCInfo(lcStore).noquote() << (store->m_foundVersion == 0 ? "created" : "opened")
                              << "the PostgreSQL history, instance" << store->m_instance << "seq"
                              << store->lastSeq();
    return store;
}

PostgresStore::PostgresStore(std::shared_ptr<PostgresConnection> connection)
    : m_db(std::move(connection))
    , m_statements(std::make_unique<PostgresStatements>(m_db))
{}

PostgresStore::~PostgresStore() = default;

std::unique_ptr<AccountStore> PostgresStore::accountStore() const
{
    return std::make_unique<PostgresAccountStore>(m_db);
}

std::unique_ptr<RoomStore> PostgresStore::roomStore() const
{
    return std::make_unique<PostgresRoomStore>(m_db);
}

bool PostgresStore::run(QSqlQuery &query, const char *what) const
{
    if (query.exec())
        return true;
    qCWarning(lcStore).noquote() << "cannot read" << what << "-"
                                 << postgres::reason(query.lastError());
    query.finish();
    m_db->noteFailure();
    return false;
}

qint64 PostgresStore::seqRow(const QString &sql, qint64 fallback) const
{
    QSqlQuery &query = m_statements->get(sql);
    if (!run(query, "the sequence") || !query.next())
        return fallback;
    const QVariant value = query.value(0);
    query.finish();
    return value.isNull() ? fallback : value.toLongLong();
}

qint64 PostgresStore::lastSeq() const
{
    m_lastSeqSeen =
        seqRow(QStringLiteral("SELECT last_seq FROM meta_counter WHERE id = 1"), m_lastSeqSeen);
    return m_lastSeqSeen;
}

qint64 PostgresStore::oldestSeq() const
{
    const qint64 oldest = seqRow(QStringLiteral("SELECT MIN(seq) FROM messages"), 0);
    return oldest > 0 ? oldest : lastSeq() + 1;
}

bool PostgresStore::abandon(QList<Entry> &entries, const QString &what, const QSqlError &error)
{
    setError(what + QStringLiteral(": ") + postgres::reason(error));
    QSqlDatabase db = m_db->database();
    db.rollback();
    m_db->noteFailure();
    for (Entry &entry : entries) {
        entry.message.seq = 0; // not stored: no number
        entry.duplicate = false;
    }
    return false;
}

bool PostgresStore::append(QList<Entry> &entries)
{
    if (entries.isEmpty())
        return true;
    QSqlDatabase db = m_db->database();
    if (!db.transaction())
        return abandon(entries, QStringLiteral("cannot begin a commit"), db.lastError());
    // First the lock: until this transaction ends no other committer of any node gets past here,
    // so the ids looked up next cannot be stored meanwhile, and the seqs follow commit order.
    QSqlQuery &counter = m_statements->get(
        QStringLiteral("SELECT last_seq FROM meta_counter WHERE id = 1 FOR UPDATE"));
    if (!counter.exec() || !counter.next())
        return abandon(entries, QStringLiteral("cannot lock the sequence"), counter.lastError());
    const qint64 before = counter.value(0).toLongLong();
    qint64 seq = before;
    counter.finish();
    QHash<qsizetype, qsizetype> repeats; // an entry repeating an earlier one's id -> that one
    if (!markDuplicates(entries, &repeats))
        return false;
    for (Entry &entry : entries) {
        if (!entry.duplicate)
            entry.message.seq = ++seq;
    }
    for (auto it = repeats.cbegin(); it != repeats.cend(); ++it)
        entries[it.key()].message = entries[it.value()].message;
    if (!insert(entries))
        return false;
    QSqlQuery &setCounter =
        m_statements->get(QStringLiteral("UPDATE meta_counter SET last_seq = ? WHERE id = 1"));
    setCounter.bindValue(0, seq);
    if (!setCounter.exec())
        return abandon(entries, QStringLiteral("cannot store the newest seq"),
                       setCounter.lastError());
    setCounter.finish();
    if (seq > before && !announce(entries, before + 1, seq))
        return false;
    if (!db.commit()) // the outcome is unknown when the connection was lost (postgresstore.h)
        return abandon(entries, QStringLiteral("cannot commit"), db.lastError());
    m_lastSeqSeen = seq;
    return true;
}

bool PostgresStore::announceCommitsAs(const QString &node)
{
    m_node = node;
    return true;
}

bool PostgresStore::announce(QList<Entry> &entries, qint64 first, qint64 last)
{
    if (m_node.isEmpty())
        return true;
    QSqlQuery &notify = m_statements->get(QStringLiteral("SELECT pg_notify(?, ?)"));
    notify.bindValue(0, QLatin1String(CommitNotice::channel));
    notify.bindValue(1, CommitNotice{m_node, first, last}.payload());
    if (!notify.exec())
        return abandon(entries, QStringLiteral("cannot announce the commit"), notify.lastError());
    notify.finish();
    return true;
}

bool PostgresStore::markDuplicates(QList<Entry> &entries, QHash<qsizetype, qsizetype> *repeats)
{
    QJsonArray keys;
    for (const Entry &entry : std::as_const(entries)) {
        if (!entry.message.id.isEmpty())
            keys.append(QJsonArray{entry.nickKey, entry.message.id});
    }
    QHash<QString, Message> stored;
    if (!keys.isEmpty()) {
        QSqlQuery &query = m_statements->get(
            QStringLiteral("SELECT %1, nick_key FROM messages WHERE msg_id != '' AND "
                           "(nick_key, msg_id) IN (SELECT k->>0, k->>1 FROM "
                           "json_array_elements(CAST(? AS json)) AS k)")
                .arg(kMessageColumns));
        query.bindValue(0, json(keys));
        if (!query.exec())
            return abandon(entries, QStringLiteral("cannot look up the ids"), query.lastError());
        while (query.next()) {
            Message message = messageFrom(query);
            stored.insert(duplicateKey(query.value(9).toString(), message.id), message);
        }
        query.finish();
    }
    QHash<QString, qsizetype> firstOfKey;
    for (qsizetype i = 0; i < entries.size(); ++i) {
        Entry &entry = entries[i];
        entry.duplicate = false;
        if (entry.message.id.isEmpty())
            continue;
        const QString key = duplicateKey(entry.nickKey, entry.message.id);
        if (const auto it = stored.constFind(key); it != stored.cend()) {
            entry.duplicate = true;
            entry.message = *it;
        } else if (const auto first = firstOfKey.constFind(key); first != firstOfKey.cend()) {
            entry.duplicate = true; // the first one's message, once numbered
            repeats->insert(i, *first);
        } else {
            firstOfKey.insert(key, i);
        }
    }
    return true;
}

bool PostgresStore::insert(QList<Entry> &entries)
{
    QJsonArray rows;
    QJsonArray mentions;
    for (const Entry &entry : entries) {
        if (entry.duplicate)
            continue;
        const Message &message = entry.message;
        rows.append(QJsonObject{
            {QStringLiteral("seq"), message.seq},
            {QStringLiteral("nick_key"), entry.nickKey},
            {QStringLiteral("msg_id"), message.id},
            {QStringLiteral("room"), message.room},
            {QStringLiteral("sender"), message.from},
            {QStringLiteral("time_ms"), message.time.toMSecsSinceEpoch()},
            {QStringLiteral("text"), message.text},
            {QStringLiteral("display"), message.display},
            {QStringLiteral("event"), message.event},
            {QStringLiteral("target"), message.target},
        });
        if (!message.event.isEmpty())
            continue; // an event's text is a title or a topic: it names nobody
        for (const qint64 accountId : entry.mentions)
            mentions.append(QJsonObject{{QStringLiteral("seq"), message.seq},
                                        {QStringLiteral("account_id"), accountId},
                                        {QStringLiteral("room"), message.room}});
    }
    if (rows.isEmpty())
        return true;
    QSqlQuery &messages = m_statements->get(
        QStringLiteral("INSERT INTO messages (%1, nick_key) SELECT %1, nick_key FROM "
                       "json_to_recordset(CAST(? AS json)) AS x(seq bigint, nick_key text, "
                       "msg_id text, room text, sender text, time_ms bigint, text text, "
                       "display text, event text, target text)")
            .arg(kMessageColumns));
    messages.bindValue(0, json(rows));
    if (!messages.exec())
        return abandon(entries, QStringLiteral("cannot store the messages"), messages.lastError());
    messages.finish();
    if (mentions.isEmpty())
        return true;
    QSqlQuery &named = m_statements->get(
        QStringLiteral("INSERT INTO mentions (seq, account_id, room) SELECT seq, account_id, room "
                       "FROM json_to_recordset(CAST(? AS json)) AS x(seq bigint, "
                       "account_id bigint, room text) ON CONFLICT DO NOTHING"));
    named.bindValue(0, json(mentions));
    if (!named.exec())
        return abandon(entries, QStringLiteral("cannot store the mentions"), named.lastError());
    named.finish();
    return true;
}

std::optional<Message> PostgresStore::findSent(const QString &nickKey, const QString &id) const
{
    if (id.isEmpty())
        return std::nullopt;
    QSqlQuery &query = m_statements->get(
        QStringLiteral("SELECT %1 FROM messages WHERE nick_key = ? AND msg_id = ? AND "
                       "msg_id != ''")
            .arg(kMessageColumns));
    query.bindValue(0, nickKey);
    query.bindValue(1, id);
    if (!run(query, "a message id"))
        return std::nullopt;
    std::optional<Message> found;
    if (query.next())
        found = messageFrom(query);
    query.finish();
    return found;
}

QList<Message> PostgresStore::range(qint64 first, qint64 last, qint64 maxWeight) const
{
    QList<Message> result;
    if (first > last)
        return result;
    QSqlQuery &query = m_statements->get(
        QStringLiteral("SELECT %1 FROM messages WHERE seq BETWEEN ? AND ? ORDER BY seq")
            .arg(kMessageColumns));
    query.bindValue(0, first);
    query.bindValue(1, last);
    if (!run(query, "history"))
        return result;
    qint64 weight = 0;
    while (query.next()) {
        Message message = messageFrom(query);
        weight += messageWeight(message);
        if (maxWeight >= 0 && weight > maxWeight)
            break;
        result.append(std::move(message));
    }
    query.finish();
    return result;
}

QList<Message> PostgresStore::page(const QString &room, qint64 before, int limit, bool *more) const
{
    QList<Message> result;
    *more = false;
    if (limit <= 0)
        return result;
    // One more than asked: whether older ones exist.
    QSqlQuery &query = m_statements->get(
        QStringLiteral("SELECT %1 FROM messages WHERE room = ? AND seq < ? ORDER BY seq DESC "
                       "LIMIT ?")
            .arg(kMessageColumns));
    query.bindValue(0, room);
    query.bindValue(1, before > 0 ? before : std::numeric_limits<qint64>::max());
    query.bindValue(2, qint64(limit) + 1);
    if (!run(query, "a page of history"))
        return result;
    while (query.next()) {
        if (result.size() == limit) {
            *more = true;
            break;
        }
        result.append(messageFrom(query));
    }
    query.finish();
    std::reverse(result.begin(), result.end());
    return result;
}

QList<Message> PostgresStore::since(const QSet<QString> &rooms, const QString &target, qint64 after,
                                    int limit, qint64 maxWeight, bool *complete) const
{
    // Messages after `after` that are no longer held may have been for this account.
    *complete = after + 1 >= oldestSeq();
    limit = qMax(0, limit);
    // The oldest limit + 1 of the rooms and of the target's events, in one query.
    QStringList roomList(rooms.cbegin(), rooms.cend());
    QSqlQuery &query = m_statements->get(
        QStringLiteral("SELECT %1 FROM messages WHERE seq > ? AND (room IN (SELECT "
                       "json_array_elements_text(CAST(? AS json))) OR (? != '' AND target = ? "
                       "AND target != '' AND event != '')) ORDER BY seq LIMIT ?")
            .arg(kMessageColumns));
    query.bindValue(0, after);
    query.bindValue(1, json(QJsonArray::fromStringList(roomList)));
    query.bindValue(2, target.isNull() ? QStringLiteral("") : target);
    query.bindValue(3, target.isNull() ? QStringLiteral("") : target);
    query.bindValue(4, qint64(limit) + 1);
    if (!run(query, "missed messages")) {
        *complete = false;
        return {};
    }
    QList<Message> result;
    qint64 weight = 0;
    while (query.next()) {
        Message message = messageFrom(query);
        weight += messageWeight(message);
        if (result.size() >= limit || (maxWeight >= 0 && weight > maxWeight)) {
            *complete = false;
            break;
        }
        result.append(std::move(message));
    }
    query.finish();
    return result;
}

int PostgresStore::countUnread(const QString &room, qint64 after, const QString &exceptFrom,
                               int cap) const
{
    if (cap <= 0)
        return 0;
    QSqlQuery &query = m_statements->get(
        QStringLiteral("SELECT COUNT(*) FROM (SELECT 1 FROM messages WHERE room = ? AND seq > ? "
                       "AND event = '' AND sender != ? LIMIT ?) AS unread"));
    query.bindValue(0, room);
    query.bindValue(1, after);
    query.bindValue(2, exceptFrom.isNull() ? QStringLiteral("") : exceptFrom);
    query.bindValue(3, cap);
    if (!run(query, "unread counts") || !query.next())
        return 0;
    const int count = query.value(0).toInt();
    query.finish();
    return count;
}

int PostgresStore::countMentions(const QString &room, qint64 after, qint64 accountId, int cap) const
{
    if (cap <= 0)
        return 0;
    QSqlQuery &query = m_statements->get(
        QStringLiteral("SELECT COUNT(*) FROM (SELECT 1 FROM mentions WHERE account_id = ? AND "
                       "room = ? AND seq > ? LIMIT ?) AS named"));
    query.bindValue(0, accountId);
    query.bindValue(1, room);
    query.bindValue(2, after);
    query.bindValue(3, cap);
    if (!run(query, "mention counts") || !query.next())
        return 0;
    const int count = query.value(0).toInt();
    query.finish();
    return count;
}

QHash<QString, Message> PostgresStore::newestPerRoom() const
{
    // Room by room along the (room, seq) index: one short search per room, not a scan.
    QHash<QString, Message> newest;
    QSqlQuery &query = m_statements->get(
        QStringLiteral(
            "WITH RECURSIVE names(name) AS (SELECT MIN(room) FROM messages UNION ALL "
            "SELECT (SELECT MIN(room) FROM messages WHERE room > names.name) FROM names "
            "WHERE names.name IS NOT NULL) "
            "SELECT %1 FROM messages WHERE seq IN (SELECT (SELECT MAX(seq) FROM messages "
            "WHERE room = names.name) FROM names WHERE names.name IS NOT NULL)")
            .arg(kMessageColumns));
    if (!run(query, "the newest messages"))
        return newest;
    while (query.next()) {
        Message message = messageFrom(query);
        newest.insert(message.room, std::move(message));
    }
    query.finish();
    return newest;
}

qint64 PostgresStore::prune(const Retention &retention, const QDateTime &now)
{
    // Everything up to and including `cut` goes, so what is held stays consecutive. Every node
    // may prune: the cut is the database's, and a second delete finds nothing.
    const qint64 last = lastSeq();
    qint64 cut = retention.maxMessages > 0 ? last - retention.maxMessages : 0;
    if (retention.maxDays > 0) {
        QSqlQuery &oldest =
            m_statements->get(QStringLiteral("SELECT MAX(seq) FROM messages WHERE time_ms < ?"));
        oldest.bindValue(0, now.addDays(-retention.maxDays).toMSecsSinceEpoch());
        if (!run(oldest, "old messages") || !oldest.next()) {
            setError(QStringLiteral("cannot find old messages"));
            return -1;
        }
        if (!oldest.value(0).isNull())
            cut = qMax(cut, oldest.value(0).toLongLong());
        oldest.finish();
    }
    if (cut <= 0)
        return 0;
    // The messages and their mentions go together.
    QSqlQuery &remove = m_statements->get(
        QStringLiteral("WITH gone AS (DELETE FROM messages WHERE seq <= ? RETURNING seq), "
                       "named AS (DELETE FROM mentions WHERE seq <= ?) SELECT COUNT(*) FROM gone"));
    remove.bindValue(0, cut);
    remove.bindValue(1, cut);
    if (!remove.exec() || !remove.next()) {
        setError(QStringLiteral("cannot delete old messages: ") +
                 postgres::reason(remove.lastError()));
        remove.finish();
        m_db->noteFailure();
        return -1;
    }
    const qint64 removed = remove.value(0).toLongLong();
    remove.finish();
    return removed;
}

} // namespace chat::server
