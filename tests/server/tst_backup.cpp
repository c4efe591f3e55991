// chat-server backup FILE (docs/operations.md, "Backups and restore"), through the real program:
// taken from a running server while clients flood it, the copy passes SQLite's integrity check
// and a server started on it holds every message acknowledged before the command started. Also
// what it refuses: an existing FILE (kept, unless --force), a folder it cannot write in, no
// database at all, a server that keeps its history in memory.
#include "testclient.h"

#include <QDir>
#include <QFile>
#include <QHash>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>
#include <unistd.h>

#include <memory>
#include <vector>

using namespace chat::proto;
using chat::test::TestClient;
using chat::test::TokenBook;

namespace {

constexpr int kSenders = 4;
constexpr int kWindow = 10;             // sends a client keeps unacknowledged at most
constexpr int kAckedBeforeBackup = 400; // the flood's size when the backup starts
constexpr int kWaitMs = 30000;

struct Run
{
    int exitCode = -1;
    QString out;
    QString err;
};

// One person sending without pause: the next send goes out as an acknowledgement comes back.
struct Sender
{
    QString nick;
    std::unique_ptr<TestClient> client;
    int sent = 0;
    QHash<QString, Message> acked; // by id

    static QString text(const QString &id) { return QStringLiteral("%1 备份 backup").arg(id); }
    void topUp()
    {
        while (client && client->isOpen() && sent - acked.size() < kWindow) {
            const QString id = QStringLiteral("%1-%2").arg(nick).arg(sent++);
            client->send(text(id), id);
        }
    }
    void onMessage(const Message &message)
    {
        if (message.from == nick && !message.id.isEmpty())
            acked.insert(message.id, message);
        topUp();
    }
};

// The file's permission bits.
int modeOf(const QString &path)
{
    struct stat status
    {};
    if (::stat(QFile::encodeName(path).constData(), &status) != 0)
        return -1;
    return int(status.st_mode & 07777);
}

QString integrityCheck(const QString &path)
{
    QString result;
    {
        QSqlDatabase db =
            QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("integrity"));
        db.setDatabaseName(path);
        if (db.open()) {
            QSqlQuery query(db);
            if (query.exec(QStringLiteral("PRAGMA integrity_check")) && query.next())
                result = query.value(0).toString();
        }
    }
    QSqlDatabase::removeDatabase(QStringLiteral("integrity"));
    return result;
}

} // namespace

class BackupTest : public QObject
{
    Q_OBJECT
private slots:
    void init();
    void cleanup();

    void backupUnderLoadKeepsEveryAcknowledgedMessage();
    void existingFileIsKept_data();
    void existingFileIsKept();
    void relativeFileIsTheCallersFolder();
    void unwritableFolderIsAClearError();
    void noDatabaseIsAClearError();
    void memoryServerHasNothingToBackUp();

private:
    // Starts chat-server with `arguments` (the run's options added) and the test's environment,
    // and waits for it to finish while the event loop runs (the clients keep sending).
    QProcess *startCli(const QStringList &arguments, const QString &workingDirectory = {});
    Run finish(QProcess *process);
    Run cli(const QStringList &arguments, const QString &workingDirectory = {});
    bool startServer(const QStringList &databaseArguments);
    bool stopServer();
    [[nodiscard]] QString path(const QString &name) const { return m_dir->filePath(name); }

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_dbPath;
    std::unique_ptr<QProcess> m_server;
    QUrl m_url;
    std::vector<std::unique_ptr<Sender>> m_senders;
};

void BackupTest::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_dbPath = path(QStringLiteral("chat.sqlite"));
    TokenBook::clear();
}

void BackupTest::cleanup()
{
    m_senders.clear();
    if (m_server && m_server->state() != QProcess::NotRunning) {
        m_server->kill();
        m_server->waitForFinished(5000);
    }
    m_server.reset();
    m_dir.reset();
}

QProcess *BackupTest::startCli(const QStringList &arguments, const QString &workingDirectory)
{
    auto *process = new QProcess(this);
    process->setProgram(QStringLiteral(CHAT_SERVER_BINARY));
    process->setArguments(arguments);
    // Where the default database would be: inside the test's folder, never the user's.
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("XDG_DATA_HOME"), path(QStringLiteral("data")));
    process->setProcessEnvironment(environment);
    if (!workingDirectory.isEmpty())
        process->setWorkingDirectory(workingDirectory);
    process->start();
    return process;
}

