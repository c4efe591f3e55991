#include "trayicon.h"

#include "notificationsettings.h"

#include <QAction>
#include <QApplication>
#include <QMenu>
#include <QPainter>
#include <QPainterPath>
#include <QSystemTrayIcon>

namespace chat::client {

namespace {

constexpr int kIconSize = 64;

// A speech bubble: the program's own icon where the application has none.
QPixmap baseIcon()
{
    const QIcon own = QApplication::windowIcon();
    if (!own.isNull())
        return own.pixmap(kIconSize, kIconSize);
    QPixmap pixmap(kIconSize, kIconSize);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(Qt::NoPen);
    painter.setBrush(QColor(0x2b, 0x7d, 0xe9));
    painter.drawRoundedRect(QRectF(4, 6, 56, 40), 12, 12);
    QPainterPath tail;
    tail.moveTo(16, 44);
    tail.lineTo(14, 58);
    tail.lineTo(30, 44);
    painter.drawPath(tail);
    painter.setBrush(Qt::white);
    for (const int x : {18, 32, 46})
        painter.drawEllipse(QPointF(x, 26), 4, 4);
    return pixmap;
}

} // namespace

TrayIcon::TrayIcon(NotificationSettings *settings, QObject *parent)
    : QObject(parent)
    , m_settings(settings)
    , m_menu(std::make_unique<QMenu>())
{
    m_menu->setObjectName(QStringLiteral("trayMenu"));
    QAction *show = m_menu->addAction(tr("Show window"), this, &TrayIcon::showRequested);
    show->setObjectName(QStringLiteral("trayShowAction"));
    m_mute = m_menu->addAction(tr("Mute all notifications"));
    m_mute->setObjectName(QStringLiteral("trayMuteAction"));
    m_mute->setCheckable(true);
    connect(m_mute, &QAction::toggled, settings, &NotificationSettings::setMutedAll);
    m_keep = m_menu->addAction(tr("Keep running in the tray"));
    m_keep->setObjectName(QStringLiteral("trayKeepAction"));
    m_keep->setCheckable(true);
    connect(m_keep, &QAction::toggled, settings, &NotificationSettings::setKeepInTray);
    m_menu->addSeparator();
    QAction *quit = m_menu->addAction(tr("Quit"), this, &TrayIcon::quitRequested);
    quit->setObjectName(QStringLiteral("trayQuitAction"));
    connect(settings, &NotificationSettings::changed, this, &TrayIcon::syncChecks);
    syncChecks();

    if (QSystemTrayIcon::isSystemTrayAvailable()) {
        m_tray = new QSystemTrayIcon(this);
        m_tray->setContextMenu(m_menu.get());
        connect(m_tray, &QSystemTrayIcon::activated, this,
                [this](QSystemTrayIcon::ActivationReason reason) {
                    if (reason == QSystemTrayIcon::Trigger ||
                        reason == QSystemTrayIcon::DoubleClick)
                        emit showRequested();
                });
    }
    setUnread(0);
    if (m_tray)
        m_tray->show();
}

TrayIcon::~TrayIcon() = default;

bool TrayIcon::isShown() const
{
    return m_tray && m_tray->isVisible();
}

void TrayIcon::syncChecks()
{
    const QSignalBlocker muteBlocker(m_mute);
    const QSignalBlocker keepBlocker(m_keep);
    m_mute->setChecked(m_settings->mutedAll());
    m_keep->setChecked(m_settings->keepInTray());
}

void TrayIcon::setUnread(int total)
{
    m_icon = iconWithCount(total);
    m_toolTip = total > 0 ? tr("Chat: %n unread", nullptr, total) : tr("Chat");
    if (m_tray) {
        m_tray->setIcon(m_icon);
        m_tray->setToolTip(m_toolTip);
    }
}

QIcon TrayIcon::iconWithCount(int count)
{
    QPixmap pixmap = baseIcon();
    if (count > 0) {
        QPainter painter(&pixmap);
        painter.setRenderHint(QPainter::Antialiasing);
        const QString text = count > 99 ? QStringLiteral("99+") : QString::number(count);
        QFont font = painter.font();
        font.setBold(true);
        font.setPixelSize(kIconSize * 3 / 8);
        painter.setFont(font);
        const int width =
            qMax(kIconSize / 2, painter.fontMetrics().horizontalAdvance(text) + kIconSize / 8);
        const QRectF badge(kIconSize - width, kIconSize / 2, width, kIconSize / 2);
        painter.setPen(Qt::NoPen);
        painter.setBrush(QColor(0xd9, 0x30, 0x25));
        painter.drawRoundedRect(badge, kIconSize / 4.0, kIconSize / 4.0);
        painter.setPen(Qt::white);
        painter.drawText(badge, Qt::AlignCenter, text);
    }
    return QIcon(pixmap);
}

} // namespace chat::client
