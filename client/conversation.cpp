#include "conversation.h"

#include "clientlogging.h"
#include "codec.h"
#include "errortext.h"
#include "messagemodel.h"
#include "outbox.h"
#include "outboxfile.h"
#include "rooms.h"
#include "validation.h"

#include <QSet>

#include <algorithm>
#include <utility>

namespace chat::client {

namespace {

constexpr qsizetype kMaxShownServerText = 500; // server text is data; keep a hostile one short

// Refusals of the hello that the same hello can never overcome, and other credentials cannot
// either.
bool isFatalHelloError(proto::ErrorCode code)
{
    return code == proto::ErrorCode::NickTaken || code == proto::ErrorCode::NickInvalid ||
           code == proto::ErrorCode::UnsupportedVersion || code == proto::ErrorCode::Unauthorized;
}

// Refusals of the credentials: the person has to give others.
bool isCredentialError(proto::ErrorCode code)
{
    switch (code) {
    case proto::ErrorCode::LoginFailed:
    case proto::ErrorCode::TokenInvalid:
    case proto::ErrorCode::NameTaken:
    case proto::ErrorCode::NameInvalid:
    case proto::ErrorCode::PasswordInvalid:
    case proto::ErrorCode::RegistrationClosed:
    case proto::ErrorCode::InviteInvalid:
    case proto::ErrorCode::AccountDisabled:
    case proto::ErrorCode::DisplayInvalid:
        return true;
    default:
        return false;
    }
}

// A send refused for good: the same message would be refused again (its text, or where it goes:
// a room we are not in, someone who does not exist, a direct room beyond the account's limit).
bool isHopelessForASend(proto::ErrorCode code)
{
    switch (code) {
    case proto::ErrorCode::TextInvalid:
    case proto::ErrorCode::BadMessage:
    case proto::ErrorCode::RoomNotFound:
    case proto::ErrorCode::NotMember:
    case proto::ErrorCode::UserNotFound:
    case proto::ErrorCode::NotAllowed:
    case proto::ErrorCode::TooManyRooms:
        return true;
    default:
        return false;
    }
}

QString shortened(const QString &text)
{
    return text.size() > kMaxShownServerText ? text.left(kMaxShownServerText) + u'…' : text;
}

} // namespace

class Conversation::Private
{
public:
    explicit Private(Conversation *q)
        : q(q)
        , rooms(new Rooms(q))
    {}

    void onWelcome(const proto::Welcome &welcome);
    void onMessage(const proto::Message &message);
    void onPresence(const proto::Presence &presence);
    void onError(const proto::Error &error);
    void onDone(const proto::Done &done);
    void onDevices(const proto::Devices &devices);
    // An answer to a request of ours (members, history, rooms): false when it is not ours.
    [[nodiscard]] bool answers(const QString &ref);
    // Returns whether the message acknowledged one of ours (the outbox then needs saving).
    bool acknowledge(const proto::Message &message);
    // Saves the outbox and tells the controller, after every change to it.
    void outboxChanged();
    void saveOutbox();

    Conversation *const q;
    Rooms *const rooms;
    Outbox outbox;
    QString outboxPath;       // empty: the outbox lives in memory only
    bool saveFailing = false; // the last save failed: the user has been told

