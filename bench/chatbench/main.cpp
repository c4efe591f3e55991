// chat-bench: a load generator for the chat server and for the relays it is compared with
// (bench/peers/). Connects clients to 127.0.0.1 only, measures, and prints one JSON line.
// scripts/bench.sh runs the scenarios of docs/performance.md with it.
#include "loadgen.h"
#include "loginbench.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstdio>
#include <utility>

namespace {

using chat::bench::BenchConfig;
using chat::bench::BenchResult;
using chat::bench::LoginResult;

struct Options
{
    QCommandLineOption port{QStringLiteral("port"),
                            QStringLiteral("Server port on 127.0.0.1 (default: 8080)."),
                            QStringLiteral("N"), QStringLiteral("8080")};
    QCommandLineOption ports{QStringLiteral("ports"),
                             QStringLiteral("Several ports on 127.0.0.1, comma-separated: client "
                                            "i connects to the (i mod count)-th (default: "
                                            "--port alone)."),
                             QStringLiteral("P1,P2,...")};
    QCommandLineOption byNode{QStringLiteral("by-node"),
                              QStringLiteral("Latency per sender node -> receiver node, a node "
                                             "being the server name in a client's welcome "
                                             "(each node's --name); through a load balancer "
                                             "too (default: off).")};
    QCommandLineOption cpu{QStringLiteral("cpu"),
                           QStringLiteral("Report the CPU seconds these processes spent together "
                                          "while publishers sent (repeatable; default: none)."),
                           QStringLiteral("NAME:PID,PID,...")};
    QCommandLineOption raw{QStringLiteral("raw"),
                           QStringLiteral("The peer only relays text: no hello, no JSON "
                                          "(default: off, the chat protocol).")};
    QCommandLineOption decode{QStringLiteral("decode"),
                              QStringLiteral("Decode every frame with chatcommon instead of a "
                                             "scan (default: off).")};
    QCommandLineOption clients{QStringLiteral("clients"),
                               QStringLiteral("Connections, every one a receiver (default: 100)."),
                               QStringLiteral("N"), QStringLiteral("100")};
    QCommandLineOption publishers{QStringLiteral("publishers"),
                                  QStringLiteral("Clients that also send (default: 4)."),
                                  QStringLiteral("N"), QStringLiteral("4")};
    QCommandLineOption rate{QStringLiteral("rate"),
                            QStringLiteral("Messages per second from all publishers together; "
                                           "0: as fast as --window allows (default: 0)."),
                            QStringLiteral("R"), QStringLiteral("0")};
    QCommandLineOption window{QStringLiteral("window"),
                              QStringLiteral("Unacknowledged messages per publisher with --rate 0 "
                                             "(default: 32)."),
                              QStringLiteral("N"), QStringLiteral("32")};
    QCommandLineOption duration{QStringLiteral("duration"),
                                QStringLiteral("Seconds of sending (default: 5)."),
                                QStringLiteral("S"), QStringLiteral("5")};
    QCommandLineOption messages{QStringLiteral("messages"),
                                QStringLiteral("Stop sending after this many messages; 0: no "
                                               "limit but --duration (default: 0)."),
                                QStringLiteral("N"), QStringLiteral("0")};
    QCommandLineOption size{QStringLiteral("size"),
                            QStringLiteral("Characters per message text (default: 100)."),
                            QStringLiteral("N"), QStringLiteral("100")};
    QCommandLineOption inflight{QStringLiteral("connect-inflight"),
                                QStringLiteral("Connection attempts under way at once "
                                               "(default: 200)."),
                                QStringLiteral("N"), QStringLiteral("200")};
    QCommandLineOption setupTimeout{QStringLiteral("setup-timeout"),
                                    QStringLiteral("Seconds for all connections to join "
                                                   "(default: 120)."),
                                    QStringLiteral("S"), QStringLiteral("120")};
    QCommandLineOption drain{QStringLiteral("drain"),
                             QStringLiteral("Seconds to wait for messages in flight after "
                                            "sending stops (default: 5)."),
                             QStringLiteral("S"), QStringLiteral("5")};
    QCommandLineOption settle{QStringLiteral("settle"),
                              QStringLiteral("Idle seconds after set-up before the server's "
                                             "memory is read (default: 1)."),
                              QStringLiteral("S"), QStringLiteral("1")};
    QCommandLineOption serverPid{QStringLiteral("server-pid"),
                                 QStringLiteral("The server's process id, for its memory and CPU "
                                                "(default: none, not measured)."),
                                 QStringLiteral("PID"), QStringLiteral("0")};
    QCommandLineOption resume{QStringLiteral("resume"),
                              QStringLiteral("A client leaves, misses this many messages and "
                                             "resumes (default: 0, off)."),
                              QStringLiteral("N"), QStringLiteral("0")};
    QCommandLineOption tokens{QStringLiteral("tokens"),
                              QStringLiteral("Account tokens, a line \"NAME TOKEN\" each, as "
                                             "`chat-server token create NAME --count N` prints "
                                             "them: connection i logs in with line i (needed "
                                             "unless --raw)."),
                              QStringLiteral("FILE")};
    QCommandLineOption logins{QStringLiteral("logins"),
                              QStringLiteral("Measure logins instead of messages: N connections, "
                                             "--connect-inflight at once, each a hello with the "
                                             "next token (or --login), then a close; without "
                                             "either, no hello (default: 0, off)."),
                              QStringLiteral("N"), QStringLiteral("0")};
    QCommandLineOption login{QStringLiteral("login"),
                             QStringLiteral("With --logins: log in to this account with "
                                            "--password."),
                             QStringLiteral("NAME")};
    QCommandLineOption password{QStringLiteral("password"),
                                QStringLiteral("The password for --login (a bench account's)."),
                                QStringLiteral("TEXT")};
    QCommandLineOption rooms{QStringLiteral("rooms"),
                             QStringLiteral("Spread the clients over N rooms: client i joins (or "
                                            "creates) room rI%N after its welcome; publisher i "
                                            "sends into its room (default: 0, all in the "
                                            "lobby)."),
                             QStringLiteral("N"), QStringLiteral("0")};
    QCommandLineOption joinStorm{QStringLiteral("join-storm"),
                                 QStringLiteral("Every connection at once (--connect-inflight "
                                                "= --clients, one attempt may take the whole "
                                                "--setup-timeout), then one message from one "
                                                "publisher: setup_s is until every welcome came, "
                                                "message_to_all_ms until it reached everyone.")};
    QCommandLineOption label{QStringLiteral("label"),
                             QStringLiteral("A name for this run in the output (default: run)."),
                             QStringLiteral("TEXT"), QStringLiteral("run")};
};

// Reads a number option within [min, max]; false (and a message) otherwise.
template<typename T>
bool number(const QCommandLineParser &parser, const QCommandLineOption &option, double min,
            double max, T *out)
{
    bool ok = false;
    const double value = parser.value(option).toDouble(&ok);
    if (!ok || value < min || value > max) {
        std::fprintf(stderr, "chat-bench: --%s: \"%s\" is not a number from %g to %g\n",
                     qPrintable(option.names().constFirst()), qPrintable(parser.value(option)), min,
                     max);
        return false;
    }
    *out = T(value);
    return true;
}

// Reads "NAME TOKEN" lines (or lines of a token alone); blank lines and # comments are skipped.
bool readTokens(const QString &path, std::vector<std::string> *tokens)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text)) {
        std::fprintf(stderr, "chat-bench: --tokens: cannot read %s: %s\n", qPrintable(path),
                     qPrintable(file.errorString()));
        return false;
    }
    while (!file.atEnd()) {
        const QList<QByteArray> fields = file.readLine().simplified().split(' ');
        if (fields.constFirst().isEmpty() || fields.constFirst().startsWith('#'))
            continue;
        tokens->push_back(fields.constLast().toStdString());
    }
    if (tokens->empty()) {
        std::fprintf(stderr, "chat-bench: --tokens: no tokens in %s\n", qPrintable(path));
        return false;
    }
    return true;
}

