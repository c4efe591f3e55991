#include "validation.h"

#include "protocol.h"

namespace chat::proto {

namespace {

bool isForbiddenInNick(char32_t c)
{
    switch (QChar::category(c)) {
    case QChar::Other_Control:
    case QChar::Other_Format: // zero-width and direction marks let two names look alike
    case QChar::Other_Surrogate:
    case QChar::Other_NotAssigned:
    case QChar::Other_PrivateUse:
    case QChar::Separator_Line:
    case QChar::Separator_Paragraph:
        return true;
    case QChar::Separator_Space:
        return c != U' ';
    default:
        return false;
    }
}

QString codePointName(uint c)
{
    return QStringLiteral("U+") + QString::number(c, 16).toUpper().rightJustified(4, u'0');
}

bool isForbiddenInText(char32_t c)
{
    if (c == U'\n' || c == U'\t')
        return false;
    return QChar::category(c) == QChar::Other_Control;
}

} // namespace

qsizetype codePointCount(QStringView text)
{
    qsizetype count = 0;
    for (const QChar c : text) {
        if (!c.isLowSurrogate())
            ++count;
    }
    return count;
}

NormalizedNick normalizeNick(const QString &raw)
{
    NormalizedNick result;
    result.nick = raw.trimmed().normalized(QString::NormalizationForm_C);
    if (result.nick.isEmpty()) {
        result.reason = QStringLiteral("The nickname is empty.");
        return result;
    }
    if (codePointCount(result.nick) > kMaxNickChars) {
        result.reason =
            QStringLiteral("The nickname is longer than %1 characters.").arg(kMaxNickChars);
        return result;
    }
    // A lone surrogate (only possible through a JSON \u escape) is no character at all.
    if (!result.nick.isValidUtf16()) {
        result.reason = QStringLiteral("The nickname is not valid Unicode (a lone surrogate).");
        return result;
    }
    const QList<uint> codePoints = result.nick.toUcs4();
    for (const uint c : codePoints) {
        if (isForbiddenInNick(char32_t(c))) {
            result.reason =
                QStringLiteral("The nickname contains an invisible or control character (%1).")
                    .arg(codePointName(c));
            return result;
        }
    }
    if (result.nick.contains(QLatin1String("  "))) {
        result.reason = QStringLiteral("The nickname contains two spaces in a row.");
        return result;
    }
    return result;
}

QString nickKey(const QString &normalizedNick)
{
    return normalizedNick.toCaseFolded();
}

QString checkText(const QString &text)
{
    if (text.trimmed().isEmpty())
        return QStringLiteral("The message text is empty.");
    const qsizetype length = codePointCount(text);
    if (length > kMaxTextChars) {
        return QStringLiteral("The message text has %1 characters; at most %2 are allowed.")
            .arg(length)
            .arg(kMaxTextChars);
    }
    if (!text.isValidUtf16()) // a lone surrogate, through a JSON \u escape
        return QStringLiteral("The message text is not valid Unicode (a lone surrogate).");
    for (const QChar c : text) {
        if (c.isSurrogate())
            continue;
        if (isForbiddenInText(c.unicode()))
            return QStringLiteral("The message text contains a control character (%1).")
                .arg(codePointName(c.unicode()));
    }
    return {};
}

QString checkMessageId(const QString &id)
{
    if (id.isEmpty())
        return QStringLiteral("The message id is empty.");
    if (id.size() > kMaxIdChars)
        return QStringLiteral("The message id is longer than %1 characters.").arg(kMaxIdChars);
    for (const QChar c : id) {
        if (c.unicode() <= 0x20 || c.unicode() >= 0x7f)
            return QStringLiteral("The message id may only hold printable ASCII without spaces.");
    }
    return {};
}

QString checkRoom(const QString &room)
{
    if (room.isEmpty())
        return QStringLiteral("The room name is empty.");
    if (room.size() > kMaxRoomChars)
        return QStringLiteral("The room name is longer than %1 characters.").arg(kMaxRoomChars);
    for (const QChar c : room) {
        const char16_t u = c.unicode();
        const bool ok =
            (u >= u'a' && u <= u'z') || (u >= u'0' && u <= u'9') || u == u'-' || u == u'_';
        if (!ok)
            return QStringLiteral("The room name may only hold a-z, 0-9, '-' and '_'.");
    }
    return {};
}

} // namespace chat::proto
