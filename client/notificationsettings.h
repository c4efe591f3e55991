// The person's notification settings, kept with QSettings: each room's level, per server and
// account ("notifications/<server>/<account>/<room>"), and, for the whole program, "mute all"
// and "keep running in the tray". Server, account and room are percent-encoded into the key,
// so neither a '/' of a URL nor the '@' of a direct room's name can break it apart.
#pragma once

#include "notificationpolicy.h"

#include <QObject>
#include <QUrl>

#include <memory>

class QSettings;

namespace chat::client {

class NotificationSettings : public QObject
{
    Q_OBJECT
public:
    // In the program's usual QSettings (organisation and application name).
    explicit NotificationSettings(QObject *parent = nullptr);
    // In this INI file instead (tests).
    explicit NotificationSettings(const QString &iniFile, QObject *parent = nullptr);
    ~NotificationSettings() override;

    // Whose room levels level() and setLevel() mean from now on.
    void setScope(const QUrl &server, const QString &account);

    // The room's level; its default (defaultLevel(direct)) when none was chosen.
    [[nodiscard]] NotifyLevel level(const QString &room, bool direct) const;
    void setLevel(const QString &room, NotifyLevel level);

    [[nodiscard]] bool mutedAll() const;
    void setMutedAll(bool muted);
    // Default: on.
    [[nodiscard]] bool keepInTray() const;
    void setKeepInTray(bool keep);

signals:
    void changed();

private:
    [[nodiscard]] QString roomKey(const QString &room) const;

    std::unique_ptr<QSettings> m_settings;
    QString m_scope; // "<server>/<account>", encoded
};

} // namespace chat::client
