// One bench run: connect the clients, read the server's memory, have the publishers send, and
// measure every delivery (latency, loss, duplicates) and the CPU both sides spent.
#pragma once

#include "benchconfig.h"
#include "connpool.h"
#include "histogram.h"
#include "payload.h"

#include <QString>

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace chat::bench {

class LoadGenerator final : public ConnPool::Handler
{
public:
    explicit LoadGenerator(const BenchConfig &config);
    [[nodiscard]] bool isValid() const { return m_pool.isValid(); }
    BenchResult run();

    void onOpen(int conn) override;
    void onText(int conn, std::string_view text, std::int64_t nowNs) override;
    void onClosed(int conn, ConnPool::State previous, const std::string &reason) override;

private:
    struct Client
    {
        bool attempting = false;
        bool joined = false;
        bool keepWelcome = false;
        std::optional<qint64> lastSeq; // resume: the hello carries these
        QString instance;
        std::string welcome;
        std::int64_t joinedNs = 0;
        int room = -1;            // --rooms: the index of its room; -1: the lobby
        bool inRoomSetUp = false; // welcomed, its join or create_room not answered yet
        int roomTries = 0;
        int node = -1; // --by-node: index of its welcome's server name in m_nodeNames
    };
    struct Publisher
    {
        int conn = 0;
        std::int64_t sent = 0;
        std::int64_t acked = 0;
        int room = -1;
    };

    void startClient(int conn);
    void markJoined(int conn, std::int64_t nowNs);
    // --rooms: a join (or, when the room does not exist yet, a create_room) after the welcome.
    void requestRoom(int conn, bool create);
    void onRoomAnswer(int conn, std::string_view text, std::int64_t nowNs);
    [[nodiscard]] std::string_view roomName(int room) const;
    [[nodiscard]] bool receives(int conn, std::size_t publisher) const;
    // Runs the event loop until done() or the deadline; both bounded.
    template<typename Done> void loopUntil(std::int64_t deadlineNs, Done done);
    void setUp();
    void measure();
    void publishDue(std::int64_t startNs, std::int64_t nowNs);
    void publishOne(std::size_t publisher);
    std::string_view messageId(std::size_t publisher, std::int64_t counter);
    [[nodiscard]] int nextDueMs(std::int64_t startNs, std::int64_t nowNs) const;
    void onDelivery(int conn, const Stamp &stamp, std::int64_t nowNs);
    void learnNode(int conn, std::string_view welcome);
    void nodeResults();
    [[nodiscard]] std::vector<double> groupCpu() const; // --cpu groups, in their order
    bool joinResumer(); // first visit: learns instance and seq, then leaves
    void resumeAfterMissing();
    void tearDown();

    BenchConfig m_config;
    std::uint32_t m_run;
    ConnPool m_pool;
    int m_resumer; // the extra slot after the clients, when resuming
    std::vector<Client> m_clients;
    std::vector<Publisher> m_publishers;
    std::vector<std::int64_t> m_next; // conn * publishers + p -> next counter expected
    std::vector<int> m_receivers;
    std::vector<std::string> m_roomNames; // --rooms: "r0", "r1", ...
    int m_inflight = 0;
    bool m_measuring = false;
    bool m_tearingDown = false;
    std::int64_t m_lastDeliveryNs = 0;
    std::size_t m_textFromEnd = 0; // where the last message's text was, from its end
    Histogram m_latency;
    Histogram m_ack;                      // publishers' own copies
    std::vector<std::string> m_nodeNames; // --by-node: as the welcomes named them
    std::vector<Histogram> m_byNode;      // sender node * node count + receiver node
    SendEncoder m_sendEncoder;
    std::string m_frame;               // a send being encoded, reused
    std::array<char, 64> m_idBuffer{}; // a message id being written, reused
    BenchResult m_result;
};

} // namespace chat::bench
