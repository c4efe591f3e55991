// chat-server's admin commands (user, invite, token; docs/operations.md), through the real
// program: on the database file when no server runs, and through the control socket of a running
// server. Also the control socket itself: private, a stale one replaced, hostile requests
// dropped without harm, at most four connections at once.
#include "admin/admincommands.h"
#include "admin/controlwire.h"
#include "postgresserver.h"
#include "testclient.h"

#include <QDataStream>
#include <QDir>
#include <QLocalSocket>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <memory>

using chat::test::TestClient;
using namespace chat::server::admin;

namespace {

struct Run
{
    int exitCode = -1;
    QString out;
    QString err;
};

const QRegularExpression
    kPasswordLine(QStringLiteral("^password: ([2-9a-z]{5}-[2-9a-z]{5}-[2-9a-z]{5}-[2-9a-z]{5})$"),
                  QRegularExpression::MultilineOption);

} // namespace

class AdminTest : public QObject
{
    Q_OBJECT
private slots:
    void init();
    void cleanup();

    void addAndList_data();
    void addAndList();
    void nameTakenOrLookAlike_data();
    void nameTakenOrLookAlike();
    void disableEnableMakeAdmin_data();
    void disableEnableMakeAdmin();
    void resetPassword_data();
    void resetPassword();
    void inviteCreate_data();
    void inviteCreate();
    void tokenCreate_data();
    void tokenCreate();
    void badUsage_data();
    void badUsage();

    void memoryDatabaseNeedsControlSocket();
    void controlSocketIsPrivate();
    void staleSocketIsReplaced();
    void foreignFileIsKept();
    void hostileRequestsAreDropped();
    void atMostFourConnections();
    void disablingEndsConnections();
    void resettingPasswordEndsConnections();

private:
    // chat-server --db <db> <arguments>, with `input` on stdin; waits for it to finish.
    Run cli(const QStringList &arguments, const QByteArray &input = {});
    // Starts the server on the temporary database (or the given arguments instead of --db);
    // false if it did not print its listening line.
    bool startServer(const QStringList &databaseArguments = {});
    bool stopServer();
    // Starts the server when the test row says so.
    bool prepare();
    [[nodiscard]] QString socketPath() const { return m_dbPath + QStringLiteral(".control"); }
    // Adds `name` with `password` (through --password-stdin); false unless it exits 0.
    bool addUser(const QString &name, const QString &password, const QStringList &more = {});

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<chat::test::PostgresServer> m_postgres; // for the "postgres" rows, once
    int m_postgresDatabases = 0;
    QString m_dbPath; // the SQLite file, or the PostgreSQL URL
    std::unique_ptr<QProcess> m_server;
    QUrl m_url;
};

void AdminTest::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_dbPath = m_dir->filePath(QStringLiteral("chat.sqlite"));
    // The rows named "postgres...": a fresh database on this program's PostgreSQL, which the
    // commands use directly (there is no file to put a control socket next to).
    if (!QByteArray(QTest::currentDataTag()).startsWith("postgres"))
        return;
    if (const QString why = chat::test::PostgresServer::missingReason(); !why.isEmpty())
        QSKIP(qPrintable(why));
    if (!m_postgres)
        m_postgres = std::make_unique<chat::test::PostgresServer>();
    if (!m_postgres->isRunning())
        QVERIFY2(m_postgres->start(), qPrintable(m_postgres->errorString()));
    m_dbPath = m_postgres->createDatabase(QStringLiteral("admin%1").arg(++m_postgresDatabases));
    QVERIFY2(!m_dbPath.isEmpty(), qPrintable(m_postgres->errorString()));
}

void AdminTest::cleanup()
{
    if (m_server && m_server->state() != QProcess::NotRunning) {
        m_server->kill();
        m_server->waitForFinished(5000);
    }
    m_server.reset();
    m_dir.reset();
}

Run AdminTest::cli(const QStringList &arguments, const QByteArray &input)
{
    QProcess process;
    process.setProgram(QStringLiteral(CHAT_SERVER_BINARY));
    const QStringList database = arguments.value(0).startsWith(QLatin1String("--"))
                                     ? QStringList()
                                     : QStringList{QStringLiteral("--db"), m_dbPath};
    process.setArguments(database + arguments);
    QSignalSpy finished(&process, &QProcess::finished);
    process.start();
    if (!process.waitForStarted(10000))
        return {};
    process.write(input);
    process.closeWriteChannel();
    if (process.state() != QProcess::NotRunning && !finished.wait(60000)) {
        process.kill();
        process.waitForFinished();
        return {};
    }
    Run run;
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    run.out = QString::fromUtf8(process.readAllStandardOutput());
    run.err = QString::fromUtf8(process.readAllStandardError());
    return run;
}

