#include "connpool.h"

#include "wsframe.h"

#include <cerrno>
#include <cstring>
#include <ctime>
#include <utility>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace chat::bench {

namespace {

constexpr std::size_t kReadBuffer = 256 * 1024;
constexpr std::size_t kMaxResponseHead = 16 * 1024;
constexpr std::uint64_t kMaxMessage = 256 * 1024 * 1024; // a welcome with a long history
constexpr int kMaxEvents = 1024;

std::string errorText(const char *what, int error)
{
    return std::string(what) + ": " + std::strerror(error);
}

} // namespace

std::int64_t monotonicNs()
{
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return std::int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

ConnPool::ConnPool(std::vector<std::uint16_t> ports, int capacity, Handler *handler)
    : m_ports(std::move(ports))
    , m_handler(handler)
    , m_epoll(epoll_create1(EPOLL_CLOEXEC))
    , m_conns(std::size_t(capacity))
    , m_buffer(kReadBuffer)
{
    if (m_ports.empty())
        m_ports.push_back(8080);
    for (std::uint16_t port : m_ports)
        m_requests.push_back(upgradeRequest(port));
}

ConnPool::~ConnPool()
{
    for (Conn &c : m_conns) {
        if (c.fd >= 0)
            ::close(c.fd);
    }
    if (m_epoll >= 0)
        ::close(m_epoll);
}

std::uint32_t ConnPool::nextMask()
{
    // xorshift64*: masking keys need not be secret here, only varied.
    m_maskState ^= m_maskState >> 12;
    m_maskState ^= m_maskState << 25;
    m_maskState ^= m_maskState >> 27;
    return std::uint32_t((m_maskState * 0x2545F4914F6CDD1Dull) >> 32);
}

void ConnPool::start(int conn)
{
    Conn &c = m_conns[std::size_t(conn)];
    c = Conn{};
    c.startedNs = monotonicNs();
    c.state = State::Connecting;
    c.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c.fd < 0) {
        finish(conn, errorText("socket", errno));
        return;
    }
    const int one = 1;
    setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); // as browsers do
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(m_ports[std::size_t(portIndex(conn))]);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK); // never anything but this machine
    epoll_event event{};
    event.events = EPOLLIN | EPOLLOUT;
    event.data.u32 = std::uint32_t(conn);
    c.watchingWrite = true;
    if (epoll_ctl(m_epoll, EPOLL_CTL_ADD, c.fd, &event) != 0) {
        finish(conn, errorText("epoll", errno));
        return;
    }
    if (::connect(c.fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0 &&
        errno != EINPROGRESS)
        finish(conn, errorText("connect", errno));
}

void ConnPool::sendText(int conn, std::string_view text)
{
    Conn &c = m_conns[std::size_t(conn)];
    if (c.state != State::Open)
        return;
    appendClientFrame(c.out, kText, text, nextMask());
    if (!c.dirty) {
        c.dirty = true;
        m_dirty.push_back(conn);
    }
}

void ConnPool::queue(int conn, std::string_view bytes)
{
    Conn &c = m_conns[std::size_t(conn)];
    c.out.append(bytes.data(), bytes.size());
    if (!c.dirty) {
        c.dirty = true;
        m_dirty.push_back(conn);
    }
}

void ConnPool::close(int conn)
{
    Conn &c = m_conns[std::size_t(conn)];
    if (c.state != State::Open) {
        if (c.state != State::Closing && c.state != State::Closed && c.state != State::Idle)
            abort(conn);
        return;
    }
    std::string frame;
    const char code[2] = {char(1000 >> 8), char(1000 & 0xFF)};
    appendClientFrame(frame, kClose, std::string_view(code, 2), nextMask());
    queue(conn, frame);
    c.state = State::Closing;
}

void ConnPool::abort(int conn, const std::string &reason)
{
    Conn &c = m_conns[std::size_t(conn)];
    if (c.fd < 0)
        return;
    finish(conn, reason);
}

void ConnPool::finish(int conn, const std::string &reason)
{
    Conn &c = m_conns[std::size_t(conn)];
    const State previous = c.state;
    if (c.fd >= 0)
        ::close(c.fd); // also leaves the epoll set
    c.fd = -1;
    c.state = State::Closed;
    c.in.clear();
    c.in.shrink_to_fit();
    c.out.clear();
    c.out.shrink_to_fit();
    c.fragments.clear();
    c.fragments.shrink_to_fit();
    if (previous != State::Closed && previous != State::Idle)
        m_handler->onClosed(conn, previous, reason);
}

void ConnPool::watchWrite(int conn, bool on)
{
    Conn &c = m_conns[std::size_t(conn)];
    if (c.watchingWrite == on || c.fd < 0)
        return;
    epoll_event event{};
    event.events = EPOLLIN | (on ? EPOLLOUT : 0u);
    event.data.u32 = std::uint32_t(conn);
    epoll_ctl(m_epoll, EPOLL_CTL_MOD, c.fd, &event);
    c.watchingWrite = on;
}