Run BackupTest::finish(QProcess *process)
{
    std::unique_ptr<QProcess> owned(process);
    QSignalSpy finished(process, &QProcess::finished);
    if (!process->waitForStarted(10000))
        return {};
    if (process->state() != QProcess::NotRunning && !finished.wait(kWaitMs)) {
        process->kill();
        process->waitForFinished();
        return {};
    }
    Run run;
    run.exitCode = process->exitStatus() == QProcess::NormalExit ? process->exitCode() : -1;
    run.out = QString::fromUtf8(process->readAllStandardOutput());
    run.err = QString::fromUtf8(process->readAllStandardError());
    return run;
}

Run BackupTest::cli(const QStringList &arguments, const QString &workingDirectory)
{
    return finish(startCli(arguments, workingDirectory));
}

bool BackupTest::startServer(const QStringList &databaseArguments)
{
    m_server = std::make_unique<QProcess>();
    m_server->setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_server->start(QStringLiteral(CHAT_SERVER_BINARY),
                    databaseArguments +
                        QStringList{QStringLiteral("--host"), QStringLiteral("127.0.0.1"),
                                    QStringLiteral("--port"), QStringLiteral("0"),
                                    QStringLiteral("--rate"), QStringLiteral("0"), // a flood
                                    QStringLiteral("--max-bytes-rate"), QStringLiteral("0"),
                                    QStringLiteral("--max-address-bytes-rate"), QStringLiteral("0"),
                                    QStringLiteral("--max-registrations-per-address"),
                                    QStringLiteral("0")});
    QSignalSpy output(m_server.get(), &QProcess::readyReadStandardOutput);
    QDeadlineTimer deadline(10000);
    while (!m_server->canReadLine()) {
        if (deadline.hasExpired() || m_server->state() == QProcess::NotRunning)
            return false;
        output.wait(qMax(1, int(deadline.remainingTime())));
    }
    static const QRegularExpression pattern(QStringLiteral("^listening on (ws://\\S+/)$"));
    const QRegularExpressionMatch match =
        pattern.match(QString::fromUtf8(m_server->readLine()).trimmed());
    m_url = match.hasMatch() ? QUrl(match.captured(1)) : QUrl();
    return m_url.isValid();
}

bool BackupTest::stopServer()
{
    if (!m_server || m_server->state() == QProcess::NotRunning)
        return true;
    QSignalSpy finished(m_server.get(), &QProcess::finished);
    m_server->terminate();
    return finished.wait(10000) && m_server->exitStatus() == QProcess::NormalExit &&
           m_server->exitCode() == 0;
}

