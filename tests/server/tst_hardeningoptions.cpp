// chat-server's hardening and account options on the real program: each shows its default in
// --help, bad values are refused with exit code 2 and a message naming the option, and each one
// given on the command line takes effect (a connection is refused, closed or limited as it says).
// --token-file, removed in version 2, is refused with a pointer to --registration invite and is
// not in --help.
#include "codec.h"
#include "rawwsclient.h"
#include "testclient.h"

#include <QFile>
#include <QNetworkRequest>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace chat::proto;
using chat::test::RawWsClient;
using chat::test::TestClient;

namespace {

QByteArray helloFrame(const QString &nick)
{
    Hello hello;
    hello.registration = chat::proto::Registration{nick, chat::test::kTestPassword, {}, {}};
    return encode(hello);
}

} // namespace

class HardeningOptionsTest : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }
    void cleanup();

    void helpShowsEveryDefault_data();
    void helpShowsEveryDefault();
    void badValueExits2_data();
    void badValueExits2();
    void tokenFileHiddenFromHelp();
    void optionTakesEffect_data();
    void optionTakesEffect();

private:
    QProcess *start(const QStringList &arguments);
    [[nodiscard]] bool waitFinished();
    // Reads the `listening on` line; an invalid URL when the program did not get there.
    [[nodiscard]] QUrl waitListening();
    [[nodiscard]] QString writeFile(const QString &name, const QByteArray &content,
                                    QFile::Permissions permissions = QFile::ReadOwner |
                                                                     QFile::WriteOwner);

    QTemporaryDir m_dir;
    std::unique_ptr<QProcess> m_process;
};

QProcess *HardeningOptionsTest::start(const QStringList &arguments)
{
    m_process = std::make_unique<QProcess>();
    m_process->start(QStringLiteral(CHAT_SERVER_BINARY),
                     QStringList{QStringLiteral("--db"), QStringLiteral(":memory:"),
                                 QStringLiteral("--host"), QStringLiteral("127.0.0.1"),
                                 QStringLiteral("--port"), QStringLiteral("0")} +
                         arguments);
    return m_process.get();
}

bool HardeningOptionsTest::waitFinished()
{
    if (m_process->state() == QProcess::NotRunning)
        return true;
    QSignalSpy finished(m_process.get(), &QProcess::finished);
    return finished.wait(10000);
}

QUrl HardeningOptionsTest::waitListening()
{
    QSignalSpy output(m_process.get(), &QProcess::readyReadStandardOutput);
    QDeadlineTimer deadline(10000);
    while (!m_process->canReadLine()) {
        if (deadline.hasExpired() || m_process->state() == QProcess::NotRunning)
            return {};
        output.wait(qMax(1, int(deadline.remainingTime())));
    }
    static const QRegularExpression pattern(QStringLiteral("^listening on (ws://\\S+/)$"));
    const QRegularExpressionMatch match =
        pattern.match(QString::fromUtf8(m_process->readLine()).trimmed());
    return match.hasMatch() ? QUrl(match.captured(1)) : QUrl();
}

QString HardeningOptionsTest::writeFile(const QString &name, const QByteArray &content,
                                        QFile::Permissions permissions)
{
    const QString path = m_dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return {};
    file.write(content);
    file.close();
    file.setPermissions(permissions);
    return path;
}

void HardeningOptionsTest::cleanup()
{
    chat::test::TokenBook::clear(); // the next server may get the same port
    if (m_process && m_process->state() != QProcess::NotRunning) {
        m_process->kill();
        QVERIFY(waitFinished());
    }
    m_process.reset();
}

void HardeningOptionsTest::helpShowsEveryDefault_data()
{
    QTest::addColumn<QString>("option");
    QTest::addColumn<QString>("defaultValue");
    QTest::addRow("--ping-interval") << QStringLiteral("--ping-interval") << QStringLiteral("15");
    QTest::addRow("--handshake-timeout")
        << QStringLiteral("--handshake-timeout") << QStringLiteral("5");
    QTest::addRow("--hello-timeout") << QStringLiteral("--hello-timeout") << QStringLiteral("5");
    QTest::addRow("--max-message-bytes")
        << QStringLiteral("--max-message-bytes") << QStringLiteral("65536");
    QTest::addRow("--rate") << QStringLiteral("--rate") << QStringLiteral("10");
    QTest::addRow("--burst") << QStringLiteral("--burst") << QStringLiteral("20");
    QTest::addRow("--max-connections")
        << QStringLiteral("--max-connections") << QStringLiteral("10000");
    QTest::addRow("--max-per-ip") << QStringLiteral("--max-per-ip") << QStringLiteral("64");
    QTest::addRow("--max-outbox-bytes")
        << QStringLiteral("--max-outbox-bytes") << QStringLiteral("1048576");
    QTest::addRow("--max-welcome-bytes")
        << QStringLiteral("--max-welcome-bytes") << QStringLiteral("262144");
    QTest::addRow("--max-bytes-rate")
        << QStringLiteral("--max-bytes-rate") << QStringLiteral("32768");
    QTest::addRow("--max-address-bytes-rate")
        << QStringLiteral("--max-address-bytes-rate") << QStringLiteral("131072");
    QTest::addRow("--registration") << QStringLiteral("--registration") << QStringLiteral("open");
    QTest::addRow("--max-registrations-per-address")
        << QStringLiteral("--max-registrations-per-address") << QStringLiteral("5");
    QTest::addRow("--token-expiry-days")
        << QStringLiteral("--token-expiry-days") << QStringLiteral("90");
    QTest::addRow("--hash-workers") << QStringLiteral("--hash-workers") << QStringLiteral("0");
    QTest::addRow("--cert") << QStringLiteral("--cert") << QStringLiteral("none");
    QTest::addRow("--allow-origin") << QStringLiteral("--allow-origin") << QStringLiteral("any");
}

