#include "transport/inboundbudget.h"

#include <QTcpSocket>

#include <algorithm>

namespace chat::server {

namespace {
constexpr char kBeforeRead[] = "chatBytesBeforeRead";
}

void watchReads(QTcpSocket *socket)
{
    QObject::connect(socket, &QIODevice::readyRead, socket,
                     [socket] { socket->setProperty(kBeforeRead, socket->bytesAvailable()); });
}

qint64 bytesBeforeRead(const QTcpSocket *socket)
{
    return socket->property(kBeforeRead).toLongLong();
}

ByteBucket::ByteBucket(qint64 bytesPerSecond, qint64 burst)
    : m_rate(double(bytesPerSecond))
    , m_burst(double(std::max<qint64>(1, burst)))
    , m_tokens(m_burst)
{}

void ByteBucket::refill(qint64 nowMs)
{
    if (m_lastMs >= 0 && nowMs > m_lastMs)
        m_tokens = std::min(m_burst, m_tokens + double(nowMs - m_lastMs) * m_rate / 1000.0);
    m_lastMs = std::max(m_lastMs, nowMs);
}

void ByteBucket::take(qint64 bytes, qint64 nowMs)
{
    if (m_rate <= 0)
        return;
    refill(nowMs);
    m_tokens -= double(bytes);
}

bool ByteBucket::inDebt(qint64 nowMs)
{
    if (m_rate <= 0)
        return false;
    refill(nowMs);
    return m_tokens < 0;
}

bool ByteBucket::deeplyInDebt(qint64 nowMs)
{
    if (m_rate <= 0)
        return false;
    refill(nowMs);
    return m_tokens < -m_burst;
}

AddressBudgets::AddressBudgets(qint64 bytesPerSecond, qint64 burst)
    : m_rate(bytesPerSecond)
    , m_burst(burst)
{
    m_clock.start();
}

std::shared_ptr<AddressBudgets::Lease> AddressBudgets::lease(const QString &addressKey)
{
    auto it = m_buckets.find(addressKey);
    if (it == m_buckets.end())
        it = m_buckets.insert(addressKey, Entry{ByteBucket(m_rate, m_burst), 0});
    ++it->holders;
    return std::make_shared<Lease>(shared_from_this(), addressKey);
}

AddressBudgets::Lease::Lease(std::shared_ptr<AddressBudgets> owner, QString key)
    : m_owner(std::move(owner))
    , m_key(std::move(key))
{}

AddressBudgets::Lease::~Lease()
{
    const auto it = m_owner->m_buckets.find(m_key);
    if (it != m_owner->m_buckets.end() && --it->holders <= 0)
        m_owner->m_buckets.erase(it);
}

ByteBucket &AddressBudgets::Lease::bucket()
{
    return m_owner->m_buckets.find(m_key)->bucket; // present while a lease exists
}

void AddressBudgets::Lease::take(qint64 bytes)
{
    bucket().take(bytes, m_owner->nowMs());
}

bool AddressBudgets::Lease::inDebt()
{
    return bucket().inDebt(m_owner->nowMs());
}

bool AddressBudgets::Lease::deeplyInDebt()
{
    return bucket().deeplyInDebt(m_owner->nowMs());
}

} // namespace chat::server
