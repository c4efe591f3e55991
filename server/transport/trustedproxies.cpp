#include "transport/trustedproxies.h"

#include <algorithm>
#include <optional>

namespace chat::server {

namespace {

// An IPv4 peer on a dual-stack socket shows as ::ffff:a.b.c.d; match and count it as IPv4.
QHostAddress plain(const QHostAddress &address)
{
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4);
    QHostAddress result = isV4 ? QHostAddress(v4) : address;
    result.setScopeId(QString());
    return result;
}

// QHostAddress takes inet_aton's short forms ("10" is 0.0.0.10, "10.1" is 10.0.0.1); an
// operator or a proxy writing them meant something else. IPv4 only as four decimal parts.
std::optional<QHostAddress> strictAddress(const QString &text)
{
    if (!text.contains(u':')) {
        const QStringList parts = text.split(u'.');
        if (parts.size() != 4)
            return std::nullopt;
        for (const QString &part : parts) {
            if (part.isEmpty() || part.size() > 3 ||
                !std::all_of(part.cbegin(), part.cend(),
                             [](QChar c) { return c >= u'0' && c <= u'9'; }))
                return std::nullopt;
        }
    }
    QHostAddress address;
    if (text.contains(u'%') || !address.setAddress(text))
        return std::nullopt;
    return address;
}

// One element of X-Forwarded-For: "192.0.2.7", "2001:db8::7", and as some proxies write them,
// "192.0.2.7:4711", "[2001:db8::7]" or "[2001:db8::7]:4711". Nothing else.
std::optional<QHostAddress> parseElement(QByteArrayView text)
{
    QByteArrayView host = text;
    if (host.startsWith('[')) {
        const qsizetype close = host.indexOf(']');
        if (close < 0)
            return std::nullopt;
        const QByteArrayView rest = host.sliced(close + 1);
        if (!rest.isEmpty() && !(rest.startsWith(':') && rest.size() > 1))
            return std::nullopt;
        host = host.sliced(1, close - 1);
    } else if (host.count(':') == 1) {
        host = host.first(host.indexOf(':'));
    }
    // No scope ids (strictAddress): an interface name is not a client.
    const std::optional<QHostAddress> address = strictAddress(QString::fromLatin1(host));
    if (!address)
        return std::nullopt;
    return plain(*address);
}

// A header's text for a log line: it comes from the network, so printable ASCII only, cut short.
QString quoted(QByteArrayView text)
{
    constexpr qsizetype kMaxShown = 64;
    QString result = QStringLiteral("\"");
    for (const char c : text.first(qMin(text.size(), kMaxShown))) {
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
            result += QLatin1Char(c);
        else
            result += QStringLiteral("\\x%1").arg(uchar(c), 2, 16, QLatin1Char('0'));
    }
    return result + (text.size() > kMaxShown ? QStringLiteral("\"...") : QStringLiteral("\""));
}

// One hop of a forwarding header, as far as the walk needs it.
struct Hop
{
    enum class Kind { Address, Hidden, Malformed } kind;
    QHostAddress address;
    QString detail; // Hidden: the identifier; Malformed: what is wrong
};

Hop addressHop(const QHostAddress &address)
{
    return {Hop::Kind::Address, address, {}};
}

Hop hiddenHop(const QString &identifier)
{
    return {Hop::Kind::Hidden, {}, identifier};
}

Hop malformedHop(const QString &problem)
{
    return {Hop::Kind::Malformed, {}, problem};
}

// RFC 7230's tchar: what a token (a parameter name, an unquoted value) is made of.
bool isTokenChar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           QByteArrayView("!#$%&'*+-.^_`|~").contains(c);
}

// RFC 7239's obfuscated identifiers: "_" 1*( ALPHA / DIGIT / "." / "_" / "-" ).
bool isObfuscated(QByteArrayView text)
{
    return text.size() > 1 && text.startsWith('_') &&
           std::all_of(text.cbegin() + 1, text.cend(), [](char c) {
               return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '_' || c == '-';
           });
}

bool isPort(QByteArrayView text)
{
    return (!text.isEmpty() && text.size() <= 5 &&
            std::all_of(text.cbegin(), text.cend(), [](char c) { return c >= '0' && c <= '9'; })) ||
           isObfuscated(text);
}

