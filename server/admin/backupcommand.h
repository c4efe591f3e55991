// chat-server backup FILE [--force] (docs/operations.md, "Backups and restore"): a consistent
// copy of the database, made by the running server through its control socket, or by the CLI
// on the file when no server runs. FILE appears whole or not at all: the copy is written under
// a temporary name beside it (mode 0600: it holds password and token hashes), synced, and then
// renamed into place; an existing FILE is kept unless --force.
#pragma once

#include "admin/admincommands.h"

#include <QString>
#include <QStringList>

#include <optional>

namespace chat::server {
class MessageStore;
} // namespace chat::server

namespace chat::server::admin {

struct BackupRequest
{
    QString file;
    bool force = false; // replace an existing FILE
};

// The command word.
[[nodiscard]] QString backupCommandWord();

// Parses the words after "backup"; nullopt with a usage error in *failure when they are wrong.
[[nodiscard]] std::optional<BackupRequest> parseBackupArguments(const QStringList &arguments,
                                                                AdminResult *failure);

// The command as the control socket carries it, FILE made absolute: the server does not share
// the CLI's working directory.
[[nodiscard]] QStringList backupArguments(const BackupRequest &request);

// Writes the backup of `store` (nullptr or a store in memory: there is nothing to back up).
// Blocks while SQLite copies: about 0.6 s for 100,000 messages (docs/operations.md).
[[nodiscard]] AdminResult runBackup(const BackupRequest &request, MessageStore *store);

// runBackup() for the words after "backup", parsed first.
[[nodiscard]] AdminResult runBackupArguments(const QStringList &arguments, MessageStore *store);

} // namespace chat::server::admin
