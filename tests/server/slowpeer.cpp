#include "slowpeer.h"

#include <QTest>
#include <QtEndian>

#include <cerrno>
#include <chrono>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace chat::test {

namespace {

// Server frames are never masked. Calls `visit(opcode, payload)` for each whole frame.
template<class Visit> void forEachFrame(const QByteArray &bytes, Visit visit)
{
    qsizetype at = 0;
    while (bytes.size() - at >= 2) {
        const auto *data = reinterpret_cast<const uchar *>(bytes.constData() + at);
        const quint8 opcode = data[0] & 0x0F;
        quint64 length = data[1] & 0x7F;
        qsizetype header = 2;
        if (length == 126) {
            if (bytes.size() - at < 4)
                return;
            length = qFromBigEndian<quint16>(data + 2);
            header = 4;
        } else if (length == 127) {
            if (bytes.size() - at < 10)
                return;
            length = qFromBigEndian<quint64>(data + 2);
            header = 10;
        }
        if (quint64(bytes.size() - at - header) < length)
            return;
        visit(opcode, bytes.mid(at + header, qsizetype(length)));
        at += header + qsizetype(length);
    }
}

} // namespace

SlowPeer::~SlowPeer()
{
    if (m_writer.joinable())
        m_writer.join();
    if (m_fd >= 0)
        ::close(m_fd);
}

bool SlowPeer::open(quint16 port, bool upgrade)
{
    m_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (m_fd < 0)
        return false;
    // A small receive window (by default the smallest): what the server sends beyond it waits
    // in the server's kernel until this side reads, as with a slow reader far away.
    ::setsockopt(m_fd, SOL_SOCKET, SO_RCVBUF, &m_receiveBuffer, sizeof m_receiveBuffer);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(m_fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0 &&
        errno != EINPROGRESS)
        return false;
    if (!upgrade)
        return true;
    if (!write(QByteArrayLiteral("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                                 "Connection: Upgrade\r\n"
                                 "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                 "Sec-WebSocket-Version: 13\r\n\r\n")))
        return false;
    bool ended = false;
    // Events are processed meanwhile, so an in-process server can answer.
    (void)QTest::qWaitFor(
        [this, &ended] { return (ended = readAvailable()) || m_received.contains("\r\n\r\n"); },
        5000);
    if (ended || !m_received.contains("\r\n\r\n"))
        return false;
    const qsizetype end = m_received.indexOf("\r\n\r\n");
    if (!m_received.startsWith("HTTP/1.1 101"))
        return false;
    m_received.remove(0, end + 4);
    return true;
}

bool SlowPeer::write(const QByteArray &bytes)
{
    // Connecting may still be in progress, and the kernel may take only part at once: wait
    // while the event loop runs.
    qsizetype done = 0;
    bool failed = false;
    (void)QTest::qWaitFor(
        [&] {
            while (done < bytes.size()) {
                const ssize_t sent = ::send(m_fd, bytes.constData() + done,
                                            size_t(bytes.size() - done), MSG_NOSIGNAL);
                if (sent <= 0) {
                    failed =
                        sent < 0 && errno != EAGAIN && errno != ENOTCONN && errno != EWOULDBLOCK;
                    return failed;
                }
                done += sent;
            }
            return true;
        },
        5000);
    return !failed && done == bytes.size();
}

void SlowPeer::writeInBackground(const QByteArray &chunk, int count)
{
    m_writerDone = false;
    m_writer = std::thread([this, chunk, count] {
        for (int i = 0; i < count; ++i) {
            qsizetype done = 0;
            while (done < chunk.size()) {
                const ssize_t sent = ::send(m_fd, chunk.constData() + done,
                                            size_t(chunk.size() - done), MSG_NOSIGNAL);
                if (sent > 0) {
                    done += sent;
                } else if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                    std::this_thread::sleep_for(std::chrono::microseconds(200));
                } else {
                    m_writerDone = true; // the connection failed: nothing more to write
                    return;
                }
            }
            std::this_thread::sleep_for(std::chrono::microseconds(300));
        }
        m_writerDone = true;
    });
}

bool SlowPeer::waitForWriter(int timeoutMs)
{
    const bool done = QTest::qWaitFor([this] { return m_writerDone.load(); }, timeoutMs);
    if (done && m_writer.joinable())
        m_writer.join();
    return done;
}

bool SlowPeer::readAvailable()
{
    char chunk[65536];
    for (;;) {
        const ssize_t got = ::recv(m_fd, chunk, sizeof chunk, MSG_DONTWAIT);
        if (got > 0) {
            m_received.append(chunk, qsizetype(got));
            continue;
        }
        if (got == 0)
            return true;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return false;
        m_reset = errno == ECONNRESET;
        return true;
    }
}

bool SlowPeer::readToTheEnd(int timeoutMs)
{
    return QTest::qWaitFor([this] { return readAvailable(); }, timeoutMs);
}

QList<QByteArray> SlowPeer::texts() const
{
    QList<QByteArray> result;
    forEachFrame(m_received, [&result](quint8 opcode, const QByteArray &payload) {
        if (opcode == 0x1)
            result.append(payload);
    });
    return result;
}

int SlowPeer::closeCode() const
{
    int code = -1;
    forEachFrame(m_received, [&code](quint8 opcode, const QByteArray &payload) {
        if (opcode == 0x8)
            code = payload.size() >= 2 ? qFromBigEndian<quint16>(payload.constData()) : 1005;
    });
    return code;
}

int SlowPeer::pongCount() const
{
    int count = 0;
    forEachFrame(m_received,
                 [&count](quint8 opcode, const QByteArray &) { count += opcode == 0xA ? 1 : 0; });
    return count;
}

} // namespace chat::test
