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

// Version 2 (issue 10): every connection belongs to an account. A version-1 hello is answered
// with unsupported_version.
inline constexpr int kProtocolVersion = 2;

// Limits every peer agrees on; the server enforces them, clients check before sending.
inline constexpr qsizetype kMaxNickChars = 32;
inline constexpr qsizetype kMaxTextChars = 4000;
inline constexpr qsizetype kMaxIdChars = 64;
inline constexpr qsizetype kMaxRoomChars = 32;
inline constexpr qsizetype kMaxTokenChars = 1024;
// Passwords in code points; the upper limit bounds what a hash request holds.
inline constexpr qsizetype kMinPasswordChars = 8;
inline constexpr qsizetype kMaxPasswordChars = 256;
inline constexpr qsizetype kMaxDisplayChars = 64; // display names, like nicknames, in code points
inline constexpr qsizetype kMaxDeviceChars = 64;  // a device's name in the account's device list
inline constexpr qsizetype kMaxInviteChars = 64;
// A client frame can never legitimately be larger: 4,000 characters of 4-byte UTF-8 plus escaping.
inline constexpr qsizetype kMaxClientFrameBytes = 64 * 1024;
// JSON numbers are doubles: sequence numbers stay within the exactly representable integers.
inline constexpr qint64 kMaxSeq = (qint64(1) << 53);

QString defaultRoom();

// --- client to server -------------------------------------------------------------------------

// A password login: answered alike for an unknown name and a wrong password.
struct Login
{
    QString name;
    QString password;
};

// A new account. `invite` is needed when the server's registration is by invitation.
struct Registration
{
    QString name; // normalised like a nickname; unique after accountNameKey() (namekey.h)
    QString password;
    QString invite;
    QString display; // optional display name
};

// At most one of token, login and registration. With none, the server uses the token in the
// upgrade request's cookie (the browser page, docs/protocol.md "Browser login").
struct Hello
{
    int version = kProtocolVersion;
    QString token; // an account token from an earlier welcome or from `chat-server token create`
    std::optional<Login> login;
    std::optional<Registration> registration; // JSON "register"
    QString device;                           // names this device in the account's device list
    std::optional<qint64> lastSeq;            // resume after this sequence number
    QString instance;                         // ... of the history named by this welcome's instance
    QString session; // from an earlier welcome: lets this connection replace that one
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

// Account requests, each answered with a `done` (or `devices`) whose ref is the request's id, or
// with an error carrying that ref.

// Ends this device's token; the server answers done and closes the connection.
struct Logout
{
    QString id;
};

// Ends every other device's token (their connections close); done carries this device's new one.
struct ChangePassword
{
    QString id;
    QString oldPassword; // JSON "old"
    QString newPassword; // JSON "new"
};

// Asks for the account's devices (its tokens).
struct ListDevices
{
    QString id;
};

// Ends one device's token (and its connections); answered with the devices left.
struct EndDevice
{
    QString id;
    QString device; // a Device::id
};

// Sets (or, when empty, clears) the display name shown beside the account name.
struct SetDisplay
{
    QString id;
    QString display;
};

// --- server to client -------------------------------------------------------------------------

struct Message
{
    qint64 seq = 0;
    QString id;
    QString room;
    QString from;    // the account name (or, for a message stored by a version-1 server, its nick)
    QString display; // the sender's display name when it was sent; may be empty
    QDateTime time;  // UTC
    QString text;

    friend bool operator==(const Message &a, const Message &b)
    {
        return a.seq == b.seq && a.id == b.id && a.room == b.room && a.from == b.from &&
               a.display == b.display && a.time == b.time && a.text == b.text;
    }
};

// Someone online: the account name, which is the identity, and the display name beside it.
struct User
{
    QString name;
    QString display; // may be empty

    friend bool operator==(const User &a, const User &b)
    {
        return a.name == b.name && a.display == b.display;
    }
};

struct Welcome
{
    int version = kProtocolVersion;
    QString server;
    QString account; // the account name, as registered
    QString display;
    bool admin = false;
    // After a password login or a registration: the token this device logs in with from now on.
    // Empty after a token login (the device keeps the one it has).
    QString token;
    QString session;
    // Names the history that sequence numbers count in: a server that starts afresh has a new
    // one, so a client can tell "seq 5 of this history" from "seq 5 of the one before".
    QString instance;
    qint64 seq = 0;       // the newest sequence number the server has assigned
    bool resumed = false; // true: history holds exactly what came after the hello's lastSeq
    // Who was online at the last presence: the next presence brings the changes since then,
    // the newcomer among them. One entry per account, however many devices it has connected.
    QList<User> users;
    QList<Message> history;
};

// Who came and went since the last presence. The server gathers changes for a moment, so a
// hundred people joining at once make one frame, not a hundred. Apply `left` first, then
// `joined`. An account is online while any of its devices is: one device dropping is not news.
// Someone already online who is in `joined` again changed their display name.
struct Presence
{
    QList<User> joined;
    QStringList left; // account names
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

// An account request succeeded.
struct Done
{
    QString ref;
    QString token; // after change_password: this device's new token
};

struct Device
{
    QString id;   // names the token without revealing it
    QString name; // as the device said in its hello
    QDateTime created;
    QDateTime lastUsed;
    bool current = false; // the device that asked

    friend bool operator==(const Device &a, const Device &b)
    {
        return a.id == b.id && a.name == b.name && a.created == b.created &&
               a.lastUsed == b.lastUsed && a.current == b.current;
    }
};

struct Devices
{
    QString ref;
    QList<Device> devices;
};

using ClientMessage =
    std::variant<Hello, Send, Ping, Logout, ChangePassword, ListDevices, EndDevice, SetDisplay>;
using ServerMessage = std::variant<Welcome, Message, Presence, Error, Pong, Done, Devices>;

} // namespace chat::proto