bool AdminTest::startServer(const QStringList &databaseArguments)
{
    m_server = std::make_unique<QProcess>();
    m_server->setProgram(QStringLiteral(CHAT_SERVER_BINARY));
    m_server->setProcessChannelMode(QProcess::SeparateChannels);
    m_server->setArguments((databaseArguments.isEmpty()
                                ? QStringList{QStringLiteral("--db"), m_dbPath}
                                : databaseArguments) +
                           QStringList{QStringLiteral("--port"), QStringLiteral("0"),
                                       QStringLiteral("--host"), QStringLiteral("127.0.0.1")});
    m_server->start();
    QSignalSpy output(m_server.get(), &QProcess::readyReadStandardOutput);
    QDeadlineTimer deadline(10000);
    while (!m_server->canReadLine()) {
        if (deadline.hasExpired() || m_server->state() == QProcess::NotRunning) {
            qWarning("server did not start: %s", m_server->readAllStandardError().constData());
            return false;
        }
        output.wait(qMax(1, int(deadline.remainingTime())));
    }
    static const QRegularExpression pattern(QStringLiteral("^listening on (ws://\\S+/)$"));
    const QRegularExpressionMatch match =
        pattern.match(QString::fromUtf8(m_server->readLine()).trimmed());
    if (!match.hasMatch())
        return false;
    m_url = QUrl(match.captured(1));
    return true;
}

bool AdminTest::stopServer()
{
    if (!m_server || m_server->state() == QProcess::NotRunning)
        return true;
    QSignalSpy finished(m_server.get(), &QProcess::finished);
    m_server->terminate();
    return finished.wait(10000) && m_server->exitCode() == 0;
}

bool AdminTest::prepare()
{
    QFETCH(bool, running);
    if (!running)
        return true;
    // The database exists before the server runs, as it would in use.
    return startServer();
}

bool AdminTest::addUser(const QString &name, const QString &password, const QStringList &more)
{
    const Run run = cli(QStringList{QStringLiteral("user"), QStringLiteral("add"), name,
                                    QStringLiteral("--password-stdin")} +
                            more,
                        password.toUtf8() + '\n');
    if (run.exitCode != 0)
        qWarning("user add %s: %d %s", qPrintable(name), run.exitCode, qPrintable(run.err));
    return run.exitCode == 0;
}

// --- every command, with and without a running server ----------------------------------------

#define BOTH_WAYS()                                                                                \
    QTest::addColumn<bool>("running");                                                             \
    QTest::addRow("stopped server (database file)") << false;                                      \
    QTest::addRow("running server (control socket)") << true;                                      \
    QTest::addRow("postgres, stopped server") << false;                                            \
    QTest::addRow("postgres, running server (the database directly)") << true

void AdminTest::addAndList_data()
{
    BOTH_WAYS();
}

