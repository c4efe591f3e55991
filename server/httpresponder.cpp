#include "httpresponder.h"

#include "health.h"
#include "logging.h"

#include <QFile>

#ifndef CHAT_VERSION
#define CHAT_VERSION "unknown"
#endif

namespace chat::server {

namespace {

struct StaticFile
{
    QByteArrayView path;
    const char *resource; // compiled in from web/ by server/CMakeLists.txt
    QByteArrayView contentType;
};

constexpr StaticFile kFiles[] = {
    {"/", ":/web/index.html", "text/html; charset=utf-8"},
    {"/index.html", ":/web/index.html", "text/html; charset=utf-8"},
    {"/app.js", ":/web/app.js", "text/javascript; charset=utf-8"},
    {"/style.css", ":/web/style.css", "text/css; charset=utf-8"},
    {"/favicon.svg", ":/web/favicon.svg", "image/svg+xml"},
};

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 431:
        return "Request Header Fields Too Large";
    default:
        return "Internal Server Error";
    }
}

// A Host header fit to appear in our own CSP: a name or address and a port, nothing else.
bool isPlainHost(const QByteArray &host)
{
    if (host.isEmpty() || host.size() > 255)
        return false;
    for (const char c : host) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '.' || c == '-' || c == ':' || c == '[' ||
                        c == ']';
        if (!ok)
            return false;
    }
    return true;
}

// Scripts and styles only from this server, WebSockets only back to it. 'self' covers ws: and
// wss: to the same host in CSP 3; the explicit URLs are for browsers that predate that rule.
QByteArray contentSecurityPolicy(const QByteArray &host)
{
    QByteArray connect = "'self'";
    if (isPlainHost(host))
        connect += " ws://" + host + " wss://" + host;
    return "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
           "connect-src " +
           connect + "; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
}

HttpResponse plain(int status, const QByteArray &text)
{
    HttpResponse response;
    response.status = status;
    response.headers = {{"Content-Type", "text/plain; charset=utf-8"},
                        {"Cache-Control", "no-store"}};
    response.body = text + '\n';
    return response;
}

} // namespace

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

HttpResponder::HttpResponder(Metrics *metrics, std::function<Metrics::Gauges()> gauges)
    : m_metrics(metrics)
    , m_gauges(std::move(gauges))
{}

HttpResponse HttpResponder::respond(const HttpRequest &request)
{
    HttpResponse response;
    if (request.method != "GET" && request.method != "HEAD") {
        response = plain(405, "Only GET and HEAD are allowed here.");
        response.headers.append(qMakePair(QByteArray("Allow"), QByteArray("GET, HEAD")));
    } else if (request.path == "/healthz") {
        response = health();
    } else if (request.path == "/metrics") {
        response = metricsPage();
    } else {
        response = plain(404, "Not found.");
        for (const StaticFile &file : kFiles) {
            if (request.path == file.path) {
                response = serveFile(request, QString::fromLatin1(file.resource),
                                     file.contentType.toByteArray());
                break;
            }
        }
    }
    response.headOnly = request.method == "HEAD";
    m_metrics->countHttpResponse(response.status);
    qCDebug(lcServerNet).noquote() << "HTTP" << QString::fromLatin1(request.method)
                                   << QString::fromLatin1(request.path) << response.status;
    return response;
}

HttpResponse HttpResponder::refuse(int status)
{
    m_metrics->countHttpResponse(status);
    return plain(status, status == 431 ? QByteArray("The request head is too large.")
                                       : QByteArray("This is not an HTTP/1.1 request."));
}

HttpResponse HttpResponder::serveFile(const HttpRequest &request, const QString &resource,
                                      const QByteArray &contentType) const
{
    QFile file(resource);
    if (!file.open(QIODevice::ReadOnly)) {
        qCWarning(lcServerNet).noquote() << "missing resource" << resource;
        return plain(500, "The page is missing from this build.");
    }
    HttpResponse response;
    response.headers = {
        {"Content-Type", contentType},
        {"Cache-Control", "no-cache"},
        {"Content-Security-Policy", contentSecurityPolicy(request.header("host"))},
        {"X-Frame-Options", "DENY"},
    };
    response.body = file.readAll();
    return response;
}

HttpResponse HttpResponder::health() const
{
    const Metrics::Gauges gauges = m_gauges();
    chat::proto::Health health;
    health.version = QStringLiteral(CHAT_VERSION);
    health.uptimeSeconds = m_metrics->uptimeSeconds();
    health.connections = gauges.connections;
    health.online = gauges.online;
    HttpResponse response;
    response.headers = {{"Content-Type", "application/json"}, {"Cache-Control", "no-store"}};
    response.body = chat::proto::encodeHealth(health);
    return response;
}

HttpResponse HttpResponder::metricsPage() const
{
    HttpResponse response;
    response.headers = {{"Content-Type", "text/plain; version=0.0.4; charset=utf-8"},
                        {"Cache-Control", "no-store"}};
    response.body = m_metrics->exposition(m_gauges());
    return response;
}

} // namespace chat::server
