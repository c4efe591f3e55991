// The admin commands of chat-server (docs/operations.md, "Admin commands"): user, invite and
// token. One implementation for both ways they run: in the CLI process on the database file
// when no server runs, and in the running server when it answers on its control socket. It
// parses the arguments, acts on the account store and says what it did in lines for people.
//
// Passwords never reach this code: the CLI hashes them first and passes "--password-hash HASH"
// (an internal option), so a running server never hashes on its event loop for an admin.
#pragma once

#include <QString>
#include <QStringList>

namespace chat::server {
class Accounts;
} // namespace chat::server

namespace chat::server::admin {

// Exit codes of the admin commands.
inline constexpr int kAdminOk = 0;
inline constexpr int kAdminBadUsage = 2;
inline constexpr int kAdminStoreFailed = 3;
inline constexpr int kAdminRefused = 4; // name taken, no such user, disabled account

// Most accounts `token create --count` makes in one go.
inline constexpr int kMaxTokenCount = 100000;

struct AdminResult
{
    QString output; // lines ending in '\n'
    int exitCode = kAdminOk;
};

// The words that start an admin command: "user", "invite", "token".
[[nodiscard]] bool isAdminCommand(const QString &word);

// The help text of the admin commands.
[[nodiscard]] QString adminUsage();

// What the CLI must do before it sends or runs `arguments`.
struct PasswordNeed
{
    bool needed = false;    // user add, user reset-password
    bool fromStdin = false; // --password-stdin was given
};
[[nodiscard]] PasswordNeed passwordNeed(const QStringList &arguments);

// The internal option that carries a password's Argon2id hash.
[[nodiscard]] QString passwordHashOption();

// Runs one command: `arguments` starts with the command word ("user", "add", "alice", ...).
// `accounts` is the running server's (through the control socket), or one the CLI made on the
// database file; in the server, disabling an account and resetting a password end its
// connections (Accounts::accountDisabled, Accounts::tokensEnded). With nullptr, a dry run:
// only the arguments are checked (usage, names, numbers; not the password hash), and a good
// command gives exit code 0 and no output.
[[nodiscard]] AdminResult runAdminArguments(const QStringList &arguments, Accounts *accounts);

// `groups` groups of `perGroup` characters from 32 letters and digits that are hard to mix up,
// joined by '-', from the system's random source: 5 bits a character.
[[nodiscard]] QString randomCode(int groups, int perGroup);

// How many columns a terminal gives `text`: 2 for East Asian wide and fullwidth characters
// (CJK, Hangul, kana, most emoji), 0 for combining marks, 1 otherwise. For aligned tables.
[[nodiscard]] int displayWidth(const QString &text);

} // namespace chat::server::admin
