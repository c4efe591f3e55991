#include "admin/backupcommand.h"

#include "logging.h"
#include "secrets.h"
#include "store/sqlitestore.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace chat::server::admin {

namespace {

std::atomic<int> backupCounter{0};

AdminResult failure(int exitCode, const QString &message)
{
    return {message + QLatin1Char('\n'), exitCode};
}

QString systemError(int error)
{
    return QString::fromLocal8Bit(std::strerror(error));
}

// Removes the temporary copy and whatever SQLite left beside it.
void removePartial(const QString &path)
{
    for (const char *suffix : {"", "-journal", "-wal", "-shm"})
        QFile::remove(path + QLatin1String(suffix));
}

// Creates `path` empty, for this user alone; false with *error when it cannot.
bool createPrivateFile(const QString &path, QString *error)
{
    const int fd = ::open(QFile::encodeName(path).constData(),
                          O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, S_IRUSR | S_IWUSR);
    if (fd < 0) {
        *error = systemError(errno);
        return false;
    }
    ::close(fd);
    return true;
}

// fsync of a file or a folder: what was written is on disk before the next step relies on it.
bool syncPath(const QString &path, int flags)
{
    const int fd = ::open(QFile::encodeName(path).constData(), flags | O_CLOEXEC);
    if (fd < 0)
        return false;
    const bool ok = ::fsync(fd) == 0;
    ::close(fd);
    return ok;
}

// The copy names a history of its own (the meta table's instance): once restored, the server
// will number new messages from the copy's newest, and clients that saw later numbers from the
// original must not take those for ones they already have (docs/protocol.md, Resume).
bool renameHistory(const QString &path, QString *error)
{
    const QString name = QStringLiteral("chat-backup-%1").arg(backupCounter.fetch_add(1));
    bool ok = false;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        if (db.open()) {
            QSqlQuery query(db);
            ok = query.prepare(QStringLiteral("UPDATE meta SET value = ? WHERE key = 'instance'"));
            if (ok) {
                query.addBindValue(randomHex(64));
                ok = query.exec() && query.numRowsAffected() == 1;
            }
            if (!ok)
                *error = query.lastError().text().isEmpty()
                             ? QStringLiteral("the copy has no instance to rename")
                             : query.lastError().text();
            query.finish();
        } else {
            *error = db.lastError().text();
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return ok;
}

// Renames `from` to `to`; without `replace`, never over an existing file (EEXIST).
bool moveIntoPlace(const QString &from, const QString &to, bool replace)
{
    const QByteArray source = QFile::encodeName(from);
    const QByteArray target = QFile::encodeName(to);
    if (replace)
        return ::rename(source.constData(), target.constData()) == 0;
    if (::renameat2(AT_FDCWD, source.constData(), AT_FDCWD, target.constData(), RENAME_NOREPLACE) ==
        0)
        return true;
    if (errno != EINVAL)
        return false;
    // A file system without RENAME_NOREPLACE: a hard link fails on an existing name too.
    if (::link(source.constData(), target.constData()) != 0)
        return false;
    ::unlink(source.constData());
    return true;
}

} // namespace

QString backupCommandWord()
{
    return QStringLiteral("backup");
}

std::optional<BackupRequest> parseBackupArguments(const QStringList &arguments,
                                                  AdminResult *failure)
{
    BackupRequest request;
    QStringList positional;
    bool optionsEnded = false;
    for (const QString &argument : arguments) {
        if (!optionsEnded && argument == QLatin1String("--")) {
            optionsEnded = true;
        } else if (!optionsEnded && argument == QLatin1String("--force") && !request.force) {
            request.force = true;
        } else if (!optionsEnded && argument.startsWith(QLatin1Char('-')) && argument.size() > 1) {
            *failure = {QStringLiteral("backup: unknown option %1 (see chat-server --help)\n")
                            .arg(argument),
                        kAdminBadUsage};
            return std::nullopt;
        } else {
            positional.append(argument);
        }
    }
    if (positional.size() != 1 || positional.constFirst().isEmpty()) {
        *failure = {QStringLiteral("backup takes one file name: chat-server backup FILE "
                                   "[--force]\n"),
                    kAdminBadUsage};
        return std::nullopt;
    }
    request.file = positional.constFirst();
    return request;
}

QStringList backupArguments(const BackupRequest &request)
{
    // Absolute, it starts with '/': no "--" is needed before it.
    QStringList arguments{backupCommandWord(), QFileInfo(request.file).absoluteFilePath()};
    if (request.force)
        arguments << QStringLiteral("--force");
    return arguments;
}

AdminResult runBackup(const BackupRequest &request, MessageStore *store)
{
    auto *sqlite = dynamic_cast<SqliteStore *>(store);
    if (!sqlite && store && store->isDurable())
        return failure(kAdminStoreFailed,
                       QStringLiteral("this server keeps its history in PostgreSQL: back it up "
                                      "with pg_dump (docs/operations.md)"));
    if (!sqlite)
        return failure(kAdminStoreFailed,
                       QStringLiteral("this server keeps its history in memory (--db :memory:): "
                                      "there is no database to back up"));
    const QFileInfo target(request.file);
    if (!target.isAbsolute())
        return failure(kAdminBadUsage,
                       QStringLiteral("backup: %1 is not an absolute path").arg(request.file));
    if (target.isDir())
        return failure(
            kAdminBadUsage,
            QStringLiteral("backup: %1 is a folder; give a file name").arg(request.file));
    const QFileInfo live(sqlite->path());
    if (target.exists() && target.canonicalFilePath() == live.canonicalFilePath())
        return failure(kAdminBadUsage,
                       QStringLiteral("backup: %1 is the database itself").arg(request.file));
    if ((target.exists() || target.isSymLink()) && !request.force)
        return failure(kAdminRefused, QStringLiteral("backup: %1 exists; it is kept (give --force "
                                                     "to replace it)")
                                          .arg(request.file));
    const QString folder = target.absolutePath();
    if (!QFileInfo(folder).isDir())
        return failure(
            kAdminStoreFailed,
            QStringLiteral("backup: no folder %1 (the server does not create it)").arg(folder));

    QElapsedTimer clock;
    clock.start();
    // Beside FILE, so that the rename is atomic; hidden, and named for what it is.
    const QString partial =
        QStringLiteral("%1/.%2.partial-%3").arg(folder, target.fileName(), randomHex(32));
    QString error;
    if (!createPrivateFile(partial, &error))
        return failure(kAdminStoreFailed,
                       QStringLiteral("backup: cannot write in %1: %2").arg(folder, error));
    const qint64 lastSeq = sqlite->lastSeq();
    if (!sqlite->vacuumInto(partial)) {
        removePartial(partial);
        return failure(kAdminStoreFailed,
                       QStringLiteral("backup: the copy failed: %1").arg(sqlite->errorString()));
    }
    const qint64 copyMs = clock.elapsed();
    if (!renameHistory(partial, &error)) {
        removePartial(partial);
        return failure(kAdminStoreFailed,
                       QStringLiteral("backup: cannot finish the copy: %1").arg(error));
    }
    if (!syncPath(partial, O_RDONLY)) {
        error = systemError(errno);
        removePartial(partial);
        return failure(kAdminStoreFailed,
                       QStringLiteral("backup: cannot sync the copy to disk: %1").arg(error));
    }
    if (!moveIntoPlace(partial, target.absoluteFilePath(), request.force)) {
        const int code = errno;
        removePartial(partial);
        if (code == EEXIST)
            return failure(kAdminRefused,
                           QStringLiteral("backup: %1 appeared meanwhile; it is kept (give "
                                          "--force to replace it)")
                               .arg(request.file));
        return failure(kAdminStoreFailed, QStringLiteral("backup: cannot rename the copy to %1: %2")
                                              .arg(request.file, systemError(code)));
    }
    syncPath(folder, O_RDONLY | O_DIRECTORY); // the new name survives a power loss

    const qint64 bytes = QFileInfo(target.absoluteFilePath()).size();
    qCInfo(lcServer).noquote() << "backup written:" << bytes << "bytes, seq" << lastSeq << "in"
                               << clock.elapsed() << "ms, of which the copy" << copyMs << "ms";
    return {QStringLiteral("backup written to %1: %2 bytes, every message up to seq %3, in "
                           "%4 s\n")
                .arg(target.absoluteFilePath(), QString::number(bytes), QString::number(lastSeq),
                     QString::number(double(clock.elapsed()) / 1000.0, 'f', 2)),
            kAdminOk};
}

AdminResult runBackupArguments(const QStringList &arguments, MessageStore *store)
{
    AdminResult usage;
    const std::optional<BackupRequest> request = parseBackupArguments(arguments, &usage);
    return request ? runBackup(*request, store) : usage;
}

} // namespace chat::server::admin
