// Version 3's room kinds (docs/protocol.md "Rooms"): the requests a client makes about rooms and
// the answers and notices the server sends about them. codec.cpp dispatches to here.
#include "codec.h"

#include "codecreader.h"
#include "jsonwriter.h"
#include "validation.h"

namespace chat::proto {

using namespace detail;

namespace {

// --- client to server: decoding ---------------------------------------------------------------

using Rejection = std::optional<Decoded<ClientMessage>>;

// The first problem `r` met, as a bad_message answering the request `ref`.
Rejection fieldProblem(const FieldReader &r, const QString &ref)
{
    if (r.failed())
        return rejected<ClientMessage>(ErrorCode::BadMessage, r.reason(), ref);
    return std::nullopt;
}

Rejection valueProblem(ErrorCode code, const QString &problem, const QString &ref)
{
    if (!problem.isEmpty())
        return rejected<ClientMessage>(code, problem, ref);
    return std::nullopt;
}

// An account name a request gives (invite, remove, transfer): normalised, or a bad_message.
Rejection normalizeName(QString *name, const QString &ref)
{
    const Normalized normalized = normalizeAccountName(*name);
    if (!normalized.ok())
        return rejected<ClientMessage>(ErrorCode::BadMessage, normalized.reason, ref);
    *name = normalized.value;
    return std::nullopt;
}

// A title or topic: normalised, or title_invalid.
Rejection normalizeRoomText(QString *text, Normalized (*normalize)(const QString &),
                            const QString &ref)
{
    const Normalized normalized = normalize(*text);
    if (!normalized.ok())
        return rejected<ClientMessage>(ErrorCode::TitleInvalid, normalized.reason, ref);
    *text = normalized.value;
    return std::nullopt;
}

int readLimit(FieldReader &r)
{
    if (!r.has(QStringLiteral("limit")))
        return kDefaultPageSize;
    return int(r.integer(QStringLiteral("limit"), 1, kMaxPageSize));
}

// The kinds without an id (typing, read) are answered by nothing but an error without a ref.
Decoded<ClientMessage> decodeTyping(const QJsonObject &object)
{
    FieldReader r(object, QStringLiteral("typing"));
    Typing typing;
    typing.room = r.string(QStringLiteral("room"));
    if (auto failure = fieldProblem(r, {}))
        return std::move(*failure);
    if (auto failure = valueProblem(ErrorCode::BadMessage, checkRoom(typing.room), {}))
        return std::move(*failure);
    return accepted(ClientMessage{std::move(typing)});
}

Decoded<ClientMessage> decodeMarkRead(const QJsonObject &object)
{
    FieldReader r(object, QStringLiteral("read"));
    MarkRead read;
    read.room = r.string(QStringLiteral("room"));
    read.seq = r.integer(QStringLiteral("seq"), 0, kMaxSeq);
    if (auto failure = fieldProblem(r, {}))
        return std::move(*failure);
    if (auto failure = valueProblem(ErrorCode::BadMessage, checkRoom(read.room), {}))
        return std::move(*failure);
    return accepted(ClientMessage{std::move(read)});
}

Decoded<ClientMessage> decodeListRooms(const QJsonObject &object)
{
    FieldReader r(object, QStringLiteral("rooms"));
    ListRooms list;
    if (auto failure = readRequestId(r, &list.id))
        return std::move(*failure);
    list.after = r.optionalString(QStringLiteral("after"));
    list.limit = readLimit(r);
    if (auto failure = fieldProblem(r, list.id))
        return std::move(*failure);
    if (!list.after.isEmpty()) {
        if (auto failure = valueProblem(ErrorCode::BadMessage, checkRoom(list.after), list.id))
            return std::move(*failure);
    }
    return accepted(ClientMessage{std::move(list)});
}

Decoded<ClientMessage> decodeCreateRoom(const QJsonObject &object)
{
    FieldReader r(object, QStringLiteral("create_room"));
    CreateRoom create;
    if (auto failure = readRequestId(r, &create.id))
        return std::move(*failure);
    create.name = r.string(QStringLiteral("name"));
    create.title = r.optionalString(QStringLiteral("title"));
    create.topic = r.optionalString(QStringLiteral("topic"));
    create.isPrivate = r.optionalBoolean(QStringLiteral("private"));
    if (auto failure = fieldProblem(r, create.id))
        return std::move(*failure);
    if (auto failure =
            valueProblem(ErrorCode::BadMessage, checkNewRoomName(create.name), create.id))
        return std::move(*failure);
    if (auto failure = normalizeRoomText(&create.title, normalizeTitle, create.id))
        return std::move(*failure);
    if (auto failure = normalizeRoomText(&create.topic, normalizeTopic, create.id))
        return std::move(*failure);
    return accepted(ClientMessage{std::move(create)});
}

// join and leave: an id and a room.
template<typename T>
Decoded<ClientMessage> decodeRoomOnly(const QJsonObject &object, const QString &context)
{
    FieldReader r(object, context);
    T request;
    if (auto failure = readRequestId(r, &request.id))
        return std::move(*failure);
    request.room = r.string(QStringLiteral("room"));
    if (auto failure = fieldProblem(r, request.id))
        return std::move(*failure);
    if (auto failure = valueProblem(ErrorCode::BadMessage, checkRoom(request.room), request.id))
        return std::move(*failure);
    return accepted(ClientMessage{std::move(request)});
}

// invite, remove and transfer: an id, a room and an account name.
template<typename T>
Decoded<ClientMessage> decodeRoomAndName(const QJsonObject &object, const QString &context)
{
    FieldReader r(object, context);
    T request;
    if (auto failure = readRequestId(r, &request.id))
        return std::move(*failure);
    request.room = r.string(QStringLiteral("room"));
    request.name = r.string(QStringLiteral("name"));
    if (auto failure = fieldProblem(r, request.id))
        return std::move(*failure);
    if (auto failure = valueProblem(ErrorCode::BadMessage, checkRoom(request.room), request.id))
        return std::move(*failure);
    if (auto failure = normalizeName(&request.name, request.id))
        return std::move(*failure);
    return accepted(ClientMessage{std::move(request)});
}

Decoded<ClientMessage> decodeUpdateRoom(const QJsonObject &object)
{
    FieldReader r(object, QStringLiteral("update_room"));
    UpdateRoom update;
    if (auto failure = readRequestId(r, &update.id))
        return std::move(*failure);
    update.room = r.string(QStringLiteral("room"));
    if (r.has(QStringLiteral("title")))
        update.title = r.string(QStringLiteral("title"));
    if (r.has(QStringLiteral("topic")))
        update.topic = r.string(QStringLiteral("topic"));
    if (!r.failed() && !update.title && !update.topic)
        r.setReason(QStringLiteral("update_room: give \"title\", \"topic\" or both."));
    if (auto failure = fieldProblem(r, update.id))
        return std::move(*failure);
    if (auto failure = valueProblem(ErrorCode::BadMessage, checkRoom(update.room), update.id))
        return std::move(*failure);
    if (update.title) {
        if (auto failure = normalizeRoomText(&*update.title, normalizeTitle, update.id))
            return std::move(*failure);
    }
    if (update.topic) {
        if (auto failure = normalizeRoomText(&*update.topic, normalizeTopic, update.id))
            return std::move(*failure);
    }
    return accepted(ClientMessage{std::move(update)});
}

Decoded<ClientMessage> decodeListMembers(const QJsonObject &object)
{
    FieldReader r(object, QStringLiteral("members"));
    ListMembers list;
    if (auto failure = readRequestId(r, &list.id))
        return std::move(*failure);
    list.room = r.string(QStringLiteral("room"));
    list.after = r.optionalString(QStringLiteral("after"));
    list.limit = readLimit(r);
    if (auto failure = fieldProblem(r, list.id))
        return std::move(*failure);
    if (auto failure = valueProblem(ErrorCode::BadMessage, checkRoom(list.room), list.id))
        return std::move(*failure);
    if (!list.after.isEmpty()) {
        if (auto failure = normalizeName(&list.after, list.id))
            return std::move(*failure);
    }
    return accepted(ClientMessage{std::move(list)});
}

Decoded<ClientMessage> decodeLoadHistory(const QJsonObject &object)
{
    FieldReader r(object, QStringLiteral("history"));
    LoadHistory load;
    if (auto failure = readRequestId(r, &load.id))
        return std::move(*failure);
    load.room = r.string(QStringLiteral("room"));
    if (r.has(QStringLiteral("before")))
        load.before = r.integer(QStringLiteral("before"), 0, kMaxSeq);
    load.limit = readLimit(r);
    if (auto failure = fieldProblem(r, load.id))
        return std::move(*failure);
    if (auto failure = valueProblem(ErrorCode::BadMessage, checkRoom(load.room), load.id))
        return std::move(*failure);
    return accepted(ClientMessage{std::move(load)});
}

// --- server to client: decoding (lenient: what a newer server adds is ignored) ----------------

template<typename T, typename ReadItem>
bool readObjects(const QJsonArray &array, const QString &context, QList<T> *items,
                 ReadItem readItem, QString *reason)
{
    items->reserve(array.size());
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QString itemContext = QStringLiteral("%1[%2]").arg(context).arg(i);
        if (!array.at(i).isObject()) {
            *reason = QStringLiteral("%1 must be an object.").arg(itemContext);
            return false;
        }
        std::optional<T> item = readItem(array.at(i).toObject(), itemContext, reason);
        if (!item)
            return false;
        items->append(std::move(*item));
    }
    return true;
}

constexpr qint64 kMaxCount = 1 << 30;

std::optional<RoomSummary> readRoomSummary(const QJsonObject &object, const QString &context,
                                           QString *reason)
{
    FieldReader r(object, context);
    RoomSummary room;
    room.name = r.string(QStringLiteral("name"));
    room.title = r.optionalString(QStringLiteral("title"));
    room.topic = r.optionalString(QStringLiteral("topic"));
    room.members = int(r.integer(QStringLiteral("members"), 0, kMaxCount));
    room.joined = r.optionalBoolean(QStringLiteral("joined"));
    if (r.failed()) {
        *reason = r.reason();
        return std::nullopt;
    }
    return room;
}

std::optional<RoomMember> readRoomMember(const QJsonObject &object, const QString &context,
                                         QString *reason)
{
    FieldReader r(object, context);
    RoomMember member;
    member.name = r.string(QStringLiteral("name"));
    member.display = r.optionalString(QStringLiteral("display"));
    member.role = r.string(QStringLiteral("role"));
    member.online = r.optionalBoolean(QStringLiteral("online"));
    if (r.failed()) {
        *reason = r.reason();
        return std::nullopt;
    }
    return member;
}

template<typename T> Decoded<ServerMessage> answer(const FieldReader &r, T value)
{
    if (r.failed())
        return rejected<ServerMessage>(ErrorCode::BadMessage, r.reason());
    return accepted(ServerMessage{std::move(value)});
}

Decoded<ServerMessage> decodeTypingNotice(const QJsonObject &object)
{
    FieldReader r(object, QStringLiteral("typing"));
    TypingNotice typing;
    typing.room = r.string(QStringLiteral("room"));
    typing.from = r.string(QStringLiteral("from"));
    typing.display = r.optionalString(QStringLiteral("display"));
    return answer(r, std::move(typing));
}

Decoded<ServerMessage> decodeRoomUpdate(const QJsonObject &object)
{
    FieldReader r(object, QStringLiteral("room"));
    const QJsonObject room = r.object(QStringLiteral("room"));
    if (r.failed())
        return rejected<ServerMessage>(ErrorCode::BadMessage, r.reason());
    QString reason;
    std::optional<RoomState> state = readRoomState(room, QStringLiteral("room: room"), &reason);
    if (!state)
        return rejected<ServerMessage>(ErrorCode::BadMessage, reason);
    return accepted(ServerMessage{RoomUpdate{std::move(*state)}});
}

Decoded<ServerMessage> decodeRoomGone(const QJsonObject &object)
{
    FieldReader r(object, QStringLiteral("room_gone"));
    RoomGone gone;
    gone.room = r.string(QStringLiteral("room"));
    gone.reason = r.string(QStringLiteral("reason"));
    return answer(r, std::move(gone));
}

Decoded<ServerMessage> decodeUnread(const QJsonObject &object)
{
    FieldReader r(object, QStringLiteral("unread"));
    Unread unread;
    unread.room = r.string(QStringLiteral("room"));
    unread.read = r.integer(QStringLiteral("read"), 0, kMaxSeq);
    unread.unread = int(r.integer(QStringLiteral("unread"), 0, kMaxCount));
    unread.mentions = int(r.integer(QStringLiteral("mentions"), 0, kMaxCount));
    return answer(r, std::move(unread));
}

Decoded<ServerMessage> decodeRoomList(const QJsonObject &object)
{
    FieldReader r(object, QStringLiteral("rooms"));
    RoomList list;
    list.ref = r.string(QStringLiteral("ref"));
    const QJsonArray rooms = r.array(QStringLiteral("rooms"));
    list.next = r.optionalString(QStringLiteral("next"));
    if (r.failed())
        return rejected<ServerMessage>(ErrorCode::BadMessage, r.reason());
    QString reason;
    if (!readObjects(rooms, QStringLiteral("rooms: rooms"), &list.rooms, readRoomSummary, &reason))
        return rejected<ServerMessage>(ErrorCode::BadMessage, reason);
    return accepted(ServerMessage{std::move(list)});
}

Decoded<ServerMessage> decodeMemberList(const QJsonObject &object)
{
    FieldReader r(object, QStringLiteral("members"));
    MemberList list;
    list.ref = r.string(QStringLiteral("ref"));
    list.room = r.string(QStringLiteral("room"));
    const QJsonArray members = r.array(QStringLiteral("members"));
    list.next = r.optionalString(QStringLiteral("next"));
    list.online = int(r.integer(QStringLiteral("online"), 0, kMaxCount));
    if (r.failed())
        return rejected<ServerMessage>(ErrorCode::BadMessage, r.reason());
    QString reason;
    if (!readObjects(members, QStringLiteral("members: members"), &list.members, readRoomMember,
                     &reason))
        return rejected<ServerMessage>(ErrorCode::BadMessage, reason);
    return accepted(ServerMessage{std::move(list)});
}

Decoded<ServerMessage> decodeHistoryPage(const QJsonObject &object)
{
    FieldReader r(object, QStringLiteral("history"));
    HistoryPage page;
    page.ref = r.string(QStringLiteral("ref"));
    page.room = r.string(QStringLiteral("room"));
    const QJsonArray messages = r.array(QStringLiteral("messages"));
    page.more = r.boolean(QStringLiteral("more"));
    if (r.failed())
        return rejected<ServerMessage>(ErrorCode::BadMessage, r.reason());
    QString reason;
    if (!readObjects(messages, QStringLiteral("history: messages"), &page.messages, readMessage,
                     &reason))
        return rejected<ServerMessage>(ErrorCode::BadMessage, reason);
    return accepted(ServerMessage{std::move(page)});
}

// --- server to client: encoding ---------------------------------------------------------------

void appendStringField(QByteArray &out, const char *key, const QString &value)
{
    json::appendKey(out, key);
    json::appendString(out, value);
}

void appendOptionalString(QByteArray &out, const char *key, const QString &value)
{
    if (!value.isEmpty())
        appendStringField(out, key, value);
}

void appendIntegerField(QByteArray &out, const char *key, qint64 value)
{
    json::appendKey(out, key);
    json::appendInteger(out, value);
}

void appendBoolField(QByteArray &out, const char *key, bool value)
{
    json::appendKey(out, key);
    out.append(value ? "true" : "false");
}

template<typename T, typename AppendItem>
void appendList(QByteArray &out, const char *key, const QList<T> &items, AppendItem appendItem)
{
    json::appendKey(out, key);
    out.append('[');
    for (qsizetype i = 0; i < items.size(); ++i) {
        if (i > 0)
            out.append(',');
        appendItem(out, items.at(i));
    }
    out.append(']');
}

QByteArray frame(const char *type, qsizetype reserve = 128)
{
    QByteArray out;
    out.reserve(reserve);
    out.append("{\"type\":\"");
    out.append(type);
    out.append('"');
    return out;
}

void appendRoomSummary(QByteArray &out, const RoomSummary &room)
{
    out.append('{');
    appendStringField(out, "name", room.name);
    appendOptionalString(out, "title", room.title);
    appendOptionalString(out, "topic", room.topic);
    appendIntegerField(out, "members", room.members);
    if (room.joined)
        appendBoolField(out, "joined", true);
    out.append('}');
}

void appendRoomMember(QByteArray &out, const RoomMember &member)
{
    out.append('{');
    appendStringField(out, "name", member.name);
    appendOptionalString(out, "display", member.display);
    appendStringField(out, "role", member.role);
    if (member.online)
        appendBoolField(out, "online", true);
    out.append('}');
}

} // namespace

