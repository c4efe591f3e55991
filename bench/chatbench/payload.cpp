#include "payload.h"

#include "codec.h"

#include <charconv>
#include <cstring>

namespace chat::bench {

namespace {

constexpr std::string_view kPrefix = "bench ";

bool readNumber(std::string_view &rest, std::int64_t *value)
{
    const auto [end, error] = std::from_chars(rest.data(), rest.data() + rest.size(), *value);
    if (error != std::errc() || end == rest.data())
        return false;
    rest.remove_prefix(std::size_t(end - rest.data()));
    if (!rest.empty() && rest.front() == ' ')
        rest.remove_prefix(1);
    return true;
}

// glibc's memmem: much faster than string_view::find on JSON, where '"' is everywhere.
const char *findIn(std::string_view haystack, std::string_view needle)
{
    return static_cast<const char *>(
        memmem(haystack.data(), haystack.size(), needle.data(), needle.size()));
}

bool contains(std::string_view haystack, std::string_view needle)
{
    return findIn(haystack, needle) != nullptr;
}

} // namespace

std::string makeText(const Stamp &stamp, int size)
{
    std::string text;
    text.reserve(std::size_t(size > 64 ? size : 64));
    text.append(kPrefix);
    text.append(std::to_string(stamp.run)).append(1, ' ');
    text.append(std::to_string(stamp.publisher)).append(1, ' ');
    text.append(std::to_string(stamp.counter)).append(1, ' ');
    text.append(std::to_string(stamp.sentNs));
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
    if (text.substr(0, kPrefix.size()) != kPrefix)
        return false;
    text.remove_prefix(kPrefix.size());
    std::int64_t run = 0;
    std::int64_t publisher = 0;
    if (!readNumber(text, &run) || !readNumber(text, &publisher) ||
        !readNumber(text, &stamp->counter) || !readNumber(text, &stamp->sentNs))
        return false;
    stamp->run = std::uint32_t(run);
    stamp->publisher = std::uint32_t(publisher);
    return true;
}

// Inside a JSON string every '"' is escaped, so `"type":"` occurs only as a real key. Nested
// objects are only the history of a welcome, which holds messages, never welcomes.
ServerFrame classify(std::string_view json)
{
    // chatcommon's objects have sorted keys, so a message ends with its type: the fast path.
    constexpr std::string_view kMessageEnd = "\"type\":\"message\"}";
    if (json.size() >= kMessageEnd.size() &&
        json.substr(json.size() - kMessageEnd.size()) == kMessageEnd)
        return ServerFrame::Message;
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

bool scanMessageText(std::string_view json, Stamp *stamp)
{
    constexpr std::string_view kTextKey = "\"text\":\"";
    const char *at = findIn(json, kTextKey);
    if (!at)
        return false;
    return parseText(json.substr(std::size_t(at - json.data()) + kTextKey.size()), stamp);
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

} // namespace chat::bench
