// The chat-client program itself, without a display (over SSH, in a script): --help and
// --version answer on stdout and exit 0 instead of aborting for want of a window system.
#include <QProcess>
#include <QTest>

class ClientProcessTest : public QObject
{
    Q_OBJECT
private slots:
    void answersWithoutDisplay_data();
    void answersWithoutDisplay();
};

void ClientProcessTest::answersWithoutDisplay_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QStringList>("expected"); // all of these on stdout
    const QStringList usage{QStringLiteral("Usage:"), QStringLiteral("--url"),
                            QStringLiteral("--account"), QStringLiteral("--token-store"),
                            QStringLiteral("--ca")};
    QTest::addRow("--help") << QStringList{QStringLiteral("--help")} << usage;
    QTest::addRow("-h") << QStringList{QStringLiteral("-h")} << usage;
    QTest::addRow("--help-all") << QStringList{QStringLiteral("--help-all")} << usage;
    QTest::addRow("--help after other options")
        << QStringList{QStringLiteral("--url"), QStringLiteral("localhost:8080"),
                       QStringLiteral("--help")}
        << usage;
    const QStringList version{QStringLiteral("chat-client"), QStringLiteral(CHAT_VERSION)};
    QTest::addRow("--version") << QStringList{QStringLiteral("--version")} << version;
    QTest::addRow("-v") << QStringList{QStringLiteral("-v")} << version;
}

void ClientProcessTest::answersWithoutDisplay()
{
    QFETCH(QStringList, arguments);
    QFETCH(QStringList, expected);
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    for (const char *name : {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"})
        environment.remove(QString::fromLatin1(name));
    QProcess process;
    process.setProcessEnvironment(environment);
    process.start(QStringLiteral(CHAT_CLIENT_BINARY), arguments);
    QVERIFY2(process.waitForFinished(10000), "chat-client did not finish");
    const QString output = QString::fromUtf8(process.readAllStandardOutput());
    const QString errors = QString::fromUtf8(process.readAllStandardError());
    QVERIFY2(process.exitStatus() == QProcess::NormalExit, qPrintable(errors)); // not aborted
    QVERIFY2(process.exitCode() == 0, qPrintable(errors));
    for (const QString &text : expected)
        QVERIFY2(output.contains(text), qPrintable(text + QStringLiteral(" not in: ") + output));
}

QTEST_GUILESS_MAIN(ClientProcessTest)
#include "tst_clientprocess.moc"
