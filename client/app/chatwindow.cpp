#include "chatwindow.h"

#include "accountdialogs.h"
#include "connectdialog.h"
#include "connectioncontroller.h"
#include "conversationpane.h"
#include "eventtext.h"
#include "logindialog.h"
#include "memberlistmodel.h"
#include "messageinput.h"
#include "notificationcenter.h"
#include "notificationsettings.h"
#include "notifier.h"
#include "protocol.h"
#include "roomactions.h"
#include "roomlistmodel.h"
#include "roomsdialog.h"
#include "sidebardelegates.h"
#include "tokenvault.h"
#include "trayicon.h"
#include "validation.h"
#include "validationtext.h"
#include "windowsize.h"

#include <QApplication>
#include <QCloseEvent>
#include <QEvent>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QListView>
#include <QMenu>
#include <QMenuBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QScreen>
#include <QSplitter>
#include <QStatusBar>
#include <QVBoxLayout>

namespace chat::client {

namespace {
constexpr int kErrorShownMs = 8000;
constexpr int kNoticeShownMs = 20000;
} // namespace

ChatWindow::ChatWindow(ConnectionController *controller, TokenVault *vault, QWidget *parent)
    : QMainWindow(parent)
    , m_controller(controller)
    , m_vault(vault)
    , m_rooms(new QListView)
    , m_browse(new QPushButton(tr("Browse/create rooms")))
    , m_pane(new ConversationPane(controller))
    , m_membersLabel(new QLabel)
    , m_members(new QListView)
    , m_status(new QLabel)
    , m_notice(new QLabel)
    , m_notifySettings(new NotificationSettings(this))
    , m_notifications(new NotificationCenter(controller, m_notifySettings, this))
    , m_tray(new TrayIcon(m_notifySettings, this))
{
    if (vault)
        controller->setTokenVault(vault);
    m_rooms->setObjectName(QStringLiteral("rooms"));
    m_rooms->setModel(controller->rooms());
    m_rooms->setItemDelegate(new RoomDelegate(m_rooms));
    m_rooms->setSelectionMode(QAbstractItemView::SingleSelection);
    m_rooms->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_browse->setObjectName(QStringLiteral("browseRoomsButton"));

    m_membersLabel->setObjectName(QStringLiteral("membersLabel"));
    m_membersLabel->setTextFormat(Qt::PlainText);
    m_members->setObjectName(QStringLiteral("members"));
    m_members->setModel(controller->members());
    m_members->setItemDelegate(new MemberDelegate(m_members));
    m_members->setSelectionMode(QAbstractItemView::SingleSelection);
    m_members->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_members->setContextMenuPolicy(Qt::CustomContextMenu);

    m_status->setObjectName(QStringLiteral("statusLabel"));
    m_status->setTextFormat(Qt::PlainText);
    statusBar()->addWidget(m_status, 1);
    m_notice->setObjectName(QStringLiteral("noticeLabel"));
    m_notice->setTextFormat(Qt::PlainText);
    statusBar()->addPermanentWidget(m_notice);
    m_noticeTimer.setSingleShot(true);
    connect(&m_noticeTimer, &QTimer::timeout, m_notice, &QLabel::clear);

    auto *left = new QWidget;
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(m_rooms, 1);
    leftLayout->addWidget(m_browse);

    auto *right = new QWidget;
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addWidget(m_membersLabel);
    rightLayout->addWidget(m_members, 1);

    auto *splitter = new QSplitter;
    splitter->addWidget(left);
    splitter->addWidget(m_pane);
    splitter->addWidget(right);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 4);
    splitter->setStretchFactor(2, 1);
    splitter->setSizes({200, 560, 180});
    splitter->setContentsMargins(6, 6, 6, 0);
    setCentralWidget(splitter);