// Since protocol version 2 no connection is admitted without an account.
bool checkCredentials(const BenchConfig &c)
{
    if (c.rooms > 0 && (c.raw || c.resume > 0 || c.logins > 0)) {
        std::fprintf(stderr, "chat-bench: --rooms is for protocol runs without --resume\n");
        return false;
    }
    if (c.loginName.empty() != c.password.empty()) {
        std::fprintf(stderr, "chat-bench: --login and --password go together\n");
        return false;
    }
    if (!c.loginName.empty() && c.logins == 0) {
        std::fprintf(stderr, "chat-bench: --login is for --logins runs; use --tokens\n");
        return false;
    }
    if (c.raw || c.logins > 0)
        return true;
    const std::size_t needed = std::size_t(c.clients);
    if (c.tokens.size() < needed) {
        std::fprintf(stderr,
                     "chat-bench: %d clients need as many tokens (--tokens FILE, from "
                     "`chat-server token create NAME --count %d`); %zu given\n",
                     c.clients, c.clients + (c.resume > 0 ? 1 : 0), c.tokens.size());
        return false;
    }
    return true;
}

// --join-storm: all connections at once, one message, and attempts that may take as long as
// the whole set-up (a storm of 20,000 is slower than the usual 10 s per attempt).
bool stormConfig(const QCommandLineParser &parser, const Options &o, BenchConfig *c)
{
    c->joinStorm = parser.isSet(o.joinStorm);
    if (!c->joinStorm)
        return true;
    if (c->logins > 0 || c->resume > 0) {
        std::fprintf(stderr, "chat-bench: --join-storm goes with neither --logins nor --resume\n");
        return false;
    }
    c->connectInflight = c->clients;
    c->connectTimeoutS = c->setupTimeoutS;
    c->publishers = 1;
    c->maxMessages = 1;
    c->rate = 0;
    return true;
}

