// Identity keys for account names (issue 10): two names that a person could take for one another
// get the same key. Accounts (server/accounts) and the admin commands compare names with it.
#pragma once

#include <QString>

namespace chat::proto {

// The key under which an account name is unique:
//   skeleton(NFKC_Casefold(name)), repeated on its own result until it no longer changes
// NFKC_Casefold (ICU's "nfkc_cf") applies compatibility decomposition (fullwidth and
// mathematical letters become plain ones), case folding, and removes every
// Default_Ignorable_Code_Point (zero-width characters, the Hangul fillers, variation selectors,
// bidi controls). The skeleton is the confusable skeleton of Unicode TS #39 from ICU's spoof
// checker: Cyrillic "а", Latin "ɑ" and Latin "a" become the same letter. The repetition is there
// because some of the skeleton's prototypes are capitals: "b0b" gives "bOb" after one round, and
// only folding that again makes it "bob".
// Known gap: case folding comes first, so a capital I standing for a lowercase l ("AIice",
// which most sans-serif fonts draw like "Alice") is folded to i and does not collide; doing the
// skeleton first would instead split "ALICE" from "alice". The key is for
// comparison only; it is not meant to be shown, and changes when ICU's confusables data does, so
// a stored key must be recomputed after an upgrade of ICU.
//
// Expects a name that passed normalizeNick() (validation.h); characters that validation refuses
// but NFKC_Casefold keeps (such as U+2800 braille blank) stay in the key.
// Returns an empty string for an empty name, or if ICU fails (never with valid UTF-16 input).
// Thread-safe: one USpoofChecker is opened on first use and shared, which ICU allows for the
// const functions used here (uspoof.h, "Thread Safety").
[[nodiscard]] QString accountNameKey(const QString &name);

// Whether two account names would be the same account: their keys are equal and not empty.
[[nodiscard]] bool accountNamesCollide(const QString &a, const QString &b);

} // namespace chat::proto
