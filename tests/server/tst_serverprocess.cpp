// The chat-server program itself: its stdout (the `listening on` line, then the addresses people
// can open), a conversation through it, a clean stop on SIGTERM/SIGINT, registration by invite
// (a code from `chat-server invite create` over the control socket) or not at all, and its exit
// codes for a taken port and bad options; on PostgreSQL (--db postgresql://...) it keeps the
// history across a restart.
#include "postgresserver.h"
#include "testclient.h"

#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using chat::test::TestClient;

class ServerProcessTest : public QObject
{
    Q_OBJECT
private slots:
    void cleanup();

    void chatsAndStopsCleanlyOnSignal_data();
    void chatsAndStopsCleanlyOnSignal();
    void keepsHistoryInPostgresAcrossRestart();
    void inviteRegistration();
    void closedRegistration();
    void printsAddressesPeopleCanOpen_data();
    void printsAddressesPeopleCanOpen();
    void portInUseFails();
    void badOptionValueExits2_data();
    void badOptionValueExits2();
    void versionAndHelp_data();
    void versionAndHelp();

private:
    // Starts chat-server with the arguments; no waiting.
    QProcess *start(const QStringList &arguments);
    // Runs `chat-server --control-socket PATH invite create` against the running server and
    // returns the code it printed; empty on failure.
    [[nodiscard]] QString createInvite(const QString &controlSocket);
    // Sends a registration hello for `name` (with `invite` when not empty); true when the server
    // refused it with `code` and closed the connection with 1008, as for any refused hello.
    [[nodiscard]] bool registrationRefused(const QUrl &url, const QString &name,
                                           const QString &invite, chat::proto::ErrorCode code);
    // Waits for the process to end; false on timeout.
    [[nodiscard]] bool waitFinished(int timeoutMs = 10000);
    // Reads stdout until the `listening on` line, and the address lines written with it into
    // m_addressLines; an invalid URL on failure.
    [[nodiscard]] QUrl waitListening();

    std::unique_ptr<QProcess> m_process;
    QStringList m_addressLines;
};

QProcess *ServerProcessTest::start(const QStringList &arguments)
{
    m_process = std::make_unique<QProcess>();
    m_process->setProgram(QStringLiteral(CHAT_SERVER_BINARY));
    // A history in memory: nothing lands in the user's data folder, and copies run side by side.
    m_process->setArguments(QStringList{QStringLiteral("--db"), QStringLiteral(":memory:")} +
                            arguments);
    m_process->start();
    return m_process.get();
}

bool ServerProcessTest::waitFinished(int timeoutMs)
{
    if (m_process->state() == QProcess::NotRunning)
        return true;
    QSignalSpy finished(m_process.get(), &QProcess::finished);
    return finished.wait(timeoutMs);
}

QUrl ServerProcessTest::waitListening()
{
    QSignalSpy output(m_process.get(), &QProcess::readyReadStandardOutput);
    QDeadlineTimer deadline(10000);
    while (!m_process->canReadLine()) {
        if (deadline.hasExpired() || m_process->state() == QProcess::NotRunning)
            return {};
        output.wait(qMax(1, int(deadline.remainingTime())));
    }
    const QString line = QString::fromUtf8(m_process->readLine()).trimmed();
    static const QRegularExpression pattern(QStringLiteral("^listening on (ws://\\S+/)$"));
    const QRegularExpressionMatch match = pattern.match(line);
    if (!match.hasMatch()) {
        qWarning("unexpected first line: %s", qPrintable(line));
        return {};
    }
    // The lines for people come in the same write as the first one.
    m_addressLines.clear();
    while (m_process->canReadLine())
        m_addressLines.append(QString::fromUtf8(m_process->readLine()).chopped(1));
    return QUrl(match.captured(1));
}

void ServerProcessTest::cleanup()
{
    chat::test::TokenBook::clear(); // the next server may get the same port
    if (m_process && m_process->state() != QProcess::NotRunning) {
        m_process->kill();
        m_process->waitForFinished(5000);
    }
    m_process.reset();
}