void BackupTest::backupUnderLoadKeepsEveryAcknowledgedMessage()
{
    QVERIFY(startServer({QStringLiteral("--db"), m_dbPath}));
    int acks = 0;
    for (int s = 0; s < kSenders; ++s) {
        auto sender = std::make_unique<Sender>();
        sender->nick = QStringLiteral("sender%1").arg(s);
        sender->client = std::make_unique<TestClient>();
        Sender *raw = sender.get();
        connect(raw->client.get(), &TestClient::messageReceived, this,
                [raw, &acks](const Message &message) {
                    const qsizetype before = raw->acked.size();
                    raw->onMessage(message);
                    acks += int(raw->acked.size() - before);
                });
        QVERIFY(raw->client->open(m_url));
        QVERIFY(raw->client->helloAndWait(raw->nick));
        m_senders.push_back(std::move(sender));
    }
    const QString instance = m_senders.front()->client->welcome()->instance;
    for (const auto &sender : m_senders)
        sender->topUp();
    QTRY_VERIFY_WITH_TIMEOUT(acks >= kAckedBeforeBackup, kWaitMs);

    // Everything acknowledged before the command starts must be in the copy.
    QHash<QString, Message> acknowledged; // by "nick/id"
    for (const auto &sender : m_senders)
        for (const Message &message : std::as_const(sender->acked))
            acknowledged.insert(sender->nick + u'/' + message.id, message);
    const int acksAtStart = acks;
    const QString backupPath = path(QStringLiteral("backups/chat-backup.sqlite"));
    QVERIFY(QDir().mkpath(path(QStringLiteral("backups"))));
    const Run run =
        finish(startCli({QStringLiteral("--db"), m_dbPath, QStringLiteral("backup"), backupPath}));
    const int acksAtEnd = acks;
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    static const QRegularExpression report(QStringLiteral(
        "^backup written to (\\S+): (\\d+) bytes, every message up to seq (\\d+), in [0-9.]+ s$"));
    const QRegularExpressionMatch reported = report.match(run.out.trimmed());
    QVERIFY2(reported.hasMatch(), qPrintable(run.out));
    QCOMPARE(reported.captured(1), backupPath);
    QCOMPARE(reported.captured(2).toLongLong(), QFileInfo(backupPath).size());
    const qint64 backupSeq = reported.captured(3).toLongLong();
    QVERIFY(backupSeq >= acksAtStart);
    // The flood went on while the command ran, and goes on after it: nothing was dropped.
    QVERIFY(acksAtEnd > acksAtStart);
    QTRY_VERIFY_WITH_TIMEOUT(acks > acksAtEnd + kSenders * kWindow, kWaitMs);
    for (const auto &sender : m_senders) {
        QCOMPARE(sender->client->undecodableFrames(), 0);
        QCOMPARE(sender->client->socketErrors(), 0);
        QVERIFY(sender->client->errors().isEmpty());
    }
    m_senders.clear();
    QVERIFY(stopServer());
    const QUrl firstUrl = m_url;

    // One whole file, for the server's user alone, and nothing left beside it.
    QCOMPARE(modeOf(backupPath), 0600);
    QCOMPARE(QDir(path(QStringLiteral("backups")))
                 .entryList(QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot),
             QStringList{QStringLiteral("chat-backup.sqlite")});
    QCOMPARE(integrityCheck(backupPath), QStringLiteral("ok"));

    // Restored: a server on the copy holds every acknowledged message as it was acknowledged,
    // numbered without a gap up to the seq the command reported.
    QVERIFY(startServer({QStringLiteral("--db"), backupPath}));
    TestClient observer;
    QVERIFY(observer.open(m_url));
    QVERIFY(observer.helloAndWait(QStringLiteral("observer")));
    QCOMPARE(observer.welcome()->seq, backupSeq);
    QVERIFY(observer.welcome()->instance != instance); // a history of its own (see the docs)
    QList<Message> history;
    qint64 before = 0;
    for (int page = 0;; ++page) {
        QVERIFY(page <= backupSeq / kMaxPageSize + 1);
        const std::optional<ServerMessage> answer = observer.request(
            LoadHistory{QStringLiteral("page-%1").arg(page), defaultRoom(), before, kMaxPageSize});
        QVERIFY(answer);
        const auto *found = std::get_if<HistoryPage>(&*answer);
        QVERIFY(found);
        history = found->messages + history;
        if (!found->more)
            break;
        before = found->messages.constFirst().seq;
    }
    QHash<QString, Message> stored;
    for (qsizetype i = 0; i < history.size(); ++i) {
        QCOMPARE(history[i].seq, qint64(i + 1));
        QCOMPARE(history[i].text, Sender::text(history[i].id));
        stored.insert(history[i].from + u'/' + history[i].id, history[i]);
    }
    QCOMPARE(qint64(history.size()), backupSeq);
    QVERIFY(acknowledged.size() >= kAckedBeforeBackup);
    for (auto it = acknowledged.cbegin(); it != acknowledged.cend(); ++it)
        QCOMPARE(stored.value(it.key()), it.value());
    // The accounts came along: a sender logs in with the token it had.
    TokenBook::remember(m_url, QStringLiteral("sender0"),
                        TokenBook::token(firstUrl, QStringLiteral("sender0")));
    TestClient returning;
    QVERIFY(returning.open(m_url));
    QVERIFY(returning.helloAndWait(QStringLiteral("sender0")));
}

void BackupTest::existingFileIsKept_data()
{
    QTest::addColumn<bool>("running");
    QTest::addRow("stopped server (database file)") << false;
    QTest::addRow("running server (control socket)") << true;
}

void BackupTest::existingFileIsKept()
{
    QFETCH(bool, running);
    QVERIFY(startServer({QStringLiteral("--db"), m_dbPath}));
    if (!running)
        QVERIFY(stopServer());
    const QString target = path(QStringLiteral("old-backup.sqlite"));
    {
        QFile file(target);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("an older backup");
    }
    Run run = cli({QStringLiteral("--db"), m_dbPath, QStringLiteral("backup"), target});
    QCOMPARE(run.exitCode, 4);
    QVERIFY2(run.err.contains(QStringLiteral("%1 exists; it is kept (give --force").arg(target)),
             qPrintable(run.err));
    QFile kept(target);
    QVERIFY(kept.open(QIODevice::ReadOnly));
    QCOMPARE(kept.readAll(), QByteArray("an older backup"));
    kept.close();

    run = cli({QStringLiteral("--db"), m_dbPath, QStringLiteral("backup"), target,
               QStringLiteral("--force")});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    QCOMPARE(integrityCheck(target), QStringLiteral("ok"));
    QCOMPARE(modeOf(target), 0600);

    // Never over the database itself, --force or not.
    run = cli({QStringLiteral("--db"), m_dbPath, QStringLiteral("backup"), m_dbPath,
               QStringLiteral("--force")});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains(QLatin1String("is the database itself")), qPrintable(run.err));
    QVERIFY(stopServer());
    QCOMPARE(integrityCheck(m_dbPath), QStringLiteral("ok"));
}

