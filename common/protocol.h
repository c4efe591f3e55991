// The chat protocol's typed messages: one plain struct per message kind.
// docs/protocol.md describes the JSON form of each. The list of kinds is append-only:
// new kinds or optional fields may be added, nothing is removed or renamed without a new version.
#pragma once

#include "errorcode.h"

#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>
#include <variant>

namespace chat::proto {

inline constexpr int kProtocolVersion = 1;

// Limits every peer agrees on; the server enforces them, clients check before sending.
inline constexpr qsizetype kMaxNickChars = 32;
inline constexpr qsizetype kMaxTextChars = 4000;
inline constexpr qsizetype kMaxIdChars = 64;
inline constexpr qsizetype kMaxRoomChars = 32;
inline constexpr qsizetype kMaxTokenChars = 1024;
// A client frame can never legitimately be larger: 4,000 characters of 4-byte UTF-8 plus escaping.
inline constexpr qsizetype kMaxClientFrameBytes = 64 * 1024;
// JSON numbers are doubles: sequence numbers stay within the exactly representable integers.
inline constexpr qint64 kMaxSeq = (qint64(1) << 53);

QString defaultRoom();

// --- client to server -------------------------------------------------------------------------

struct Hello
{
    int version = kProtocolVersion;
    QString nick;
    std::optional<qint64> lastSeq; // resume after this sequence number
    QString instance;              // ... of the history named by this welcome's instance
    QString session;               // from an earlier welcome: lets this connection replace that one
    QString token;                 // the server's shared secret, when it requires one
};

struct Send
{
    QString id; // made by the client; the server acknowledges by echoing it
    QString room;
    QString text;
};

struct Ping
{
    QString id;
};

// --- server to client -------------------------------------------------------------------------

struct Message
{
    qint64 seq = 0;
    QString id;
    QString room;
    QString from;
    QDateTime time; // UTC
    QString text;

    friend bool operator==(const Message &a, const Message &b)
    {
        return a.seq == b.seq && a.id == b.id && a.room == b.room && a.from == b.from &&
               a.time == b.time && a.text == b.text;
    }
};

struct Welcome
{
    int version = kProtocolVersion;
    QString server;
    QString nick;
    QString session;
    // Names the history that sequence numbers count in: a server that starts afresh has a new
    // one, so a client can tell "seq 5 of this history" from "seq 5 of the one before".
    QString instance;
    qint64 seq = 0;       // the newest sequence number the server has assigned
    bool resumed = false; // true: history holds exactly what came after the hello's lastSeq
    // Who was online at the last presence: the next presence brings the changes since then,
    // the newcomer among them.
    QStringList users;
    QList<Message> history;
};

// Who came and went since the last presence. The server gathers changes for a moment, so a
// hundred people joining at once make one frame, not a hundred. Apply `left` first, then
// `joined`: someone who left and came back under another letter case is in both.
struct Presence
{
    QStringList joined;
    QStringList left;
    int online = 0; // people online after these changes

    friend bool operator==(const Presence &a, const Presence &b)
    {
        return a.joined == b.joined && a.left == b.left && a.online == b.online;
    }
};

struct Error
{
    ErrorCode code = ErrorCode::Internal;
    QString message;
    QString ref; // the id of the send it answers, when there is one
};

struct Pong
{
    QString id;
};

using ClientMessage = std::variant<Hello, Send, Ping>;
using ServerMessage = std::variant<Welcome, Message, Presence, Error, Pong>;

} // namespace chat::proto