void ConnPool::flush(int conn)
{
    Conn &c = m_conns[std::size_t(conn)];
    c.dirty = false;
    if (c.fd < 0 || c.state == State::Connecting)
        return;
    std::size_t written = 0;
    // Bounded by the buffer: each pass either writes something or stops.
    while (written < c.out.size()) {
        const ssize_t n = ::send(c.fd, c.out.data() + written, c.out.size() - written,
                                 MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            written += std::size_t(n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        finish(conn, errorText("send", errno));
        return;
    }
    c.out.erase(0, written);
    watchWrite(conn, !c.out.empty());
}

void ConnPool::onWritable(int conn)
{
    Conn &c = m_conns[std::size_t(conn)];
    if (c.state == State::Connecting) {
        int error = 0;
        socklen_t length = sizeof error;
        getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &error, &length);
        if (error != 0) {
            finish(conn, errorText("connect", error));
            return;
        }
        c.state = State::Upgrading;
        c.out = m_requests[std::size_t(portIndex(conn))];
    }
    flush(conn);
}

void ConnPool::onReadable(int conn)
{
    Conn &c = m_conns[std::size_t(conn)];
    if (c.state == State::Connecting) {
        onWritable(conn); // a refused connect shows as readable too
        if (c.state == State::Connecting || c.fd < 0)
            return;
    }
    const ssize_t n = ::recv(c.fd, m_buffer.data(), m_buffer.size(), MSG_DONTWAIT);
    if (n == 0) {
        finish(conn, c.state == State::Closing ? std::string() : "closed by the server");
        return;
    }
    if (n < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            finish(conn, errorText("recv", errno));
        return;
    }
    c.bytesIn += n;
    consume(conn, m_buffer.data(), std::size_t(n), monotonicNs());
}

void ConnPool::consume(int conn, char *data, std::size_t size, std::int64_t nowNs)
{
    Conn &c = m_conns[std::size_t(conn)];
    if (c.state == State::Upgrading) {
        c.in.append(data, size);
        const std::size_t end = c.in.find("\r\n\r\n");
        if (end == std::string::npos) {
            if (c.in.size() > kMaxResponseHead)
                finish(conn, "upgrade response too long");
            return;
        }
        const int status = upgradeStatus(std::string_view(c.in).substr(0, end));
        if (status != 101) {
            finish(conn, "HTTP " + std::to_string(status));
            return;
        }
        c.in.erase(0, end + 4);
        c.state = State::Open;
        m_handler->onOpen(conn);
        if (c.fd < 0 || c.in.empty())
            return;
        std::string rest;
        rest.swap(c.in);
        consume(conn, rest.data(), rest.size(), nowNs);
        return;
    }
    // The common case parses straight from the read buffer; only a partial frame is copied.
    if (c.in.empty()) {
        const std::int64_t used = parseFrames(conn, data, size, nowNs);
        if (used >= 0 && c.fd >= 0)
            c.in.assign(data + used, size - std::size_t(used));
        return;
    }
    c.in.append(data, size);
    std::string pending;
    pending.swap(c.in);
    const std::int64_t used = parseFrames(conn, pending.data(), pending.size(), nowNs);
    if (used >= 0 && c.fd >= 0) {
        pending.erase(0, std::size_t(used));
        c.in.swap(pending);
    }
}

std::int64_t ConnPool::parseFrames(int conn, char *data, std::size_t size, std::int64_t nowNs)
{
    Conn &c = m_conns[std::size_t(conn)];
    std::size_t offset = 0;
    // Bounded by the data: every frame consumes at least two bytes.
    while (offset < size && c.fd >= 0) {
        Frame frame;
        std::size_t used = 0;
        const ParseResult result =
            parseFrame(data + offset, size - offset, kMaxMessage, &frame, &used);
        if (result == ParseResult::NeedMore)
            break;
        if (result == ParseResult::Invalid) {
            finish(conn, "invalid frame");
            return -1;
        }
        offset += used;
        switch (frame.opcode) {
        case kText:
        case kBinary:
            if (frame.fin) {
                m_handler->onText(conn, frame.payload, nowNs);
            } else {
                c.fragments.assign(frame.payload.data(), frame.payload.size());
            }
            break;
        case kContinuation:
            c.fragments.append(frame.payload.data(), frame.payload.size());
            if (frame.fin) {
                std::string whole;
                whole.swap(c.fragments);
                m_handler->onText(conn, whole, nowNs);
            }
            break;
        case kPing: {
            std::string pong;
            appendClientFrame(pong, kPong, frame.payload, nextMask());
            queue(conn, pong);
            break;
        }
        case kPong:
            break;
        case kClose:
            if (c.state == State::Open) {
                std::string reply;
                appendClientFrame(reply, kClose, frame.payload.substr(0, 2), nextMask());
                ::send(c.fd, reply.data(), reply.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
                finish(conn, "closed by the server with a close frame");
            } else {
                finish(conn, {});
            }
            return -1;
        default:
            finish(conn, "unknown opcode");
            return -1;
        }
    }
    return std::int64_t(offset);
}

void ConnPool::poll(int timeoutMs)
{
    epoll_event events[kMaxEvents];
    const int count = epoll_wait(m_epoll, events, kMaxEvents, timeoutMs < 0 ? 0 : timeoutMs);
    for (int i = 0; i < count; ++i) {
        const int conn = int(events[i].data.u32);
        if (m_conns[std::size_t(conn)].fd < 0)
            continue;
        const std::uint32_t what = events[i].events;
        if (what & (EPOLLIN | EPOLLHUP | EPOLLERR))
            onReadable(conn);
        if ((what & EPOLLOUT) && m_conns[std::size_t(conn)].fd >= 0)
            onWritable(conn);
    }
    // Writes queued by handlers go out together, one send() per connection.
    m_flushing.clear();
    m_flushing.swap(m_dirty);
    for (int conn : m_flushing)
        flush(conn);
}

} // namespace chat::bench
