// Turns what Qt reports about a failed connection into Chinese sentences a person understands
// (Qt's own wording, in English, is kept only where there is nothing better to say).
#pragma once

#include <QAbstractSocket>
#include <QList>
#include <QString>

class QSslError;

namespace chat::client {

// For QWebSocket::error(): qtText is the socket's errorString().
[[nodiscard]] QString describeSocketError(QAbstractSocket::SocketError error,
                                          const QString &qtText);

// For QWebSocket::sslErrors(): "证书不受信任：…" (certificate not trusted) with what was wrong.
[[nodiscard]] QString describeSslErrors(const QList<QSslError> &errors);

} // namespace chat::client
