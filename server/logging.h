// Logging categories of the server. Lines name peers, nicks and error codes, never message text.
// Debug lines (every connect and disconnect) are off unless QT_LOGGING_RULES turns them on.
#pragma once

#include <QHostAddress>
#include <QLoggingCategory>
#include <QString>

namespace chat::server {

Q_DECLARE_LOGGING_CATEGORY(lcServer)    // chat.server: joins, leaves, refusals, lifecycle
Q_DECLARE_LOGGING_CATEGORY(lcServerNet) // chat.server.net: connections, handshakes, socket errors

// "address:port", with IPv6 addresses in brackets: how log lines name a peer.
[[nodiscard]] QString peerName(const QHostAddress &address, quint16 port);

} // namespace chat::server
