// TrustedProxies (--trusted-proxy): which entries parse, who is trusted, and which client a
// request's X-Forwarded-For or RFC 7239 Forwarded names: only a trusted peer's header counts,
// only the configured one of the two, the right-most address that is not a proxy is the client,
// and garbage where it counts, a hidden client or no header leave the proxy's own address.
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
    void resolvesForwarded_data();
    void resolvesForwarded();
    void readsOnlyTheConfiguredHeader_data();
    void readsOnlyTheConfiguredHeader();
    void parsesHeaderNames();
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

using Kind = TrustedProxies::Resolution::Kind;

QString kindName(Kind kind)
{
    switch (kind) {
    case Kind::Untrusted:
        return QStringLiteral("untrusted");
    case Kind::NoHeader:
        return QStringLiteral("no header");
    case Kind::Named:
        return QStringLiteral("named");
    case Kind::Hidden:
        return QStringLiteral("hidden");
    case Kind::Malformed:
        return QStringLiteral("malformed");
    }
    return {};
}

// Trusted in every resolve test: 127.0.0.1, 10.0.0.0/8 and ::1.
TrustedProxies resolver(TrustedProxies::Header header)
{
    TrustedProxies result = proxies(strings({"127.0.0.1,10.0.0.0/8", "::1"}));
    result.setHeader(header);
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
    QTest::addColumn<QString>("kind");
    using Fields = QList<QByteArray>;
    QTest::newRow("no header") << "127.0.0.1" << Fields{} << "127.0.0.1"
                               << "no header";
    QTest::newRow("one client") << "127.0.0.1" << Fields{"203.0.113.9"} << "203.0.113.9"
                                << "named";
    QTest::newRow("mapped peer") << "::ffff:127.0.0.1" << Fields{"203.0.113.9"} << "203.0.113.9"
                                 << "named";
    QTest::newRow("untrusted peer spoofs")
        << "198.51.100.4" << Fields{"203.0.113.9"} << "198.51.100.4"
        << "untrusted";
    QTest::newRow("untrusted peer's garbage")
        << "198.51.100.4" << Fields{"nonsense"} << "198.51.100.4"
        << "untrusted";
    QTest::newRow("untrusted peer without header") << "198.51.100.4" << Fields{} << "198.51.100.4"
                                                   << "untrusted";
    // The client wrote "1.1.1.1" itself; nginx appended the address it saw.
    QTest::newRow("client's own claim is skipped")
        << "127.0.0.1" << Fields{"1.1.1.1, 203.0.113.9"} << "203.0.113.9"
        << "named";
    // ... and so is whatever garbage it wrote: it is not even parsed.
    QTest::newRow("client's own garbage is skipped")
        << "127.0.0.1" << Fields{"nonsense, 203.0.113.9"} << "203.0.113.9"
        << "named";
    QTest::newRow("client's own garbage field is skipped")
        << "127.0.0.1" << Fields{"[::", "203.0.113.9"} << "203.0.113.9"
        << "named";
    QTest::newRow("chain of proxies")
        << "127.0.0.1" << Fields{"1.1.1.1, 203.0.113.9, 10.1.1.1, 10.2.2.2"} << "203.0.113.9"
        << "named";
    QTest::newRow("several fields are one list")
        << "127.0.0.1" << Fields{"1.1.1.1", "203.0.113.9, 10.1.1.1"} << "203.0.113.9"
        << "named";
    QTest::newRow("all proxies: the left-most")
        << "127.0.0.1" << Fields{"10.3.3.3, 10.1.1.1"} << "10.3.3.3"
        << "named";
    QTest::newRow("IPv6 client") << "::1" << Fields{"2001:db8::7"} << "2001:db8::7"
                                 << "named";
    QTest::newRow("IPv6 bracketed with port")
        << "::1" << Fields{"[2001:db8::7]:4711"} << "2001:db8::7"
        << "named";
    QTest::newRow("IPv6 bracketed") << "::1" << Fields{"[2001:db8::7]"} << "2001:db8::7"
                                    << "named";
    QTest::newRow("IPv4 with port") << "::1" << Fields{"203.0.113.9:4711"} << "203.0.113.9"
                                    << "named";
    QTest::newRow("mapped client") << "127.0.0.1" << Fields{"::ffff:203.0.113.9"} << "203.0.113.9"
                                   << "named";
    QTest::newRow("spaces") << "127.0.0.1" << Fields{"  1.1.1.1 ,203.0.113.9  "} << "203.0.113.9"
                            << "named";
    for (const char *garbage :
         {"", ",", "203.0.113.9,", "unknown", "203.0.113.9, nonsense", "203.0.113", "203.0.113.9.1",
          "[2001:db8::7", "[2001:db8::7]x", "[2001:db8::7]:", "2001:db8::7]", "fe80::1%eth0",
          "203.0.113.9 203.0.113.8", "for=203.0.113.9", "\xff\xfe", "999.0.113.9",
          "203.0.113.9, 10.1.1.1, x"})
        QTest::newRow(qPrintable(QStringLiteral("garbage \"%1\"").arg(QLatin1String(garbage))))
            << "127.0.0.1" << Fields{garbage} << "127.0.0.1"
            << "malformed";
    QTest::newRow("garbage in the last field")
        << "127.0.0.1" << Fields{"203.0.113.9", "x"} << "127.0.0.1"
        << "malformed";
}

