// The control socket's wire format (docs/operations.md, "Admin commands"): what chat-server's
// admin commands send to a running server, and what it answers. No JSON: every message is a
// frame, a 32-bit big-endian length and that many bytes of QDataStream (Qt 6.4 format):
//   request:  magic, version, argument count (at most kMaxControlArgs), that many QStrings
//   reply:    magic, version, exit code (qint32), output (QString)
// A request frame has at most kMaxControlRequestBytes; anything else in it, or after it, is
// refused.
#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <optional>

namespace chat::server::admin {

inline constexpr quint32 kControlMagic = 0x43484143; // "CHAC"
inline constexpr quint16 kControlVersion = 1;
inline constexpr qsizetype kMaxControlRequestBytes = 64 * 1024;
inline constexpr int kMaxControlArgs = 64;
// A reply can be long (a user list, thousands of tokens), but not unbounded.
inline constexpr qsizetype kMaxControlReplyBytes = 64 * 1024 * 1024;
inline constexpr qsizetype kControlLengthBytes = 4;

struct ControlReply
{
    int exitCode = 0;
    QString output;
};

// A whole frame: the length and the payload.
[[nodiscard]] QByteArray encodeControlRequest(const QStringList &arguments);
[[nodiscard]] QByteArray encodeControlReply(const ControlReply &reply);

// The payload's length from the first kControlLengthBytes of `buffer`; nullopt if fewer bytes.
[[nodiscard]] std::optional<quint32> peekFrameLength(const QByteArray &buffer);

// Decode a payload (without its length). nullopt, and *error, for anything malformed.
[[nodiscard]] std::optional<QStringList> decodeControlRequest(const QByteArray &payload,
                                                              QString *error);
[[nodiscard]] std::optional<ControlReply> decodeControlReply(const QByteArray &payload,
                                                             QString *error);

} // namespace chat::server::admin
