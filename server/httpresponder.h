// Answers plain HTTP requests on the chat port: the browser page compiled into the binary as Qt
// resources (web/), GET /healthz and GET /metrics. Every response closes its connection.
#pragma once

#include "httprequest.h"
#include "metrics.h"

#include <QByteArray>
#include <QList>
#include <QPair>

#include <functional>

namespace chat::server {

struct HttpResponse
{
    int status = 200;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    bool headOnly = false; // a HEAD request: headers as for GET, no body

    // The bytes to write: status line, headers (Content-Length and Connection: close added), body.
    [[nodiscard]] QByteArray serialize() const;
};

class HttpResponder
{
public:
    // `metrics` must outlive the responder; `gauges` reads the live values for every request.
    HttpResponder(Metrics *metrics, std::function<Metrics::Gauges()> gauges);

    // Routes a complete request head; counts the answer in the metrics.
    [[nodiscard]] HttpResponse respond(const HttpRequest &request);
    // The answer to a head that could not be read: 400, or 431 when it was too large.
    [[nodiscard]] HttpResponse refuse(int status);

private:
    [[nodiscard]] HttpResponse serveFile(const HttpRequest &request, const QString &resource,
                                         const QByteArray &contentType) const;
    [[nodiscard]] HttpResponse health() const;
    [[nodiscard]] HttpResponse metricsPage() const;

    Metrics *m_metrics;
    std::function<Metrics::Gauges()> m_gauges;
};

} // namespace chat::server