// --- shared with codec.cpp --------------------------------------------------------------------

namespace detail {

std::optional<RoomState> readRoomState(const QJsonObject &object, const QString &context,
                                       QString *reason)
{
    FieldReader r(object, context);
    RoomState room;
    room.name = r.string(QStringLiteral("name"));
    room.title = r.optionalString(QStringLiteral("title"));
    room.topic = r.optionalString(QStringLiteral("topic"));
    room.isPrivate = r.optionalBoolean(QStringLiteral("private"));
    room.direct = r.optionalBoolean(QStringLiteral("direct"));
    room.with = r.optionalString(QStringLiteral("with"));
    room.role = r.string(QStringLiteral("role"));
    room.members = int(r.integer(QStringLiteral("members"), 0, kMaxCount));
    room.read = r.integer(QStringLiteral("read"), 0, kMaxSeq);
    room.unread = int(r.integer(QStringLiteral("unread"), 0, kMaxCount));
    room.mentions = int(r.integer(QStringLiteral("mentions"), 0, kMaxCount));
    const QJsonObject last =
        r.has(QStringLiteral("last")) ? r.object(QStringLiteral("last")) : QJsonObject();
    if (r.failed()) {
        *reason = r.reason();
        return std::nullopt;
    }
    if (r.has(QStringLiteral("last"))) {
        room.last = readMessage(last, context + QStringLiteral(": last"), reason);
        if (!room.last)
            return std::nullopt;
    }
    return room;
}

bool readRoomStates(const QJsonArray &array, const QString &context, QList<RoomState> *rooms,
                    QString *reason)
{
    return readObjects(array, context, rooms, readRoomState, reason);
}

void appendRoomState(QByteArray &out, const RoomState &room)
{
    out.append('{');
    appendStringField(out, "name", room.name);
    appendOptionalString(out, "title", room.title);
    appendOptionalString(out, "topic", room.topic);
    if (room.isPrivate)
        appendBoolField(out, "private", true);
    if (room.direct)
        appendBoolField(out, "direct", true);
    appendOptionalString(out, "with", room.with);
    appendStringField(out, "role", room.role);
    appendIntegerField(out, "members", room.members);
    appendIntegerField(out, "read", room.read);
    appendIntegerField(out, "unread", room.unread);
    appendIntegerField(out, "mentions", room.mentions);
    if (room.last) {
        json::appendKey(out, "last");
        appendMessage(out, *room.last);
    }
    out.append('}');
}

std::optional<Decoded<ClientMessage>> decodeRoomRequest(const QString &type,
                                                        const QJsonObject &object)
{
    if (type == QLatin1String("typing"))
        return decodeTyping(object);
    if (type == QLatin1String("read"))
        return decodeMarkRead(object);
    if (type == QLatin1String("rooms"))
        return decodeListRooms(object);
    if (type == QLatin1String("create_room"))
        return decodeCreateRoom(object);
    if (type == QLatin1String("join"))
        return decodeRoomOnly<JoinRoom>(object, QStringLiteral("join"));
    if (type == QLatin1String("leave"))
        return decodeRoomOnly<LeaveRoom>(object, QStringLiteral("leave"));
    if (type == QLatin1String("invite"))
        return decodeRoomAndName<InviteToRoom>(object, QStringLiteral("invite"));
    if (type == QLatin1String("remove"))
        return decodeRoomAndName<RemoveFromRoom>(object, QStringLiteral("remove"));
    if (type == QLatin1String("transfer"))
        return decodeRoomAndName<TransferRoom>(object, QStringLiteral("transfer"));
    if (type == QLatin1String("update_room"))
        return decodeUpdateRoom(object);
    if (type == QLatin1String("members"))
        return decodeListMembers(object);
    if (type == QLatin1String("history"))
        return decodeLoadHistory(object);
    return std::nullopt;
}

std::optional<Decoded<ServerMessage>> decodeRoomAnswer(const QString &type,
                                                       const QJsonObject &object)
{
    if (type == QLatin1String("typing"))
        return decodeTypingNotice(object);
    if (type == QLatin1String("room"))
        return decodeRoomUpdate(object);
    if (type == QLatin1String("room_gone"))
        return decodeRoomGone(object);
    if (type == QLatin1String("unread"))
        return decodeUnread(object);
    if (type == QLatin1String("rooms"))
        return decodeRoomList(object);
    if (type == QLatin1String("members"))
        return decodeMemberList(object);
    if (type == QLatin1String("history"))
        return decodeHistoryPage(object);
    return std::nullopt;
}

} // namespace detail

