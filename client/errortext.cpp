#include "errortext.h"

#include <QRegularExpression>
#include <QSslError>

namespace chat::client {

namespace {

constexpr int kMaxSslErrorsShown = 2;

QString withFullStop(QString text)
{
    text = text.trimmed();
    if (!text.isEmpty() && !text.endsWith(u'.'))
        text += u'.';
    return text;
}

} // namespace

QString describeSocketError(QAbstractSocket::SocketError error, const QString &qtText)
{
    // Qt 6.4 words a refused upgrade as
    // "QWebSocketPrivate::processHandshake: Unhandled http status code: 403 (Forbidden)."
    static const QRegularExpression httpStatus(
        QStringLiteral("status code: (\\d{3})(?: \\(([^)]*)\\))?"));
    if (const QRegularExpressionMatch m = httpStatus.match(qtText); m.hasMatch()) {
        const QString phrase = m.captured(2).trimmed();
        return QStringLiteral("The server refused the connection (HTTP %1%2).")
            .arg(m.captured(1), phrase.isEmpty() ? QString() : u' ' + phrase);
    }
    switch (error) {
    case QAbstractSocket::ConnectionRefusedError:
        return QStringLiteral("No server is running at this address (connection refused).");
    case QAbstractSocket::HostNotFoundError:
        return QStringLiteral("The server's host name was not found.");
    case QAbstractSocket::NetworkError:
        return QStringLiteral("The network is unreachable.");
    case QAbstractSocket::RemoteHostClosedError:
        return QStringLiteral("The server closed the connection.");
    case QAbstractSocket::SocketTimeoutError:
        return QStringLiteral("The server did not answer in time.");
    default:
        break;
    }
    // Whatever else Qt says, without the name of the Qt function that said it.
    static const QRegularExpression qtPrefix(QStringLiteral("^\\w+::\\w+: "));
    QString text = qtText;
    text.remove(qtPrefix);
    text = withFullStop(text);
    if (text.isEmpty())
        return QStringLiteral("The connection failed.");
    text[0] = text.at(0).toUpper();
    return text;
}

QString describeSslErrors(const QList<QSslError> &errors)
{
    QStringList reasons;
    for (const QSslError &error : errors) {
        const QString reason = error.errorString().trimmed();
        if (!reason.isEmpty() && !reasons.contains(reason))
            reasons.append(reason);
        if (reasons.size() == kMaxSslErrorsShown)
            break;
    }
    if (reasons.isEmpty())
        return QStringLiteral("certificate not trusted.");
    return QStringLiteral("certificate not trusted: %1").arg(withFullStop(reasons.join(u"; ")));
}

} // namespace chat::client
