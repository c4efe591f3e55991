// Which web pages may open a WebSocket here. Browsers send the page's origin with every upgrade
// and let any page connect anywhere; checking it keeps other sites' scripts out when the
// operator lists the allowed origins. Clients that are not browsers send no Origin and pass.
#pragma once

#include <QString>
#include <QStringList>

namespace chat::server {

// "scheme://host[:port]" in lower case without a trailing slash, for http(s) and ws(s) origins;
// an empty string when `text` is not such an origin.
[[nodiscard]] QString normalizeOrigin(const QString &text);

// True when `allowed` (normalised origins) is empty, when `origin` is empty (no Origin header:
// not a browser), or when the normalised `origin` is listed.
[[nodiscard]] bool originAllowed(const QStringList &allowed, const QString &origin);

} // namespace chat::server
