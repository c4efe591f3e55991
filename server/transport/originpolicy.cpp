#include "transport/originpolicy.h"

#include <QUrl>

namespace chat::server {

QString normalizeOrigin(const QString &text)
{
    const QUrl url(text.trimmed(), QUrl::StrictMode);
    const QString scheme = url.scheme().toLower();
    const bool knownScheme = scheme == QLatin1String("http") || scheme == QLatin1String("https") ||
                             scheme == QLatin1String("ws") || scheme == QLatin1String("wss");
    if (!url.isValid() || !knownScheme || url.host().isEmpty() || !url.userInfo().isEmpty() ||
        url.hasQuery() || url.hasFragment() || (!url.path().isEmpty() && url.path() != u'/'))
        return {};
    QString host = url.host(QUrl::FullyEncoded).toLower();
    if (host.contains(u':'))
        host = u'[' + host + u']'; // an IPv6 address
    // Browsers leave the scheme's default port out of the Origin header.
    const bool secure = scheme == QLatin1String("https") || scheme == QLatin1String("wss");
    const int defaultPort = secure ? 443 : 80;
    QString origin = scheme + QStringLiteral("://") + host;
    if (url.port() != -1 && url.port() != defaultPort)
        origin += u':' + QString::number(url.port());
    return origin;
}

bool originAllowed(const QStringList &allowed, const QString &origin)
{
    if (allowed.isEmpty() || origin.isEmpty())
        return true;
    const QString normalized = normalizeOrigin(origin);
    return !normalized.isEmpty() && allowed.contains(normalized);
}

bool originIsOwnOrAllowed(const QString &origin, const QByteArray &host, bool secure,
                          const QStringList &allowed)
{
    const QString normalized = normalizeOrigin(origin);
    if (normalized.isEmpty())
        return false; // none, "null" (a sandboxed frame, a file: page) or malformed
    const QString own =
        host.isEmpty()
            ? QString()
            : normalizeOrigin((secure ? QStringLiteral("https://") : QStringLiteral("http://")) +
                              QString::fromLatin1(host));
    return (!own.isEmpty() && normalized == own) || allowed.contains(normalized);
}

} // namespace chat::server
