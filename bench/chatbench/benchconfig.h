// What one chat-bench run does (filled from the command line) and what it measured.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace chat::bench {

struct BenchConfig
{
    std::uint16_t port = 8080;
    // Client i connects to ports[i % ports.size()] (--ports; else --port alone).
    std::vector<std::uint16_t> ports{8080};
    // Latency per (sender's node -> receiver's node), the node being the `server` name in each
    // client's welcome (give each node its own --name).
    bool byNode = false;
    // --cpu NAME:PID,PID,...: CPU of these processes together over the measured seconds.
    std::vector<std::pair<std::string, std::vector<int>>> cpuGroups;
    bool raw = false;     // the peer relays text only: no hello, no welcome, no JSON
    bool decode = false;  // read every frame with chatcommon's decoder instead of a scan
    int clients = 100;    // connections, every one a receiver
    int publishers = 4;   // the first ones also send
    double rate = 0;      // messages per second in total; 0: as fast as the window allows
    int window = 32;      // messages a publisher may have unacknowledged (own copy not back)
    double durationS = 5; // how long publishers send
    std::int64_t maxMessages = 0; // stop sending after this many in total; 0: no count limit
    int textSize = 100;           // characters per message text
    int connectInflight = 200;    // connection attempts under way at once
    double connectTimeoutS = 10;  // one attempt, from connect() to joined
    double setupTimeoutS = 120;   // all attempts together
    double settleS = 1;           // idle time before memory is read
    double drainS = 5;            // after sending stops, to wait for what is in flight
    int serverPid = 0;            // for memory and CPU; 0: not measured
    std::int64_t resume = 0;      // > 0: a client misses this many messages, then resumes
    // > 0: after its welcome, client i joins room "r<i % rooms>" (creating it when it does not
    // exist yet); publishers send into their own room and each message counts for its members.
    // 0: everyone stays in the lobby, where every message goes to everyone.
    int rooms = 0;
    // A join storm: every connection starts at once (connectInflight = clients), then one
    // message from one publisher; setup_s is how long until every welcome came, and
    // message_to_all_ms how long until that one message reached everyone.
    bool joinStorm = false;
    std::string label;
    // Since protocol version 2 every connection logs in. Connection i uses tokens[i] (the resuming
    // client the one after the clients'), from `chat-server token create NAME --count N`.
    std::vector<std::string> tokens;
    // Logins instead of messages (loginbench.h): this many connections, each one a hello and a
    // close; with a password login when loginName is set, else with the tokens, else none (the
    // upgrade and the close only).
    std::int64_t logins = 0;
    std::string loginName;
    std::string password;
};

struct BenchResult
{
    int attempted = 0;
    int joined = 0;
    int failed = 0;
    std::map<std::string, int> failures; // reason -> count
    double setupSeconds = 0;             // first connect() to last join
    double slowestAttemptMs = 0;
    std::int64_t rssBeforeKb = 0;
    std::int64_t rssAfterKb = 0;
    int publishers = 0;
    std::int64_t sent = 0;
    std::int64_t deliveries = 0; // unique, in order or not
    std::int64_t expected = 0;   // what every receiver should have got: sent x room members
    double deliverySeconds = 0;  // first send to last delivery
    std::int64_t lost = 0;
    std::int64_t duplicated = 0;
    std::int64_t foreign = 0; // bench messages of another run, or unreadable ones
    int closedDuringRun = 0;
    double latencyP50Ms = 0;
    double latencyP99Ms = 0;
    double latencyMaxMs = 0;
    // Send to the sender's own copy (its acknowledgement, after the store committed it).
    double ackP50Ms = 0;
    double ackP99Ms = 0;
    std::int64_t acks = 0;
    // --by-node: "sender>receiver" node names -> latency of those deliveries.
    struct NodeLatency
    {
        std::int64_t deliveries = 0;
        double p50Ms = 0;
        double p99Ms = 0;
        double maxMs = 0;
    };
    std::map<std::string, NodeLatency> byNode;
    std::map<std::string, double> groupCpuSeconds; // --cpu NAME -> seconds
    double serverCpuSeconds = -1;
    double benchCpuSeconds = 0;
    // Resume: the client that missed `resume` messages comes back.
    double resumeMs = 0;
    std::int64_t resumeBytes = 0;
    std::int64_t resumeMessages = 0;
    bool resumed = false;
    double resumeDecodeMs = 0;
};

// What a login run (--logins) measured.
struct LoginResult
{
    std::string kind; // "token", "password" or "connect" (no hello)
    std::int64_t attempted = 0;
    std::int64_t ok = 0;
    std::int64_t failed = 0;
    std::map<std::string, int> failures; // reason -> count
    double seconds = 0;                  // first connect() to last close
    double latencyP50Ms = 0;             // connect() to welcome
    double latencyP99Ms = 0;
    double latencyMaxMs = 0;
    double serverCpuSeconds = -1;
    double benchCpuSeconds = 0;
};

} // namespace chat::bench
