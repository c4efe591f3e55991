#include "store/sqlitestore.h"

#include "accounts/sqliteaccountstore.h"
#include "secrets.h"
#include "store/rows.h"
#include "store/sqliteroomstore.h"

#include <QFile>
#include <QFileInfo>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>

#include <algorithm>
#include <atomic>
#include <limits>

namespace chat::server {

using chat::proto::Message;

namespace {

std::atomic<int> connectionCounter{0};

// SQLite's own result codes, as QSqlError::nativeErrorCode() gives them.
const QString kSqliteBusy = QStringLiteral("5");
const QString kSqliteLocked = QStringLiteral("6");

QString reason(const QSqlError &error)
{
    if (error.nativeErrorCode() == kSqliteBusy || error.nativeErrorCode() == kSqliteLocked)
        return QStringLiteral("it is in use by another process (another chat-server?)");
    const QString text = error.databaseText().isEmpty() ? error.text() : error.databaseText();
    return text.isEmpty() ? QStringLiteral("unknown SQLite error") : text;
}

using rows::kMessageColumns;
using rows::messageFrom;
using rows::text;

} // namespace

SqliteConnection::SqliteConnection()
    : m_name(QStringLiteral("chat-store-%1").arg(connectionCounter.fetch_add(1)))
{}

SqliteConnection::~SqliteConnection()
{
    // The users' statements are gone; the connection goes before its name is dropped.
    {
        QSqlDatabase db = QSqlDatabase::database(m_name, false);
        if (db.isValid())
            db.close();
    }
    QSqlDatabase::removeDatabase(m_name);
}

QSqlDatabase SqliteConnection::database() const
{
    return QSqlDatabase::database(m_name, false);
}

std::unique_ptr<SqliteStore> SqliteStore::open(const QString &path, Sync sync, QString *error)
{
    if (path.isEmpty() || QFileInfo(path).isDir()) {
        *error = path.isEmpty() ? QStringLiteral("no file name given")
                                : QStringLiteral("it is a folder, not a file");
        return nullptr;
    }
    std::unique_ptr<SqliteStore> store(new SqliteStore(path));
    bool fresh = false;
    // Every check reads only: a file that fails one is left exactly as it was.
    const bool ok = store->openDatabase() && store->checkExisting(&fresh) &&
                    store->configure(sync) &&
                    (fresh ? store->createSchema() : store->migrate(store->m_foundVersion)) &&
                    store->loadState() && store->prepareStatements() && store->loadIds();
    if (!ok) {
        *error = store->errorString();
        return nullptr;
    }
    if (store->m_foundVersion > 0 && store->m_foundVersion < kSchemaVersion)
        qCInfo(lcStore).noquote() << "migrated" << path << "from schema version"
                                  << store->m_foundVersion << "to" << kSchemaVersion;
    qCInfo(lcStore).noquote() << (fresh ? "created" : "opened") << path << "instance"
                              << store->m_instance << "seq" << store->m_lastSeq;
    return store;
}

SqliteStore::SqliteStore(const QString &path)
    : m_path(path)
    , m_db(std::make_shared<SqliteConnection>())
{}

SqliteStore::~SqliteStore()
{
    // Statements go before their connection (which goes with its last user).
    m_insert.reset();
    m_insertMention.reset();
    m_setLastSeq.reset();
    m_findSent.reset();
    m_range.reset();
    m_page.reset();
    m_roomSince.reset();
    m_targetSince.reset();
    m_countUnread.reset();
    m_countMentions.reset();
}

QSqlDatabase SqliteStore::database() const
{
    return m_db->database();
}

std::unique_ptr<AccountStore> SqliteStore::accountStore() const
{
    return std::make_unique<SqliteAccountStore>(m_db);
}

std::unique_ptr<RoomStore> SqliteStore::roomStore() const
{
    return std::make_unique<SqliteRoomStore>(m_db);
}

bool SqliteStore::openDatabase()
{
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_db->name());
    if (!db.isValid()) {
        setError(QStringLiteral("the Qt SQLite driver is missing (Debian: libqt6sql6-sqlite)"));
        return false;
    }
    // It holds password and token hashes: a new file is the owner's alone (SQLite gives its
    // journal files the same mode), whatever the umask would have made it.
    if (!m_path.startsWith(u':') && !m_path.startsWith(QStringLiteral("file:")) &&
        !QFileInfo::exists(m_path)) {
        QFile file(m_path);
        if (!file.open(QIODevice::WriteOnly) ||
            !file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner)) {
            setError(QStringLiteral("unable to open database file (%1)").arg(file.errorString()));
            return false;
        }
    }
    db.setDatabaseName(m_path);
    // The file is ours alone: a second server on it fails at once instead of waiting.
    db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=0"));
    if (!db.open()) {
        setError(reason(db.lastError()));
        return false;
    }
    // Exclusive before the first read: no other process can read or write it while we run,
    // and WAL then needs no shared-memory file.
    return exec(QStringLiteral("PRAGMA locking_mode = EXCLUSIVE"));
}

