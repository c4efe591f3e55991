#include "codec.h"

#include "jsonwriter.h"
#include "validation.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>

#include <cmath>

namespace chat::proto {

QString defaultRoom()
{
    return QStringLiteral("lobby");
}

namespace {

QByteArray toFrame(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QString formatTime(const QDateTime &time)
{
    return time.toUTC().toString(Qt::ISODateWithMs);
}

// Reads typed fields from one JSON object and remembers the first problem it meets.
class FieldReader
{
public:
    FieldReader(const QJsonObject &object, QString context)
        : m_object(object)
        , m_context(std::move(context))
    {}

    [[nodiscard]] bool failed() const { return !m_reason.isEmpty(); }
    [[nodiscard]] const QString &reason() const { return m_reason; }

    bool has(const QString &key) const { return m_object.contains(key); }

    QString string(const QString &key)
    {
        const QJsonValue value = m_object.value(key);
        if (!value.isString()) {
            fail(key, value, QStringLiteral("a string"));
            return {};
        }
        return value.toString();
    }

    QString optionalString(const QString &key, const QString &fallback = {})
    {
        return has(key) ? string(key) : fallback;
    }

    qint64 integer(const QString &key, qint64 minimum, qint64 maximum)
    {
        const QJsonValue value = m_object.value(key);
        const QString expected =
            QStringLiteral("an integer from %1 to %2").arg(minimum).arg(maximum);
        if (!value.isDouble()) {
            fail(key, value, expected);
            return 0;
        }
        const double number = value.toDouble();
        if (std::floor(number) != number || number < double(minimum) || number > double(maximum)) {
            fail(key, value, expected);
            return 0;
        }
        return qint64(number);
    }

    bool boolean(const QString &key)
    {
        const QJsonValue value = m_object.value(key);
        if (!value.isBool()) {
            fail(key, value, QStringLiteral("true or false"));
            return false;
        }
        return value.toBool();
    }

    QJsonArray array(const QString &key)
    {
        const QJsonValue value = m_object.value(key);
        if (!value.isArray()) {
            fail(key, value, QStringLiteral("an array"));
            return {};
        }
        return value.toArray();
    }

    void setReason(const QString &reason)
    {
        if (!failed())
            m_reason = reason;
    }

private:
    static QString describe(const QJsonValue &value)
    {
        switch (value.type()) {
        case QJsonValue::Undefined:
            return QStringLiteral("missing");
        case QJsonValue::Null:
            return QStringLiteral("null");
        case QJsonValue::Bool:
            return QStringLiteral("a boolean");
        case QJsonValue::Double:
            return QStringLiteral("the number %1").arg(value.toDouble());
        case QJsonValue::String:
            return QStringLiteral("a string");
        case QJsonValue::Array:
            return QStringLiteral("an array");
        case QJsonValue::Object:
            return QStringLiteral("an object");
        }
        return QStringLiteral("of an unknown type");
    }

    void fail(const QString &key, const QJsonValue &value, const QString &expected)
    {
        if (value.isUndefined())
            setReason(QStringLiteral("%1: the field \"%2\" is missing.").arg(m_context, key));
        else
            setReason(QStringLiteral("%1: the field \"%2\" must be %3, but it is %4.")
                          .arg(m_context, key, expected, describe(value)));
    }

    const QJsonObject &m_object;
    QString m_context;
    QString m_reason;
};

template<typename T>
Decoded<T> rejected(ErrorCode code, const QString &reason, const QString &ref = {})
{
    Decoded<T> result;
    result.code = code;
    result.reason = reason;
    result.ref = ref;
    return result;
}

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

std::optional<Message> readMessage(const QJsonObject &object, const QString &context,
                                   QString *reason)
{
    FieldReader r(object, context);
    Message m;
    m.seq = r.integer(QStringLiteral("seq"), 1, kMaxSeq);
    m.id = r.string(QStringLiteral("id"));
    m.room = r.optionalString(QStringLiteral("room"), defaultRoom());
    m.from = r.string(QStringLiteral("from"));
    const QString time = r.string(QStringLiteral("time"));
    m.text = r.string(QStringLiteral("text"));
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

Decoded<ClientMessage> decodeHello(const QJsonObject &object)
{
    FieldReader r(object, QStringLiteral("hello"));
    Hello hello;
    hello.version = int(r.integer(QStringLiteral("version"), 0, 1 << 30));
    if (r.failed())
        return rejected<ClientMessage>(ErrorCode::BadMessage, r.reason());
    if (hello.version != kProtocolVersion) {
        return rejected<ClientMessage>(
            ErrorCode::UnsupportedVersion,
            QStringLiteral("This server speaks protocol version %1; the client asked for %2.")
                .arg(kProtocolVersion)
                .arg(hello.version));
    }
    const QString rawNick = r.string(QStringLiteral("nick"));
    if (r.has(QStringLiteral("lastSeq")))
        hello.lastSeq = r.integer(QStringLiteral("lastSeq"), 0, kMaxSeq);
    hello.session = r.optionalString(QStringLiteral("session"));
    hello.token = r.optionalString(QStringLiteral("token"));
    hello.instance = r.optionalString(QStringLiteral("instance"));
    if (!r.failed() && hello.instance.size() > kMaxIdChars)
        r.setReason(QStringLiteral("hello: the instance is too long."));
    if (!r.failed() && (hello.session.size() > kMaxIdChars || hello.token.size() > kMaxTokenChars))
        r.setReason(QStringLiteral("hello: the session or token is too long."));
    if (r.failed())
        return rejected<ClientMessage>(ErrorCode::BadMessage, r.reason());
    const NormalizedNick nick = normalizeNick(rawNick);
    if (!nick.ok())
        return rejected<ClientMessage>(ErrorCode::NickInvalid, nick.reason);
    hello.nick = nick.nick;
    return Decoded<ClientMessage>{ClientMessage{std::move(hello)}, {}, {}, {}};
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
    send.room = r.optionalString(QStringLiteral("room"), defaultRoom());
    send.text = r.string(QStringLiteral("text"));
    if (r.failed())
        return rejected<ClientMessage>(ErrorCode::BadMessage, r.reason(), send.id);
    if (const QString problem = checkRoom(send.room); !problem.isEmpty())
        return rejected<ClientMessage>(ErrorCode::BadMessage, problem, send.id);
    if (const QString problem = checkText(send.text); !problem.isEmpty())
        return rejected<ClientMessage>(ErrorCode::TextInvalid, problem, send.id);
    return Decoded<ClientMessage>{ClientMessage{std::move(send)}, {}, {}, {}};
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
    return Decoded<ClientMessage>{ClientMessage{std::move(ping)}, {}, {}, {}};
}

// A list of nicknames, each a string.
bool readNicks(const QJsonArray &array, const QString &context, QStringList *nicks, QString *reason)
{
    nicks->reserve(array.size());
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QJsonValue value = array.at(i);
        if (!value.isString()) {
            *reason = QStringLiteral("%1[%2] must be a string.").arg(context).arg(i);
            return false;
        }
        nicks->append(value.toString());
    }
    return true;
}

Decoded<ServerMessage> decodeWelcome(const QJsonObject &object)
{
    FieldReader r(object, QStringLiteral("welcome"));
    Welcome w;
    w.version = int(r.integer(QStringLiteral("version"), 0, 1 << 30));
    w.server = r.optionalString(QStringLiteral("server"));
    w.nick = r.string(QStringLiteral("nick"));
    w.session = r.optionalString(QStringLiteral("session"));
    w.instance = r.optionalString(QStringLiteral("instance"));
    w.seq = r.integer(QStringLiteral("seq"), 0, kMaxSeq);
    w.resumed = r.boolean(QStringLiteral("resumed"));
    const QJsonArray users = r.array(QStringLiteral("users"));
    const QJsonArray history = r.array(QStringLiteral("history"));
    if (r.failed())
        return rejected<ServerMessage>(ErrorCode::BadMessage, r.reason());
    QString reason;
    if (!readNicks(users, QStringLiteral("welcome: users"), &w.users, &reason))
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
    const QJsonArray joined = r.array(QStringLiteral("joined"));
    const QJsonArray left = r.array(QStringLiteral("left"));
    p.online = int(r.integer(QStringLiteral("online"), 0, 1 << 30));
    if (r.failed())
        return rejected<ServerMessage>(ErrorCode::BadMessage, r.reason());
    QString reason;
    if (!readNicks(joined, QStringLiteral("presence: joined"), &p.joined, &reason) ||
        !readNicks(left, QStringLiteral("presence: left"), &p.left, &reason))
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

} // namespace

QByteArray encode(const Hello &hello)
{
    QJsonObject o{{QStringLiteral("type"), QStringLiteral("hello")},
                  {QStringLiteral("version"), hello.version},
                  {QStringLiteral("nick"), hello.nick}};
    if (hello.lastSeq)
        o.insert(QStringLiteral("lastSeq"), double(*hello.lastSeq));
    if (!hello.session.isEmpty())
        o.insert(QStringLiteral("session"), hello.session);
    if (!hello.token.isEmpty())
        o.insert(QStringLiteral("token"), hello.token);
    if (!hello.instance.isEmpty())
        o.insert(QStringLiteral("instance"), hello.instance);
    return toFrame(o);
}

QByteArray encode(const Send &send)
{
    return toFrame({{QStringLiteral("type"), QStringLiteral("send")},
                    {QStringLiteral("id"), send.id},
                    {QStringLiteral("room"), send.room.isEmpty() ? defaultRoom() : send.room},
                    {QStringLiteral("text"), send.text}});
}

QByteArray encode(const Ping &ping)
{
    QJsonObject o{{QStringLiteral("type"), QStringLiteral("ping")}};
    if (!ping.id.isEmpty())
        o.insert(QStringLiteral("id"), ping.id);
    return toFrame(o);
}

QByteArray encode(const ClientMessage &message)
{
    return std::visit([](const auto &m) { return encode(m); }, message);
}

namespace {

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
    json::appendKey(out, "time");
    json::appendUtcTime(out, m.time);
    json::appendKey(out, "text");
    json::appendString(out, m.text);
    out.append('}');
}

} // namespace

EncodedUserList encodeUserList(const QStringList &nicks)
{
    EncodedUserList list;
    list.json.reserve(8 + nicks.size() * 16);
    json::appendStringArray(list.json, nicks);
    return list;
}

QByteArray encode(const Welcome &w)
{
    return encode(w, encodeUserList(w.users));
}

QByteArray encode(const Welcome &w, const EncodedUserList &users)
{
    QByteArray out;
    out.reserve(256 + users.json.size() + w.history.size() * 256);
    out.append("{\"type\":\"welcome\"");
    json::appendKey(out, "version");
    json::appendInteger(out, w.version);
    json::appendKey(out, "server");
    json::appendString(out, w.server);
    json::appendKey(out, "nick");
    json::appendString(out, w.nick);
    json::appendKey(out, "session");
    json::appendString(out, w.session);
    json::appendKey(out, "instance");
    json::appendString(out, w.instance);
    json::appendKey(out, "seq");
    json::appendInteger(out, w.seq);
    json::appendKey(out, "resumed");
    out.append(w.resumed ? "true" : "false");
    json::appendKey(out, "users");
    out.append(users.json.isEmpty() ? QByteArrayLiteral("[]") : users.json);
    json::appendKey(out, "history");
    out.append('[');
    for (qsizetype i = 0; i < w.history.size(); ++i) {
        if (i > 0)
            out.append(',');
        appendMessage(out, w.history.at(i));
    }
    out.append("]}");
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
    out.reserve(64 + (p.joined.size() + p.left.size()) * 16);
    out.append("{\"type\":\"presence\"");
    json::appendKey(out, "joined");
    json::appendStringArray(out, p.joined);
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
    if (type == QLatin1String("pong")) {
        FieldReader r(object, QStringLiteral("pong"));
        Pong pong{r.optionalString(QStringLiteral("id"))};
        if (r.failed())
            return rejected<ServerMessage>(ErrorCode::BadMessage, r.reason());
        return Decoded<ServerMessage>{ServerMessage{std::move(pong)}, {}, {}, {}};
    }
    return rejected<ServerMessage>(
        ErrorCode::UnknownType, QStringLiteral("Unknown message type \"%1\".").arg(type.left(40)));
}

} // namespace chat::proto
