// Logins, not messages (chat-bench --logins N): N connections, at most --connect-inflight at a
// time, each one the upgrade, a hello and, once welcomed, a close. Measures logins a second and
// the server's CPU time a login costs (/proc/PID/stat before and after): with tokens, what a
// token hello costs; with a password, how many Argon2id verifications the server's --hash-workers
// get through; with neither, a connection without a hello, the part of the others that is not
// the login.
#pragma once

#include "benchconfig.h"
#include "connpool.h"
#include "histogram.h"

#include <string>
#include <vector>

namespace chat::bench {

class LoginBench final : public ConnPool::Handler
{
public:
    explicit LoginBench(const BenchConfig &config);
    [[nodiscard]] bool isValid() const { return m_pool.isValid(); }
    LoginResult run();

    void onOpen(int conn) override;
    void onText(int conn, std::string_view text, std::int64_t nowNs) override;
    void onClosed(int conn, ConnPool::State previous, const std::string &reason) override;

private:
    enum class Kind { Connect, Token, Password };
    struct Slot
    {
        bool busy = false;        // an attempt is under way
        bool done = false;        // it succeeded (welcome, or the upgrade without a hello)
        std::int64_t attempt = 0; // counts from 0: the token it uses
    };

    void start(int slot);
    void succeed(int slot, std::int64_t nowNs);

    BenchConfig m_config;
    Kind m_kind;
    ConnPool m_pool;
    std::vector<Slot> m_slots;
    std::vector<int> m_free; // slots whose attempt ended; restarted after poll() returns
    std::int64_t m_started = 0;
    std::int64_t m_finished = 0;
    std::string m_loginFrame; // the same hello for every password login
    Histogram m_latency;
    LoginResult m_result;
};

} // namespace chat::bench
