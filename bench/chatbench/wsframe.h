// The client side of RFC 6455 framing, written out by hand so that the load generator costs far
// less per frame than the servers it measures: masked frames out, unmasked frames in.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace chat::bench {

enum Opcode : std::uint8_t {
    kContinuation = 0x0,
    kText = 0x1,
    kBinary = 0x2,
    kClose = 0x8,
    kPing = 0x9,
    kPong = 0xA,
};

// The HTTP request that asks for the upgrade; every connection may use the same key.
std::string upgradeRequest(std::uint16_t port);
// Checks a complete response head (up to and including the blank line): 101 or the status code.
int upgradeStatus(std::string_view head);

// Appends one final, masked client frame. `mask` is the masking key (any 32 bits).
void appendClientFrame(std::string &out, Opcode opcode, std::string_view payload,
                       std::uint32_t mask);

struct Frame
{
    bool fin = false;
    std::uint8_t opcode = 0;
    std::string_view payload; // points into the buffer given to parseFrame
};

enum class ParseResult { Frame, NeedMore, Invalid };

// Reads one frame from the front of `data`; on Frame, `consumed` bytes were used. A masked
// frame (servers must not send one) is unmasked in place, hence the non-const buffer.
ParseResult parseFrame(char *data, std::size_t size, std::uint64_t maxPayload, Frame *frame,
                       std::size_t *consumed);

} // namespace chat::bench
