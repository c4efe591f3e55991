#include "chatwindow.h"

#include "accountdialogs.h"
#include "connectdialog.h"
#include "connectioncontroller.h"
#include "logindialog.h"
#include "messagedelegate.h"
#include "messagemodel.h"
#include "protocol.h"
#include "tokenvault.h"
#include "userlistmodel.h"
#include "validation.h"

#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollBar>
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
    , m_conversation(new QListView)
    , m_input(new QLineEdit)
    , m_send(new QPushButton(QStringLiteral("发送")))
    , m_usersLabel(new QLabel)
    , m_users(new QListView)
    , m_status(new QLabel)
    , m_notice(new QLabel)
{
    if (vault)
        controller->setTokenVault(vault);
    m_conversation->setObjectName(QStringLiteral("conversation"));
    m_conversation->setModel(controller->messages());
    m_conversation->setItemDelegate(new MessageDelegate(m_conversation));
    m_conversation->setSelectionMode(QAbstractItemView::NoSelection);
    m_conversation->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_conversation->setResizeMode(QListView::Adjust);
    m_conversation->setWordWrap(true);
    m_conversation->setUniformItemSizes(false);

    m_input->setObjectName(QStringLiteral("input"));
    m_input->setPlaceholderText(QStringLiteral("输入消息，按回车发送"));
    m_input->setMaxLength(int(proto::kMaxTextChars) * 2);
    m_send->setObjectName(QStringLiteral("sendButton"));

    m_usersLabel->setObjectName(QStringLiteral("usersLabel"));
    m_usersLabel->setTextFormat(Qt::PlainText);
    m_users->setObjectName(QStringLiteral("users"));
    m_users->setModel(controller->users());
    m_users->setSelectionMode(QAbstractItemView::NoSelection);

    m_status->setObjectName(QStringLiteral("statusLabel"));
    m_status->setTextFormat(Qt::PlainText);
    statusBar()->addWidget(m_status, 1);
    m_notice->setObjectName(QStringLiteral("noticeLabel"));
    m_notice->setTextFormat(Qt::PlainText);
    statusBar()->addPermanentWidget(m_notice);
    m_noticeTimer.setSingleShot(true);
    connect(&m_noticeTimer, &QTimer::timeout, m_notice, &QLabel::clear);

    auto *inputRow = new QHBoxLayout;
    inputRow->addWidget(m_input, 1);
    inputRow->addWidget(m_send);
    auto *left = new QWidget;
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(m_conversation, 1);
    leftLayout->addLayout(inputRow);

    auto *right = new QWidget;
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addWidget(m_usersLabel);
    rightLayout->addWidget(m_users, 1);

    auto *splitter = new QSplitter;
    splitter->addWidget(left);
    splitter->addWidget(right);
    splitter->setStretchFactor(0, 4);
    splitter->setStretchFactor(1, 1);
    splitter->setContentsMargins(6, 6, 6, 0);
    setCentralWidget(splitter);

    QMenu *chatMenu = menuBar()->addMenu(QStringLiteral("聊天(&C)"));
    chatMenu->addAction(QStringLiteral("连接服务器(&N)…"), QKeySequence::New, this,
                        &ChatWindow::openConnectDialog);
    chatMenu->addSeparator();
    chatMenu->addAction(QStringLiteral("退出程序(&Q)"), QKeySequence::Quit, this, &QWidget::close);

    QMenu *accountMenu = menuBar()->addMenu(QStringLiteral("账号(&A)"));
    m_loginAction =
        accountMenu->addAction(QStringLiteral("登录(&L)…"), this, [this] { askForCredentials(); });
    m_displayAction = accountMenu->addAction(QStringLiteral("设置显示名(&D)…"), this,
                                             &ChatWindow::openSetDisplayName);
    m_passwordAction = accountMenu->addAction(QStringLiteral("修改密码(&P)…"), this,
                                              &ChatWindow::openChangePassword);
    m_devicesAction =
        accountMenu->addAction(QStringLiteral("我的设备(&E)…"), this, &ChatWindow::openDevices);
    accountMenu->addSeparator();
    m_logoutAction =
        accountMenu->addAction(QStringLiteral("退出登录(&O)"), this, &ChatWindow::logout);
    m_loginAction->setObjectName(QStringLiteral("loginAction"));
    m_displayAction->setObjectName(QStringLiteral("displayAction"));
    m_passwordAction->setObjectName(QStringLiteral("passwordAction"));
    m_devicesAction->setObjectName(QStringLiteral("devicesAction"));
    m_logoutAction->setObjectName(QStringLiteral("logoutAction"));

    connect(m_input, &QLineEdit::returnPressed, this, &ChatWindow::sendInput);
    connect(m_send, &QPushButton::clicked, this, &ChatWindow::sendInput);
    connect(controller, &ConnectionController::statusTextChanged, this, &ChatWindow::showStatus);
    connect(controller, &ConnectionController::stateChanged, this, &ChatWindow::showStatus);
    connect(controller, &ConnectionController::stateChanged, this, &ChatWindow::updateActions);
    connect(controller, &ConnectionController::accountChanged, this, &ChatWindow::showStatus);
    connect(controller, &ConnectionController::errorOccurred, this, &ChatWindow::showError);
    connect(controller, &ConnectionController::credentialsNeeded, this,
            [this](const QString &reason) { askForCredentials(reason); });
    connect(controller, &ConnectionController::loggedOut, this, [this] { askForCredentials(); });
    connect(controller->users(), &UserListModel::countChanged, this, &ChatWindow::showOnlineCount);
    connect(controller->messages(), &QAbstractItemModel::rowsInserted, this,
            &ChatWindow::scrollToNewest);
    connect(controller->messages(), &QAbstractItemModel::modelReset, this,
            &ChatWindow::scrollToNewest);
    if (vault) {
        // Said once, by the vault, when it has to keep tokens in a file.
        connect(vault, &TokenVault::notice, this,
                [this](const QString &message) { showNotice(message, kNoticeShownMs); });
    }

    resize(760, 520);
    showStatus();
    showOnlineCount();
    updateActions();
    m_input->setFocus();
}

