// What a person may give as the server's address (the connect dialog, --url): every usable form
// becomes one ws:// or wss:// URL, and everything else is refused with a reason.
#include "serverurl.h"

#include <QTest>

using chat::client::parseServerUrl;

class TestServerUrl : public QObject
{
    Q_OBJECT
private slots:
    void accepted_data();
    void accepted();
    void refused_data();
    void refused();
};

void TestServerUrl::accepted_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("expected");
    const auto row = [](const char *name, const char *input, const char *expected) {
        QTest::newRow(name) << QString::fromUtf8(input) << QString::fromUtf8(expected);
    };
    row("ws URL as it is", "ws://chat.example.org:8080/", "ws://chat.example.org:8080/");
    row("wss URL as it is", "wss://chat.example.org:8443/", "wss://chat.example.org:8443/");
    row("ws without path", "ws://chat.example.org:8080", "ws://chat.example.org:8080/");
    row("ws without port keeps 80", "ws://chat.example.org/", "ws://chat.example.org/");
    row("scheme and host in capitals", "WS://Chat.Example.ORG:8080/",
        "ws://chat.example.org:8080/");
    row("path kept", "ws://chat.example.org:8080/chat", "ws://chat.example.org:8080/chat");
    row("host:port", "chat.example.org:9000", "ws://chat.example.org:9000/");
    row("IPv4:port", "127.0.0.1:18080", "ws://127.0.0.1:18080/");
    row("localhost alone: port 8080", "localhost", "ws://localhost:8080/");
    row("localhost:port", "localhost:8081", "ws://localhost:8081/");
    row("host alone: port 8080", "chat.example.org", "ws://chat.example.org:8080/");
    row("IPv4 alone: port 8080", "192.168.1.20", "ws://192.168.1.20:8080/");
    row("[IPv6]:port", "[::1]:8080", "ws://[::1]:8080/");
    row("IPv6 without brackets", "::1", "ws://[::1]:8080/");
    row("[IPv6] alone", "[fd00::5]", "ws://[fd00::5]:8080/");
    row("page http URL", "http://chat.example.org:8080/", "ws://chat.example.org:8080/");
    row("page http URL without slash", "http://10.0.0.7:8080", "ws://10.0.0.7:8080/");
    row("page https URL", "https://chat.example.org:8443/", "wss://chat.example.org:8443/");
    row("page https without port keeps 443", "https://chat.example.org", "wss://chat.example.org/");
    row("HTTP in capitals", "HTTP://localhost:8080/", "ws://localhost:8080/");
    row("fragment dropped", "http://localhost:8080/#chat", "ws://localhost:8080/");
    row("spaces around", "  localhost:8080 \t", "ws://localhost:8080/");
}

void TestServerUrl::accepted()
{
    QFETCH(QString, input);
    QFETCH(QString, expected);
    const chat::client::ServerUrl result = parseServerUrl(input);
    QVERIFY2(result.problem.isEmpty(), qPrintable(result.problem));
    QVERIFY(result.url.isValid());
    QCOMPARE(result.url.toString(), expected);
}

void TestServerUrl::refused_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("mentions"); // the reason says this
    const auto row = [](const char *name, const char *input, const char *mentions) {
        QTest::newRow(name) << QString::fromUtf8(input) << QString::fromUtf8(mentions);
    };
    row("empty", "", "Enter the server's address");
    row("blank", "   ", "Enter the server's address");
    row("ftp", "ftp://x", "starts with ftp://");
    row("file", "file:///tmp/chat", "starts with file://");
    row("ws without host", "ws://", "names no server");
    row("wss without host", "wss:///", "names no server");
    row("http without host", "http://", "names no server");
    row("port only", "ws://:8080/", "names no server");
    row("port too big", "localhost:99999", "no valid port");
    row("port zero", "localhost:0", "no valid port");
    row("port not a number", "ws://localhost:http/", "no valid port");
    row("space in host", "chat example.org", "not an address");
    row("unclosed bracket", "[::1:8080", "not an address");
}

void TestServerUrl::refused()
{
    QFETCH(QString, input);
    QFETCH(QString, mentions);
    const chat::client::ServerUrl result = parseServerUrl(input);
    QVERIFY2(!result.url.isValid(), qPrintable(result.url.toString()));
    QVERIFY2(result.problem.contains(mentions), qPrintable(result.problem));
    // The reason names what was given, so a wrong --url is recognised.
    if (!input.trimmed().isEmpty())
        QVERIFY2(result.problem.contains(input.trimmed()), qPrintable(result.problem));
}

QTEST_APPLESS_MAIN(TestServerUrl)
#include "tst_serverurl.moc"
