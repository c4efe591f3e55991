#include "mentions.h"

#include "namekey.h"
#include "protocol.h"

#include <QSet>

namespace chat::proto {

namespace {

// Ends a name: white space (U+3000 among it) and the punctuation that follows a name in a
// sentence, in ASCII and in its full-width Chinese forms.
bool endsName(char32_t c)
{
    if (QChar::isSpace(c))
        return true;
    switch (c) {
    case U',':
    case U'.':
    case U':':
    case U';':
    case U'!':
    case U'?':
    case U'(':
    case U')':
    case U'[':
    case U']':
    case U'{':
    case U'}':
    case U'<':
    case U'>':
    case U'"':
    case U'\'':
    case U'，':
    case U'。':
    case U'：':
    case U'；':
    case U'！':
    case U'？':
    case U'（':
    case U'）':
    case U'、':
        return true;
    default:
        return false;
    }
}

template<typename Visit> void forEachMention(const QString &text, Visit visit)
{
    const QList<uint> codePoints = text.toUcs4();
    const qsizetype size = codePoints.size();
    for (qsizetype i = 0; i < size; ++i) {
        if (codePoints.at(i) != U'@')
            continue;
        // Inside a word ("bob@example.org") an '@' is not a mention.
        if (i > 0 && !endsName(codePoints.at(i - 1)))
            continue;
        qsizetype end = i + 1;
        while (end < size && !endsName(codePoints.at(end)))
            ++end;
        const qsizetype length = end - (i + 1);
        if (length > 0 && length <= kMaxNickChars) {
            if (!visit(QString::fromUcs4(
                    reinterpret_cast<const char32_t *>(codePoints.constData()) + i + 1, length)))
                return;
        }
        i = end - 1;
    }
}

} // namespace

QStringList mentionedNames(const QString &text)
{
    QStringList names;
    if (!text.contains(u'@'))
        return names;
    QSet<QString> seen;
    forEachMention(text, [&](const QString &name) {
        const QString key = accountNameKey(name);
        if (!seen.contains(key.isEmpty() ? name : key)) {
            seen.insert(key.isEmpty() ? name : key);
            names.append(name);
        }
        return true;
    });
    return names;
}

bool mentions(const QString &text, const QString &nameKey)
{
    if (nameKey.isEmpty() || !text.contains(u'@'))
        return false;
    bool found = false;
    forEachMention(text, [&](const QString &name) {
        found = accountNameKey(name) == nameKey;
        return !found;
    });
    return found;
}

} // namespace chat::proto
