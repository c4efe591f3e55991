// Many client WebSocket connections to ports on 127.0.0.1 (slot i to ports[i % count]), driven by
// one epoll loop: the load generator's transport. Deliberately not QWebSocket: the generator has to
// stay far cheaper per frame than the servers it measures, and Qt's poll()-based event loop costs
// time in proportion to the number of sockets on every turn.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace chat::bench {

std::int64_t monotonicNs();

class ConnPool
{
public:
    enum class State { Idle, Connecting, Upgrading, Open, Closing, Closed };

    class Handler
    {
    public:
        virtual ~Handler() = default;
        virtual void onOpen(int conn) = 0; // the upgrade finished
        // A whole text message; `nowNs` is when the bytes were read.
        virtual void onText(int conn, std::string_view text, std::int64_t nowNs) = 0;
        // The connection ended; `reason` says why when it was not our close.
        virtual void onClosed(int conn, State previous, const std::string &reason) = 0;
    };

    ConnPool(std::vector<std::uint16_t> ports, int capacity, Handler *handler);
    ~ConnPool();
    ConnPool(const ConnPool &) = delete;
    ConnPool &operator=(const ConnPool &) = delete;

    [[nodiscard]] bool isValid() const { return m_epoll >= 0; }
    // Starts a TCP connection and the upgrade for slot `conn` (Idle or Closed).
    void start(int conn);
    // Queues a text frame; it goes out at the end of the current poll().
    void sendText(int conn, std::string_view text);
    // Sends a close frame; the socket is closed when the peer closes or at abort().
    void close(int conn);
    void abort(int conn, const std::string &reason = {});
    // Waits up to timeoutMs for events, handles them, writes what was queued.
    void poll(int timeoutMs);

    [[nodiscard]] State state(int conn) const { return m_conns[std::size_t(conn)].state; }
    [[nodiscard]] std::int64_t bytesIn(int conn) const
    {
        return m_conns[std::size_t(conn)].bytesIn;
    }
    [[nodiscard]] std::int64_t startedNs(int conn) const
    {
        return m_conns[std::size_t(conn)].startedNs;
    }
    [[nodiscard]] int size() const { return int(m_conns.size()); }
    // Which of the ports slot `conn` connects to (its index in the constructor's list).
    [[nodiscard]] int portIndex(int conn) const { return conn % int(m_ports.size()); }

private:
    struct Conn
    {
        int fd = -1;
        State state = State::Idle;
        bool watchingWrite = false;
        bool dirty = false;
        std::int64_t startedNs = 0;
        std::int64_t bytesIn = 0;
        std::string in;        // received bytes not yet parsed
        std::string out;       // bytes not yet written
        std::string fragments; // a fragmented message so far
    };

    void onWritable(int conn);
    void onReadable(int conn);
    void consume(int conn, char *data, std::size_t size, std::int64_t nowNs);
    // Parses frames from the front of data; returns bytes used, or -1 after a fatal error.
    std::int64_t parseFrames(int conn, char *data, std::size_t size, std::int64_t nowNs);
    void queue(int conn, std::string_view bytes);
    void flush(int conn);
    void watchWrite(int conn, bool on);
    void finish(int conn, const std::string &reason);
    std::uint32_t nextMask();

    std::vector<std::uint16_t> m_ports;
    Handler *m_handler;
    int m_epoll;
    std::vector<Conn> m_conns;
    std::vector<int> m_dirty;
    std::vector<int> m_flushing;
    std::vector<char> m_buffer;
    std::vector<std::string> m_requests; // the upgrade request for each port
    std::uint64_t m_maskState = 0x9E3779B97F4A7C15ull;
};

} // namespace chat::bench
