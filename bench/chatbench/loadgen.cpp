#include "loadgen.h"

#include "codec.h"
#include "procstat.h"

#include <QElapsedTimer>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

#include <unistd.h>

namespace chat::bench {

namespace {

constexpr std::int64_t kNsPerSecond = 1000000000;
constexpr std::int64_t kNsPerMs = 1000000;
constexpr std::int64_t kTearDownNs = 3 * kNsPerSecond;
constexpr std::int64_t kResumeTimeoutNs = 60 * kNsPerSecond;

std::int64_t seconds(double s)
{
    return std::int64_t(s * double(kNsPerSecond));
}

double toMs(std::int64_t ns)
{
    return double(ns) / double(kNsPerMs);
}

void progress(const char *format, const std::string &label, double value)
{
    std::fprintf(stderr, format, label.c_str(), value);
    std::fflush(stderr);
}

} // namespace

LoadGenerator::LoadGenerator(const BenchConfig &config)
    : m_config(config)
    , m_run(std::uint32_t((monotonicNs() / 1000 + getpid()) % 1000000))
    , m_pool(config.ports, config.clients + 1, this)
    , m_resumer(config.clients)
    , m_clients(std::size_t(config.clients + 1))
{
    for (int r = 0; r < config.rooms; ++r)
        m_roomNames.push_back("r" + std::to_string(r));
    if (config.rooms > 0) {
        for (int i = 0; i < config.clients; ++i)
            m_clients[std::size_t(i)].room = i % config.rooms;
    }
}

std::string_view LoadGenerator::roomName(int room) const
{
    return room < 0 ? std::string_view("lobby") : std::string_view(m_roomNames[std::size_t(room)]);
}

bool LoadGenerator::receives(int conn, std::size_t publisher) const
{
    return m_clients[std::size_t(conn)].room == m_publishers[publisher].room;
}

void LoadGenerator::requestRoom(int conn, bool create)
{
    Client &client = m_clients[std::size_t(conn)];
    client.inRoomSetUp = true;
    ++client.roomTries;
    const QString id = QStringLiteral("room-%1").arg(conn);
    const QString room = QString::fromStdString(std::string(roomName(client.room)));
    QByteArray frame;
    if (create) {
        chat::proto::CreateRoom request;
        request.id = id;
        request.name = room;
        request.title = QStringLiteral("Bench room %1").arg(client.room);
        frame = chat::proto::encode(request);
    } else {
        frame = chat::proto::encode(chat::proto::JoinRoom{id, room});
    }
    m_pool.sendText(conn, std::string_view(frame.constData(), std::size_t(frame.size())));
}

// The answer to requestRoom(): done, or room_not_found (create it), room_exists (another client
// created it first: join). Everything else that comes meanwhile (the room's state, its events)
// is not what is measured.
void LoadGenerator::onRoomAnswer(int conn, std::string_view text, std::int64_t nowNs)
{
    using namespace chat::proto;
    if (classify(text) == ServerFrame::Message)
        return; // an event of a room, as others join
    const auto decoded = decodeServerMessage(QByteArray(text.data(), qsizetype(text.size())));
    if (!decoded.ok())
        return;
    const QString id = QStringLiteral("room-%1").arg(conn);
    Client &client = m_clients[std::size_t(conn)];
    if (const auto *done = std::get_if<Done>(&*decoded.message); done && done->ref == id) {
        client.inRoomSetUp = false;
        markJoined(conn, nowNs);
        return;
    }
    const auto *error = std::get_if<Error>(&*decoded.message);
    if (!error || error->ref != id)
        return;
    constexpr int kMaxTries = 5;
    if (client.roomTries < kMaxTries && error->code == ErrorCode::RoomNotFound) {
        requestRoom(conn, true);
    } else if (client.roomTries < kMaxTries && error->code == ErrorCode::RoomExists) {
        requestRoom(conn, false);
    } else {
        m_pool.abort(conn, "room refused: " + errorCodeName(error->code).toStdString());
    }
}

template<typename Done> void LoadGenerator::loopUntil(std::int64_t deadlineNs, Done done)
{
    for (std::int64_t now = monotonicNs(); now < deadlineNs && !done(); now = monotonicNs())
        m_pool.poll(int(std::min<std::int64_t>(10, (deadlineNs - now) / kNsPerMs + 1)));
}

void LoadGenerator::startClient(int conn)
{
    Client &client = m_clients[std::size_t(conn)];
    client.attempting = true;
    client.joined = false;
    client.inRoomSetUp = false;
    client.roomTries = 0;
    ++m_inflight;
    m_pool.start(conn);
}

void LoadGenerator::onOpen(int conn)
{
    if (m_config.raw) {
        markJoined(conn, monotonicNs());
        return;
    }
    const Client &client = m_clients[std::size_t(conn)];
    chat::proto::Hello hello;
    // Version 2: each connection logs in to an account of its own with a token (main.cpp
    // checks there are tokens); the resuming client takes the one after the clients', if any.
    const std::vector<std::string> &tokens = m_config.tokens;
    if (!tokens.empty())
        hello.token = QString::fromStdString(tokens[std::size_t(conn) % tokens.size()]);
    hello.lastSeq = client.lastSeq;
    hello.instance = client.instance;
    const QByteArray frame = chat::proto::encode(hello);
    m_pool.sendText(conn, std::string_view(frame.constData(), std::size_t(frame.size())));
}

void LoadGenerator::markJoined(int conn, std::int64_t nowNs)
{
    Client &client = m_clients[std::size_t(conn)];
    client.attempting = false;
    client.joined = true;
    client.joinedNs = nowNs;
    --m_inflight;
    if (conn == m_resumer)
        return;
    ++m_result.joined;
    m_result.slowestAttemptMs =
        std::max(m_result.slowestAttemptMs, toMs(nowNs - m_pool.startedNs(conn)));
}

void LoadGenerator::onText(int conn, std::string_view text, std::int64_t nowNs)
{
    Client &client = m_clients[std::size_t(conn)];
    Stamp stamp;
    if (m_config.raw) {
        if (parseText(text, &stamp))
            onDelivery(conn, stamp, nowNs);
        else
            ++m_result.foreign;
        return;
    }
    const ServerFrame kind = m_config.decode ? decodeFrame(text, &stamp) : classify(text);
    if (!client.joined) {
        if (client.inRoomSetUp) {
            onRoomAnswer(conn, text, nowNs);
        } else if (kind == ServerFrame::Welcome) {
            if (m_config.byNode)
                learnNode(conn, text);
            if (client.keepWelcome)
                client.welcome.assign(text.data(), text.size());
            if (client.room >= 0)
                requestRoom(conn, false);
            else
                markJoined(conn, nowNs);
        } else if (kind == ServerFrame::Error) {
            m_pool.abort(conn, "refused: " + std::string(text.substr(0, 80)));
        }
        return;
    }
    if (kind != ServerFrame::Message || !m_measuring)
        return; // presence, pong, room changes; events of rooms joined during the set-up
    if (m_config.decode || scanMessageText(text, &stamp, &m_textFromEnd))
        onDelivery(conn, stamp, nowNs);
    else
        ++m_result.foreign;
}

void LoadGenerator::onClosed(int conn, ConnPool::State previous, const std::string &reason)
{
    Q_UNUSED(previous)
    Client &client = m_clients[std::size_t(conn)];
    if (client.attempting) {
        client.attempting = false;
        --m_inflight;
        if (conn != m_resumer) {
            ++m_result.failed;
            ++m_result.failures[reason.empty() ? std::string("closed") : reason];
        }
    } else if (client.joined && !m_tearingDown && conn != m_resumer) {
        ++m_result.closedDuringRun;
        ++m_result.failures["after joining: " + reason];
    }
    client.joined = false;
}

void LoadGenerator::onDelivery(int conn, const Stamp &stamp, std::int64_t nowNs)
{
    const auto publishers = std::uint32_t(m_publishers.size());
    if (!m_measuring || stamp.run != m_run || stamp.publisher >= publishers ||
        !receives(conn, stamp.publisher)) {
        ++m_result.foreign;
        return;
    }
    std::int64_t &next = m_next[std::size_t(conn) * publishers + stamp.publisher];
    if (stamp.counter < next) {
        ++m_result.duplicated;
        return;
    }
    m_result.lost += stamp.counter - next; // a gap: those will not come any more
    next = stamp.counter + 1;
    ++m_result.deliveries;
    m_latency.add(nowNs - stamp.sentNs);
    m_lastDeliveryNs = nowNs;
    Publisher &publisher = m_publishers[stamp.publisher];
    if (publisher.conn == conn) {
        ++publisher.acked;
        m_ack.add(nowNs - stamp.sentNs);
    }
    if (!m_byNode.empty()) {
        const int from = m_clients[std::size_t(publisher.conn)].node;
        const int to = m_clients[std::size_t(conn)].node;
        if (from >= 0 && to >= 0)
            m_byNode[std::size_t(from) * m_nodeNames.size() + std::size_t(to)].add(nowNs -
                                                                                   stamp.sentNs);
    }
}

std::vector<double> LoadGenerator::groupCpu() const
{
    std::vector<double> seconds;
    for (const auto &group : m_config.cpuGroups) {
        double sum = 0;
        for (int pid : group.second)
            sum += sampleProcess(pid).cpuSeconds; // a process gone counts 0
        seconds.push_back(sum);
    }
    return seconds;
}

// The welcome's "server" is the node's --name: decoded once per client, during the set-up.
void LoadGenerator::learnNode(int conn, std::string_view welcome)
{
    const auto decoded =
        chat::proto::decodeServerMessage(QByteArray(welcome.data(), qsizetype(welcome.size())));
    const auto *w = decoded.ok() ? std::get_if<chat::proto::Welcome>(&*decoded.message) : nullptr;
    if (!w)
        return;
    const std::string name = w->server.toStdString();
    auto it = std::find(m_nodeNames.begin(), m_nodeNames.end(), name);
    if (it == m_nodeNames.end())
        it = m_nodeNames.insert(m_nodeNames.end(), name);
    m_clients[std::size_t(conn)].node = int(it - m_nodeNames.begin());
}

void LoadGenerator::nodeResults()
{
    const std::size_t count = m_nodeNames.size();
    Histogram same;
    Histogram cross;
    const auto put = [this](const std::string &key, const Histogram &h) {
        if (h.count() > 0)
            m_result.byNode[key] = BenchResult::NodeLatency{
                h.count(), toMs(h.percentileNs(0.50)), toMs(h.percentileNs(0.99)), toMs(h.maxNs())};
    };
    for (std::size_t from = 0; from < count; ++from) {
        for (std::size_t to = 0; to < count; ++to) {
            const Histogram &h = m_byNode[from * count + to];
            (from == to ? same : cross).merge(h);
            put(m_nodeNames[from] + ">" + m_nodeNames[to], h);
        }
    }
    put("same-node", same);
    put("cross-node", cross);
}

void LoadGenerator::setUp()
{
    const std::int64_t start = monotonicNs();
    const std::int64_t deadline = start + seconds(m_config.setupTimeoutS);
    const std::int64_t attemptTimeout = seconds(m_config.connectTimeoutS);
    int next = 0;
    int oldest = 0; // attempts start in order, so timeouts are checked from the oldest on
    std::int64_t lastReport = start;
    for (std::int64_t now = start; now < deadline; now = monotonicNs()) {
        while (m_inflight < m_config.connectInflight && next < m_config.clients)
            startClient(next++);
        while (oldest < next && !m_clients[std::size_t(oldest)].attempting)
            ++oldest;
        if (next == m_config.clients && m_inflight == 0)
            break;
        for (int i = oldest; i < next && now - m_pool.startedNs(i) > attemptTimeout; ++i) {
            if (m_clients[std::size_t(i)].attempting)
                m_pool.abort(i, "timed out");
        }
        if (now - lastReport > 5 * kNsPerSecond) {
            lastReport = now;
            progress("[%s] %.0f joined so far\n", m_config.label, m_result.joined);
        }
        m_pool.poll(10);
    }
    // Whatever is still under way at the deadline has failed.
    for (int i = 0; i < next; ++i) {
        if (m_clients[std::size_t(i)].attempting)
            m_pool.abort(i, "set-up deadline");
    }
    m_result.attempted = next;
    std::int64_t lastJoin = start;
    for (int i = 0; i < m_config.clients; ++i) {
        if (m_clients[std::size_t(i)].joined)
            lastJoin = std::max(lastJoin, m_clients[std::size_t(i)].joinedNs);
    }
    m_result.setupSeconds = double(lastJoin - start) / double(kNsPerSecond);
}

int LoadGenerator::nextDueMs(std::int64_t startNs, std::int64_t nowNs) const
{
    if (m_config.rate <= 0)
        return 1; // acknowledgements wake the loop earlier
    const double count = double(m_publishers.size());
    double earliest = 1e18;
    for (std::size_t p = 0; p < m_publishers.size(); ++p)
        earliest = std::min(earliest, (double(m_publishers[p].sent) * count + double(p)) /
                                          m_config.rate * double(kNsPerSecond));
    const double waitNs = double(startNs) + earliest - double(nowNs);
    return waitNs <= 0 ? 0 : int(std::min(10.0, std::ceil(waitNs / double(kNsPerMs))));
}

void LoadGenerator::publishDue(std::int64_t startNs, std::int64_t nowNs)
{
    const auto count = std::int64_t(m_publishers.size());
    for (std::size_t p = 0; p < m_publishers.size(); ++p) {
        Publisher &publisher = m_publishers[p];
        if (!m_clients[std::size_t(publisher.conn)].joined)
            continue;
        // Each pass sends one message or stops; the window and the schedule bound it.
        for (;;) {
            if (m_config.maxMessages > 0 && m_result.sent >= m_config.maxMessages)
                return;
            if (m_config.rate > 0) {
                const double dueNs = double(publisher.sent * count + std::int64_t(p)) /
                                     m_config.rate * double(kNsPerSecond);
                if (double(nowNs - startNs) < dueNs)
                    break;
            } else if (publisher.sent - publisher.acked >= m_config.window) {
                break;
            }
            publishOne(p);
        }
    }
}

void LoadGenerator::publishOne(std::size_t p)
{
    Publisher &publisher = m_publishers[p];
    Stamp stamp;
    stamp.run = m_run;
    stamp.publisher = std::uint32_t(p);
    stamp.counter = publisher.sent;
    stamp.sentNs = monotonicNs();
    const std::string text = makeText(stamp, m_config.textSize);
    if (m_config.raw) {
        m_pool.sendText(publisher.conn, text);
    } else {
        m_sendEncoder.encode(messageId(p, publisher.sent), roomName(publisher.room), text,
                             &m_frame);
        m_pool.sendText(publisher.conn, m_frame);
    }
    ++publisher.sent;
    ++m_result.sent;
}

std::string_view LoadGenerator::messageId(std::size_t publisher, std::int64_t counter)
{
    // "b<run>-<publisher>-<counter>", as the server echoes it; written without QString::arg.
    // The run keeps ids apart when the same accounts run again on one server: an id it has
    // seen from the account is acknowledged with the old message, not sent to anyone.
    char *const begin = m_idBuffer.data();
    char *const end = begin + m_idBuffer.size();
    char *at = begin;
    *at++ = 'b';
    at = std::to_chars(at, end, m_run).ptr;
    *at++ = '-';
    at = std::to_chars(at, end, publisher).ptr;
    *at++ = '-';
    at = std::to_chars(at, end, counter).ptr;
    return std::string_view(begin, std::size_t(at - begin));
}

void LoadGenerator::measure()
{
    for (int i = 0; i < m_config.clients; ++i) {
        if (!m_clients[std::size_t(i)].joined)
            continue;
        m_receivers.push_back(i);
        // Clients are spread over the rooms in turn, so the first publishers are in as many
        // different rooms as there are publishers (up to --rooms).
        if (int(m_publishers.size()) < m_config.publishers)
            m_publishers.push_back(Publisher{i, 0, 0, m_clients[std::size_t(i)].room});
    }
    m_result.publishers = int(m_publishers.size());
    if (m_publishers.empty())
        return;
    m_next.assign(m_clients.size() * m_publishers.size(), 0);
    if (m_config.byNode)
        m_byNode.assign(m_nodeNames.size() * m_nodeNames.size(), Histogram{});

    const ProcSample serverBefore = sampleProcess(m_config.serverPid);
    const std::vector<double> groupsBefore = groupCpu();
    const ProcSample selfBefore = sampleProcess(0);
    m_measuring = true;
    const std::int64_t start = monotonicNs();
    const std::int64_t sendEnd = start + seconds(m_config.durationS);
    for (std::int64_t now = start; now < sendEnd; now = monotonicNs()) {
        if (m_config.maxMessages > 0 && m_result.sent >= m_config.maxMessages)
            break;
        publishDue(start, now);
        m_pool.poll(nextDueMs(start, now));
    }
    // Everything sent should reach every receiver: wait for it, within the drain time.
    // Each publisher's messages reach the receivers in its room (everyone, in the lobby).
    std::vector<std::int64_t> audience(m_publishers.size(), 0);
    for (int conn : m_receivers) {
        for (std::size_t p = 0; p < m_publishers.size(); ++p)
            audience[p] += receives(conn, p) ? 1 : 0;
    }
    const auto expected = [this, &audience] {
        std::int64_t total = 0;
        for (std::size_t p = 0; p < m_publishers.size(); ++p)
            total += m_publishers[p].sent * audience[p];
        return total;
    };
    loopUntil(monotonicNs() + seconds(m_config.drainS),
              [&] { return m_result.deliveries + m_result.lost >= expected(); });
    const ProcSample serverAfter = sampleProcess(m_config.serverPid);
    const std::vector<double> groupsAfter = groupCpu();
    for (std::size_t g = 0; g < groupsAfter.size(); ++g)
        m_result.groupCpuSeconds[m_config.cpuGroups[g].first] = groupsAfter[g] - groupsBefore[g];
    const ProcSample selfAfter = sampleProcess(0);
    m_measuring = false;

    // What never came, to receivers that were there when sending began.
    for (int conn : m_receivers) {
        for (std::size_t p = 0; p < m_publishers.size(); ++p) {
            if (receives(conn, p))
                m_result.lost +=
                    m_publishers[p].sent - m_next[std::size_t(conn) * m_publishers.size() + p];
        }
    }
    m_result.expected = expected();
    m_result.deliverySeconds =
        double(std::max(m_lastDeliveryNs, start + 1) - start) / double(kNsPerSecond);
    m_result.latencyP50Ms = toMs(m_latency.percentileNs(0.50));
    m_result.latencyP99Ms = toMs(m_latency.percentileNs(0.99));
    m_result.latencyMaxMs = toMs(m_latency.maxNs());
    m_result.acks = m_ack.count();
    m_result.ackP50Ms = toMs(m_ack.percentileNs(0.50));
    m_result.ackP99Ms = toMs(m_ack.percentileNs(0.99));
    if (!m_byNode.empty())
        nodeResults();
    if (serverBefore.ok && serverAfter.ok)
        m_result.serverCpuSeconds = serverAfter.cpuSeconds - serverBefore.cpuSeconds;
    m_result.benchCpuSeconds = selfAfter.cpuSeconds - selfBefore.cpuSeconds;
}

bool LoadGenerator::joinResumer()
{
    Client &client = m_clients[std::size_t(m_resumer)];
    client.keepWelcome = true;
    startClient(m_resumer);
    loopUntil(monotonicNs() + kResumeTimeoutNs, [&] { return !client.attempting; });
    if (!client.joined)
        return false;
    const auto decoded =
        chat::proto::decodeServerMessage(QByteArray::fromStdString(client.welcome));
    const auto *welcome =
        decoded.ok() ? std::get_if<chat::proto::Welcome>(&*decoded.message) : nullptr;
    if (!welcome)
        return false;
    client.lastSeq = welcome->seq;
    client.instance = welcome->instance;
    m_pool.close(m_resumer);
    loopUntil(monotonicNs() + kTearDownNs,
              [&] { return m_pool.state(m_resumer) == ConnPool::State::Closed; });
    m_pool.abort(m_resumer);
    return true;
}

void LoadGenerator::resumeAfterMissing()
{
    Client &client = m_clients[std::size_t(m_resumer)];
    client.welcome.clear();
    const std::int64_t start = monotonicNs();
    startClient(m_resumer);
    loopUntil(start + kResumeTimeoutNs, [&] { return !client.attempting; });
    if (!client.joined)
        return;
    m_result.resumeMs = toMs(client.joinedNs - start);
    m_result.resumeBytes = m_pool.bytesIn(m_resumer);
    QElapsedTimer decodeClock;
    decodeClock.start();
    const auto decoded =
        chat::proto::decodeServerMessage(QByteArray::fromStdString(client.welcome));
    m_result.resumeDecodeMs = double(decodeClock.nsecsElapsed()) / double(kNsPerMs);
    if (const auto *welcome =
            decoded.ok() ? std::get_if<chat::proto::Welcome>(&*decoded.message) : nullptr) {
        m_result.resumed = welcome->resumed;
        m_result.resumeMessages = welcome->history.size();
    }
}

void LoadGenerator::tearDown()
{
    m_tearingDown = true;
    for (int i = 0; i < m_pool.size(); ++i)
        m_pool.close(i);
    loopUntil(monotonicNs() + kTearDownNs, [this] {
        for (int i = 0; i < m_pool.size(); ++i) {
            const ConnPool::State state = m_pool.state(i);
            if (state != ConnPool::State::Closed && state != ConnPool::State::Idle)
                return false;
        }
        return true;
    });
}

BenchResult LoadGenerator::run()
{
    const std::string &label = m_config.label;
    if (m_config.resume > 0 && (m_config.raw || !joinResumer())) {
        ++m_result.failures["resume: the first visit failed"];
        return m_result;
    }
    m_result.rssBeforeKb = sampleProcess(m_config.serverPid).rssKb;
    setUp();
    progress("[%s] set-up took %.3f s\n", label, m_result.setupSeconds);
    loopUntil(monotonicNs() + seconds(m_config.settleS), [] { return false; });
    m_result.rssAfterKb = sampleProcess(m_config.serverPid).rssKb;
    measure();
    if (m_config.resume > 0)
        resumeAfterMissing();
    tearDown();
    return m_result;
}

} // namespace chat::bench
