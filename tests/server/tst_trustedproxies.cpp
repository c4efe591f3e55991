// TrustedProxies (--trusted-proxy): which entries parse, who is trusted, and which client a
// request's X-Forwarded-For names: only a trusted peer's header counts, the right-most address
// that is not a proxy is the client, and garbage leaves the proxy's own address.
#include "transport/trustedproxies.h"

#include <QTest>

using chat::server::TrustedProxies;

class TrustedProxiesTest : public QObject
{
    Q_OBJECT
private slots:
    void parsesEntries_data();
    void parsesEntries();
    void refusesBadEntries_data();
    void refusesBadEntries();
    void resolves_data();
    void resolves();
    void noProxiesTrustsNobody();
};

namespace {

QStringList strings(std::initializer_list<const char *> texts)
{
    QStringList result;
    for (const char *text : texts)
        result.append(QString::fromLatin1(text));
    return result;
}

TrustedProxies proxies(const QStringList &specs)
{
    QString error;
    TrustedProxies result = TrustedProxies::parse(specs, &error);
    if (!error.isEmpty())
        qFatal("test setup: %s", qPrintable(error));
    return result;
}

} // namespace

void TrustedProxiesTest::parsesEntries_data()
{
    QTest::addColumn<QStringList>("specs");
    QTest::addColumn<QStringList>("networks");
    QTest::addColumn<QStringList>("trusted");
    QTest::addColumn<QStringList>("untrusted");
    QTest::newRow("one address") << strings({"127.0.0.1"}) << strings({"127.0.0.1/32"})
                                 << strings({"127.0.0.1", "::ffff:127.0.0.1"})
                                 << strings({"127.0.0.2", "::1", "10.0.0.1"});
    QTest::newRow("network") << strings({"10.0.0.0/8"}) << strings({"10.0.0.0/8"})
                             << strings({"10.0.0.1", "10.255.255.255", "::ffff:10.1.2.3"})
                             << strings({"11.0.0.1", "9.255.255.255", "::a00:1"});
    QTest::newRow("IPv6") << strings({"::1", "fd00::/8"}) << strings({"::1/128", "fd00::/8"})
                          << strings({"::1", "fd12:3456::7"})
                          << strings({"127.0.0.1", "::2", "fe80::1"});
    QTest::newRow("commas and repeats")
        << strings({"127.0.0.1, 192.168.0.0/16", "::1"})
        << strings({"127.0.0.1/32", "192.168.0.0/16", "::1/128"})
        << strings({"127.0.0.1", "192.168.7.7", "::1"}) << strings({"192.169.0.1"});
    QTest::newRow("mapped IPv4 network")
        << strings({"::ffff:10.0.0.0/104"}) << strings({"10.0.0.0/8"}) << strings({"10.9.9.9"})
        << strings({"11.0.0.0"});
    QTest::newRow("everyone") << strings({"0.0.0.0/0"}) << strings({"0.0.0.0/0"})
                              << strings({"1.2.3.4", "255.255.255.255"}) << strings({"::1"});
}

void TrustedProxiesTest::parsesEntries()
{
    QFETCH(QStringList, specs);
    QFETCH(QStringList, networks);
    QFETCH(QStringList, trusted);
    QFETCH(QStringList, untrusted);
    const TrustedProxies parsed = proxies(specs);
    QCOMPARE(parsed.describe(), networks);
    for (const QString &address : trusted)
        QVERIFY2(parsed.contains(QHostAddress(address)), qPrintable(address));
    for (const QString &address : untrusted)
        QVERIFY2(!parsed.contains(QHostAddress(address)), qPrintable(address));
}

void TrustedProxiesTest::refusesBadEntries_data()
{
    QTest::addColumn<QString>("spec");
    for (const char *spec :
         {"nginx", "10/8", "10.0.0", "127.0.0.1/33", "::1/129", "10.0.0.0/", "10.0.0.0/-1",
          "10.0.0.0/+8", "10.0.0.0/8/8", "fe80::1%eth0", "127.0.0.1:80", "1.2.3.4 5.6.7.8"})
        QTest::newRow(spec) << QString::fromLatin1(spec);
}

void TrustedProxiesTest::refusesBadEntries()
{
    QFETCH(QString, spec);
    QString error;
    const TrustedProxies parsed = TrustedProxies::parse({QStringLiteral("::1"), spec}, &error);
    QVERIFY2(error.contains(spec.trimmed()), qPrintable(error));
    QVERIFY(parsed.isEmpty());
}

