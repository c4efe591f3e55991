// libFuzzer target: decodeClientMessage on arbitrary bytes, the frames the server reads.
#include "fuzzcheck.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    using namespace chat::fuzz;
    const QByteArray frame(reinterpret_cast<const char *>(data), qsizetype(size));
    const Decoded<ClientMessage> decoded = decodeClientMessage(frame);
    if (!decoded.ok()) {
        checkRejection(decoded);
        return 0;
    }
    FUZZ_CHECK(decoded.reason.isEmpty(), "an accepted message with a rejection reason");
    checkRoundTrip(decodeClientMessage, *decoded.message);
    return 0;
}
