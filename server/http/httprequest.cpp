#include "http/httprequest.h"

namespace chat::server {

namespace {

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 409:
        return "Conflict";
    case 411:
        return "Length Required";
    case 413:
        return "Content Too Large";
    case 415:
        return "Unsupported Media Type";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 503:
        return "Service Unavailable";
    default:
        return "Internal Server Error";
    }
}

constexpr QByteArrayView kCrLf("\r\n");
constexpr QByteArrayView kEndOfHead("\r\n\r\n");

// RFC 9110 5.6.2: the characters of a method or a field name.
bool isTokenChar(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return QByteArrayView("!#$%&'*+-.^_`|~").contains(c);
}

bool isToken(QByteArrayView text)
{
    if (text.isEmpty())
        return false;
    for (const char c : text) {
        if (!isTokenChar(c))
            return false;
    }
    return true;
}

// Visible ASCII, spaces, tabs and bytes of other encodings; no control characters.
bool isFieldValue(QByteArrayView text)
{
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if ((u < 0x20 && u != '\t') || u == 0x7f)
            return false;
    }
    return true;
}

bool parseRequestLine(QByteArrayView line, HttpRequest *request)
{
    const qsizetype firstSpace = line.indexOf(' ');
    const qsizetype lastSpace = line.lastIndexOf(' ');
    if (firstSpace <= 0 || lastSpace <= firstSpace + 1)
        return false;
    const QByteArrayView method = line.first(firstSpace);
    const QByteArrayView target = line.sliced(firstSpace + 1, lastSpace - firstSpace - 1);
    const QByteArrayView version = line.sliced(lastSpace + 1);
    if (!isToken(method) || (version != "HTTP/1.1" && version != "HTTP/1.0"))
        return false;
    // Origin form only: a path with an optional query, printable ASCII without spaces.
    if (!target.startsWith('/'))
        return false;
    for (const char c : target) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u >= 0x7f)
            return false;
    }
    request->method = method.toByteArray();
    request->target = target.toByteArray();
    const qsizetype query = target.indexOf('?');
    request->path = (query < 0 ? target : target.first(query)).toByteArray();
    request->version = version.toByteArray();
    return true;
}

} // namespace

QByteArray HttpRequest::header(QByteArrayView name) const
{
    for (const auto &[key, value] : headers) {
        if (key == name)
            return value;
    }
    return {};
}

QList<QByteArray> HttpRequest::headerValues(QByteArrayView name) const
{
    QList<QByteArray> values;
    for (const auto &[key, value] : headers) {
        if (key == name)
            values.append(value);
    }
    return values;
}

bool HttpRequest::hasHeader(QByteArrayView name) const
{
    for (const auto &header : headers) {
        if (header.first == name)
            return true;
    }
    return false;
}

bool HttpRequest::isWebSocketUpgrade() const
{
    if (method != "GET")
        return false;
    // Upgrade is a comma-separated list of protocols; "websocket" in any letter case.
    const QList<QByteArray> protocols = header("upgrade").split(',');
    for (const QByteArray &protocol : protocols) {
        if (protocol.trimmed().compare("websocket", Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

QByteArray HttpResponse::serialize() const
{
    QByteArray out = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) + "\r\n";
    for (const auto &[name, value] : headers)
        out += name + ": " + value + "\r\n";
    out += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    // Every header a response carries whatever it is.
    out += "X-Content-Type-Options: nosniff\r\n"
           "Referrer-Policy: no-referrer\r\n"
           "Connection: close\r\n\r\n";
    if (!headOnly)
        out += body;
    return out;
}

HttpHead parseHttpHead(QByteArrayView bytes, const HttpLimits &limits)
{
    HttpHead head;
    const qsizetype end = bytes.first(qMin(bytes.size(), limits.maxHeadBytes)).indexOf(kEndOfHead);
    if (end < 0) {
        // Still within the limit: more may come. The end marker may straddle the limit only
        // when the head is larger than allowed.
        head.state = bytes.size() >= limits.maxHeadBytes ? HttpHead::State::TooLarge
                                                         : HttpHead::State::Incomplete;
        return head;
    }
    if (end + kEndOfHead.size() > limits.maxHeadBytes) {
        head.state = HttpHead::State::TooLarge;
        return head;
    }

    head.state = HttpHead::State::Malformed;
    const QByteArrayView text = bytes.first(end + kCrLf.size()); // every line ends in CRLF
    qsizetype pos = 0;
    bool firstLine = true;
    while (pos < text.size()) {
        const qsizetype lineEnd = text.indexOf(kCrLf, pos);
        const QByteArrayView line = text.sliced(pos, lineEnd - pos);
        pos = lineEnd + kCrLf.size();
        if (line.contains('\n') || line.contains('\r'))
            return head; // a bare CR or LF: lines must end in CRLF
        if (firstLine) {
            firstLine = false;
            if (!parseRequestLine(line, &head.request))
                return head;
            continue;
        }
        if (head.request.headers.size() >= limits.maxHeaderCount) {
            head.state = HttpHead::State::TooLarge;
            return head;
        }
        const qsizetype colon = line.indexOf(':');
        // No white space before the colon (RFC 9112 5.1) and no folded lines (5.2).
        if (colon <= 0 || !isToken(line.first(colon)))
            return head;
        const QByteArrayView value = line.sliced(colon + 1).trimmed();
        if (!isFieldValue(value))
            return head;
        head.request.headers.append(
            {line.first(colon).toByteArray().toLower(), value.toByteArray()});
    }
    head.state = HttpHead::State::Complete;
    head.headBytes = end + kEndOfHead.size();
    return head;
}

} // namespace chat::server
