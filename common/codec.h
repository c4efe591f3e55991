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
[[nodiscard]] QByteArray encode(const ClientMessage &message);

[[nodiscard]] QByteArray encode(const Welcome &welcome);
// The user list as a welcome carries it, encoded once for every welcome until it changes: with
// thousands online, encoding it for each newcomer made joining cost the square of their number.
struct EncodedUserList
{
    QByteArray json;
};
[[nodiscard]] EncodedUserList encodeUserList(const QStringList &nicks);
// welcome.users is not read: `users` stands for it.
[[nodiscard]] QByteArray encode(const Welcome &welcome, const EncodedUserList &users);
[[nodiscard]] QByteArray encode(const Message &message);
[[nodiscard]] QByteArray encode(const Presence &presence);
[[nodiscard]] QByteArray encode(const Error &error);
[[nodiscard]] QByteArray encode(const Pong &pong);
[[nodiscard]] QByteArray encode(const ServerMessage &message);

// Validates everything the server relies on; a hello's nick comes back normalised.
[[nodiscard]] Decoded<ClientMessage> decodeClientMessage(const QByteArray &utf8Json);
[[nodiscard]] Decoded<ServerMessage> decodeServerMessage(const QByteArray &utf8Json);

} // namespace chat::proto
