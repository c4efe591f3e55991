// The notice that tells every node sharing one PostgreSQL database which seqs a commit stored:
// NOTIFY chat_committed '<node> <first> <last>'. PostgresStore::append() sends it inside the
// committing transaction, so PostgreSQL delivers it exactly when the rows become visible, and
// never for a transaction that rolled back; ClusterFeed listens for it (cluster/clusterfeed.h).
// Only the range travels (payloads are limited to 8,000 bytes): the nodes read the rows.
#pragma once

#include <QString>
#include <QStringList>

#include <optional>

namespace chat::server {

struct CommitNotice
{
    QString node; // who committed, for logs and tests: every node reads the range the same way
    qint64 first = 0;
    qint64 last = 0;

    static constexpr const char *channel = "chat_committed";

    [[nodiscard]] QString payload() const
    {
        return QStringLiteral("%1 %2 %3").arg(node).arg(first).arg(last);
    }

    // nullopt for a payload that is not "<node> <first> <last>".
    [[nodiscard]] static std::optional<CommitNotice> parse(const QString &payload)
    {
        const QStringList parts = payload.split(QLatin1Char(' '));
        if (parts.size() != 3 || parts[0].isEmpty())
            return std::nullopt;
        bool firstOk = false;
        bool lastOk = false;
        CommitNotice notice{parts[0], parts[1].toLongLong(&firstOk), parts[2].toLongLong(&lastOk)};
        if (!firstOk || !lastOk || notice.first <= 0 || notice.first > notice.last)
            return std::nullopt;
        return notice;
    }
};

} // namespace chat::server
