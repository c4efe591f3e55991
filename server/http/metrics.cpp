#include "http/metrics.h"

namespace chat::server {

using chat::proto::ErrorCode;

namespace {

// One metric's HELP and TYPE lines.
void describe(QByteArray &out, const char *name, const char *type, const char *help)
{
    out += "# HELP ";
    out += name;
    out += ' ';
    out += help;
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += type;
    out += '\n';
}

void sample(QByteArray &out, const char *name, qint64 value, const QByteArray &labels = {})
{
    out += name;
    if (!labels.isEmpty())
        out += '{' + labels + '}';
    out += ' ' + QByteArray::number(value) + '\n';
}

QByteArray formatSeconds(double seconds)
{
    return QByteArray::number(seconds, 'g', 12);
}

} // namespace

Metrics::Metrics()
{
    m_started.start();
    // Every known code, so each series exists from the start (Unknown stands for codes from
    // newer peers; the server never sends it).
    for (int code = 0; code <= int(chat::proto::kLastErrorCode); ++code)
        if (ErrorCode(code) != ErrorCode::Unknown)
            m_rejections[chat::proto::errorCodeName(ErrorCode(code))] = 0;
    for (const char *method : {"token", "password", "register"})
        m_logins[QLatin1String(method)] = 0;
}

void Metrics::countLoginRefused(const QString &what, ErrorCode code)
{
    ++m_loginRefusals[{what, chat::proto::errorCodeName(code)}];
}

void Metrics::countRejection(ErrorCode code)
{
    ++m_rejections[chat::proto::errorCodeName(code)];
}

qint64 Metrics::rejections(ErrorCode code) const
{
    const auto it = m_rejections.find(chat::proto::errorCodeName(code));
    return it == m_rejections.end() ? 0 : it->second;
}

void Metrics::storeCommitted()
{
    if (m_submittedAtNs.empty())
        return;
    observeStoreLatency(m_started.nsecsElapsed() - m_submittedAtNs.front());
    m_submittedAtNs.pop_front();
}

void Metrics::observeStoreLatency(qint64 nanoseconds)
{
    const double seconds = double(nanoseconds) / 1e9;
    for (size_t i = 0; i < kLatencyBuckets.size(); ++i) {
        if (seconds <= kLatencyBuckets[i]) {
            ++m_latencyBuckets[i];
            break;
        }
    }
    ++m_latencyCount;
    m_latencySumNs += nanoseconds;
}

QByteArray Metrics::exposition(const Gauges &gauges) const
{
    QByteArray out;
    out.reserve(4096);

    describe(out, "chat_connections", "gauge", "Open WebSocket connections, joined or not.");
    sample(out, "chat_connections", gauges.connections);
    describe(out, "chat_online_users", "gauge", "Clients that completed their hello.");
    sample(out, "chat_online_users", gauges.online);
    describe(out, "chat_pending_handshakes", "gauge",
             "TCP connections that have not finished their WebSocket upgrade or HTTP request.");
    sample(out, "chat_pending_handshakes", gauges.pendingHandshakes);
    describe(out, "chat_uptime_seconds", "gauge", "Seconds since the hub started.");
    sample(out, "chat_uptime_seconds", uptimeSeconds());

    describe(out, "chat_messages_received_total", "counter",
             "Chat messages (send) received from joined clients, resends included.");
    sample(out, "chat_messages_received_total", m_messagesReceived);
    describe(out, "chat_messages_sent_total", "counter",
             "Chat messages delivered live: one per recipient, acknowledgements included.");
    sample(out, "chat_messages_sent_total", m_messagesSent);
    describe(out, "chat_bytes_received_total", "counter",
             "Payload bytes of WebSocket messages received.");
    sample(out, "chat_bytes_received_total", m_bytesReceived);
    describe(out, "chat_bytes_sent_total", "counter",
             "Bytes written to WebSocket connections, frame headers included.");
    sample(out, "chat_bytes_sent_total", m_bytesSent);

    describe(out, "chat_rejections_total", "counter", "Error replies sent, by error code.");
    for (const auto &[reason, count] : m_rejections)
        sample(out, "chat_rejections_total", count, "reason=\"" + reason.toUtf8() + '"');

    describe(out, "chat_connections_refused_total", "counter",
             "TCP connections refused before any work: over the per-address limit (closed at "
             "accept) or over the total (HTTP 503).");
    sample(out, "chat_connections_refused_total", gauges.refusedOverAddressLimit,
           "reason=\"address_limit\"");
    sample(out, "chat_connections_refused_total", gauges.refusedServerFull,
           "reason=\"server_full\"");
    describe(out, "chat_flood_closes_total", "counter",
             "Connections closed with 1008 for sending too much, by the limit broken.");
    for (const auto &[limit, count] : m_floodCloses)
        sample(out, "chat_flood_closes_total", count, "limit=\"" + limit.toUtf8() + '"');

    describe(out, "chat_logins_total", "counter",
             "Hellos admitted, by how they logged in: token, password, register.");
    for (const auto &[method, count] : m_logins)
        sample(out, "chat_logins_total", count, "method=\"" + method.toUtf8() + '"');
    describe(out, "chat_login_refusals_total", "counter",
             "Logins (password, token) and registrations refused, by the error code sent.");
    for (const auto &[key, count] : m_loginRefusals)
        sample(out, "chat_login_refusals_total", count,
               "kind=\"" + key.first.toUtf8() + "\",reason=\"" + key.second.toUtf8() + '"');

    describe(out, "chat_http_responses_total", "counter",
             "Plain HTTP responses (page, health, metrics, errors), by status code.");
    for (const auto &[status, count] : m_httpResponses)
        sample(out, "chat_http_responses_total", count,
               "code=\"" + QByteArray::number(status) + '"');

    describe(out, "chat_store_commit_seconds", "histogram",
             "From accepting a chat message to its commit in the message store, group-commit wait "
             "included.");
    qint64 cumulative = 0;
    for (size_t i = 0; i < kLatencyBuckets.size(); ++i) {
        cumulative += m_latencyBuckets[i];
        sample(out, "chat_store_commit_seconds_bucket", cumulative,
               "le=\"" + formatSeconds(kLatencyBuckets[i]) + '"');
    }
    sample(out, "chat_store_commit_seconds_bucket", m_latencyCount, "le=\"+Inf\"");
    out += "chat_store_commit_seconds_sum " + formatSeconds(double(m_latencySumNs) / 1e9) + '\n';
    sample(out, "chat_store_commit_seconds_count", m_latencyCount);
    return out;
}

qint64 utf8Size(QStringView text)
{
    qint64 bytes = 0;
    for (const QChar c : text) {
        const char16_t u = c.unicode();
        if (u < 0x80)
            bytes += 1;
        else if (u < 0x800)
            bytes += 2;
        else if (c.isSurrogate())
            bytes += 2; // a pair is four bytes; unpaired ones travel as U+FFFD (3), close enough
        else
            bytes += 3;
    }
    return bytes;
}

} // namespace chat::server