// --ports P1,P2,...: else --port alone.
bool readPorts(const QCommandLineParser &parser, const Options &o, BenchConfig *c)
{
    c->ports = {c->port};
    if (!parser.isSet(o.ports))
        return true;
    c->ports.clear();
    for (const QString &field : parser.value(o.ports).split(QLatin1Char(','))) {
        bool ok = false;
        const uint port = field.trimmed().toUInt(&ok);
        if (!ok || port < 1 || port > 65535) {
            std::fprintf(stderr, "chat-bench: --ports: \"%s\" is not a port\n", qPrintable(field));
            return false;
        }
        c->ports.push_back(std::uint16_t(port));
    }
    return true;
}

// --cpu NAME:PID,PID,...
bool readCpuGroups(const QCommandLineParser &parser, const Options &o, BenchConfig *c)
{
    for (const QString &value : parser.values(o.cpu)) {
        const qsizetype colon = value.indexOf(QLatin1Char(':'));
        std::vector<int> pids;
        for (const QString &field :
             value.mid(colon + 1).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            bool ok = false;
            const int pid = field.trimmed().toInt(&ok);
            if (!ok || pid <= 0) {
                std::fprintf(stderr, "chat-bench: --cpu: \"%s\" is not a process id\n",
                             qPrintable(field));
                return false;
            }
            pids.push_back(pid);
        }
        if (colon <= 0) {
            std::fprintf(stderr, "chat-bench: --cpu: give NAME:PID,PID,...\n");
            return false;
        }
        c->cpuGroups.emplace_back(value.left(colon).toStdString(), std::move(pids));
    }
    return true;
}

bool readConfig(const QCommandLineParser &parser, const Options &o, BenchConfig *c)
{
    if (!readCpuGroups(parser, o, c))
        return false;
    c->byNode = parser.isSet(o.byNode);
    if (c->byNode && parser.isSet(o.raw)) {
        std::fprintf(stderr, "chat-bench: --by-node needs the chat protocol (no --raw)\n");
        return false;
    }
    c->raw = parser.isSet(o.raw);
    c->loginName = parser.value(o.login).toStdString();
    c->password = parser.value(o.password).toStdString();
    if (parser.isSet(o.tokens) && !readTokens(parser.value(o.tokens), &c->tokens))
        return false;
    c->decode = parser.isSet(o.decode);
    c->label = parser.value(o.label).toStdString();
    // The open-file limit bounds --clients anyway; these bounds only catch typing errors.
    return number(parser, o.port, 1, 65535, &c->port) && readPorts(parser, o, c) &&
           number(parser, o.clients, 1, 1000000, &c->clients) &&
           number(parser, o.publishers, 0, 100000, &c->publishers) &&
           number(parser, o.rate, 0, 1e7, &c->rate) &&
           number(parser, o.window, 1, 1e6, &c->window) &&
           number(parser, o.duration, 0, 3600, &c->durationS) &&
           number(parser, o.messages, 0, 1e9, &c->maxMessages) &&
           number(parser, o.size, 1, 4000, &c->textSize) &&
           number(parser, o.inflight, 1, 100000, &c->connectInflight) &&
           number(parser, o.setupTimeout, 0.1, 3600, &c->setupTimeoutS) &&
           number(parser, o.drain, 0, 600, &c->drainS) &&
           number(parser, o.settle, 0, 600, &c->settleS) &&
           number(parser, o.serverPid, 0, 4194304, &c->serverPid) &&
           number(parser, o.resume, 0, 1e7, &c->resume) &&
           number(parser, o.logins, 0, 1e9, &c->logins) &&
           number(parser, o.rooms, 0, 100000, &c->rooms) && stormConfig(parser, o, c) &&
           checkCredentials(*c);
}

