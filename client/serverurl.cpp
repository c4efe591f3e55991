#include "serverurl.h"

#include <QCoreApplication>
#include <QHostAddress>
#include <QRegularExpression>

namespace chat::client {

namespace {

// The context of these sentences in the translations (Text::tr).
struct Text
{
    Q_DECLARE_TR_FUNCTIONS(ServerUrl)
};

ServerUrl refuse(const QString &input, const QString &why)
{
    return {QUrl(), Text::tr("The server address \u201c%1\u201d %2").arg(input, why)};
}

} // namespace

ServerUrl parseServerUrl(const QString &text)
{
    const QString input = text.trimmed();
    if (input.isEmpty())
        return {QUrl(), Text::tr("Enter the server's address, for example ws://host:8080/ or "
                                 "host:8080.")};

    static const QRegularExpression schemePattern(QStringLiteral("^([A-Za-z][A-Za-z0-9+.-]*)://"));
    const QRegularExpressionMatch schemeMatch = schemePattern.match(input);
    QString scheme = QStringLiteral("ws");
    QString rest = input;
    if (schemeMatch.hasMatch()) {
        const QString given = schemeMatch.captured(1).toLower();
        if (given == QLatin1String("ws") || given == QLatin1String("http"))
            scheme = QStringLiteral("ws");
        else if (given == QLatin1String("wss") || given == QLatin1String("https"))
            scheme = QStringLiteral("wss");
        else
            return refuse(input,
                          Text::tr("starts with %1://; a chat server's address starts with "
                                   "ws://, wss://, http:// or https://, or is just host:port.")
                              .arg(given));
        rest = input.mid(schemeMatch.capturedLength());
    } else if (const QHostAddress address(input);
               address.protocol() == QAbstractSocket::IPv6Protocol) {
        rest = QLatin1Char('[') + input + QLatin1Char(']'); // ::1 is [::1]
    }

    QUrl url(scheme + QStringLiteral("://") + rest, QUrl::StrictMode);
    if (!url.isValid()) {
        if (url.errorString().contains(QLatin1String("port")))
            return refuse(input, Text::tr("has no valid port: give a number from 1 to 65535."));
        return refuse(input, Text::tr("is not an address like host:8080 or ws://host:8080/."));
    }
    if (url.host().isEmpty())
        return refuse(input,
                      Text::tr("names no server: give a host, for example ws://host:8080/."));
    if (url.port() == 0)
        return refuse(input, Text::tr("has no valid port: give a number from 1 to 65535."));
    if (!schemeMatch.hasMatch() && url.port() < 0)
        url.setPort(kDefaultServerPort);
    if (url.path().isEmpty())
        url.setPath(QStringLiteral("/"));
    url.setFragment(QString());
    return {url, QString()};
}

bool passwordTravelsInClear(const QUrl &url)
{
    if (url.scheme() != QStringLiteral("ws"))
        return false;
    const QString host = url.host().toLower();
    return host != QStringLiteral("localhost") && host != QStringLiteral("127.0.0.1") &&
           host != QStringLiteral("::1") && host != QStringLiteral("[::1]");
}

} // namespace chat::client
