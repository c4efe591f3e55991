#include "windowsize.h"

namespace chat::client {

QSize defaultWindowSize(const QRect &available)
{
    if (available.isEmpty())
        return kComfortableWindowSize;
    return kComfortableWindowSize.boundedTo(available.size() * 0.8);
}

} // namespace chat::client
