// Turns what Qt and the server report about a failure into sentences a person understands,
// translated (context ErrorText): Qt's own wording, and the server's English reason, are kept only
// where there is nothing better to say or where they add what exactly was wrong.
#pragma once

#include "errorcode.h"

#include <QAbstractSocket>
#include <QList>
#include <QString>

class QSslError;

namespace chat::client {

// For QWebSocket::error(): qtText is the socket's errorString().
[[nodiscard]] QString describeSocketError(QAbstractSocket::SocketError error,
                                          const QString &qtText);

// For QWebSocket::sslErrors(): "The certificate is not trusted: …" with what was wrong.
[[nodiscard]] QString describeSslErrors(const QList<QSslError> &errors);

// For an error message from the server: a sentence for its code, followed by the server's own
// reason (English, on one short line) where that says what exactly was wrong (which field, limit,
// character or name); for a code this client does not know, "The server refused the request:"
// and the reason. Plain text: show it in widgets set to Qt::PlainText.
[[nodiscard]] QString describeServerError(proto::ErrorCode code, const QString &reason);

// "Too many attempts; try again in 30 s." -> 30000 (also "30 秒"): a busy or throttling server
// says how long to wait, and trying sooner only meets the same answer. 0 when it names no wait.
[[nodiscard]] int waitNamedIn(const QString &message);

} // namespace chat::client
