// The outbox on disk, so that text typed while the server is away survives closing the window:
// one encoded send frame per line, oldest first, replaced atomically on every change. After the
// frame a tab and the time it was typed (ISO 8601, UTC) may follow; lines without one (written
// by earlier versions) are read as typed when read.
#pragma once

#include "protocol.h"

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QString>

class QUrl;

namespace chat::client::outboxfile {

// Reads what a previous run left. Lines that are not a valid send are skipped with a warning,
// so a damaged file costs at most those lines; a missing file is an empty outbox.
// *typed (when given) receives the typed times found, by id.
[[nodiscard]] QList<proto::Send> read(const QString &path,
                                      QHash<QString, QDateTime> *typed = nullptr);

// Replaces the file with these items (removes it when there are none). On failure returns
// false and sets *error to a sentence a person can read; the old file is then left as it was.
[[nodiscard]] bool write(const QString &path, const QList<proto::Send> &items,
                         QString *error = nullptr, const QHash<QString, QDateTime> &typed = {});

// The file name for one server and nick (the nick as the user typed it; letter case and
// surrounding blanks do not matter, as on the server), inside directory.
[[nodiscard]] QString pathFor(const QString &directory, const QUrl &serverUrl, const QString &nick);

} // namespace chat::client::outboxfile
