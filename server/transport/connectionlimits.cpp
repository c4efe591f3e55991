#include "transport/connectionlimits.h"

namespace chat::server {

ConnectionLimits::ConnectionLimits(int maxTotal, int maxPerAddress)
    : m_maxTotal(maxTotal)
    , m_maxPerAddress(maxPerAddress)
{}

QString ConnectionLimits::addressKey(const QHostAddress &peer)
{
    bool isV4 = false;
    const quint32 v4 = peer.toIPv4Address(&isV4); // IPv4-mapped IPv6 counts as IPv4
    if (isV4)
        return QHostAddress(v4).toString();
    if (peer.protocol() != QAbstractSocket::IPv6Protocol)
        return peer.toString();
    Q_IPV6ADDR network = peer.toIPv6Address();
    for (int i = 8; i < 16; ++i)
        network[i] = 0;
    return QHostAddress(network).toString() + QStringLiteral("/64");
}

ConnectionLimits::Verdict ConnectionLimits::check(const QHostAddress &peer) const
{
    if (m_maxTotal > 0 && m_total >= m_maxTotal)
        return Verdict::ServerFull;
    if (m_maxPerAddress > 0 && count(peer) >= m_maxPerAddress)
        return Verdict::AddressFull;
    return Verdict::Admit;
}

void ConnectionLimits::add(const QHostAddress &peer)
{
    ++m_total;
    ++m_perAddress[addressKey(peer)];
}

void ConnectionLimits::remove(const QHostAddress &peer)
{
    const auto it = m_perAddress.find(addressKey(peer));
    if (it == m_perAddress.end())
        return; // never added: nothing to take back
    --m_total;
    if (--*it <= 0)
        m_perAddress.erase(it);
}

int ConnectionLimits::count(const QHostAddress &peer) const
{
    return m_perAddress.value(addressKey(peer), 0);
}

} // namespace chat::server