void ServerProcessTest::chatsAndStopsCleanlyOnSignal_data()
{
    QTest::addColumn<int>("signalNumber");
    QTest::addRow("SIGTERM") << int(SIGTERM);
    QTest::addRow("SIGINT") << int(SIGINT);
}

void ServerProcessTest::chatsAndStopsCleanlyOnSignal()
{
    QFETCH(int, signalNumber);
    start({QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--host"),
           QStringLiteral("127.0.0.1"), QStringLiteral("--name"), QStringLiteral("proc")});
    const QUrl url = waitListening();
    QVERIFY(url.isValid());
    QCOMPARE(url.host(), QStringLiteral("127.0.0.1"));
    QVERIFY(url.port() > 0);

    TestClient alice;
    TestClient bob;
    QVERIFY(alice.open(url));
    QVERIFY(bob.open(url));
    QVERIFY(alice.helloAndWait(QStringLiteral("alice")));
    QCOMPARE(alice.welcome()->server, QStringLiteral("proc"));
    QVERIFY(bob.helloAndWait(QStringLiteral("bob")));
    const QString id = alice.send(QStringLiteral("hello through a real process"));
    QVERIFY(bob.waitForMessages(1));
    QCOMPARE(bob.messages()[0].id, id);
    QCOMPARE(bob.messages()[0].from, QStringLiteral("alice"));
    QVERIFY(alice.waitForMessages(1));

    QCOMPARE(::kill(pid_t(m_process->processId()), signalNumber), 0);
    for (TestClient *client : {&alice, &bob}) {
        QVERIFY(client->waitForDisconnected());
        QCOMPARE(client->closeCode(), QWebSocketProtocol::CloseCodeGoingAway);
    }
    QVERIFY(waitFinished());
    QCOMPARE(m_process->exitStatus(), QProcess::NormalExit);
    QCOMPARE(m_process->exitCode(), 0);
    QCOMPARE(m_process->readAllStandardOutput(), QByteArray()); // nothing after the addresses
    for (const TestClient *client : {&alice, &bob}) {
        QCOMPARE(client->undecodableFrames(), 0);
        QCOMPARE(client->socketErrors(), 0);
    }
}

void ServerProcessTest::keepsHistoryInPostgresAcrossRestart()
{
    chat::test::PostgresServer postgres;
    CHAT_START_POSTGRES(postgres);
    const QString database = postgres.createDatabase(QStringLiteral("proc"));
    QVERIFY(!database.isEmpty());
    // The same port both times: alice logs in again with the token of that address. The later
    // --db wins over start()'s :memory:.
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
    const QString port = QString::number(probe.serverPort());
    probe.close();
    const QStringList arguments = {QStringLiteral("--db"),   database,
                                   QStringLiteral("--port"), port,
                                   QStringLiteral("--host"), QStringLiteral("127.0.0.1")};
    start(arguments);
    QUrl url = waitListening();
    QVERIFY(url.isValid());
    // No file to put a control socket beside: the log says so, and warns of nothing.
    QString log;
    QTRY_VERIFY2((log += QString::fromUtf8(m_process->readAllStandardError()))
                     .contains(QStringLiteral("no control socket (--db is a PostgreSQL URL")),
                 qPrintable(log));
    QVERIFY2(!log.contains(QStringLiteral("warning")), qPrintable(log));
    QString instance;
    QString id;
    {
        TestClient alice;
        QVERIFY(alice.open(url));
        QVERIFY(alice.helloAndWait(QStringLiteral("alice")));
        instance = alice.welcome()->instance;
        id = alice.send(QStringLiteral("kept in PostgreSQL"));
        QVERIFY(alice.waitForMessages(1));
        QCOMPARE(alice.messages()[0].seq, 1);
    }
    QCOMPARE(::kill(pid_t(m_process->processId()), SIGTERM), 0);
    QVERIFY(waitFinished());
    QCOMPARE(m_process->exitCode(), 0);

    start(arguments);
    url = waitListening();
    QVERIFY(url.isValid());
    TestClient again;
    QVERIFY(again.open(url));
    chat::proto::Hello hello = again.helloFor(QStringLiteral("alice"), 0);
    hello.instance = instance;
    QVERIFY(again.helloAndWait(hello));
    QCOMPARE(again.welcome()->instance, instance); // the same history
    QCOMPARE(again.welcome()->seq, 1);
    // The resume carries what the first process stored.
    const QList<chat::proto::Message> history = again.welcome()->history;
    QCOMPARE(history.size(), 1);
    QCOMPARE(history[0].id, id);
    QCOMPARE(history[0].text, QStringLiteral("kept in PostgreSQL"));
}

