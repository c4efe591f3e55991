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
    // Version 2: accounts.
    LoginFailed,        // wrong name or password: the same answer for both
    TokenInvalid,       // unknown, ended or expired token: log in with the password again
    NameInvalid,        // an account name that breaks the nickname rules
    NameTaken,          // the name, or one that looks the same (namekey.h), is registered
    PasswordInvalid,    // too short or too long
    RegistrationClosed, // only an admin creates accounts on this server
    InviteInvalid,      // missing, unknown, used up or expired invite code
    TooManyAttempts,    // failed logins or sign-ups from here: wait (the message says how long)
    Busy,               // the server is hashing as many passwords as it can: try again soon
    AccountDisabled,
    DisplayInvalid,
    Forbidden, // an account request this connection may not make
    // Version 3: rooms.
    RoomNotFound, // no such room, or a private one the account is not in (the same answer)
    NotMember,    // a public room the account has not joined: join it first
    NotOwner,     // only the room's owner may do that
    RoomExists,   // create: the name is taken
    InviteOnly,   // join: the room is private; a member must invite
    UserNotFound, // invite, remove, transfer or a direct message: no such account
    NotAllowed,   // not possible in this room (leave or invite in a direct room, …)
    TooManyRooms, // the account is in, or created, as many rooms as the server allows
    TitleInvalid, // a room title or topic too long or with control characters
};

// The newest code: move it when appending one (metrics.cpp lists every code up to it).
inline constexpr ErrorCode kLastErrorCode = ErrorCode::TitleInvalid;

[[nodiscard]] QString errorCodeName(ErrorCode code);
[[nodiscard]] ErrorCode errorCodeFromName(const QString &name);

} // namespace chat::proto
