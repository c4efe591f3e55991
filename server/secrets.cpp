#include "secrets.h"

#include <QCryptographicHash>
#include <QFile>
#include <QRandomGenerator>

namespace chat::server {

QString randomHex(int bits)
{
    QString hex;
    hex.reserve(bits / 4);
    for (int i = 0; i < bits / 32; ++i)
        hex += QStringLiteral("%1").arg(QRandomGenerator::system()->generate(), 8, 16,
                                        QLatin1Char('0'));
    return hex;
}

bool sameSecret(const QString &expected, const QString &offered)
{
    if (expected.isEmpty())
        return false;
    // Digests have one length, so neither where the strings differ nor how long the secret is
    // shows in the time taken.
    const QByteArray want = QCryptographicHash::hash(expected.toUtf8(), QCryptographicHash::Sha256);
    const QByteArray got = QCryptographicHash::hash(offered.toUtf8(), QCryptographicHash::Sha256);
    unsigned char difference = 0;
    for (qsizetype i = 0; i < want.size(); ++i)
        difference |= static_cast<unsigned char>(want.at(i) ^ got.at(i));
    return difference == 0;
}

QString readSecretFile(const QString &path, qsizetype maxChars, QString *secret)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return QStringLiteral("cannot read \"%1\": %2").arg(path, file.errorString());
    // Four bytes per character at most in UTF-8, and room for the line break.
    const QByteArray bytes = file.read(maxChars * 4 + 3);
    if (!file.atEnd())
        return QStringLiteral("\"%1\" is longer than %2 characters").arg(path).arg(maxChars);
    QString text = QString::fromUtf8(bytes);
    while (text.endsWith(u'\n') || text.endsWith(u'\r'))
        text.chop(1);
    if (text.isEmpty())
        return QStringLiteral("\"%1\" is empty").arg(path);
    if (text.size() > maxChars)
        return QStringLiteral("\"%1\" is longer than %2 characters").arg(path).arg(maxChars);
    *secret = text;
    return {};
}

} // namespace chat::server
