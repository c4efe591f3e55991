// Rules for the values people and programs put into messages. Each check returns an empty
// string when the value is acceptable, otherwise a reason a person can read (English). The
// *Rejection functions and the `rejection` of a result say the same as data (which value, which
// rule, the numbers and the character), for a client that says it in the user's language; the
// English sentence is made from it (describeRejection). The protocol carries the English only.
#pragma once

#include <QString>
#include <QStringView>

namespace chat::proto {

// What was checked. Append-only: clients translate by these.
enum class Field {
    Nickname,
    AccountName,
    DisplayName,
    Password,
    DeviceName,
    InviteCode,
    Token,
    DeviceId,
    MessageText,
    MessageId,
    RoomName,
    Title,
    Topic,
    PageSize,
};

// Which rule refused it. Append-only: clients translate by these.
enum class Rule {
    None,                  // accepted
    Empty,                 //
    TooLong,               // more than `limit` characters (`length` when counted)
    TooShort,              // fewer than `limit` characters (`length` of them)
    LoneSurrogate,         // not valid Unicode
    InvisibleOutsideEmoji, // U+FE0F or U+200D (`character`) outside an emoji sequence
    InvisibleCharacter,    // an invisible or control character (`character`) in a name
    ControlCharacter,      // a control character (`character`)
    NoVisibleCharacter,    //
    TwoSpaces,             // two spaces in a row
    PrintableAsciiOnly,    // ids and tokens
    RoomNameCharacters,    // only a-z, 0-9, '-' and '_'
    DirectRoomForm,        // "@" and two account ids, the lower first
    OutOfRange,            // a number (`length`) not from 1 to `limit`
};

struct Rejection
{
    Field field = Field::Nickname;
    Rule rule = Rule::None;
    qsizetype length = 0;
    qsizetype limit = 0;
    char32_t character = 0;
    [[nodiscard]] bool refused() const { return rule != Rule::None; }
};

// The English sentence for a rejection ("The room name is empty."); empty when none.
[[nodiscard]] QString describeRejection(const Rejection &rejection);
// "U+200B": how the sentences name a character.
[[nodiscard]] QString codePointName(char32_t c);

struct NormalizedNick
{
    QString nick;   // trimmed and in Unicode NFC
    QString reason; // empty when the nick is acceptable
    Rejection rejection;
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

// A value after normalisation, with the reason it is refused (empty when it is acceptable).
struct Normalized
{
    QString value;
    QString reason;
    Rejection rejection;
    [[nodiscard]] bool ok() const { return reason.isEmpty(); }
};

// Account names (version 2) follow the nickname rules above; only the sentences say "account
// name". Compare names with accountNameKey() (namekey.h), not nickKey().
[[nodiscard]] Normalized normalizeAccountName(const QString &raw);
// A display name: the nickname rules (up to kMaxDisplayChars), except that it may be empty
// (blank becomes empty), which means "none".
[[nodiscard]] Normalized normalizeDisplay(const QString &raw);
// kMinPasswordChars to kMaxPasswordChars code points; any printable character, spaces included,
// but no control character (NUL, newline, ...) and no lone surrogate. Not trimmed.
[[nodiscard]] QString checkPassword(const QString &password);
[[nodiscard]] Rejection passwordRejection(const QString &password);
// A device's name as a hello gives it: trimmed, may be empty, at most kMaxDeviceChars code
// points, no control characters.
[[nodiscard]] Normalized normalizeDevice(const QString &raw);
// An invite code: at most kMaxInviteChars code points, no control characters; empty is allowed
// (whether one is needed is the server's decision).
[[nodiscard]] QString checkInvite(const QString &invite);
// A token: 1 to kMaxTokenChars printable ASCII characters without spaces.
[[nodiscard]] QString checkToken(const QString &token);
// A Device::id in end_device: the rules of checkMessageId().
[[nodiscard]] QString checkDeviceId(const QString &id);

[[nodiscard]] QString checkText(const QString &text);
[[nodiscard]] Rejection textRejection(const QString &text);
[[nodiscard]] QString checkMessageId(const QString &id);
// A room a request names: a room name (1 to kMaxRoomChars of a-z, 0-9, '-', '_') or a direct
// room's name ("@<id>-<id>", two decimal account ids, the lower first).
[[nodiscard]] QString checkRoom(const QString &room);
[[nodiscard]] Rejection roomRejection(const QString &room);
// A name for a new room: the room name rules only (no '@').
[[nodiscard]] QString checkNewRoomName(const QString &room);
[[nodiscard]] Rejection newRoomNameRejection(const QString &room);
[[nodiscard]] bool isDirectRoomName(const QString &room);
// The direct room of two accounts: "@<lower id>-<higher id>".
[[nodiscard]] QString directRoomName(qint64 accountA, qint64 accountB);
// A room's title (up to kMaxTitleChars) or topic (up to kMaxTopicChars) comes back trimmed and
// NFC; control characters and invisible-only text are refused. Empty is allowed (none).
[[nodiscard]] Normalized normalizeTitle(const QString &raw);
[[nodiscard]] Normalized normalizeTopic(const QString &raw);
// A page size: 1 to kMaxPageSize.
[[nodiscard]] QString checkPageLimit(int limit);

// Counts what people call characters closely enough for limits: Unicode code points.
[[nodiscard]] qsizetype codePointCount(QStringView text);

} // namespace chat::proto
