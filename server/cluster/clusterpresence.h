// Who is online on the other nodes. Each node keeps its own online accounts in cluster_online
// (under its node name) and beats in cluster_nodes every heartbeat (ClusterFeed::tick); a change
// is written within kFlushMs and announced with NOTIFY chat_presence, on which (and on every
// heartbeat) each node reads the accounts of the nodes whose beat is younger than the expiry.
// So a node that vanishes without a goodbye drops out of everyone's list within expiry +
// heartbeat (10 s + 3 s by default; docs/operations.md); its rows go with its node row a minute
// later, deleted by whichever node looks first.
#pragma once

#include "protocol.h"

#include <QHash>
#include <QObject>
#include <QTimer>

#include <optional>

namespace chat::server {

class ClusterFeed;

class ClusterPresence : public QObject
{
    Q_OBJECT
public:
    static constexpr int kFlushMs = 100;
    static constexpr int kExpirySeconds = 10; // a node's people count as online this long

    static constexpr const char *channel = "chat_presence";

    ClusterPresence(ClusterFeed *feed, int expirySeconds, QObject *parent = nullptr);

    // This node's accounts: came online (or changed their display name), went offline.
    void setOnline(qint64 accountId, const chat::proto::User &user);
    void setOffline(qint64 accountId);
    // The accounts online on the other (live) nodes, as last read.
    [[nodiscard]] const QHash<qint64, chat::proto::User> &elsewhere() const { return m_elsewhere; }
    // Reads the others now (a heartbeat does it too).
    void refresh();

signals:
    // An account came online elsewhere (user), or is no longer online on any other node.
    void changed(qint64 accountId, const std::optional<chat::proto::User> &user);

private:
    void flush();

    ClusterFeed *m_feed;
    int m_expirySeconds;
    QHash<qint64, chat::proto::User> m_local;                  // this node's online accounts
    QHash<qint64, std::optional<chat::proto::User>> m_pending; // written at the next flush
    bool m_rewriteAll = true; // after a lost connection: our rows may have been deleted
    QHash<qint64, chat::proto::User> m_elsewhere;
    QTimer m_flushTimer;
};

} // namespace chat::server
