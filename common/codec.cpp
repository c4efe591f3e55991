#include "codec.h"

#include "codecreader.h"
#include "jsonwriter.h"
#include "validation.h"

#include <QJsonParseError>

namespace chat::proto {

QString defaultRoom()
{
    return QStringLiteral("lobby");
}

using namespace detail;

namespace detail {

std::optional<Message> readMessage(const QJsonObject &object, const QString &context,
                                   QString *reason)
{
    FieldReader r(object, context);
    Message m;
    m.seq = r.integer(QStringLiteral("seq"), 1, kMaxSeq);
    m.id = r.string(QStringLiteral("id"));
    m.room = r.optionalString(QStringLiteral("room"), defaultRoom());
    m.from = r.string(QStringLiteral("from"));
    m.display = r.optionalString(QStringLiteral("display"));
    const QString time = r.string(QStringLiteral("time"));
    m.text = r.string(QStringLiteral("text"));
    m.event = r.optionalString(QStringLiteral("event"));
    m.target = r.optionalString(QStringLiteral("target"));
    if (!r.failed()) {
        m.time = QDateTime::fromString(time, Qt::ISODateWithMs);
        if (!m.time.isValid())
            r.setReason(
                QStringLiteral("%1: \"time\" is not an ISO 8601 date and time.").arg(context));
        m.time = m.time.toUTC();
        // A time that only an offset kept within four-digit years cannot be written back in UTC.
        if (m.time.isValid() && formatTime(m.time).isEmpty())
            r.setReason(QStringLiteral("%1: \"time\" is out of range.").arg(context));
    }
    if (r.failed()) {
        *reason = r.reason();
        return std::nullopt;
    }
    return m;
}

std::optional<Decoded<ClientMessage>> readRequestId(FieldReader &r, QString *id)
{
    *id = r.string(QStringLiteral("id"));
    if (r.failed())
        return rejected<ClientMessage>(ErrorCode::BadMessage, r.reason());
    if (const QString problem = checkMessageId(*id); !problem.isEmpty())
        return rejected<ClientMessage>(ErrorCode::BadMessage, problem);
    return std::nullopt;
}

QJsonObject request(const char *type, const QString &id)
{
    return QJsonObject{{QStringLiteral("type"), QLatin1String(type)}, {QStringLiteral("id"), id}};
}

void appendMessage(QByteArray &out, const Message &m)
{
    out.append("{\"type\":\"message\"");
    json::appendKey(out, "seq");
    json::appendInteger(out, m.seq);
    json::appendKey(out, "id");
    json::appendString(out, m.id);
    json::appendKey(out, "room");
    json::appendString(out, m.room);
    json::appendKey(out, "from");
    json::appendString(out, m.from);
    if (!m.display.isEmpty()) {
        json::appendKey(out, "display");
        json::appendString(out, m.display);
    }
    json::appendKey(out, "time");
    json::appendUtcTime(out, m.time);
    if (!m.event.isEmpty()) {
        json::appendKey(out, "event");
        json::appendString(out, m.event);
    }
    if (!m.target.isEmpty()) {
        json::appendKey(out, "target");
        json::appendString(out, m.target);
    }
    json::appendKey(out, "text");
    json::appendString(out, m.text);
    out.append('}');
}

} // namespace detail

namespace {

// Parses the frame into an object and reads its "type"; on failure fills in *failure.
template<typename T>
std::optional<std::pair<QJsonObject, QString>> parseEnvelope(const QByteArray &utf8Json,
                                                             Decoded<T> *failure)
{
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(utf8Json, &error);
    if (error.error != QJsonParseError::NoError) {
        *failure = rejected<T>(ErrorCode::BadJson, QStringLiteral("Invalid JSON at byte %1: %2.")
                                                       .arg(error.offset)
                                                       .arg(error.errorString()));
        return std::nullopt;
    }
    if (!document.isObject()) {
        *failure = rejected<T>(ErrorCode::BadJson, QStringLiteral("The frame must be a JSON "
                                                                  "object."));
        return std::nullopt;
    }
    QJsonObject object = document.object();
    const QJsonValue type = object.value(QStringLiteral("type"));
    if (!type.isString()) {
        *failure = rejected<T>(ErrorCode::BadMessage,
                               QStringLiteral("The field \"type\" is missing or not a string."));
        return std::nullopt;
    }
    return std::make_pair(std::move(object), type.toString());
}

// A rejection's code and reason; an empty reason: accepted.
struct Problem
{
    ErrorCode code = ErrorCode::BadMessage;
    QString reason;
    explicit operator bool() const { return !reason.isEmpty(); }
};

// The credentials a hello's login or register, or an HTTP login body, carries.
struct Credentials
{
    QString name;
    QString password;
    QString invite;
    QString display;
};

// Reads name and password (and, when registering, the optional invite and display) from `r`.
void readCredentials(FieldReader &r, bool registering, Credentials *c)
{
    c->name = r.string(QStringLiteral("name"));
    c->password = r.string(QStringLiteral("password"));
    if (registering) {
        c->invite = r.optionalString(QStringLiteral("invite"));
        c->display = r.optionalString(QStringLiteral("display"));
    }
}

// Checks and normalises what readCredentials() read.
Problem checkCredentials(bool registering, Credentials *c)
{
    const Normalized name = normalizeAccountName(c->name);
    if (!name.ok())
        return {ErrorCode::NameInvalid, name.reason};
    c->name = name.value;
    if (const QString problem = checkPassword(c->password); !problem.isEmpty())
        return {ErrorCode::PasswordInvalid, problem};
    if (!registering)
        return {};
    if (const QString problem = checkInvite(c->invite); !problem.isEmpty())
        return {ErrorCode::InviteInvalid, problem};
    const Normalized display = normalizeDisplay(c->display);
    if (!display.ok())
        return {ErrorCode::DisplayInvalid, display.reason};
    c->display = display.value;
    return {};
}

Problem checkDevice(QString *device)
{
    const Normalized normalized = normalizeDevice(*device);
    if (!normalized.ok())
        return {ErrorCode::BadMessage, normalized.reason};
    *device = normalized.value;
    return {};
}

QString unsupportedVersionReason()
{
    return QStringLiteral("This server speaks protocol version %1 (rooms); update the client.")
        .arg(kProtocolVersion);
}

Decoded<ClientMessage> decodeHello(const QJsonObject &object)
{
    FieldReader r(object, QStringLiteral("hello"));
    Hello hello;
    // The version first: a version-1 hello has a "nick" and no credentials, a version-2 client
    // knows no rooms, and the answer both need is that the client is too old.
    hello.version = int(r.integer(QStringLiteral("version"), 0, 1 << 30));
    if (r.failed())
        return rejected<ClientMessage>(ErrorCode::BadMessage, r.reason());
    if (hello.version != kProtocolVersion)
        return rejected<ClientMessage>(ErrorCode::UnsupportedVersion, unsupportedVersionReason());

    hello.token = r.optionalString(QStringLiteral("token"));
    const bool hasLogin = r.has(QStringLiteral("login"));
    const bool hasRegister = r.has(QStringLiteral("register"));
    if (!r.failed() && int(!hello.token.isEmpty()) + int(hasLogin) + int(hasRegister) > 1)
        r.setReason(QStringLiteral("hello: give at most one of \"token\", \"login\" and "
                                   "\"register\"."));
    Credentials credentials;
    if (hasLogin || hasRegister) {
        const QString key = hasLogin ? QStringLiteral("login") : QStringLiteral("register");
        const QJsonObject inner = r.object(key);
        if (!r.failed()) {
            FieldReader ir(inner, QStringLiteral("hello: ") + key);
            readCredentials(ir, hasRegister, &credentials);
            if (ir.failed())
                r.setReason(ir.reason());
        }
    }
    hello.device = r.optionalString(QStringLiteral("device"));
    if (r.has(QStringLiteral("lastSeq")))
        hello.lastSeq = r.integer(QStringLiteral("lastSeq"), 0, kMaxSeq);
    hello.session = r.optionalString(QStringLiteral("session"));
    hello.instance = r.optionalString(QStringLiteral("instance"));
    if (!r.failed() && hello.instance.size() > kMaxIdChars)
        r.setReason(QStringLiteral("hello: the instance is too long."));
    if (!r.failed() && hello.session.size() > kMaxIdChars)
        r.setReason(QStringLiteral("hello: the session is too long."));
    if (r.failed())
        return rejected<ClientMessage>(ErrorCode::BadMessage, r.reason());

    if (!hello.token.isEmpty()) {
        if (const QString problem = checkToken(hello.token); !problem.isEmpty())
            return rejected<ClientMessage>(ErrorCode::TokenInvalid, problem);
    }
    if (hasLogin || hasRegister) {
        if (const Problem problem = checkCredentials(hasRegister, &credentials))
            return rejected<ClientMessage>(problem.code, problem.reason);
        if (hasLogin)
            hello.login = Login{credentials.name, credentials.password};
        else
            hello.registration = Registration{credentials.name, credentials.password,
                                              credentials.invite, credentials.display};
    }
    if (const Problem problem = checkDevice(&hello.device))
        return rejected<ClientMessage>(problem.code, problem.reason);
    return accepted(ClientMessage{std::move(hello)});
}

Decoded<ClientMessage> decodeLogout(const QJsonObject &object)
{
    FieldReader r(object, QStringLiteral("logout"));
    Logout logout;
    if (auto failure = readRequestId(r, &logout.id))
        return std::move(*failure);
    return accepted(ClientMessage{std::move(logout)});
}

Decoded<ClientMessage> decodeChangePassword(const QJsonObject &object)
{
    FieldReader r(object, QStringLiteral("change_password"));
    ChangePassword change;
    if (auto failure = readRequestId(r, &change.id))
        return std::move(*failure);
    change.oldPassword = r.string(QStringLiteral("old"));
    change.newPassword = r.string(QStringLiteral("new"));
    if (r.failed())
        return rejected<ClientMessage>(ErrorCode::BadMessage, r.reason(), change.id);
    if (const QString problem = checkPassword(change.oldPassword); !problem.isEmpty())
        return rejected<ClientMessage>(ErrorCode::PasswordInvalid,
                                       QStringLiteral("The current password: ") + problem,
                                       change.id);
    if (const QString problem = checkPassword(change.newPassword); !problem.isEmpty())
        return rejected<ClientMessage>(ErrorCode::PasswordInvalid,
                                       QStringLiteral("The new password: ") + problem, change.id);
    return accepted(ClientMessage{std::move(change)});
}

Decoded<ClientMessage> decodeListDevices(const QJsonObject &object)
{
    FieldReader r(object, QStringLiteral("devices"));
    ListDevices list;
    if (auto failure = readRequestId(r, &list.id))
        return std::move(*failure);
    return accepted(ClientMessage{std::move(list)});
}

Decoded<ClientMessage> decodeEndDevice(const QJsonObject &object)
{
    FieldReader r(object, QStringLiteral("end_device"));
    EndDevice end;
    if (auto failure = readRequestId(r, &end.id))
        return std::move(*failure);
    end.device = r.string(QStringLiteral("device"));
    if (r.failed())
        return rejected<ClientMessage>(ErrorCode::BadMessage, r.reason(), end.id);
    if (const QString problem = checkDeviceId(end.device); !problem.isEmpty())
        return rejected<ClientMessage>(ErrorCode::BadMessage, problem, end.id);
    return accepted(ClientMessage{std::move(end)});
}

Decoded<ClientMessage> decodeSetDisplay(const QJsonObject &object)
{
    FieldReader r(object, QStringLiteral("set_display"));
    SetDisplay set;
    if (auto failure = readRequestId(r, &set.id))
        return std::move(*failure);
    set.display = r.string(QStringLiteral("display"));
    if (r.failed())
        return rejected<ClientMessage>(ErrorCode::BadMessage, r.reason(), set.id);
    const Normalized display = normalizeDisplay(set.display);
    if (!display.ok())
        return rejected<ClientMessage>(ErrorCode::DisplayInvalid, display.reason, set.id);
    set.display = display.value;
    return accepted(ClientMessage{std::move(set)});
}

Decoded<ClientMessage> decodeSend(const QJsonObject &object)
{
    FieldReader r(object, QStringLiteral("send"));
    Send send;
    send.id = r.string(QStringLiteral("id"));
    if (r.failed())
        return rejected<ClientMessage>(ErrorCode::BadMessage, r.reason());
    if (const QString problem = checkMessageId(send.id); !problem.isEmpty())
        return rejected<ClientMessage>(ErrorCode::BadMessage, problem);
    const bool hasRoom = r.has(QStringLiteral("room"));
    const bool hasTo = r.has(QStringLiteral("to"));
    // Neither: the lobby, as in version 2.
    send.room = r.optionalString(QStringLiteral("room"), hasTo ? QString() : defaultRoom());
    send.to = r.optionalString(QStringLiteral("to"));
    send.text = r.string(QStringLiteral("text"));
    if (!r.failed() && hasRoom && hasTo)
        r.setReason(QStringLiteral("send: give either \"room\" or \"to\", not both."));
    if (r.failed())
        return rejected<ClientMessage>(ErrorCode::BadMessage, r.reason(), send.id);
    if (hasTo) {
        const Normalized to = normalizeAccountName(send.to);
        if (!to.ok())
            return rejected<ClientMessage>(ErrorCode::BadMessage,
                                           QStringLiteral("send: ") + to.reason, send.id);
        send.to = to.value;
    } else if (const QString problem = checkRoom(send.room); !problem.isEmpty()) {
        return rejected<ClientMessage>(ErrorCode::BadMessage, problem, send.id);
    }
    if (const QString problem = checkText(send.text); !problem.isEmpty())
        return rejected<ClientMessage>(ErrorCode::TextInvalid, problem, send.id);
    return accepted(ClientMessage{std::move(send)});
}

Decoded<ClientMessage> decodePing(const QJsonObject &object)
{
    FieldReader r(object, QStringLiteral("ping"));
    Ping ping;
    ping.id = r.optionalString(QStringLiteral("id"));
    if (!r.failed() && ping.id.size() > kMaxIdChars)
        r.setReason(QStringLiteral("ping: the id is longer than %1 characters.").arg(kMaxIdChars));
    if (r.failed())
        return rejected<ClientMessage>(ErrorCode::BadMessage, r.reason());
    return accepted(ClientMessage{std::move(ping)});
}

// A list of names, each a string.
bool readNames(const QJsonArray &array, const QString &context, QStringList *names, QString *reason)
{
    names->reserve(array.size());
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QJsonValue value = array.at(i);
        if (!value.isString()) {
            *reason = QStringLiteral("%1[%2] must be a string.").arg(context).arg(i);
            return false;
        }
        names->append(value.toString());
    }
    return true;
}

// A list of users, each {"name":…, "display":…}.
bool readUsers(const QJsonArray &array, const QString &context, QList<User> *users, QString *reason)
{
    users->reserve(array.size());
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QString itemContext = QStringLiteral("%1[%2]").arg(context).arg(i);
        const QJsonValue value = array.at(i);
        if (!value.isObject()) {
            *reason = QStringLiteral("%1 must be an object.").arg(itemContext);
            return false;
        }
        const QJsonObject object = value.toObject();
        FieldReader r(object, itemContext);
        User user;
        user.name = r.string(QStringLiteral("name"));
        user.display = r.optionalString(QStringLiteral("display"));
        if (r.failed()) {
            *reason = r.reason();
            return false;
        }
        users->append(std::move(user));
    }
    return true;
}

