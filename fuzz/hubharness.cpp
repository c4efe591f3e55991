#include "hubharness.h"

#include "chathub.h"
#include "fuzzcheck.h"
#include "fuzzpeer.h"

#include <QCoreApplication>
#include <QDeadlineTimer>

namespace chat::fuzz {

using namespace chat::proto;

namespace {

const QString kMainNick = QStringLiteral("fuzz");
// The seed corpus carries this token, so hellos reach both the admission and the refusal paths.
const QString kToken = QStringLiteral("fuzz-token");
constexpr int kAnswerTimeoutMs = 10000;

server::HubConfig fuzzConfig()
{
    server::HubConfig config;
    config.host = QHostAddress::LocalHost;
    config.port = 0;
    config.name = QStringLiteral("fuzz-hub");
    config.token = kToken;
    // The fresh connection may wait a whole run for a hello that gets in.
    config.helloTimeoutMs = 3600 * 1000;
    // Thousands of frames a second on one connection: a rate limit would answer them all with
    // rate_limited, and timers firing mid-run would make a finding depend on the clock.
    config.ratePerSecond = 0;
    config.maxBytesPerSecond = 0; // the same for the byte budgets
    config.maxAddressBytesPerSecond = 0;
    config.pingIntervalMs = 0;
    return config;
}

// Frames addressed to this peer: not someone's presence or someone else's chat message, which
// may arrive at any time.
QList<ServerMessage> ownReplies(const FuzzPeer &peer)
{
    QList<ServerMessage> replies;
    for (const ServerMessage &m : peer.received()) {
        if (std::holds_alternative<Presence>(m))
            continue;
        if (const auto *message = std::get_if<Message>(&m); message && message->from != peer.nick())
            continue;
        replies.append(m);
    }
    return replies;
}

bool isError(const ServerMessage &m, ErrorCode code, const QString &ref)
{
    const auto *error = std::get_if<Error>(&m);
    return error && error->code == code && error->ref == ref && !error->message.isEmpty();
}

bool isRateLimited(const ServerMessage &m)
{
    const auto *error = std::get_if<Error>(&m);
    return error && error->code == ErrorCode::RateLimited;
}

bool isHelloRefusal(ErrorCode code)
{
    return code == ErrorCode::NickInvalid || code == ErrorCode::UnsupportedVersion;
}

// The joined peer's barrier is a ping; the fresh peer's is a send, answered with not_joined or,
// once the fuzz frame got it in, with the message itself.
// The peer's own barrier: its pong, or its own barrier message (the other peer's has the same
// id, and may arrive first).
bool answersBarrier(const ServerMessage &m, const QString &barrier, const QString &nick)
{
    if (const auto *pong = std::get_if<Pong>(&m))
        return pong->id == barrier;
    if (const auto *message = std::get_if<Message>(&m))
        return message->id == barrier && message->from == nick;
    return isError(m, ErrorCode::NotJoined, barrier);
}

bool answered(const FuzzPeer &peer, const QString &barrier)
{
    const QList<ServerMessage> &all = peer.received();
    return std::any_of(all.begin(), all.end(), [&](const ServerMessage &m) {
        return answersBarrier(m, barrier, peer.nick());
    });
}

// A send the hub should take is echoed once it is stored, which may be after the barrier's
// answer: the id to wait for, or empty.
QString echoIdOf(const Decoded<ClientMessage> &sent)
{
    const auto *send = sent.ok() ? std::get_if<Send>(&*sent.message) : nullptr;
    return send ? send->id : QString();
}

bool acknowledged(const FuzzPeer &peer, const QString &id)
{
    const QList<ServerMessage> &all = peer.received();
    return std::any_of(all.begin(), all.end(), [&peer, &id](const ServerMessage &m) {
        const auto *message = std::get_if<Message>(&m);
        const auto *error = std::get_if<Error>(&m);
        return (message && message->id == id && message->from == peer.nick()) ||
               (error && error->ref == id);
    });
}

// This peer's answers to the fuzz frame: its own replies less the barrier's.
QList<ServerMessage> answersTo(const FuzzPeer &peer, const QString &barrier)
{
    QList<ServerMessage> answers = ownReplies(peer);
    answers.removeIf(
        [&](const ServerMessage &m) { return answersBarrier(m, barrier, peer.nick()); });
    return answers;
}

} // namespace

HubHarness::HubHarness()
    : m_hub(std::make_unique<server::ChatHub>(fuzzConfig()))
{
    FUZZ_CHECK(m_hub->listen(), "the hub cannot listen on a loopback port");
    m_tick.start(100);
    joinMain();
    openFresh();
}

HubHarness::~HubHarness() = default;

void HubHarness::waitUntil(const std::function<bool()> &done, const char *what)
{
    const QDeadlineTimer deadline(kAnswerTimeoutMs);
    while (!done()) {
        if (deadline.hasExpired()) {
            std::fprintf(stderr, "no %s within %d ms\n", what, kAnswerTimeoutMs);
            FUZZ_CHECK(false, "the hub stopped answering");
        }
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
    }
}

void HubHarness::joinMain()
{
    m_joined = std::make_unique<FuzzPeer>();
    m_joined->open(m_hub->url());
    // QWebSocket drops what is sent before the upgrade has finished.
    waitUntil([this] { return m_joined->isOpen() || m_joined->isClosed(); }, "main connection");
    Hello hello;
    hello.nick = kMainNick;
    hello.token = kToken;
    m_joined->send(QString::fromUtf8(encode(hello)));
    waitUntil([this] { return !m_joined->nick().isEmpty() || m_joined->isClosed(); },
              "welcome for the main connection");
    FUZZ_CHECK(m_joined->nick() == kMainNick, "the main connection was not admitted");
}

void HubHarness::openFresh()
{
    m_fresh = std::make_unique<FuzzPeer>();
    m_fresh->open(m_hub->url());
    waitUntil([this] { return m_fresh->isOpen() || m_fresh->isClosed(); }, "fresh connection");
    FUZZ_CHECK(m_fresh->isOpen(), "a new connection was not accepted");
}

void HubHarness::retireFresh()
{
    const bool joined = !m_fresh->nick().isEmpty();
    m_fresh.reset(); // aborts the connection
    if (!joined)
        return;
    // Until the hub has seen it leave, the nick is still taken: the next input could differ.
    // (Asked of the hub itself: a presence frame can sit behind Nagle's algorithm for 40 ms.)
    waitUntil([this] { return m_hub->onlineCount() == 1; }, "leave of a fuzz-joined connection");
}

void HubHarness::deliver(const QByteArray &frame)
{
    // QWebSocket carries text frames as QString: invalid UTF-8 arrives as U+FFFD.
    const QString text = QString::fromUtf8(frame);
    // What the hub will make of it, by the codec's own rules: the oracle for its answers.
    const Decoded<ClientMessage> sent = decodeClientMessage(text.toUtf8());
    const QString barrier = QStringLiteral("barrier-%1").arg(++m_round);

    m_joined->clear();
    m_fresh->clear();
    m_joined->send(text);
    m_joined->send(QString::fromUtf8(encode(Ping{barrier})));
    m_fresh->send(text);
    m_fresh->send(QString::fromUtf8(encode(Send{barrier, defaultRoom(), QStringLiteral(".")})));
    const QString echoId = echoIdOf(sent);
    waitUntil(
        [this, &barrier, &echoId] {
            const bool joinedDone = answered(*m_joined, barrier) &&
                                    (echoId.isEmpty() || acknowledged(*m_joined, echoId));
            return m_joined->isClosed() ||
                   (joinedDone && (m_fresh->isClosed() || answered(*m_fresh, barrier)));
        },
        "answer to the fuzz frame");

    checkJoinedReply(sent, barrier);
    checkFreshReply(sent, barrier);
    if (m_fresh->isClosed() || !m_fresh->nick().isEmpty()) {
        retireFresh();
        openFresh();
    }
}

void HubHarness::checkJoinedReply(const Decoded<ClientMessage> &sent, const QString &barrier)
{
    FUZZ_CHECK(!m_joined->isClosed(), "a frame from a joined client closed its connection");
    // Exactly one answer per frame.
    const QList<ServerMessage> answers = answersTo(*m_joined, barrier);
    FUZZ_CHECK(answers.size() == 1, "a joined client got other than one answer to a frame");
    const ServerMessage &reply = answers.at(0);
    if (isRateLimited(reply))
        return;
    if (!sent.ok()) {
        if (isHelloRefusal(sent.code))
            FUZZ_CHECK(isError(reply, ErrorCode::AlreadyJoined, {}), "a bad hello after joining");
        else
            FUZZ_CHECK(isError(reply, sent.code, sent.ref), "a rejected frame got another error");
        return;
    }
    const ClientMessage &message = *sent.message;
    if (std::holds_alternative<Hello>(message)) {
        FUZZ_CHECK(isError(reply, ErrorCode::AlreadyJoined, {}), "a second hello");
    } else if (const auto *send = std::get_if<Send>(&message)) {
        // A repeated id is acknowledged with the original message, so only id and sender match.
        const auto *echo = std::get_if<Message>(&reply);
        FUZZ_CHECK(echo && echo->id == send->id && echo->from == kMainNick,
                   "a send was not acknowledged with its message");
    } else if (const auto *ping = std::get_if<Ping>(&message)) {
        const auto *pong = std::get_if<Pong>(&reply);
        FUZZ_CHECK(pong && pong->id == ping->id, "a ping was not answered with its pong");
    }
}

void HubHarness::checkFreshReply(const Decoded<ClientMessage> &sent, const QString &barrier)
{
    const QList<ServerMessage> replies = answersTo(*m_fresh, barrier);
    if (m_fresh->isClosed()) {
        // A refused hello: one error that says why, and nothing after it.
        FUZZ_CHECK(replies.size() == 1 && std::holds_alternative<Error>(replies.at(0)),
                   "a connection was closed without one error that says why");
        FUZZ_CHECK(!sent.ok() ? isHelloRefusal(sent.code)
                              : std::holds_alternative<Hello>(*sent.message),
                   "a connection was closed for a frame other than a hello");
        if (!sent.ok())
            FUZZ_CHECK(isError(replies.at(0), sent.code, {}), "a hello refused with another code");
        return;
    }
    FUZZ_CHECK(replies.size() == 1, "a new connection got other than one answer to a frame");
    const ServerMessage &reply = replies.at(0);
    if (isRateLimited(reply))
        return;
    if (!sent.ok()) {
        FUZZ_CHECK(!isHelloRefusal(sent.code), "a refused hello left the connection open");
        FUZZ_CHECK(isError(reply, sent.code, sent.ref), "a rejected frame got another error");
        return;
    }
    const ClientMessage &message = *sent.message;
    if (const auto *hello = std::get_if<Hello>(&message)) {
        const auto *welcome = std::get_if<Welcome>(&reply);
        // Its users are as last told: the newcomer comes in the next presence, not in them.
        FUZZ_CHECK(welcome && welcome->nick == hello->nick,
                   "an admitted hello got no welcome with its nick");
    } else if (const auto *send = std::get_if<Send>(&message)) {
        FUZZ_CHECK(isError(reply, ErrorCode::NotJoined, send->id), "a send before the hello");
    } else {
        FUZZ_CHECK(isError(reply, ErrorCode::NotJoined, {}), "a ping before the hello");
    }
}

} // namespace chat::fuzz
