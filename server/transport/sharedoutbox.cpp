#include "transport/sharedoutbox.h"

#include <QtGlobal>

#ifdef Q_OS_LINUX
#include <sys/socket.h>
#include <sys/uio.h>
#endif

namespace chat::server {

namespace {

// Batches written in one sendmsg(): more are rare (a reader many flushes behind) and go next time.
constexpr int kMaxBatchesPerCall = 64;

// The length of the frame that starts at `at`, header included (RFC 6455 5.2; a server's frames
// are not masked).
qsizetype frameLength(const QByteArray &wire, qsizetype at)
{
    const auto byte = [&](qsizetype i) {
        return quint64(quint8(wire.at(at + i)));
    };
    const quint64 length = byte(1) & 0x7F;
    if (length < 126)
        return qsizetype(2 + length);
    if (length == 126)
        return qsizetype(4 + (byte(2) << 8 | byte(3)));
    quint64 longLength = 0;
    for (int i = 2; i < 10; ++i)
        longLength = longLength << 8 | byte(i);
    return qsizetype(10 + longLength);
}

} // namespace

void SharedOutbox::append(const QByteArray &wire)
{
    if (wire.isEmpty())
        return;
    m_entries.push_back({wire, 0, 0});
    m_bytes += wire.size();
}

void SharedOutbox::appendRest(const QByteArray &wire, qsizetype alreadySent)
{
    if (alreadySent >= wire.size())
        return;
    append(wire);
    if (alreadySent > 0)
        consume(alreadySent);
}

qint64 SharedOutbox::sendTo(int fd)
{
#ifdef Q_OS_LINUX
    iovec parts[kMaxBatchesPerCall];
    int count = 0;
    for (auto it = m_entries.cbegin(); it != m_entries.cend() && count < kMaxBatchesPerCall;
         ++it, ++count) {
        parts[count].iov_base = const_cast<char *>(it->wire.constData() + it->sent);
        parts[count].iov_len = size_t(it->wire.size() - it->sent);
    }
    if (count == 0)
        return 0;
    msghdr message{};
    message.msg_iov = parts;
    message.msg_iovlen = size_t(count);
    const ssize_t sent = ::sendmsg(fd, &message, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (sent <= 0)
        return 0;
    consume(sent);
    return sent;
#else
    Q_UNUSED(fd);
    return 0;
#endif
}

void SharedOutbox::consume(qint64 bytes)
{
    m_bytes -= bytes;
    while (bytes > 0) {
        Entry &front = m_entries.front();
        const qint64 left = front.wire.size() - front.sent;
        if (bytes < left) {
            front.sent += qsizetype(bytes);
            return;
        }
        bytes -= left;
        m_entries.pop_front();
    }
}

QByteArray SharedOutbox::takeToFrameBoundary()
{
    if (m_entries.empty())
        return {};
    Entry &front = m_entries.front();
    qsizetype end = front.frame + frameLength(front.wire, front.frame);
    while (end <= front.sent) { // the frames before `sent` went whole
        front.frame = end;
        end += frameLength(front.wire, end);
    }
    const QByteArray piece = front.wire.mid(front.sent, end - front.sent);
    m_bytes -= piece.size();
    front.frame = front.sent = end;
    if (end >= front.wire.size())
        m_entries.pop_front();
    return piece;
}

QByteArray SharedOutbox::takeAll()
{
    QByteArray all;
    all.reserve(qsizetype(m_bytes));
    for (const Entry &entry : m_entries)
        all.append(entry.wire.constData() + entry.sent, entry.wire.size() - entry.sent);
    clear();
    return all;
}

void SharedOutbox::clear()
{
    m_entries.clear();
    m_bytes = 0;
}

} // namespace chat::server
