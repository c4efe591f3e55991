#include "securityoptions.h"

#include "transport/originpolicy.h"
#include "protocol.h"
#include "secrets.h"

#include <QCommandLineParser>
#include <QFileInfo>

#include <cmath>
#include <limits>

namespace chat::server {

namespace {

QString seconds(int ms)
{
    return QString::number(ms / 1000.0);
}

// A number of seconds from the command line, as milliseconds; -1 when out of [min, max].
int parseSeconds(const QString &text, double min, double max)
{
    bool ok = false;
    const double value = text.toDouble(&ok);
    if (!ok || !std::isfinite(value) || value < min || value > max)
        return -1;
    return int(std::lround(value * 1000));
}

// An integer from the command line; -1 when out of [min, max].
qint64 parseCount(const QString &text, qint64 min, qint64 max)
{
    bool ok = false;
    const qint64 value = text.toLongLong(&ok);
    return ok && value >= min && value <= max ? value : -1;
}

QCommandLineOption option(const char *name, const QString &description, const char *valueName,
                          const QString &defaultValue = {})
{
    return QCommandLineOption(QLatin1String(name), description, QLatin1String(valueName),
                              defaultValue);
}

} // namespace

SecurityOptions::SecurityOptions()
    : SecurityOptions(HubConfig())
{}

SecurityOptions::SecurityOptions(const HubConfig &defaults)
    : m_tokenFile(option("token-file",
                         QStringLiteral("Removed in version 2: accounts replace the shared "
                                        "secret; see --registration."),
                         "FILE"))
    , m_registration(
          option("registration",
                 QStringLiteral("Who may create an account: open (anyone, %1 sign-ups "
                                "per address per %2 minutes), invite (with a code from "
                                "`chat-server invite create`) or closed (only `chat-server "
                                "user add`) (default: open).")
                     .arg(defaults.accounts.registrationsPerAddress)
                     .arg(defaults.accounts.registrationWindowMs / 60000),
                 "MODE", QStringLiteral("open")))
    , m_maxRegistrations(option("max-registrations-per-address",
                                QStringLiteral("With open registration: sign-ups per address "
                                               "(IPv4, or IPv6 /64) per %1 minutes (default: %2; "
                                               "0: no limit).")
                                    .arg(defaults.accounts.registrationWindowMs / 60000)
                                    .arg(defaults.accounts.registrationsPerAddress),
                                "N", QString::number(defaults.accounts.registrationsPerAddress)))
    , m_tokenExpiryDays(option("token-expiry-days",
                               QStringLiteral("A device's login ends after this many days unused "
                                              "(default: %1; 0: never).")
                                   .arg(defaults.accounts.tokenExpiryDays),
                               "D", QString::number(defaults.accounts.tokenExpiryDays)))
    , m_hashWorkers(option("hash-workers",
                           QStringLiteral("Threads that hash passwords (Argon2id, 64 MiB each) "
                                          "(default: 0, one per core, at most 4)."),
                           "N", QStringLiteral("0")))
    , m_cert(option("cert",
                    QStringLiteral("PEM certificate (chain) to serve wss:// (TLS) on the port; "
                                   "needs --key (default: none, plain ws://)."),
                    "FILE"))
    , m_key(option("key", QStringLiteral("PEM private key (RSA or EC, unencrypted) for --cert."),
                   "FILE"))
    , m_allowOrigin(option("allow-origin",
                           QStringLiteral("Let web pages from this origin connect, e.g. "
                                          "https://chat.example.org; repeat for more. Once given, "
                                          "browsers from other origins are refused; clients "
                                          "that send no Origin are not (default: any origin)."),
                           "ORIGIN"))
    , m_pingInterval(
          option("ping-interval",
                 QStringLiteral("Seconds between WebSocket pings to every client; a client "
                                "silent for about two intervals is closed; 0 turns this off "
                                "(default: %1).")
                     .arg(seconds(defaults.pingIntervalMs)),
                 "S", seconds(defaults.pingIntervalMs)))
    , m_handshakeTimeout(
          option("handshake-timeout",
                 QStringLiteral("Seconds a new connection has for its TLS handshake and "
                                "WebSocket upgrade (default: %1).")
                     .arg(seconds(defaults.handshakeTimeoutMs)),
                 "S", seconds(defaults.handshakeTimeoutMs)))
    , m_helloTimeout(option("hello-timeout",
                            QStringLiteral("Seconds from the upgrade to the hello (default: %1).")
                                .arg(seconds(defaults.helloTimeoutMs)),
                            "S", seconds(defaults.helloTimeoutMs)))
    , m_maxMessageBytes(
          option("max-message-bytes",
                 QStringLiteral("Largest incoming WebSocket message or frame; larger ones close "
                                "the connection with 1009 (default: %1).")
                     .arg(defaults.maxMessageBytes),
                 "N", QString::number(defaults.maxMessageBytes)))
    , m_rate(option("rate",
                    QStringLiteral("Messages per second per connection, on average; more get a "
                                   "rate_limited error; 0 turns the limit off (default: %1).")
                        .arg(defaults.ratePerSecond),
                    "N", QString::number(defaults.ratePerSecond)))
    , m_burst(option("burst",
                     QStringLiteral("Messages a connection may send at once before --rate "
                                    "applies; after 3x this many refusals in a row it is closed "
                                    "(default: %1).")
                         .arg(defaults.rateBurst),
                     "N", QString::number(defaults.rateBurst)))
    , m_maxConnections(option("max-connections",
                              QStringLiteral("Connections in total; more are refused with HTTP "
                                             "503 before the upgrade; 0 = no limit (default: %1).")
                                  .arg(defaults.maxConnections),
                              "N", QString::number(defaults.maxConnections)))
    , m_maxPerIp(option("max-per-ip",
                        QStringLiteral("Connections per IPv4 address or IPv6 /64, handshakes "
                                       "included; more are closed at accept; 0 = no limit "
                                       "(default: %1).")
                            .arg(defaults.maxConnectionsPerAddress),
                        "N", QString::number(defaults.maxConnectionsPerAddress)))
    , m_maxOutboxBytes(
          option("max-outbox-bytes",
                 QStringLiteral("Unsent bytes a client may have waiting before it is cut off as "
                                "too slow (default: %1).")
                     .arg(defaults.maxOutboxBytes),
                 "N", QString::number(defaults.maxOutboxBytes)))
    , m_maxBytesRate(
          option("max-bytes-rate",
                 QStringLiteral("Bytes a second one connection may send, bursts of 8 s worth; "
                                "over it messages are refused, a burst over it closes; 0 = no "
                                "limit (default: %1).")
                     .arg(defaults.maxBytesPerSecond),
                 "N", QString::number(defaults.maxBytesPerSecond)))
    , m_maxWelcomeBytes(
          option("max-welcome-bytes",
                 QStringLiteral("Text a welcome's history (or a resume) may carry; the newest "
                                "messages that fit, and never more than half of "
                                "--max-outbox-bytes; 0 = only that (default: %1).")
                     .arg(defaults.maxWelcomeHistoryBytes),
                 "N", QString::number(defaults.maxWelcomeHistoryBytes)))
    , m_maxAddressBytesRate(
          option("max-address-bytes-rate",
                 QStringLiteral("The same for all connections from one address together "
                                "(default: %1).")
                     .arg(defaults.maxAddressBytesPerSecond),
                 "N", QString::number(defaults.maxAddressBytesPerSecond)))
{
    m_tokenFile.setFlags(QCommandLineOption::HiddenFromHelp);
}

void SecurityOptions::addTo(QCommandLineParser *parser) const
{
    parser->addOptions({m_tokenFile,
                        m_registration,
                        m_maxRegistrations,
                        m_tokenExpiryDays,
                        m_hashWorkers,
                        m_cert,
                        m_key,
                        m_allowOrigin,
                        m_pingInterval,
                        m_handshakeTimeout,
                        m_helloTimeout,
                        m_maxMessageBytes,
                        m_rate,
                        m_burst,
                        m_maxConnections,
                        m_maxPerIp,
                        m_maxOutboxBytes,
                        m_maxWelcomeBytes,
                        m_maxBytesRate,
                        m_maxAddressBytesRate});
}

QString SecurityOptions::apply(const QCommandLineParser &parser, HubConfig *config) const
{
    m_warnings.clear();
    const auto value = [&parser](const QCommandLineOption &o) {
        return parser.value(o);
    };

    config->pingIntervalMs = parseSeconds(value(m_pingInterval), 0, 3600);
    if (config->pingIntervalMs < 0 || (config->pingIntervalMs > 0 && config->pingIntervalMs < 100))
        return QStringLiteral("--ping-interval: \"%1\" is not 0 or a number of seconds from 0.1 "
                              "to 3600.")
            .arg(value(m_pingInterval));
    config->handshakeTimeoutMs = parseSeconds(value(m_handshakeTimeout), 0.1, 600);
    if (config->handshakeTimeoutMs < 0)
        return QStringLiteral("--handshake-timeout: \"%1\" is not a number of seconds from 0.1 "
                              "to 600.")
            .arg(value(m_handshakeTimeout));
    config->helloTimeoutMs = parseSeconds(value(m_helloTimeout), 0.1, 600);
    if (config->helloTimeoutMs < 0)
        return QStringLiteral("--hello-timeout: \"%1\" is not a number of seconds from 0.1 to "
                              "600.")
            .arg(value(m_helloTimeout));

    // Below this even a hello with a long token would not fit. (A text of 4,000 characters
    // needs up to about 17 KB; an operator may choose to allow less.)
    constexpr qint64 kMinMessageBytes = 4096;
    constexpr qint64 kMaxMessageBytes = 64 * 1024 * 1024;
    config->maxMessageBytes =
        parseCount(value(m_maxMessageBytes), kMinMessageBytes, kMaxMessageBytes);
    if (config->maxMessageBytes < 0)
        return QStringLiteral("--max-message-bytes: \"%1\" is not a number from %2 to %3.")
            .arg(value(m_maxMessageBytes))
            .arg(kMinMessageBytes)
            .arg(kMaxMessageBytes);

    bool ok = false;
    config->ratePerSecond = value(m_rate).toDouble(&ok);
    if (!ok || !std::isfinite(config->ratePerSecond) || config->ratePerSecond < 0 ||
        config->ratePerSecond > 1e6)
        return QStringLiteral("--rate: \"%1\" is not a number of messages per second (0: no "
                              "limit).")
            .arg(value(m_rate));
    config->rateBurst = int(parseCount(value(m_burst), 1, 1000000));
    if (config->rateBurst < 0)
        return QStringLiteral("--burst: \"%1\" is not a number from 1 to 1000000.")
            .arg(value(m_burst));
    config->maxConnections = int(parseCount(value(m_maxConnections), 0, 10000000));
    if (config->maxConnections < 0)
        return QStringLiteral("--max-connections: \"%1\" is not a number (0: no limit).")
            .arg(value(m_maxConnections));
    config->maxConnectionsPerAddress = int(parseCount(value(m_maxPerIp), 0, 10000000));
    if (config->maxConnectionsPerAddress < 0)
        return QStringLiteral("--max-per-ip: \"%1\" is not a number (0: no limit).")
            .arg(value(m_maxPerIp));
    constexpr qint64 kMinOutboxBytes = 64 * 1024;
    config->maxOutboxBytes =
        parseCount(value(m_maxOutboxBytes), kMinOutboxBytes, qint64(4) * 1024 * 1024 * 1024);
    if (config->maxOutboxBytes < 0)
        return QStringLiteral("--max-outbox-bytes: \"%1\" is not a number of bytes from %2 up.")
            .arg(value(m_maxOutboxBytes))
            .arg(kMinOutboxBytes);
    config->maxWelcomeHistoryBytes =
        parseCount(value(m_maxWelcomeBytes), 0, qint64(4) * 1024 * 1024 * 1024);
    if (config->maxWelcomeHistoryBytes < 0)
        return QStringLiteral("--max-welcome-bytes: \"%1\" is not a number of bytes (0: half "
                              "of --max-outbox-bytes).")
            .arg(value(m_maxWelcomeBytes));
    // A person's messages must fit in a burst: at least one message of the largest size a second.
    const qint64 minBytesRate = config->maxMessageBytes / 8 + 1;
    const qint64 maxBytesRate = qint64(1) << 40;
    config->maxBytesPerSecond = parseCount(value(m_maxBytesRate), 0, maxBytesRate);
    if (config->maxBytesPerSecond < 0 ||
        (config->maxBytesPerSecond > 0 && config->maxBytesPerSecond < minBytesRate))
        return QStringLiteral("--max-bytes-rate: \"%1\" is not 0 or a number of bytes from %2 up.")
            .arg(value(m_maxBytesRate))
            .arg(minBytesRate);
    config->maxAddressBytesPerSecond = parseCount(value(m_maxAddressBytesRate), 0, maxBytesRate);
    if (config->maxAddressBytesPerSecond < 0 ||
        (config->maxAddressBytesPerSecond > 0 && config->maxAddressBytesPerSecond < minBytesRate))
        return QStringLiteral(
                   "--max-address-bytes-rate: \"%1\" is not 0 or a number of bytes from %2 up.")
            .arg(value(m_maxAddressBytesRate))
            .arg(minBytesRate);

    config->allowedOrigins.clear();
    for (const QString &text : parser.values(m_allowOrigin)) {
        const QString origin = normalizeOrigin(text);
        if (origin.isEmpty())
            return QStringLiteral("--allow-origin: \"%1\" is not an origin like "
                                  "https://chat.example.org or http://localhost:8080.")
                .arg(text);
        config->allowedOrigins.append(origin);
    }

    if (parser.isSet(m_tokenFile))
        return QStringLiteral("--token-file was removed in version 2: accounts replace the shared "
                              "token; use --registration invite (docs/security.md).");
    const QString mode = value(m_registration).trimmed().toLower();
    if (mode == QLatin1String("open"))
        config->accounts.registration = RegistrationMode::Open;
    else if (mode == QLatin1String("invite"))
        config->accounts.registration = RegistrationMode::Invite;
    else if (mode == QLatin1String("closed"))
        config->accounts.registration = RegistrationMode::Closed;
    else
        return QStringLiteral("--registration: \"%1\" is not open, invite or closed.")
            .arg(value(m_registration));
    const qint64 registrations = parseCount(value(m_maxRegistrations), 0, 1000000);
    if (registrations < 0)
        return QStringLiteral("--max-registrations-per-address: \"%1\" is not a number from 0 "
                              "(no limit) to 1000000.")
            .arg(value(m_maxRegistrations));
    config->accounts.registrationsPerAddress =
        registrations == 0 ? std::numeric_limits<int>::max() : int(registrations);
    config->accounts.tokenExpiryDays = int(parseCount(value(m_tokenExpiryDays), 0, 36500));
    if (config->accounts.tokenExpiryDays < 0)
        return QStringLiteral("--token-expiry-days: \"%1\" is not a number from 0 (never) to "
                              "36500.")
            .arg(value(m_tokenExpiryDays));
    config->accounts.hashWorkers = int(parseCount(value(m_hashWorkers), 0, 64));
    if (config->accounts.hashWorkers < 0)
        return QStringLiteral("--hash-workers: \"%1\" is not a number from 0 (one per core) to "
                              "64.")
            .arg(value(m_hashWorkers));

    if (parser.isSet(m_cert) != parser.isSet(m_key))
        return QStringLiteral("--cert and --key go together: give both or neither.");
    if (parser.isSet(m_cert)) {
        if (const QString problem = loadTlsCredentials(value(m_cert), value(m_key), &config->tls);
            !problem.isEmpty())
            return QStringLiteral("--cert/--key: %1.").arg(problem);
    }
    return {};
}

} // namespace chat::server