void HardeningOptionsTest::helpShowsEveryDefault()
{
    QFETCH(QString, option);
    QFETCH(QString, defaultValue);
    start({QStringLiteral("--help")});
    QVERIFY(waitFinished());
    QCOMPARE(m_process->exitCode(), 0);
    // Each option's paragraph, up to the line of the next option, names its default.
    const QStringList lines = QString::fromUtf8(m_process->readAllStandardOutput()).split(u'\n');
    QString paragraph;
    for (const QString &line : lines) {
        const bool startsOption = line.startsWith(QLatin1String("  -"));
        if (startsOption && !paragraph.isEmpty())
            break;
        if (startsOption ? line.trimmed().startsWith(option + u' ') : !paragraph.isEmpty())
            paragraph += line.simplified() + u' ';
    }
    QVERIFY2(!paragraph.isEmpty(), qPrintable(option));
    QVERIFY2(paragraph.contains(QStringLiteral("(default: ") + defaultValue),
             qPrintable(paragraph));
}

void HardeningOptionsTest::badValueExits2_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("mentions");
    const auto row = [](const char *option, const QString &value) {
        QTest::addRow("%s %s", option, qPrintable(value))
            << QStringList{QLatin1String(option), value} << QString::fromLatin1(option);
    };
    row("--ping-interval", QStringLiteral("-1"));
    row("--ping-interval", QStringLiteral("0.01"));
    row("--ping-interval", QStringLiteral("often"));
    row("--handshake-timeout", QStringLiteral("0"));
    row("--hello-timeout", QStringLiteral("1000"));
    row("--max-message-bytes", QStringLiteral("4095"));
    row("--rate", QStringLiteral("-2"));
    row("--rate", QStringLiteral("fast"));
    row("--burst", QStringLiteral("0"));
    row("--max-connections", QStringLiteral("-1"));
    row("--max-per-ip", QStringLiteral("lots"));
    row("--max-outbox-bytes", QStringLiteral("1000"));
    row("--max-bytes-rate", QStringLiteral("100")); // below one largest message in 8 s
    row("--max-address-bytes-rate", QStringLiteral("-1"));
    row("--allow-origin", QStringLiteral("chat.example.org"));
    row("--allow-origin", QStringLiteral("https://chat.example.org/page"));
    row("--registration", QStringLiteral("public"));
    row("--registration", QString());
    row("--max-registrations-per-address", QStringLiteral("-1"));
    row("--max-registrations-per-address", QStringLiteral("1000001"));
    row("--max-registrations-per-address", QStringLiteral("many"));
    row("--token-expiry-days", QStringLiteral("-1"));
    row("--token-expiry-days", QStringLiteral("36501"));
    row("--token-expiry-days", QStringLiteral("soon"));
    row("--hash-workers", QStringLiteral("-1"));
    row("--hash-workers", QStringLiteral("65"));
    row("--hash-workers", QStringLiteral("all"));
    // Removed in version 2: refused even with a good file, and the file is not read.
    QTest::addRow("--token-file (removed)")
        << QStringList{QStringLiteral("--token-file"),
                       writeFile(QStringLiteral("token"), QByteArray("s3cret\n"))}
        << QStringLiteral("--token-file was removed in version 2: accounts replace the shared "
                          "token; use --registration invite (docs/security.md).");
}

void HardeningOptionsTest::badValueExits2()
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

void HardeningOptionsTest::tokenFileHiddenFromHelp()
{
    start({QStringLiteral("--help")});
    QVERIFY(waitFinished());
    QCOMPARE(m_process->exitCode(), 0);
    const QString help = QString::fromUtf8(m_process->readAllStandardOutput());
    QVERIFY2(help.contains(QLatin1String("--registration")), qPrintable(help));
    QVERIFY2(!help.contains(QLatin1String("--token-file")), qPrintable(help));
}

enum class Probe {
    PingInterval,
    HelloTimeout,
    HandshakeTimeout,
    MaxMessageBytes,
    Rate,
    MaxConnections,
    MaxPerIp,
    AllowOrigin,
};
Q_DECLARE_METATYPE(Probe)