    QMenu *chatMenu = menuBar()->addMenu(tr("&Chat"));
    chatMenu->addAction(tr("Co&nnect to a server…"), QKeySequence::New, this,
                        &ChatWindow::openConnectDialog);
    m_browseAction =
        chatMenu->addAction(tr("&Browse/create rooms…"), this, &ChatWindow::openRoomsDialog);
    chatMenu->addSeparator();
    QAction *keepInTray = chatMenu->addAction(tr("Keep running in the tray when closed"));
    keepInTray->setObjectName(QStringLiteral("keepInTrayAction"));
    keepInTray->setCheckable(true);
    keepInTray->setChecked(m_notifySettings->keepInTray());
    keepInTray->setEnabled(m_tray->isShown());
    connect(keepInTray, &QAction::toggled, m_notifySettings, &NotificationSettings::setKeepInTray);
    connect(m_notifySettings, &NotificationSettings::changed, keepInTray,
            [this, keepInTray] { keepInTray->setChecked(m_notifySettings->keepInTray()); });
    chatMenu->addSeparator();
    chatMenu->addAction(tr("&Quit"), QKeySequence::Quit, this, &ChatWindow::quit);

    m_roomActions = new RoomActions(controller, menuBar()->addMenu(tr("&Room")), this);
    m_roomActions->addNotificationMenu(m_notifySettings);
    m_browseAction->setObjectName(QStringLiteral("browseAction"));

    QMenu *accountMenu = menuBar()->addMenu(tr("&Account"));
    m_loginAction = accountMenu->addAction(tr("&Log in…"), this, [this] { askForCredentials(); });
    m_displayAction =
        accountMenu->addAction(tr("Set &display name…"), this, &ChatWindow::openSetDisplayName);
    m_passwordAction =
        accountMenu->addAction(tr("Change &password…"), this, &ChatWindow::openChangePassword);
    m_devicesAction = accountMenu->addAction(tr("My d&evices…"), this, &ChatWindow::openDevices);
    accountMenu->addSeparator();
    m_logoutAction = accountMenu->addAction(tr("Log &out"), this, &ChatWindow::logout);
    m_loginAction->setObjectName(QStringLiteral("loginAction"));
    m_displayAction->setObjectName(QStringLiteral("displayAction"));
    m_passwordAction->setObjectName(QStringLiteral("passwordAction"));
    m_devicesAction->setObjectName(QStringLiteral("devicesAction"));
    m_logoutAction->setObjectName(QStringLiteral("logoutAction"));

    connect(m_browse, &QPushButton::clicked, this, &ChatWindow::openRoomsDialog);
    // The selection, not the current index: a list that gets the focus without a current row
    // makes its first row current (not selected), and that must not leave a draft conversation.
    connect(m_rooms->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            [this](const QItemSelection &selected) {
                if (!selected.indexes().isEmpty())
                    m_controller->selectRoom(
                        selected.indexes().constFirst().data(RoomListModel::NameRole).toString());
            });
    RoomListModel *rooms = controller->rooms();
    connect(rooms, &QAbstractItemModel::modelReset, this, &ChatWindow::showSelection);
    connect(rooms, &QAbstractItemModel::rowsInserted, this, &ChatWindow::showSelection);
    connect(rooms, &QAbstractItemModel::rowsMoved, this, &ChatWindow::showSelection);
    connect(rooms, &QAbstractItemModel::dataChanged, this, &ChatWindow::updateRoomActions);
    connect(controller, &ConnectionController::currentRoomChanged, this,
            &ChatWindow::showSelection);
    connect(controller, &ConnectionController::roomGone, this,
            [this](const QString &, const QString &title, const QString &reason) {
                showNotice(reason == u"removed"
                               ? tr("You were removed from the room: %1").arg(title)
                               : tr("You left the room: %1").arg(title),
                           kErrorShownMs);
            });
    connect(m_pane, &ConversationPane::directMessageRequested, controller,
            &ConnectionController::openDirect);
    connect(m_members, &QWidget::customContextMenuRequested, this,
            [this](const QPoint &pos) { m_roomActions->openMemberMenu(m_members, pos); });
    connect(m_roomActions, &RoomActions::errorOccurred, this, &ChatWindow::showError);
    connect(m_roomActions, &RoomActions::noticeOccurred, this,
            [this](const QString &message) { showNotice(message, kErrorShownMs); });
    connect(controller->members(), &MemberListModel::countsChanged, this,
            &ChatWindow::showMemberCount);