void AdminTest::addAndList()
{
    QVERIFY(prepare());
    Run run = cli({QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("alice")});
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.contains(QLatin1String("created account alice")), qPrintable(run.out));
    QVERIFY2(kPasswordLine.match(run.out).hasMatch(), qPrintable(run.out));
    QVERIFY(!run.out.contains(QLatin1String("$argon2"))); // no hash is shown

    run = cli({QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("王小明"),
               QStringLiteral("--admin"), QStringLiteral("--display"), QStringLiteral("小明"),
               QStringLiteral("--password-stdin")},
              "a long enough password\n");
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.contains(QStringLiteral("created admin 王小明")), qPrintable(run.out));
    QVERIFY(!kPasswordLine.match(run.out).hasMatch()); // the given one is not printed

    run = cli({QStringLiteral("user"), QStringLiteral("list")});
    QCOMPARE(run.exitCode, 0);
    const QStringList lines = run.out.split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 4);
    QVERIFY2(lines[0].startsWith(QLatin1String("NAME")), qPrintable(run.out));
    static const QRegularExpression row(
        QStringLiteral("^(\\S+) +(\\S+) +(yes|no) +(yes|no) +(\\d+) +(\\d{4}-\\d\\d-\\d\\d .*)$"));
    const QRegularExpressionMatch alice = row.match(lines[1]);
    QVERIFY2(alice.hasMatch(), qPrintable(lines[1]));
    QCOMPARE(alice.captured(1), QStringLiteral("alice"));
    QCOMPARE(alice.captured(2), QStringLiteral("-"));
    QCOMPARE(alice.captured(3), QStringLiteral("no"));
    QCOMPARE(alice.captured(4), QStringLiteral("no"));
    QCOMPARE(alice.captured(5), QStringLiteral("0"));
    const QRegularExpressionMatch xiaoming = row.match(lines[2]);
    QVERIFY2(xiaoming.hasMatch(), qPrintable(lines[2]));
    QCOMPARE(xiaoming.captured(1), QStringLiteral("王小明"));
    QCOMPARE(xiaoming.captured(2), QStringLiteral("小明"));
    QCOMPARE(xiaoming.captured(3), QStringLiteral("yes"));
    // Aligned for a terminal: a CJK character takes two columns, so the ADMIN column starts
    // at the same column in every row.
    const auto adminColumn = [](const QString &line) {
        const qsizetype at = line.indexOf(QRegularExpression(QStringLiteral(" (ADMIN|yes|no) ")));
        return displayWidth(line.left(at));
    };
    QCOMPARE(adminColumn(lines[1]), adminColumn(lines[0]));
    QCOMPARE(adminColumn(lines[2]), adminColumn(lines[0]));
    QCOMPARE(lines[3], QStringLiteral("2 accounts"));
}

void AdminTest::nameTakenOrLookAlike_data()
{
    BOTH_WAYS();
}

void AdminTest::nameTakenOrLookAlike()
{
    QVERIFY(prepare());
    QVERIFY(addUser(QStringLiteral("alice"), QStringLiteral("password one")));
    // The same name, another case, fullwidth letters, a Cyrillic "а": all the same account.
    for (const QString &name : {QStringLiteral("alice"), QStringLiteral("ALICE"),
                                QStringLiteral("ａｌｉｃｅ"), QStringLiteral("\u0430lice")}) {
        const Run run = cli({QStringLiteral("user"), QStringLiteral("add"), name});
        QVERIFY2(run.exitCode == 4, qPrintable(name + QLatin1Char(' ') + run.err));
        QVERIFY2(run.err.contains(QLatin1String("taken")), qPrintable(run.err));
        QVERIFY(
            !kPasswordLine.match(QString(run.out + run.err)).hasMatch()); // no password for nothing
    }
    const Run look =
        cli({QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("\u0430lice")});
    QVERIFY2(look.err.contains(QLatin1String("looks like the account alice")),
             qPrintable(look.err));
    const Run list = cli({QStringLiteral("user"), QStringLiteral("list")});
    QCOMPARE(list.exitCode, 0);
    QVERIFY2(list.out.endsWith(QLatin1String("\n1 account\n")), qPrintable(list.out));
}

void AdminTest::disableEnableMakeAdmin_data()
{
    BOTH_WAYS();
}

void AdminTest::disableEnableMakeAdmin()
{
    QVERIFY(prepare());
    QVERIFY(addUser(QStringLiteral("bob"), QStringLiteral("password two")));
    const auto bobRow = [this] {
        const Run run = cli({QStringLiteral("user"), QStringLiteral("list")});
        for (const QString &line : run.out.split(u'\n')) {
            if (line.startsWith(QLatin1String("bob ")))
                return line.simplified();
        }
        return QString();
    };
    QVERIFY2(bobRow().startsWith(QLatin1String("bob - no no 0 ")), qPrintable(bobRow()));

    Run run = cli({QStringLiteral("user"), QStringLiteral("disable"), QStringLiteral("BOB")});
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.startsWith(QLatin1String("disabled bob")), qPrintable(run.out));
    QVERIFY2(bobRow().startsWith(QLatin1String("bob - no yes 0 ")), qPrintable(bobRow()));
    run = cli({QStringLiteral("user"), QStringLiteral("disable"), QStringLiteral("bob")});
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.contains(QLatin1String("already")), qPrintable(run.out));

    run = cli({QStringLiteral("user"), QStringLiteral("enable"), QStringLiteral("bob")});
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(bobRow().startsWith(QLatin1String("bob - no no 0 ")), qPrintable(bobRow()));

    run = cli({QStringLiteral("user"), QStringLiteral("make-admin"), QStringLiteral("bob")});
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(bobRow().startsWith(QLatin1String("bob - yes no 0 ")), qPrintable(bobRow()));

    for (const QString &verb : {QStringLiteral("disable"), QStringLiteral("enable"),
                                QStringLiteral("make-admin"), QStringLiteral("reset-password")}) {
        run = cli({QStringLiteral("user"), verb, QStringLiteral("nobody")});
        QVERIFY2(run.exitCode == 4, qPrintable(verb + QLatin1Char(' ') + run.err));
        QVERIFY2(run.err.contains(QLatin1String("no account named nobody")), qPrintable(run.err));
    }
}

