// chat-server: reads the command line, starts the hub, and stops it cleanly on SIGINT/SIGTERM.
// With a command word first (user, invite, token, backup) it runs that admin command instead.
#include "admin/admincli.h"
#include "admin/controlserver.h"
#include "chat/chathub.h"
#include "eventloop/epolldispatcher.h"
#include "logging.h"
#include "protocol.h"
#include "securityoptions.h"
#include "signalwatcher.h"
#include "store/messagestore.h"
#include "store/postgresconnection.h"
#include "transport/listenaddresses.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>
#include <QTimer>

#include <csignal>
#include <cstdio>

namespace {

using chat::server::ChatHub;
using chat::server::HubConfig;

constexpr int kExitListenFailed = 1;
constexpr int kExitBadUsage = 2;
constexpr int kExitStoreFailed = 3;
constexpr int kMaxRetainDays = 36500;
constexpr int kMaxHistory = 1000000;
constexpr qsizetype kMaxNameChars = 64;
constexpr int kShutdownGraceMs = 1000; // how long close frames get to go out

void printError(const QString &message)
{
    std::fprintf(stderr, "%s: %s\n", qPrintable(QCoreApplication::applicationName()),
                 qPrintable(message));
}

// Fills `config` from the command line; returns an error message for a bad value.
QString parseOptions(const QCommandLineParser &parser, const QCommandLineOption &host,
                     const QCommandLineOption &port, const QCommandLineOption &history,
                     const QCommandLineOption &name, const QCommandLineOption &trustedProxy,
                     HubConfig *config)
{
    const QString hostText = parser.value(host).trimmed();
    if (hostText.compare(QLatin1String("any"), Qt::CaseInsensitive) == 0)
        config->host = QHostAddress::Any;
    else if (hostText.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0)
        config->host = QHostAddress::LocalHost;
    else if (!config->host.setAddress(hostText))
        return QStringLiteral("--host: \"%1\" is not an IP address (or \"any\", \"localhost\").")
            .arg(hostText);

    bool ok = false;
    const uint portNumber = parser.value(port).toUInt(&ok);
    if (!ok || portNumber > 65535)
        return QStringLiteral("--port: \"%1\" is not a port number from 0 to 65535.")
            .arg(parser.value(port));
    config->port = quint16(portNumber);

    const int historySize = parser.value(history).toInt(&ok);
    if (!ok || historySize < 0 || historySize > kMaxHistory)
        return QStringLiteral("--history: \"%1\" is not a number from 0 to %2.")
            .arg(parser.value(history))
            .arg(kMaxHistory);
    config->historySize = historySize;

    const QString serverName = parser.value(name).trimmed();
    if (serverName.isEmpty() || serverName.size() > kMaxNameChars)
        return QStringLiteral("--name: the name must have 1 to %1 characters.").arg(kMaxNameChars);
    config->name = serverName;

    QString proxyError;
    config->trustedProxies =
        chat::server::TrustedProxies::parse(parser.values(trustedProxy), &proxyError);
    if (!proxyError.isEmpty())
        return QStringLiteral("--trusted-proxy: %1.").arg(proxyError);
    const QString headerText = parser.value(QStringLiteral("trusted-proxy-header"));
    const auto header = chat::server::TrustedProxies::parseHeader(headerText);
    if (!header)
        return QStringLiteral("--trusted-proxy-header: \"%1\" is not x-forwarded-for or "
                              "forwarded.")
            .arg(headerText);
    config->trustedProxies.setHeader(*header);
    return {};
}

// ~/.local/share/chat-server/history.sqlite on Linux.
QString defaultDbPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) +
           QStringLiteral("/history.sqlite");
}

// Fills the storage fields of `config` and *dbPath; returns an error message for a bad value.
QString parseStorageOptions(const QCommandLineParser &parser, const QCommandLineOption &db,
                            const QCommandLineOption &retain, const QCommandLineOption &retainDays,
                            HubConfig *config, QString *dbPath)
{
    *dbPath = parser.isSet(db) ? parser.value(db) : defaultDbPath();
    if (dbPath->isEmpty())
        return QStringLiteral("--db: give a file name, or :memory: to keep nothing.");
    bool ok = false;
    config->retainMessages = parser.value(retain).toLongLong(&ok);
    if (!ok || config->retainMessages < 0)
        return QStringLiteral("--retain: \"%1\" is not a number of messages (0: keep all).")
            .arg(parser.value(retain));
    config->retainDays = parser.value(retainDays).toInt(&ok);
    if (!ok || config->retainDays < 0 || config->retainDays > kMaxRetainDays)
        return QStringLiteral("--retain-days: \"%1\" is not a number from 0 (keep all) to %2.")
            .arg(parser.value(retainDays))
            .arg(kMaxRetainDays);
    return {};
}

} // namespace