// A Forwarded "for=" value, unquoted: 192.0.2.60, 192.0.2.60:4711, [2001:db8::1],
// [2001:db8::1]:4711, unknown, _hidden (with a port or not).
Hop parseNode(QByteArrayView value)
{
    QByteArrayView name = value;
    QByteArrayView port;
    bool bracketed = false;
    if (name.startsWith('[')) {
        const qsizetype close = name.indexOf(']');
        if (close < 0)
            return malformedHop(QStringLiteral("for=%1 has no closing bracket").arg(quoted(value)));
        port = name.sliced(close + 1);
        name = name.sliced(1, close - 1);
        bracketed = true;
        if (!port.isEmpty() && !port.startsWith(':'))
            return malformedHop(
                QStringLiteral("for=%1 has something other than a port after the bracket")
                    .arg(quoted(value)));
    } else if (name.count(':') > 1) {
        return malformedHop(
            QStringLiteral("for=%1: an IPv6 address must be in brackets").arg(quoted(value)));
    } else if (const qsizetype colon = name.indexOf(':'); colon >= 0) {
        port = name.sliced(colon);
        name = name.first(colon);
    }
    if (!port.isEmpty() && !isPort(port.sliced(1)))
        return malformedHop(QStringLiteral("for=%1 has a bad port").arg(quoted(value)));
    if (!bracketed && (name.compare("unknown", Qt::CaseInsensitive) == 0 || isObfuscated(name)))
        return hiddenHop(QString::fromLatin1(name));
    // An IPv6 address only in brackets, an IPv4 one only without.
    const std::optional<QHostAddress> address = strictAddress(QString::fromLatin1(name));
    if (!address || bracketed != (address->protocol() == QAbstractSocket::IPv6Protocol))
        return malformedHop(
            QStringLiteral("for=%1 is not an IPv4 address, a bracketed IPv6 address, unknown "
                           "or an _obfuscated identifier")
                .arg(quoted(value)));
    return addressHop(plain(*address));
}

// One Forwarded field (RFC 7239: elements separated by commas, each pairs separated by
// semicolons, values a token or a quoted string) as the hop each element stands for: its for=,
// or hidden when it has none. A field's quoting has to be read from its start, so a syntax error
// anywhere spoils the whole field: nullopt and *error.
std::optional<QList<Hop>> parseForwardedField(QByteArrayView field, QString *error)
{
    QList<Hop> hops;
    qsizetype i = 0;
    const qsizetype n = field.size();
    const auto skipSpace = [&] {
        while (i < n && (field[i] == ' ' || field[i] == '\t'))
            ++i;
    };
    const auto fail = [&](const QString &problem) {
        *error = problem;
        return std::nullopt;
    };
    QList<QByteArray> names; // of the element being read
    std::optional<QByteArray> forValue;
    for (;;) {
        skipSpace();
        if (i == n || field[i] == ',') {
            // Empty elements (", for=...", as a proxy appending to no header writes) are
            // nobody's hop: ignored, as RFC 7230's lists are read.
            if (!names.isEmpty())
                hops.append(forValue ? parseNode(*forValue)
                                     : hiddenHop(QStringLiteral("an element without for=")));
            names.clear();
            forValue.reset();
            if (i == n && hops.isEmpty())
                return fail(QStringLiteral("no element"));
            if (i == n)
                return hops;
            ++i;
            continue;
        }
        if (field[i] == ';') {
            ++i;
            continue;
        }
        const qsizetype nameStart = i;
        while (i < n && isTokenChar(field[i]))
            ++i;
        const QByteArray name = field.sliced(nameStart, i - nameStart).toByteArray().toLower();
        if (name.isEmpty())
            return fail(QStringLiteral("unexpected %1 at offset %2")
                            .arg(quoted(field.sliced(i, 1)))
                            .arg(i));
        if (i == n || field[i] != '=')
            return fail(QStringLiteral("parameter %1 has no value").arg(quoted(name)));
        ++i;
        QByteArray value;
        if (i < n && field[i] == '"') {
            for (++i;; ++i) {
                if (i == n)
                    return fail(QStringLiteral("a quoted string is not closed"));
                char c = field[i];
                if (c == '"')
                    break;
                if (c == '\\' && i + 1 < n)
                    c = field[++i];
                if ((uchar(c) < 0x20 && c != '\t') || c == 0x7f)
                    return fail(QStringLiteral("a control character in a quoted string"));
                value += c;
            }
            ++i;
        } else {
            const qsizetype valueStart = i;
            while (i < n && isTokenChar(field[i]))
                ++i;
            value = field.sliced(valueStart, i - valueStart).toByteArray();
            if (value.isEmpty())
                return fail(QStringLiteral("parameter %1 has an empty or unquoted value (an IPv6 "
                                           "address or a port must be in quotes)")
                                .arg(quoted(name)));
        }
        if (names.contains(name))
            return fail(QStringLiteral("parameter %1 twice in one element").arg(quoted(name)));
        names.append(name);
        if (name == "for")
            forValue = value;
        skipSpace();
        if (i < n && field[i] != ';' && field[i] != ',')
            return fail(QStringLiteral("unexpected %1 after the value of %2")
                            .arg(quoted(field.sliced(i, 1)), quoted(name)));
    }
}