bool SqliteStore::checkExisting(bool *fresh)
{
    const QSqlDatabase db = database();
    QSqlQuery query(db);
    query.setForwardOnly(true);
    if (!query.exec(QStringLiteral("SELECT name FROM sqlite_master WHERE type = 'table'")))
        return fail(QStringLiteral("cannot read it"), query);
    QStringList tables;
    while (query.next())
        tables.append(query.value(0).toString());
    query.finish();
    *fresh = tables.isEmpty();
    if (*fresh)
        return true;
    if (!tables.contains(QStringLiteral("schema_version"))) {
        setError(QStringLiteral("it is an SQLite database of another program (no schema_version "
                                "table); give chat-server a file of its own"));
        return false;
    }
    if (!query.exec(QStringLiteral("SELECT version FROM schema_version")) || !query.next())
        return fail(QStringLiteral("cannot read its schema version"), query);
    const int version = query.value(0).toInt();
    query.finish();
    if (version > kSchemaVersion) {
        setError(QStringLiteral("it was written by a newer chat-server (schema version %1; this "
                                "one knows version %2)")
                     .arg(version)
                     .arg(kSchemaVersion));
        return false;
    }
    QStringList needed = {QStringLiteral("meta"), QStringLiteral("messages")};
    if (version >= 2)
        needed << QStringLiteral("accounts") << QStringLiteral("tokens")
               << QStringLiteral("invites");
    if (version >= 3)
        needed << QStringLiteral("rooms") << QStringLiteral("room_members")
               << QStringLiteral("room_accounts") << QStringLiteral("mentions");
    bool complete = version >= 1;
    for (const QString &table : std::as_const(needed))
        complete = complete && tables.contains(table);
    if (!complete) {
        setError(
            QStringLiteral("it is damaged: schema version %1 without its tables").arg(version));
        return false;
    }
    m_foundVersion = version;
    // Reads every page once: a damaged file is refused before anything is written to it.
    if (!query.exec(QStringLiteral("PRAGMA quick_check(1)")) || !query.next())
        return fail(QStringLiteral("cannot check it"), query);
    const QString check = query.value(0).toString();
    query.finish();
    if (check != QLatin1String("ok")) {
        setError(QStringLiteral("it is damaged (%1)").arg(check));
        return false;
    }
    return true;
}

bool SqliteStore::configure(Sync sync)
{
    QSqlQuery query(database());
    if (!query.exec(QStringLiteral("PRAGMA journal_mode = WAL")) || !query.next())
        return fail(QStringLiteral("cannot switch it to WAL mode"), query);
    const QString mode = query.value(0).toString();
    query.finish();
    if (mode != QLatin1String("wal")) {
        setError(QStringLiteral("cannot switch it to WAL mode (it stays in %1)").arg(mode));
        return false;
    }
    return exec(sync == Sync::Full ? QStringLiteral("PRAGMA synchronous = FULL")
                                   : QStringLiteral("PRAGMA synchronous = NORMAL"));
}

