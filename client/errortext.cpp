#include "errortext.h"

#include <QRegularExpression>
#include <QSslError>

namespace chat::client {

namespace {

constexpr int kMaxSslErrorsShown = 2;

QString withFullStop(QString text)
{
    text = text.trimmed();
    if (!text.isEmpty() && !text.endsWith(u'.') && !text.endsWith(u'。'))
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
        return QStringLiteral("服务器拒绝了连接（HTTP %1%2）。")
            .arg(m.captured(1), phrase.isEmpty() ? QString() : u' ' + phrase);
    }
    switch (error) {
    case QAbstractSocket::ConnectionRefusedError:
        return QStringLiteral("此地址上没有运行中的服务器（连接被拒绝）。");
    case QAbstractSocket::HostNotFoundError:
        return QStringLiteral("找不到服务器的主机名。");
    case QAbstractSocket::NetworkError:
        return QStringLiteral("网络不可达。");
    case QAbstractSocket::RemoteHostClosedError:
        return QStringLiteral("服务器关闭了连接。");
    case QAbstractSocket::SocketTimeoutError:
        return QStringLiteral("服务器未能及时应答。");
    default:
        break;
    }
    // Whatever else Qt says (in English), without the name of the Qt function that said it, after
    // a Chinese lead-in.
    static const QRegularExpression qtPrefix(QStringLiteral("^\\w+::\\w+: "));
    QString text = qtText;
    text.remove(qtPrefix);
    text = withFullStop(text);
    if (text.isEmpty())
        return QStringLiteral("连接失败。");
    text[0] = text.at(0).toUpper();
    return QStringLiteral("连接失败：%1").arg(text);
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
        return QStringLiteral("证书不受信任。");
    return QStringLiteral("证书不受信任：%1").arg(withFullStop(reasons.join(u"; ")));
}

} // namespace chat::client
