#include "conversationpane.h"

#include "connectioncontroller.h"
#include "memberlistmodel.h"
#include "messagedelegate.h"
#include "messagemodel.h"
#include "protocol.h"
#include "roomlistmodel.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenu>
#include <QPushButton>
#include <QScrollBar>
#include <QVBoxLayout>

namespace chat::client {

namespace {
constexpr int kBottomSlackPx = 4;
} // namespace

ConversationPane::ConversationPane(ConnectionController *controller, QWidget *parent)
    : QWidget(parent)
    , m_controller(controller)
    , m_title(new QLabel)
    , m_topic(new QLabel)
    , m_view(new QListView)
    , m_typing(new QLabel)
    , m_input(new QLineEdit)
    , m_send(new QPushButton(QStringLiteral("发送")))
{
    m_title->setObjectName(QStringLiteral("roomTitle"));
    m_title->setTextFormat(Qt::PlainText);
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.15);
    m_title->setFont(titleFont);
    m_topic->setObjectName(QStringLiteral("roomTopic"));
    m_topic->setTextFormat(Qt::PlainText);
    m_topic->setForegroundRole(QPalette::PlaceholderText);
    m_topic->setWordWrap(true);

    m_view->setObjectName(QStringLiteral("conversation"));
    m_view->setItemDelegate(new MessageDelegate(m_view));
    m_view->setSelectionMode(QAbstractItemView::NoSelection);
    m_view->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_view->setResizeMode(QListView::Adjust);
    m_view->setWordWrap(true);
    m_view->setUniformItemSizes(false);
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);

    m_typing->setObjectName(QStringLiteral("typingLabel"));
    m_typing->setTextFormat(Qt::PlainText);
    m_typing->setForegroundRole(QPalette::PlaceholderText);
    // Keeps its line when empty, so the conversation does not jump when someone starts typing.
    m_typing->setMinimumHeight(m_typing->fontMetrics().height());

    m_input->setObjectName(QStringLiteral("input"));
    m_input->setPlaceholderText(QStringLiteral("输入消息，按回车发送"));
    m_input->setMaxLength(int(proto::kMaxTextChars) * 2);
    m_send->setObjectName(QStringLiteral("sendButton"));

    auto *inputRow = new QHBoxLayout;
    inputRow->addWidget(m_input, 1);
    inputRow->addWidget(m_send);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    layout->addWidget(m_title);
    layout->addWidget(m_topic);
    layout->addWidget(m_view, 1);
    layout->addWidget(m_typing);
    layout->addLayout(inputRow);

    connect(m_input, &QLineEdit::returnPressed, this, &ConversationPane::sendInput);
    connect(m_send, &QPushButton::clicked, this, &ConversationPane::sendInput);
    connect(m_input, &QLineEdit::textEdited, this, [this](const QString &text) {
        if (!text.isEmpty())
            m_controller->userTyping();
    });
    connect(m_view->verticalScrollBar(), &QScrollBar::valueChanged, this,
            &ConversationPane::onScrolled);
    connect(m_view, &QWidget::customContextMenuRequested, this, &ConversationPane::openContextMenu);
    connect(controller, &ConnectionController::currentRoomChanged, this,
            &ConversationPane::showCurrent);
    connect(controller, &ConnectionController::typingChanged, this,
            [this] { m_typing->setText(m_controller->typingText()); });
    connect(controller, &ConnectionController::historyLoaded, this, [this](const QString &room) {
        if (room == m_controller->currentRoom())
            fillIfShort();
    });
    connect(controller->members(), &MemberListModel::countsChanged, this,
            &ConversationPane::showHeader);
    RoomListModel *rooms = controller->rooms();
    connect(rooms, &QAbstractItemModel::dataChanged, this, &ConversationPane::showHeader);
    connect(rooms, &QAbstractItemModel::modelReset, this, &ConversationPane::showHeader);
    connect(rooms, &QAbstractItemModel::rowsInserted, this, &ConversationPane::showHeader);
    showCurrent();
}

QString ConversationPane::currentKey() const
{
    const QString draft = m_controller->directDraft();
    return draft.isEmpty() ? m_controller->currentRoom() : QStringLiteral("to:") + draft;
}

bool ConversationPane::isAtBottom() const
{
    const QScrollBar *bar = m_view->verticalScrollBar();
    return bar->value() >= bar->maximum() - kBottomSlackPx;
}

