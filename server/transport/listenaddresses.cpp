#include "transport/listenaddresses.h"

#include <QNetworkInterface>
#include <QUrl>

#include <algorithm>

namespace chat::server {

namespace {

struct Families
{
    bool any = false; // listening on every address of the families below
    bool ipv4 = false;
    bool ipv6 = false;
};

Families familiesOf(const QHostAddress &host)
{
    if (host.protocol() == QAbstractSocket::AnyIPProtocol)
        return {true, true, true}; // QHostAddress::Any: both stacks
    if (host.isEqual(QHostAddress(QHostAddress::AnyIPv4), QHostAddress::StrictConversion))
        return {true, true, false};
    if (host.isEqual(QHostAddress(QHostAddress::AnyIPv6), QHostAddress::StrictConversion))
        return {true, false, true};
    return {};
}

bool usable(const QNetworkAddressEntry &entry, const Families &families)
{
    const QHostAddress ip = entry.ip();
    if (ip.isNull() || ip.isLoopback() || ip.isLinkLocal() || ip.isMulticast() ||
        ip.isBroadcast() || !ip.scopeId().isEmpty() || entry.isTemporary())
        return false;
    if (ip.protocol() == QAbstractSocket::IPv4Protocol)
        return families.ipv4;
    if (ip.protocol() == QAbstractSocket::IPv6Protocol)
        return families.ipv6;
    return false;
}

QString urlFor(const QString &scheme, const QHostAddress &address, quint16 port)
{
    QUrl url;
    url.setScheme(scheme);
    url.setHost(address.toString());
    url.setPort(port);
    url.setPath(QStringLiteral("/"));
    return url.toString();
}

} // namespace

QList<QHostAddress> reachableAddresses(const QHostAddress &host, int limit)
{
    const Families families = familiesOf(host);
    if (!families.any)
        return {host};

    QList<QHostAddress> result{families.ipv4 ? QHostAddress(QHostAddress::LocalHost)
                                             : QHostAddress(QHostAddress::LocalHostIPv6)};
    QList<QHostAddress> own;
    const QList<QNetworkInterface> interfaces = QNetworkInterface::allInterfaces();
    for (const QNetworkInterface &interface : interfaces) {
        const auto flags = interface.flags();
        if (!flags.testFlag(QNetworkInterface::IsUp) ||
            !flags.testFlag(QNetworkInterface::IsRunning) ||
            flags.testFlag(QNetworkInterface::IsLoopBack))
            continue;
        const QList<QNetworkAddressEntry> entries = interface.addressEntries();
        for (const QNetworkAddressEntry &entry : entries) {
            if (usable(entry, families) && !own.contains(entry.ip()))
                own.append(entry.ip());
        }
    }
    std::stable_sort(own.begin(), own.end(), [](const QHostAddress &a, const QHostAddress &b) {
        return a.protocol() == QAbstractSocket::IPv4Protocol &&
               b.protocol() != QAbstractSocket::IPv4Protocol;
    });
    if (own.size() > limit)
        own.resize(limit);
    return result + own;
}

QStringList describeListenAddresses(const QHostAddress &host, quint16 port, bool tls)
{
    const QString web = tls ? QStringLiteral("https") : QStringLiteral("http");
    const QString socket = tls ? QStringLiteral("wss") : QStringLiteral("ws");
    const QList<QHostAddress> addresses = reachableAddresses(host);
    QStringList pages;
    qsizetype width = 0;
    for (const QHostAddress &address : addresses) {
        pages.append(urlFor(web, address, port));
        width = std::max(width, pages.constLast().size());
    }
    QStringList lines;
    for (qsizetype i = 0; i < addresses.size(); ++i) {
        QString line = QStringLiteral("  browser: %1   desktop client: %2")
                           .arg(pages[i], -int(width))
                           .arg(urlFor(socket, addresses[i], port));
        if (addresses[i].isLoopback())
            line += QStringLiteral("   (this machine only)");
        lines.append(line);
    }
    return lines;
}

} // namespace chat::server