void AdminTest::resetPassword_data()
{
    BOTH_WAYS();
}

void AdminTest::resetPassword()
{
    QVERIFY(prepare());
    QVERIFY(addUser(QStringLiteral("carol"), QStringLiteral("the old password")));
    Run run = cli({QStringLiteral("user"), QStringLiteral("reset-password"),
                   QStringLiteral("carol"), QStringLiteral("--password-stdin")},
                  "short\n");
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains(QLatin1String("at least 8")), qPrintable(run.err));

    run = cli({QStringLiteral("user"), QStringLiteral("reset-password"), QStringLiteral("carol")});
    QCOMPARE(run.exitCode, 0);
    const QRegularExpressionMatch generated = kPasswordLine.match(run.out);
    QVERIFY2(generated.hasMatch(), qPrintable(run.out));
    QVERIFY2(run.out.startsWith(QLatin1String("new password set for carol")), qPrintable(run.out));

    run = cli({QStringLiteral("user"), QStringLiteral("reset-password"), QStringLiteral("carol"),
               QStringLiteral("--password-stdin")},
              "新的密码 with spaces\r\n"); // CRLF from a Windows editor: the CR is not part of it
    QCOMPARE(run.exitCode, 0);
    QVERIFY(!kPasswordLine.match(run.out).hasMatch());

    // The hash the CLI made is one the server verifies.
    if (!m_server)
        QVERIFY(startServer());
    const auto login = [this](const QString &password) {
        TestClient client;
        if (!client.open(m_url))
            return false;
        chat::proto::Hello hello;
        hello.login = chat::proto::Login{QStringLiteral("carol"), password};
        return client.helloAndWait(hello, 10000);
    };
    QVERIFY(login(QStringLiteral("新的密码 with spaces")));
    QVERIFY(!login(QStringLiteral("the old password")));
}

void AdminTest::inviteCreate_data()
{
    BOTH_WAYS();
}

void AdminTest::inviteCreate()
{
    QVERIFY(prepare());
    Run run = cli({QStringLiteral("invite"), QStringLiteral("create")});
    QCOMPARE(run.exitCode, 0);
    static const QRegularExpression line(QStringLiteral("^invite (\\S+) \\((.*)\\)\n$"));
    QRegularExpressionMatch match = line.match(run.out);
    QVERIFY2(match.hasMatch(), qPrintable(run.out));
    QVERIFY(match.captured(1).size() >= 16);
    QVERIFY2(match.captured(2).startsWith(QLatin1String("1 use, expires ")), qPrintable(run.out));

    run = cli({QStringLiteral("invite"), QStringLiteral("create"), QStringLiteral("--uses"),
               QStringLiteral("5"), QStringLiteral("--expires=0")});
    QCOMPARE(run.exitCode, 0);
    match = line.match(run.out);
    QVERIFY2(match.hasMatch(), qPrintable(run.out));
    QCOMPARE(match.captured(2), QStringLiteral("5 uses, never expires"));
    const QString code = match.captured(1);

    for (const QStringList &bad :
         {QStringList{QStringLiteral("--uses"), QStringLiteral("0")},
          QStringList{QStringLiteral("--expires"), QStringLiteral("-1")},
          QStringList{QStringLiteral("--uses")}, QStringList{QStringLiteral("extra")}}) {
        run = cli(QStringList{QStringLiteral("invite"), QStringLiteral("create")} + bad);
        QVERIFY2(run.exitCode == 2, qPrintable(bad.join(u' ') + QLatin1Char(' ') + run.err));
    }

    // The code registers an account on a server that wants invites.
    if (m_server)
        QVERIFY(stopServer());
    QVERIFY(startServer({QStringLiteral("--db"), m_dbPath, QStringLiteral("--registration"),
                         QStringLiteral("invite")}));
    TestClient client;
    QVERIFY(client.open(m_url));
    chat::proto::Hello hello;
    hello.registration = chat::proto::Registration{
        QStringLiteral("dave"), QStringLiteral("dave's password"), code, {}};
    QVERIFY(client.helloAndWait(hello, 10000));
}

