#include "store/rows.h"

#include <QSqlQuery>

namespace chat::server::rows {

using chat::proto::Message;

QDateTime timeFromMs(const QVariant &value)
{
    return value.isNull() ? QDateTime()
                          : QDateTime::fromMSecsSinceEpoch(value.toLongLong(), Qt::UTC);
}

qint64 msOrZero(const QDateTime &time)
{
    return time.isValid() ? time.toMSecsSinceEpoch() : 0;
}

QVariant msOrNull(const QDateTime &time)
{
    return time.isValid() ? QVariant(time.toMSecsSinceEpoch())
                          : QVariant(QMetaType::fromType<qint64>());
}

QString text(const QString &value)
{
    return value.isNull() ? QStringLiteral("") : value;
}

QByteArray bytes(const QByteArray &value)
{
    return value.isNull() ? QByteArray("") : value;
}

const QString kMessageColumns =
    QStringLiteral("seq, msg_id, room, sender, time_ms, text, display, event, target");
const QString kAccountColumns =
    QStringLiteral("id, name, name_key, display, password_hash, admin, disabled, created_ms");
const QString kTokenColumns = QStringLiteral("hash, account_id, device, created_ms, last_used_ms");
const QString kInviteColumns = QStringLiteral("hash, uses_left, expires_ms, created_ms");
const QString kRoomColumns = QStringLiteral("id, name, title, topic, private, direct, created_ms");
const QString kMemberColumns = QStringLiteral("room_id, account_id, role, joined_ms, read_seq");

Message messageFrom(const QSqlQuery &query)
{
    Message message;
    message.seq = query.value(0).toLongLong();
    message.id = query.value(1).toString();
    message.room = query.value(2).toString();
    message.from = query.value(3).toString();
    message.time = QDateTime::fromMSecsSinceEpoch(query.value(4).toLongLong(), Qt::UTC);
    message.text = query.value(5).toString();
    message.display = query.value(6).toString();
    message.event = query.value(7).toString();
    message.target = query.value(8).toString();
    return message;
}

Account accountFrom(const QSqlQuery &query)
{
    Account account;
    account.id = query.value(0).toLongLong();
    account.name = query.value(1).toString();
    account.nameKey = query.value(2).toString();
    account.display = query.value(3).toString();
    account.passwordHash = query.value(4).toByteArray();
    account.admin = query.value(5).toBool();
    account.disabled = query.value(6).toBool();
    account.created = timeFromMs(query.value(7));
    return account;
}

TokenRecord tokenFrom(const QSqlQuery &query)
{
    TokenRecord token;
    token.hash = query.value(0).toByteArray();
    token.accountId = query.value(1).toLongLong();
    token.device = query.value(2).toString();
    token.created = timeFromMs(query.value(3));
    token.lastUsed = timeFromMs(query.value(4));
    return token;
}

InviteRecord inviteFrom(const QSqlQuery &query)
{
    InviteRecord invite;
    invite.hash = query.value(0).toByteArray();
    invite.usesLeft = query.value(1).toInt();
    invite.expires = timeFromMs(query.value(2));
    invite.created = timeFromMs(query.value(3));
    return invite;
}

RoomRecord roomFrom(const QSqlQuery &query)
{
    RoomRecord room;
    room.id = query.value(0).toLongLong();
    room.name = query.value(1).toString();
    room.title = query.value(2).toString();
    room.topic = query.value(3).toString();
    room.isPrivate = query.value(4).toBool();
    room.direct = query.value(5).toBool();
    room.created = timeFromMs(query.value(6));
    return room;
}

MembershipRecord memberFrom(const QSqlQuery &query)
{
    MembershipRecord member;
    member.roomId = query.value(0).toLongLong();
    member.accountId = query.value(1).toLongLong();
    member.role =
        query.value(2).toInt() == int(RoomRole::Owner) ? RoomRole::Owner : RoomRole::Member;
    member.joined = timeFromMs(query.value(3));
    member.readSeq = query.value(4).toLongLong();
    return member;
}

} // namespace chat::server::rows