void ConversationPane::showCurrent()
{
    // What the room shown so far looked like, for when it comes back.
    if (m_model) {
        ViewState &state = m_states[m_shownKey];
        const QScrollBar *bar = m_view->verticalScrollBar();
        state.fromBottom = bar->maximum() - bar->value();
        state.atBottom = isAtBottom();
        state.draft = m_input->text();
        disconnect(m_model, nullptr, this, nullptr);
    }
    m_shownKey = currentKey();
    m_model = m_controller->messages();
    m_view->setModel(m_model);
    connect(m_model, &QAbstractItemModel::rowsAboutToBeInserted, this,
            &ConversationPane::onAboutToInsert);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &ConversationPane::onInserted);

    const ViewState state = m_states.value(m_shownKey);
    m_input->setText(state.draft);
    m_view->doItemsLayout();
    QScrollBar *bar = m_view->verticalScrollBar();
    bar->setValue(state.atBottom ? bar->maximum() : bar->maximum() - state.fromBottom);
    m_typing->setText(m_controller->typingText());
    showHeader();
    fillIfShort();
}

void ConversationPane::showHeader()
{
    const QString draft = m_controller->directDraft();
    if (!draft.isEmpty()) {
        m_title->setText(QStringLiteral("@ %1").arg(draft));
        m_topic->setText(QStringLiteral("与 %1 的私聊：发出第一条消息后开始").arg(draft));
        return;
    }
    const std::optional<proto::RoomState> room =
        m_controller->rooms()->room(m_controller->currentRoom());
    if (!room) {
        m_title->setText(QStringLiteral("未选择房间"));
        m_topic->clear();
        return;
    }
    if (room->direct) {
        m_title->setText(QStringLiteral("@ %1").arg(RoomListModel::titleOf(*room)));
        m_topic->setText(QStringLiteral("与 %1 的私聊").arg(room->with));
        return;
    }
    // The member list, once loaded, knows better than the count the room came with.
    const MemberListModel *members = m_controller->members();
    const int count =
        members->room() == room->name && members->count() > 0 ? members->count() : room->members;
    m_title->setText(QStringLiteral("# %1").arg(RoomListModel::titleOf(*room)));
    m_topic->setText(room->topic.isEmpty()
                         ? QStringLiteral("%1 位成员").arg(count)
                         : QStringLiteral("%1 · %2 位成员").arg(room->topic).arg(count));
}

void ConversationPane::sendInput()
{
    const QString text = m_input->text();
    if (text.trimmed().isEmpty())
        return;
    // The controller refuses text it knows the server would refuse, and says why.
    if (m_controller->send(text).isEmpty())
        return;
    m_input->clear();
    QMetaObject::invokeMethod(m_view, &QListView::scrollToBottom, Qt::QueuedConnection);
}

void ConversationPane::onScrolled(int value)
{
    const QScrollBar *bar = m_view->verticalScrollBar();
    if (value == bar->minimum() && bar->maximum() > bar->minimum())
        m_controller->loadOlder();
}

void ConversationPane::onAboutToInsert(const QModelIndex &, int first, int)
{
    const QScrollBar *bar = m_view->verticalScrollBar();
    if (first == 0 && m_model && m_model->rowCount() > 0) {
        m_keepFromBottom = bar->maximum() - bar->value();
        return;
    }
    m_followNewest = isAtBottom();
}

void ConversationPane::onInserted(const QModelIndex &, int, int)
{
    QScrollBar *bar = m_view->verticalScrollBar();
    if (m_keepFromBottom >= 0) {
        // Older messages went in above: what was on screen stays where it was.
        m_view->doItemsLayout();
        bar->setValue(bar->maximum() - std::exchange(m_keepFromBottom, -1));
        return;
    }
    if (std::exchange(m_followNewest, false))
        QMetaObject::invokeMethod(m_view, &QListView::scrollToBottom, Qt::QueuedConnection);
}

void ConversationPane::fillIfShort()
{
    // Too few messages to scroll: nobody can scroll up to ask for more.
    m_view->doItemsLayout();
    const QScrollBar *bar = m_view->verticalScrollBar();
    if (bar->maximum() == bar->minimum() && m_controller->directDraft().isEmpty())
        m_controller->loadOlder();
}

void ConversationPane::openContextMenu(const QPoint &pos)
{
    const QModelIndex index = m_view->indexAt(pos);
    if (!index.isValid() || index.data(MessageModel::OwnRole).toBool())
        return;
    const QString from = index.data(MessageModel::FromRole).toString();
    QMenu menu(this);
    QAction *direct = menu.addAction(QStringLiteral("发消息"));
    direct->setObjectName(QStringLiteral("directMessageAction"));
    connect(direct, &QAction::triggered, this, [this, from] { emit directMessageRequested(from); });
    menu.exec(m_view->viewport()->mapToGlobal(pos));
}

} // namespace chat::client