Decoded<ServerMessage> decodeWelcome(const QJsonObject &object)
{
    FieldReader r(object, QStringLiteral("welcome"));
    Welcome w;
    w.version = int(r.integer(QStringLiteral("version"), 0, 1 << 30));
    w.server = r.optionalString(QStringLiteral("server"));
    w.account = r.string(QStringLiteral("account"));
    w.display = r.optionalString(QStringLiteral("display"));
    w.admin = r.optionalBoolean(QStringLiteral("admin"));
    w.token = r.optionalString(QStringLiteral("token"));
    w.session = r.optionalString(QStringLiteral("session"));
    w.instance = r.optionalString(QStringLiteral("instance"));
    w.seq = r.integer(QStringLiteral("seq"), 0, kMaxSeq);
    w.resumed = r.boolean(QStringLiteral("resumed"));
    const QJsonArray rooms = r.array(QStringLiteral("rooms"));
    const QJsonArray history = r.array(QStringLiteral("history"));
    const QJsonArray reload =
        r.has(QStringLiteral("reload")) ? r.array(QStringLiteral("reload")) : QJsonArray();
    if (r.failed())
        return rejected<ServerMessage>(ErrorCode::BadMessage, r.reason());
    QString reason;
    if (!readRoomStates(rooms, QStringLiteral("welcome: rooms"), &w.rooms, &reason) ||
        !readNames(reload, QStringLiteral("welcome: reload"), &w.reload, &reason))
        return rejected<ServerMessage>(ErrorCode::BadMessage, reason);
    w.history.reserve(history.size());
    for (qsizetype i = 0; i < history.size(); ++i) {
        const QString context = QStringLiteral("welcome: history[%1]").arg(i);
        if (!history.at(i).isObject())
            return rejected<ServerMessage>(ErrorCode::BadMessage,
                                           QStringLiteral("%1 must be an object.").arg(context));
        QString reason;
        std::optional<Message> m = readMessage(history.at(i).toObject(), context, &reason);
        if (!m)
            return rejected<ServerMessage>(ErrorCode::BadMessage, reason);
        w.history.append(std::move(*m));
    }
    return Decoded<ServerMessage>{ServerMessage{std::move(w)}, {}, {}, {}};
}

