#include "hubharness.h"

#include "accounts/accounts.h"
#include "chat/chathub.h"
#include "fuzzcheck.h"
#include "fuzzpeer.h"
#include "namekey.h"
#include "validation.h"

#include <QCoreApplication>
#include <QDeadlineTimer>

#include <limits>

namespace chat::fuzz {

using namespace chat::proto;

namespace {

// What the seed corpus and the dictionary carry (fuzz/protocol.dict).
const QString kAccount = QStringLiteral("fuzz");
const QString kPassword = QStringLiteral("fuzz-password");
const QString kToken = QStringLiteral("fuzz-token");
const QString kDevice = QStringLiteral("fuzz");
// The rooms the account is in besides the lobby, so that room requests find a room to act on.
const QString kPublicRoom = QStringLiteral("fuzz-room");
const QString kPrivateRoom = QStringLiteral("fuzz-private");
constexpr int kAnswerTimeoutMs = 10000;

const QByteArray &tokenHash()
{
    static const QByteArray hash = server::Accounts::hashToken(kToken);
    return hash;
}

// The id the joined connection's device has in a devices list (33cc09ba35314d19).
const QString &deviceId()
{
    static const QString id = server::Accounts::deviceId(tokenHash());
    return id;
}

server::HubConfig fuzzConfig()
{
    server::HubConfig config;
    config.host = QHostAddress::LocalHost;
    config.port = 0;
    config.name = QStringLiteral("fuzz-hub");
    // The fresh connection may wait a whole run for a hello that gets in.
    config.helloTimeoutMs = 3600 * 1000;
    // Thousands of frames a second on one connection: a rate limit would answer them all with
    // rate_limited, and timers firing mid-run would make a finding depend on the clock.
    config.ratePerSecond = 0;
    config.maxBytesPerSecond = 0; // the same for the byte budgets
    config.maxAddressBytesPerSecond = 0;
    config.pingIntervalMs = 0;
    // libsodium's minimum Argon2id limits: a login costs microseconds, not 50 ms.
    config.accounts.cheapHashes = true;
    config.accounts.hashWorkers = 1;
    // The throttles would make an input's answer depend on the ones before it and on the clock
    // (three wrong passwords from 127.0.0.1, and for minutes no password login gets in); they
    // have their own tests (tst_accounts). Sign-ups stay limited, to bound the accounts a long
    // run leaves behind: 100 every 10 minutes, then too_many_attempts.
    config.accounts.freeFailures = std::numeric_limits<int>::max();
    config.accounts.registrationsPerAddress = 100;
    config.accounts.tokenExpiryDays = 0;
    return config;
}

// Decoding errors that close a connection that has not logged in (as ChatSession refuses).
bool isHelloRefusal(ErrorCode code)
{
    return code == ErrorCode::NickInvalid || code == ErrorCode::UnsupportedVersion ||
           code == ErrorCode::NameInvalid || code == ErrorCode::PasswordInvalid ||
           code == ErrorCode::DisplayInvalid;
}

bool isError(const ServerMessage &m, ErrorCode code, const QString &ref)
{
    const auto *error = std::get_if<Error>(&m);
    return error && error->code == code && error->ref == ref && !error->message.isEmpty();
}

bool isDone(const ServerMessage &m, const QString &ref)
{
    const auto *done = std::get_if<Done>(&m);
    return done && done->ref == ref;
}

bool isRateLimited(const ServerMessage &m)
{
    const auto *error = std::get_if<Error>(&m);
    return error && error->code == ErrorCode::RateLimited;
}

bool sameAccount(const QString &a, const QString &b)
{
    return accountNameKey(a) == accountNameKey(b);
}

// Frames that answer this peer's own frames: not news that may come at any time (someone's
// presence or typing, a room's new state, counts, events, someone else's chat message).
bool isAnswer(const FuzzPeer &peer, const ServerMessage &m)
{
    if (std::holds_alternative<Presence>(m) || std::holds_alternative<TypingNotice>(m) ||
        std::holds_alternative<RoomUpdate>(m) || std::holds_alternative<RoomGone>(m) ||
        std::holds_alternative<Unread>(m))
        return false;
    if (const auto *message = std::get_if<Message>(&m))
        return message->event.isEmpty() && message->from == peer.account();
    return true;
}

QList<ServerMessage> ownReplies(const FuzzPeer &peer)
{
    QList<ServerMessage> replies;
    for (const ServerMessage &m : peer.received()) {
        if (isAnswer(peer, m))
            replies.append(m);
    }
    return replies;
}

// The barriers: the joined peer's is a ping, the fresh peer's a send, answered with not_joined
// or, once the fuzz frame logged it in, with the message itself (which reaches the joined peer
// too when both are logged in to `fuzz`).
bool isBarrierFrame(const ServerMessage &m, const QString &barrier)
{
    if (const auto *pong = std::get_if<Pong>(&m))
        return pong->id == barrier;
    if (const auto *message = std::get_if<Message>(&m))
        return message->id == barrier;
    return isError(m, ErrorCode::NotJoined, barrier);
}

bool joinedAnswered(const FuzzPeer &peer, const QString &barrier)
{
    const QList<ServerMessage> &all = peer.received();
    return std::any_of(all.begin(), all.end(), [&](const ServerMessage &m) {
        const auto *pong = std::get_if<Pong>(&m);
        return pong && pong->id == barrier;
    });
}

bool freshAnswered(const FuzzPeer &peer, const QString &barrier)
{
    const QList<ServerMessage> &all = peer.received();
    return std::any_of(all.begin(), all.end(), [&](const ServerMessage &m) {
        const auto *message = std::get_if<Message>(&m);
        return (message && message->id == barrier && message->from == peer.account()) ||
               isError(m, ErrorCode::NotJoined, barrier);
    });
}

// The id of a send, an account request or a room request. A send is echoed once it is stored, a
// password change answered once hashed: either may come after the barrier's answer.
QString awaitedIdOf(const Decoded<ClientMessage> &sent)
{
    if (!sent.ok())
        return {};
    return std::visit(
        [](const auto &m) -> QString {
            using T = std::decay_t<decltype(m)>;
            if constexpr (std::is_same_v<T, Hello> || std::is_same_v<T, Ping> ||
                          std::is_same_v<T, Typing> || std::is_same_v<T, MarkRead>)
                return {};
            else
                return m.id;
        },
        *sent.message);
}

// The ref of an answer to a request (empty for other frames).
QString refOf(const ServerMessage &m)
{
    return std::visit(
        [](const auto &answer) -> QString {
            using T = std::decay_t<decltype(answer)>;
            if constexpr (std::is_same_v<T, Error> || std::is_same_v<T, Done> ||
                          std::is_same_v<T, Devices> || std::is_same_v<T, RoomList> ||
                          std::is_same_v<T, MemberList> || std::is_same_v<T, HistoryPage>)
                return answer.ref;
            else
                return {};
        },
        m);
}

bool acknowledged(const FuzzPeer &peer, const QString &id)
{
    const QList<ServerMessage> &all = peer.received();
    return std::any_of(all.begin(), all.end(), [&peer, &id](const ServerMessage &m) {
        if (const auto *message = std::get_if<Message>(&m))
            return message->id == id && message->from == peer.account();
        return refOf(m) == id;
    });
}

// The refusals a room request (or a send into a room) may get, whatever the rooms are like.
bool isRoomRefusal(ErrorCode code)
{
    switch (code) {
    case ErrorCode::RoomNotFound:
    case ErrorCode::NotMember:
    case ErrorCode::NotOwner:
    case ErrorCode::RoomExists:
    case ErrorCode::InviteOnly:
    case ErrorCode::UserNotFound:
    case ErrorCode::NotAllowed:
    case ErrorCode::TooManyRooms:
        return true;
    default:
        return false;
    }
}

bool isRoomRefusalOf(const ServerMessage &m, const QString &ref)
{
    const auto *error = std::get_if<Error>(&m);
    return error && error->ref == ref && !error->message.isEmpty() && isRoomRefusal(error->code);
}

// This peer's answers to the fuzz frame: its own replies less the barriers'.
QList<ServerMessage> answersTo(const FuzzPeer &peer, const QString &barrier)
{
    QList<ServerMessage> answers = ownReplies(peer);
    answers.removeIf([&](const ServerMessage &m) { return isBarrierFrame(m, barrier); });
    return answers;
}

// Whether `code` is a refusal this (valid) hello may get, with the accounts as they are.
bool refusalFits(const Hello &hello, ErrorCode code)
{
    if (hello.login) {
        // Unknown name or wrong password: the same answer. `fuzz` with its password gets in.
        return code == ErrorCode::LoginFailed &&
               !(sameAccount(hello.login->name, kAccount) && hello.login->password == kPassword);
    }
    if (hello.registration) {
        if (sameAccount(hello.registration->name, kAccount))
            return code == ErrorCode::NameTaken;
        return code == ErrorCode::NameTaken || code == ErrorCode::TooManyAttempts;
    }
    return code == ErrorCode::TokenInvalid && hello.token != kToken;
}

} // namespace

HubHarness::HubHarness()
    : m_hub(std::make_unique<server::ChatHub>(fuzzConfig()))
{
    FUZZ_CHECK(m_hub->listen(), "the hub cannot listen on a loopback port");
    m_tick.start(100);
    createAccount();
    joinMain();
    createRooms();
    openFresh();
}

void HubHarness::request(const QByteArray &frame, const QString &id)
{
    m_joined->clear();
    m_joined->send(QString::fromUtf8(frame));
    waitUntil([this, &id] { return acknowledged(*m_joined, id) || m_joined->isClosed(); },
              "answer to the harness's own request");
    FUZZ_CHECK(!m_joined->isClosed(), "the hub closed the harness's own connection");
}

void HubHarness::createRooms()
{
    CreateRoom open;
    open.id = QStringLiteral("harness-room");
    open.name = kPublicRoom;
    open.title = QStringLiteral("Fuzz");
    open.topic = QStringLiteral("where the fuzzer talks");
    request(encode(open), open.id);
    CreateRoom closed = open;
    closed.id = QStringLiteral("harness-private");
    closed.name = kPrivateRoom;
    closed.isPrivate = true;
    request(encode(closed), closed.id);
    const QList<ServerMessage> &answers = m_joined->received();
    FUZZ_CHECK(std::any_of(answers.begin(), answers.end(),
                           [](const ServerMessage &m) {
                               return isDone(m, QStringLiteral("harness-private"));
                           }),
               "the harness's private room cannot be created");
    m_joined->clear();
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

void HubHarness::createAccount()
{
    server::Accounts *accounts = m_hub->accounts();
    bool hashed = false;
    FUZZ_CHECK(accounts->hashPassword(kPassword,
                                      [this, &hashed](QByteArray hash) {
                                          m_passwordHash = std::move(hash);
                                          hashed = true;
                                      }),
               "the hub cannot hash a password");
    waitUntil([&hashed] { return hashed; }, "password hash");
    FUZZ_CHECK(!m_passwordHash.isEmpty(), "hashing the account's password failed");
    QString reason;
    const std::optional<server::Account> account =
        accounts->createAccount(kAccount, m_passwordHash, false, &reason);
    if (!account)
        std::fprintf(stderr, "cannot create the account: %s\n", qPrintable(reason));
    FUZZ_CHECK(account, "the account for the fuzzer cannot be created");
    m_accountId = account->id;
    restoreAccounts();
}

void HubHarness::restoreAccounts()
{
    server::AccountStore *store = m_hub->accounts()->store();
    std::optional<server::Account> account = store->findById(m_accountId);
    FUZZ_CHECK(account, "the fuzzer's account is gone");
    if (account->passwordHash != m_passwordHash) { // changed by a change_password
        account->passwordHash = m_passwordHash;
        FUZZ_CHECK(store->update(*account), "cannot put the account's password back");
    }
    QList<QByteArray> others;
    for (const server::Account &any : store->list()) {
        for (const server::TokenRecord &token : store->tokens(any.id)) {
            if (token.hash != tokenHash())
                others.append(token.hash);
        }
    }
    if (!others.isEmpty())
        FUZZ_CHECK(store->removeTokens(others) == others.size(), "cannot remove tokens");
    if (!store->findToken(tokenHash())) { // first, or ended by a logout or a change_password
        server::TokenRecord token;
        token.hash = tokenHash();
        token.accountId = m_accountId;
        token.device = kDevice;
        token.created = token.lastUsed = QDateTime::currentDateTimeUtc();
        FUZZ_CHECK(store->addToken(token), "cannot store the fuzzer's token");
    }
}

void HubHarness::joinMain()
{
    m_joined = std::make_unique<FuzzPeer>();
    m_joinedMoved = false;
    m_joined->open(m_hub->url());
    // QWebSocket drops what is sent before the upgrade has finished.
    waitUntil([this] { return m_joined->isOpen() || m_joined->isClosed(); }, "main connection");
    Hello hello;
    hello.token = kToken;
    hello.device = kDevice;
    m_joined->send(QString::fromUtf8(encode(hello)));
    waitUntil([this] { return !m_joined->account().isEmpty() || m_joined->isClosed(); },
              "welcome for the main connection");
    FUZZ_CHECK(m_joined->account() == kAccount, "the main connection was not admitted");
}

void HubHarness::openFresh()
{
    m_fresh = std::make_unique<FuzzPeer>();
    m_fresh->open(m_hub->url());
    waitUntil([this] { return m_fresh->isOpen() || m_fresh->isClosed(); }, "fresh connection");
    FUZZ_CHECK(m_fresh->isOpen(), "a new connection was not accepted");
}

void HubHarness::deliver(const QByteArray &frame)
{
    // QWebSocket carries text frames as QString: invalid UTF-8 arrives as U+FFFD.
    const QString text = QString::fromUtf8(frame);
    // What the hub will make of it, by the codec's own rules: the oracle for its answers.
    const Decoded<ClientMessage> sent = decodeClientMessage(text.toUtf8());
    const QString barrier = QStringLiteral("barrier-%1").arg(++m_round);
    const bool hello = sent.ok() && std::holds_alternative<Hello>(*sent.message);

    m_joined->clear();
    m_fresh->clear();
    m_joined->send(text);
    m_joined->send(QString::fromUtf8(encode(Ping{barrier})));
    m_fresh->send(text);
    m_fresh->send(QString::fromUtf8(encode(Send{barrier, defaultRoom(), {}, QStringLiteral(".")})));
    const QString awaited = awaitedIdOf(sent);
    waitUntil(
        [&] {
            const bool joinedDone =
                m_joined->isClosed() || (joinedAnswered(*m_joined, barrier) &&
                                         (awaited.isEmpty() || acknowledged(*m_joined, awaited)));
            // A hello with a password is answered once hashed, after the barrier's not_joined.
            const bool freshDone =
                m_fresh->isClosed() ||
                (freshAnswered(*m_fresh, barrier) && (!hello || !m_fresh->account().isEmpty()));
            return joinedDone && freshDone;
        },
        "answer to the fuzz frame");

    checkJoinedReply(sent, barrier);
    checkFreshReply(sent, barrier);

    // Connections that are done go; the hub must have seen them go before the accounts are put
    // back (their tokens end) and before the next input (an account online or not).
    const bool freshDone = m_fresh->isClosed() || !m_fresh->account().isEmpty();
    const bool joinedDone = m_joined->isClosed() || m_joinedMoved;
    if (freshDone)
        m_fresh.reset(); // aborts the connection
    if (joinedDone)
        m_joined.reset();
    if (freshDone || joinedDone) {
        const int left = (m_joined ? 1 : 0) + (m_fresh ? 1 : 0);
        waitUntil([this, left] { return m_hub->connectionCount() == left; },
                  "the hub to see connections close");
    }
    if (sent.ok() && !std::holds_alternative<Send>(*sent.message) &&
        !std::holds_alternative<Ping>(*sent.message))
        restoreAccounts();
    if (m_roomsChanged) {
        restoreRooms();
        return;
    }
    if (!m_joined)
        joinMain();
    if (!m_fresh)
        openFresh();
}

void HubHarness::restoreRooms()
{
    // Rooms change in too many ways to undo one by one (members, owners, titles, direct rooms,
    // the rooms an account may still create): a new hub on new stores is the state the run
    // started from, and costs a few milliseconds once in a while.
    m_roomsChanged = false;
    m_fresh.reset();
    m_joined.reset();
    waitUntil([this] { return m_hub->connectionCount() == 0; }, "the hub to see connections close");
    m_hub.reset();
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    m_hub = std::make_unique<server::ChatHub>(fuzzConfig());
    FUZZ_CHECK(m_hub->listen(), "a new hub cannot listen on a loopback port");
    createAccount();
    joinMain();
    createRooms();
    openFresh();
}

void HubHarness::checkJoinedReply(const Decoded<ClientMessage> &sent, const QString &barrier)
{
    const QList<ServerMessage> answers = answersTo(*m_joined, barrier);
    if (m_joined->isClosed()) {
        // Two requests end the logged-in connection: a logout (done, then the close) and ending
        // its own device (token_invalid, then the close).
        const auto *logout = sent.ok() ? std::get_if<Logout>(&*sent.message) : nullptr;
        const auto *end = sent.ok() ? std::get_if<EndDevice>(&*sent.message) : nullptr;
        FUZZ_CHECK(logout || end, "a frame from a joined client closed its connection");
        if (logout)
            FUZZ_CHECK(answers.size() == 1 && isDone(answers.at(0), logout->id),
                       "a logout was not answered with one done before the close");
        else
            FUZZ_CHECK(end->device == deviceId() && answers.size() == 1 &&
                           isError(answers.at(0), ErrorCode::TokenInvalid, {}),
                       "ending a device closed the connection without one token_invalid");
        return;
    }
    // Typing and read marks are answered only when refused; every other frame exactly once.
    const bool silent = sent.ok() && (std::holds_alternative<Typing>(*sent.message) ||
                                      std::holds_alternative<MarkRead>(*sent.message));
    if (silent && answers.isEmpty())
        return;
    FUZZ_CHECK(answers.size() == 1, "a joined client got other than one answer to a frame");
    const ServerMessage &reply = answers.at(0);
    if (isRateLimited(reply))
        return;
    if (!sent.ok()) {
        // A bad hello too: this connection has logged in, it is not refused.
        FUZZ_CHECK(isError(reply, sent.code, sent.ref), "a rejected frame got another error");
        return;
    }
    const ClientMessage &message = *sent.message;
    if (std::holds_alternative<Hello>(message)) {
        FUZZ_CHECK(isError(reply, ErrorCode::AlreadyJoined, {}), "a second hello");
    } else if (const auto *send = std::get_if<Send>(&message)) {
        // A repeated id is acknowledged with the original message, so only id and sender match.
        // A room the account is not in, or a direct message to nobody, is refused.
        const auto *echo = std::get_if<Message>(&reply);
        // (The original may be in another room: ids are the account's, whatever the room.)
        FUZZ_CHECK((echo && echo->id == send->id && echo->from == kAccount) ||
                       isRoomRefusalOf(reply, send->id),
                   "a send was neither acknowledged with its message nor refused for its room");
        // A direct message may have made a direct room.
        m_roomsChanged = m_roomsChanged || (echo && !send->to.isEmpty());
    } else if (std::holds_alternative<Typing>(message) ||
               std::holds_alternative<MarkRead>(message)) {
        FUZZ_CHECK(isRoomRefusalOf(reply, {}), "a typing notice or read mark got an answer");
    } else if (const auto *list = std::get_if<ListRooms>(&message)) {
        const auto *rooms = std::get_if<RoomList>(&reply);
        FUZZ_CHECK(rooms && rooms->ref == list->id && rooms->rooms.size() <= list->limit,
                   "a rooms request was not answered with at most a page of rooms");
        for (const RoomSummary &room : rooms->rooms)
            FUZZ_CHECK(room.name > list->after && !isDirectRoomName(room.name) &&
                           room.name != kPrivateRoom,
                       "the room list holds a room before `after`, a direct or a private room");
    } else if (const auto *members = std::get_if<ListMembers>(&message)) {
        const auto *page = std::get_if<MemberList>(&reply);
        FUZZ_CHECK((page && page->ref == members->id && page->room == members->room &&
                    page->members.size() <= members->limit) ||
                       isRoomRefusalOf(reply, members->id),
                   "a members request got neither a page of members nor a room refusal");
    } else if (const auto *load = std::get_if<LoadHistory>(&message)) {
        const auto *page = std::get_if<HistoryPage>(&reply);
        if (page) {
            FUZZ_CHECK(page->ref == load->id && page->room == load->room &&
                           page->messages.size() <= load->limit,
                       "a history page names another request or room, or is too long");
            for (qsizetype i = 0; i < page->messages.size(); ++i) {
                const Message &m = page->messages.at(i);
                FUZZ_CHECK(m.room == load->room && (load->before == 0 || m.seq < load->before) &&
                               (i == 0 || m.seq > page->messages.at(i - 1).seq),
                           "a history page holds another room's, a newer or an unordered message");
            }
        } else {
            FUZZ_CHECK(isRoomRefusalOf(reply, load->id),
                       "a history request got neither a page nor a room refusal");
        }
    } else if (std::holds_alternative<CreateRoom>(message) ||
               std::holds_alternative<JoinRoom>(message) ||
               std::holds_alternative<LeaveRoom>(message) ||
               std::holds_alternative<InviteToRoom>(message) ||
               std::holds_alternative<RemoveFromRoom>(message) ||
               std::holds_alternative<UpdateRoom>(message) ||
               std::holds_alternative<TransferRoom>(message)) {
        const QString id = awaitedIdOf(sent);
        FUZZ_CHECK(isDone(reply, id) || isRoomRefusalOf(reply, id),
                   "a room request got neither done nor a room refusal");
        m_roomsChanged = m_roomsChanged || isDone(reply, id);
    } else if (const auto *ping = std::get_if<Ping>(&message)) {
        const auto *pong = std::get_if<Pong>(&reply);
        FUZZ_CHECK(pong && pong->id == ping->id, "a ping was not answered with its pong");
    } else if (std::holds_alternative<Logout>(message)) {
        FUZZ_CHECK(false, "a logout left the connection open");
    } else if (const auto *change = std::get_if<ChangePassword>(&message)) {
        if (const auto *done = std::get_if<Done>(&reply)) {
            FUZZ_CHECK(done->ref == change->id && !done->token.isEmpty() &&
                           change->oldPassword == kPassword,
                       "a password change was done without the old password, or no token");
            m_joinedMoved = true;
        } else {
            const auto *error = std::get_if<Error>(&reply);
            FUZZ_CHECK(
                error && error->ref == change->id && !error->message.isEmpty() &&
                    ((error->code == ErrorCode::LoginFailed && change->oldPassword != kPassword) ||
                     error->code == ErrorCode::PasswordInvalid),
                "a password change got neither done nor the error that fits");
        }
    } else if (const auto *list = std::get_if<ListDevices>(&message)) {
        // The account has this one token: the harness ends every other after each input.
        const auto *devices = std::get_if<Devices>(&reply);
        FUZZ_CHECK(devices && devices->ref == list->id && devices->devices.size() == 1 &&
                       devices->devices.at(0).current && devices->devices.at(0).id == deviceId(),
                   "the devices list is not this one device");
    } else if (const auto *end = std::get_if<EndDevice>(&message)) {
        FUZZ_CHECK(end->device != deviceId() && isError(reply, ErrorCode::BadMessage, end->id),
                   "ending a device the account does not have was not refused");
    } else if (const auto *display = std::get_if<SetDisplay>(&message)) {
        FUZZ_CHECK(isDone(reply, display->id) ||
                       isError(reply, ErrorCode::DisplayInvalid, display->id),
                   "a display name change got neither done nor display_invalid");
    }
}

void HubHarness::checkFreshReply(const Decoded<ClientMessage> &sent, const QString &barrier)
{
    const QList<ServerMessage> replies = answersTo(*m_fresh, barrier);
    if (m_fresh->isClosed()) {
        // A refused hello: one error that says why, and nothing after it.
        FUZZ_CHECK(replies.size() == 1 && std::holds_alternative<Error>(replies.at(0)),
                   "a connection was closed without one error that says why");
        const Error &error = std::get<Error>(replies.at(0));
        if (!sent.ok()) {
            FUZZ_CHECK(isHelloRefusal(sent.code), "a connection was closed for a bad frame");
            FUZZ_CHECK(isError(replies.at(0), sent.code, {}), "a hello refused with another code");
            return;
        }
        const auto *hello = std::get_if<Hello>(&*sent.message);
        FUZZ_CHECK(hello, "a connection was closed for a frame other than a hello");
        if (!refusalFits(*hello, error.code))
            std::fprintf(stderr, "refused with %s: %s\n", qPrintable(errorCodeName(error.code)),
                         qPrintable(error.message));
        FUZZ_CHECK(refusalFits(*hello, error.code) && error.ref.isEmpty() &&
                       !error.message.isEmpty(),
                   "a hello was refused with a code that does not fit it");
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
        // Its users are as last told: the newcomer comes in the next presence, not in them.
        const auto *welcome = std::get_if<Welcome>(&reply);
        FUZZ_CHECK(welcome && !welcome->account.isEmpty() && !welcome->session.isEmpty(),
                   "an admitted hello got no welcome");
        if (hello->login) {
            FUZZ_CHECK(sameAccount(welcome->account, hello->login->name) &&
                           !welcome->token.isEmpty(),
                       "a password login welcomed to another account, or without a token");
        } else if (hello->registration) {
            FUZZ_CHECK(welcome->account == hello->registration->name &&
                           welcome->display == hello->registration->display &&
                           !welcome->token.isEmpty() && !sameAccount(welcome->account, kAccount),
                       "a registration welcomed to another account, or without a token");
        } else {
            FUZZ_CHECK(hello->token == kToken && welcome->account == kAccount &&
                           welcome->token.isEmpty(),
                       "a token hello welcomed with a token nobody issued");
        }
    } else if (const auto *send = std::get_if<Send>(&message)) {
        FUZZ_CHECK(isError(reply, ErrorCode::NotJoined, send->id), "a send before the hello");
    } else if (std::holds_alternative<Ping>(message)) {
        FUZZ_CHECK(isError(reply, ErrorCode::NotJoined, {}), "a ping before the hello");
    } else {
        FUZZ_CHECK(isError(reply, ErrorCode::NotJoined, awaitedIdOf(sent)),
                   "an account request before the hello");
    }
}

} // namespace chat::fuzz
