// What a bench message says and how a received frame is read. The text carries everything a
// receiver needs to measure: "bench RUN PUBLISHER COUNTER SENT_NS", each number zero-padded to a
// fixed width so that it is read without a scan, then padding to the wanted size. Relays that
// only pass text on (raw mode) deliver exactly that text; the chat server wraps it in a
// "message" object, which is read with a scan (cheap) or with chatcommon's decoder.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace chat::bench {

struct Stamp
{
    std::uint32_t run = 0;
    std::uint32_t publisher = 0;
    std::int64_t counter = 0;
    std::int64_t sentNs = 0;
};

// The text of one bench message, at least `size` characters (ASCII only, nothing to escape).
std::string makeText(const Stamp &stamp, int size);
// Reads a text made by makeText; false for anything else.
bool parseText(std::string_view text, Stamp *stamp);

enum class ServerFrame { Message, Welcome, Presence, Error, Pong, Other };

// Tells the kind of a chat-server frame without parsing the JSON (see payload.cpp for why
// that is safe for frames chatcommon wrote).
ServerFrame classify(std::string_view json);
// The bench stamp inside a "message" frame, by scanning for its "text" field. `textFromEnd`
// carries where the text was found in the previous frame (0 at first), which is looked at first.
bool scanMessageText(std::string_view json, Stamp *stamp, std::size_t *textFromEnd);
// The same through chatcommon's full decoder: what a real client would pay.
ServerFrame decodeFrame(std::string_view json, Stamp *stamp);

// chatcommon's encoding of a "send", cut where the id, the room and the text go, so that a
// message costs a few appends instead of a QJsonObject and a JSON document (about 2 µs, which
// would be a good part of the generator's time per delivery). Exact because ids, room names and
// texts of plain printable ASCII are written unchanged into JSON; anything else goes through
// encode() itself.
class SendEncoder
{
public:
    SendEncoder();
    // Replaces `out` with the JSON of a send of `text` into `room` with message id `id`.
    void encode(std::string_view id, std::string_view room, std::string_view text,
                std::string *out) const;

private:
    enum Field { Id, Room, Text };
    std::array<std::string, 4> m_pieces; // around the three fields, in the order they come
    std::array<Field, 3> m_order{Id, Room, Text};
    bool m_valid = false;
};

} // namespace chat::bench