Decoded<ServerMessage> decodePresence(const QJsonObject &object)
{
    FieldReader r(object, QStringLiteral("presence"));
    Presence p;
    p.room = r.optionalString(QStringLiteral("room"));
    const QJsonArray joined = r.array(QStringLiteral("joined"));
    const QJsonArray left = r.array(QStringLiteral("left"));
    p.online = int(r.integer(QStringLiteral("online"), 0, 1 << 30));
    if (r.failed())
        return rejected<ServerMessage>(ErrorCode::BadMessage, r.reason());
    QString reason;
    if (!readUsers(joined, QStringLiteral("presence: joined"), &p.joined, &reason) ||
        !readNames(left, QStringLiteral("presence: left"), &p.left, &reason))
        return rejected<ServerMessage>(ErrorCode::BadMessage, reason);
    return Decoded<ServerMessage>{ServerMessage{std::move(p)}, {}, {}, {}};
}

Decoded<ServerMessage> decodeError(const QJsonObject &object)
{
    FieldReader r(object, QStringLiteral("error"));
    Error e;
    e.code = errorCodeFromName(r.string(QStringLiteral("code")));
    e.message = r.string(QStringLiteral("message"));
    e.ref = r.optionalString(QStringLiteral("ref"));
    if (r.failed())
        return rejected<ServerMessage>(ErrorCode::BadMessage, r.reason());
    return Decoded<ServerMessage>{ServerMessage{std::move(e)}, {}, {}, {}};
}

