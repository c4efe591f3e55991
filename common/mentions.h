// "@name" in a message's text: who it names. The server counts a room's mentions of an account
// with it; the clients highlight and count with it, so both agree on what a mention is.
#pragma once

#include <QString>
#include <QStringList>

namespace chat::proto {

// The names written as "@name" in the text, in order, without duplicates (as written, not
// normalised; two spellings of one name, such as "@Bob" and "@bob", are duplicates by
// accountNameKey(): the first is kept). A name runs from after the '@' to the next white space or
// one of , . : ; ! ? ( ) [ ] { } < > " ' ， 。 ： ； ！ ？ （ ） 、 and is at most kMaxNickChars
// code points (a longer run names nobody); an '@' inside a word (an e-mail address:
// "bob@example.org") starts none: only one at the start or after white space or one of those
// characters does. A name with a space or one of those characters in it ("mary ann") is
// mentioned by its first part only, which names nobody else unless such an account exists.
[[nodiscard]] QStringList mentionedNames(const QString &text);

// True when the text mentions the account whose accountNameKey() is `nameKey` (namekey.h): the
// same case- and look-alike-insensitive comparison that makes names unique.
[[nodiscard]] bool mentions(const QString &text, const QString &nameKey);

} // namespace chat::proto