void TrustedProxiesTest::resolves_data()
{
    QTest::addColumn<QString>("peer");
    QTest::addColumn<QList<QByteArray>>("header");
    QTest::addColumn<QString>("client");
    QTest::addColumn<bool>("forwarded");
    QTest::addColumn<bool>("malformed");
    using Fields = QList<QByteArray>;
    // Trusted below: 127.0.0.1, 10.0.0.0/8 and ::1.
    QTest::newRow("no header") << "127.0.0.1" << Fields{} << "127.0.0.1" << false << false;
    QTest::newRow("one client") << "127.0.0.1" << Fields{"203.0.113.9"} << "203.0.113.9" << true
                                << false;
    QTest::newRow("mapped peer") << "::ffff:127.0.0.1" << Fields{"203.0.113.9"} << "203.0.113.9"
                                 << true << false;
    QTest::newRow("untrusted peer spoofs")
        << "198.51.100.4" << Fields{"203.0.113.9"} << "198.51.100.4" << false << false;
    QTest::newRow("untrusted peer's garbage")
        << "198.51.100.4" << Fields{"nonsense"} << "198.51.100.4" << false << false;
    // The client wrote "1.1.1.1" itself; nginx appended the address it saw.
    QTest::newRow("client's own claim is skipped")
        << "127.0.0.1" << Fields{"1.1.1.1, 203.0.113.9"} << "203.0.113.9" << true << false;
    QTest::newRow("chain of proxies")
        << "127.0.0.1" << Fields{"1.1.1.1, 203.0.113.9, 10.1.1.1, 10.2.2.2"} << "203.0.113.9"
        << true << false;
    QTest::newRow("several fields are one list")
        << "127.0.0.1" << Fields{"1.1.1.1", "203.0.113.9, 10.1.1.1"} << "203.0.113.9" << true
        << false;
    QTest::newRow("all proxies: the left-most")
        << "127.0.0.1" << Fields{"10.3.3.3, 10.1.1.1"} << "10.3.3.3" << true << false;
    QTest::newRow("IPv6 client") << "::1" << Fields{"2001:db8::7"} << "2001:db8::7" << true
                                 << false;
    QTest::newRow("IPv6 bracketed with port")
        << "::1" << Fields{"[2001:db8::7]:4711"} << "2001:db8::7" << true << false;
    QTest::newRow("IPv6 bracketed")
        << "::1" << Fields{"[2001:db8::7]"} << "2001:db8::7" << true << false;
    QTest::newRow("IPv4 with port")
        << "::1" << Fields{"203.0.113.9:4711"} << "203.0.113.9" << true << false;
    QTest::newRow("mapped client")
        << "127.0.0.1" << Fields{"::ffff:203.0.113.9"} << "203.0.113.9" << true << false;
    QTest::newRow("spaces") << "127.0.0.1" << Fields{"  1.1.1.1 ,203.0.113.9  "} << "203.0.113.9"
                            << true << false;
    for (const char *garbage :
         {"", ",", "203.0.113.9,", "unknown", "203.0.113.9, nonsense", "nonsense, 203.0.113.9",
          "203.0.113", "203.0.113.9.1", "[2001:db8::7", "[2001:db8::7]x",
          "[2001:db8::7]:", "2001:db8::7]", "fe80::1%eth0", "203.0.113.9 203.0.113.8",
          "for=203.0.113.9", "\xff\xfe", "999.0.113.9"})
        QTest::newRow(qPrintable(QStringLiteral("garbage \"%1\"").arg(QLatin1String(garbage))))
            << "127.0.0.1" << Fields{garbage} << "127.0.0.1" << false << true;
    QTest::newRow("garbage in a second field")
        << "127.0.0.1" << Fields{"203.0.113.9", "x"} << "127.0.0.1" << false << true;
}

void TrustedProxiesTest::resolves()
{
    QFETCH(QString, peer);
    QFETCH(QList<QByteArray>, header);
    QFETCH(QString, client);
    QFETCH(bool, forwarded);
    QFETCH(bool, malformed);
    const TrustedProxies trusted = proxies(strings({"127.0.0.1,10.0.0.0/8", "::1"}));
    const TrustedProxies::Resolution got = trusted.resolve(QHostAddress(peer), header);
    QVERIFY2(got.address.isEqual(QHostAddress(client)), qPrintable(got.address.toString()));
    QCOMPARE(got.forwarded, forwarded);
    QCOMPARE(got.malformed, malformed);
}

void TrustedProxiesTest::noProxiesTrustsNobody()
{
    QString error;
    const TrustedProxies none = TrustedProxies::parse({}, &error);
    QVERIFY(error.isEmpty());
    QVERIFY(none.isEmpty());
    QVERIFY(!none.contains(QHostAddress::LocalHost));
    const TrustedProxies::Resolution got =
        none.resolve(QHostAddress::LocalHost, {QByteArray("203.0.113.9")});
    QCOMPARE(got.address, QHostAddress(QHostAddress::LocalHost));
    QVERIFY(!got.forwarded);
}

QTEST_GUILESS_MAIN(TrustedProxiesTest)
#include "tst_trustedproxies.moc"