bool SqliteStore::createSchema()
{
    QSqlDatabase db = database();
    if (!db.transaction()) {
        setError(reason(db.lastError()));
        return false;
    }
    const QStringList statements = {
        QStringLiteral("CREATE TABLE schema_version (version INTEGER NOT NULL)"),
        // Version 1's tables; migrateStep() below brings them to today's, as for an old file.
        QStringLiteral("INSERT INTO schema_version (version) VALUES (1)"),
        QStringLiteral("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) "
                       "WITHOUT ROWID"),
        // A fresh history gets a fresh name: numbers from any earlier one mean nothing here.
        QStringLiteral("INSERT INTO meta (key, value) VALUES ('instance', '%1'), "
                       "('last_seq', '0')")
            .arg(randomHex(64)),
        QStringLiteral("CREATE TABLE messages (seq INTEGER PRIMARY KEY, nick_key TEXT NOT NULL, "
                       "msg_id TEXT NOT NULL, room TEXT NOT NULL, sender TEXT NOT NULL, "
                       "time_ms INTEGER NOT NULL, text TEXT NOT NULL)"),
        QStringLiteral("CREATE UNIQUE INDEX messages_by_sender ON messages (nick_key, msg_id)"),
        QStringLiteral("CREATE INDEX messages_by_time ON messages (time_ms)"),
    };
    for (const QString &statement : statements) {
        if (!exec(statement)) {
            rollback();
            return false;
        }
    }
    for (int version = 1; version < kSchemaVersion; ++version) {
        if (!migrateStep(version)) {
            rollback();
            return false;
        }
    }
    if (!db.commit()) {
        setError(reason(db.lastError()));
        rollback();
        return false;
    }
    return true;
}

bool SqliteStore::migrate(int version)
{
    if (version >= kSchemaVersion)
        return true;
    QSqlDatabase db = database();
    if (!db.transaction()) {
        setError(reason(db.lastError()));
        return false;
    }
    for (int from = version; from < kSchemaVersion; ++from) {
        if (!migrateStep(from)) {
            setError(QStringLiteral("cannot bring it from schema version %1 to %2: %3")
                         .arg(from)
                         .arg(from + 1)
                         .arg(errorString()));
            rollback();
            return false;
        }
    }
    if (!db.commit()) {
        setError(reason(db.lastError()));
        rollback();
        return false;
    }
    return true;
}

