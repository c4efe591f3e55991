#include "appidentity.h"

#include <QGuiApplication>

namespace chat::client {

QString desktopFileName()
{
    return QStringLiteral("org.qtchat.ChatClient");
}

QIcon applicationIcon()
{
    // The same drawing either way: the theme's PNGs are rendered from this SVG at install.
    return QIcon::fromTheme(desktopFileName(),
                            QIcon(QStringLiteral(":/icons/org.qtchat.ChatClient.svg")));
}

void applyDesktopIdentity()
{
    QGuiApplication::setDesktopFileName(desktopFileName());
    QGuiApplication::setWindowIcon(applicationIcon());
}

} // namespace chat::client