QJsonObject toJson(const BenchConfig &c, const BenchResult &r)
{
    QJsonObject failures;
    for (const auto &[reason, count] : r.failures)
        failures.insert(QString::fromStdString(reason), count);
    const double deliveriesPerSecond =
        r.deliverySeconds > 0 ? double(r.deliveries) / r.deliverySeconds : 0;
    const qint64 rssDelta = r.rssAfterKb - r.rssBeforeKb;
    QJsonObject o{
        {QStringLiteral("label"), QString::fromStdString(c.label)},
        {QStringLiteral("mode"), c.raw ? QStringLiteral("raw") : QStringLiteral("protocol")},
        {QStringLiteral("clients"), c.clients},
        {QStringLiteral("publishers"), r.publishers},
        {QStringLiteral("rate"), c.rate},
        {QStringLiteral("window"), c.window},
        {QStringLiteral("size"), c.textSize},
        {QStringLiteral("joined"), r.joined},
        {QStringLiteral("failed"), r.failed},
        {QStringLiteral("failures"), failures},
        {QStringLiteral("setup_s"), r.setupSeconds},
        {QStringLiteral("slowest_attempt_ms"), r.slowestAttemptMs},
        {QStringLiteral("server_rss_before_kb"), double(r.rssBeforeKb)},
        {QStringLiteral("server_rss_after_kb"), double(r.rssAfterKb)},
        {QStringLiteral("server_bytes_per_conn"),
         r.joined > 0 ? double(rssDelta) * 1024.0 / r.joined : 0.0},
        {QStringLiteral("sent"), double(r.sent)},
        {QStringLiteral("deliveries"), double(r.deliveries)},
        {QStringLiteral("expected"), double(r.expected)},
        {QStringLiteral("rooms"), c.rooms},
        {QStringLiteral("deliveries_per_s"), deliveriesPerSecond},
        {QStringLiteral("lost"), double(r.lost)},
        {QStringLiteral("duplicated"), double(r.duplicated)},
        {QStringLiteral("foreign"), double(r.foreign)},
        {QStringLiteral("closed_during_run"), r.closedDuringRun},
        {QStringLiteral("latency_p50_ms"), r.latencyP50Ms},
        {QStringLiteral("latency_p99_ms"), r.latencyP99Ms},
        {QStringLiteral("latency_max_ms"), r.latencyMaxMs},
        {QStringLiteral("acks"), double(r.acks)},
        {QStringLiteral("ack_p50_ms"), r.ackP50Ms},
        {QStringLiteral("ack_p99_ms"), r.ackP99Ms},
        {QStringLiteral("server_cpu_s"), r.serverCpuSeconds},
        {QStringLiteral("bench_cpu_s"), r.benchCpuSeconds},
        {QStringLiteral("server_cpu_us_per_delivery"),
         r.deliveries > 0 && r.serverCpuSeconds >= 0
             ? r.serverCpuSeconds * 1e6 / double(r.deliveries)
             : -1.0},
    };
    if (!c.cpuGroups.empty()) {
        QJsonObject groups;
        for (const auto &[name, seconds] : r.groupCpuSeconds)
            groups.insert(QString::fromStdString(name), seconds);
        o.insert(QStringLiteral("cpu_s"), groups);
    }
    if (c.byNode) {
        QJsonObject nodes;
        for (const auto &[pair, latency] : r.byNode)
            nodes.insert(QString::fromStdString(pair),
                         QJsonObject{{QStringLiteral("deliveries"), double(latency.deliveries)},
                                     {QStringLiteral("p50_ms"), latency.p50Ms},
                                     {QStringLiteral("p99_ms"), latency.p99Ms},
                                     {QStringLiteral("max_ms"), latency.maxMs}});
        o.insert(QStringLiteral("by_node"), nodes);
    }
    if (c.joinStorm) {
        o.insert(QStringLiteral("join_storm"), true);
        o.insert(QStringLiteral("message_to_all_ms"), r.latencyMaxMs);
    }
    if (c.resume > 0) {
        o.insert(QStringLiteral("resume_missed"), double(c.resume));
        o.insert(QStringLiteral("resume_ms"), r.resumeMs);
        o.insert(QStringLiteral("resume_bytes"), double(r.resumeBytes));
        o.insert(QStringLiteral("resume_messages"), double(r.resumeMessages));
        o.insert(QStringLiteral("resumed"), r.resumed);
        o.insert(QStringLiteral("resume_decode_ms"), r.resumeDecodeMs);
    }
    return o;
}