bool SqliteStore::migrateStep(int from)
{
    QStringList statements;
    switch (from) {
    case 1:
        statements = {
            // Old messages keep the nick they were sent under, and no display name.
            QStringLiteral("ALTER TABLE messages ADD COLUMN display TEXT NOT NULL DEFAULT ''"),
            // Version 1 deduplicated per nick key; version 2 per account ("account:<id>"). The
            // prefix keeps an old nick key from ever equalling a new key.
            QStringLiteral("UPDATE messages SET nick_key = 'v1:' || nick_key"),
            QStringLiteral("CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                           "name_key TEXT NOT NULL UNIQUE, display TEXT NOT NULL DEFAULT '', "
                           "password_hash BLOB NOT NULL DEFAULT x'', "
                           "admin INTEGER NOT NULL DEFAULT 0, disabled INTEGER NOT NULL DEFAULT 0, "
                           "created_ms INTEGER NOT NULL)"),
            QStringLiteral("CREATE TABLE tokens (hash BLOB PRIMARY KEY, "
                           "account_id INTEGER NOT NULL, device TEXT NOT NULL, "
                           "created_ms INTEGER NOT NULL, last_used_ms INTEGER NOT NULL) "
                           "WITHOUT ROWID"),
            QStringLiteral("CREATE INDEX tokens_by_account ON tokens (account_id)"),
            QStringLiteral("CREATE INDEX tokens_by_use ON tokens (last_used_ms)"),
            // expires_ms NULL: never.
            QStringLiteral("CREATE TABLE invites (hash BLOB PRIMARY KEY, "
                           "uses_left INTEGER NOT NULL, expires_ms INTEGER, "
                           "created_ms INTEGER NOT NULL) WITHOUT ROWID"),
        };
        break;
    case 2: {
        const QString now = QString::number(QDateTime::currentMSecsSinceEpoch());
        // The newest seq ever given: what every account has read in the lobby.
        const QString newest = QStringLiteral(
            "MAX(COALESCE((SELECT MAX(seq) FROM messages), 0), "
            "COALESCE((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'last_seq'), 0))");
        statements = {
            // Room events: event is the kind ("joined", "topic", ...), target the account it
            // concerns. Chat messages have neither.
            QStringLiteral("ALTER TABLE messages ADD COLUMN event TEXT NOT NULL DEFAULT ''"),
            QStringLiteral("ALTER TABLE messages ADD COLUMN target TEXT NOT NULL DEFAULT ''"),
            // Before rooms there was one room.
            QStringLiteral("UPDATE messages SET room = 'lobby' WHERE room != 'lobby'"),
            // Events have no id (msg_id ''): the index keeps ids unique among the others only.
            // Queries that use it say "msg_id != ''" as well, so that SQLite may.
            QStringLiteral("DROP INDEX messages_by_sender"),
            QStringLiteral("CREATE UNIQUE INDEX messages_by_sender ON messages (nick_key, msg_id) "
                           "WHERE msg_id != ''"),
            // A room's pages and newest message; with event and sender in it, its unread
            // count reads the index alone (25 times faster for a room with 1,000 unread).
            QStringLiteral("CREATE INDEX messages_by_room ON messages (room, seq, event, sender)"),
            QStringLiteral("CREATE INDEX messages_by_target ON messages (target, seq) "
                           "WHERE target != ''"),
            QStringLiteral("CREATE TABLE mentions (seq INTEGER NOT NULL, "
                           "account_id INTEGER NOT NULL, room TEXT NOT NULL, "
                           "PRIMARY KEY (seq, account_id)) WITHOUT ROWID"),
            QStringLiteral("CREATE INDEX mentions_by_account ON mentions (account_id, room, seq)"),
            QStringLiteral("CREATE TABLE rooms (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, "
                           "title TEXT NOT NULL DEFAULT '', topic TEXT NOT NULL DEFAULT '', "
                           "private INTEGER NOT NULL DEFAULT 0, direct INTEGER NOT NULL DEFAULT 0, "
                           "created_ms INTEGER NOT NULL)"),
            QStringLiteral("CREATE TABLE room_members (room_id INTEGER NOT NULL, "
                           "account_id INTEGER NOT NULL, role INTEGER NOT NULL DEFAULT 0, "
                           "joined_ms INTEGER NOT NULL, read_seq INTEGER NOT NULL DEFAULT 0, "
                           "PRIMARY KEY (room_id, account_id)) WITHOUT ROWID"),
            QStringLiteral("CREATE INDEX room_members_by_account ON room_members (account_id)"),
            QStringLiteral("CREATE TABLE room_accounts (account_id INTEGER PRIMARY KEY)"),
            // The lobby is as old as its oldest message.
            QStringLiteral("INSERT INTO rooms (id, name, created_ms) VALUES (1, 'lobby', "
                           "COALESCE((SELECT MIN(time_ms) FROM messages), %1))")
                .arg(now),
            // Every account was in the one room since it was made, and has seen it all.
            QStringLiteral("INSERT INTO room_members (room_id, account_id, role, joined_ms, "
                           "read_seq) SELECT 1, id, 0, created_ms, %1 FROM accounts")
                .arg(newest),
            QStringLiteral("INSERT INTO room_accounts (account_id) SELECT id FROM accounts"),
        };
        break;
    }
    default:
        setError(QStringLiteral("no migration from schema version %1").arg(from));
        return false;
    }
    statements.append(QStringLiteral("UPDATE schema_version SET version = %1").arg(from + 1));
    for (const QString &statement : std::as_const(statements)) {
        if (!exec(statement))
            return false;
    }
    return true;
}

bool SqliteStore::loadState()
{
    const QSqlDatabase db = database();
    QSqlQuery query(db);
    query.setForwardOnly(true);
    if (!query.exec(QStringLiteral("SELECT key, value FROM meta")))
        return fail(QStringLiteral("cannot read its meta table"), query);
    bool seqOk = false;
    while (query.next()) {
        const QString key = query.value(0).toString();
        if (key == QLatin1String("instance"))
            m_instance = query.value(1).toString();
        else if (key == QLatin1String("last_seq"))
            m_lastSeq = query.value(1).toString().toLongLong(&seqOk);
    }
    query.finish();
    if (m_instance.isEmpty() || !seqOk || m_lastSeq < 0) {
        setError(QStringLiteral("it is damaged: its meta table lacks the instance or last_seq"));
        return false;
    }
    if (!query.exec(QStringLiteral("SELECT MIN(seq), MAX(seq) FROM messages")) || !query.next())
        return fail(QStringLiteral("cannot read its messages"), query);
    const bool empty = query.value(0).isNull();
    const qint64 newest = query.value(1).toLongLong();
    m_lastSeq = qMax(m_lastSeq, newest);
    m_oldestSeq = empty ? m_lastSeq + 1 : query.value(0).toLongLong();
    query.finish();
    return true;
}

