// The fan-out between nodes that share one PostgreSQL database: on its own connection (not the
// store's), each node listens (QSqlDriver::subscribeToNotification) for the notices NOTIFY
// chat_committed '<node> <first> <last>' that every node's store sends inside its committing
// transaction (store/commitnotice.h), so a committed range is always announced. A lost connection
// is opened again with backoff and listened on again; then reconnected() says that notices may
// have been missed, so the hub reads on by sequence. A tick every heartbeat does the same as a
// safety net.
// It listens on chat_presence too, for ClusterPresence, and on chat_changed: what changed besides
// messages (store/statenotice.h), which the stores announce themselves.
#pragma once

#include "store/commitnotice.h"
#include "store/statenotice.h"

#include <QLoggingCategory>
#include <QObject>
#include <QSqlDatabase>
#include <QString>
#include <QTimer>

#include <optional>

namespace chat::server {

Q_DECLARE_LOGGING_CATEGORY(lcCluster) // chat.server.cluster

class ClusterFeed : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        QString url;             // postgresql://...
        QString node;            // this node's name in notices; a random one when empty
        int heartbeatMs = 3000;  // tick(), and how soon a lost connection is noticed
        int maxBackoffMs = 4000; // between attempts to connect again
    };

    explicit ClusterFeed(Options options, QObject *parent = nullptr);
    ~ClusterFeed() override;

    // Connects and listens; false with *error when the database cannot be reached now.
    [[nodiscard]] bool start(QString *error);
    [[nodiscard]] QString node() const { return m_options.node; }
    [[nodiscard]] bool isConnected() const { return m_connected; }
    // The oldest seq the shared history holds (the maximum when it holds none); nullopt when the
    // database cannot be asked now.
    [[nodiscard]] std::optional<qint64> oldestHeld();

    static constexpr const char *channel = CommitNotice::channel;
    // The connection, for the other cluster parts (ClusterPresence); valid while isConnected().
    [[nodiscard]] QSqlDatabase database() const;
    // A statement on database() failed: when the connection is gone, connect again.
    void noteFailure(const QString &why);

signals:
    // A notice from any node, this one included.
    void committed(const QString &node, qint64 first, qint64 last);
    void connectionLost();
    // Listening again after a lost connection: notices of the meantime are gone.
    void reconnected();
    // Every heartbeat while connected.
    void tick();
    // A notice on another channel the cluster listens to (ClusterPresence's).
    void notified(const QString &channel);
    // A room, a membership, a read position or an account changed (any node, this one too).
    void stateChanged(const chat::server::StateNotice &notice);

private:
    bool connectNow(QString *error);
    void lose(const QString &why);
    void retry();
    void beat();
    void onNotification(const QString &name, const QVariant &payload);

    Options m_options;
    QString m_connectionName;
    bool m_connected = false;
    int m_backoffMs = 0;
    QTimer m_heartbeat;
    QTimer m_retry;
};

} // namespace chat::server
