// The throw-away PostgreSQL of the tests (tests/support/postgresserver.h): made, reachable over
// TCP, databases created, stopped, crashed and started again with its data.
#include "postgresserver.h"

#include <QTest>

using chat::test::PostgresServer;

class PostgresServerTest : public QObject
{
    Q_OBJECT
private slots:
    void startsStopsAndKeepsData();
};

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

QTEST_GUILESS_MAIN(PostgresServerTest)
#include "tst_postgresserver.moc"
