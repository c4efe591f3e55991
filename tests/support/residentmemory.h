// This process's resident memory, read from /proc: what tests that bound memory compare.
#pragma once

#include <QtGlobal>

namespace chat::test {

// VmRSS in bytes, or -1 where /proc cannot tell.
[[nodiscard]] qint64 residentBytes();

} // namespace chat::test