    connect(controller, &ConnectionController::statusTextChanged, this, &ChatWindow::showStatus);
    connect(controller, &ConnectionController::stateChanged, this, &ChatWindow::showStatus);
    connect(controller, &ConnectionController::stateChanged, this, &ChatWindow::updateActions);
    connect(controller, &ConnectionController::accountChanged, this, &ChatWindow::showStatus);
    connect(controller, &ConnectionController::errorOccurred, this, &ChatWindow::showError);
    connect(controller, &ConnectionController::credentialsNeeded, this,
            [this](const QString &reason) { askForCredentials(reason); });
    connect(controller, &ConnectionController::loggedOut, this, [this] { askForCredentials(); });
    if (vault) {
        // Said once, by the vault, when it has to keep tokens in a file.
        connect(vault, &TokenVault::notice, this,
                [this](const QString &message) { showNotice(message, kNoticeShownMs); });
    }

    // Notifications and the unread total (title, tray).
    connect(m_notifications, &NotificationCenter::notificationWanted, this, &ChatWindow::notify);
    connect(rooms, &RoomListModel::countsChanged, this, &ChatWindow::showUnread);
    connect(rooms, &QAbstractItemModel::modelReset, this, &ChatWindow::showUnread);
    connect(rooms, &QAbstractItemModel::rowsRemoved, this, &ChatWindow::showUnread);
    connect(controller, &ConnectionController::accountChanged, this, [this] {
        m_notifySettings->setScope(m_controller->serverUrl(), m_controller->account());
    });
    connect(m_tray, &TrayIcon::showRequested, this, [this] { openRoom(QString()); });
    connect(m_tray, &TrayIcon::quitRequested, this, &ChatWindow::quit);

    // Read while someone can see it: from when the window is active (changeEvent).
    controller->setReading(isActiveWindow());
    m_notifications->setWindowActive(isActiveWindow());
    resize(defaultWindowSize(screen()->availableGeometry()));
    showStatus();
    showMemberCount();
    showSelection();
    updateActions();
    m_pane->input()->setFocus();
}

void ChatWindow::beginSession(const QString &account)
{
    if (account.isEmpty() || !m_vault) {
        askForCredentials();
        return;
    }
    m_status->setText(tr("Reading the stored login…"));
    const QUrl url = m_controller->serverUrl();
    m_vault->read(url, account, this, [this, url, account](const QString &token) {
        if (m_controller->serverUrl() != url || m_controller->hasCredentials())
            return; // something else was chosen meanwhile
        QString use = token;
        if (use.isEmpty() && !m_firstToken.isEmpty()) {
            use = m_firstToken; // from now on kept like any other
            m_vault->write(url, account, use);
        }
        m_firstToken.clear();
        if (use.isEmpty()) {
            showStatus();
            askForCredentials();
            return;
        }
        m_controller->setToken(account, use);
        startWithAccount(account);
    });
}

void ChatWindow::askForCredentials(const QString &reason)
{
    if (m_login) {
        m_login->setError(reason);
        m_login->raise();
        return;
    }
    m_login = new LoginDialog(this);
    m_login->setAttribute(Qt::WA_DeleteOnClose);
    m_login->setServerUrl(m_controller->serverUrl());
    const QString account = LoginDialog::rememberedAccount();
    m_login->setAccountName(account.isEmpty() ? m_controller->account() : account);
    m_login->setError(reason);
    connect(m_login, &QDialog::accepted, this, [this, dialog = m_login.data()] {
        const QString account = dialog->accountName();
        if (dialog->mode() == LoginDialog::Mode::Register) {
            m_controller->setRegistration(proto::Registration{
                account, dialog->password(), dialog->invite(), dialog->displayName()});
        } else {
            m_controller->setPasswordLogin(account, dialog->password());
        }
        dialog->clearPassword();
        startWithAccount(account);
    });
    m_login->open();
}