void AdminTest::tokenCreate_data()
{
    BOTH_WAYS();
}

void AdminTest::tokenCreate()
{
    QVERIFY(prepare());
    Run run = cli({QStringLiteral("token"), QStringLiteral("create"), QStringLiteral("bot"),
                   QStringLiteral("--count"), QStringLiteral("3"), QStringLiteral("--device"),
                   QStringLiteral("benchmark")});
    QCOMPARE(run.exitCode, 0);
    const QStringList lines = run.out.split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 3);
    QList<QPair<QString, QString>> tokens;
    for (int i = 0; i < 3; ++i) {
        const QStringList fields = lines[i].split(u' ');
        QCOMPARE(fields.size(), 2);
        QCOMPARE(fields[0], QStringLiteral("bot%1").arg(i + 1));
        QVERIFY(fields[1].size() >= 32);
        tokens.append({fields[0], fields[1]});
    }
    QVERIFY(tokens[0].second != tokens[1].second);

    // A second token for an existing account is a second device.
    run = cli({QStringLiteral("token"), QStringLiteral("create"), QStringLiteral("bot1")});
    QCOMPARE(run.exitCode, 0);
    QVERIFY(run.out.startsWith(QLatin1String("bot1 ")));
    run = cli({QStringLiteral("user"), QStringLiteral("list")});
    QVERIFY2(run.out.contains(QRegularExpression(QStringLiteral("\nbot1 +- +no +no +2 "))),
             qPrintable(run.out));
    QVERIFY2(run.out.contains(QRegularExpression(QStringLiteral("\nbot3 +- +no +no +1 "))),
             qPrintable(run.out));

    // A look-alike of an existing name is refused, and so is a disabled account.
    run = cli({QStringLiteral("token"), QStringLiteral("create"), QStringLiteral("BOT1")});
    QCOMPARE(run.exitCode, 4);
    QVERIFY(
        cli({QStringLiteral("user"), QStringLiteral("disable"), QStringLiteral("bot2")}).exitCode ==
        0);
    run = cli({QStringLiteral("token"), QStringLiteral("create"), QStringLiteral("bot2")});
    QCOMPARE(run.exitCode, 4);
    run = cli({QStringLiteral("token"), QStringLiteral("create"), QStringLiteral("bot"),
               QStringLiteral("--count"), QStringLiteral("0")});
    QCOMPARE(run.exitCode, 2);

    // The tokens log in.
    if (!m_server)
        QVERIFY(startServer());
    TestClient client;
    QVERIFY(client.open(m_url));
    chat::proto::Hello hello;
    hello.token = tokens[2].second;
    QVERIFY(client.helloAndWait(hello, 10000));
    QCOMPARE(client.welcome()->account, QStringLiteral("bot3"));
}

void AdminTest::badUsage_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("mentions");
    const QString user = QStringLiteral("user");
    QTest::addRow("no verb") << QStringList{user} << 2 << QStringLiteral("user add");
    QTest::addRow("unknown verb") << QStringList{user, QStringLiteral("remove"),
                                                 QStringLiteral("x")}
                                  << 2 << QStringLiteral("unknown command");
    QTest::addRow("add without a name")
        << QStringList{user, QStringLiteral("add")} << 2 << QStringLiteral("one account name");
    QTest::addRow("add two names")
        << QStringList{user, QStringLiteral("add"), QStringLiteral("a"), QStringLiteral("b")} << 2
        << QStringLiteral("one account name");
    QTest::addRow("invalid name") << QStringList{user, QStringLiteral("add"),
                                                 QStringLiteral("a\u200bb")}
                                  << 2 << QStringLiteral("account name");
    QTest::addRow("unknown option")
        << QStringList{user, QStringLiteral("list"), QStringLiteral("--all")} << 2
        << QStringLiteral("--all");
    QTest::addRow("the hash is internal")
        << QStringList{user, QStringLiteral("add"), QStringLiteral("eve"),
                       QStringLiteral("--password-hash"), QStringLiteral("$argon2id$x")}
        << 2 << QStringLiteral("--password-stdin");
    QTest::addRow("list on no database")
        << QStringList{user, QStringLiteral("list")} << 3 << QStringLiteral("no database");
    QTest::addRow("help") << QStringList{user, QStringLiteral("--help")} << 0
                          << QStringLiteral("reset-password");
}

