#include "wsframe.h"

#include <cstring>

namespace chat::bench {

std::string upgradeRequest(std::uint16_t port)
{
    // The key is the RFC's example: the bench does not check the accept hash.
    return "GET / HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
           "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
}

int upgradeStatus(std::string_view head)
{
    // "HTTP/1.1 101 Switching Protocols"
    const std::size_t space = head.find(' ');
    if (space == std::string_view::npos || head.size() < space + 4)
        return 0;
    int status = 0;
    for (std::size_t i = space + 1; i < space + 4; ++i) {
        if (head[i] < '0' || head[i] > '9')
            return 0;
        status = status * 10 + (head[i] - '0');
    }
    return status;
}

void appendClientFrame(std::string &out, Opcode opcode, std::string_view payload,
                       std::uint32_t mask)
{
    const std::size_t size = payload.size();
    char header[14];
    std::size_t headerSize = 2;
    header[0] = char(0x80 | opcode);
    if (size < 126) {
        header[1] = char(0x80 | size);
    } else if (size <= 0xFFFF) {
        header[1] = char(0x80 | 126);
        header[2] = char(size >> 8);
        header[3] = char(size);
        headerSize = 4;
    } else {
        header[1] = char(0x80 | 127);
        for (int i = 0; i < 8; ++i)
            header[2 + i] = char(std::uint64_t(size) >> (56 - 8 * i));
        headerSize = 10;
    }
    const unsigned char key[4] = {std::uint8_t(mask >> 24), std::uint8_t(mask >> 16),
                                  std::uint8_t(mask >> 8), std::uint8_t(mask)};
    std::memcpy(header + headerSize, key, 4);
    headerSize += 4;

    const std::size_t start = out.size();
    out.append(header, headerSize);
    out.append(payload.data(), size);
    char *p = out.data() + start + headerSize;
    for (std::size_t i = 0; i < size; ++i)
        p[i] = char(p[i] ^ key[i & 3]);
}

ParseResult parseFrame(char *data, std::size_t size, std::uint64_t maxPayload, Frame *frame,
                       std::size_t *consumed)
{
    if (size < 2)
        return ParseResult::NeedMore;
    const auto *bytes = reinterpret_cast<const unsigned char *>(data);
    if (bytes[0] & 0x70)
        return ParseResult::Invalid; // no extension was negotiated
    const bool masked = bytes[1] & 0x80;
    std::uint64_t length = bytes[1] & 0x7F;
    std::size_t headerSize = 2;
    if (length == 126) {
        if (size < 4)
            return ParseResult::NeedMore;
        length = (std::uint64_t(bytes[2]) << 8) | bytes[3];
        headerSize = 4;
    } else if (length == 127) {
        if (size < 10)
            return ParseResult::NeedMore;
        length = 0;
        for (int i = 0; i < 8; ++i)
            length = (length << 8) | bytes[2 + i];
        headerSize = 10;
    }
    if (length > maxPayload)
        return ParseResult::Invalid;
    const std::size_t maskSize = masked ? 4 : 0;
    if (size < headerSize + maskSize + length)
        return ParseResult::NeedMore;
    char *payload = data + headerSize + maskSize;
    if (masked) {
        const unsigned char *key = bytes + headerSize;
        for (std::uint64_t i = 0; i < length; ++i)
            payload[i] = char(payload[i] ^ key[i & 3]);
    }
    frame->fin = bytes[0] & 0x80;
    frame->opcode = bytes[0] & 0x0F;
    frame->payload = std::string_view(payload, std::size_t(length));
    *consumed = headerSize + maskSize + std::size_t(length);
    return ParseResult::Frame;
}

} // namespace chat::bench