Decoded<ServerMessage> decodeDone(const QJsonObject &object)
{
    FieldReader r(object, QStringLiteral("done"));
    Done done;
    done.ref = r.string(QStringLiteral("ref"));
    done.token = r.optionalString(QStringLiteral("token"));
    done.room = r.optionalString(QStringLiteral("room"));
    if (r.failed())
        return rejected<ServerMessage>(ErrorCode::BadMessage, r.reason());
    return accepted(ServerMessage{std::move(done)});
}

std::optional<QDateTime> readOptionalTime(FieldReader &r, const QString &key,
                                          const QString &context)
{
    const QString text = r.optionalString(key);
    if (r.failed() || text.isEmpty())
        return QDateTime();
    QDateTime time = QDateTime::fromString(text, Qt::ISODateWithMs).toUTC();
    if (!time.isValid() || formatTime(time).isEmpty()) {
        r.setReason(
            QStringLiteral("%1: \"%2\" is not an ISO 8601 date and time.").arg(context, key));
        return std::nullopt;
    }
    return time;
}

Decoded<ServerMessage> decodeDevices(const QJsonObject &object)
{
    FieldReader r(object, QStringLiteral("devices"));
    Devices devices;
    devices.ref = r.string(QStringLiteral("ref"));
    const QJsonArray list = r.array(QStringLiteral("devices"));
    if (r.failed())
        return rejected<ServerMessage>(ErrorCode::BadMessage, r.reason());
    devices.devices.reserve(list.size());
    for (qsizetype i = 0; i < list.size(); ++i) {
        const QString context = QStringLiteral("devices: devices[%1]").arg(i);
        if (!list.at(i).isObject())
            return rejected<ServerMessage>(ErrorCode::BadMessage,
                                           QStringLiteral("%1 must be an object.").arg(context));
        const QJsonObject item = list.at(i).toObject();
        FieldReader ir(item, context);
        Device d;
        d.id = ir.string(QStringLiteral("id"));
        d.name = ir.optionalString(QStringLiteral("name"));
        const std::optional<QDateTime> created =
            readOptionalTime(ir, QStringLiteral("created"), context);
        const std::optional<QDateTime> lastUsed =
            readOptionalTime(ir, QStringLiteral("lastUsed"), context);
        d.current = ir.optionalBoolean(QStringLiteral("current"));
        if (ir.failed())
            return rejected<ServerMessage>(ErrorCode::BadMessage, ir.reason());
        d.created = *created;
        d.lastUsed = *lastUsed;
        devices.devices.append(std::move(d));
    }
    return accepted(ServerMessage{std::move(devices)});
}

} // namespace