QString ServerProcessTest::createInvite(const QString &controlSocket)
{
    QProcess cli;
    // :memory: keeps the command away from the user's database: only the server can answer.
    cli.start(QStringLiteral(CHAT_SERVER_BINARY),
              {QStringLiteral("--db"), QStringLiteral(":memory:"),
               QStringLiteral("--control-socket"), controlSocket, QStringLiteral("invite"),
               QStringLiteral("create")});
    QSignalSpy finished(&cli, &QProcess::finished);
    if (!finished.wait(10000) || cli.exitStatus() != QProcess::NormalExit || cli.exitCode() != 0) {
        qWarning("invite create failed: %s", cli.readAllStandardError().constData());
        return {};
    }
    // "invite CODE (1 use, expires ...)"
    const QString output = QString::fromUtf8(cli.readAllStandardOutput());
    static const QRegularExpression pattern(QStringLiteral("^invite (\\S+) \\("));
    const QRegularExpressionMatch match = pattern.match(output);
    if (!match.hasMatch())
        qWarning("unexpected invite create output: %s", qPrintable(output));
    return match.captured(1);
}

bool ServerProcessTest::registrationRefused(const QUrl &url, const QString &name,
                                            const QString &invite, chat::proto::ErrorCode code)
{
    TestClient client;
    if (!client.open(url))
        return false;
    chat::proto::Hello hello;
    hello.registration =
        chat::proto::Registration{name, chat::test::kTestPassword, invite, QString()};
    if (client.helloAndWait(hello) || !client.waitForDisconnected())
        return false;
    return !client.welcome() && client.errors().size() == 1 &&
           client.errors().constFirst().code == code &&
           client.closeCode() == QWebSocketProtocol::CloseCodePolicyViolated;
}

void ServerProcessTest::inviteRegistration()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString controlSocket = dir.filePath(QStringLiteral("control"));
    start({QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--host"),
           QStringLiteral("127.0.0.1"), QStringLiteral("--registration"), QStringLiteral("invite"),
           QStringLiteral("--control-socket"), controlSocket});
    const QUrl url = waitListening();
    QVERIFY2(url.isValid(), m_process->readAllStandardError().constData());

    // No invite, or one nobody made: refused.
    QVERIFY(registrationRefused(url, QStringLiteral("stranger"), QString(),
                                chat::proto::ErrorCode::InviteInvalid));
    QVERIFY(registrationRefused(url, QStringLiteral("stranger"), QStringLiteral("NOSUCHCODE"),
                                chat::proto::ErrorCode::InviteInvalid));

    // An invite from the admin command lets one registration through, once (1 use by default).
    const QString invite = createInvite(controlSocket);
    QVERIFY(!invite.isEmpty());
    TestClient member;
    QVERIFY(member.open(url));
    chat::proto::Hello hello;
    hello.registration =
        chat::proto::Registration{QStringLiteral("member"), chat::test::kTestPassword, invite, {}};
    QVERIFY(member.helloAndWait(hello));
    QCOMPARE(member.welcome()->account, QStringLiteral("member"));
    QVERIFY(!member.welcome()->token.isEmpty());
    QVERIFY(member.errors().isEmpty());
    QVERIFY(registrationRefused(url, QStringLiteral("second"), invite,
                                chat::proto::ErrorCode::InviteInvalid));

    // The account it made logs in with its token without an invite, and can chat.
    TestClient device;
    QVERIFY(device.open(url));
    QVERIFY(device.helloAndWait(QStringLiteral("member")));
    QCOMPARE(device.welcome()->account, QStringLiteral("member"));
    const QString id = device.send(QStringLiteral("let in by invite"));
    QVERIFY(member.waitForMessages(1));
    QCOMPARE(member.messages().constFirst().id, id);
}