// "ADDRESS" or "ADDRESS/PREFIX", the address written out in full (no "10/8").
std::optional<QPair<QHostAddress, int>> parseNetwork(const QString &entry)
{
    const qsizetype slash = entry.indexOf(u'/');
    const std::optional<QHostAddress> parsed =
        strictAddress(slash < 0 ? entry : entry.first(slash));
    if (!parsed)
        return std::nullopt;
    const QHostAddress address = *parsed;
    const bool mapped = address.protocol() == QAbstractSocket::IPv6Protocol &&
                        plain(address).protocol() == QAbstractSocket::IPv4Protocol;
    const int bits = address.protocol() == QAbstractSocket::IPv4Protocol ? 32 : 128;
    int prefix = bits;
    if (slash >= 0) {
        bool ok = false;
        prefix = entry.sliced(slash + 1).toInt(&ok);
        if (!ok || prefix < 0 || prefix > bits || entry.sliced(slash + 1).startsWith(u'+'))
            return std::nullopt;
    }
    if (mapped) // ::ffff:10.0.0.0/104 is 10.0.0.0/8
        return QPair<QHostAddress, int>{plain(address), qMax(0, prefix - 96)};
    return QPair<QHostAddress, int>{address, prefix};
}

} // namespace

TrustedProxies TrustedProxies::parse(const QStringList &specs, QString *error)
{
    TrustedProxies proxies;
    for (const QString &spec : specs) {
        for (const QString &part : spec.split(u',', Qt::SkipEmptyParts)) {
            const QString entry = part.trimmed();
            if (entry.isEmpty())
                continue;
            const std::optional<QPair<QHostAddress, int>> network = parseNetwork(entry);
            if (!network) {
                *error = QStringLiteral("\"%1\" is not an IP address or ADDRESS/PREFIX").arg(entry);
                return {};
            }
            proxies.m_networks.append(*network);
        }
    }
    error->clear();
    return proxies;
}

bool TrustedProxies::contains(const QHostAddress &address) const
{
    const QHostAddress candidate = plain(address);
    for (const auto &network : m_networks) {
        if (candidate.isInSubnet(network))
            return true;
    }
    return false;
}

QStringList TrustedProxies::describe() const
{
    QStringList result;
    for (const auto &network : m_networks)
        result.append(network.first.toString() + u'/' + QString::number(network.second));
    return result;
}

std::optional<TrustedProxies::Header> TrustedProxies::parseHeader(const QString &name)
{
    for (const Header header : {Header::XForwardedFor, Header::Forwarded}) {
        if (name.trimmed().compare(headerName(header), Qt::CaseInsensitive) == 0)
            return header;
    }
    return std::nullopt;
}

QString TrustedProxies::headerName(Header header)
{
    return header == Header::Forwarded ? QStringLiteral("Forwarded")
                                       : QStringLiteral("X-Forwarded-For");
}

TrustedProxies::Resolution TrustedProxies::resolve(const QHostAddress &peer,
                                                   const Headers &headers) const
{
    using Kind = Resolution::Kind;
    if (!contains(peer))
        return {peer, Kind::Untrusted, {}};
    const bool forwarded = m_header == Header::Forwarded;
    const QList<QByteArray> &fields = forwarded ? headers.forwarded : headers.xForwardedFor;
    if (fields.isEmpty()) {
        const bool otherCame = !(forwarded ? headers.xForwardedFor : headers.forwarded).isEmpty();
        return {peer, Kind::NoHeader,
                otherCame
                    ? QStringLiteral("only %1 came, which is not the configured header")
                          .arg(headerName(forwarded ? Header::XForwardedFor : Header::Forwarded))
                    : QString()};
    }
    // Right to left, past the proxies; if all of them are proxies, the left-most is the client.
    // Each hop is parsed only when the walk reaches it: what lies left of the client is the
    // client's own to write, and garbage there must not move it onto the proxy's address.
    // Returns the resolution once the walk ends at `hop`.
    const auto step = [&](const Hop &hop, bool leftMost) -> std::optional<Resolution> {
        switch (hop.kind) {
        case Hop::Kind::Malformed:
            return Resolution{peer, Kind::Malformed, hop.detail};
        case Hop::Kind::Hidden:
            return Resolution{peer, Kind::Hidden, hop.detail};
        case Hop::Kind::Address:
            if (leftMost || !contains(hop.address))
                return Resolution{hop.address, Kind::Named, {}};
            return std::nullopt;
        }
        return std::nullopt;
    };
    for (qsizetype f = fields.size() - 1; f >= 0; --f) {
        if (forwarded) {
            QString problem;
            const std::optional<QList<Hop>> parsed = parseForwardedField(fields.at(f), &problem);
            if (!parsed)
                return {peer, Kind::Malformed, problem};
            const QList<Hop> &hops = *parsed;
            for (qsizetype h = hops.size() - 1; h >= 0; --h) {
                if (std::optional<Resolution> end = step(hops.at(h), f == 0 && h == 0))
                    return *end;
            }
            continue;
        }
        const QList<QByteArray> elements = fields.at(f).split(',');
        for (qsizetype e = elements.size() - 1; e >= 0; --e) {
            const QByteArray element = elements.at(e).trimmed();
            const std::optional<QHostAddress> address = parseElement(element);
            const Hop hop =
                address ? addressHop(*address)
                        : malformedHop(QStringLiteral("%1 is not an address").arg(quoted(element)));
            if (std::optional<Resolution> end = step(hop, f == 0 && e == 0))
                return *end;
        }
    }
    return {peer, Kind::Malformed, QStringLiteral("no hops")}; // unreachable: fields end a walk
}

} // namespace chat::server