void ChatWindow::startWithAccount(const QString &account)
{
    m_controller->stop();
    // Each server and account has its own saved outbox.
    if (m_outboxOnDisk)
        m_controller->setOutboxPath(
            ConnectionController::defaultOutboxPath(m_controller->serverUrl(), account));
    m_notifySettings->setScope(m_controller->serverUrl(), account);
    m_controller->start();
}

void ChatWindow::showStatus()
{
    m_status->setText(m_controller->statusText());
    const QString account = m_controller->account();
    const QString label = personLabel(account, m_controller->displayName());
    setWindowTitle(account.isEmpty() ? tr("Chat") : tr("Chat — %1").arg(label));
    showUnread();
}

void ChatWindow::showUnread()
{
    // "(3) 聊天 — alice": the count first, where a task bar cuts a long title.
    static const QRegularExpression oldCount(QStringLiteral("^\\(\\d+\\+?\\) "));
    const int total = m_controller->rooms()->totalUnread();
    QString title = windowTitle().remove(oldCount);
    if (total > 0)
        title.prepend(QStringLiteral("(%1) ").arg(total));
    setWindowTitle(title);
    m_tray->setUnread(total);
}

void ChatWindow::setNotifier(Notifier *notifier)
{
    if (m_notifier && m_notifier->parent() == this)
        delete m_notifier;
    m_notifier = notifier;
    connect(notifier, &Notifier::activated, this, &ChatWindow::openRoom);
}

void ChatWindow::notify(const Notification &notification)
{
    if (!m_notifier)
        setNotifier(makeSystemNotifier(m_tray->systemTrayIcon(), this));
    m_notifier->notify(notification);
    // The task bar entry asks for attention too, for what is addressed to us.
    if (!isActiveWindow() && (notification.direct || notification.mentionsUs))
        QApplication::alert(this);
}

void ChatWindow::openRoom(const QString &room)
{
    if (!room.isEmpty())
        m_controller->selectRoom(room);
    if (isMinimized())
        showNormal();
    else
        show();
    raise();
    activateWindow();
}

void ChatWindow::quit()
{
    m_quitting = true;
    close(); // a hidden window may get no close event
    if (!m_quitSaid) {
        m_quitSaid = true;
        emit quitRequested();
    }
}

void ChatWindow::closeEvent(QCloseEvent *event)
{
    if (!m_quitting && closeKeepsRunning(m_tray->isShown(), m_notifySettings->keepInTray())) {
        // Still there, in the tray: notifications keep coming.
        hide();
        event->ignore();
        return;
    }
    QMainWindow::closeEvent(event);
    if (!m_quitSaid) {
        m_quitSaid = true;
        emit quitRequested();
    }
}

void ChatWindow::showError(const QString &message)
{
    showNotice(message, kErrorShownMs);
}

void ChatWindow::showNotice(const QString &message, int shownMs)
{
    // Beside the connection status, not over it: QStatusBar's temporary message only hides the
    // status label when the label was visible at the time, so a notice that came before the
    // window showed was drawn on top of it.
    m_notice->setText(message);
    m_noticeTimer.start(shownMs);
}

void ChatWindow::updateActions()
{
    const bool connected = m_controller->state() == ConnectionState::Connected;
    m_displayAction->setEnabled(connected);
    m_passwordAction->setEnabled(connected);
    m_devicesAction->setEnabled(connected);
    m_logoutAction->setEnabled(m_controller->hasCredentials() || connected);
    updateRoomActions();
}