void ChatWindow::beginSession(const QString &account)
{
    if (account.isEmpty() || !m_vault) {
        askForCredentials();
        return;
    }
    m_status->setText(QStringLiteral("正在读取登录凭据…"));
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
    m_controller->start();
}

void ChatWindow::sendInput()
{
    const QString text = m_input->text();
    if (text.trimmed().isEmpty())
        return;
    // The controller refuses text it knows the server would refuse, and says why.
    if (!m_controller->send(text).isEmpty())
        m_input->clear();
}

void ChatWindow::showStatus()
{
    m_status->setText(m_controller->statusText());
    const QString account = m_controller->account();
    const QString label = UserListModel::label(proto::User{account, m_controller->displayName()});
    setWindowTitle(account.isEmpty() ? QStringLiteral("聊天")
                                     : QStringLiteral("聊天 — %1").arg(label));
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

void ChatWindow::showOnlineCount()
{
    m_usersLabel->setText(QStringLiteral("在线：%1").arg(m_controller->users()->count()));
}

void ChatWindow::updateActions()
{
    const bool connected = m_controller->state() == ConnectionState::Connected;
    m_displayAction->setEnabled(connected);
    m_passwordAction->setEnabled(connected);
    m_devicesAction->setEnabled(connected);
    m_logoutAction->setEnabled(m_controller->hasCredentials() || connected);
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
        showNotice(QStringLiteral("密码已修改，其他设备已退出登录。"), kErrorShownMs);
}

void ChatWindow::openSetDisplayName()
{
    QInputDialog dialog(this);
    dialog.setWindowTitle(QStringLiteral("设置显示名"));
    dialog.setLabelText(QStringLiteral("显示名（显示在账号名旁边，留空则清除）："));
    dialog.setTextValue(m_controller->displayName());
    dialog.setOkButtonText(QStringLiteral("确定"));
    dialog.setCancelButtonText(QStringLiteral("取消"));
    if (dialog.exec() != QDialog::Accepted)
        return;
    const QString display = dialog.textValue().trimmed();
    if (!display.isEmpty()) {
        if (const proto::NormalizedNick checked = proto::normalizeNick(display); !checked.ok()) {
            showError(QStringLiteral("显示名不可用：%1").arg(checked.reason));
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
                showError(QStringLiteral("显示名未修改：%1").arg(reason));
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

void ChatWindow::scrollToNewest()
{
    // Follow the conversation only when the reader is already at the end of it.
    const QScrollBar *bar = m_conversation->verticalScrollBar();
    if (bar->value() >= bar->maximum() - 4)
        QMetaObject::invokeMethod(m_conversation, &QListView::scrollToBottom, Qt::QueuedConnection);
}

} // namespace chat::client
