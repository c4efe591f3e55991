#include "secrets.h"

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
    if (expected.isEmpty() || expected.size() != offered.size())
        return false;
    char16_t difference = 0;
    for (qsizetype i = 0; i < expected.size(); ++i)
        difference |= expected.at(i).unicode() ^ offered.at(i).unicode();
    return difference == 0;
}

} // namespace chat::server
