#include "http/httpresponder.h"

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
    {"/i18n.js", ":/web/i18n.js", "text/javascript; charset=utf-8"},
    {"/notify.js", ":/web/notify.js", "text/javascript; charset=utf-8"},
    {"/format.js", ":/web/format.js", "text/javascript; charset=utf-8"},
    {"/style.css", ":/web/style.css", "text/css; charset=utf-8"},
    {"/favicon.svg", ":/web/favicon.svg", "image/svg+xml"},
};

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

HttpResponder::HttpResponder(Metrics *metrics, std::function<Metrics::Gauges()> gauges,
                             Accounts *accounts, QStringList allowedOrigins)
    : m_metrics(metrics)
    , m_gauges(std::move(gauges))
{
    if (accounts)
        m_accounts.emplace(accounts, std::move(allowedOrigins));
}

HttpPlan HttpResponder::plan(const HttpRequest &request, bool secure)
{
    HttpPlan plan;
    if (!m_accounts || !HttpAccounts::handles(request.path)) {
        plan.response = respond(request);
        return plan;
    }
    plan.response = m_accounts->check(request, secure, &plan.bodyBytes);
    if (plan.response)
        count(request.method, request.path, *plan.response);
    return plan;
}

void HttpResponder::respondWithBody(const HttpRequest &request, const HttpPeer &peer,
                                    std::function<void(HttpResponse)> done)
{
    // The Accounts answer on this thread, and never after they (and so this) are gone.
    // Not the request itself: its body holds a password.
    m_accounts->respond(request, peer,
                        [this, method = request.method, path = request.path,
                         done = std::move(done)](HttpResponse response) {
                            count(method, path, response);
                            done(std::move(response));
                        });
}

void HttpResponder::count(const QByteArray &method, const QByteArray &path,
                          const HttpResponse &response) const
{
    m_metrics->countHttpResponse(response.status);
    qCDebug(lcServerNet).noquote()
        << "HTTP" << QString::fromLatin1(method) << QString::fromLatin1(path) << response.status;
}

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
    count(request.method, request.path, response);
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
