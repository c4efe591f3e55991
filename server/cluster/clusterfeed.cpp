#include "cluster/clusterfeed.h"

#include "cluster/clusterpresence.h"
#include "store/postgresconnection.h"

#include <QSqlDatabase>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

#include <limits>

namespace chat::server {

Q_LOGGING_CATEGORY(lcCluster, "chat.server.cluster")

ClusterFeed::ClusterFeed(Options options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_connectionName(QStringLiteral("chat-cluster-") +
                       QUuid::createUuid().toString(QUuid::WithoutBraces))
{
    if (m_options.node.isEmpty())
        m_options.node = QUuid::createUuid().toString(QUuid::WithoutBraces).left(8);
    m_heartbeat.setInterval(qMax(100, m_options.heartbeatMs));
    connect(&m_heartbeat, &QTimer::timeout, this, &ClusterFeed::beat);
    m_retry.setSingleShot(true);
    connect(&m_retry, &QTimer::timeout, this, &ClusterFeed::retry);
}

ClusterFeed::~ClusterFeed()
{
    {
        QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
        if (db.isValid())
            db.close();
    }
    QSqlDatabase::removeDatabase(m_connectionName);
}

bool ClusterFeed::start(QString *error)
{
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), m_connectionName);
    if (!postgres::configure(db, m_options.url, error))
        return false;
    if (!connectNow(error))
        return false;
    m_heartbeat.start();
    return true;
}

bool ClusterFeed::connectNow(QString *error)
{
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    if (!db.open()) {
        *error = db.lastError().text();
        return false;
    }
    QSqlDriver *driver = db.driver();
    // Connected once per driver object: a reopened connection keeps the same driver.
    disconnect(driver, &QSqlDriver::notification, this, nullptr);
    connect(driver, &QSqlDriver::notification, this,
            [this](const QString &name, QSqlDriver::NotificationSource, const QVariant &payload) {
                onNotification(name, payload);
            });
    for (const char *name : {channel, ClusterPresence::channel, StateNotice::channel}) {
        if (!driver->subscribeToNotification(QLatin1String(name))) {
            *error = driver->lastError().text();
            db.close();
            return false;
        }
    }
    m_connected = true;
    m_backoffMs = 0;
    return true;
}

std::optional<qint64> ClusterFeed::oldestHeld()
{
    if (!m_connected)
        return std::nullopt;
    QSqlQuery query(QSqlDatabase::database(m_connectionName, false));
    if (!query.exec(QStringLiteral("SELECT MIN(seq) FROM messages")) || !query.next()) {
        lose(query.lastError().text());
        return std::nullopt;
    }
    const QVariant oldest = query.value(0);
    return oldest.isNull() ? std::numeric_limits<qint64>::max() : oldest.toLongLong();
}

void ClusterFeed::beat()
{
    if (!m_connected)
        return;
    QSqlQuery query(QSqlDatabase::database(m_connectionName, false));
    if (!query.exec(QStringLiteral("SELECT 1"))) {
        lose(query.lastError().text());
        return;
    }
    emit tick();
}

QSqlDatabase ClusterFeed::database() const
{
    return QSqlDatabase::database(m_connectionName, false);
}

void ClusterFeed::noteFailure(const QString &why)
{
    qCWarning(lcCluster).noquote() << "a statement failed:" << why;
    // A failed statement on a live connection (a constraint, a conflict) is not a lost one.
    QSqlQuery probe(database());
    if (!m_connected || probe.exec(QStringLiteral("SELECT 1")))
        return;
    lose(why);
}

void ClusterFeed::lose(const QString &why)
{
    if (!m_connected)
        return;
    qCWarning(lcCluster).noquote() << "lost the database connection:" << why;
    m_connected = false;
    QSqlDatabase::database(m_connectionName, false).close();
    emit connectionLost();
    m_backoffMs = 100;
    m_retry.start(m_backoffMs);
}

void ClusterFeed::retry()
{
    QString error;
    if (!connectNow(&error)) {
        m_backoffMs = qMin(m_options.maxBackoffMs, m_backoffMs * 2);
        qCDebug(lcCluster).noquote()
            << "cannot connect again:" << error << "- next try in" << m_backoffMs << "ms";
        m_retry.start(m_backoffMs);
        return;
    }
    qCInfo(lcCluster) << "listening again";
    emit reconnected();
}

void ClusterFeed::onNotification(const QString &name, const QVariant &payload)
{
    if (name == QLatin1String(StateNotice::channel)) {
        if (const std::optional<StateNotice> notice = StateNotice::parse(payload.toString()))
            emit stateChanged(*notice);
        return;
    }
    if (name != QLatin1String(channel)) {
        emit notified(name);
        return;
    }
    if (const std::optional<CommitNotice> notice = CommitNotice::parse(payload.toString()))
        emit committed(notice->node, notice->first, notice->last);
}

} // namespace chat::server
