#include "payload.h"

#include "codec.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <limits>

namespace chat::bench {

namespace {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the digit parsing reads words");

constexpr char kPrefix[] = "bench ";
// Every number is zero-padded to a fixed width, a multiple of 8, so that it is read eight
// digits at a time and every field sits at a known offset: "bench RUN PUB COUNTER SENT_NS".
constexpr std::size_t kRunDigits = 8;
constexpr std::size_t kPublisherDigits = 8;
constexpr std::size_t kCounterDigits = 16;
constexpr std::size_t kSentDigits = 24; // any int64
constexpr std::size_t kRunAt = sizeof kPrefix - 1;
constexpr std::size_t kPublisherAt = kRunAt + kRunDigits + 1;
constexpr std::size_t kCounterAt = kPublisherAt + kPublisherDigits + 1;
constexpr std::size_t kSentAt = kCounterAt + kCounterDigits + 1;
constexpr std::size_t kStampSize = kSentAt + kSentDigits;

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

template<std::size_t N> bool startsWith(std::string_view text, const char (&prefix)[N])
{
    // A constant size lets the compiler inline the comparison.
    return text.size() >= N - 1 && std::memcmp(text.data(), prefix, N - 1) == 0;
}

template<std::size_t N> bool endsWith(std::string_view text, const char (&suffix)[N])
{
    return text.size() >= N - 1 &&
           std::memcmp(text.data() + text.size() - (N - 1), suffix, N - 1) == 0;
}

void appendDigits(std::string &out, std::uint64_t value, std::size_t width)
{
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
    const auto count = std::size_t(end - digits);
    if (count < width)
        out.append(width - count, '0');
    out.append(digits, count); // wider than the field: the reader rejects it, never misreads
}

// Eight ASCII digits at `at` as a number, all at once. A byte that is not a digit leaves a bit
// in `bad`, checked once for the whole stamp.
std::uint64_t eightDigits(const char *at, std::uint64_t *bad)
{
    std::uint64_t word = 0;
    std::memcpy(&word, at, 8);
    // A digit is 0x30..0x39: high nibble 3, and adding 6 does not carry into it.
    *bad |=
        ((word & 0xF0F0F0F0F0F0F0F0) | (((word + 0x0606060606060606) & 0xF0F0F0F0F0F0F0F0) >> 4)) ^
        0x3333333333333333;
    // Pairs, then quadruples, then all eight (the first digit is the lowest byte).
    word = ((word & 0x0F0F0F0F0F0F0F0F) * 2561) >> 8;
    word = ((word & 0x00FF00FF00FF00FF) * 6553601) >> 16;
    return ((word & 0x0000FFFF0000FFFF) * 42949672960001) >> 32;
}

// A field of `Digits` digits (a multiple of 8, at most 16: no overflow) at `at`.
template<std::size_t Digits> std::uint64_t readField(const char *at, std::uint64_t *bad)
{
    static_assert(Digits % 8 == 0 && Digits <= 16);
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < Digits; i += 8)
        total = total * 100000000 + eightDigits(at + i, bad);
    return total;
}

// The 24-digit send time; false unless it fits an int64. Its top eight digits are checked too,
// since a larger top could wrap the sum around into range.
bool readSentNs(const char *at, std::uint64_t *bad, std::int64_t *sentNs)
{
    constexpr std::uint64_t kMax = std::numeric_limits<std::int64_t>::max();
    constexpr std::uint64_t kTopUnit = 10000000000000000; // 10^16
    const std::uint64_t top = eightDigits(at, bad);
    const std::uint64_t value = top * kTopUnit + readField<16>(at + 8, bad);
    *sentNs = std::int64_t(value);
    return top <= kMax / kTopUnit && value <= kMax;
}

// Finds `needle` by memchr (vectorised) for its byte at `anchor`, then compares the rest: far
// cheaper than memmem when that byte is rare in the haystack.
const char *findAnchored(std::string_view haystack, std::string_view needle, std::size_t anchor)
{
    if (haystack.size() < needle.size())
        return nullptr;
    const char *from = haystack.data() + anchor;
    const char *const end = haystack.data() + haystack.size() - needle.size() + anchor + 1;
    // Bounded: every pass moves `from` forward by at least one byte.
    while (from < end) {
        const auto *hit =
            static_cast<const char *>(std::memchr(from, needle[anchor], std::size_t(end - from)));
        if (!hit)
            return nullptr;
        if (std::memcmp(hit - anchor, needle.data(), needle.size()) == 0)
            return hit - anchor;
        from = hit + 1;
    }
    return nullptr;
}

// glibc's memmem: much faster than string_view::find on JSON, where '"' is everywhere.
bool contains(std::string_view haystack, std::string_view needle)
{
    return memmem(haystack.data(), haystack.size(), needle.data(), needle.size()) != nullptr;
}

ServerFrame kindNamed(std::string_view type)
{
    if (type == "message")
        return ServerFrame::Message;
    if (type == "welcome")
        return ServerFrame::Welcome;
    if (type == "presence")
        return ServerFrame::Presence;
    if (type == "error")
        return ServerFrame::Error;
    if (type == "pong")
        return ServerFrame::Pong;
    return ServerFrame::Other;
}

// The kind of a frame that names its type first, as chatcommon's own writer does.
bool typeNamedFirst(std::string_view json, ServerFrame *kind)
{
    constexpr char kOpening[] = "{\"type\":\"";
    if (!startsWith(json, kOpening))
        return false;
    const std::string_view rest = json.substr(sizeof kOpening - 1);
    const std::size_t end = rest.find('"');
    if (end == std::string_view::npos)
        return false;
    *kind = kindNamed(rest.substr(0, end));
    return true;
}

} // namespace

