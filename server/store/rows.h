// The rows of the chat's tables as the stores read and write them, whatever the database (SQLite
// or PostgreSQL): the columns each record is read from, in order, and the conversions of values
// that the columns keep differently from the records.
#pragma once

#include "accounts/accountstore.h"
#include "protocol.h"
#include "store/roomstore.h"

#include <QDateTime>
#include <QString>
#include <QVariant>

QT_BEGIN_NAMESPACE
class QSqlQuery;
QT_END_NAMESPACE

namespace chat::server::rows {

// Milliseconds since the epoch, in UTC; NULL: an invalid time.
[[nodiscard]] QDateTime timeFromMs(const QVariant &value);
// An invalid time as 0, for columns that must hold a number.
[[nodiscard]] qint64 msOrZero(const QDateTime &time);
// An invalid time as NULL ("never").
[[nodiscard]] QVariant msOrNull(const QDateTime &time);
// Never NULL: the columns are NOT NULL, and a null QString or QByteArray binds as NULL.
[[nodiscard]] QString text(const QString &value);
[[nodiscard]] QByteArray bytes(const QByteArray &value);

// The columns each function below reads, in its order, from column 0.
extern const QString kMessageColumns;
extern const QString kAccountColumns;
extern const QString kTokenColumns;
extern const QString kInviteColumns;
extern const QString kRoomColumns;
extern const QString kMemberColumns;

[[nodiscard]] chat::proto::Message messageFrom(const QSqlQuery &query);
[[nodiscard]] Account accountFrom(const QSqlQuery &query);
[[nodiscard]] TokenRecord tokenFrom(const QSqlQuery &query);
[[nodiscard]] InviteRecord inviteFrom(const QSqlQuery &query);
[[nodiscard]] RoomRecord roomFrom(const QSqlQuery &query);
[[nodiscard]] MembershipRecord memberFrom(const QSqlQuery &query);

} // namespace chat::server::rows
