// Counts open connections, in total and per client address, and says whether one more may come
// in. IPv4 addresses count one by one; IPv6 addresses by their /64 network, because anyone
// with IPv6 usually holds a whole /64 and could otherwise take a fresh address per connection.
#pragma once

#include <QHash>
#include <QHostAddress>
#include <QString>

namespace chat::server {

class ConnectionLimits
{
public:
    enum class Verdict { Admit, ServerFull, AddressFull };

    // A limit <= 0 means no limit.
    ConnectionLimits(int maxTotal, int maxPerAddress);

    [[nodiscard]] Verdict check(const QHostAddress &peer) const;
    void add(const QHostAddress &peer);
    void remove(const QHostAddress &peer);
    // A connection whose client is not known yet (a trusted proxy's, until its request head
    // names one) counts in the total only.
    void addUnplaced() { ++m_total; }
    void removeUnplaced() { --m_total; }

    [[nodiscard]] int total() const { return m_total; }
    [[nodiscard]] int count(const QHostAddress &peer) const;
    [[nodiscard]] int maxTotal() const { return m_maxTotal; }
    [[nodiscard]] int maxPerAddress() const { return m_maxPerAddress; }

    // The group an address counts in: "192.0.2.7", or "2001:db8:1:2::/64".
    [[nodiscard]] static QString addressKey(const QHostAddress &peer);

private:
    int m_maxTotal;
    int m_maxPerAddress;
    int m_total = 0;
    QHash<QString, int> m_perAddress; // only addresses with at least one connection
};

} // namespace chat::server
