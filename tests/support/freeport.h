// A TCP port of 127.0.0.1 that nothing listens on right now, for a program a test starts.
#pragma once

#include <QtGlobal>

namespace chat::test {

[[nodiscard]] quint16 freePort();

} // namespace chat::test
