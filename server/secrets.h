// Random identifiers and secret comparison, for session tokens, the history instance and the
// server's shared token.
#pragma once

#include <QString>

namespace chat::server {

// `bits` (a multiple of 32) from the system's cryptographic source, as lowercase hex digits.
[[nodiscard]] QString randomHex(int bits);

// Compares in time independent of where the strings differ, so timing reveals nothing about a
// secret. An empty `expected` never matches.
[[nodiscard]] bool sameSecret(const QString &expected, const QString &offered);

} // namespace chat::server
