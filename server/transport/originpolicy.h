// Which web pages may open a WebSocket here. Browsers send the page's origin with every upgrade
// and let any page connect anywhere; checking it keeps other sites' scripts out when the
// operator lists the allowed origins. Clients that are not browsers send no Origin and pass.
#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace chat::server {

// "scheme://host[:port]" in lower case without a trailing slash, for http(s) and ws(s) origins;
// an empty string when `text` is not such an origin.
[[nodiscard]] QString normalizeOrigin(const QString &text);

// True when `allowed` (normalised origins) is empty, when `origin` is empty (no Origin header:
// not a browser), or when the normalised `origin` is listed.
[[nodiscard]] bool originAllowed(const QStringList &allowed, const QString &origin);

// Stricter, for what a login cookie may do (the browser login, docs/security.md): true only when
// the request has an Origin that is this server's own (the scheme and the Host header) or is
// listed in `allowed`. No Origin, "null" or a malformed one: false.
[[nodiscard]] bool originIsOwnOrAllowed(const QString &origin, const QByteArray &host, bool secure,
                                        const QStringList &allowed);

} // namespace chat::server