// --- client to server: encoding ---------------------------------------------------------------

QByteArray encode(const Typing &typing)
{
    return toFrame({{QStringLiteral("type"), QStringLiteral("typing")},
                    {QStringLiteral("room"), typing.room}});
}

QByteArray encode(const MarkRead &read)
{
    return toFrame({{QStringLiteral("type"), QStringLiteral("read")},
                    {QStringLiteral("room"), read.room},
                    {QStringLiteral("seq"), double(read.seq)}});
}

QByteArray encode(const ListRooms &list)
{
    QJsonObject o = request("rooms", list.id);
    if (!list.after.isEmpty())
        o.insert(QStringLiteral("after"), list.after);
    o.insert(QStringLiteral("limit"), list.limit);
    return toFrame(o);
}

QByteArray encode(const CreateRoom &create)
{
    QJsonObject o = request("create_room", create.id);
    o.insert(QStringLiteral("name"), create.name);
    if (!create.title.isEmpty())
        o.insert(QStringLiteral("title"), create.title);
    if (!create.topic.isEmpty())
        o.insert(QStringLiteral("topic"), create.topic);
    if (create.isPrivate)
        o.insert(QStringLiteral("private"), true);
    return toFrame(o);
}

namespace {

QJsonObject roomRequest(const char *type, const QString &id, const QString &room)
{
    QJsonObject o = request(type, id);
    o.insert(QStringLiteral("room"), room);
    return o;
}

QByteArray roomAndNameRequest(const char *type, const QString &id, const QString &room,
                              const QString &name)
{
    QJsonObject o = roomRequest(type, id, room);
    o.insert(QStringLiteral("name"), name);
    return toFrame(o);
}

} // namespace

