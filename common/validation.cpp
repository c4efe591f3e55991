#include "validation.h"

#include "protocol.h"

#include <algorithm>
#include <optional>

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

constexpr char32_t kZeroWidthJoiner = 0x200D;
constexpr char32_t kEmojiPresentation = 0xFE0F; // variation selector 16
constexpr char32_t kCombiningKeycap = 0x20E3;

struct CodePointRange
{
    char32_t first;
    char32_t last;
};

// Characters that show as nothing, whatever their category: Unicode's Default_Ignorable_Code_Point
// (DerivedCoreProperties.txt, Unicode 15), which holds the Hangul fillers and every variation
// selector, plus U+2800 BRAILLE PATTERN BLANK. Listed by value rather than read from QChar's
// category, because several of them are letters (U+3164) or marks (U+034F) or symbols (U+2800).
constexpr CodePointRange kShowsAsNothing[] = {
    {0x00AD, 0x00AD},   // soft hyphen
    {0x034F, 0x034F},   // combining grapheme joiner
    {0x061C, 0x061C},   // Arabic letter mark
    {0x115F, 0x1160},   // Hangul choseong and jungseong fillers
    {0x17B4, 0x17B5},   // Khmer inherent vowels
    {0x180B, 0x180F},   // Mongolian variation selectors and vowel separator
    {0x200B, 0x200F},   // zero width space, non-joiner, joiner; LRM, RLM
    {0x202A, 0x202E},   // bidi embeddings and overrides
    {0x2060, 0x206F},   // word joiner, invisible operators, bidi isolates, deprecated formats
    {0x2800, 0x2800},   // braille pattern blank
    {0x3164, 0x3164},   // Hangul filler
    {0xFE00, 0xFE0F},   // variation selectors 1-16
    {0xFEFF, 0xFEFF},   // zero width no-break space (BOM)
    {0xFFA0, 0xFFA0},   // halfwidth Hangul filler
    {0xFFF0, 0xFFF8},   // unassigned, reserved as ignorable
    {0x1BCA0, 0x1BCA3}, // shorthand format controls
    {0x1D173, 0x1D17A}, // musical symbol formats
    {0xE0000, 0xE0FFF}, // tags and variation selectors 17-256
};

bool showsAsNothing(char32_t c)
{
    for (const CodePointRange &range : kShowsAsNothing) {
        if (c < range.first)
            return false;
        if (c <= range.last)
            return true;
    }
    return false;
}

// Closely enough for nicknames, a character that can start an emoji: Unicode gives almost all of
// them the category Symbol_Other; the few with an emoji form but another category are listed.
bool isEmojiBase(char32_t c)
{
    if (showsAsNothing(c))
        return false;
    if (QChar::category(c) == QChar::Symbol_Other)
        return true;
    switch (c) {
    case 0x203C: // double exclamation mark
    case 0x2049: // exclamation question mark
    case 0x2139: // information source
    case 0x2194: // left right arrow
    case 0x25FB:
    case 0x25FC:
    case 0x25FD:
    case 0x25FE: // medium squares
    case 0x2934:
    case 0x2935: // curving arrows
    case 0x3030: // wavy dash
    case 0x303D: // part alternation mark
        return true;
    default:
        return false;
    }
}

bool isKeycapBase(char32_t c)
{
    return (c >= U'0' && c <= U'9') || c == U'#' || c == U'*';
}

bool isSkinToneModifier(char32_t c)
{
    return c >= 0x1F3FB && c <= 0x1F3FF;
}

