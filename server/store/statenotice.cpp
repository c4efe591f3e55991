#include "store/statenotice.h"

#include <QStringList>

namespace chat::server {

namespace {

QString notify(const QString &words)
{
    return QStringLiteral("pg_notify('%1', %2)").arg(QLatin1String(StateNotice::channel), words);
}

} // namespace

std::optional<StateNotice> StateNotice::parse(const QString &payload)
{
    const QStringList words = payload.split(QLatin1Char(' '));
    QList<qint64> numbers;
    for (qsizetype i = 1; i < words.size(); ++i) {
        bool ok = false;
        numbers.append(words[i].toLongLong(&ok));
        if (!ok || numbers.last() <= 0)
            return std::nullopt;
    }
    StateNotice notice;
    const QString &kind = words.first();
    if (kind == QLatin1String("room") && numbers.size() == 1) {
        notice.kind = Kind::Room;
        notice.room = numbers[0];
    } else if (kind == QLatin1String("member") && numbers.size() == 1) {
        notice.kind = Kind::Member;
        notice.account = numbers[0];
    } else if (kind == QLatin1String("read") && numbers.size() == 3) {
        notice.kind = Kind::Read;
        notice.room = numbers[0];
        notice.account = numbers[1];
        notice.seq = numbers[2];
    } else if (kind == QLatin1String("account") && numbers.size() == 1) {
        notice.kind = Kind::Account;
        notice.account = numbers[0];
    } else {
        return std::nullopt;
    }
    return notice;
}

QString StateNotice::sqlRoom(const QString &roomId)
{
    return notify(QStringLiteral("'room ' || %1").arg(roomId));
}

QString StateNotice::sqlMember(const QString &accountId)
{
    return notify(QStringLiteral("'member ' || %1").arg(accountId));
}

QString StateNotice::sqlRead(const QString &roomId, const QString &accountId, const QString &seq)
{
    return notify(
        QStringLiteral("'read ' || %1 || ' ' || %2 || ' ' || %3").arg(roomId, accountId, seq));
}

QString StateNotice::sqlAccount(const QString &accountId)
{
    return notify(QStringLiteral("'account ' || %1").arg(accountId));
}

} // namespace chat::server