std::string makeText(const Stamp &stamp, int size)
{
    std::string text;
    text.reserve(std::max(std::size_t(size), kStampSize + 1));
    text.append(kPrefix);
    appendDigits(text, stamp.run, kRunDigits);
    text.append(1, ' ');
    appendDigits(text, stamp.publisher, kPublisherDigits);
    text.append(1, ' ');
    appendDigits(text, std::uint64_t(stamp.counter), kCounterDigits);
    text.append(1, ' ');
    appendDigits(text, std::uint64_t(stamp.sentNs), kSentDigits);
    if (int(text.size()) < size) {
        text.append(1, ' ');
        // Printable filler, so a relay that checks the text has something ordinary to check.
        for (int i = int(text.size()); i < size; ++i)
            text.push_back(char('a' + i % 26));
    }
    return text;
}

bool parseText(std::string_view text, Stamp *stamp)
{
    if (text.size() < kStampSize || !startsWith(text, kPrefix) || text[kPublisherAt - 1] != ' ' ||
        text[kCounterAt - 1] != ' ' || text[kSentAt - 1] != ' ' ||
        (text.size() > kStampSize && isDigit(text[kStampSize])))
        return false;
    const char *at = text.data();
    std::uint64_t bad = 0;
    stamp->run = std::uint32_t(readField<kRunDigits>(at + kRunAt, &bad));
    stamp->publisher = std::uint32_t(readField<kPublisherDigits>(at + kPublisherAt, &bad));
    stamp->counter = std::int64_t(readField<kCounterDigits>(at + kCounterAt, &bad));
    return readSentNs(at + kSentAt, &bad, &stamp->sentNs) && bad == 0;
}

// Inside a JSON string every '"' is escaped, so `"type":"` occurs only as a real key, and a
// frame that starts with `{"type":"` names its own type there. Nested objects are only the
// history of a welcome, which holds messages, never welcomes.
ServerFrame classify(std::string_view json)
{
    // chatcommon writes a message's type either first or, with sorted keys, last: fast paths.
    if (startsWith(json, "{\"type\":\"message\"") || endsWith(json, "\"type\":\"message\"}"))
        return ServerFrame::Message;
    ServerFrame kind = ServerFrame::Other;
    if (typeNamedFirst(json, &kind))
        return kind;
    if (contains(json, "\"type\":\"welcome\""))
        return ServerFrame::Welcome;
    if (contains(json, "\"type\":\"message\""))
        return ServerFrame::Message;
    if (contains(json, "\"type\":\"presence\""))
        return ServerFrame::Presence;
    if (contains(json, "\"type\":\"error\""))
        return ServerFrame::Error;
    if (contains(json, "\"type\":\"pong\""))
        return ServerFrame::Pong;
    return ServerFrame::Other;
}