QByteArray encode(const Hello &hello)
{
    QJsonObject o{{QStringLiteral("type"), QStringLiteral("hello")},
                  {QStringLiteral("version"), hello.version}};
    if (!hello.token.isEmpty())
        o.insert(QStringLiteral("token"), hello.token);
    if (hello.login) {
        o.insert(QStringLiteral("login"),
                 QJsonObject{{QStringLiteral("name"), hello.login->name},
                             {QStringLiteral("password"), hello.login->password}});
    }
    if (hello.registration) {
        QJsonObject r{{QStringLiteral("name"), hello.registration->name},
                      {QStringLiteral("password"), hello.registration->password}};
        if (!hello.registration->invite.isEmpty())
            r.insert(QStringLiteral("invite"), hello.registration->invite);
        if (!hello.registration->display.isEmpty())
            r.insert(QStringLiteral("display"), hello.registration->display);
        o.insert(QStringLiteral("register"), r);
    }
    if (!hello.device.isEmpty())
        o.insert(QStringLiteral("device"), hello.device);
    if (hello.lastSeq)
        o.insert(QStringLiteral("lastSeq"), double(*hello.lastSeq));
    if (!hello.session.isEmpty())
        o.insert(QStringLiteral("session"), hello.session);
    if (!hello.instance.isEmpty())
        o.insert(QStringLiteral("instance"), hello.instance);
    return toFrame(o);
}

QByteArray encode(const Send &send)
{
    QJsonObject o{{QStringLiteral("type"), QStringLiteral("send")},
                  {QStringLiteral("id"), send.id},
                  {QStringLiteral("text"), send.text}};
    if (!send.to.isEmpty())
        o.insert(QStringLiteral("to"), send.to);
    else
        o.insert(QStringLiteral("room"), send.room.isEmpty() ? defaultRoom() : send.room);
    return toFrame(o);
}

