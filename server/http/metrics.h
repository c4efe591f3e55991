// Counters and a latency histogram for GET /metrics, rendered in the Prometheus text exposition
// format (version 0.0.4). Plain numbers bumped from the hub's thread; gauges are read at render
// time from whoever owns them.
#pragma once

#include "errorcode.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QHash>
#include <QString>

#include <array>
#include <deque>
#include <map>

namespace chat::server {

class Metrics
{
public:
    Metrics();

    void countMessageReceived() { ++m_messagesReceived; }
    void countDeliveries(qint64 count) { m_messagesSent += count; }
    void countBytesReceived(qint64 bytes) { m_bytesReceived += bytes; }
    void countBytesSent(qint64 bytes) { m_bytesSent += bytes; }
    void countRejection(chat::proto::ErrorCode code);
    void countHttpResponse(int status) { ++m_httpResponses[status]; }
    // A connection closed for flooding, by the limit it broke ("bytes", "fragments", ...).
    void countFloodClose(const QString &limit) { ++m_floodCloses[limit]; }
    // A hello admitted, by how it logged in ("token", "password", "register").
    void countLogin(const char *method) { ++m_logins[QLatin1String(method)]; }
    // A login or registration refused (`what`: "login", "token", "register"), by the code sent.
    void countLoginRefused(const QString &what, chat::proto::ErrorCode code);
    // A message accepted and handed to the store, then committed (its latency is observed) or
    // failed (forgotten). The store takes messages in the order submitted, and numbers them
    // itself: so the oldest submission waiting is the one a commit or a failure is about.
    void storeSubmitted() { m_submittedAtNs.push_back(m_started.nsecsElapsed()); }
    void storeCommitted();
    void storeFailed()
    {
        if (!m_submittedAtNs.empty())
            m_submittedAtNs.pop_front();
    }
    void observeStoreLatency(qint64 nanoseconds);

    [[nodiscard]] qint64 uptimeSeconds() const { return m_started.elapsed() / 1000; }
    [[nodiscard]] qint64 messagesReceived() const { return m_messagesReceived; }
    [[nodiscard]] qint64 messagesSent() const { return m_messagesSent; }
    [[nodiscard]] qint64 rejections(chat::proto::ErrorCode code) const;

    // Values owned elsewhere, read when the page is rendered.
    struct Gauges
    {
        int connections = 0;
        int online = 0;
        int pendingHandshakes = 0;
        qint64 refusedOverAddressLimit = 0; // counters owned by the listener
        qint64 refusedServerFull = 0;
    };
    [[nodiscard]] QByteArray exposition(const Gauges &gauges) const;

    // Upper bounds of the latency buckets, in seconds; +Inf follows implicitly.
    static constexpr std::array<double, 13> kLatencyBuckets{
        0.000001, 0.000005, 0.00001, 0.00005, 0.0001, 0.0005, 0.001,
        0.005,    0.01,     0.05,    0.1,     0.5,    1.0};

private:
    QElapsedTimer m_started;
    qint64 m_messagesReceived = 0;
    qint64 m_messagesSent = 0;
    qint64 m_bytesReceived = 0;
    qint64 m_bytesSent = 0;
    std::map<QString, qint64> m_rejections;  // by error code name, every known code present
    std::map<int, qint64> m_httpResponses;   // by status code
    std::map<QString, qint64> m_floodCloses; // by the limit that was broken
    std::map<QString, qint64> m_logins;      // by method
    std::map<std::pair<QString, QString>, qint64> m_loginRefusals; // by (what, code name)
    std::array<qint64, kLatencyBuckets.size()> m_latencyBuckets{}; // not cumulative
    qint64 m_latencyCount = 0;
    qint64 m_latencySumNs = 0;
    std::deque<qint64> m_submittedAtNs; // when each waiting message was submitted, on m_started
};

// The UTF-8 size of a text without encoding it: what a text frame carried.
[[nodiscard]] qint64 utf8Size(QStringView text);

} // namespace chat::server
