// What the codec's source files share (not part of the API: include codec.h): the field reader
// that names the first problem of a frame, and the pieces of messages that several kinds carry.
#pragma once

#include "codec.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>

namespace chat::proto::detail {

inline QByteArray toFrame(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

inline QString formatTime(const QDateTime &time)
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

    QJsonObject object(const QString &key)
    {
        const QJsonValue value = m_object.value(key);
        if (!value.isObject()) {
            fail(key, value, QStringLiteral("an object"));
            return {};
        }
        return value.toObject();
    }

    bool optionalBoolean(const QString &key) { return has(key) && boolean(key); }

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

template<typename T> Decoded<T> accepted(T value)
{
    Decoded<T> result;
    result.message = std::move(value);
    return result;
}

// A chat or event message, in a "message" frame or inside a list (welcome, history, a room's
// last); reason is set when it returns nullopt.
std::optional<Message> readMessage(const QJsonObject &object, const QString &context,
                                   QString *reason);
// {"type":"message",...}, as every list of messages carries them too.
void appendMessage(QByteArray &out, const Message &m);

// A room's state, as the welcome and "room" carry it.
std::optional<RoomState> readRoomState(const QJsonObject &object, const QString &context,
                                       QString *reason);
bool readRoomStates(const QJsonArray &array, const QString &context, QList<RoomState> *rooms,
                    QString *reason);
void appendRoomState(QByteArray &out, const RoomState &room);

// The "id" every request carries; on success *id is set and the result is empty.
std::optional<Decoded<ClientMessage>> readRequestId(FieldReader &r, QString *id);
// {"type":…,"id":…}
QJsonObject request(const char *type, const QString &id);

// The room kinds (roomcodec.cpp): nullopt when `type` is none of them.
std::optional<Decoded<ClientMessage>> decodeRoomRequest(const QString &type,
                                                        const QJsonObject &object);
std::optional<Decoded<ServerMessage>> decodeRoomAnswer(const QString &type,
                                                       const QJsonObject &object);

} // namespace chat::proto::detail