// U+FE0F and U+200D draw nothing themselves but are part of many emoji: a ZWJ sequence such as
// U+1F468 U+200D U+1F469 U+200D U+1F467, a heart in emoji style U+2764 U+FE0F, a keycap
// 1 U+FE0F U+20E3. They are allowed there and nowhere else; nickKey() drops them, so a name
// with them and the same name without them are the same person.
bool isPartOfEmoji(const QList<uint> &codePoints, qsizetype i)
{
    const char32_t c = codePoints.at(i);
    const char32_t before = i > 0 ? char32_t(codePoints.at(i - 1)) : 0;
    const char32_t after = i + 1 < codePoints.size() ? char32_t(codePoints.at(i + 1)) : 0;
    if (c == kEmojiPresentation)
        return isEmojiBase(before) || (isKeycapBase(before) && after == kCombiningKeycap);
    if (c == kZeroWidthJoiner) {
        // The element before: an emoji, possibly with its presentation selector or skin tone.
        qsizetype j = i - 1;
        if (j >= 0 &&
            (codePoints.at(j) == kEmojiPresentation || isSkinToneModifier(codePoints.at(j))))
            --j;
        return j >= 0 && isEmojiBase(codePoints.at(j)) && isEmojiBase(after);
    }
    return false;
}

// Whether anything is left to see: a name of spaces and combining marks alone is blank.
bool isVisible(char32_t c)
{
    if (c == U' ' || c == kEmojiPresentation || c == kZeroWidthJoiner)
        return false;
    switch (QChar::category(c)) {
    case QChar::Mark_NonSpacing:
    case QChar::Mark_SpacingCombining:
    case QChar::Mark_Enclosing:
        return false;
    default:
        return true;
    }
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

QString codePointName(char32_t c)
{
    return QStringLiteral("U+") + QString::number(uint(c), 16).toUpper().rightJustified(4, u'0');
}

namespace {

QString fieldName(Field field)
{
    switch (field) {
    case Field::Nickname:
        return QStringLiteral("The nickname");
    case Field::AccountName:
        return QStringLiteral("The account name");
    case Field::DisplayName:
        return QStringLiteral("The display name");
    case Field::Password:
        return QStringLiteral("The password");
    case Field::DeviceName:
        return QStringLiteral("The device name");
    case Field::InviteCode:
        return QStringLiteral("The invite code");
    case Field::Token:
        return QStringLiteral("The token");
    case Field::DeviceId:
        return QStringLiteral("The device id");
    case Field::MessageText:
        return QStringLiteral("The message text");
    case Field::MessageId:
        return QStringLiteral("The message id");
    case Field::RoomName:
        return QStringLiteral("The room name");
    case Field::Title:
        return QStringLiteral("The title");
    case Field::Topic:
        return QStringLiteral("The topic");
    case Field::PageSize:
        return QStringLiteral("The page size");
    }
    return {};
}

Rejection refuse(Field field, Rule rule, qsizetype length = 0, qsizetype limit = 0,
                 char32_t character = 0)
{
    return Rejection{field, rule, length, limit, character};
}

// Fills a result's rejection and its English reason.
template<typename Result> Result refused(Result result, const Rejection &rejection)
{
    result.rejection = rejection;
    result.reason = describeRejection(rejection);
    return result;
}

} // namespace

QString describeRejection(const Rejection &r)
{
    const QString what = fieldName(r.field);
    switch (r.rule) {
    case Rule::None:
        return {};
    case Rule::Empty:
        return QStringLiteral("%1 is empty.").arg(what);
    case Rule::TooLong:
        if (r.field == Field::Password || r.field == Field::MessageText)
            return QStringLiteral("%1 has %2 characters; at most %3 are allowed.")
                .arg(what)
                .arg(r.length)
                .arg(r.limit);
        return QStringLiteral("%1 is longer than %2 characters.").arg(what).arg(r.limit);
    case Rule::TooShort:
        return QStringLiteral("%1 has %2 characters; it needs at least %3.")
            .arg(what)
            .arg(r.length)
            .arg(r.limit);
    case Rule::LoneSurrogate:
        return QStringLiteral("%1 is not valid Unicode (a lone surrogate).").arg(what);
    case Rule::InvisibleOutsideEmoji:
        return QStringLiteral("%1 contains an invisible character (%2) outside an emoji sequence.")
            .arg(what, codePointName(r.character));
    case Rule::InvisibleCharacter:
        return QStringLiteral("%1 contains an invisible or control character (%2).")
            .arg(what, codePointName(r.character));
    case Rule::ControlCharacter:
        return QStringLiteral("%1 contains a control character (%2).")
            .arg(what, codePointName(r.character));
    case Rule::NoVisibleCharacter:
        return QStringLiteral("%1 has no visible character.").arg(what);
    case Rule::TwoSpaces:
        return QStringLiteral("%1 contains two spaces in a row.").arg(what);
    case Rule::PrintableAsciiOnly:
        return QStringLiteral("%1 may only hold printable ASCII without spaces.").arg(what);
    case Rule::RoomNameCharacters:
        return QStringLiteral("%1 may only hold a-z, 0-9, '-' and '_'.").arg(what);
    case Rule::DirectRoomForm:
        return QStringLiteral("A direct room's name is \"@\" and two account ids, the lower first, "
                              "as in \"@3-17\".");
    case Rule::OutOfRange:
        return QStringLiteral("%1 is %2; it must be from 1 to %3.")
            .arg(what)
            .arg(r.length)
            .arg(r.limit);
    }
    return {};
}

namespace {

// The nickname rules, for the field named in the sentences.
NormalizedNick normalizeNamed(const QString &raw, Field field, qsizetype maxChars)
{
    NormalizedNick result;
    result.nick = raw.trimmed().normalized(QString::NormalizationForm_C);
    if (result.nick.isEmpty())
        return refused(result, refuse(field, Rule::Empty));
    const qsizetype length = codePointCount(result.nick);
    if (length > maxChars)
        return refused(result, refuse(field, Rule::TooLong, length, maxChars));
    // A lone surrogate (only possible through a JSON \u escape) is no character at all.
    if (!result.nick.isValidUtf16())
        return refused(result, refuse(field, Rule::LoneSurrogate));
    const QList<uint> codePoints = result.nick.toUcs4();
    bool visible = false;
    for (qsizetype i = 0; i < codePoints.size(); ++i) {
        const char32_t c = codePoints.at(i);
        if (c == kEmojiPresentation || c == kZeroWidthJoiner) {
            if (!isPartOfEmoji(codePoints, i))
                return refused(result, refuse(field, Rule::InvisibleOutsideEmoji, 0, 0, c));
            continue;
        }
        if (isForbiddenInNick(c) || showsAsNothing(c))
            return refused(result, refuse(field, Rule::InvisibleCharacter, 0, 0, c));
        visible = visible || isVisible(c);
    }
    if (!visible)
        return refused(result, refuse(field, Rule::NoVisibleCharacter));
    if (result.nick.contains(QLatin1String("  ")))
        return refused(result, refuse(field, Rule::TwoSpaces));
    return result;
}

Normalized fromNick(NormalizedNick nick)
{
    return Normalized{std::move(nick.nick), std::move(nick.reason), nick.rejection};
}

// Control characters, lone surrogates, line and paragraph separators: nothing a one-line value
// typed by a person holds.
Rejection findControlCharacter(const QString &text, Field field)
{
    if (!text.isValidUtf16())
        return refuse(field, Rule::LoneSurrogate);
    for (const QChar c : text) {
        if (c.isSurrogate())
            continue;
        const QChar::Category category = c.category();
        if (category == QChar::Other_Control || category == QChar::Separator_Line ||
            category == QChar::Separator_Paragraph)
            return refuse(field, Rule::ControlCharacter, 0, 0, c.unicode());
    }
    return refuse(field, Rule::None);
}

// Printable ASCII without spaces, at most `maxChars`: ids, tokens, device ids.
Rejection checkPrintableAscii(const QString &value, Field field, qsizetype maxChars)
{
    if (value.isEmpty())
        return refuse(field, Rule::Empty);
    if (value.size() > maxChars)
        return refuse(field, Rule::TooLong, value.size(), maxChars);
    for (const QChar c : value) {
        if (c.unicode() <= 0x20 || c.unicode() >= 0x7f)
            return refuse(field, Rule::PrintableAsciiOnly);
    }
    return refuse(field, Rule::None);
}

} // namespace

NormalizedNick normalizeNick(const QString &raw)
{
    return normalizeNamed(raw, Field::Nickname, kMaxNickChars);
}

Normalized normalizeAccountName(const QString &raw)
{
    return fromNick(normalizeNamed(raw, Field::AccountName, kMaxNickChars));
}

Normalized normalizeDisplay(const QString &raw)
{
    const QString trimmed = raw.trimmed();
    if (trimmed.isEmpty() && raw.isValidUtf16())
        return {};
    return fromNick(normalizeNamed(raw, Field::DisplayName, kMaxDisplayChars));
}

Rejection passwordRejection(const QString &password)
{
    const qsizetype length = codePointCount(password);
    if (length < kMinPasswordChars)
        return refuse(Field::Password, Rule::TooShort, length, kMinPasswordChars);
    if (length > kMaxPasswordChars)
        return refuse(Field::Password, Rule::TooLong, length, kMaxPasswordChars);
    return findControlCharacter(password, Field::Password);
}

QString checkPassword(const QString &password)
{
    return describeRejection(passwordRejection(password));
}

Normalized normalizeDevice(const QString &raw)
{
    Normalized result;
    result.value = raw.trimmed();
    const qsizetype length = codePointCount(result.value);
    if (length > kMaxDeviceChars)
        return refused(result, refuse(Field::DeviceName, Rule::TooLong, length, kMaxDeviceChars));
    return refused(result, findControlCharacter(result.value, Field::DeviceName));
}

QString checkInvite(const QString &invite)
{
    const qsizetype length = codePointCount(invite);
    if (length > kMaxInviteChars)
        return describeRejection(refuse(Field::InviteCode, Rule::TooLong, length, kMaxInviteChars));
    return describeRejection(findControlCharacter(invite, Field::InviteCode));
}

QString checkToken(const QString &token)
{
    return describeRejection(checkPrintableAscii(token, Field::Token, kMaxTokenChars));
}

QString checkDeviceId(const QString &id)
{
    return describeRejection(checkPrintableAscii(id, Field::DeviceId, kMaxIdChars));
}

QString nickKey(const QString &normalizedNick)
{
    QString key = normalizedNick.toCaseFolded();
    // "❤️" and "❤" (with and without U+FE0F), or a ZWJ sequence and its emoji side by side,
    // look alike wherever a font lacks the sequence: one person.
    key.remove(QChar(char16_t(kEmojiPresentation)));
    key.remove(QChar(char16_t(kZeroWidthJoiner)));
    return key;
}

Rejection textRejection(const QString &text)
{
    if (text.trimmed().isEmpty())
        return refuse(Field::MessageText, Rule::Empty);
    const qsizetype length = codePointCount(text);
    if (length > kMaxTextChars)
        return refuse(Field::MessageText, Rule::TooLong, length, kMaxTextChars);
    if (!text.isValidUtf16()) // a lone surrogate, through a JSON \u escape
        return refuse(Field::MessageText, Rule::LoneSurrogate);
    for (const QChar c : text) {
        if (c.isSurrogate())
            continue;
        if (isForbiddenInText(c.unicode()))
            return refuse(Field::MessageText, Rule::ControlCharacter, 0, 0, c.unicode());
    }
    return refuse(Field::MessageText, Rule::None);
}

QString checkText(const QString &text)
{
    return describeRejection(textRejection(text));
}

QString checkMessageId(const QString &id)
{
    return describeRejection(checkPrintableAscii(id, Field::MessageId, kMaxIdChars));
}

namespace {

bool isRoomNameCharacter(QChar c)
{
    const char16_t u = c.unicode();
    return (u >= u'a' && u <= u'z') || (u >= u'0' && u <= u'9') || u == u'-' || u == u'_';
}

// An account id in a direct room's name: 1 to kMaxDirectIdDigits decimal digits, no leading zero.
constexpr qsizetype kMaxDirectIdDigits = 15; // "@" + 15 + "-" + 15 = kMaxRoomChars

std::optional<qint64> parseDirectId(QStringView digits)
{
    if (digits.isEmpty() || digits.size() > kMaxDirectIdDigits || digits.front() == u'0')
        return std::nullopt;
    qint64 id = 0;
    for (const QChar c : digits) {
        if (c < u'0' || c > u'9')
            return std::nullopt;
        id = id * 10 + (c.unicode() - u'0');
    }
    return id;
}

Rejection directRoomRejection(const QString &room)
{
    const Rejection form = refuse(Field::RoomName, Rule::DirectRoomForm);
    const qsizetype dash = room.indexOf(u'-', 1);
    if (dash < 0)
        return form;
    const std::optional<qint64> first = parseDirectId(QStringView(room).sliced(1, dash - 1));
    const std::optional<qint64> second = parseDirectId(QStringView(room).sliced(dash + 1));
    if (!first || !second || *first >= *second)
        return form;
    return refuse(Field::RoomName, Rule::None);
}

// A title or topic: one line of any visible text, or nothing.
Normalized normalizeRoomText(const QString &raw, Field field, qsizetype maxChars)
{
    Normalized result;
    result.value = raw.trimmed().normalized(QString::NormalizationForm_C);
    if (result.value.isEmpty())
        return result;
    const qsizetype length = codePointCount(result.value);
    if (length > maxChars)
        return refused(result, refuse(field, Rule::TooLong, length, maxChars));
    if (const Rejection control = findControlCharacter(result.value, field); control.refused())
        return refused(result, control);
    const QList<uint> codePoints = result.value.toUcs4();
    const bool visible = std::any_of(codePoints.cbegin(), codePoints.cend(), [](uint c) {
        return !QChar::isSpace(c) && !showsAsNothing(c) && !isForbiddenInNick(c) && isVisible(c);
    });
    if (!visible)
        return refused(result, refuse(field, Rule::NoVisibleCharacter));
    return result;
}

} // namespace

Rejection newRoomNameRejection(const QString &room)
{
    if (room.isEmpty())
        return refuse(Field::RoomName, Rule::Empty);
    if (room.size() > kMaxRoomChars)
        return refuse(Field::RoomName, Rule::TooLong, room.size(), kMaxRoomChars);
    if (!std::all_of(room.cbegin(), room.cend(), isRoomNameCharacter))
        return refuse(Field::RoomName, Rule::RoomNameCharacters);
    return refuse(Field::RoomName, Rule::None);
}

QString checkNewRoomName(const QString &room)
{
    return describeRejection(newRoomNameRejection(room));
}

Rejection roomRejection(const QString &room)
{
    if (room.startsWith(u'@') && room.size() <= kMaxRoomChars)
        return directRoomRejection(room);
    return newRoomNameRejection(room);
}

QString checkRoom(const QString &room)
{
    return describeRejection(roomRejection(room));
}

bool isDirectRoomName(const QString &room)
{
    return room.startsWith(u'@') && !roomRejection(room).refused();
}

QString directRoomName(qint64 accountA, qint64 accountB)
{
    return QStringLiteral("@%1-%2").arg(qMin(accountA, accountB)).arg(qMax(accountA, accountB));
}

Normalized normalizeTitle(const QString &raw)
{
    return normalizeRoomText(raw, Field::Title, kMaxTitleChars);
}

Normalized normalizeTopic(const QString &raw)
{
    return normalizeRoomText(raw, Field::Topic, kMaxTopicChars);
}

QString checkPageLimit(int limit)
{
    if (limit < 1 || limit > kMaxPageSize)
        return describeRejection(refuse(Field::PageSize, Rule::OutOfRange, limit, kMaxPageSize));
    return {};
}

} // namespace chat::proto
