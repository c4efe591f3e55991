// Everything an operator can tune about the hub; main.cpp fills it from the command line.
#pragma once

#include "accounts/accounts.h"
#include "transport/tlsconfig.h"
#include "transport/trustedproxies.h"

#include <QHostAddress>
#include <QString>
#include <QStringList>

namespace chat::server {

struct HubConfig
{
    QHostAddress host = QHostAddress::Any;
    quint16 port = 8080; // 0 picks a free port
    QString name = QStringLiteral("chat");
    AccountPolicy accounts;        // registration, token expiry, password hashing, login throttles
    int historySize = 200;         // --db :memory:: the newest messages kept
    int listenBacklog = 4096;      // the default of 50 drops connection attempts under a burst
    int handshakeTimeoutMs = 5000; // TCP connection to finished TLS handshake and upgrade
    int helloTimeoutMs = 5000;     // finished upgrade to hello
    qint64 maxMessageBytes = 64 * 1024; // per incoming WebSocket message and frame
    // Hardening (docs/security.md). A WebSocket ping to everyone every interval; a client that
    // stays silent for 1.5 intervals when the timer fires is closed. 0 turns pings off.
    int pingIntervalMs = 15000;
    double ratePerSecond = 10;           // messages per connection, on average; 0 = no limit
    int rateBurst = 20;                  // ... and at once; 3x this many refusals in a row close it
    int maxConnections = 10000;          // in total; over it: HTTP 503 before the upgrade
    int maxConnectionsPerAddress = 64;   // per IPv4 address or IPv6 /64; over it: close 1008
    qint64 maxOutboxBytes = 1024 * 1024; // unsent bytes per client before it is cut off
    // Bytes a second a connection, and all connections from one address together, may send
    // (frames, headers and pings; each data frame costs 256 more), with bursts of 8 s worth. A
    // message over it is refused with rate_limited; a connection a whole burst over is closed.
    // 0 = no limit. Far above typing: 32 KiB/s is 8 messages of 4,000 CJK characters a second.
    qint64 maxBytesPerSecond = 32 * 1024;
    qint64 maxAddressBytesPerSecond = 128 * 1024;
    // Frames one message may arrive in; an empty frame that does not end a message closes too.
    int maxFragments = 1024;
    // The history in a welcome, or a resume's answer, in (UTF-8 text) bytes: the newest
    // messages that fit. A resume whose gap does not fit gets the recent history instead.
    qint64 maxWelcomeHistoryBytes = 256 * 1024;
    QStringList allowedOrigins; // normalised (originpolicy.h); empty: any origin
    // Reverse proxies whose X-Forwarded-For names the client (--trusted-proxy); empty: none.
    TrustedProxies trustedProxies;
    TlsCredentials tls; // when enabled the port speaks wss:// only
    // Remembered message ids, so a resent id is acknowledged instead of broadcast again: the
    // newest ones per account, for the accounts that sent most recently.
    int dedupIdsPerNick = 256;
    int dedupNicks = 1024;
    // Durable history (--db): what to keep (0 = no limit), and how often to prune.
    qint64 retainMessages = 0;
    int retainDays = 0;
    int pruneIntervalMs = 10 * 60 * 1000;
    // A resume reads at most this many messages from the store beyond the in-memory history.
    int resumeLimit = 1000;
    // Group commit: one transaction per this many messages, or after this delay at most. 0: at
    // the end of the event loop's turn, with everything read in it; waiting longer (1 ms) only
    // left the server idle while senders waited for their acknowledgements (docs/performance.md).
    int commitBatch = 256;
    int commitDelayMs = 0;
    // Joins and leaves are told together, at most one presence frame per this interval.
    int presenceIntervalMs = 100;
    // Rooms (issue 11): a new account joins "lobby" at its first login; limits per account.
    bool lobbyForNewAccounts = true;
    int maxRoomsPerAccount = 1000; // rooms an account is a member of, direct ones included
    int maxRoomsOwned = 100;       // rooms an account owns
    // A typing notice per person and room at most this often; the rest are dropped.
    int typingIntervalMs = 3000;
    // Plain HTTP on the chat port (the browser page, /healthz, /metrics): limits on a request
    // head, which must arrive within handshakeTimeoutMs.
    qsizetype maxHttpHeadBytes = 8 * 1024;
    int maxHttpHeaders = 64;
};

} // namespace chat::server