void ServerProcessTest::closedRegistration()
{
    start({QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--host"),
           QStringLiteral("127.0.0.1"), QStringLiteral("--registration"),
           QStringLiteral("closed")});
    const QUrl url = waitListening();
    QVERIFY2(url.isValid(), m_process->readAllStandardError().constData());
    QVERIFY(registrationRefused(url, QStringLiteral("stranger"), QString(),
                                chat::proto::ErrorCode::RegistrationClosed));
    // An invite code does not open a closed server either.
    QVERIFY(registrationRefused(url, QStringLiteral("stranger"), QStringLiteral("ANYCODE"),
                                chat::proto::ErrorCode::RegistrationClosed));
}

void ServerProcessTest::printsAddressesPeopleCanOpen_data()
{
    QTest::addColumn<QString>("host");
    QTest::addColumn<QString>("firstLineHost"); // what the machine-readable line keeps saying
    QTest::addColumn<QString>("mustList");      // one of the lines is for this address
    QTest::addRow("every address")
        << QStringLiteral("any") << QStringLiteral("0.0.0.0") << QStringLiteral("127.0.0.1");
    QTest::addRow("every IPv4 address")
        << QStringLiteral("0.0.0.0") << QStringLiteral("0.0.0.0") << QStringLiteral("127.0.0.1");
    QTest::addRow("loopback only") << QStringLiteral("127.0.0.1") << QStringLiteral("127.0.0.1")
                                   << QStringLiteral("127.0.0.1");
}

