#include "errorcode.h"

#include <array>
#include <utility>

namespace chat::proto {

namespace {
constexpr std::array<std::pair<ErrorCode, const char *>, 35> kNames{{
    {ErrorCode::BadJson, "bad_json"},
    {ErrorCode::BadMessage, "bad_message"},
    {ErrorCode::UnknownType, "unknown_type"},
    {ErrorCode::UnsupportedVersion, "unsupported_version"},
    {ErrorCode::NickInvalid, "nick_invalid"},
    {ErrorCode::NickTaken, "nick_taken"},
    {ErrorCode::NotJoined, "not_joined"},
    {ErrorCode::AlreadyJoined, "already_joined"},
    {ErrorCode::TextInvalid, "text_invalid"},
    {ErrorCode::BinaryFrame, "binary_frame"},
    {ErrorCode::TooLarge, "too_large"},
    {ErrorCode::RateLimited, "rate_limited"},
    {ErrorCode::Unauthorized, "unauthorized"},
    {ErrorCode::Internal, "internal"},
    {ErrorCode::LoginFailed, "login_failed"},
    {ErrorCode::TokenInvalid, "token_invalid"},
    {ErrorCode::NameInvalid, "name_invalid"},
    {ErrorCode::NameTaken, "name_taken"},
    {ErrorCode::PasswordInvalid, "password_invalid"},
    {ErrorCode::RegistrationClosed, "registration_closed"},
    {ErrorCode::InviteInvalid, "invite_invalid"},
    {ErrorCode::TooManyAttempts, "too_many_attempts"},
    {ErrorCode::Busy, "busy"},
    {ErrorCode::AccountDisabled, "account_disabled"},
    {ErrorCode::DisplayInvalid, "display_invalid"},
    {ErrorCode::Forbidden, "forbidden"},
    {ErrorCode::RoomNotFound, "room_not_found"},
    {ErrorCode::NotMember, "not_member"},
    {ErrorCode::NotOwner, "not_owner"},
    {ErrorCode::RoomExists, "room_exists"},
    {ErrorCode::InviteOnly, "invite_only"},
    {ErrorCode::UserNotFound, "user_not_found"},
    {ErrorCode::NotAllowed, "not_allowed"},
    {ErrorCode::TooManyRooms, "too_many_rooms"},
    {ErrorCode::TitleInvalid, "title_invalid"},
}};
} // namespace

QString errorCodeName(ErrorCode code)
{
    for (const auto &[value, name] : kNames) {
        if (value == code)
            return QString::fromLatin1(name);
    }
    return QStringLiteral("unknown");
}

ErrorCode errorCodeFromName(const QString &name)
{
    for (const auto &[value, text] : kNames) {
        if (name == QLatin1String(text))
            return value;
    }
    return ErrorCode::Unknown;
}

} // namespace chat::proto
