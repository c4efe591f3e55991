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

// Version 2 (issue 10): every connection belongs to an account. Version 3 (issue 11): rooms,
// direct messages, unread counts, older history, typing. An older hello is answered with
// unsupported_version.
inline constexpr int kProtocolVersion = 3;

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
inline constexpr qsizetype kMaxTitleChars = 64;  // a room's display title, in code points
inline constexpr qsizetype kMaxTopicChars = 250; // a room's topic, in code points
inline constexpr int kDefaultPageSize = 50;      // history, members and room list pages
inline constexpr int kMaxPageSize = 200;
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

// A chat message into a room the account belongs to, or (with `to` instead of `room`) a direct
// message to another account: the pair's direct room, made by the first message and the same
// one ever after. Exactly one of room and to.
struct Send
{
    QString id;   // made by the client; the server acknowledges by echoing it
    QString room; // empty when `to` is given; neither in JSON: "lobby"
    QString to;   // an account name (any spelling that names it: namekey.h)
    QString text;
};

// "I am typing in this room": the server tells the room's other members, at most once every
// few seconds per person and room, and never stores it. No answer.
struct Typing
{
    QString room;
};

// "I have read this room up to seq": stored on the server; every device of the account gets
// the new counts (`unread`). No other answer.
struct MarkRead
{
    QString room;
    qint64 seq = 0;
};

// Room requests: each answered with `done` (ref = id, and room) or its own answer below, or with
// an error carrying that ref.

// The public rooms, by name, a page at a time: answered with `rooms`.
struct ListRooms
{
    QString id;
    QString after; // the `next` of the previous page; empty for the first
    int limit = kDefaultPageSize;
};

// A new room; the creator owns it and is its first member. Answered with done and `room`.
struct CreateRoom
{
    QString id;
    QString name;  // room name rules: a-z, 0-9, '-', '_', up to 32
    QString title; // any text up to kMaxTitleChars; empty: the name
    QString topic;
    bool isPrivate = false; // JSON "private": joined only by invitation
};

// Joins a public room. Answered with done and `room`.
struct JoinRoom
{
    QString id;
    QString room;
};

// Leaves a room (not a direct one). An owner's room passes to its longest member; a room left
// empty is kept (public) so that its history stays.
struct LeaveRoom
{
    QString id;
    QString room;
};

// Adds an account to a room the asker belongs to (any member may invite).
struct InviteToRoom
{
    QString id;
    QString room;
    QString name; // the account to add
};

// Owner only: removes a member.
struct RemoveFromRoom
{
    QString id;
    QString room;
    QString name;
};

// Owner only: sets the title and/or the topic (an absent field stays as it is).
struct UpdateRoom
{
    QString id;
    QString room;
    std::optional<QString> title;
    std::optional<QString> topic;
};

// Owner only: hands the room over to another member; the old owner stays a member.
struct TransferRoom
{
    QString id;
    QString room;
    QString name;
};

// A page of a room's members, by account name: answered with `members`. The connection then
// gets `presence` for this room (one room per connection: the latest asked).
struct ListMembers
{
    QString id;
    QString room;
    QString after; // the `next` of the previous page
    int limit = kDefaultPageSize;
};

// The messages of a room before `before` (0: the newest), newest page first: answered with
// `history`.
struct LoadHistory
{
    QString id;
    QString room;
    qint64 before = 0;
    int limit = kDefaultPageSize;
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
    // Empty for a chat message. Otherwise a change of the room, written by the server in the
    // room's sequence: "created", "joined", "left", "invited", "removed", "topic", "title",
    // "owner". `from` did it; `target` is the account it concerns (invited, removed, owner);
    // `text` is the new topic or title. Such messages have an empty id.
    QString event;
    QString target;

    friend bool operator==(const Message &a, const Message &b)
    {
        return a.seq == b.seq && a.id == b.id && a.room == b.room && a.from == b.from &&
               a.display == b.display && a.time == b.time && a.text == b.text &&
               a.event == b.event && a.target == b.target;
    }
};

// One room as its member sees it: in the welcome, and in `room` when it changes for them.
struct RoomState
{
    QString name;  // what requests name it by; a direct room's is "@<id>-<id>"
    QString title; // empty: show the name (or, for a direct room, `with`)
    QString topic;
    bool isPrivate = false; // JSON "private"
    bool direct = false;
    QString with; // a direct room: the other account's name
    QString role; // "owner" or "member"
    int members = 0;
    qint64 read = 0;  // the newest seq this account has read here
    int unread = 0;   // messages after `read` by others (at most 1000; 1000 means "1000 or more")
    int mentions = 0; // ... of them naming this account with @name
    std::optional<Message> last; // the room's newest message