    QString wantedNick;
    QString nick; // the account name from the last welcome
    QString display;
    bool admin = false;
    QSet<QString> requests; // account and room requests awaiting their answer
    QSet<QString> quiet;    // ... of them, those made for the models, not by the person
    QString session;
    QString instance; // the history lastSeq counts in
    qint64 lastSeq = 0;
    bool joined = false; // the current connection got its welcome
};

void Conversation::Private::onWelcome(const proto::Welcome &welcome)
{
    if (joined) {
        qCWarning(lcNet) << "ignoring a second welcome";
        return;
    }
    joined = true;
    const bool changed =
        nick != welcome.account || display != welcome.display || admin != welcome.admin;
    nick = welcome.account;
    display = welcome.display;
    admin = welcome.admin;
    session = welcome.session;
    instance = welcome.instance;
    rooms->setOwnAccount(nick);
    rooms->setOwnDisplayName(display);
    if (!welcome.token.isEmpty())
        emit q->tokenReceived(welcome.token);
    if (changed)
        emit q->accountChanged();

    qint64 newest = 0;
    for (const proto::Message &m : welcome.history)
        newest = std::max(newest, m.seq);
    // Resumed: the history continues what we hold. Otherwise the server started afresh or our
    // gap is gone: its view replaces ours.
    rooms->applyWelcome(welcome);
    lastSeq = welcome.resumed ? std::max(lastSeq, newest) : std::max(welcome.seq, newest);
    bool acknowledged = false;
    for (const proto::Message &m : welcome.history)
        acknowledged = acknowledge(m) || acknowledged;
    if (acknowledged)
        outboxChanged();

    qCInfo(lcNet) << "joined as" << nick << (welcome.resumed ? "(resumed)" : "(fresh history)")
                  << "lastSeq" << lastSeq << "unacknowledged" << outbox.size();
    emit q->joined();
}

void Conversation::Private::onMessage(const proto::Message &message)
{
    if (!joined)
        return;
    lastSeq = std::max(lastSeq, message.seq);
    rooms->applyMessage(message);
    if (acknowledge(message))
        outboxChanged();
}

void Conversation::Private::onPresence(const proto::Presence &presence)
{
    if (!joined)
        return;
    rooms->applyPresence(presence);
    // Our own display name, changed here or on another device.
    for (const proto::User &user : presence.joined) {
        if (proto::nickKey(user.name) == proto::nickKey(nick) && user.display != display) {
            display = user.display;
            rooms->setOwnDisplayName(display);
            emit q->accountChanged();
        }
    }
}

void Conversation::Private::onDone(const proto::Done &done)
{
    if (!joined || !requests.remove(done.ref))
        return;
    if (!done.token.isEmpty())
        emit q->tokenReceived(done.token);
    emit q->requestDone(done);
}

bool Conversation::Private::answers(const QString &ref)
{
    quiet.remove(ref);
    return joined && requests.remove(ref);
}

void Conversation::Private::onDevices(const proto::Devices &answer)
{
    if (!joined || !requests.remove(answer.ref))
        return;
    emit q->devicesReceived(answer);
}

void Conversation::Private::onError(const proto::Error &error)
{
    const QString text = describeServerError(error.code, shortened(error.message));
    qCInfo(lcNet) << "server error" << proto::errorCodeName(error.code) << "ref" << error.ref;
    if (!joined) {
        if (isCredentialError(error.code)) {
            emit q->credentialsRefused(error.code, text);
            return;
        }
        if (error.code == proto::ErrorCode::Busy ||
            error.code == proto::ErrorCode::TooManyAttempts) {
            emit q->tryLater(text);
            return;
        }
        if (isFatalHelloError(error.code)) {
            // Retrying the same hello would be refused the same way.
            emit q->refused(text);
            return;
        }
    }
    if (!error.ref.isEmpty() && requests.remove(error.ref)) {
        if (quiet.remove(error.ref))
            emit q->quietRequestFailed(error.ref);
        else
            emit q->requestFailed(error.ref, error.code, text);
        return;
    }
    if (error.code == proto::ErrorCode::TokenInvalid ||
        error.code == proto::ErrorCode::AccountDisabled) {
        // Our token ended (a password change elsewhere, the device ended, an admin): the
        // server closes the connection next.
        emit q->credentialsRefused(error.code, text);
        return;
    }
    if (isHopelessForASend(error.code) && !error.ref.isEmpty() && outbox.acknowledge(error.ref)) {
        rooms->removePending(error.ref);
        outboxChanged();
        emit q->errorOccurred(Conversation::tr("The message was not sent: %1").arg(text));
        return;
    }
    emit q->errorOccurred(text);
    // Anything else that names one of ours (rate_limited, internal, a code from a newer server)
    // may succeed later: it stays queued and is tried again.
    if (!error.ref.isEmpty() && outbox.contains(error.ref))
        emit q->retryLater(error.ref);
}

bool Conversation::Private::acknowledge(const proto::Message &message)
{
    return !nick.isEmpty() && proto::nickKey(message.from) == proto::nickKey(nick) &&
           outbox.acknowledge(message.id);
}

void Conversation::Private::outboxChanged()
{
    saveOutbox();
    emit q->outboxChanged();
}

void Conversation::Private::saveOutbox()
{
    if (outboxPath.isEmpty())
        return;
    QString error;
    if (outboxfile::write(outboxPath, outbox.items(), &error, outbox.typedTimes())) {
        saveFailing = false;
        return;
    }
    // Said once per run of failures: every keystroke of a full disk need not be reported.
    if (std::exchange(saveFailing, true))
        return;
    qCWarning(lcOutbox) << "cannot save the outbox to" << outboxPath << ":" << error;
    emit q->errorOccurred(
        Conversation::tr("Unsent messages cannot be saved (%1); quitting now loses them.")
            .arg(error));
}

// --- Conversation -----------------------------------------------------------------------------

Conversation::Conversation(QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Private>(this))
{}

Conversation::~Conversation() = default;

Rooms *Conversation::rooms() const
{
    return d->rooms;
}

MessageModel *Conversation::messages() const
{
    return d->rooms->current();
}

void Conversation::setWantedAccount(const QString &account)
{
    if (account == d->wantedNick)
        return;
    d->wantedNick = account;
    if (proto::nickKey(account) == proto::nickKey(d->nick))
        return; // the same account, spelled as typed
    d->nick.clear();
    d->display.clear();
    d->admin = false;
    d->session.clear();
    d->rooms->setOwnAccount(account);
    d->rooms->setOwnDisplayName({});
}

QString Conversation::account() const
{
    return d->nick.isEmpty() ? d->wantedNick : d->nick;
}

QString Conversation::displayName() const
{
    return d->display;
}

bool Conversation::isAdmin() const
{
    return d->admin;
}

void Conversation::setDisplayName(const QString &display)
{
    if (display == d->display)
        return;
    d->display = display;
    d->rooms->setOwnDisplayName(display);
    emit accountChanged();
}

void Conversation::trackRequest(const QString &id, bool quiet)
{
    d->requests.insert(id);
    if (quiet)
        d->quiet.insert(id);
}

bool Conversation::isRequestPending(const QString &id) const
{
    return d->requests.contains(id);
}

void Conversation::forgetResumePoint()
{
    d->lastSeq = 0;
    d->instance.clear();
    d->session.clear();
}

qint64 Conversation::lastSeq() const
{
    return d->lastSeq;
}

int Conversation::pendingCount() const
{
    return d->outbox.size();
}

bool Conversation::isJoined() const
{
    return d->joined;
}

proto::Hello Conversation::hello() const
{
    proto::Hello hello;
    if (d->lastSeq > 0) {
        hello.lastSeq = d->lastSeq;
        hello.instance = d->instance;
    }
    hello.session = d->session;
    return hello;
}

void Conversation::handleFrame(const QString &frame)
{
    const proto::Decoded<proto::ServerMessage> decoded = proto::decodeServerMessage(frame.toUtf8());
    if (!decoded.ok()) {
        // A newer server may send kinds this client does not know: skip them, keep going.
        qCWarning(lcNet) << "ignoring a frame from the server:" << decoded.reason;
        return;
    }
    std::visit(
        [this](const auto &message) {
            using T = std::decay_t<decltype(message)>;
            if constexpr (std::is_same_v<T, proto::Welcome>)
                d->onWelcome(message);
            else if constexpr (std::is_same_v<T, proto::Message>)
                d->onMessage(message);
            else if constexpr (std::is_same_v<T, proto::Presence>)
                d->onPresence(message);
            else if constexpr (std::is_same_v<T, proto::Error>)
                d->onError(message);
            else if constexpr (std::is_same_v<T, proto::Done>)
                d->onDone(message);
            else if constexpr (std::is_same_v<T, proto::Devices>)
                d->onDevices(message);
            else if constexpr (std::is_same_v<T, proto::TypingNotice>)
                d->rooms->applyTyping(message);
            else if constexpr (std::is_same_v<T, proto::RoomUpdate>)
                d->rooms->applyRoom(message.room);
            else if constexpr (std::is_same_v<T, proto::RoomGone>)
                d->rooms->applyRoomGone(message);
            else if constexpr (std::is_same_v<T, proto::Unread>)
                d->rooms->applyUnread(message);
            else if constexpr (std::is_same_v<T, proto::MemberList>) {
                if (d->answers(message.ref))
                    d->rooms->applyMembers(message);
            } else if constexpr (std::is_same_v<T, proto::HistoryPage>) {
                if (d->answers(message.ref))
                    d->rooms->applyHistory(message);
            } else if constexpr (std::is_same_v<T, proto::RoomList>) {
                if (d->answers(message.ref))
                    emit roomListReceived(message);
            } else if constexpr (std::is_same_v<T, proto::Pong>) {
                // This client sends no pings.
            } else {
                static_assert(std::is_same_v<T, void>, "a server message is not handled");
            }
        },
        *decoded.message);
}

void Conversation::connectionLost()
{
    d->joined = false;
    d->rooms->connectionLost();
    // Their answers would come on the lost connection: they may or may not have been done.
    const QSet<QString> unanswered = std::exchange(d->requests, {});
    const QSet<QString> quiet = std::exchange(d->quiet, {});
    for (const QString &id : quiet)
        emit quietRequestFailed(id);
    for (const QString &id : unanswered - quiet)
        emit requestFailed(id, proto::ErrorCode::Internal,
                           tr("The connection was lost before the server answered."));
}

proto::Send Conversation::queue(const QString &room, const QString &to, const QString &text)
{
    const proto::Send send = d->outbox.enqueue(text, room, to);
    d->rooms->addPending(send, d->outbox.typedAt(send.id));
    d->outboxChanged();
    return send;
}

QList<proto::Send> Conversation::unacknowledged() const
{
    return d->outbox.items();
}

void Conversation::setOutboxPath(const QString &path)
{
    if (path == d->outboxPath)
        return;
    // What the old file holds stays there; what never reached a file comes along, and so does
    // everything when going back to memory only.
    const bool carry = d->outboxPath.isEmpty() || d->saveFailing || path.isEmpty();
    const QList<proto::Send> previous = d->outbox.takeAll();
    for (const proto::Send &send : previous)
        d->rooms->removePending(send.id);
    d->outboxPath = path;
    d->saveFailing = false;

    // Restored messages are older than anything typed in this run, so they go first.
    QHash<QString, QDateTime> typed;
    const QList<proto::Send> restored =
        path.isEmpty() ? QList<proto::Send>{} : outboxfile::read(path, &typed);
    for (const proto::Send &send : restored)
        d->outbox.enqueue(send, typed.value(send.id));
    if (carry) {
        for (const proto::Send &send : previous)
            d->outbox.enqueue(send);
    }
    for (const proto::Send &send : d->outbox.items())
        d->rooms->addPending(send, d->outbox.typedAt(send.id));
    qCInfo(lcOutbox) << "outbox" << (path.isEmpty() ? QStringLiteral("in memory") : path) << "holds"
                     << d->outbox.size() << "unsent messages," << restored.size() << "restored";
    if (carry && !previous.isEmpty())
        d->saveOutbox();
    emit outboxChanged();
}

QString Conversation::outboxPath() const
{
    return d->outboxPath;
}

} // namespace chat::client
