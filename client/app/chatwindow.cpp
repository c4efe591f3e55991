#include "chatwindow.h"

#include "connectdialog.h"
#include "connectioncontroller.h"
#include "messagedelegate.h"
#include "messagemodel.h"
#include "protocol.h"
#include "userlistmodel.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenuBar>
#include <QPushButton>
#include <QScrollBar>
#include <QSplitter>
#include <QStatusBar>
#include <QVBoxLayout>

namespace chat::client {

namespace {
constexpr int kErrorShownMs = 8000;
} // namespace

ChatWindow::ChatWindow(ConnectionController *controller, QWidget *parent)
    : QMainWindow(parent)
    , m_controller(controller)
    , m_conversation(new QListView)
    , m_input(new QLineEdit)
    , m_send(new QPushButton(tr("Send")))
    , m_usersLabel(new QLabel)
    , m_users(new QListView)
    , m_status(new QLabel)
{
    m_conversation->setObjectName(QStringLiteral("conversation"));
    m_conversation->setModel(controller->messages());
    m_conversation->setItemDelegate(new MessageDelegate(m_conversation));
    m_conversation->setSelectionMode(QAbstractItemView::NoSelection);
    m_conversation->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_conversation->setResizeMode(QListView::Adjust);
    m_conversation->setWordWrap(true);
    m_conversation->setUniformItemSizes(false);

    m_input->setObjectName(QStringLiteral("input"));
    m_input->setPlaceholderText(tr("Type a message and press Enter"));
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

    QMenu *chatMenu = menuBar()->addMenu(tr("&Chat"));
    chatMenu->addAction(tr("&Connect…"), QKeySequence::New, this, &ChatWindow::openConnectDialog);
    chatMenu->addSeparator();
    chatMenu->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    connect(m_input, &QLineEdit::returnPressed, this, &ChatWindow::sendInput);
    connect(m_send, &QPushButton::clicked, this, &ChatWindow::sendInput);
    connect(controller, &ConnectionController::statusTextChanged, this, &ChatWindow::showStatus);
    connect(controller, &ConnectionController::stateChanged, this, &ChatWindow::showStatus);
    connect(controller, &ConnectionController::errorOccurred, this, &ChatWindow::showError);
    connect(controller->users(), &UserListModel::countChanged, this, &ChatWindow::showOnlineCount);
    connect(controller->messages(), &QAbstractItemModel::rowsInserted, this,
            &ChatWindow::scrollToNewest);
    connect(controller->messages(), &QAbstractItemModel::modelReset, this,
            &ChatWindow::scrollToNewest);

    resize(760, 520);
    showStatus();
    showOnlineCount();
    m_input->setFocus();
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
    const QString nick = m_controller->nick();
    setWindowTitle(nick.isEmpty() ? tr("Chat") : tr("Chat — %1").arg(nick));
}

void ChatWindow::showError(const QString &message)
{
    statusBar()->showMessage(message, kErrorShownMs);
}

void ChatWindow::showOnlineCount()
{
    m_usersLabel->setText(tr("Online: %1").arg(m_controller->users()->count()));
}

void ChatWindow::openConnectDialog()
{
    ConnectDialog dialog(this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    m_controller->stop();
    m_controller->setServerUrl(dialog.serverUrl());
    m_controller->setNick(dialog.nick());
    if (!dialog.token().isEmpty())
        m_controller->setToken(dialog.token());
    // Each server and nick has its own saved outbox; a memory-only controller stays so.
    if (!m_controller->outboxPath().isEmpty())
        m_controller->setOutboxPath(
            ConnectionController::defaultOutboxPath(dialog.serverUrl(), dialog.nick()));
    m_controller->start();
}

void ChatWindow::scrollToNewest()
{
    // Follow the conversation only when the reader is already at the end of it.
    const QScrollBar *bar = m_conversation->verticalScrollBar();
    if (bar->value() >= bar->maximum() - 4)
        QMetaObject::invokeMethod(m_conversation, &QListView::scrollToBottom, Qt::QueuedConnection);
}

} // namespace chat::client
