// A peer that writes what it likes and reads only when told, on a plain non-blocking POSIX
// socket, so that what the server sends waits in this side's kernel (Qt's sockets read
// everything into their own buffer as soon as the event loop runs). For the tests that a close
// made by the server arrives whole even when the peer reads slowly.
#pragma once

#include <QByteArray>
#include <QList>

#include <atomic>
#include <thread>

namespace chat::test {

class SlowPeer
{
public:
    SlowPeer() = default;
    ~SlowPeer();
    SlowPeer(const SlowPeer &) = delete;
    SlowPeer &operator=(const SlowPeer &) = delete;

    // Connects to 127.0.0.1:port; with `upgrade`, also asks for and waits for the WebSocket
    // upgrade (processing events meanwhile, so an in-process server can answer).
    // The receive buffer open() asks for; by default the smallest the kernel allows (about 2 KB).
    // Such a small window can make the kernel's sender fall back to probing it every 200 ms or
    // more (its segment size drops below the window), so a test that needs the data to flow
    // once it reads asks for more.
    void setReceiveBuffer(int bytes) { m_receiveBuffer = bytes; }
    [[nodiscard]] bool open(quint16 port, bool upgrade = true);
    // Writes all of `bytes`, processing events while the kernel is full; false when the
    // connection is gone.
    bool write(const QByteArray &bytes);
    // Writes `chunk` `count` times from another thread, a little apart, while this thread runs
    // the event loop: a peer that goes on sending while the server decides to close, as a real
    // one in another process does. Stops early when the connection fails.
    void writeInBackground(const QByteArray &chunk, int count);
    // Waits (processing events) until the background writer has finished.
    [[nodiscard]] bool waitForWriter(int timeoutMs = 10000);
    // Reads everything until the server ends the connection (EOF or reset), processing events;
    // false on timeout. Then received(), frames() and closeCode() tell what arrived.
    [[nodiscard]] bool readToTheEnd(int timeoutMs = 10000);

    [[nodiscard]] const QByteArray &received() const { return m_received; }
    [[nodiscard]] bool wasReset() const { return m_reset; }
    // The text frames and the close frame's code (-1: none) in what came after the upgrade.
    [[nodiscard]] QList<QByteArray> texts() const;
    [[nodiscard]] int closeCode() const;
    [[nodiscard]] int pongCount() const;

private:
    bool readAvailable(); // true at EOF or error

    int m_fd = -1;
    int m_receiveBuffer = 1;
    std::thread m_writer;
    std::atomic<bool> m_writerDone{true};
    QByteArray m_received; // after the upgrade response, when there was one
    bool m_reset = false;
};

} // namespace chat::test
