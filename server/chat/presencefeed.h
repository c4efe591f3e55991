// Who came online and went offline, gathered and told together: the first change after a quiet
// spell at once, then at most one round every `intervalMs`, so a crowd joining together (everyone
// coming back after a restart) makes a few rounds, not one per person (docs/performance.md). The
// hub turns a round into one presence frame per room whose member list someone is watching.
#pragma once

#include "protocol.h"

#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QObject>
#include <QTimer>

#include <optional>

namespace chat::server {

class PresenceFeed : public QObject
{
    Q_OBJECT
public:
    explicit PresenceFeed(int intervalMs, QObject *parent = nullptr);

    // The account is now online as `user`; nullopt: gone.
    void changed(qint64 accountId, const std::optional<chat::proto::User> &user);
    [[nodiscard]] bool hasPending() const { return !m_pending.isEmpty(); }
    // The accounts whose change waits for the next round.
    [[nodiscard]] QList<qint64> pendingAccounts() const { return m_pending.keys(); }

    struct Round
    {
        QHash<qint64, chat::proto::User> joined; // came online, or changed their display name
        QHash<qint64, QString> left;             // went offline: their names
        // Came online and went again within the round: news to nobody, except to a connection
        // whose member list showed them online in between.
        QHash<qint64, QString> cameAndWent;
    };
    // The changes since the last round, from now on counted as told; nothing when they cancel
    // out (someone left and came back).
    [[nodiscard]] std::optional<Round> take();

signals:
    // Time to take() the changes and send them.
    void due();

private:
    int m_intervalMs;
    QHash<qint64, chat::proto::User> m_told; // account → user, as the last round left it
    QHash<qint64, std::optional<chat::proto::User>> m_pending; // account → now, changed since
    QHash<qint64, QString> m_cameNames; // the names of those who came online in this round
    QTimer m_timer;
    QElapsedTimer m_sinceTold;
};

} // namespace chat::server