int main(int argc, char *argv[])
{
    // An event loop whose turn costs what is ready, not every socket it watches
    // (docs/performance.md). Failing that, Qt's own instead of GLib's, which costs more again.
    chat::server::EpollDispatcher::installForMainThread();
    if (!qEnvironmentVariableIsSet("QT_NO_GLIB"))
        qputenv("QT_NO_GLIB", "1");
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("chat-server"));
    QCoreApplication::setApplicationVersion(QStringLiteral(CHAT_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("A WebSocket chat server (docs/protocol.md). The same port serves the "
                       "browser client at /, and /healthz and /metrics (docs/operations.md); a "
                       "request head may have at most %1 KiB and %2 header fields.")
            .arg(HubConfig().maxHttpHeadBytes / 1024)
            .arg(HubConfig().maxHttpHeaders) +
        QStringLiteral("\n\n") + chat::server::admin::adminHelp());
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption host(QStringLiteral("host"),
                                  QStringLiteral("The IP address to listen on, or \"any\" or "
                                                 "\"localhost\" (default: any)."),
                                  QStringLiteral("ADDR"), QStringLiteral("any"));
    const QCommandLineOption port(
        QStringLiteral("port"), QStringLiteral("The TCP port; 0 picks a free one (default: 8080)."),
        QStringLiteral("N"), QStringLiteral("8080"));
    const QCommandLineOption history(
        QStringLiteral("history"),
        QStringLiteral("With --db :memory:, the newest messages kept, for history pages and "
                       "resuming (default: 200). A database keeps every message."),
        QStringLiteral("N"), QStringLiteral("200"));
    const QCommandLineOption name(QStringLiteral("name"),
                                  QStringLiteral("The server name sent in every welcome "
                                                 "(default: chat)."),
                                  QStringLiteral("NAME"), QStringLiteral("chat"));
    const QCommandLineOption trustedProxy(
        QStringLiteral("trusted-proxy"),
        QStringLiteral("A reverse proxy (nginx) whose X-Forwarded-For header names the client: "
                       "an address or ADDRESS/PREFIX (127.0.0.1, 10.0.0.0/8, ::1); repeat it or "
                       "separate several with commas. The client is the right-most address of "
                       "the header that is not a trusted proxy, and every per-address limit and "
                       "log line counts it; the header from anyone else is ignored (default: "
                       "none)."),
        QStringLiteral("ADDR"));
    const QCommandLineOption trustedProxyHeader(
        QStringLiteral("trusted-proxy-header"),
        QStringLiteral("The header the trusted proxies write: x-forwarded-for, or forwarded "
                       "(RFC 7239). Only that one is read; the other may be the client's own "
                       "(default: x-forwarded-for)."),
        QStringLiteral("HEADER"), QStringLiteral("x-forwarded-for"));
    parser.addOptions({host, port, history, name, trustedProxy, trustedProxyHeader});
    const QCommandLineOption db(
        QStringLiteral("db"),
        QStringLiteral("The SQLite file that keeps the history and the accounts across "
                       "restarts, or :memory: to keep nothing (default: %1).")
            .arg(defaultDbPath()),
        QStringLiteral("PATH"));
    const QCommandLineOption retain(
        QStringLiteral("retain"),
        QStringLiteral("Keep only the newest N messages in the database (default: 0, all)."),
        QStringLiteral("N"), QStringLiteral("0"));
    const QCommandLineOption retainDays(
        QStringLiteral("retain-days"),
        QStringLiteral("Delete messages older than D days (default: 0, never)."),
        QStringLiteral("D"), QStringLiteral("0"));
    parser.addOptions({db, retain, retainDays});
    const QCommandLineOption controlSocket(
        QStringLiteral("control-socket"),
        QStringLiteral("The local socket for the admin commands (default: the --db file's path "
                       "plus .control; none for :memory: or a postgresql:// URL, whose admin "
                       "commands act on the database directly)."),
        QStringLiteral("PATH"));
    parser.addOption(controlSocket);
    const QCommandLineOption noLobby(
        QStringLiteral("no-lobby-for-new-accounts"),
        QStringLiteral("New accounts start in no room (default: they join \"lobby\" at their "
                       "first login)."));
    parser.addOption(noLobby);
    // Everything after an admin command's word is that command's (admin/admincli.h).
    parser.setOptionsAfterPositionalArgumentsMode(QCommandLineParser::ParseAsPositionalArguments);
    const chat::server::SecurityOptions security; // --token-file, --cert, limits, ...
    security.addTo(&parser);

    if (!parser.parse(QCoreApplication::arguments())) {
        printError(parser.errorText() + QStringLiteral(" (see --help)"));
        return kExitBadUsage;
    }
    if (parser.isSet(QStringLiteral("help")))
        parser.showHelp(0);
    if (parser.isSet(QStringLiteral("version")))
        parser.showVersion();
    if (chat::server::admin::isAdminInvocation(parser.positionalArguments()))
        return chat::server::admin::runAdminCommand(
            parser.positionalArguments(), {parser.isSet(db) ? parser.value(db) : defaultDbPath(),
                                           parser.value(controlSocket), parser.isSet(db)});
    if (!parser.positionalArguments().isEmpty()) {
        printError(QStringLiteral("unexpected argument \"%1\" (see --help)")
                       .arg(parser.positionalArguments().constFirst()));
        return kExitBadUsage;
    }

    HubConfig config;
    if (const QString problem =
            parseOptions(parser, host, port, history, name, trustedProxy, &config);
        !problem.isEmpty()) {
        printError(problem);
        return kExitBadUsage;
    }
    if (const QString problem = security.apply(parser, &config); !problem.isEmpty()) {
        printError(problem);
        return kExitBadUsage;
    }
    for (const QString &warning : security.warnings())
        printError(QStringLiteral("warning: ") + warning);
    config.lobbyForNewAccounts = !parser.isSet(noLobby);

    QString dbPath;
    if (const QString problem =
            parseStorageOptions(parser, db, retain, retainDays, &config, &dbPath);
        !problem.isEmpty()) {
        printError(problem);
        return kExitBadUsage;
    }
    if (!parser.isSet(db))
        QDir().mkpath(QFileInfo(dbPath).path());
    QString storeError;
    chat::server::Stores stores = chat::server::openStores(dbPath, config, &storeError);
    if (!stores.messages || !stores.accounts || !stores.rooms) {
        printError(
            QStringLiteral("cannot use the history database %1: %2").arg(dbPath, storeError));
        return kExitStoreFailed;
    }

    // Installed before listening, so a signal never finds the default handler once we run.
    chat::server::SignalWatcher signalWatcher({SIGINT, SIGTERM});
    if (!signalWatcher.isValid())
        printError(QStringLiteral("cannot watch for signals; SIGTERM will not close cleanly"));

    chat::server::MessageStore *historyStore = stores.messages.get(); // the hub keeps it
    ChatHub hub(config, std::move(stores));
    // On PostgreSQL any number of nodes share the history: they hear each other's commits.
    if (QString clusterError;
        chat::server::postgres::isUrl(dbPath) && !hub.joinCluster(dbPath, &clusterError)) {
        printError(QStringLiteral("cannot join the cluster on %1: %2").arg(dbPath, clusterError));
        return kExitStoreFailed;
    }
    if (!hub.listen()) {
        QUrl wanted = hub.url();
        wanted.setPort(config.port);
        printError(
            QStringLiteral("cannot listen on %1: %2").arg(wanted.toString(), hub.errorString()));
        return kExitListenFailed;
    }
    // Admin commands reach the running hub here (admin/controlserver.h); ready before the
    // listening line, so whoever reads that line can use it.
    chat::server::admin::ControlServer control(hub.accounts());
    control.setStore(historyStore); // for chat-server backup
    if (const QString path =
            chat::server::admin::controlSocketPath(dbPath, parser.value(controlSocket));
        !path.isEmpty() && !control.listen(path)) {
        printError(QStringLiteral("%1the admin commands cannot reach this server: %2")
                       .arg(parser.isSet(controlSocket) ? QString() : QStringLiteral("warning: "),
                            control.errorString()));
        if (parser.isSet(controlSocket))
            return kExitListenFailed;
    } else {
        qCInfo(chat::server::lcServer).noquote()
            << chat::server::admin::describeControlSocket(dbPath, path);
    }
    if (!config.trustedProxies.isEmpty())
        qCInfo(chat::server::lcServer).noquote()
            << chat::server::TrustedProxies::headerName(config.trustedProxies.header())
            << "is believed from" << config.trustedProxies.describe().join(QStringLiteral(", "));
    // The first line on stdout is for scripts and tests, which read the actual port from it; the
    // lines after it are for people: what to open in a browser and in chat-client, with this
    // machine's own addresses when listening on all of them. One write, so they come together.
    const QUrl listening = hub.url();
    QByteArray addressLines = "listening on " + listening.toString().toUtf8() + '\n';
    for (const QString &line : chat::server::describeListenAddresses(
             config.host, quint16(listening.port()), listening.scheme() == QLatin1String("wss")))
        addressLines += line.toUtf8() + '\n';
    std::fputs(addressLines.constData(), stdout);
    std::fflush(stdout);

    bool stopping = false;
    QObject::connect(&signalWatcher, &chat::server::SignalWatcher::signalReceived, &app, [&] {
        if (stopping)
            return;
        stopping = true;
        // Quit once every connection has taken its close frame, or after the grace period.
        QObject::connect(&hub, &ChatHub::connectionCountChanged, &app, [](int count) {
            if (count == 0)
                QCoreApplication::quit();
        });
        QTimer::singleShot(kShutdownGraceMs, &app, &QCoreApplication::quit);
        hub.shutdown();
        if (hub.connectionCount() == 0)
            QCoreApplication::quit();
    });
    return QCoreApplication::exec();
}