void AdminTest::badUsage()
{
    QFETCH(QStringList, arguments);
    QFETCH(int, exitCode);
    QFETCH(QString, mentions);
    const Run run = cli(arguments);
    QVERIFY2(run.exitCode == exitCode, qPrintable(QString::number(run.exitCode) + run.err));
    const QString said = run.out + run.err;
    QVERIFY2(said.contains(mentions), qPrintable(said));
    QVERIFY(!kPasswordLine.match(run.out).hasMatch());
}

// --- the control socket ----------------------------------------------------------------------

void AdminTest::memoryDatabaseNeedsControlSocket()
{
    const QString socket = m_dir->filePath(QStringLiteral("memory.control"));
    const QStringList memory{QStringLiteral("--db"), QStringLiteral(":memory:")};
    // No server: nothing to act on.
    Run run = cli(memory + QStringList{QStringLiteral("user"), QStringLiteral("list")});
    QCOMPARE(run.exitCode, 3);
    QVERIFY2(run.err.contains(QLatin1String("--control-socket")), qPrintable(run.err));
    run = cli(memory + QStringList{QStringLiteral("--control-socket"), socket,
                                   QStringLiteral("user"), QStringLiteral("list")});
    QCOMPARE(run.exitCode, 3);
    QVERIFY2(run.err.contains(QLatin1String("no server answers")), qPrintable(run.err));

    QVERIFY(startServer(memory + QStringList{QStringLiteral("--control-socket"), socket}));
    run = cli(memory + QStringList{QStringLiteral("--control-socket"), socket,
                                   QStringLiteral("token"), QStringLiteral("create"),
                                   QStringLiteral("memo")});
    QCOMPARE(run.exitCode, 0);
    const QString token = run.out.split(u' ').value(1).trimmed();
    TestClient client;
    QVERIFY(client.open(m_url));
    chat::proto::Hello hello;
    hello.token = token;
    QVERIFY(client.helloAndWait(hello, 10000));
    QVERIFY(stopServer());
    QVERIFY(!QFileInfo::exists(socket)); // a clean stop removes it
}

void AdminTest::controlSocketIsPrivate()
{
    QVERIFY(startServer());
    struct stat status
    {};
    QCOMPARE(::lstat(QFile::encodeName(socketPath()).constData(), &status), 0);
    QVERIFY(S_ISSOCK(status.st_mode));
    QCOMPARE(status.st_uid, ::geteuid());
    QVERIFY2((status.st_mode & 077) == 0, qPrintable(QString::number(status.st_mode & 0777, 8)));
    // Nothing else was left beside it (Qt makes it in a private folder, then moves it).
    QCOMPARE(QDir(m_dir->path())
                 .entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::System)
                 .filter(QStringLiteral(".control")),
             QStringList{QStringLiteral("chat.sqlite.control")});
    QVERIFY(stopServer());
    QVERIFY(!QFileInfo::exists(socketPath()));
}

// A socket file that nothing listens on, as a killed server leaves.
static bool makeStaleSocket(const QString &path)
{
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0)
        return false;
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    const QByteArray encoded = QFile::encodeName(path);
    if (size_t(encoded.size()) >= sizeof address.sun_path)
        return false;
    std::memcpy(address.sun_path, encoded.constData(), size_t(encoded.size()));
    const bool bound = ::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0;
    ::close(fd);
    return bound;
}