    friend bool operator==(const RoomState &a, const RoomState &b)
    {
        return a.name == b.name && a.title == b.title && a.topic == b.topic &&
               a.isPrivate == b.isPrivate && a.direct == b.direct && a.with == b.with &&
               a.role == b.role && a.members == b.members && a.read == b.read &&
               a.unread == b.unread && a.mentions == b.mentions && a.last == b.last;
    }
};

// A public room as the room list shows it.
struct RoomSummary
{
    QString name;
    QString title;
    QString topic;
    int members = 0;
    bool joined = false; // the asking account is a member

    friend bool operator==(const RoomSummary &a, const RoomSummary &b)
    {
        return a.name == b.name && a.title == b.title && a.topic == b.topic &&
               a.members == b.members && a.joined == b.joined;
    }
};

// A member of a room as the member list shows it.
struct RoomMember
{
    QString name;
    QString display;
    QString role; // "owner" or "member"
    bool online = false;

    friend bool operator==(const RoomMember &a, const RoomMember &b)
    {
        return a.name == b.name && a.display == b.display && a.role == b.role &&
               a.online == b.online;
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
    qint64 seq = 0; // the newest sequence number the server has assigned
    // true: history holds exactly what came after the hello's lastSeq in this account's rooms
    // (the room changes among them, and the events naming this account as their target).
    // false: history is empty; after a resume that missed too much, `reload` names the rooms
    // with newer messages (docs/protocol.md, "Resume").
    bool resumed = false;
    // Every room the account belongs to, with its counts and newest message: what a sidebar
    // shows. Bounded by the account's rooms, not by the server's size.
    QList<RoomState> rooms;
    // After a resume: the missed messages of the account's rooms, oldest first.
    QList<Message> history;
    // Rooms where more was missed than a welcome carries: load their newest page again.
    QStringList reload;
};

// Who came and went since the last presence. The server gathers changes for a moment, so a
// hundred people joining at once make one frame, not a hundred. Apply `left` first, then
// `joined`. An account is online while any of its devices is: one device dropping is not news.
// Someone already online who is in `joined` again changed their display name.
struct Presence
{
    QString room; // the room whose member list this connection asked for last (ListMembers)
    QList<User> joined;
    QStringList left; // account names
    int online = 0;   // the room's members online after these changes

    friend bool operator==(const Presence &a, const Presence &b)
    {
        return a.room == b.room && a.joined == b.joined && a.left == b.left && a.online == b.online;
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
    QString room;  // after a room request: the room it concerned
};

// Someone is typing in a room (the server's form of Typing).
struct TypingNotice
{
    QString room;
    QString from; // account name
    QString display;
};

// A room joined, created, invited to, or changed for this account (role, title, topic): the
// whole state, replacing what the client had. JSON type "room".
struct RoomUpdate
{
    RoomState room;
};

// This account is no longer in the room: it left (on this or another device) or was removed.
// JSON type "room_gone".
struct RoomGone
{
    QString room;
    QString reason; // "left" or "removed"
};

// New counts of a room for this account, after a device marked it read. JSON type "unread".
struct Unread
{
    QString room;
    qint64 read = 0;
    int unread = 0;
    int mentions = 0;
};

// A page of the public rooms. JSON type "rooms".
struct RoomList
{
    QString ref;
    QList<RoomSummary> rooms;
    QString next; // empty: the last page
};

// A page of a room's members. JSON type "members".
struct MemberList
{
    QString ref;
    QString room;
    QList<RoomMember> members;
    QString next;   // empty: the last page
    int online = 0; // the room's members online
};

// A page of older messages, oldest first. JSON type "history".
struct HistoryPage
{
    QString ref;
    QString room;
    QList<Message> messages;
    bool more = false; // older messages exist before the first of these
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
    std::variant<Hello, Send, Ping, Logout, ChangePassword, ListDevices, EndDevice, SetDisplay,
                 Typing, MarkRead, ListRooms, CreateRoom, JoinRoom, LeaveRoom, InviteToRoom,
                 RemoveFromRoom, UpdateRoom, TransferRoom, ListMembers, LoadHistory>;
using ServerMessage =
    std::variant<Welcome, Message, Presence, Error, Pong, Done, Devices, TypingNotice, RoomUpdate,
                 RoomGone, Unread, RoomList, MemberList, HistoryPage>;

} // namespace chat::proto
