// JSON text frames to typed messages and back. The only place in the project that reads or
// writes protocol JSON.
#pragma once

#include "protocol.h"

#include <QByteArray>

namespace chat::proto {

template<typename T> struct Decoded
{
    std::optional<T> message;
    ErrorCode code = ErrorCode::BadMessage;
    QString reason; // a sentence a person can read, set when message is empty
    QString ref;    // the id of a rejected send, when it could be read

    [[nodiscard]] bool ok() const { return message.has_value(); }
};

[[nodiscard]] QByteArray encode(const Hello &hello);
[[nodiscard]] QByteArray encode(const Send &send);
[[nodiscard]] QByteArray encode(const Ping &ping);
[[nodiscard]] QByteArray encode(const Logout &logout);
[[nodiscard]] QByteArray encode(const ChangePassword &change);
[[nodiscard]] QByteArray encode(const ListDevices &list); // JSON type "devices"
[[nodiscard]] QByteArray encode(const EndDevice &end);
[[nodiscard]] QByteArray encode(const SetDisplay &set);
[[nodiscard]] QByteArray encode(const Typing &typing);
[[nodiscard]] QByteArray encode(const MarkRead &read);         // JSON type "read"
[[nodiscard]] QByteArray encode(const ListRooms &list);        // JSON type "rooms"
[[nodiscard]] QByteArray encode(const CreateRoom &create);     // "create_room"
[[nodiscard]] QByteArray encode(const JoinRoom &join);         // "join"
[[nodiscard]] QByteArray encode(const LeaveRoom &leave);       // "leave"
[[nodiscard]] QByteArray encode(const InviteToRoom &invite);   // "invite"
[[nodiscard]] QByteArray encode(const RemoveFromRoom &remove); // "remove"
[[nodiscard]] QByteArray encode(const UpdateRoom &update);     // "update_room"
[[nodiscard]] QByteArray encode(const TransferRoom &transfer); // "transfer"
[[nodiscard]] QByteArray encode(const ListMembers &list);      // "members"
[[nodiscard]] QByteArray encode(const LoadHistory &load);      // "history"
[[nodiscard]] QByteArray encode(const ClientMessage &message);

[[nodiscard]] QByteArray encode(const Welcome &welcome);
[[nodiscard]] QByteArray encode(const Message &message);
[[nodiscard]] QByteArray encode(const Presence &presence);
[[nodiscard]] QByteArray encode(const Error &error);
[[nodiscard]] QByteArray encode(const Pong &pong);
[[nodiscard]] QByteArray encode(const Done &done);
[[nodiscard]] QByteArray encode(const Devices &devices);     // JSON type "devices", with "ref"
[[nodiscard]] QByteArray encode(const TypingNotice &typing); // "typing"
[[nodiscard]] QByteArray encode(const RoomUpdate &update);   // "room"
[[nodiscard]] QByteArray encode(const RoomGone &gone);       // "room_gone"
[[nodiscard]] QByteArray encode(const Unread &unread);       // "unread"
[[nodiscard]] QByteArray encode(const RoomList &list);       // "rooms", with "ref"
[[nodiscard]] QByteArray encode(const MemberList &list);     // "members", with "ref"
[[nodiscard]] QByteArray encode(const HistoryPage &page);    // "history", with "ref"
[[nodiscard]] QByteArray encode(const ServerMessage &message);

// Validates everything the server relies on. A hello's version is checked first (anything but
// kProtocolVersion: UnsupportedVersion, so a version-1 hello gets that, not a complaint about
// its "nick"); then its fields: at most one of token, login and register (a "token" of "" counts
// as none); names, display names and the device come back normalised (validation.h), and so do
// the account names, titles and topics of room requests. Rejections of a request with an id
// (send, the account and the room requests) carry it in `ref`; typing and read have none.
[[nodiscard]] Decoded<ClientMessage> decodeClientMessage(const QByteArray &utf8Json);
// The id a request carries, which its answer names in `ref`; empty for hello, typing and read.
[[nodiscard]] QString requestIdOf(const ClientMessage &message);
[[nodiscard]] Decoded<ServerMessage> decodeServerMessage(const QByteArray &utf8Json);

// --- Browser login over HTTP (docs/protocol.md "Browser login") -------------------------------

// The largest request body POST /api/login and /api/register accept (larger: 413).
inline constexpr qsizetype kMaxHttpBodyBytes = 4 * 1024;

// The body of POST /api/login ({"name","password","device"}) or POST /api/register (with
// "invite" and "display" as well, both optional). Validated like a hello's login or register.
struct LoginRequest
{
    bool registering = false;
    QString name; // normalised
    QString password;
    QString invite;  // registering only
    QString display; // registering only; normalised, may be empty
    QString device;  // normalised, may be empty

    [[nodiscard]] Login toLogin() const { return Login{name, password}; }
    [[nodiscard]] Registration toRegistration() const
    {
        return Registration{name, password, invite, display};
    }
};

// Refuses a body larger than kMaxHttpBodyBytes (TooLarge), one that is not a JSON object
// (BadJson), a missing field or one of the wrong type (BadMessage), and values as a hello would:
// NameInvalid, PasswordInvalid, DisplayInvalid, InviteInvalid, BadMessage for the device.
[[nodiscard]] Decoded<LoginRequest> decodeLoginRequest(const QByteArray &body, bool registering);
[[nodiscard]] Decoded<LoginRequest> decodeRegisterRequest(const QByteArray &body);
// For tests and tools: the body a browser sends.
[[nodiscard]] QByteArray encodeLoginRequest(const LoginRequest &request);

// 200 answer: {"account":"alice"}
[[nodiscard]] QByteArray encodeHttpAuthAnswer(const QString &account);
// 4xx/5xx answer: {"code":"login_failed","message":"…"}
[[nodiscard]] QByteArray encodeHttpError(ErrorCode code, const QString &message);
// The HTTP status an error answer goes with: 401 login_failed, token_invalid, unauthorized;
// 403 registration_closed, invite_invalid, account_disabled, forbidden, not_member, not_owner,
// invite_only, not_allowed, too_many_rooms; 404 room_not_found, user_not_found; 409 name_taken,
// room_exists; 413 too_large; 429 too_many_attempts, rate_limited; 503 busy; 500 internal and
// unknown; 400 everything else (bad_json, bad_message, name_invalid, title_invalid, ...).
[[nodiscard]] int httpStatusFor(ErrorCode code);
// Reading the answers back, for tests and tools: the account name, or nullopt.
[[nodiscard]] std::optional<QString> decodeHttpAuthAnswer(const QByteArray &body);
[[nodiscard]] std::optional<Error> decodeHttpError(const QByteArray &body);

} // namespace chat::proto
