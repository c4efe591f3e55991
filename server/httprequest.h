// The head of an HTTP/1.x request (request line and header fields), parsed from the bytes that
// arrived so far, within limits. The listener reads it before deciding whether a connection is a
// WebSocket upgrade or a plain request for the page, /healthz or /metrics.
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QPair>

namespace chat::server {

struct HttpLimits
{
    qsizetype maxHeadBytes = 8 * 1024; // request line and header fields, with the blank line
    int maxHeaderCount = 64;
};

struct HttpRequest
{
    QByteArray method;                            // "GET", case-sensitive as RFC 9110 says
    QByteArray target;                            // as sent: "/metrics?x=1"
    QByteArray path;                              // the target without its query: "/metrics"
    QByteArray version;                           // "HTTP/1.1" or "HTTP/1.0"
    QList<QPair<QByteArray, QByteArray>> headers; // names lower-cased, values trimmed

    // The first field with this (lower-case) name; empty when there is none.
    [[nodiscard]] QByteArray header(QByteArrayView name) const;
    // GET with "Upgrade: websocket": QWebSocketServer takes the connection from here.
    [[nodiscard]] bool isWebSocketUpgrade() const;
};

struct HttpHead
{
    enum class State {
        Incomplete, // no blank line yet, and still within the limits: wait for more
        Complete,   // `request` holds the parsed head
        TooLarge,   // over maxHeadBytes or maxHeaderCount: answer 431
        Malformed,  // not an HTTP/1.x request head: answer 400
    };
    State state = State::Incomplete;
    HttpRequest request;
};

// Parses `bytes`, the start of what the peer sent (it may hold more than the head).
[[nodiscard]] HttpHead parseHttpHead(QByteArrayView bytes, const HttpLimits &limits);

} // namespace chat::server
