#include "errorcode.h"

#include <array>
#include <utility>

namespace chat::proto {

namespace {
constexpr std::array<std::pair<ErrorCode, const char *>, 14> kNames{{
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