QByteArray encode(const Ping &ping)
{
    QJsonObject o{{QStringLiteral("type"), QStringLiteral("ping")}};
    if (!ping.id.isEmpty())
        o.insert(QStringLiteral("id"), ping.id);
    return toFrame(o);
}

QByteArray encode(const Logout &logout)
{
    return toFrame(request("logout", logout.id));
}

QByteArray encode(const ChangePassword &change)
{
    QJsonObject o = request("change_password", change.id);
    o.insert(QStringLiteral("old"), change.oldPassword);
    o.insert(QStringLiteral("new"), change.newPassword);
    return toFrame(o);
}

QByteArray encode(const ListDevices &list)
{
    return toFrame(request("devices", list.id));
}

QByteArray encode(const EndDevice &end)
{
    QJsonObject o = request("end_device", end.id);
    o.insert(QStringLiteral("device"), end.device);
    return toFrame(o);
}

QByteArray encode(const SetDisplay &set)
{
    QJsonObject o = request("set_display", set.id);
    o.insert(QStringLiteral("display"), set.display);
    return toFrame(o);
}

QByteArray encode(const ClientMessage &message)
{
    return std::visit([](const auto &m) { return encode(m); }, message);
}

namespace {

void appendUsers(QByteArray &out, const QList<User> &users)
{
    out.append('[');
    for (qsizetype i = 0; i < users.size(); ++i) {
        const User &user = users.at(i);
        out.append(i > 0 ? ",{" : "{");
        json::appendKey(out, "name");
        json::appendString(out, user.name);
        if (!user.display.isEmpty()) {
            json::appendKey(out, "display");
            json::appendString(out, user.display);
        }
        out.append('}');
    }
    out.append(']');
}

} // namespace

QByteArray encode(const Welcome &w)
{
    QByteArray out;
    out.reserve(256 + w.rooms.size() * 320 + w.history.size() * 256);
    out.append("{\"type\":\"welcome\"");
    json::appendKey(out, "version");
    json::appendInteger(out, w.version);
    json::appendKey(out, "server");
    json::appendString(out, w.server);
    json::appendKey(out, "account");
    json::appendString(out, w.account);
    if (!w.display.isEmpty()) {
        json::appendKey(out, "display");
        json::appendString(out, w.display);
    }
    if (w.admin) {
        json::appendKey(out, "admin");
        out.append("true");
    }
    if (!w.token.isEmpty()) {
        json::appendKey(out, "token");
        json::appendString(out, w.token);
    }
    json::appendKey(out, "session");
    json::appendString(out, w.session);
    json::appendKey(out, "instance");
    json::appendString(out, w.instance);
    json::appendKey(out, "seq");
    json::appendInteger(out, w.seq);
    json::appendKey(out, "resumed");
    out.append(w.resumed ? "true" : "false");
    json::appendKey(out, "rooms");
    out.append('[');
    for (qsizetype i = 0; i < w.rooms.size(); ++i) {
        if (i > 0)
            out.append(',');
        appendRoomState(out, w.rooms.at(i));
    }
    out.append(']');
    json::appendKey(out, "history");
    out.append('[');
    for (qsizetype i = 0; i < w.history.size(); ++i) {
        if (i > 0)
            out.append(',');
        appendMessage(out, w.history.at(i));
    }
    out.append(']');
    if (!w.reload.isEmpty()) {
        json::appendKey(out, "reload");
        json::appendStringArray(out, w.reload);
    }
    out.append('}');
    return out;
}

QByteArray encode(const Message &message)
{
    QByteArray out;
    out.reserve(128 + 3 * message.text.size());
    appendMessage(out, message);
    return out;
}

QByteArray encode(const Presence &p)
{
    QByteArray out;
    out.reserve(64 + p.joined.size() * 28 + p.left.size() * 16);
    out.append("{\"type\":\"presence\"");
    if (!p.room.isEmpty()) {
        json::appendKey(out, "room");
        json::appendString(out, p.room);
    }
    json::appendKey(out, "joined");
    appendUsers(out, p.joined);
    json::appendKey(out, "left");
    json::appendStringArray(out, p.left);
    json::appendKey(out, "online");
    json::appendInteger(out, p.online);
    out.append('}');
    return out;
}

QByteArray encode(const Error &e)
{
    QJsonObject o{{QStringLiteral("type"), QStringLiteral("error")},
                  {QStringLiteral("code"), errorCodeName(e.code)},
                  {QStringLiteral("message"), e.message}};
    if (!e.ref.isEmpty())
        o.insert(QStringLiteral("ref"), e.ref);
    return toFrame(o);
}

QByteArray encode(const Pong &pong)
{
    QJsonObject o{{QStringLiteral("type"), QStringLiteral("pong")}};
    if (!pong.id.isEmpty())
        o.insert(QStringLiteral("id"), pong.id);
    return toFrame(o);
}

