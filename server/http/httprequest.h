// The head of an HTTP/1.x request (request line and header fields), parsed from the bytes that
// arrived so far, within limits. The listener reads it before deciding whether a connection is a
// WebSocket upgrade or a plain request for the page, /healthz, /metrics or the browser's login
// (POST /api/...). And the response every plain request gets.
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
    QByteArray body; // a POST's body once HttpGate has read it (at most kMaxHttpBodyBytes)

    // The first field with this (lower-case) name; empty when there is none.
    [[nodiscard]] QByteArray header(QByteArrayView name) const;
    // Every field with this (lower-case) name, in order.
    [[nodiscard]] QList<QByteArray> headerValues(QByteArrayView name) const;
    [[nodiscard]] bool hasHeader(QByteArrayView name) const;
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
    qsizetype headBytes = 0; // Complete: the bytes of the head, its blank line included
};

// The answer to a plain request. Every response closes its connection.
struct HttpResponse
{
    int status = 200;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    bool headOnly = false; // a HEAD request: headers as for GET, no body

    // The bytes to write: status line, headers (Content-Length and Connection: close added), body.
    [[nodiscard]] QByteArray serialize() const;
};

// Parses `bytes`, the start of what the peer sent (it may hold more than the head).
[[nodiscard]] HttpHead parseHttpHead(QByteArrayView bytes, const HttpLimits &limits);

} // namespace chat::server
