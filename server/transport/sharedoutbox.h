// Batches that a connection's kernel buffer had no room for, kept as the shared buffers they are
// (a room's batch is one buffer for all of its members) instead of a copy each in QTcpSocket's
// buffer: when a slow reader refuses a whole flush on every connection at once, copying it cost
// the hub a second of page faults and cache misses (docs/performance.md, bench (j)).
//
// The transport writes the front to the kernel itself, then hands QTcpSocket the bytes up to the
// next frame boundary (at least one frame): QWebSocket writes its own frames (pongs) into that
// buffer, so it must always end between frames; and Qt's write notifier, which writes those bytes
// and then emits bytesWritten, tells the transport when the kernel has room again.
#pragma once

#include <QByteArray>

#include <deque>

namespace chat::server {

class SharedOutbox
{
public:
    // `wire`: whole WebSocket frames (FrameBatch::wire()); shared, not copied.
    void append(const QByteArray &wire);
    // The same for a batch whose first `alreadySent` bytes the kernel took already.
    void appendRest(const QByteArray &wire, qsizetype alreadySent);
    [[nodiscard]] bool isEmpty() const { return m_entries.empty(); }
    [[nodiscard]] qint64 bytes() const { return m_bytes; }
    // Writes the front to the socket without blocking, several batches in one call. Returns the
    // bytes the kernel took (0 when it took none or the socket failed: the failure shows on the
    // socket's next write of its own).
    qint64 sendTo(int fd);
    // Takes out the rest of the frame that sendTo() stopped in, or the next whole frame when it
    // stopped between frames: what goes through QTcpSocket next. Empty when nothing is held.
    [[nodiscard]] QByteArray takeToFrameBoundary();
    // Takes out everything, as one buffer (before a frame that QWebSocket writes itself).
    [[nodiscard]] QByteArray takeAll();
    void clear();

private:
    struct Entry
    {
        QByteArray wire;
        qsizetype frame = 0; // where the frame that holds `sent` starts
        qsizetype sent = 0;  // bytes of `wire` already written
    };
    void consume(qint64 bytes);

    std::deque<Entry> m_entries;
    qint64 m_bytes = 0; // not yet written
};

} // namespace chat::server