QByteArray encode(const Done &done)
{
    QJsonObject o{{QStringLiteral("type"), QStringLiteral("done")},
                  {QStringLiteral("ref"), done.ref}};
    if (!done.token.isEmpty())
        o.insert(QStringLiteral("token"), done.token);
    if (!done.room.isEmpty())
        o.insert(QStringLiteral("room"), done.room);
    return toFrame(o);
}

QByteArray encode(const Devices &devices)
{
    QJsonArray list;
    for (const Device &d : devices.devices) {
        QJsonObject item{{QStringLiteral("id"), d.id}, {QStringLiteral("name"), d.name}};
        if (d.created.isValid())
            item.insert(QStringLiteral("created"), formatTime(d.created));
        if (d.lastUsed.isValid())
            item.insert(QStringLiteral("lastUsed"), formatTime(d.lastUsed));
        item.insert(QStringLiteral("current"), d.current);
        list.append(item);
    }
    return toFrame({{QStringLiteral("type"), QStringLiteral("devices")},
                    {QStringLiteral("ref"), devices.ref},
                    {QStringLiteral("devices"), list}});
}

QByteArray encode(const ServerMessage &message)
{
    return std::visit([](const auto &m) { return encode(m); }, message);
}

Decoded<ClientMessage> decodeClientMessage(const QByteArray &utf8Json)
{
    if (utf8Json.size() > kMaxClientFrameBytes) {
        return rejected<ClientMessage>(
            ErrorCode::TooLarge, QStringLiteral("The frame has %1 bytes; at most %2 are allowed.")
                                     .arg(utf8Json.size())
                                     .arg(kMaxClientFrameBytes));
    }
    Decoded<ClientMessage> failure;
    const auto envelope = parseEnvelope(utf8Json, &failure);
    if (!envelope)
        return failure;
    const auto &[object, type] = *envelope;
    if (type == QLatin1String("hello"))
        return decodeHello(object);
    if (type == QLatin1String("send"))
        return decodeSend(object);
    if (type == QLatin1String("ping"))
        return decodePing(object);
    if (type == QLatin1String("logout"))
        return decodeLogout(object);
    if (type == QLatin1String("change_password"))
        return decodeChangePassword(object);
    if (type == QLatin1String("devices"))
        return decodeListDevices(object);
    if (type == QLatin1String("end_device"))
        return decodeEndDevice(object);
    if (type == QLatin1String("set_display"))
        return decodeSetDisplay(object);
    if (auto decoded = decodeRoomRequest(type, object))
        return std::move(*decoded);
    return rejected<ClientMessage>(
        ErrorCode::UnknownType, QStringLiteral("Unknown message type \"%1\".").arg(type.left(40)));
}

Decoded<ServerMessage> decodeServerMessage(const QByteArray &utf8Json)
{
    Decoded<ServerMessage> failure;
    const auto envelope = parseEnvelope(utf8Json, &failure);
    if (!envelope)
        return failure;
    const auto &[object, type] = *envelope;
    if (type == QLatin1String("message")) {
        QString reason;
        std::optional<Message> m = readMessage(object, QStringLiteral("message"), &reason);
        if (!m)
            return rejected<ServerMessage>(ErrorCode::BadMessage, reason);
        return Decoded<ServerMessage>{ServerMessage{std::move(*m)}, {}, {}, {}};
    }
    if (type == QLatin1String("welcome"))
        return decodeWelcome(object);
    if (type == QLatin1String("presence"))
        return decodePresence(object);
    if (type == QLatin1String("error"))
        return decodeError(object);
    if (type == QLatin1String("done"))
        return decodeDone(object);
    if (type == QLatin1String("devices"))
        return decodeDevices(object);
    if (type == QLatin1String("pong")) {
        FieldReader r(object, QStringLiteral("pong"));
        Pong pong{r.optionalString(QStringLiteral("id"))};
        if (r.failed())
            return rejected<ServerMessage>(ErrorCode::BadMessage, r.reason());
        return accepted(ServerMessage{std::move(pong)});
    }
    if (auto decoded = decodeRoomAnswer(type, object))
        return std::move(*decoded);
    return rejected<ServerMessage>(
        ErrorCode::UnknownType, QStringLiteral("Unknown message type \"%1\".").arg(type.left(40)));
}

// --- Browser login over HTTP ------------------------------------------------------------------

