// The icon in the system tray: the unread total drawn on it and in its tooltip, and a menu
// (show the window, mute all, keep running in the tray, quit). The menu and its actions exist
// even where there is no system tray (offscreen), so that they can be tested; the icon is shown
// only when QSystemTrayIcon::isSystemTrayAvailable().
#pragma once

#include <QIcon>
#include <QObject>

#include <memory>

class QAction;
class QMenu;
class QSystemTrayIcon;

namespace chat::client {

class NotificationSettings;

class TrayIcon : public QObject
{
    Q_OBJECT
public:
    // settings: not owned; "mute all" and "keep running in the tray" are kept there.
    explicit TrayIcon(NotificationSettings *settings, QObject *parent = nullptr);
    ~TrayIcon() override;

    // Whether the icon is in a system tray (there is one).
    [[nodiscard]] bool isShown() const;
    // Null where there is no system tray.
    [[nodiscard]] QSystemTrayIcon *systemTrayIcon() const { return m_tray; }
    [[nodiscard]] QMenu *menu() const { return m_menu.get(); }
    [[nodiscard]] QString toolTip() const { return m_toolTip; }
    [[nodiscard]] QIcon icon() const { return m_icon; }

    void setUnread(int total);

    // The program's icon with the count in a badge (none for 0; "99+" past 99).
    [[nodiscard]] static QIcon iconWithCount(int count);

signals:
    void showRequested();
    void quitRequested();

private:
    void syncChecks();

    NotificationSettings *m_settings;
    std::unique_ptr<QMenu> m_menu;
    QSystemTrayIcon *m_tray = nullptr;
    QAction *m_mute;
    QAction *m_keep;
    QIcon m_icon;
    QString m_toolTip;
};

} // namespace chat::client
