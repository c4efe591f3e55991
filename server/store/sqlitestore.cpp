#include "store/sqlitestore.h"

#include "accounts/sqliteaccountstore.h"
#include "secrets.h"

#include <QFileInfo>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>

#include <atomic>

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

Message messageFrom(const QSqlQuery &query)
{
    Message message;
    message.seq = query.value(0).toLongLong();
    message.id = query.value(1).toString();
    message.room = query.value(2).toString();
    message.from = query.value(3).toString();
    message.time = QDateTime::fromMSecsSinceEpoch(query.value(4).toLongLong(), Qt::UTC);
    message.text = query.value(5).toString();
    message.display = query.value(6).toString();
    return message;
}

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
    m_setLastSeq.reset();
    m_findSent.reset();
    m_range.reset();
}

QSqlDatabase SqliteStore::database() const
{
    return m_db->database();
}

std::unique_ptr<AccountStore> SqliteStore::accountStore() const
{
    return std::make_unique<SqliteAccountStore>(m_db);
}

bool SqliteStore::openDatabase()
{
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_db->name());
    if (!db.isValid()) {
        setError(QStringLiteral("the Qt SQLite driver is missing (Debian: libqt6sql6-sqlite)"));
        return false;
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
                                            "sender, time_ms, text, display) "
                                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) &&
           prepare(m_setLastSeq,
                   QStringLiteral("UPDATE meta SET value = ? WHERE key = 'last_seq'")) &&
           prepare(m_findSent,
                   QStringLiteral("SELECT seq, msg_id, room, sender, time_ms, text, display "
                                  "FROM messages WHERE nick_key = ? AND msg_id = ?")) &&
           prepare(m_range,
                   QStringLiteral("SELECT seq, msg_id, room, sender, time_ms, text, display FROM "
                                  "messages WHERE seq BETWEEN ? AND ? ORDER BY seq"));
}

bool SqliteStore::append(const QList<Entry> &entries)
{
    if (entries.isEmpty())
        return true;
    qint64 expected = m_lastSeq + 1;
    for (const Entry &entry : entries) {
        if (entry.message.seq != expected++) {
            setError(QStringLiteral("sequence numbers out of order"));
            return false;
        }
    }
    QSqlDatabase db = database();
    if (!db.transaction()) {
        setError(reason(db.lastError()));
        return false;
    }
    for (const Entry &entry : entries) {
        const Message &message = entry.message;
        m_insert->bindValue(0, message.seq);
        m_insert->bindValue(1, entry.nickKey);
        m_insert->bindValue(2, message.id);
        m_insert->bindValue(3, message.room);
        m_insert->bindValue(4, message.from);
        m_insert->bindValue(5, message.time.toMSecsSinceEpoch());
        m_insert->bindValue(6, message.text);
        m_insert->bindValue(7, message.display.isNull() ? QStringLiteral("") : message.display);
        if (!m_insert->exec()) {
            (void)fail(QStringLiteral("cannot store a message"), *m_insert);
            rollback();
            return false;
        }
    }
    const qint64 last = entries.constLast().message.seq;
    m_setLastSeq->bindValue(0, QString::number(last));
    if (!m_setLastSeq->exec()) {
        (void)fail(QStringLiteral("cannot store the newest seq"), *m_setLastSeq);
        rollback();
        return false;
    }
    if (!db.commit()) {
        setError(reason(db.lastError()));
        rollback();
        return false;
    }
    // oldestSeq() of an empty store was lastSeq() + 1: the first appended, so it stays right.
    m_lastSeq = last;
    for (const Entry &entry : entries)
        m_ids.add(entry.nickKey, entry.message.id);
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
    if (!query.exec(QStringLiteral("SELECT COUNT(*) FROM messages")) || !query.next())
        return fail(QStringLiteral("cannot count its messages"), query);
    IdFilter ids(qMax(kMinCapacity, 2 * query.value(0).toLongLong()));
    query.finish();
    if (!query.exec(QStringLiteral("SELECT nick_key, msg_id FROM messages")))
        return fail(QStringLiteral("cannot read its message ids"), query);
    while (query.next())
        ids.add(query.value(0).toString(), query.value(1).toString());
    m_ids = std::move(ids); // only now: a filter missing stored ids would break deduplication
    return true;
}

std::optional<Message> SqliteStore::findSent(const QString &nickKey, const QString &id) const
{
    if (!m_ids.mightContain(nickKey, id))
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

qint64 SqliteStore::prune(const Retention &retention, const QDateTime &now)
{
    const QSqlDatabase db = database();
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
    QSqlQuery remove(db);
    remove.prepare(QStringLiteral("DELETE FROM messages WHERE seq <= ?"));
    remove.bindValue(0, cut);
    if (!remove.exec()) {
        (void)fail(QStringLiteral("cannot delete old messages"), remove);
        return -1;
    }
    const qint64 removed = remove.numRowsAffected();
    m_oldestSeq = qMin(cut, m_lastSeq) + 1;
    return removed;
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