void TrustedProxiesTest::resolves()
{
    QFETCH(QString, peer);
    QFETCH(QList<QByteArray>, header);
    QFETCH(QString, client);
    QFETCH(QString, kind);
    // X-Forwarded-For is the default; a Forwarded field beside it is nobody's word.
    TrustedProxies trusted = proxies(strings({"127.0.0.1,10.0.0.0/8", "::1"}));
    QCOMPARE(trusted.header(), TrustedProxies::Header::XForwardedFor);
    const TrustedProxies::Resolution got =
        trusted.resolve(QHostAddress(peer), {header, {"for=192.0.2.1"}});
    QVERIFY2(got.address.isEqual(QHostAddress(client)), qPrintable(got.address.toString()));
    QCOMPARE(kindName(got.kind), kind);
    QCOMPARE(got.forwarded(), kind == QLatin1String("named"));
    // A reason for the log whenever a garbage header made the proxy count, or only the other
    // header came (the Forwarded field beside every row).
    QCOMPARE(got.detail.isEmpty(),
             kind != QLatin1String("malformed") && kind != QLatin1String("no header"));
}

void TrustedProxiesTest::resolvesForwarded_data()
{
    QTest::addColumn<QString>("peer");
    QTest::addColumn<QList<QByteArray>>("header");
    QTest::addColumn<QString>("client");
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("detail"); // part of the reason for the log
    using Fields = QList<QByteArray>;
    QTest::newRow("one client") << "127.0.0.1" << Fields{"for=203.0.113.9"} << "203.0.113.9"
                                << "named"
                                << "";
    QTest::newRow("RFC example") << "127.0.0.1"
                                 << Fields{"for=192.0.2.60;proto=https, for=\"[2001:db8::1]:4711\""}
                                 << "2001:db8::1"
                                 << "named"
                                 << "";
    QTest::newRow("parameters in any order and case")
        << "127.0.0.1" << Fields{"Proto=https;BY=10.0.0.1;For=203.0.113.9;host=chat.example"}
        << "203.0.113.9"
        << "named"
        << "";
    QTest::newRow("quoted IPv4") << "127.0.0.1" << Fields{"for=\"203.0.113.9\""} << "203.0.113.9"
                                 << "named"
                                 << "";
    QTest::newRow("quoted IPv4 with port")
        << "127.0.0.1" << Fields{"for=\"203.0.113.9:4711\""} << "203.0.113.9"
        << "named"
        << "";
    QTest::newRow("IPv6 in brackets") << "::1" << Fields{"for=\"[2001:db8::7]\""} << "2001:db8::7"
                                      << "named"
                                      << "";
    QTest::newRow("IPv6 with an obfuscated port")
        << "::1" << Fields{"for=\"[2001:db8::7]:_p1\""} << "2001:db8::7"
        << "named"
        << "";
    QTest::newRow("quoted pair") << "127.0.0.1" << Fields{"for=\"203.0.113.\\9\""} << "203.0.113.9"
                                 << "named"
                                 << "";
    QTest::newRow("spaces around separators")
        << "127.0.0.1" << Fields{" for=1.1.1.1 ,  for=203.0.113.9 ; proto=http "} << "203.0.113.9"
        << "named"
        << "";
    QTest::newRow("a comma inside quotes")
        << "127.0.0.1" << Fields{"for=203.0.113.9;host=\"a,b\""} << "203.0.113.9"
        << "named"
        << "";
    // RFC 7230 lists: empty elements are no hop (nginx's "$http_forwarded, for=..." without one).
    QTest::newRow("empty elements")
        << "127.0.0.1" << Fields{", for=1.1.1.1,,for=203.0.113.9, ;,"} << "203.0.113.9"
        << "named"
        << "";
    QTest::newRow("client's own claim is skipped")
        << "127.0.0.1" << Fields{"for=1.1.1.1, for=203.0.113.9"} << "203.0.113.9"
        << "named"
        << "";
    QTest::newRow("chain of proxies over fields")
        << "127.0.0.1" << Fields{"for=1.1.1.1", "for=203.0.113.9, for=10.1.1.1", "for=10.2.2.2"}
        << "203.0.113.9"
        << "named"
        << "";
    QTest::newRow("client's garbage field is skipped")
        << "127.0.0.1" << Fields{"for=\"[::", "for=203.0.113.9"} << "203.0.113.9"
        << "named"
        << "";
    QTest::newRow("client's hidden claim is skipped")
        << "127.0.0.1" << Fields{"for=_me, for=203.0.113.9"} << "203.0.113.9"
        << "named"
        << "";
    QTest::newRow("all proxies: the left-most")
        << "127.0.0.1" << Fields{"for=10.3.3.3, for=10.1.1.1"} << "10.3.3.3"
        << "named"
        << "";
    QTest::newRow("mapped client")
        << "127.0.0.1" << Fields{"for=\"[::ffff:203.0.113.9]\""} << "203.0.113.9"
        << "named"
        << "";
    QTest::newRow("untrusted peer spoofs")
        << "198.51.100.4" << Fields{"for=203.0.113.9"} << "198.51.100.4"
        << "untrusted"
        << "";
    QTest::newRow("untrusted peer's garbage")
        << "198.51.100.4" << Fields{"for=\"["} << "198.51.100.4"
        << "untrusted"
        << "";

    // The proxy (or one behind it) hides the client: the proxy counts, and no further left.
    QTest::newRow("obfuscated") << "127.0.0.1" << Fields{"for=_hidden"} << "127.0.0.1"
                                << "hidden"
                                << "_hidden";
    QTest::newRow("obfuscated with port")
        << "127.0.0.1" << Fields{"for=\"_gazonk:_p\""} << "127.0.0.1"
        << "hidden"
        << "_gazonk";
    QTest::newRow("unknown") << "127.0.0.1" << Fields{"for=unknown"} << "127.0.0.1"
                             << "hidden"
                             << "unknown";
    QTest::newRow("UNKNOWN with port") << "127.0.0.1" << Fields{"for=\"UNKNOWN:80\""} << "127.0.0.1"
                                       << "hidden"
                                       << "UNKNOWN";
    QTest::newRow("hidden behind a proxy, spoof further left")
        << "127.0.0.1" << Fields{"for=203.0.113.9, for=_x, for=10.1.1.1"} << "127.0.0.1"
        << "hidden"
        << "_x";
    QTest::newRow("an element without for=")
        << "127.0.0.1" << Fields{"for=203.0.113.9, proto=https"} << "127.0.0.1"
        << "hidden"
        << "without for=";

    const auto garbage = [](const char *name, const char *field, const char *detail) {
        QTest::newRow(name) << "127.0.0.1" << Fields{field} << "127.0.0.1"
                            << "malformed" << detail;
    };
    garbage("empty", "", "no element");
    garbage("only commas", " , ;,", "no element");
    garbage("no value", "for", "has no value");
    garbage("empty value", "for=", "empty or unquoted");
    garbage("unquoted IPv6", "for=[2001:db8::1]", "must be in quotes");
    garbage("unquoted port", "for=203.0.113.9:4711", "unexpected");
    garbage("unclosed quote", "for=\"203.0.113.9", "not closed");
    garbage("unclosed quote swallows the rest", "for=\"x, for=203.0.113.9", "not closed");
    garbage("IPv6 without brackets", "for=\"2001:db8::1\"", "in brackets");
    garbage("IPv4 in brackets", "for=\"[203.0.113.9]\"", "not an IPv4 address");
    garbage("no closing bracket", "for=\"[2001:db8::1\"", "no closing bracket");
    garbage("after the bracket", "for=\"[2001:db8::1]x\"", "other than a port");
    garbage("bad port", "for=\"203.0.113.9:123456\"", "bad port");
    garbage("empty port", "for=\"203.0.113.9:\"", "bad port");
    garbage("scope id", "for=\"[fe80::1%eth0]\"", "not an IPv4 address");
    garbage("short IPv4", "for=10.1", "not an IPv4 address");
    garbage("a name", "for=proxy.example", "not an IPv4 address");
    garbage("lone underscore", "for=_", "not an IPv4 address");
    garbage("for twice", "for=1.1.1.1;for=203.0.113.9", "twice");
    garbage("space inside a pair", "for = 203.0.113.9", "no value");
    garbage("junk after a value", "for=203.0.113.9 x", "unexpected");
    garbage("control character", "for=\"203.0.113.9\x01\"", "control character");
    garbage("X-Forwarded-For syntax", "203.0.113.9", "no value");
    garbage("binary", "\xff\xfe", "unexpected \"\\xff\"");
    garbage("garbage in the last element", "for=1.1.1.1, for=", "empty or unquoted");
    QTest::newRow("garbage field on the right")
        << "127.0.0.1" << Fields{"for=203.0.113.9", "for=\"["} << "127.0.0.1"
        << "malformed"
        << "not closed";
}