bool scanMessageText(std::string_view json, Stamp *stamp, std::size_t *textFromEnd)
{
    constexpr char kTextKey[] = "\"text\":\"";
    constexpr std::size_t kKeySize = sizeof kTextKey - 1;
    // Bench messages all have the same shape, so the key is where it was in the last one; it
    // cannot be anything but the key there (see classify()), so a match needs no scan.
    const std::size_t guess = *textFromEnd;
    const char *at =
        guess >= kKeySize && guess <= json.size() ? json.data() + json.size() - guess : nullptr;
    if (!at || std::memcmp(at, kTextKey, kKeySize) != 0) {
        // Anchored on the 'x', which no other key of a message has, nor (usually) the values
        // before the text; a false hit only costs another memchr.
        at = findAnchored(json, std::string_view(kTextKey, kKeySize), 3);
        if (!at)
            return false;
        *textFromEnd = std::size_t(json.data() + json.size() - at);
    }
    return parseText(json.substr(std::size_t(at - json.data()) + kKeySize), stamp);
}

ServerFrame decodeFrame(std::string_view json, Stamp *stamp)
{
    const auto decoded = chat::proto::decodeServerMessage(
        QByteArray::fromRawData(json.data(), qsizetype(json.size())));
    if (!decoded.ok())
        return ServerFrame::Other;
    const chat::proto::ServerMessage &message = *decoded.message;
    if (const auto *m = std::get_if<chat::proto::Message>(&message)) {
        const QByteArray text = m->text.toUtf8();
        return parseText(std::string_view(text.constData(), std::size_t(text.size())), stamp)
                   ? ServerFrame::Message
                   : ServerFrame::Other;
    }
    if (std::holds_alternative<chat::proto::Welcome>(message))
        return ServerFrame::Welcome;
    if (std::holds_alternative<chat::proto::Presence>(message))
        return ServerFrame::Presence;
    if (std::holds_alternative<chat::proto::Error>(message))
        return ServerFrame::Error;
    return ServerFrame::Pong;
}

namespace {

// Characters that JSON writes as they are (no escape, no UTF-8 conversion).
bool isPlainAscii(std::string_view text)
{
    for (const char c : text) {
        if (c < 0x20 || c > 0x7E || c == '"' || c == '\\')
            return false;
    }
    return true;
}

std::string toStd(const QByteArray &bytes)
{
    return std::string(bytes.constData(), std::size_t(bytes.size()));
}

QString fromAscii(std::string_view text)
{
    return QString::fromLatin1(text.data(), qsizetype(text.size()));
}

// The one place `marker` occurs in `json`, or npos.
std::size_t findOnce(const std::string &json, std::string_view marker)
{
    const std::size_t at = json.find(marker);
    return at != std::string::npos && json.find(marker, at + 1) == std::string::npos
               ? at
               : std::string::npos;
}

} // namespace

SendEncoder::SendEncoder()
{
    // Markers of the same length, none a part of another, all valid ids, rooms and texts.
    constexpr std::array<std::string_view, 3> kMarkers{"bench-id-marker-x", "bench-room-marker",
                                                       "bench-text-marker"};
    chat::proto::Send send;
    send.id = fromAscii(kMarkers[Id]);
    send.room = fromAscii(kMarkers[Room]);
    send.text = fromAscii(kMarkers[Text]);
    const std::string json = toStd(chat::proto::encode(send));
    std::array<std::pair<std::size_t, Field>, 3> found{};
    for (const Field field : {Id, Room, Text}) {
        const std::size_t at = findOnce(json, kMarkers[field]);
        if (at == std::string::npos)
            return; // not the shape expected: every send goes through encode()
        found[std::size_t(field)] = {at, field};
    }
    std::sort(found.begin(), found.end());
    std::size_t from = 0;
    for (std::size_t i = 0; i < found.size(); ++i) {
        m_pieces[i] = json.substr(from, found[i].first - from);
        m_order[i] = found[i].second;
        from = found[i].first + kMarkers[found[i].second].size();
    }
    m_pieces[3] = json.substr(from);
    m_valid = true;
}

void SendEncoder::encode(std::string_view id, std::string_view room, std::string_view text,
                         std::string *out) const
{
    if (!m_valid || !isPlainAscii(id) || !isPlainAscii(room) || !isPlainAscii(text)) {
        chat::proto::Send send;
        send.id = QString::fromUtf8(id.data(), qsizetype(id.size()));
        send.room = QString::fromUtf8(room.data(), qsizetype(room.size()));
        send.text = QString::fromUtf8(text.data(), qsizetype(text.size()));
        *out = toStd(chat::proto::encode(send));
        return;
    }
    const std::array<std::string_view, 3> values{id, room, text};
    out->assign(m_pieces[0]);
    for (std::size_t i = 0; i < 3; ++i) {
        out->append(values[std::size_t(m_order[i])]);
        out->append(m_pieces[i + 1]);
    }
}

} // namespace chat::bench
