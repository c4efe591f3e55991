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
[[nodiscard]] QByteArray encode(const ClientMessage &message);

[[nodiscard]] QByteArray encode(const Welcome &welcome);
// The user list as a welcome carries it, encoded once for every welcome until it changes: with
// thousands online, encoding it for each newcomer made joining cost the square of their number.
struct EncodedUserList
{
    QByteArray json;
};
// [{"name":"alice","display":"爱丽丝"},{"name":"bob"}]
[[nodiscard]] EncodedUserList encodeUserList(const QList<User> &users);
// welcome.users is not read: `users` stands for it.
[[nodiscard]] QByteArray encode(const Welcome &welcome, const EncodedUserList &users);
[[nodiscard]] QByteArray encode(const Message &message);
[[nodiscard]] QByteArray encode(const Presence &presence);
[[nodiscard]] QByteArray encode(const Error &error);
[[nodiscard]] QByteArray encode(const Pong &pong);
[[nodiscard]] QByteArray encode(const Done &done);
[[nodiscard]] QByteArray encode(const Devices &devices); // JSON type "devices", with "ref"
[[nodiscard]] QByteArray encode(const ServerMessage &message);

// Validates everything the server relies on. A hello's version is checked first (anything but
// kProtocolVersion: UnsupportedVersion, so a version-1 hello gets that, not a complaint about
// its "nick"); then its fields: at most one of token, login and register (a "token" of "" counts
// as none); names, display names and the device come back normalised (validation.h).
// Rejections of a request with an id (send and the account requests) carry it in `ref`.
[[nodiscard]] Decoded<ClientMessage> decodeClientMessage(const QByteArray &utf8Json);
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
// 403 registration_closed, invite_invalid, account_disabled, forbidden; 409 name_taken;
// 413 too_large; 429 too_many_attempts, rate_limited; 503 busy; 500 internal and unknown;
// 400 everything else (bad_json, bad_message, name_invalid, password_invalid, ...).
[[nodiscard]] int httpStatusFor(ErrorCode code);
// Reading the answers back, for tests and tools: the account name, or nullopt.
[[nodiscard]] std::optional<QString> decodeHttpAuthAnswer(const QByteArray &body);
[[nodiscard]] std::optional<Error> decodeHttpError(const QByteArray &body);

} // namespace chat::proto