void HardeningOptionsTest::optionTakesEffect_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<Probe>("probe");
    QTest::addRow("--ping-interval 0.2")
        << QStringList{QStringLiteral("--ping-interval"), QStringLiteral("0.2")}
        << Probe::PingInterval;
    QTest::addRow("--hello-timeout 0.3")
        << QStringList{QStringLiteral("--hello-timeout"), QStringLiteral("0.3")}
        << Probe::HelloTimeout;
    QTest::addRow("--handshake-timeout 0.3")
        << QStringList{QStringLiteral("--handshake-timeout"), QStringLiteral("0.3")}
        << Probe::HandshakeTimeout;
    QTest::addRow("--max-message-bytes 4096")
        << QStringList{QStringLiteral("--max-message-bytes"), QStringLiteral("4096")}
        << Probe::MaxMessageBytes;
    QTest::addRow("--rate 0.01 --burst 3")
        << QStringList{QStringLiteral("--rate"), QStringLiteral("0.01"), QStringLiteral("--burst"),
                       QStringLiteral("3")}
        << Probe::Rate;
    QTest::addRow("--max-connections 1")
        << QStringList{QStringLiteral("--max-connections"), QStringLiteral("1")}
        << Probe::MaxConnections;
    QTest::addRow("--max-per-ip 1")
        << QStringList{QStringLiteral("--max-per-ip"), QStringLiteral("1")} << Probe::MaxPerIp;
    QTest::addRow("--allow-origin twice")
        << QStringList{QStringLiteral("--allow-origin"), QStringLiteral("https://a.example"),
                       QStringLiteral("--allow-origin"), QStringLiteral("https://b.example")}
        << Probe::AllowOrigin;
}

void HardeningOptionsTest::optionTakesEffect()
{
    QFETCH(QStringList, arguments);
    QFETCH(Probe, probe);
    start(arguments);
    const QUrl url = waitListening();
    QVERIFY2(url.isValid(), m_process->readAllStandardError().constData());
    const quint16 port = quint16(url.port());

    TestClient first;
    RawWsClient raw;
    switch (probe) {
    case Probe::PingInterval:
        QVERIFY(raw.open(port));
        raw.setAnswerPings(false);
        raw.sendText(helloFrame(QStringLiteral("deaf")));
        QVERIFY(raw.waitForClosed(3000));
        QCOMPARE(raw.closeReason(), QStringLiteral("no answer to pings"));
        break;
    case Probe::HelloTimeout:
        QVERIFY(first.open(url));
        QVERIFY(first.waitForDisconnected(3000));
        QCOMPARE(first.closeReason(), QStringLiteral("no hello in time"));
        break;
    case Probe::HandshakeTimeout:
        QVERIFY(raw.connectTo(port));
        raw.sendRaw("GET / HTTP/1.1\r\n");
        QVERIFY(raw.waitForClosed(3000));
        break;
    case Probe::MaxMessageBytes:
        QVERIFY(first.open(url));
        QVERIFY(first.helloAndWait(QStringLiteral("big")));
        first.send(QString(3900, QChar(0x20AC))); // a valid text, but 11.7 KB
        QVERIFY(first.waitForDisconnected());
        QCOMPARE(first.closeCode(), QWebSocketProtocol::CloseCodeTooMuchData);
        break;
    case Probe::Rate: {
        first.setWatchLobby(false); // no member list: it would take a token
        QVERIFY(first.open(url));
        QVERIFY(first.helloAndWait(QStringLiteral("quick"))); // one token of three
        const QString a = first.send(QStringLiteral("a"));
        const QString b = first.send(QStringLiteral("b"));
        const QString c = first.send(QStringLiteral("c"));
        QVERIFY(first.waitForErrors(1));
        QCOMPARE(first.errors().constFirst().code, ErrorCode::RateLimited);
        QCOMPARE(first.errors().constFirst().ref, c);
        QVERIFY(first.waitForMessages(2));
        QCOMPARE(first.messages()[0].id, a);
        QCOMPARE(first.messages()[1].id, b);
        break;
    }
    case Probe::MaxConnections:
        QVERIFY(first.open(url));
        QVERIFY(raw.connectTo(port));
        QVERIFY(!raw.upgrade());
        QVERIFY2(raw.refusal().startsWith("HTTP/1.1 503"), raw.refusal().constData());
        break;
    case Probe::MaxPerIp: {
        QVERIFY(first.open(url));
        TestClient second; // closed at accept, before the upgrade
        QVERIFY(!second.open(url, 3000));
        QVERIFY(!second.welcome());
        break;
    }
    case Probe::AllowOrigin: {
        for (const char *origin : {"https://a.example", "https://b.example"}) {
            QNetworkRequest request(url);
            request.setRawHeader("Origin", origin);
            TestClient allowed;
            QVERIFY2(allowed.open(request), origin);
        }
        QNetworkRequest request(url);
        request.setRawHeader("Origin", "https://c.example");
        first.openAsync(request);
        QVERIFY(first.waitForDisconnected());
        QCOMPARE(first.closeCode(), QWebSocketProtocol::CloseCodePolicyViolated);
        break;
    }
    }
}

QTEST_GUILESS_MAIN(HardeningOptionsTest)
#include "tst_hardeningoptions.moc"