void AdminTest::staleSocketIsReplaced()
{
    QVERIFY(addUser(QStringLiteral("erin"), QStringLiteral("password three")));
    QVERIFY(makeStaleSocket(socketPath()));
    // The CLI sees that nothing answers and uses the database itself.
    Run run = cli({QStringLiteral("user"), QStringLiteral("list")});
    QCOMPARE(run.exitCode, 0);
    QVERIFY(run.out.contains(QLatin1String("\nerin ")));

    // A server killed with SIGKILL leaves its socket; the next one replaces it.
    QVERIFY(startServer());
    m_server->kill();
    QVERIFY(m_server->waitForFinished(5000));
    QVERIFY(QFileInfo::exists(socketPath()));
    QVERIFY(startServer());
    run = cli({QStringLiteral("user"), QStringLiteral("disable"), QStringLiteral("erin")});
    QCOMPARE(run.exitCode, 0); // the database is the server's: this went through the socket
    // And with the server running, a direct open would fail: prove the CLI did not do that.
    run = cli({QStringLiteral("--db"), m_dbPath, QStringLiteral("--control-socket"),
               m_dir->filePath(QStringLiteral("elsewhere")), QStringLiteral("user"),
               QStringLiteral("list")});
    QCOMPARE(run.exitCode, 3);
}

void AdminTest::foreignFileIsKept()
{
    // A regular file where the socket goes is not ours to delete: the server warns and runs.
    QFile file(socketPath());
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("not a socket");
    file.close();
    QVERIFY(startServer());
    QCOMPARE(QFileInfo(socketPath()).size(), qint64(12));
    // With --control-socket given explicitly, a socket that cannot be made stops the start.
    const QString taken = m_dir->filePath(QStringLiteral("taken"));
    QVERIFY(QFile(taken).open(QIODevice::WriteOnly));
    QProcess second;
    second.setProgram(QStringLiteral(CHAT_SERVER_BINARY));
    second.setArguments({QStringLiteral("--db"), QStringLiteral(":memory:"),
                         QStringLiteral("--port"), QStringLiteral("0"),
                         QStringLiteral("--control-socket"), taken});
    QSignalSpy finished(&second, &QProcess::finished);
    second.start();
    QVERIFY(finished.wait(10000));
    QCOMPARE(second.exitCode(), 1);
    QVERIFY(
        QString::fromUtf8(second.readAllStandardError()).contains(QLatin1String("not a socket")));
}

