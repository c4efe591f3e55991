// chat-server's admin commands on the command line (docs/operations.md, "Admin commands"):
//   chat-server [--db PATH] [--control-socket PATH] user|invite|token ...
// A running server on that database gets the command through its control socket; otherwise the
// database is opened here. Passwords are read or made up, and hashed, here in either case.
#pragma once

#include <QString>
#include <QStringList>

namespace chat::server::admin {

struct AdminCliOptions
{
    QString dbPath;           // the --db value, or the default database
    QString controlSocket;    // --control-socket, or empty
    bool dbPathGiven = false; // --db was on the command line
};

// Whether main() should hand its positional arguments to runAdminCommand().
[[nodiscard]] bool isAdminInvocation(const QStringList &positionalArguments);

// Runs the admin command in `arguments` (from its command word on) and returns the exit code;
// writes to stdout and stderr, and reads stdin for --password-stdin.
[[nodiscard]] int runAdminCommand(const QStringList &arguments, const AdminCliOptions &options);

// The help text for --help.
[[nodiscard]] QString adminHelp();

} // namespace chat::server::admin
