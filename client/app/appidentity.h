// What ties the running program to its installed desktop entry: the desktop file's name
// (packaging/org.qtchat.ChatClient.desktop), which Wayland takes as the app id and notifications
// name in their "desktop-entry" hint, and the icon of that name (the hicolor theme's once
// installed, else the SVG built into the program) for the window, the taskbar and the tray.
#pragma once

#include <QIcon>
#include <QString>

namespace chat::client {

// The desktop file's basename and the icon's name.
[[nodiscard]] QString desktopFileName();
[[nodiscard]] QIcon applicationIcon();
// Sets both on the application (QGuiApplication::setDesktopFileName, setWindowIcon).
void applyDesktopIdentity();

} // namespace chat::client