void BackupTest::relativeFileIsTheCallersFolder()
{
    // The server runs elsewhere; FILE is where the caller's relative name points.
    QVERIFY(startServer({QStringLiteral("--db"), m_dbPath}));
    const QString callers = path(QStringLiteral("callers"));
    QVERIFY(QDir().mkpath(callers));
    const Run run = cli({QStringLiteral("--db"), m_dbPath, QStringLiteral("backup"),
                         QStringLiteral("relative.sqlite")},
                        callers);
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    QVERIFY(QFileInfo::exists(callers + QStringLiteral("/relative.sqlite")));
}

void BackupTest::unwritableFolderIsAClearError()
{
    QVERIFY(startServer({QStringLiteral("--db"), m_dbPath}));
    Run run = cli({QStringLiteral("--db"), m_dbPath, QStringLiteral("backup"),
                   path(QStringLiteral("missing/backup.sqlite"))});
    QCOMPARE(run.exitCode, 3);
    QVERIFY2(run.err.contains(QStringLiteral("no folder %1").arg(path(QStringLiteral("missing")))),
             qPrintable(run.err));

    // Root writes in any folder of a normal file system, whatever its mode: /proc refuses all.
    const QString locked = ::geteuid() == 0 ? QStringLiteral("/proc") : path(QStringLiteral("ro"));
    if (::geteuid() != 0) {
        QVERIFY(QDir().mkpath(locked));
        QVERIFY(QFile::setPermissions(locked, QFile::ReadOwner | QFile::ExeOwner));
    }
    run = cli({QStringLiteral("--db"), m_dbPath, QStringLiteral("backup"),
               locked + QStringLiteral("/backup.sqlite")});
    QCOMPARE(run.exitCode, 3);
    QVERIFY2(run.err.contains(QStringLiteral("backup: cannot write in %1: ").arg(locked)),
             qPrintable(run.err));
    QVERIFY(!QFileInfo::exists(locked + QStringLiteral("/backup.sqlite")));
}

void BackupTest::noDatabaseIsAClearError()
{
    // No server and no --db: the default database (under XDG_DATA_HOME here) does not exist.
    Run run = cli({QStringLiteral("backup"), path(QStringLiteral("backup.sqlite"))});
    QCOMPARE(run.exitCode, 3);
    QVERIFY2(run.err.contains(QStringLiteral("no database at %1")
                                  .arg(path(QStringLiteral("data/chat-server/history.sqlite")))),
             qPrintable(run.err));
    // None is made on the way.
    QVERIFY(!QFileInfo::exists(path(QStringLiteral("data/chat-server/history.sqlite"))));
    QVERIFY(!QFileInfo::exists(path(QStringLiteral("backup.sqlite"))));

    run = cli({QStringLiteral("--db"), m_dbPath, QStringLiteral("backup")});
    QCOMPARE(run.exitCode, 2); // no FILE: the usage
    QVERIFY2(run.err.contains(QLatin1String("backup FILE [--force]")), qPrintable(run.err));
}

void BackupTest::memoryServerHasNothingToBackUp()
{
    const QString socket = path(QStringLiteral("memory.control"));
    const QString target = path(QStringLiteral("backup.sqlite"));
    Run run =
        cli({QStringLiteral("--db"), QStringLiteral(":memory:"), QStringLiteral("backup"), target});
    QCOMPARE(run.exitCode, 3);
    QVERIFY2(run.err.contains(QLatin1String("keeps nothing on disk")), qPrintable(run.err));

    QVERIFY(startServer({QStringLiteral("--db"), QStringLiteral(":memory:"),
                         QStringLiteral("--control-socket"), socket}));
    run = cli({QStringLiteral("--db"), QStringLiteral(":memory:"),
               QStringLiteral("--control-socket"), socket, QStringLiteral("backup"), target});
    QCOMPARE(run.exitCode, 3);
    QVERIFY2(run.err.contains(QLatin1String("keeps its history in memory")), qPrintable(run.err));
    QVERIFY(!QFileInfo::exists(target));
}

QTEST_GUILESS_MAIN(BackupTest)
#include "tst_backup.moc"