void TrustedProxiesTest::resolvesForwarded()
{
    QFETCH(QString, peer);
    QFETCH(QList<QByteArray>, header);
    QFETCH(QString, client);
    QFETCH(QString, kind);
    QFETCH(QString, detail);
    // An X-Forwarded-For beside it is nobody's word.
    const TrustedProxies::Resolution got =
        resolver(TrustedProxies::Header::Forwarded)
            .resolve(QHostAddress(peer), {{"192.0.2.1"}, header});
    QVERIFY2(got.address.isEqual(QHostAddress(client)), qPrintable(got.address.toString()));
    QCOMPARE(kindName(got.kind), kind);
    QVERIFY2(got.detail.contains(detail), qPrintable(got.detail));
    QCOMPARE(got.detail.isEmpty(), detail.isEmpty());
}

void TrustedProxiesTest::readsOnlyTheConfiguredHeader_data()
{
    QTest::addColumn<QString>("header");
    QTest::addColumn<QList<QByteArray>>("xForwardedFor");
    QTest::addColumn<QList<QByteArray>>("forwarded");
    QTest::addColumn<QString>("client");
    QTest::addColumn<QString>("kind");
    using Fields = QList<QByteArray>;
    // nginx writes X-Forwarded-For and passes the client's own Forwarded on untouched.
    QTest::newRow("x-forwarded-for: both")
        << "x-forwarded-for" << Fields{"203.0.113.9"} << Fields{"for=1.1.1.1"} << "203.0.113.9"
        << "named";
    QTest::newRow("x-forwarded-for: only Forwarded came")
        << "x-forwarded-for" << Fields{} << Fields{"for=1.1.1.1"} << "127.0.0.1"
        << "no header";
    QTest::newRow("x-forwarded-for: Forwarded garbage is nobody's")
        << "x-forwarded-for" << Fields{"203.0.113.9"} << Fields{"for=\"["} << "203.0.113.9"
        << "named";
    // A proxy writing Forwarded passes the client's own X-Forwarded-For on.
    QTest::newRow("forwarded: both")
        << "forwarded" << Fields{"1.1.1.1"} << Fields{"for=203.0.113.9"} << "203.0.113.9"
        << "named";
    QTest::newRow("forwarded: only X-Forwarded-For came")
        << "forwarded" << Fields{"1.1.1.1"} << Fields{} << "127.0.0.1"
        << "no header";
    QTest::newRow("forwarded: malformed, no fallback to X-Forwarded-For")
        << "forwarded" << Fields{"1.1.1.1"} << Fields{"for=[::1]"} << "127.0.0.1"
        << "malformed";
    QTest::newRow("forwarded: hidden, no fallback to X-Forwarded-For")
        << "forwarded" << Fields{"1.1.1.1"} << Fields{"for=unknown"} << "127.0.0.1"
        << "hidden";
    QTest::newRow("forwarded: neither") << "forwarded" << Fields{} << Fields{} << "127.0.0.1"
                                        << "no header";
}

