// The reverse proxies (--trusted-proxy) whose X-Forwarded-For is believed. Behind nginx every
// connection comes from nginx's address, so the per-address limits would hit everyone at once;
// only a connection from a listed proxy may name the client it forwards, and the client is the
// right-most address of the header that is not itself a trusted proxy (as nginx's realip module
// does with real_ip_recursive): whatever the client wrote further left is its own claim.
#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>

namespace chat::server {

class TrustedProxies
{
public:
    // The client address a request stands for, and why.
    struct Resolution
    {
        QHostAddress address;   // the client, or the peer itself
        bool forwarded = false; // taken from X-Forwarded-For
        bool malformed = false; // a trusted proxy sent a header that is not a list of addresses
    };

    // From "ADDRESS[/PREFIX]" entries, each possibly a comma-separated list: 127.0.0.1,
    // 10.0.0.0/8, ::1, fd00::/8. Empty when there is none; *error says what is wrong otherwise.
    [[nodiscard]] static TrustedProxies parse(const QStringList &specs, QString *error);

    [[nodiscard]] bool isEmpty() const { return m_networks.isEmpty(); }
    [[nodiscard]] bool contains(const QHostAddress &address) const;
    // The networks as given, normalised ("127.0.0.1/32"), for the log.
    [[nodiscard]] QStringList describe() const;

    // Who a request from `peer` stands for, given its X-Forwarded-For fields in order (several
    // fields are one list). A peer that is not trusted stands for itself, whatever it sent.
    [[nodiscard]] Resolution resolve(const QHostAddress &peer,
                                     const QList<QByteArray> &forwardedFor) const;

private:
    QList<QPair<QHostAddress, int>> m_networks;
};

} // namespace chat::server
