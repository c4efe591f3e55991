// The browser's login over HTTP on the chat port (docs/protocol.md, "Browser login"):
// POST /api/login, /api/register and /api/logout. A login or a registration puts the device's
// token in an HttpOnly, SameSite=Strict cookie the page's scripts cannot read; the WebSocket
// upgrade then carries it. Every POST must come from the page itself (its Origin), say
// application/json, and carry at most kMaxHttpBodyBytes.
#pragma once

#include "http/httprequest.h"

#include <QHostAddress>
#include <QStringList>

#include <functional>
#include <optional>

namespace chat::server {

class Accounts;

// What the account endpoints know of the connection a request came on.
struct HttpPeer
{
    QHostAddress address; // for the login throttles and the sign-up limit
    bool secure = false;  // TLS: the cookie gets Secure, and the page's origin is https://
};

class HttpAccounts
{
public:
    // The cookie that carries the browser's token.
    static constexpr QByteArrayView kCookieName = "chat_token";

    // `accounts` must outlive this object; `allowedOrigins` are normalised (originpolicy.h).
    HttpAccounts(Accounts *accounts, QStringList allowedOrigins);

    // True for the paths this class answers, whatever the method.
    [[nodiscard]] static bool handles(QByteArrayView path);

    // Judges a complete head before its body is read: a refusal (wrong method, origin, content
    // type or length), or nullopt and *bodyBytes set to the length of the body to read.
    [[nodiscard]] std::optional<HttpResponse> check(const HttpRequest &request, bool secure,
                                                    qsizetype *bodyBytes) const;

    // Answers a request that passed check(), with its body read. `done` is called exactly once:
    // at once, or later when a password had to be hashed (never after the Accounts are gone).
    void respond(const HttpRequest &request, const HttpPeer &peer,
                 std::function<void(HttpResponse)> done);

    // The value of the chat_token cookie among the request's Cookie headers; empty when none.
    [[nodiscard]] static QString cookieToken(const HttpRequest &request);

private:
    [[nodiscard]] bool originAccepted(const HttpRequest &request, bool secure) const;
    void logout(const HttpRequest &request, const HttpPeer &peer,
                const std::function<void(HttpResponse)> &done);

    Accounts *m_accounts;
    QStringList m_allowedOrigins;
};

} // namespace chat::server
