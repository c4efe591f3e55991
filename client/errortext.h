// Turns what Qt reports about a failed connection into sentences a person understands.
#pragma once

#include <QAbstractSocket>
#include <QList>
#include <QString>

class QSslError;

namespace chat::client {

// For QWebSocket::error(): qtText is the socket's errorString().
[[nodiscard]] QString describeSocketError(QAbstractSocket::SocketError error,
                                          const QString &qtText);

// For QWebSocket::sslErrors(): "certificate not trusted: …" with what was wrong.
[[nodiscard]] QString describeSslErrors(const QList<QSslError> &errors);

} // namespace chat::client