void AdminTest::hostileRequestsAreDropped()
{
    QVERIFY(startServer());
    const auto dropped = [this](const QByteArray &bytes) {
        QLocalSocket socket;
        socket.connectToServer(socketPath());
        if (!socket.waitForConnected(5000))
            return false;
        QSignalSpy disconnected(&socket, &QLocalSocket::disconnected);
        socket.write(bytes);
        socket.flush();
        // Dropped at once, or at the 5 s deadline for a request that never completes.
        if (socket.state() != QLocalSocket::UnconnectedState && !disconnected.wait(10000))
            return false;
        return socket.readAll().isEmpty(); // no reply
    };
    const auto frame = [](const QByteArray &payload) {
        QByteArray out;
        QDataStream stream(&out, QIODevice::WriteOnly); // big-endian
        stream << quint32(payload.size());
        out.append(payload);
        return out;
    };
    QVERIFY(dropped("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));                // not ours
    QVERIFY(dropped(QByteArray::fromHex("ffffffff")));                    // 4 GiB announced
    QVERIFY(dropped(frame(QByteArray(70 * 1024, 'x'))));                  // over 64 KiB
    QVERIFY(dropped(QByteArray::fromHex("0000")));                        // stops mid-length
    QVERIFY(dropped(frame(QByteArray::fromHex("4348414300010000ffff")))); // 65535 arguments
    QVERIFY(dropped(frame(QByteArray::fromHex("434841430001000000017fffffff")))); // string past end
    QVERIFY(dropped(frame(QByteArray::fromHex("43484143000200000000"))));         // version 2
    QVERIFY(dropped(encodeControlRequest({QStringLiteral("user"), QStringLiteral("list")}) +
                    "trailing"));
    QStringList many;
    for (int i = 0; i < 65; ++i)
        many.append(QStringLiteral("x"));
    QVERIFY(dropped(encodeControlRequest(many)));

    // Well formed but not a command: an answer, exit 2.
    QLocalSocket socket;
    socket.connectToServer(socketPath());
    QVERIFY(socket.waitForConnected(5000));
    socket.write(encodeControlRequest({QStringLiteral("rm"), QStringLiteral("-rf")}));
    QSignalSpy disconnected(&socket, &QLocalSocket::disconnected);
    QVERIFY(socket.state() == QLocalSocket::UnconnectedState || disconnected.wait(5000));
    const QByteArray reply = socket.readAll();
    QVERIFY(reply.size() > 4);
    QString error;
    const std::optional<ControlReply> decoded = decodeControlReply(reply.mid(4), &error);
    QVERIFY2(decoded, qPrintable(error));
    QCOMPARE(decoded->exitCode, 2);

    // The server is still there and answers.
    QCOMPARE(m_server->state(), QProcess::Running);
    QCOMPARE(cli({QStringLiteral("user"), QStringLiteral("list")}).exitCode, 0);
}

void AdminTest::atMostFourConnections()
{
    QVERIFY(startServer());
    std::vector<std::unique_ptr<QLocalSocket>> idle;
    for (int i = 0; i < 4; ++i) {
        idle.push_back(std::make_unique<QLocalSocket>());
        idle.back()->connectToServer(socketPath());
        QVERIFY(idle.back()->waitForConnected(5000));
        idle.back()->write("\0\0", 2); // half a length: the server waits for the rest
        QVERIFY(idle.back()->waitForBytesWritten(5000));
    }
    Run run = cli({QStringLiteral("user"), QStringLiteral("list")});
    QCOMPARE(run.exitCode, 3);
    QVERIFY2(run.err.contains(QLatin1String("busy")), qPrintable(run.err));
    // The idle ones are dropped at their deadline; then commands get through again.
    for (const auto &socket : idle) {
        QSignalSpy disconnected(socket.get(), &QLocalSocket::disconnected);
        QVERIFY(socket->state() == QLocalSocket::UnconnectedState || disconnected.wait(10000));
    }
    QTRY_COMPARE_WITH_TIMEOUT(cli({QStringLiteral("user"), QStringLiteral("list")}).exitCode, 0,
                              5000);
}

// --- live effects ------------------------------------------------------------------------------

void AdminTest::disablingEndsConnections()
{
    QVERIFY(startServer());
    Run run = cli({QStringLiteral("token"), QStringLiteral("create"), QStringLiteral("frank"),
                   QStringLiteral("--count"), QStringLiteral("2")});
    QCOMPARE(run.exitCode, 0);
    const QStringList lines = run.out.split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 2);
    TestClient frank;
    TestClient other;
    for (int i = 0; i < 2; ++i) {
        TestClient &client = i == 0 ? frank : other;
        QVERIFY(client.open(m_url));
        chat::proto::Hello hello;
        hello.token = lines[i].section(u' ', 1);
        QVERIFY(client.helloAndWait(hello, 10000));
    }
    run = cli({QStringLiteral("user"), QStringLiteral("disable"), QStringLiteral("frank1")});
    QCOMPARE(run.exitCode, 0);
    QVERIFY(frank.waitForDisconnected(5000));
    QVERIFY(other.isOpen()); // only that account's connections
    // Its token no longer logs in.
    TestClient again;
    QVERIFY(again.open(m_url));
    chat::proto::Hello hello;
    hello.token = lines[0].section(u' ', 1);
    QVERIFY(!again.helloAndWait(hello, 10000));
    QVERIFY(!again.errors().isEmpty());
    QCOMPARE(again.errors().constFirst().code, chat::proto::ErrorCode::AccountDisabled);
}

void AdminTest::resettingPasswordEndsConnections()
{
    QVERIFY(startServer());
    const Run run =
        cli({QStringLiteral("token"), QStringLiteral("create"), QStringLiteral("grace")});
    QCOMPARE(run.exitCode, 0);
    TestClient grace;
    QVERIFY(grace.open(m_url));
    chat::proto::Hello hello;
    hello.token = run.out.section(u' ', 1).trimmed();
    QVERIFY(grace.helloAndWait(hello, 10000));
    const Run reset =
        cli({QStringLiteral("user"), QStringLiteral("reset-password"), QStringLiteral("grace")});
    QCOMPARE(reset.exitCode, 0);
    QVERIFY2(reset.out.contains(QLatin1String("1 device logged out")), qPrintable(reset.out));
    QVERIFY(grace.waitForDisconnected(5000));
}

QTEST_GUILESS_MAIN(AdminTest)
#include "tst_admin.moc"
