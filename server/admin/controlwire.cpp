#include "admin/controlwire.h"

#include <QDataStream>
#include <QIODevice>
#include <QtEndian>

namespace chat::server::admin {

namespace {

constexpr QDataStream::Version kStreamVersion = QDataStream::Qt_6_4;

QByteArray frame(const QByteArray &payload)
{
    const quint32 size = quint32(payload.size());
    QByteArray out;
    out.reserve(kControlLengthBytes + payload.size());
    for (int shift = 24; shift >= 0; shift -= 8)
        out.append(char((size >> shift) & 0xff));
    return out + payload;
}

// Reads the magic and the version; false (and *error) if they are not ours.
bool readHeader(QDataStream &in, QString *error)
{
    quint32 magic = 0;
    quint16 version = 0;
    in >> magic >> version;
    if (in.status() != QDataStream::Ok || magic != kControlMagic) {
        *error = QStringLiteral("not a chat-server control message");
        return false;
    }
    if (version != kControlVersion) {
        *error = QStringLiteral("control protocol version %1; this program speaks %2")
                     .arg(version)
                     .arg(kControlVersion);
        return false;
    }
    return true;
}

bool finished(const QDataStream &in, QString *error)
{
    if (in.status() != QDataStream::Ok) {
        *error = QStringLiteral("a truncated or corrupt control message");
        return false;
    }
    if (!in.atEnd()) {
        *error = QStringLiteral("bytes after the end of a control message");
        return false;
    }
    return true;
}

} // namespace

QByteArray encodeControlRequest(const QStringList &arguments)
{
    QByteArray payload;
    QDataStream out(&payload, QIODevice::WriteOnly);
    out.setVersion(kStreamVersion);
    out << kControlMagic << kControlVersion << quint32(arguments.size());
    for (const QString &argument : arguments)
        out << argument;
    return frame(payload);
}

QByteArray encodeControlReply(const ControlReply &reply)
{
    QByteArray payload;
    QDataStream out(&payload, QIODevice::WriteOnly);
    out.setVersion(kStreamVersion);
    out << kControlMagic << kControlVersion << qint32(reply.exitCode) << reply.output;
    return frame(payload);
}

std::optional<quint32> peekFrameLength(const QByteArray &buffer)
{
    if (buffer.size() < kControlLengthBytes)
        return std::nullopt;
    return qFromBigEndian<quint32>(buffer.constData());
}

std::optional<QStringList> decodeControlRequest(const QByteArray &payload, QString *error)
{
    if (payload.size() > kMaxControlRequestBytes) {
        *error = QStringLiteral("a control request over %1 bytes").arg(kMaxControlRequestBytes);
        return std::nullopt;
    }
    QDataStream in(payload);
    in.setVersion(kStreamVersion);
    if (!readHeader(in, error))
        return std::nullopt;
    // The count is read and checked by hand: QDataStream's own QStringList reading reserves
    // whatever count the sender claims.
    quint32 count = 0;
    in >> count;
    if (in.status() != QDataStream::Ok || count > quint32(kMaxControlArgs)) {
        *error =
            QStringLiteral("a control request with more than %1 arguments").arg(kMaxControlArgs);
        return std::nullopt;
    }
    QStringList arguments;
    arguments.reserve(qsizetype(count));
    for (quint32 i = 0; i < count; ++i) {
        // A string's claimed length is bounded by the payload: QDataStream reads it in steps and
        // stops at the end of the data.
        QString argument;
        in >> argument;
        if (in.status() != QDataStream::Ok)
            break;
        arguments.append(argument);
    }
    if (!finished(in, error))
        return std::nullopt;
    return arguments;
}

std::optional<ControlReply> decodeControlReply(const QByteArray &payload, QString *error)
{
    QDataStream in(payload);
    in.setVersion(kStreamVersion);
    if (!readHeader(in, error))
        return std::nullopt;
    qint32 exitCode = 0;
    ControlReply reply;
    in >> exitCode >> reply.output;
    if (!finished(in, error))
        return std::nullopt;
    if (exitCode < 0 || exitCode > 255) {
        *error = QStringLiteral("an exit code out of range");
        return std::nullopt;
    }
    reply.exitCode = exitCode;
    return reply;
}

} // namespace chat::server::admin
