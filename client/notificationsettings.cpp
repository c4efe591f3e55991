#include "notificationsettings.h"

#include "namekey.h"

#include <QSettings>

namespace chat::client {

namespace {

const QString kMutedAll = QStringLiteral("notifications/mutedAll");
const QString kKeepInTray = QStringLiteral("notifications/keepInTray");

QString encoded(const QString &part)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(part));
}

} // namespace

NotificationSettings::NotificationSettings(QObject *parent)
    : QObject(parent)
    , m_settings(std::make_unique<QSettings>())
{}

NotificationSettings::NotificationSettings(const QString &iniFile, QObject *parent)
    : QObject(parent)
    , m_settings(std::make_unique<QSettings>(iniFile, QSettings::IniFormat))
{}

NotificationSettings::~NotificationSettings() = default;

void NotificationSettings::setScope(const QUrl &server, const QString &account)
{
    const QString url = server.adjusted(QUrl::RemoveUserInfo | QUrl::StripTrailingSlash)
                            .toString(QUrl::FullyEncoded);
    // One account by any spelling of its name.
    m_scope = encoded(url) + u'/' + encoded(proto::accountNameKey(account));
    emit changed();
}

QString NotificationSettings::roomKey(const QString &room) const
{
    return QStringLiteral("notifications/rooms/") + m_scope + u'/' + encoded(room);
}

NotifyLevel NotificationSettings::level(const QString &room, bool direct) const
{
    return notifyLevelFromName(m_settings->value(roomKey(room)).toString(), defaultLevel(direct));
}

void NotificationSettings::setLevel(const QString &room, NotifyLevel level)
{
    m_settings->setValue(roomKey(room), notifyLevelName(level));
    emit changed();
}

bool NotificationSettings::mutedAll() const
{
    return m_settings->value(kMutedAll, false).toBool();
}

void NotificationSettings::setMutedAll(bool muted)
{
    if (muted == mutedAll())
        return;
    m_settings->setValue(kMutedAll, muted);
    emit changed();
}

bool NotificationSettings::keepInTray() const
{
    return m_settings->value(kKeepInTray, true).toBool();
}

void NotificationSettings::setKeepInTray(bool keep)
{
    if (keep == keepInTray())
        return;
    m_settings->setValue(kKeepInTray, keep);
    emit changed();
}

} // namespace chat::client
