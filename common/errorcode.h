// Error codes carried in error replies. Append-only: clients may meet codes newer than themselves.
#pragma once

#include <QString>

namespace chat::proto {

enum class ErrorCode {
    BadJson,            // not JSON, or not a JSON object
    BadMessage,         // a field is missing, has the wrong type or an invalid value
    UnknownType,        // "type" names no message kind
    UnsupportedVersion, // hello asks for a protocol version this server does not speak
    NickInvalid,
    NickTaken,
    NotJoined,     // anything but hello before hello
    AlreadyJoined, // a second hello
    TextInvalid,   // empty, too long or with control characters
    BinaryFrame,   // the protocol is text frames only
    TooLarge,
    RateLimited,
    Unauthorized,
    Internal,
    Unknown, // a code this build does not know (from a newer peer)
};

[[nodiscard]] QString errorCodeName(ErrorCode code);
[[nodiscard]] ErrorCode errorCodeFromName(const QString &name);

} // namespace chat::proto
