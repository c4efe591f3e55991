// What a bench message says and how a received frame is read. The text carries everything a
// receiver needs to measure: "bench RUN PUBLISHER COUNTER SENT_NS", padded to the wanted size.
// Relays that only pass text on (raw mode) deliver exactly that text; the chat server wraps it
// in a "message" object, which is read with a scan (cheap) or with chatcommon's decoder.
#pragma once

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
// The bench stamp inside a "message" frame, by scanning for its "text" field.
bool scanMessageText(std::string_view json, Stamp *stamp);
// The same through chatcommon's full decoder: what a real client would pay.
ServerFrame decodeFrame(std::string_view json, Stamp *stamp);

} // namespace chat::bench
