// Random identifiers and secret comparison, for session tokens, the history instance and the
// server's shared token.
#pragma once

#include <QString>

namespace chat::server {

// `bits` (a multiple of 32) from the system's cryptographic source, as lowercase hex digits.
[[nodiscard]] QString randomHex(int bits);

// Compares in time independent of the contents and lengths of the strings, so timing reveals
// nothing about a secret. An empty `expected` never matches.
[[nodiscard]] bool sameSecret(const QString &expected, const QString &offered);

// Reads a secret kept in a file (so that it never shows in `ps`): UTF-8, trailing line breaks
// removed, 1 to `maxChars` characters. Returns an empty string on success, else what is wrong.
[[nodiscard]] QString readSecretFile(const QString &path, qsizetype maxChars, QString *secret);

} // namespace chat::server
