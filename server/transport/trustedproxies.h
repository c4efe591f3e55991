// The reverse proxies (--trusted-proxy) whose forwarding header is believed. Behind nginx every
// connection comes from nginx's address, so the per-address limits would hit everyone at once;
// only a connection from a listed proxy may name the client it forwards, and the client is the
// right-most address of the header that is not itself a trusted proxy (as nginx's realip module
// does with real_ip_recursive): whatever the client wrote further left is its own claim, and is
// not even parsed.
//
// The header is the one the proxies are configured to write (--trusted-proxy-header):
// X-Forwarded-For (the default, what the committed nginx file sends) or RFC 7239 Forwarded.
// Only that one is read, never the other as a fallback: a proxy passes the header it does not
// write on from the client untouched, so believing it would let any client pick its address.
#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>

#include <optional>

namespace chat::server {

class TrustedProxies
{
public:
    enum class Header { XForwardedFor, Forwarded };

    // A request's forwarding fields, each header's fields in order (several fields are one list).
    struct Headers
    {
        QList<QByteArray> xForwardedFor;
        QList<QByteArray> forwarded;
    };

    // The client address a request stands for, and why.
    struct Resolution
    {
        enum class Kind {
            Untrusted, // the peer is not a trusted proxy: it stands for itself
            NoHeader,  // a trusted proxy sent no header to read: the proxy itself
            Named,     // the header names the client
            Hidden,    // the client is "unknown" or obfuscated ("_hidden"): the proxy itself
            Malformed, // the header breaks its grammar where it counts: the proxy itself
        };
        QHostAddress address; // the client, or the peer itself
        Kind kind = Kind::Untrusted;
        // For the log: what is wrong (Malformed), which identifier hid the client (Hidden), or
        // that only the other header came (NoHeader); empty otherwise.
        QString detail;
        [[nodiscard]] bool forwarded() const { return kind == Kind::Named; }
        [[nodiscard]] bool malformed() const { return kind == Kind::Malformed; }
    };

    // From "ADDRESS[/PREFIX]" entries, each possibly a comma-separated list: 127.0.0.1,
    // 10.0.0.0/8, ::1, fd00::/8. Empty when there is none; *error says what is wrong otherwise.
    [[nodiscard]] static TrustedProxies parse(const QStringList &specs, QString *error);
    // "x-forwarded-for" or "forwarded", any case (--trusted-proxy-header).
    [[nodiscard]] static std::optional<Header> parseHeader(const QString &name);
    [[nodiscard]] static QString headerName(Header header);

    [[nodiscard]] bool isEmpty() const { return m_networks.isEmpty(); }
    [[nodiscard]] bool contains(const QHostAddress &address) const;
    // The networks as given, normalised ("127.0.0.1/32"), for the log.
    [[nodiscard]] QStringList describe() const;

    // Which header the proxies write; X-Forwarded-For unless set.
    void setHeader(Header header) { m_header = header; }
    [[nodiscard]] Header header() const { return m_header; }

    // Who a request from `peer` stands for, given its forwarding fields. A peer that is not
    // trusted stands for itself, whatever it sent.
    [[nodiscard]] Resolution resolve(const QHostAddress &peer, const Headers &headers) const;

private:
    QList<QPair<QHostAddress, int>> m_networks;
    Header m_header = Header::XForwardedFor;
};

} // namespace chat::server