QByteArray encode(const JoinRoom &join)
{
    return toFrame(roomRequest("join", join.id, join.room));
}

QByteArray encode(const LeaveRoom &leave)
{
    return toFrame(roomRequest("leave", leave.id, leave.room));
}

QByteArray encode(const InviteToRoom &invite)
{
    return roomAndNameRequest("invite", invite.id, invite.room, invite.name);
}

QByteArray encode(const RemoveFromRoom &remove)
{
    return roomAndNameRequest("remove", remove.id, remove.room, remove.name);
}

QByteArray encode(const TransferRoom &transfer)
{
    return roomAndNameRequest("transfer", transfer.id, transfer.room, transfer.name);
}

QByteArray encode(const UpdateRoom &update)
{
    QJsonObject o = roomRequest("update_room", update.id, update.room);
    if (update.title)
        o.insert(QStringLiteral("title"), *update.title);
    if (update.topic)
        o.insert(QStringLiteral("topic"), *update.topic);
    return toFrame(o);
}

QByteArray encode(const ListMembers &list)
{
    QJsonObject o = roomRequest("members", list.id, list.room);
    if (!list.after.isEmpty())
        o.insert(QStringLiteral("after"), list.after);
    o.insert(QStringLiteral("limit"), list.limit);
    return toFrame(o);
}