QJsonObject toJson(const BenchConfig &c, const LoginResult &r)
{
    QJsonObject failures;
    for (const auto &[reason, count] : r.failures)
        failures.insert(QString::fromStdString(reason), count);
    return QJsonObject{
        {QStringLiteral("label"), QString::fromStdString(c.label)},
        {QStringLiteral("mode"), QStringLiteral("logins")},
        {QStringLiteral("kind"), QString::fromStdString(r.kind)},
        {QStringLiteral("inflight"), c.connectInflight},
        {QStringLiteral("attempted"), double(r.attempted)},
        {QStringLiteral("ok"), double(r.ok)},
        {QStringLiteral("failed"), double(r.failed)},
        {QStringLiteral("failures"), failures},
        {QStringLiteral("seconds"), r.seconds},
        {QStringLiteral("logins_per_s"), r.seconds > 0 ? double(r.ok) / r.seconds : 0.0},
        {QStringLiteral("latency_p50_ms"), r.latencyP50Ms},
        {QStringLiteral("latency_p99_ms"), r.latencyP99Ms},
        {QStringLiteral("latency_max_ms"), r.latencyMaxMs},
        {QStringLiteral("server_cpu_s"), r.serverCpuSeconds},
        {QStringLiteral("bench_cpu_s"), r.benchCpuSeconds},
        {QStringLiteral("server_cpu_us_per_login"),
         r.ok > 0 && r.serverCpuSeconds >= 0 ? r.serverCpuSeconds * 1e6 / double(r.ok) : -1.0},
    };
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("chat-bench"));
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Load generator for chat-server and the relays in bench/peers: connects "
                       "to 127.0.0.1, prints one JSON line of measurements."));
    parser.addHelpOption();
    const Options o;
    parser.addOptions({o.port,      o.ports,      o.byNode,       o.cpu,    o.raw,      o.decode,
                       o.clients,   o.publishers, o.rate,         o.window, o.duration, o.messages,
                       o.size,      o.inflight,   o.setupTimeout, o.drain,  o.settle,   o.serverPid,
                       o.resume,    o.tokens,     o.logins,       o.login,  o.password, o.rooms,
                       o.joinStorm, o.label});
    parser.process(app);

    BenchConfig config;
    if (!readConfig(parser, o, &config))
        return 2;
    if (config.logins > 0) {
        chat::bench::LoginBench bench(config);
        if (!bench.isValid()) {
            std::fprintf(stderr, "chat-bench: cannot create the event loop\n");
            return 1;
        }
        const LoginResult result = bench.run();
        std::fprintf(
            stdout, "%s\n",
            QJsonDocument(toJson(config, result)).toJson(QJsonDocument::Compact).constData());
        return result.ok > 0 ? 0 : 1;
    }
    chat::bench::LoadGenerator generator(config);
    if (!generator.isValid()) {
        std::fprintf(stderr, "chat-bench: cannot create the event loop\n");
        return 1;
    }
    const BenchResult result = generator.run();
    std::fprintf(stdout, "%s\n",
                 QJsonDocument(toJson(config, result)).toJson(QJsonDocument::Compact).constData());
    return result.joined > 0 ? 0 : 1;
}
