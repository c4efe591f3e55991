#include "cluster/clusterpresence.h"

#include "cluster/clusterfeed.h"

#include <QSqlError>
#include <QSqlQuery>

namespace chat::server {

using chat::proto::User;

ClusterPresence::ClusterPresence(ClusterFeed *feed, int expirySeconds, QObject *parent)
    : QObject(parent)
    , m_feed(feed)
    , m_expirySeconds(expirySeconds)
{
    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(kFlushMs);
    connect(&m_flushTimer, &QTimer::timeout, this, &ClusterPresence::flush);
    connect(feed, &ClusterFeed::tick, this, [this] {
        flush(); // the heartbeat
        refresh();
    });
    connect(feed, &ClusterFeed::notified, this, [this](const QString &name) {
        if (name == QLatin1String(channel))
            refresh();
    });
    connect(feed, &ClusterFeed::reconnected, this, [this] {
        m_rewriteAll = true;
        flush();
        refresh();
    });
    flush();
    refresh();
}

void ClusterPresence::setOnline(qint64 accountId, const User &user)
{
    m_local.insert(accountId, user);
    m_pending.insert(accountId, user);
    if (!m_flushTimer.isActive())
        m_flushTimer.start();
}

void ClusterPresence::setOffline(qint64 accountId)
{
    m_local.remove(accountId);
    m_pending[accountId].reset();
    if (!m_flushTimer.isActive())
        m_flushTimer.start();
}

void ClusterPresence::flush()
{
    m_flushTimer.stop();
    if (!m_feed->isConnected())
        return; // kept: written after the reconnection (m_rewriteAll)
    QSqlDatabase db = m_feed->database();
    const QString node = m_feed->node();
    const auto fail = [&](const QSqlQuery &query) {
        db.rollback();
        m_feed->noteFailure(query.lastError().text());
    };
    db.transaction();
    QSqlQuery beat(db);
    beat.prepare(QStringLiteral("INSERT INTO cluster_nodes (node, beat) VALUES (?, now()) "
                                "ON CONFLICT (node) DO UPDATE SET beat = now()"));
    beat.addBindValue(node);
    if (!beat.exec())
        return fail(beat);
    const bool announce = m_rewriteAll || !m_pending.isEmpty();
    if (m_rewriteAll) {
        QSqlQuery clear(db);
        clear.prepare(QStringLiteral("DELETE FROM cluster_online WHERE node = ?"));
        clear.addBindValue(node);
        if (!clear.exec())
            return fail(clear);
        m_pending.clear();
        for (auto it = m_local.cbegin(); it != m_local.cend(); ++it)
            m_pending.insert(it.key(), *it);
    }
    QSqlQuery online(db);
    online.prepare(QStringLiteral(
        "INSERT INTO cluster_online (node, account_id, name, display) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (node, account_id) DO UPDATE SET name = excluded.name, "
        "display = excluded.display"));
    QSqlQuery offline(db);
    offline.prepare(QStringLiteral("DELETE FROM cluster_online WHERE node = ? AND account_id = ?"));
    for (auto it = m_pending.cbegin(); it != m_pending.cend(); ++it) {
        QSqlQuery &query = *it ? online : offline;
        query.addBindValue(node);
        query.addBindValue(it.key());
        if (*it) {
            query.addBindValue((*it)->name);
            query.addBindValue((*it)->display);
        }
        if (!query.exec())
            return fail(query);
    }
    // Nodes gone for a minute: their rows go with them (cluster_online cascades).
    QSqlQuery cleanup(db);
    if (!cleanup.exec(QStringLiteral("DELETE FROM cluster_nodes WHERE beat < now() - interval "
                                     "'1 minute'")))
        return fail(cleanup);
    QSqlQuery notify(db);
    notify.prepare(QStringLiteral("SELECT pg_notify(?, ?)"));
    notify.addBindValue(QLatin1String(channel));
    notify.addBindValue(node);
    if (announce && !notify.exec())
        return fail(notify);
    if (!db.commit()) {
        m_feed->noteFailure(db.lastError().text());
        return;
    }
    m_pending.clear();
    m_rewriteAll = false;
}

void ClusterPresence::refresh()
{
    if (!m_feed->isConnected())
        return; // the others' people stay as last read until the database answers again
    QSqlQuery query(m_feed->database());
    query.prepare(
        QStringLiteral("SELECT o.account_id, o.name, o.display FROM cluster_online o "
                       "JOIN cluster_nodes n ON n.node = o.node "
                       "WHERE o.node <> ? AND n.beat > now() - make_interval(secs => ?)"));
    query.addBindValue(m_feed->node());
    query.addBindValue(m_expirySeconds);
    if (!query.exec()) {
        m_feed->noteFailure(query.lastError().text());
        return;
    }
    QHash<qint64, User> now;
    while (query.next())
        now.insert(query.value(0).toLongLong(),
                   User{query.value(1).toString(), query.value(2).toString()});
    const QHash<qint64, User> before = std::exchange(m_elsewhere, now);
    for (auto it = before.cbegin(); it != before.cend(); ++it)
        if (!now.contains(it.key()))
            emit changed(it.key(), std::nullopt);
    for (auto it = now.cbegin(); it != now.cend(); ++it)
        if (const auto was = before.constFind(it.key());
            was == before.cend() || was->display != it->display)
            emit changed(it.key(), *it);
}

} // namespace chat::server
