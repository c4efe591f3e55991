// The chat window's first size: its comfortable size, shrunk to fit the screen's available area
// (a 1600x900 screen at 2x scale has 800x450 logical pixels, less the panels).
#pragma once

#include <QRect>
#include <QSize>

namespace chat::client {

inline constexpr QSize kComfortableWindowSize{980, 640};

// At most this size and at most 80 % of the available area in each direction.
[[nodiscard]] QSize defaultWindowSize(const QRect &available);

} // namespace chat::client
