// What chat-server prints after its `listening on` line: the addresses people can actually open,
// a browser's http:// and the desktop client's ws:// side by side, instead of 0.0.0.0.
#pragma once

#include <QHostAddress>
#include <QList>
#include <QStringList>

namespace chat::server {

// The addresses a server listening on `host` can be reached at, loopback first. For an "any"
// address (0.0.0.0, ::, or both), this machine's own: interfaces that are up and running,
// without link-local, temporary or multicast addresses, IPv4 before IPv6, at most `limit`
// besides the loopback one. Otherwise just `host`.
[[nodiscard]] QList<QHostAddress> reachableAddresses(const QHostAddress &host, int limit = 8);

// One line per reachable address: "  browser: http://A:P/   desktop client: ws://A:P/", with
// https:// and wss:// when `tls`; the loopback line says it works on this machine only.
[[nodiscard]] QStringList describeListenAddresses(const QHostAddress &host, quint16 port, bool tls);

} // namespace chat::server
