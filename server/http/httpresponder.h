// Answers plain HTTP requests on the chat port: the browser page compiled into the binary as Qt
// resources (web/), GET /healthz, GET /metrics, and the browser's login (POST /api/login,
// /api/register, /api/logout: httpaccounts.h). Every response closes its connection.
#pragma once

#include "http/httpaccounts.h"
#include "http/httprequest.h"
#include "http/metrics.h"

#include <QByteArray>
#include <QStringList>

#include <functional>
#include <optional>

namespace chat::server {

class Accounts;

// What the gate does with a complete request head.
struct HttpPlan
{
    std::optional<HttpResponse> response; // answer this now (already counted in the metrics)
    qsizetype bodyBytes = 0; // otherwise: read this many bytes of body, then respondWithBody()
};

class HttpResponder
{
public:
    // `metrics` (and `accounts`, when given) must outlive the responder; `gauges` reads the
    // live values for every request. Without `accounts` the /api/ paths answer 404.
    HttpResponder(Metrics *metrics, std::function<Metrics::Gauges()> gauges,
                  Accounts *accounts = nullptr, QStringList allowedOrigins = {});

    // Routes a complete request head: the answer, or how much body to read first.
    [[nodiscard]] HttpPlan plan(const HttpRequest &request, bool secure);
    // A request whose plan asked for a body, with the body read: `done` gets the answer (counted
    // in the metrics) at once or later, when a password had to be hashed.
    void respondWithBody(const HttpRequest &request, const HttpPeer &peer,
                         std::function<void(HttpResponse)> done);
    // Routes a complete request head that needs no body; counts the answer in the metrics.
    [[nodiscard]] HttpResponse respond(const HttpRequest &request);
    // The answer to a head that could not be read: 400, or 431 when it was too large.
    [[nodiscard]] HttpResponse refuse(int status);

private:
    [[nodiscard]] HttpResponse serveFile(const HttpRequest &request, const QString &resource,
                                         const QByteArray &contentType) const;
    [[nodiscard]] HttpResponse health() const;
    [[nodiscard]] HttpResponse metricsPage() const;

    void count(const QByteArray &method, const QByteArray &path,
               const HttpResponse &response) const;

    Metrics *m_metrics;
    std::function<Metrics::Gauges()> m_gauges;
    std::optional<HttpAccounts> m_accounts;
};

} // namespace chat::server
