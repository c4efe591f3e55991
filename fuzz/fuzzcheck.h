// What the fuzz targets share: a check that stops the run with a message libFuzzer keeps, and
// field-by-field equality for every message kind, for the round-trip invariants.
#pragma once

#include "codec.h"

#include <cstdio>
#include <cstdlib>

// A broken invariant is a finding: abort() makes libFuzzer save the input that caused it.
#define FUZZ_CHECK(condition, what)                                                                \
    do {                                                                                           \
        if (!(condition)) {                                                                        \
            std::fprintf(stderr, "FUZZ_CHECK failed at %s:%d: %s (%s)\n", __FILE__, __LINE__,      \
                         what, #condition);                                                        \
            std::abort();                                                                          \
        }                                                                                          \
    } while (false)

namespace chat::fuzz {

using namespace chat::proto;

inline bool same(const std::optional<Login> &a, const std::optional<Login> &b)
{
    return a.has_value() == b.has_value() &&
           (!a || (a->name == b->name && a->password == b->password));
}
inline bool same(const std::optional<Registration> &a, const std::optional<Registration> &b)
{
    return a.has_value() == b.has_value() &&
           (!a || (a->name == b->name && a->password == b->password && a->invite == b->invite &&
                   a->display == b->display));
}
inline bool same(const Hello &a, const Hello &b)
{
    return a.version == b.version && a.token == b.token && same(a.login, b.login) &&
           same(a.registration, b.registration) && a.device == b.device && a.lastSeq == b.lastSeq &&
           a.instance == b.instance && a.session == b.session;
}
inline bool same(const Send &a, const Send &b)
{
    return a.id == b.id && a.room == b.room && a.to == b.to && a.text == b.text;
}
inline bool same(const Ping &a, const Ping &b)
{
    return a.id == b.id;
}
inline bool same(const Logout &a, const Logout &b)
{
    return a.id == b.id;
}
inline bool same(const ChangePassword &a, const ChangePassword &b)
{
    return a.id == b.id && a.oldPassword == b.oldPassword && a.newPassword == b.newPassword;
}
inline bool same(const ListDevices &a, const ListDevices &b)
{
    return a.id == b.id;
}
inline bool same(const EndDevice &a, const EndDevice &b)
{
    return a.id == b.id && a.device == b.device;
}
inline bool same(const SetDisplay &a, const SetDisplay &b)
{
    return a.id == b.id && a.display == b.display;
}
inline bool same(const Typing &a, const Typing &b)
{
    return a.room == b.room;
}
inline bool same(const MarkRead &a, const MarkRead &b)
{
    return a.room == b.room && a.seq == b.seq;
}
inline bool same(const ListRooms &a, const ListRooms &b)
{
    return a.id == b.id && a.after == b.after && a.limit == b.limit;
}
inline bool same(const CreateRoom &a, const CreateRoom &b)
{
    return a.id == b.id && a.name == b.name && a.title == b.title && a.topic == b.topic &&
           a.isPrivate == b.isPrivate;
}
inline bool same(const JoinRoom &a, const JoinRoom &b)
{
    return a.id == b.id && a.room == b.room;
}
inline bool same(const LeaveRoom &a, const LeaveRoom &b)
{
    return a.id == b.id && a.room == b.room;
}
inline bool same(const InviteToRoom &a, const InviteToRoom &b)
{
    return a.id == b.id && a.room == b.room && a.name == b.name;
}
inline bool same(const RemoveFromRoom &a, const RemoveFromRoom &b)
{
    return a.id == b.id && a.room == b.room && a.name == b.name;
}
inline bool same(const UpdateRoom &a, const UpdateRoom &b)
{
    return a.id == b.id && a.room == b.room && a.title == b.title && a.topic == b.topic;
}
inline bool same(const TransferRoom &a, const TransferRoom &b)
{
    return a.id == b.id && a.room == b.room && a.name == b.name;
}
inline bool same(const ListMembers &a, const ListMembers &b)
{
    return a.id == b.id && a.room == b.room && a.after == b.after && a.limit == b.limit;
}
inline bool same(const LoadHistory &a, const LoadHistory &b)
{
    return a.id == b.id && a.room == b.room && a.before == b.before && a.limit == b.limit;
}
inline bool same(const Message &a, const Message &b)
{
    return a == b;
}
inline bool same(const Welcome &a, const Welcome &b)
{
    return a.version == b.version && a.server == b.server && a.account == b.account &&
           a.display == b.display && a.admin == b.admin && a.token == b.token &&
           a.session == b.session && a.instance == b.instance && a.seq == b.seq &&
           a.resumed == b.resumed && a.rooms == b.rooms && a.history == b.history &&
           a.reload == b.reload;
}
inline bool same(const Presence &a, const Presence &b)
{
    return a == b;
}
inline bool same(const Error &a, const Error &b)
{
    return a.code == b.code && a.message == b.message && a.ref == b.ref;
}
inline bool same(const Pong &a, const Pong &b)
{
    return a.id == b.id;
}

inline bool same(const Done &a, const Done &b)
{
    return a.ref == b.ref && a.token == b.token && a.room == b.room;
}
inline bool same(const TypingNotice &a, const TypingNotice &b)
{
    return a.room == b.room && a.from == b.from && a.display == b.display;
}
inline bool same(const RoomUpdate &a, const RoomUpdate &b)
{
    return a.room == b.room;
}
inline bool same(const RoomGone &a, const RoomGone &b)
{
    return a.room == b.room && a.reason == b.reason;
}
inline bool same(const Unread &a, const Unread &b)
{
    return a.room == b.room && a.read == b.read && a.unread == b.unread && a.mentions == b.mentions;
}
inline bool same(const RoomList &a, const RoomList &b)
{
    return a.ref == b.ref && a.rooms == b.rooms && a.next == b.next;
}
inline bool same(const MemberList &a, const MemberList &b)
{
    return a.ref == b.ref && a.room == b.room && a.members == b.members && a.next == b.next &&
           a.online == b.online;
}
inline bool same(const HistoryPage &a, const HistoryPage &b)
{
    return a.ref == b.ref && a.room == b.room && a.messages == b.messages && a.more == b.more;
}
inline bool same(const Devices &a, const Devices &b)
{
    return a.ref == b.ref && a.devices == b.devices;
}

// Same kind and same fields.
template<typename Variant> bool sameMessage(const Variant &a, const Variant &b)
{
    if (a.index() != b.index())
        return false;
    return std::visit(
        [&b](const auto &left) {
            using T = std::decay_t<decltype(left)>;
            return same(left, std::get<T>(b));
        },
        a);
}

// Every rejection carries a code and a sentence a person can read.
template<typename T> void checkRejection(const Decoded<T> &decoded)
{
    FUZZ_CHECK(!decoded.reason.isEmpty(), "a rejection without a reason");
    FUZZ_CHECK(decoded.code != ErrorCode::Unknown, "a rejection with the code 'unknown'");
}

// An accepted message, encoded again, decodes to the same message, and encoding is then stable:
// what a peer accepts it can pass on without changing it.
template<typename Decode, typename Variant> void checkRoundTrip(Decode decode, const Variant &first)
{
    const QByteArray encoded = encode(first);
    const auto again = decode(encoded);
    FUZZ_CHECK(again.ok(), "an accepted message does not decode after encoding");
    FUZZ_CHECK(sameMessage(first, *again.message), "a round trip changed the message");
    FUZZ_CHECK(encode(*again.message) == encoded, "encoding is not stable");
}

} // namespace chat::fuzz