Decoded<LoginRequest> decodeLoginRequest(const QByteArray &body, bool registering)
{
    if (body.size() > kMaxHttpBodyBytes) {
        return rejected<LoginRequest>(
            ErrorCode::TooLarge, QStringLiteral("The body has %1 bytes; at most %2 are allowed.")
                                     .arg(body.size())
                                     .arg(kMaxHttpBodyBytes));
    }
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(body, &error);
    if (error.error != QJsonParseError::NoError) {
        return rejected<LoginRequest>(ErrorCode::BadJson,
                                      QStringLiteral("Invalid JSON at byte %1: %2.")
                                          .arg(error.offset)
                                          .arg(error.errorString()));
    }
    if (!document.isObject())
        return rejected<LoginRequest>(ErrorCode::BadJson,
                                      QStringLiteral("The body must be a JSON object."));
    const QJsonObject object = document.object();
    FieldReader r(object, registering ? QStringLiteral("register") : QStringLiteral("login"));
    Credentials credentials;
    readCredentials(r, registering, &credentials);
    LoginRequest request;
    request.registering = registering;
    request.device = r.optionalString(QStringLiteral("device"));
    if (r.failed())
        return rejected<LoginRequest>(ErrorCode::BadMessage, r.reason());
    if (const Problem problem = checkCredentials(registering, &credentials))
        return rejected<LoginRequest>(problem.code, problem.reason);
    if (const Problem problem = checkDevice(&request.device))
        return rejected<LoginRequest>(problem.code, problem.reason);
    request.name = credentials.name;
    request.password = credentials.password;
    request.invite = credentials.invite;
    request.display = credentials.display;
    return accepted(std::move(request));
}

Decoded<LoginRequest> decodeRegisterRequest(const QByteArray &body)
{
    return decodeLoginRequest(body, true);
}

QByteArray encodeLoginRequest(const LoginRequest &request)
{
    QJsonObject o{{QStringLiteral("name"), request.name},
                  {QStringLiteral("password"), request.password}};
    if (request.registering && !request.invite.isEmpty())
        o.insert(QStringLiteral("invite"), request.invite);
    if (request.registering && !request.display.isEmpty())
        o.insert(QStringLiteral("display"), request.display);
    if (!request.device.isEmpty())
        o.insert(QStringLiteral("device"), request.device);
    return toFrame(o);
}

QByteArray encodeHttpAuthAnswer(const QString &account)
{
    return toFrame({{QStringLiteral("account"), account}});
}

QByteArray encodeHttpError(ErrorCode code, const QString &message)
{
    return toFrame(
        {{QStringLiteral("code"), errorCodeName(code)}, {QStringLiteral("message"), message}});
}

int httpStatusFor(ErrorCode code)
{
    switch (code) {
    case ErrorCode::LoginFailed:
    case ErrorCode::TokenInvalid:
    case ErrorCode::Unauthorized:
        return 401;
    case ErrorCode::RegistrationClosed:
    case ErrorCode::InviteInvalid:
    case ErrorCode::AccountDisabled:
    case ErrorCode::Forbidden:
        return 403;
    case ErrorCode::NotMember:
    case ErrorCode::NotOwner:
    case ErrorCode::InviteOnly:
    case ErrorCode::NotAllowed:
    case ErrorCode::TooManyRooms:
        return 403;
    case ErrorCode::RoomNotFound:
    case ErrorCode::UserNotFound:
        return 404;
    case ErrorCode::NameTaken:
    case ErrorCode::RoomExists:
        return 409;
    case ErrorCode::TooLarge:
        return 413;
    case ErrorCode::TooManyAttempts:
    case ErrorCode::RateLimited:
        return 429;
    case ErrorCode::Busy:
        return 503;
    case ErrorCode::Internal:
    case ErrorCode::Unknown:
        return 500;
    default:
        return 400;
    }
}

namespace {

std::optional<QJsonObject> parseObject(const QByteArray &body)
{
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(body, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return std::nullopt;
    return document.object();
}

} // namespace

std::optional<QString> decodeHttpAuthAnswer(const QByteArray &body)
{
    const std::optional<QJsonObject> object = parseObject(body);
    if (!object || !object->value(QStringLiteral("account")).isString())
        return std::nullopt;
    return object->value(QStringLiteral("account")).toString();
}

std::optional<Error> decodeHttpError(const QByteArray &body)
{
    const std::optional<QJsonObject> object = parseObject(body);
    if (!object)
        return std::nullopt;
    const QJsonValue code = object->value(QStringLiteral("code"));
    const QJsonValue message = object->value(QStringLiteral("message"));
    if (!code.isString() || !message.isString())
        return std::nullopt;
    return Error{errorCodeFromName(code.toString()), message.toString(), {}};
}

QString requestIdOf(const ClientMessage &message)
{
    return std::visit(
        [](const auto &m) -> QString {
            using T = std::decay_t<decltype(m)>;
            if constexpr (std::is_same_v<T, Hello> || std::is_same_v<T, Typing> ||
                          std::is_same_v<T, MarkRead>)
                return {};
            else
                return m.id;
        },
        message);
}

} // namespace chat::proto