QByteArray encode(const LoadHistory &load)
{
    QJsonObject o = roomRequest("history", load.id, load.room);
    if (load.before > 0)
        o.insert(QStringLiteral("before"), double(load.before));
    o.insert(QStringLiteral("limit"), load.limit);
    return toFrame(o);
}

// --- server to client: encoding ---------------------------------------------------------------

QByteArray encode(const TypingNotice &typing)
{
    QByteArray out = frame("typing");
    appendStringField(out, "room", typing.room);
    appendStringField(out, "from", typing.from);
    appendOptionalString(out, "display", typing.display);
    out.append('}');
    return out;
}

QByteArray encode(const RoomUpdate &update)
{
    QByteArray out = frame("room", 384);
    json::appendKey(out, "room");
    appendRoomState(out, update.room);
    out.append('}');
    return out;
}

QByteArray encode(const RoomGone &gone)
{
    QByteArray out = frame("room_gone");
    appendStringField(out, "room", gone.room);
    appendStringField(out, "reason", gone.reason);
    out.append('}');
    return out;
}

QByteArray encode(const Unread &unread)
{
    QByteArray out = frame("unread");
    appendStringField(out, "room", unread.room);
    appendIntegerField(out, "read", unread.read);
    appendIntegerField(out, "unread", unread.unread);
    appendIntegerField(out, "mentions", unread.mentions);
    out.append('}');
    return out;
}

QByteArray encode(const RoomList &list)
{
    QByteArray out = frame("rooms", 64 + list.rooms.size() * 96);
    appendStringField(out, "ref", list.ref);
    appendList(out, "rooms", list.rooms, appendRoomSummary);
    appendOptionalString(out, "next", list.next);
    out.append('}');
    return out;
}

QByteArray encode(const MemberList &list)
{
    QByteArray out = frame("members", 64 + list.members.size() * 64);
    appendStringField(out, "ref", list.ref);
    appendStringField(out, "room", list.room);
    appendList(out, "members", list.members, appendRoomMember);
    appendOptionalString(out, "next", list.next);
    appendIntegerField(out, "online", list.online);
    out.append('}');
    return out;
}

QByteArray encode(const HistoryPage &page)
{
    QByteArray out = frame("history", 64 + page.messages.size() * 256);
    appendStringField(out, "ref", page.ref);
    appendStringField(out, "room", page.room);
    appendList(out, "messages", page.messages, appendMessage);
    appendBoolField(out, "more", page.more);
    out.append('}');
    return out;
}

} // namespace chat::proto
