#include "rooms.h"

#include "memberlistmodel.h"
#include "mentions.h"
#include "messagemodel.h"
#include "namekey.h"
#include "roomlistmodel.h"
#include "typingtracker.h"

#include <QSet>

#include <algorithm>

namespace chat::client {

Rooms::Rooms(QObject *parent)
    : QObject(parent)
    , m_list(new RoomListModel(this))
    , m_members(new MemberListModel(this))
    , m_typing(new TypingTracker(this))
    , m_empty(new MessageModel(this))
    , m_current(proto::defaultRoom())
{
    m_empty->setHasMore(false);
    m_members->setRoom(m_current);
    m_readTimer.setSingleShot(true);
    m_readTimer.setInterval(kDefaultReadDelayMs);
    connect(&m_readTimer, &QTimer::timeout, this, &Rooms::flushReads);
}

Rooms::~Rooms() = default;

MessageModel *Rooms::messages(const QString &room)
{
    if (room.isEmpty())
        return m_empty;
    MessageModel *&model = m_models[room];
    if (!model) {
        model = new MessageModel(this);
        model->setOwnNick(m_ownAccount);
        model->setOwnDisplayName(m_ownDisplay);
        // Seeded with the room's newest message: older ones come page by page before it.
        if (const std::optional<proto::RoomState> state = m_list->room(room); state && state->last)
            model->addMessage(*state->last);
    }
    return model;
}

MessageModel *Rooms::current()
{
    if (!m_draftTo.isEmpty())
        return draftModel(m_draftTo);
    return messages(m_current);
}

void Rooms::setOwnAccount(const QString &account)
{
    if (account == m_ownAccount)
        return;
    m_ownAccount = account;
    m_ownKey = account.isEmpty() ? QString() : proto::accountNameKey(account);
    for (MessageModel *model : std::as_const(m_models))
        model->setOwnNick(account);
    for (MessageModel *model : std::as_const(m_drafts))
        model->setOwnNick(account);
}

void Rooms::setOwnDisplayName(const QString &display)
{
    m_ownDisplay = display;
    for (MessageModel *model : std::as_const(m_models))
        model->setOwnDisplayName(display);
    for (MessageModel *model : std::as_const(m_drafts))
        model->setOwnDisplayName(display);
}

void Rooms::setReading(bool reading)
{
    if (reading == m_reading)
        return;
    m_reading = reading;
    markCurrentRead();
}

void Rooms::setReadDelay(int ms)
{
    m_readTimer.setInterval(std::max(0, ms));
}

bool Rooms::select(const QString &room)
{
    if (!m_list->contains(room))
        return false;
    if (room == m_current && m_draftTo.isEmpty())
        return true;
    m_current = room;
    m_draftTo.clear();
    enterCurrent();
    emit currentChanged();
    return true;
}

bool Rooms::openDirect(const QString &account)
{
    if (account.isEmpty() || isOwn(account))
        return false;
    if (const QString room = m_list->directRoomWith(account); !room.isEmpty())
        return select(room);
    if (!m_draftTo.isEmpty() && proto::accountNameKey(m_draftTo) == proto::accountNameKey(account))
        return true;
    m_current.clear();
    m_draftTo = account;
    m_members->setRoom({});
    emit currentChanged();
    return true;
}

bool Rooms::loadOlder(const QString &room)
{
    if (room.isEmpty() || !m_list->contains(room) || m_historyLoading.contains(room))
        return false;
    MessageModel *model = messages(room);
    if (!model->hasMore() || model->confirmedCount() >= model->maxConfirmed())
        return false;
    // Reserved until the controller says under which id it went out.
    m_historyLoading.insert(room, QString());
    emit historyWanted(room, model->oldestSeq());
    return true;
}

bool Rooms::isLoadingOlder(const QString &room) const
{
    return m_historyLoading.contains(room);
}

bool Rooms::hasOlder(const QString &room)
{
    return m_list->contains(room) && messages(room)->hasMore();
}

void Rooms::historyRequested(const QString &room, const QString &id)
{
    if (id.isEmpty())
        m_historyLoading.remove(room); // not sent: not connected
    else
        m_historyLoading.insert(room, id);
}

void Rooms::membersRequested(const QString &room, const QString &after, const QString &id)
{
    if (room != m_members->room())
        return;
    m_membersId = id;
    m_membersAfter = after;
}

void Rooms::requestFailed(const QString &id)
{
    if (id.isEmpty())
        return;
    if (id == m_membersId)
        m_membersId.clear();
    for (auto it = m_historyLoading.begin(); it != m_historyLoading.end(); ++it) {
        if (it.value() == id) {
            m_historyLoading.erase(it);
            return;
        }
    }
}

void Rooms::addPending(const proto::Send &send, const QDateTime &typed)
{
    if (!send.to.isEmpty()) {
        const QString room = m_list->directRoomWith(send.to);
        (room.isEmpty() ? draftModel(send.to) : messages(room))->addPending(send, typed);
        return;
    }
    messages(send.room.isEmpty() ? proto::defaultRoom() : send.room)->addPending(send, typed);
}

void Rooms::removePending(const QString &id)
{
    for (MessageModel *model : std::as_const(m_models)) {
        if (model->removePending(id))
            return;
    }
    for (MessageModel *model : std::as_const(m_drafts)) {
        if (model->removePending(id))
            return;
    }
}

void Rooms::applyWelcome(const proto::Welcome &welcome)
{
    m_typing->clear();
    m_list->setRooms(welcome.rooms);
    for (const proto::RoomState &room : welcome.rooms)
        adoptDraft(room);

    const QSet<QString> reload(welcome.reload.cbegin(), welcome.reload.cend());
    // Rooms we are no longer in: their conversations go, unless ours are still waiting there.
    const QStringList held = m_models.keys();
    for (const QString &room : held) {
        MessageModel *model = m_models.value(room);
        if (!m_list->contains(room)) {
            if (model->pendingCount() == 0 && room != m_current)
                dropModel(room);
            continue;
        }
        // What we hold is no longer followed by what the server has: start again from its newest.
        if (!welcome.resumed || reload.contains(room))
            model->dropConfirmed();
    }
    if (welcome.resumed) {
        for (const proto::Message &m : welcome.history) {
            if (MessageModel *model = m_models.value(m.room))
                model->addMessage(m);
        }
    }
    for (auto it = m_models.cbegin(); it != m_models.cend(); ++it) {
        if (reload.contains(it.key())) {
            m_historyLoading.insert(it.key(), QString());
            emit historyWanted(it.key(), 0);
            continue;
        }
        const std::optional<proto::RoomState> state = m_list->room(it.key());
        if (state && state->last && it.value()->confirmedCount() == 0)
            it.value()->addMessage(*state->last);
    }

    if (m_draftTo.isEmpty() && !m_list->contains(m_current)) {
        const QString fallback =
            m_list->contains(proto::defaultRoom()) ? proto::defaultRoom() : m_list->nameAt(0);
        m_current = fallback;
        enterCurrent();
        emit currentChanged();
        return;
    }
    enterCurrent();
}

void Rooms::applyMessage(const proto::Message &message)
{
    if (!m_list->contains(message.room))
        return;
    const bool own = isOwn(message.from);
    if (own && !message.id.isEmpty()) {
        // A draft's pending copy, if the room was not known when it was written.
        for (MessageModel *draft : std::as_const(m_drafts))
            draft->removePending(message.id);
    }
    if (MessageModel *model = m_models.value(message.room))
        model->addMessage(message);
    const bool chat = message.event.isEmpty();
    if (chat)
        m_typing->noteMessage(message.room, message.from);
    else
        applyEventToMembers(message);

    const bool looking = m_reading && m_draftTo.isEmpty() && message.room == m_current;
    if (chat)
        emit messageArrived(message, !own && proto::mentions(message.text, m_ownKey));
    if (own && chat) {
        // The server counts our own message as read up to it.
        m_list->noteMessage(message, false, false);
        m_list->markRead(message.room, message.seq);
        return;
    }
    const bool counts = chat && !own && !looking;
    m_list->noteMessage(message, counts, counts && proto::mentions(message.text, m_ownKey));
    if (looking && chat)
        markCurrentRead();
}

void Rooms::applyRoom(const proto::RoomState &room)
{
    m_list->upsert(room);
    adoptDraft(room);
    if (room.name == m_current && m_draftTo.isEmpty())
        markCurrentRead();
}

void Rooms::applyRoomGone(const proto::RoomGone &gone)
{
    const std::optional<proto::RoomState> state = m_list->room(gone.room);
    if (!state)
        return;
    m_list->remove(gone.room);
    m_historyLoading.remove(gone.room);
    m_readQueue.remove(gone.room);
    if (gone.room == m_current && m_draftTo.isEmpty()) {
        m_current =
            m_list->contains(proto::defaultRoom()) ? proto::defaultRoom() : m_list->nameAt(0);
        enterCurrent();
        emit currentChanged();
    }
    dropModel(gone.room);
    emit roomGone(gone.room, RoomListModel::titleOf(*state), gone.reason);
}

void Rooms::applyUnread(const proto::Unread &unread)
{
    m_list->applyUnread(unread);
}

void Rooms::applyTyping(const proto::TypingNotice &typing)
{
    if (isOwn(typing.from) || !m_list->contains(typing.room))
        return;
    m_typing->noteTyping(typing.room, typing.from, typing.display);
}

void Rooms::applyPresence(const proto::Presence &presence)
{
    if (presence.room == m_members->room())
        m_members->applyPresence(presence.joined, presence.left);
}

void Rooms::applyMembers(const proto::MemberList &list)
{
    if (list.ref != m_membersId || list.room != m_members->room())
        return;
    m_membersId.clear();
    if (m_membersAfter.isEmpty())
        m_members->setMembers(list.members);
    else
        m_members->addMembers(list.members);
    if (!list.next.isEmpty())
        emit membersWanted(list.room, list.next);
}

void Rooms::applyHistory(const proto::HistoryPage &page)
{
    const auto it = m_historyLoading.constFind(page.room);
    if (it == m_historyLoading.cend() || it.value() != page.ref)
        return;
    m_historyLoading.erase(it);
    if (MessageModel *model = m_models.value(page.room))
        model->addPage(page.messages, page.more);
    if (!page.messages.isEmpty())
        m_list->noteMessage(page.messages.constLast(), false, false);
    emit historyLoaded(page.room);
}

void Rooms::connectionLost()
{
    m_typing->clear();
    m_historyLoading.clear();
    m_membersId.clear();
    m_readQueue.clear();
    m_readTimer.stop();
}

bool Rooms::isOwn(const QString &account) const
{
    return !m_ownKey.isEmpty() && proto::accountNameKey(account) == m_ownKey;
}

MessageModel *Rooms::draftModel(const QString &account)
{
    MessageModel *&model = m_drafts[proto::accountNameKey(account)];
    if (!model) {
        model = new MessageModel(this);
        model->setOwnNick(m_ownAccount);
        model->setOwnDisplayName(m_ownDisplay);
        model->setHasMore(false);
    }
    return model;
}

void Rooms::adoptDraft(const proto::RoomState &room)
{
    if (!room.direct || room.with.isEmpty())
        return;
    const QString key = proto::accountNameKey(room.with);
    MessageModel *draft = m_drafts.take(key);
    const bool wasCurrent = !m_draftTo.isEmpty() && proto::accountNameKey(m_draftTo) == key;
    if (draft) {
        if (MessageModel *existing = m_models.value(room.name)) {
            for (const proto::Message &m : draft->pendingMessages())
                existing->addPending(proto::Send{m.id, room.name, {}, m.text}, m.time);
            draft->deleteLater();
        } else {
            draft->setHasMore(true);
            if (room.last)
                draft->addMessage(*room.last);
            m_models.insert(room.name, draft);
        }
    }
    if (wasCurrent) {
        m_draftTo.clear();
        m_current = room.name;
        enterCurrent();
        emit currentChanged();
    }
}

void Rooms::enterCurrent()
{
    m_members->setRoom(m_draftTo.isEmpty() ? m_current : QString());
    if (!m_draftTo.isEmpty() || m_current.isEmpty() || !m_list->contains(m_current))
        return;
    m_membersId.clear();
    emit membersWanted(m_current, QString());
    markCurrentRead();
    if (messages(m_current)->confirmedCount() < kFillCount)
        loadOlder(m_current);
}

void Rooms::markCurrentRead()
{
    if (!m_reading || !m_draftTo.isEmpty())
        return;
    const std::optional<proto::RoomState> state = m_list->room(m_current);
    if (!state)
        return;
    qint64 newest = state->last ? state->last->seq : 0;
    if (const MessageModel *model = m_models.value(m_current))
        newest = std::max(newest, model->lastSeq());
    if (state->unread == 0 && state->mentions == 0 && state->read >= newest)
        return;
    m_list->markRead(m_current, newest);
    requestRead(m_current, newest);
}

void Rooms::requestRead(const QString &room, qint64 seq)
{
    if (m_readTimer.isActive()) {
        qint64 &queued = m_readQueue[room];
        queued = std::max(queued, seq);
        return;
    }
    emit readWanted(room, seq);
    m_readTimer.start();
}

void Rooms::flushReads()
{
    const QHash<QString, qint64> queued = std::exchange(m_readQueue, {});
    for (auto it = queued.cbegin(); it != queued.cend(); ++it)
        emit readWanted(it.key(), it.value());
    if (!queued.isEmpty())
        m_readTimer.start();
}

void Rooms::applyEventToMembers(const proto::Message &m)
{
    const bool shown = m.room == m_members->room();
    const auto member = [](const QString &name, const QString &display, bool online) {
        return proto::RoomMember{name, display, QStringLiteral("member"), online};
    };
    if (m.event == u"joined" || m.event == u"invited") {
        const bool joined = m.event == u"joined";
        const QString who = joined ? m.from : m.target;
        if (!isOwn(who))
            m_list->adjustMembers(m.room, 1); // our own arrival came with its `room`
        if (shown && !m_members->contains(who))
            m_members->addMember(member(who, joined ? m.display : QString(), joined));
    } else if (m.event == u"left" || m.event == u"removed") {
        const QString who = m.event == u"left" ? m.from : m.target;
        if (!isOwn(who))
            m_list->adjustMembers(m.room, -1);
        if (shown)
            m_members->removeMember(who);
    } else if (m.event == u"topic") {
        m_list->setTopic(m.room, m.text);
    } else if (m.event == u"title") {
        m_list->setTitle(m.room, m.text);
    } else if (m.event == u"owner" && shown) {
        m_members->setRole(m.from, QStringLiteral("member"));
        m_members->setRole(m.target, QStringLiteral("owner"));
    }
}

void Rooms::dropModel(const QString &room)
{
    if (MessageModel *model = m_models.take(room))
        model->deleteLater();
}

} // namespace chat::client