bool SqliteStore::prepareStatements()
{
    const QSqlDatabase db = database();
    const auto prepare = [&](std::unique_ptr<QSqlQuery> &query, const QString &sql) {
        query = std::make_unique<QSqlQuery>(db);
        query->setForwardOnly(true);
        return query->prepare(sql) || fail(QStringLiteral("cannot prepare a statement"), *query);
    };
    return prepare(m_insert, QStringLiteral("INSERT INTO messages (seq, nick_key, msg_id, room, "
                                            "sender, time_ms, text, display, event, target) "
                                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) &&
           prepare(m_insertMention,
                   QStringLiteral("INSERT OR IGNORE INTO mentions (seq, account_id, room) "
                                  "VALUES (?, ?, ?)")) &&
           prepare(m_setLastSeq,
                   QStringLiteral("UPDATE meta SET value = ? WHERE key = 'last_seq'")) &&
           prepare(m_findSent, QStringLiteral("SELECT %1 FROM messages WHERE nick_key = ? AND "
                                              "msg_id = ? AND msg_id != ''")
                                   .arg(kMessageColumns)) &&
           prepare(m_range, QStringLiteral("SELECT %1 FROM messages WHERE seq BETWEEN ? AND ? "
                                           "ORDER BY seq")
                                .arg(kMessageColumns)) &&
           // One more than asked: whether older ones exist.
           prepare(m_page, QStringLiteral("SELECT %1 FROM messages WHERE room = ? AND seq < ? "
                                          "ORDER BY seq DESC LIMIT ?")
                               .arg(kMessageColumns)) &&
           prepare(m_roomSince, QStringLiteral("SELECT %1 FROM messages WHERE room = ? AND "
                                               "seq > ? AND seq < ? ORDER BY seq LIMIT ?")
                                    .arg(kMessageColumns)) &&
           prepare(m_targetSince, QStringLiteral("SELECT %1 FROM messages WHERE target = ? AND "
                                                 "target != '' AND event != '' AND seq > ? AND "
                                                 "seq < ? ORDER BY seq LIMIT ?")
                                      .arg(kMessageColumns)) &&
           prepare(m_countUnread,
                   QStringLiteral("SELECT COUNT(*) FROM (SELECT 1 FROM messages WHERE room = ? "
                                  "AND seq > ? AND event = '' AND sender != ? LIMIT ?)")) &&
           prepare(m_countMentions,
                   QStringLiteral("SELECT COUNT(*) FROM (SELECT 1 FROM mentions WHERE "
                                  "account_id = ? AND room = ? AND seq > ? LIMIT ?)"));
}

bool SqliteStore::append(QList<Entry> &entries)
{
    if (entries.isEmpty())
        return true;
    QSqlDatabase db = database();
    if (!db.transaction()) {
        setError(reason(db.lastError()));
        return false;
    }
    const auto abandon = [&](const QString &what, const QSqlQuery &query) {
        (void)fail(what, query);
        rollback();
        for (Entry &entry : entries) {
            entry.message.seq = 0; // not stored: no number
            entry.duplicate = false;
        }
        return false;
    };
    qint64 seq = m_lastSeq;
    QHash<QPair<QString, QString>, qsizetype> firstOfKey; // this batch's ids
    QHash<qsizetype, qsizetype> repeats;                  // an entry repeating an earlier one's
    for (qsizetype i = 0; i < entries.size(); ++i) {
        Entry &entry = entries[i];
        Message &message = entry.message;
        entry.duplicate = false;
        // A resend of a stored id is not stored again: it comes back with the stored message.
        if (!message.id.isEmpty()) {
            const QPair<QString, QString> key{entry.nickKey, message.id};
            if (const auto first = firstOfKey.constFind(key); first != firstOfKey.cend()) {
                entry.duplicate = true;
                repeats.insert(i, *first);
                continue;
            }
            if (std::optional<Message> stored = findSent(entry.nickKey, message.id)) {
                entry.duplicate = true;
                message = *stored;
                continue;
            }
            firstOfKey.insert(key, i);
        }
        message.seq = ++seq;
        const bool event = !message.event.isEmpty();
        m_insert->bindValue(0, message.seq);
        m_insert->bindValue(1, text(entry.nickKey));
        m_insert->bindValue(2, text(message.id));
        m_insert->bindValue(3, text(message.room));
        m_insert->bindValue(4, text(message.from));
        m_insert->bindValue(5, message.time.toMSecsSinceEpoch());
        m_insert->bindValue(6, text(message.text));
        m_insert->bindValue(7, text(message.display));
        m_insert->bindValue(8, text(message.event));
        m_insert->bindValue(9, text(message.target));
        if (!m_insert->exec())
            return abandon(QStringLiteral("cannot store a message"), *m_insert);
        if (event)
            continue; // an event's text is a title or a topic: it names nobody
        for (const qint64 accountId : std::as_const(entry.mentions)) {
            m_insertMention->bindValue(0, message.seq);
            m_insertMention->bindValue(1, accountId);
            m_insertMention->bindValue(2, text(message.room));
            if (!m_insertMention->exec())
                return abandon(QStringLiteral("cannot store a mention"), *m_insertMention);
        }
    }
    m_setLastSeq->bindValue(0, QString::number(seq));
    if (!m_setLastSeq->exec())
        return abandon(QStringLiteral("cannot store the newest seq"), *m_setLastSeq);
    if (!db.commit()) {
        setError(reason(db.lastError()));
        rollback();
        for (Entry &entry : entries) {
            entry.message.seq = 0;
            entry.duplicate = false;
        }
        return false;
    }
    // oldestSeq() of an empty store was lastSeq() + 1: the first appended, so it stays right.
    m_lastSeq = seq;
    for (auto it = repeats.cbegin(); it != repeats.cend(); ++it)
        entries[it.key()].message = entries[it.value()].message;
    for (const Entry &entry : std::as_const(entries)) {
        if (!entry.duplicate && !entry.message.id.isEmpty())
            m_ids.add(entry.nickKey, entry.message.id);
    }
    if (m_ids.count() > m_ids.capacity() && !loadIds())
        qCWarning(lcStore).noquote() << "cannot grow the id filter:" << errorString();
    return true;
}

bool SqliteStore::loadIds()
{
    // At least a million (1.2 MB): growing means reading every id again.
    constexpr qint64 kMinCapacity = 1 << 20;
    QSqlQuery query(database());
    query.setForwardOnly(true);
    if (!query.exec(QStringLiteral("SELECT COUNT(*) FROM messages WHERE msg_id != ''")) ||
        !query.next())
        return fail(QStringLiteral("cannot count its messages"), query);
    IdFilter ids(qMax(kMinCapacity, 2 * query.value(0).toLongLong()));
    query.finish();
    if (!query.exec(QStringLiteral("SELECT nick_key, msg_id FROM messages WHERE msg_id != ''")))
        return fail(QStringLiteral("cannot read its message ids"), query);
    while (query.next())
        ids.add(query.value(0).toString(), query.value(1).toString());
    m_ids = std::move(ids); // only now: a filter missing stored ids would break deduplication
    return true;
}

std::optional<Message> SqliteStore::findSent(const QString &nickKey, const QString &id) const
{
    if (id.isEmpty() || !m_ids.mightContain(nickKey, id))
        return std::nullopt;
    m_findSent->bindValue(0, nickKey);
    m_findSent->bindValue(1, id);
    if (!m_findSent->exec()) {
        qCWarning(lcStore).noquote()
            << "cannot look up a message id:" << reason(m_findSent->lastError());
        return std::nullopt;
    }
    std::optional<Message> found;
    if (m_findSent->next())
        found = messageFrom(*m_findSent);
    m_findSent->finish();
    return found;
}

QList<Message> SqliteStore::range(qint64 first, qint64 last, qint64 maxWeight) const
{
    QList<Message> result;
    if (first > last)
        return result;
    m_range->bindValue(0, first);
    m_range->bindValue(1, last);
    if (!m_range->exec()) {
        qCWarning(lcStore).noquote() << "cannot read history:" << reason(m_range->lastError());
        return result;
    }
    result.reserve(qsizetype(qMin<qint64>(last - first + 1, 100000)));
    qint64 weight = 0;
    while (m_range->next()) {
        Message message = messageFrom(*m_range);
        weight += messageWeight(message);
        if (maxWeight >= 0 && weight > maxWeight)
            break;
        result.append(std::move(message));
    }
    m_range->finish();
    return result;
}

bool SqliteStore::run(QSqlQuery &query, const char *what) const
{
    if (query.exec())
        return true;
    qCWarning(lcStore).noquote() << "cannot read" << what << "-" << reason(query.lastError());
    return false;
}

QList<Message> SqliteStore::page(const QString &room, qint64 before, int limit, bool *more) const
{
    QList<Message> result;
    *more = false;
    if (limit <= 0)
        return result;
    m_page->bindValue(0, room);
    m_page->bindValue(1, before > 0 ? before : std::numeric_limits<qint64>::max());
    m_page->bindValue(2, qint64(limit) + 1);
    if (!run(*m_page, "a page of history"))
        return result;
    while (m_page->next()) {
        if (result.size() == limit) {
            *more = true;
            break;
        }
        result.append(messageFrom(*m_page));
    }
    m_page->finish();
    std::reverse(result.begin(), result.end());
    return result;
}

QList<Message> SqliteStore::since(const QSet<QString> &rooms, const QString &target, qint64 after,
                                  int limit, qint64 maxWeight, bool *complete) const
{
    // Messages after `after` that are no longer held may have been for this account.
    *complete = after + 1 >= m_oldestSeq;
    if (limit < 0)
        limit = 0;
    // The oldest limit + 1 of each room (and of the target's events), merged: a room read later
    // only reads what is older than the newest of the limit + 1 oldest found so far, so a busy
    // room does not cost `limit` rows when quieter ones already filled the answer.
    std::vector<Message> found;
    qint64 bound = std::numeric_limits<qint64>::max(); // only seqs below it can still be needed
    const auto collect = [&](QSqlQuery &query, const char *what) {
        if (!run(query, what))
            return false;
        while (query.next())
            found.push_back(messageFrom(query));
        query.finish();
        std::sort(found.begin(), found.end(),
                  [](const Message &a, const Message &b) { return a.seq < b.seq; });
        found.erase(std::unique(found.begin(), found.end(),
                                [](const Message &a, const Message &b) { return a.seq == b.seq; }),
                    found.end());
        if (found.size() > size_t(limit)) {
            found.resize(size_t(limit) + 1);
            bound = found.back().seq + 1;
        }
        return true;
    };
    for (const QString &room : rooms) {
        m_roomSince->bindValue(0, room);
        m_roomSince->bindValue(1, after);
        m_roomSince->bindValue(2, bound);
        m_roomSince->bindValue(3, qint64(limit) + 1);
        if (!collect(*m_roomSince, "missed messages")) {
            *complete = false;
            return {};
        }
    }
    if (!target.isEmpty()) {
        m_targetSince->bindValue(0, target);
        m_targetSince->bindValue(1, after);
        m_targetSince->bindValue(2, bound);
        m_targetSince->bindValue(3, qint64(limit) + 1);
        if (!collect(*m_targetSince, "missed events")) {
            *complete = false;
            return {};
        }
    }
    QList<Message> result;
    result.reserve(qsizetype(qMin(found.size(), size_t(limit))));
    qint64 weight = 0;
    for (Message &message : found) {
        weight += messageWeight(message);
        if (result.size() >= limit || (maxWeight >= 0 && weight > maxWeight)) {
            *complete = false;
            break;
        }
        result.append(std::move(message));
    }
    return result;
}

int SqliteStore::countUnread(const QString &room, qint64 after, const QString &exceptFrom,
                             int cap) const
{
    if (cap <= 0)
        return 0;
    m_countUnread->bindValue(0, room);
    m_countUnread->bindValue(1, after);
    m_countUnread->bindValue(2, text(exceptFrom));
    m_countUnread->bindValue(3, cap);
    if (!run(*m_countUnread, "unread counts") || !m_countUnread->next())
        return 0;
    const int count = m_countUnread->value(0).toInt();
    m_countUnread->finish();
    return count;
}

int SqliteStore::countMentions(const QString &room, qint64 after, qint64 accountId, int cap) const
{
    if (cap <= 0)
        return 0;
    m_countMentions->bindValue(0, accountId);
    m_countMentions->bindValue(1, room);
    m_countMentions->bindValue(2, after);
    m_countMentions->bindValue(3, cap);
    if (!run(*m_countMentions, "mention counts") || !m_countMentions->next())
        return 0;
    const int count = m_countMentions->value(0).toInt();
    m_countMentions->finish();
    return count;
}

QHash<QString, Message> SqliteStore::newestPerRoom() const
{
    // Room by room along the (room, seq) index: one short search per room, not a scan of every
    // message.
    QHash<QString, Message> newest;
    QSqlQuery query(database());
    query.setForwardOnly(true);
    const QString sql =
        QStringLiteral(
            "WITH RECURSIVE names(name) AS (SELECT MIN(room) FROM messages UNION ALL "
            "SELECT (SELECT MIN(room) FROM messages WHERE room > names.name) FROM names "
            "WHERE names.name IS NOT NULL) "
            "SELECT %1 FROM messages WHERE seq IN (SELECT (SELECT MAX(seq) FROM messages "
            "WHERE room = names.name) FROM names WHERE names.name IS NOT NULL)")
            .arg(kMessageColumns);
    if (!query.exec(sql)) {
        qCWarning(lcStore).noquote()
            << "cannot read the newest messages:" << reason(query.lastError());
        return newest;
    }
    while (query.next()) {
        Message message = messageFrom(query);
        newest.insert(message.room, std::move(message));
    }
    return newest;
}

qint64 SqliteStore::prune(const Retention &retention, const QDateTime &now)
{
    QSqlDatabase db = database();
    // Everything up to and including `cut` goes, so what is held stays consecutive.
    qint64 cut = 0;
    if (retention.maxMessages > 0)
        cut = m_lastSeq - retention.maxMessages;
    if (retention.maxDays > 0) {
        QSqlQuery oldest(db);
        oldest.setForwardOnly(true);
        oldest.prepare(QStringLiteral("SELECT MAX(seq) FROM messages WHERE time_ms < ?"));
        oldest.bindValue(0, now.addDays(-retention.maxDays).toMSecsSinceEpoch());
        if (!oldest.exec() || !oldest.next()) {
            (void)fail(QStringLiteral("cannot find old messages"), oldest);
            return -1;
        }
        if (!oldest.value(0).isNull())
            cut = qMax(cut, oldest.value(0).toLongLong());
    }
    if (cut < m_oldestSeq)
        return 0;
    // The messages and their mentions go together.
    if (!db.transaction()) {
        setError(reason(db.lastError()));
        return -1;
    }
    QSqlQuery remove(db);
    remove.prepare(QStringLiteral("DELETE FROM messages WHERE seq <= ?"));
    remove.bindValue(0, cut);
    if (!remove.exec()) {
        (void)fail(QStringLiteral("cannot delete old messages"), remove);
        rollback();
        return -1;
    }
    const qint64 removed = remove.numRowsAffected();
    remove.finish();
    QSqlQuery mentions(db);
    mentions.prepare(QStringLiteral("DELETE FROM mentions WHERE seq <= ?"));
    mentions.bindValue(0, cut);
    if (!mentions.exec()) {
        (void)fail(QStringLiteral("cannot delete old mentions"), mentions);
        rollback();
        return -1;
    }
    mentions.finish();
    if (!db.commit()) {
        setError(reason(db.lastError()));
        rollback();
        return -1;
    }
    m_oldestSeq = qMin(cut, m_lastSeq) + 1;
    return removed;
}

bool SqliteStore::vacuumInto(const QString &file)
{
    QSqlQuery query(database());
    // Bound, not spliced: the file name is never read as SQL.
    if (!query.prepare(QStringLiteral("VACUUM INTO ?")))
        return fail(QStringLiteral("cannot copy it"), query);
    query.addBindValue(file);
    if (!query.exec())
        return fail(QStringLiteral("cannot copy it to %1").arg(file), query);
    query.finish();
    return true;
}

bool SqliteStore::fail(const QString &what, const QSqlQuery &query)
{
    setError(what + QStringLiteral(": ") + reason(query.lastError()));
    return false;
}

bool SqliteStore::exec(const QString &sql)
{
    QSqlQuery query(database());
    if (!query.exec(sql))
        return fail(QStringLiteral("\"%1\" failed").arg(sql.left(40)), query);
    query.finish();
    return true;
}

void SqliteStore::rollback()
{
    QSqlDatabase db = database();
    if (!db.rollback())
        qCDebug(lcStore).noquote() << "rollback:" << reason(db.lastError());
}

} // namespace chat::server
