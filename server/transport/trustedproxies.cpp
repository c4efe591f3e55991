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

TrustedProxies::Resolution TrustedProxies::resolve(const QHostAddress &peer,
                                                   const QList<QByteArray> &forwardedFor) const
{
    if (forwardedFor.isEmpty() || !contains(peer))
        return {peer};
    QList<QHostAddress> chain;
    for (const QByteArray &field : forwardedFor) {
        for (const QByteArray &element : field.split(',')) {
            const std::optional<QHostAddress> address = parseElement(element.trimmed());
            if (!address)
                return {peer, false, true};
            chain.append(*address);
        }
    }
    // Right to left, past the proxies; if all of them are proxies, the left-most is the client.
    for (qsizetype i = chain.size() - 1; i > 0; --i) {
        if (!contains(chain.at(i)))
            return {chain.at(i), true};
    }
    return {chain.constFirst(), true};
}

} // namespace chat::server
