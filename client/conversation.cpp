#include "conversation.h"

#include "clientlogging.h"
#include "codec.h"
#include "messagemodel.h"
#include "outbox.h"
#include "userlistmodel.h"
#include "validation.h"

#include <algorithm>

namespace chat::client {

namespace {

constexpr qsizetype kMaxShownServerText = 500; // server text is data; keep a hostile one short

// Refusals of the hello that the same hello can never overcome.
bool isFatalHelloError(proto::ErrorCode code)
{
    return code == proto::ErrorCode::NickTaken || code == proto::ErrorCode::NickInvalid ||
           code == proto::ErrorCode::UnsupportedVersion || code == proto::ErrorCode::Unauthorized;
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
        , messages(new MessageModel(q))
        , users(new UserListModel(q))
    {}

    void onWelcome(const proto::Welcome &welcome);
    void onMessage(const proto::Message &message);
    void onPresence(const proto::Presence &presence);
    void onError(const proto::Error &error);
    void acknowledge(const proto::Message &message);

    Conversation *const q;
    MessageModel *const messages;
    UserListModel *const users;
    Outbox outbox;

    QString wantedNick;
    QString nick; // from the last welcome
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
    nick = welcome.nick;
    session = welcome.session;
    instance = welcome.instance;
    messages->setOwnNick(nick);
    users->setUsers(welcome.users);

    qint64 newest = 0;
    for (const proto::Message &m : welcome.history)
        newest = std::max(newest, m.seq);
    if (welcome.resumed) {
        messages->appendHistory(welcome.history);
        lastSeq = std::max(lastSeq, newest);
    } else {
        // The server started afresh or our gap is gone: its view replaces ours.
        messages->resetHistory(welcome.history);
        lastSeq = std::max(welcome.seq, newest);
    }
    for (const proto::Message &m : welcome.history)
        acknowledge(m);

    qCInfo(lcNet) << "joined as" << nick << (welcome.resumed ? "(resumed)" : "(fresh history)")
                  << "lastSeq" << lastSeq << "unacknowledged" << outbox.size();
    emit q->joined();
}

void Conversation::Private::onMessage(const proto::Message &message)
{
    if (!joined)
        return;
    lastSeq = std::max(lastSeq, message.seq);
    messages->addMessage(message);
    acknowledge(message);
}

void Conversation::Private::onPresence(const proto::Presence &presence)
{
    if (!joined)
        return;
    if (presence.event == proto::Presence::Event::Join)
        users->addUser(presence.nick);
    else
        users->removeUser(presence.nick);
}

void Conversation::Private::onError(const proto::Error &error)
{
    const QString text = shortened(error.message);
    qCInfo(lcNet) << "server error" << proto::errorCodeName(error.code) << "ref" << error.ref;
    if (!joined && isFatalHelloError(error.code)) {
        // Retrying the same hello would be refused the same way.
        emit q->refused(text);
        return;
    }
    const bool hopeless =
        error.code == proto::ErrorCode::TextInvalid || error.code == proto::ErrorCode::BadMessage;
    if (hopeless && !error.ref.isEmpty() && outbox.acknowledge(error.ref)) {
        messages->removePending(error.ref);
        emit q->errorOccurred(QStringLiteral("A message could not be sent: %1").arg(text));
        return;
    }
    emit q->errorOccurred(text);
}

void Conversation::Private::acknowledge(const proto::Message &message)
{
    if (!nick.isEmpty() && proto::nickKey(message.from) == proto::nickKey(nick))
        outbox.acknowledge(message.id);
}

// --- Conversation -----------------------------------------------------------------------------

Conversation::Conversation(QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Private>(this))
{}

Conversation::~Conversation() = default;

MessageModel *Conversation::messages() const
{
    return d->messages;
}

UserListModel *Conversation::users() const
{
    return d->users;
}

void Conversation::setWantedNick(const QString &nick)
{
    if (nick == d->wantedNick)
        return;
    d->wantedNick = nick;
    d->nick.clear();
    d->session.clear();
    d->messages->setOwnNick(nick);
}

QString Conversation::nick() const
{
    return d->nick.isEmpty() ? d->wantedNick : d->nick;
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
    hello.nick = nick();
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
            // Pong: this client sends no pings.
        },
        *decoded.message);
}

void Conversation::connectionLost()
{
    if (d->joined)
        d->users->clear();
    d->joined = false;
}

proto::Send Conversation::queue(const QString &text)
{
    const proto::Send send = d->outbox.enqueue(text);
    d->messages->addPending(send);
    return send;
}

QList<proto::Send> Conversation::unacknowledged() const
{
    return d->outbox.items();
}

} // namespace chat::client
