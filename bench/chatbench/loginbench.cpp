#include "loginbench.h"

#include "codec.h"
#include "payload.h"
#include "procstat.h"

#include <algorithm>
#include <cstdio>

namespace chat::bench {

namespace {

constexpr std::int64_t kNsPerSecond = 1000000000;
constexpr std::int64_t kNsPerMs = 1000000;
// After the last close, before the server's CPU time is read: it finishes its side of the
// closes. An idle server spends nothing in that time.
constexpr std::int64_t kSettleNs = 300 * kNsPerMs;

std::int64_t seconds(double s)
{
    return std::int64_t(s * double(kNsPerSecond));
}

double toMs(std::int64_t ns)
{
    return double(ns) / double(kNsPerMs);
}

// "refused: CODE" for an error frame: the code says enough (busy, login_failed, ...).
std::string refusal(std::string_view text)
{
    const auto decoded = chat::proto::decodeServerMessage(
        QByteArray(text.data(), qsizetype(std::min<std::size_t>(text.size(), 4096))));
    const auto *error = decoded.ok() ? std::get_if<chat::proto::Error>(&*decoded.message) : nullptr;
    return "refused: " + (error ? chat::proto::errorCodeName(error->code).toStdString()
                                : std::string(text.substr(0, 60)));
}

} // namespace

LoginBench::LoginBench(const BenchConfig &config)
    : m_config(config)
    , m_kind(!config.loginName.empty()                 ? Kind::Password
             : (!config.tokens.empty() && !config.raw) ? Kind::Token
                                                       : Kind::Connect)
    , m_pool(config.ports, int(std::min<std::int64_t>(config.connectInflight, config.logins)), this)
    , m_slots(std::size_t(m_pool.size()))
{
    if (m_kind == Kind::Password) {
        chat::proto::Hello hello;
        hello.login = chat::proto::Login{QString::fromStdString(config.loginName),
                                         QString::fromStdString(config.password)};
        hello.device = QStringLiteral("chat-bench");
        m_loginFrame = chat::proto::encode(hello).toStdString();
    }
    m_result.kind = m_kind == Kind::Password ? "password"
                    : m_kind == Kind::Token  ? "token"
                                             : "connect";
}

void LoginBench::start(int slot)
{
    m_slots[std::size_t(slot)] = Slot{true, false, m_started};
    ++m_started;
    m_pool.start(slot);
}

void LoginBench::onOpen(int conn)
{
    switch (m_kind) {
    case Kind::Connect:
        succeed(conn, monotonicNs());
        return;
    case Kind::Token: {
        // Each login the next token, round the file as often as it takes.
        chat::proto::Hello hello;
        hello.token = QString::fromStdString(
            m_config
                .tokens[std::size_t(m_slots[std::size_t(conn)].attempt) % m_config.tokens.size()]);
        const QByteArray frame = chat::proto::encode(hello);
        m_pool.sendText(conn, std::string_view(frame.constData(), std::size_t(frame.size())));
        return;
    }
    case Kind::Password:
        m_pool.sendText(conn, m_loginFrame);
        return;
    }
}

void LoginBench::succeed(int slot, std::int64_t nowNs)
{
    m_slots[std::size_t(slot)].done = true;
    m_latency.add(nowNs - m_pool.startedNs(slot));
    m_pool.close(slot);
}

void LoginBench::onText(int conn, std::string_view text, std::int64_t nowNs)
{
    if (m_slots[std::size_t(conn)].done)
        return; // presence, or anything after the welcome
    switch (classify(text)) {
    case ServerFrame::Welcome:
        succeed(conn, nowNs);
        break;
    case ServerFrame::Error:
        m_pool.abort(conn, refusal(text));
        break;
    default:
        break;
    }
}

void LoginBench::onClosed(int conn, ConnPool::State previous, const std::string &reason)
{
    Q_UNUSED(previous)
    Slot &slot = m_slots[std::size_t(conn)];
    if (!slot.busy)
        return;
    slot.busy = false;
    ++m_finished;
    if (slot.done) {
        ++m_result.ok;
    } else {
        ++m_result.failed;
        ++m_result.failures[reason.empty() ? std::string("closed") : reason];
    }
    // Not restarted here: the pool is still inside its handling of this slot.
    m_free.push_back(conn);
}

LoginResult LoginBench::run()
{
    const ProcSample serverBefore = sampleProcess(m_config.serverPid);
    const ProcSample selfBefore = sampleProcess(0);
    const std::int64_t begin = monotonicNs();
    const std::int64_t deadline = begin + seconds(m_config.setupTimeoutS);
    const std::int64_t attemptTimeout = seconds(m_config.connectTimeoutS);
    for (int i = 0; i < m_pool.size() && m_started < m_config.logins; ++i)
        start(i);
    std::int64_t lastReport = begin;
    while (m_finished < m_started) {
        const std::int64_t now = monotonicNs();
        if (now >= deadline) {
            for (int i = 0; i < m_pool.size(); ++i)
                m_pool.abort(i, "deadline");
            break;
        }
        for (int i = 0; i < m_pool.size(); ++i) {
            if (m_slots[std::size_t(i)].busy && now - m_pool.startedNs(i) > attemptTimeout)
                m_pool.abort(i, "timed out");
        }
        if (now - lastReport > 5 * kNsPerSecond) {
            lastReport = now;
            std::fprintf(stderr, "[%s] %lld logins so far\n", m_config.label.c_str(),
                         static_cast<long long>(m_result.ok));
        }
        m_pool.poll(10);
        std::vector<int> free;
        free.swap(m_free);
        for (int slot : free) {
            if (m_started < m_config.logins)
                start(slot);
        }
    }
    const std::int64_t end = monotonicNs();
    for (std::int64_t now = end; now < end + kSettleNs; now = monotonicNs())
        m_pool.poll(int((end + kSettleNs - now) / kNsPerMs + 1));
    const ProcSample serverAfter = sampleProcess(m_config.serverPid);
    const ProcSample selfAfter = sampleProcess(0);

    m_result.attempted = m_started;
    m_result.seconds = double(end - begin) / double(kNsPerSecond);
    m_result.latencyP50Ms = toMs(m_latency.percentileNs(0.50));
    m_result.latencyP99Ms = toMs(m_latency.percentileNs(0.99));
    m_result.latencyMaxMs = toMs(m_latency.maxNs());
    if (serverBefore.ok && serverAfter.ok)
        m_result.serverCpuSeconds = serverAfter.cpuSeconds - serverBefore.cpuSeconds;
    m_result.benchCpuSeconds = selfAfter.cpuSeconds - selfBefore.cpuSeconds;
    return m_result;
}

} // namespace chat::bench