void ChatWindow::openConnectDialog()
{
    ConnectDialog dialog(this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    m_controller->stop();
    m_controller->clearCredentials();
    m_controller->setServerUrl(dialog.serverUrl());
    const QString account = LoginDialog::rememberedAccount();
    beginSession(account.isEmpty() ? m_controller->account() : account);
}

void ChatWindow::openDevices()
{
    DevicesDialog dialog(m_controller, this);
    dialog.exec();
}

void ChatWindow::openChangePassword()
{
    ChangePasswordDialog dialog(m_controller, this);
    if (dialog.exec() == QDialog::Accepted)
        showNotice(tr("The password was changed; the other devices were logged out."),
                   kErrorShownMs);
}

void ChatWindow::openSetDisplayName()
{
    QInputDialog dialog(this);
    dialog.setWindowTitle(tr("Set display name"));
    dialog.setLabelText(tr("Display name (shown next to the account name; empty clears it):"));
    dialog.setTextValue(m_controller->displayName());
    dialog.setOkButtonText(tr("OK"));
    dialog.setCancelButtonText(tr("Cancel"));
    if (dialog.exec() != QDialog::Accepted)
        return;
    const QString display = dialog.textValue().trimmed();
    if (!display.isEmpty()) {
        if (const proto::Normalized checked = proto::normalizeDisplay(display); !checked.ok()) {
            showError(rejectionSentence(checked.rejection));
            return;
        }
    }
    const QString id = m_controller->setDisplayName(display);
    if (id.isEmpty())
        return;
    auto *context = new QObject(this);
    connect(m_controller, &ConnectionController::requestFailed, context,
            [this, id, context](const QString &failed, const QString &reason) {
                if (failed != id)
                    return;
                showError(tr("The display name was not changed: %1").arg(reason));
                context->deleteLater();
            });
    connect(m_controller, &ConnectionController::requestDone, context,
            [id, context](const QString &done) {
                if (done == id)
                    context->deleteLater();
            });
}

void ChatWindow::logout()
{
    m_controller->logout();
    updateActions();
}

void ChatWindow::changeEvent(QEvent *event)
{
    QMainWindow::changeEvent(event);
    // Messages count as read only while someone can see them.
    if (event->type() == QEvent::ActivationChange) {
        m_controller->setReading(isActiveWindow());
        m_notifications->setWindowActive(isActiveWindow());
    }
}

void ChatWindow::showMemberCount()
{
    const MemberListModel *members = m_controller->members();
    m_membersLabel->setText(
        members->room().isEmpty()
            ? tr("Members")
            : tr("Members %1 · online %2").arg(members->count()).arg(members->onlineCount()));
}

void ChatWindow::showSelection()
{
    // The sidebar follows the controller's selection (a new direct room, a room gone, …).
    const int row = m_controller->rooms()->indexOf(m_controller->currentRoom());
    const QModelIndex index = m_controller->rooms()->index(row);
    QItemSelectionModel *selection = m_rooms->selectionModel();
    if (row < 0 || !m_controller->directDraft().isEmpty()) {
        // No current row either: clicking the room that was selected selects it again.
        const QSignalBlocker blocker(selection);
        selection->setCurrentIndex({}, QItemSelectionModel::Clear);
        m_rooms->viewport()->update();
    } else if (selection->currentIndex() != index || !selection->isSelected(index)) {
        const QSignalBlocker blocker(selection);
        selection->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect);
        m_rooms->viewport()->update();
    }
    showMemberCount();
    updateRoomActions();
}

void ChatWindow::updateRoomActions()
{
    const bool connected = m_controller->state() == ConnectionState::Connected;
    m_browseAction->setEnabled(connected);
    m_browse->setEnabled(connected);
    m_roomActions->update();
}

void ChatWindow::openRoomsDialog()
{
    RoomsDialog dialog(m_controller, this);
    dialog.exec();
}

} // namespace chat::client
