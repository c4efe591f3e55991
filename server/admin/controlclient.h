// The CLI's end of the control socket (controlserver.h): sends one admin command to a running
// server and waits for its reply. Blocking: the CLI has nothing else to do.
#pragma once

#include "admin/controlwire.h"

#include <QString>
#include <QStringList>

namespace chat::server::admin {

struct ControlOutcome
{
    enum class Kind {
        NoServer, // no socket file, or nothing answers on it: use the database directly
        Replied,  // the server ran the command: reply holds its output and exit code
        Failed,   // a server is there but the exchange failed: error says why
    };
    Kind kind = Kind::NoServer;
    ControlReply reply;
    QString error;
};

// Sends `arguments` to the server listening at `path`. `timeoutMs` bounds connecting and
// sending, and separately the wait for the reply (a big `token create --count` takes a while).
[[nodiscard]] ControlOutcome sendControlCommand(const QString &path, const QStringList &arguments,
                                                int timeoutMs = 5000, int replyTimeoutMs = 600000);

} // namespace chat::server::admin
