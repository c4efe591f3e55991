// What a peer may make the server read: bytes a second, per connection and per address. Every
// byte the connection delivers counts (frame headers, pings and fragments included), and every
// data frame costs kFrameCost on top, so that a stream of empty frames is as dear as a stream of
// text. A bucket may run into debt, since the bytes are already here when they are counted: a
// message that arrives while in debt is refused, and a connection whose debt passes a whole
// burst is closed.
#pragma once

#include <QElapsedTimer>
#include <QHash>
#include <QString>

#include <memory>

QT_BEGIN_NAMESPACE
class QTcpSocket;
QT_END_NAMESPACE

namespace chat::server {

// The cost of one data frame beyond its bytes: the work of parsing and signalling it.
inline constexpr qint64 kFrameCost = 256;

// Counting what a reader took from a socket: watchReads() must be connected before anyone else
// reads the socket (at accept); it notes how many bytes were buffered when readyRead fired, so
// that a slot connected after the reader can tell how many it consumed.
void watchReads(QTcpSocket *socket);
[[nodiscard]] qint64 bytesBeforeRead(const QTcpSocket *socket);

class ByteBucket
{
public:
    // `bytesPerSecond` <= 0: no limit. The bucket starts full, with `burst` bytes.
    ByteBucket(qint64 bytesPerSecond, qint64 burst);

    void take(qint64 bytes, qint64 nowMs);
    [[nodiscard]] bool isLimited() const { return m_rate > 0; }
    // True while the bucket is below zero: what arrives now is over the rate.
    [[nodiscard]] bool inDebt(qint64 nowMs);
    // True once the debt is larger than a whole burst: the peer ignores the refusals.
    [[nodiscard]] bool deeplyInDebt(qint64 nowMs);

private:
    void refill(qint64 nowMs);

    double m_rate;
    double m_burst;
    double m_tokens;
    qint64 m_lastMs = -1;
};

// One bucket per client address (ConnectionLimits::addressKey), shared by its connections and
// forgotten when the last of them is gone. Made with std::make_shared: leases keep it alive.
class AddressBudgets : public std::enable_shared_from_this<AddressBudgets>
{
public:
    AddressBudgets(qint64 bytesPerSecond, qint64 burst);

    class Lease; // a connection's hold on its address's bucket
    [[nodiscard]] std::shared_ptr<Lease> lease(const QString &addressKey);
    [[nodiscard]] qint64 nowMs() const { return m_clock.elapsed(); }
    [[nodiscard]] int addressCount() const { return int(m_buckets.size()); }

private:
    struct Entry
    {
        ByteBucket bucket;
        int holders = 0;
    };
    qint64 m_rate;
    qint64 m_burst;
    QElapsedTimer m_clock;
    QHash<QString, Entry> m_buckets;
};

class AddressBudgets::Lease
{
public:
    Lease(std::shared_ptr<AddressBudgets> owner, QString key);
    ~Lease();
    Lease(const Lease &) = delete;
    Lease &operator=(const Lease &) = delete;

    void take(qint64 bytes);
    [[nodiscard]] bool inDebt();
    [[nodiscard]] bool deeplyInDebt();

private:
    ByteBucket &bucket();

    std::shared_ptr<AddressBudgets> m_owner;
    QString m_key;
};

} // namespace chat::server