void ServerProcessTest::printsAddressesPeopleCanOpen()
{
    QFETCH(QString, host);
    QFETCH(QString, firstLineHost);
    QFETCH(QString, mustList);
    start({QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--host"), host});
    const QUrl url = waitListening();
    QVERIFY(url.isValid());
    QCOMPARE(url.host(), firstLineHost);
    QVERIFY(!m_addressLines.isEmpty());

    // Each line: "  browser: http://A:P/   desktop client: ws://A:P/", and both work.
    static const QRegularExpression pattern(
        QStringLiteral("^  browser: (http://\\S+/) +desktop client: (ws://\\S+/)"));
    QNetworkAccessManager web;
    web.setProxy(QNetworkProxy::NoProxy);
    QStringList hosts;
    for (const QString &line : std::as_const(m_addressLines)) {
        const QRegularExpressionMatch match = pattern.match(line);
        QVERIFY2(match.hasMatch(), qPrintable(line));
        const QUrl page(match.captured(1));
        const QUrl chat(match.captured(2));
        QCOMPARE(page.port(), url.port());
        QCOMPARE(chat.host(), page.host());
        QCOMPARE(chat.port(), url.port());
        QVERIFY2(page.host() != QLatin1String("0.0.0.0") && page.host() != QLatin1String("::"),
                 qPrintable(line));
        hosts.append(page.host());

        QNetworkReply *reply =
            web.get(QNetworkRequest(page.resolved(QUrl(QStringLiteral("healthz")))));
        QSignalSpy finished(reply, &QNetworkReply::finished);
        QVERIFY2(reply->isFinished() || finished.wait(5000), qPrintable(line));
        QVERIFY2(reply->error() == QNetworkReply::NoError,
                 qPrintable(line + QStringLiteral(": ") + reply->errorString()));
        reply->deleteLater();

        TestClient client;
        QVERIFY2(client.open(chat), qPrintable(line));
        QVERIFY2(client.helloAndWait(QStringLiteral("visitor%1").arg(hosts.size())),
                 qPrintable(line));
    }
    QVERIFY2(hosts.contains(mustList), qPrintable(m_addressLines.join(u'\n')));
    if (host == QLatin1String("127.0.0.1"))
        QCOMPARE(hosts, QStringList{mustList});
    QVERIFY2(m_addressLines.constFirst().endsWith(QLatin1String("(this machine only)")),
             qPrintable(m_addressLines.constFirst()));
}

void ServerProcessTest::portInUseFails()
{
    QTcpServer occupant;
    QVERIFY(occupant.listen(QHostAddress::LocalHost));
    start({QStringLiteral("--port"), QString::number(occupant.serverPort()),
           QStringLiteral("--host"), QStringLiteral("127.0.0.1")});
    QVERIFY(waitFinished());
    QCOMPARE(m_process->exitStatus(), QProcess::NormalExit);
    QCOMPARE(m_process->exitCode(), 1);
    QCOMPARE(m_process->readAllStandardOutput(), QByteArray());
    const QString error = QString::fromUtf8(m_process->readAllStandardError());
    QVERIFY2(error.contains(QLatin1String("cannot listen")), qPrintable(error));
}

void ServerProcessTest::badOptionValueExits2_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("mentions");
    const QString port = QStringLiteral("--port");
    const QString history = QStringLiteral("--history");
    const QString host = QStringLiteral("--host");
    QTest::addRow("port not a number") << QStringList{port, QStringLiteral("http")} << port;
    QTest::addRow("port too big") << QStringList{port, QStringLiteral("65536")} << port;
    QTest::addRow("port negative") << QStringList{port, QStringLiteral("-1")} << port;
    QTest::addRow("history negative") << QStringList{history, QStringLiteral("-5")} << history;
    QTest::addRow("history not a number")
        << QStringList{history, QStringLiteral("lots")} << history;
    QTest::addRow("host not an address")
        << QStringList{host, QStringLiteral("no.such host")} << host;
    QTest::addRow("empty name") << QStringList{QStringLiteral("--name"), QStringLiteral(" ")}
                                << QStringLiteral("--name");
    QTest::addRow("token file removed")
        << QStringList{QStringLiteral("--token-file"), QStringLiteral("/dev/null")}
        << QStringLiteral("--token-file was removed in version 2: accounts replace the shared "
                          "token; use --registration invite (docs/security.md).");
    QTest::addRow("unknown option")
        << QStringList{QStringLiteral("--colour")} << QStringLiteral("colour");
    QTest::addRow("missing value") << QStringList{port} << port.mid(2);
    QTest::addRow("stray argument")
        << QStringList{QStringLiteral("8080")} << QStringLiteral("8080");
}

void ServerProcessTest::badOptionValueExits2()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, mentions);
    start(arguments);
    QVERIFY(waitFinished());
    QCOMPARE(m_process->exitStatus(), QProcess::NormalExit);
    QCOMPARE(m_process->exitCode(), 2);
    QCOMPARE(m_process->readAllStandardOutput(), QByteArray());
    const QString error = QString::fromUtf8(m_process->readAllStandardError());
    QVERIFY2(error.contains(mentions), qPrintable(error));
}

void ServerProcessTest::versionAndHelp_data()
{
    QTest::addColumn<QString>("option");
    QTest::addColumn<QString>("expected");
    QTest::addRow("--version") << QStringLiteral("--version") << QStringLiteral(CHAT_VERSION);
    QTest::addRow("--help") << QStringLiteral("--help") << QStringLiteral("--history");
}

void ServerProcessTest::versionAndHelp()
{
    QFETCH(QString, option);
    QFETCH(QString, expected);
    start({option});
    QVERIFY(waitFinished());
    QCOMPARE(m_process->exitStatus(), QProcess::NormalExit);
    QCOMPARE(m_process->exitCode(), 0);
    const QString output = QString::fromUtf8(m_process->readAllStandardOutput());
    QVERIFY2(output.contains(expected), qPrintable(output));
}

QTEST_GUILESS_MAIN(ServerProcessTest)
#include "tst_serverprocess.moc"
