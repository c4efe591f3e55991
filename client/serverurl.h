// Turns what a person gives as the server's address (typed into the connect dialog, or --url)
// into the WebSocket URL the client connects to: `host:port`, `localhost`, `[::1]:8080`, the
// browser page's own `http://host:port/` and `https://…` are all accepted.
#pragma once

#include <QString>
#include <QUrl>

namespace chat::client {

// chat-server's default port: the one an address without scheme and port means.
inline constexpr int kDefaultServerPort = 8080;

struct ServerUrl
{
    QUrl url;        // ws:// or wss://, with a path (at least "/"); invalid when refused
    QString problem; // why it was refused, a sentence that names the input; empty when usable
};

// ws:// and wss:// stay as they are; http:// becomes ws:// and https:// wss:// (the same port
// serves the page and the chat); no scheme means ws://, and then no port means 8080. A bare
// IPv6 address may come without brackets. The fragment is dropped.
[[nodiscard]] ServerUrl parseServerUrl(const QString &text);

// Whether a password sent to this server would cross the network readable by anyone on the way:
// plain ws:// to a host other than this machine (localhost, 127.0.0.1, ::1).
[[nodiscard]] bool passwordTravelsInClear(const QUrl &url);

} // namespace chat::client
