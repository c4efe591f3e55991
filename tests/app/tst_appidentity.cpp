// The running client names itself as its installed desktop entry does: the desktop file's name
// (Wayland's app id, the notifications' "desktop-entry") is the basename of the .desktop file in
// packaging/, whose Icon= is the same name; the window and the tray draw the program's icon
// (the packaging's SVG, built in), not a stand-in.
#include "appidentity.h"
#include "notificationsettings.h"
#include "trayicon.h"

#include <QApplication>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace chat::client;

class TestAppIdentity : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { applyDesktopIdentity(); }
    void desktopFileNameIsThePackagedEntry();
    void windowAndTrayUseTheProgramsIcon();
};

void TestAppIdentity::desktopFileNameIsThePackagedEntry()
{
    QCOMPARE(QGuiApplication::desktopFileName(), QStringLiteral("org.qtchat.ChatClient"));
    QFile entry(QDir(QStringLiteral(CHAT_PACKAGING_DIR))
                    .filePath(QGuiApplication::desktopFileName() + QStringLiteral(".desktop")));
    QVERIFY2(entry.open(QIODevice::ReadOnly | QIODevice::Text), qPrintable(entry.fileName()));
    const QStringList lines = QString::fromUtf8(entry.readAll()).split(u'\n');
    QVERIFY(lines.contains(QStringLiteral("Icon=") + QGuiApplication::desktopFileName()));
    QVERIFY(QFile::exists(
        QDir(QStringLiteral(CHAT_PACKAGING_DIR))
            .filePath(QStringLiteral("icons/%1.svg").arg(QGuiApplication::desktopFileName()))));
}

void TestAppIdentity::windowAndTrayUseTheProgramsIcon()
{
    // The built-in SVG draws (the SVG image plugin is there), and it is the window's icon.
    const QImage own = QIcon(QStringLiteral(":/icons/org.qtchat.ChatClient.svg"))
                           .pixmap(64, 64)
                           .toImage()
                           .convertToFormat(QImage::Format_ARGB32);
    QVERIFY(!own.isNull());
    const QImage window =
        QApplication::windowIcon().pixmap(64, 64).toImage().convertToFormat(QImage::Format_ARGB32);
    QCOMPARE(window, own);
    // The tray draws its badge on that icon, not on its stand-in bubble.
    QTemporaryDir dir;
    NotificationSettings settings(dir.filePath(QStringLiteral("settings.ini")));
    TrayIcon tray(&settings);
    const QImage trayImage =
        TrayIcon::iconWithCount(0).pixmap(64, 64).toImage().convertToFormat(QImage::Format_ARGB32);
    QCOMPARE(trayImage, own);
    QVERIFY(TrayIcon::iconWithCount(3).pixmap(64, 64).toImage().convertToFormat(
                QImage::Format_ARGB32) != own);
}

QTEST_MAIN(TestAppIdentity)
#include "tst_appidentity.moc"
