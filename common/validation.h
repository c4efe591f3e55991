// Rules for the values people and programs put into messages. Each check returns an empty
// string when the value is acceptable, otherwise a reason a person can read.
#pragma once

#include <QString>
#include <QStringView>

namespace chat::proto {

struct NormalizedNick
{
    QString nick;   // trimmed and in Unicode NFC
    QString reason; // empty when the nick is acceptable
    [[nodiscard]] bool ok() const { return reason.isEmpty(); }
};

// Trims, converts to NFC and checks length and characters. Refuses control characters, spaces
// other than single U+0020, and everything that shows as nothing (Default_Ignorable_Code_Point,
// Hangul fillers, U+2800 braille blank, variation selectors), except U+FE0F and U+200D inside an
// emoji sequence; and a name with nothing visible left.
[[nodiscard]] NormalizedNick normalizeNick(const QString &raw);
// Two nicks that differ only in case, or only in the U+FE0F and U+200D of their emoji, belong to
// the same person: compare these keys.
[[nodiscard]] QString nickKey(const QString &normalizedNick);

[[nodiscard]] QString checkText(const QString &text);
[[nodiscard]] QString checkMessageId(const QString &id);
// Any room but "lobby" is refused until rooms exist.
[[nodiscard]] QString checkRoom(const QString &room);

// Counts what people call characters closely enough for limits: Unicode code points.
[[nodiscard]] qsizetype codePointCount(QStringView text);

} // namespace chat::proto
