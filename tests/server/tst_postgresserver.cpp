// The throw-away PostgreSQL of the tests (tests/support/postgresserver.h): made, reachable over
// TCP, databases created, stopped, crashed and started again with its data. And it, like nginx
// (nginxserver.h), dies with a test that is killed: CI runs the suite twice on one machine.
#include "freeport.h"
#include "nginxserver.h"
#include "postgresserver.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QTest>

#include <csignal>
#include <cstdio>

using chat::test::PostgresServer;

class PostgresServerTest : public QObject
{
    Q_OBJECT
private slots:
    void startsStopsAndKeepsData();
    void serversDieWithAKilledTest();
};

namespace {

constexpr char kHoldServers[] = "--hold-servers";

// Alive and not a zombie waiting for its parent.
bool isAlive(qint64 pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return false;
    const QByteArray line = stat.readAll();
    const qsizetype afterName = line.lastIndexOf(')');
    return afterName > 0 && line.mid(afterName + 2, 1) != "Z";
}

// The helper process of serversDieWithAKilledTest: starts both servers, says their process ids
// and folders on one line, and waits to be killed.
int holdServers()
{
    PostgresServer postgres;
    chat::test::NginxServer nginx;
    if (!postgres.start() || !nginx.start({chat::test::freePort()})) {
        std::fprintf(stderr, "%s%s\n", qPrintable(postgres.errorString()),
                     qPrintable(nginx.errorString()));
        return 1;
    }
    std::printf("%lld %lld %s %s\n", postgres.serverPid(), nginx.processId(),
                qPrintable(postgres.socketDirectory()), qPrintable(nginx.directory()));
    std::fflush(stdout);
    return QCoreApplication::exec();
}

} // namespace

void PostgresServerTest::startsStopsAndKeepsData()
{
    PostgresServer server;
    CHAT_START_POSTGRES(server);
    QVERIFY(server.port() > 0);
    const QString url = server.createDatabase(QStringLiteral("chat"));
    QCOMPARE(url, QStringLiteral("postgresql://postgres@127.0.0.1:%1/chat").arg(server.port()));
    QVERIFY2(server.execute(QStringLiteral("CREATE TABLE t (v int); INSERT INTO t VALUES (7)"),
                            QStringLiteral("chat")),
             qPrintable(server.errorString()));

    QVERIFY2(server.restart(), qPrintable(server.errorString()));
    QString value;
    QVERIFY(server.execute(QStringLiteral("SELECT v FROM t"), QStringLiteral("chat"), &value));
    QCOMPARE(value, QStringLiteral("7"));

    // A crash loses nothing committed; while down nothing answers.
    QVERIFY(server.execute(QStringLiteral("INSERT INTO t VALUES (8)"), QStringLiteral("chat")));
    QVERIFY(server.kill());
    QVERIFY(!server.isRunning());
    QVERIFY(!server.execute(QStringLiteral("SELECT 1")));
    QVERIFY2(server.start(), qPrintable(server.errorString()));
    QVERIFY(server.execute(QStringLiteral("SELECT sum(v) FROM t"), QStringLiteral("chat"), &value));
    QCOMPARE(value, QStringLiteral("15"));
    QVERIFY(server.createDatabase(QStringLiteral("chat")).isEmpty()); // exists already
    QVERIFY(server.stop());
}

void PostgresServerTest::serversDieWithAKilledTest()
{
    if (const QString why = PostgresServer::missingReason(); !why.isEmpty())
        QSKIP(qPrintable(why));
    if (const QString why = chat::test::NginxServer::missingReason(); !why.isEmpty())
        QSKIP(qPrintable(why));
    QProcess helper;
    helper.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    helper.start(QCoreApplication::applicationFilePath(), {QLatin1String(kHoldServers)});
    QVERIFY(helper.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(helper.canReadLine() || helper.state() == QProcess::NotRunning,
                             120000);
    const QStringList held = QString::fromLocal8Bit(helper.readLine()).trimmed().split(u' ');
    QCOMPARE(held.size(), 4);
    const qint64 postgres = held.at(0).toLongLong();
    const qint64 nginx = held.at(1).toLongLong();
    QVERIFY(isAlive(postgres));
    QVERIFY(isAlive(nginx));

    ::kill(pid_t(helper.processId()), SIGKILL); // no destructor runs in there
    QVERIFY(helper.waitForFinished());
    QTRY_VERIFY_WITH_TIMEOUT(!isAlive(postgres), 20000);
    QTRY_VERIFY_WITH_TIMEOUT(!isAlive(nginx), 20000);

    // What the helper would have removed.
    for (const QString &folder : held.mid(2)) {
        QVERIFY(folder.startsWith(QDir::tempPath()));
        QDir(folder).removeRecursively();
    }
}

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    if (argc == 2 && qstrcmp(argv[1], kHoldServers) == 0)
        return holdServers();
    PostgresServerTest test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}
#include "tst_postgresserver.moc"