void TrustedProxiesTest::readsOnlyTheConfiguredHeader()
{
    QFETCH(QString, header);
    QFETCH(QList<QByteArray>, xForwardedFor);
    QFETCH(QList<QByteArray>, forwarded);
    QFETCH(QString, client);
    QFETCH(QString, kind);
    const std::optional<TrustedProxies::Header> configured = TrustedProxies::parseHeader(header);
    QVERIFY(configured);
    const TrustedProxies::Resolution got =
        resolver(*configured).resolve(QHostAddress::LocalHost, {xForwardedFor, forwarded});
    QVERIFY2(got.address.isEqual(QHostAddress(client)), qPrintable(got.address.toString()));
    QCOMPARE(kindName(got.kind), kind);
    // Only the other header: the log says so, as the proxy may be configured for it.
    if (kind == QLatin1String("no header"))
        QCOMPARE(got.detail.contains(QLatin1String("only")),
                 !(xForwardedFor.isEmpty() && forwarded.isEmpty()));
}

void TrustedProxiesTest::parsesHeaderNames()
{
    using Header = TrustedProxies::Header;
    QCOMPARE(TrustedProxies::parseHeader(QStringLiteral("forwarded")), Header::Forwarded);
    QCOMPARE(TrustedProxies::parseHeader(QStringLiteral(" Forwarded ")), Header::Forwarded);
    QCOMPARE(TrustedProxies::parseHeader(QStringLiteral("X-Forwarded-For")), Header::XForwardedFor);
    QCOMPARE(TrustedProxies::parseHeader(QStringLiteral("x-forwarded-for")), Header::XForwardedFor);
    for (const char *bad : {"", "xff", "x-real-ip", "forwarded,x-forwarded-for"})
        QVERIFY2(!TrustedProxies::parseHeader(QLatin1String(bad)), bad);
    QCOMPARE(TrustedProxies::headerName(Header::Forwarded), QStringLiteral("Forwarded"));
}

void TrustedProxiesTest::noProxiesTrustsNobody()
{
    QString error;
    const TrustedProxies none = TrustedProxies::parse({}, &error);
    QVERIFY(error.isEmpty());
    QVERIFY(none.isEmpty());
    QVERIFY(!none.contains(QHostAddress::LocalHost));
    const TrustedProxies::Resolution got =
        none.resolve(QHostAddress::LocalHost, {{"203.0.113.9"}, {"for=203.0.113.9"}});
    QCOMPARE(got.address, QHostAddress(QHostAddress::LocalHost));
    QCOMPARE(got.kind, TrustedProxies::Resolution::Kind::Untrusted);
}

QTEST_GUILESS_MAIN(TrustedProxiesTest)
#include "tst_trustedproxies.moc"
