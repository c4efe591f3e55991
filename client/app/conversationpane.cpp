#include "conversationpane.h"

#include "connectioncontroller.h"
#include "memberlistmodel.h"
#include "messagedelegate.h"
#include "messageformat.h"
#include "messageinput.h"
#include "messagemodel.h"
#include "messagetext.h"
#include "protocol.h"
#include "roomlistmodel.h"

#include <QApplication>
#include <QClipboard>
#include <QDesktopServices>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QListView>
#include <QMenu>
#include <QPushButton>
#include <QScrollBar>
#include <QUrl>
#include <QVBoxLayout>

namespace chat::client {

namespace {
constexpr int kBottomSlackPx = 4;

// "> " before each line: what 引用 puts into the input.
QString quoted(const QString &text)
{
    QStringList lines = text.split(u'\n');
    for (QString &line : lines)
        line.prepend(QStringLiteral("> "));
    return lines.join(u'\n') + u'\n';
}
} // namespace

ConversationPane::ConversationPane(ConnectionController *controller, QWidget *parent)
    : QWidget(parent)
    , m_controller(controller)
    , m_title(new QLabel)
    , m_topic(new QLabel)
    , m_view(new QListView)
    , m_delegate(new MessageDelegate(m_view))
    , m_newMessages(new QPushButton(m_view))
    , m_typing(new QLabel)
    , m_input(new MessageInput)
    , m_send(new QPushButton(tr("Send")))
{
    m_title->setObjectName(QStringLiteral("roomTitle"));
    m_title->setTextFormat(Qt::PlainText);
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.15);
    m_title->setFont(titleFont);
    m_topic->setObjectName(QStringLiteral("roomTopic"));
    m_topic->setTextFormat(Qt::PlainText);
    m_topic->setWordWrap(true);

    m_view->setObjectName(QStringLiteral("conversation"));
    m_view->setAccessibleName(tr("Conversation"));
    m_view->setItemDelegate(m_delegate);
    m_delegate->setSelection(&m_selection);
    m_view->setSelectionMode(QAbstractItemView::NoSelection);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_view->verticalScrollBar()->setSingleStep(m_view->fontMetrics().height() * 2);
    m_view->setResizeMode(QListView::Adjust);
    m_view->setWordWrap(true);
    m_view->setUniformItemSizes(false);
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    // Reachable with Tab (screen readers), but a click leaves the keyboard in the input.
    m_view->setFocusPolicy(Qt::TabFocus);
    m_view->viewport()->setMouseTracking(true);
    m_view->installEventFilter(this);
    m_view->viewport()->installEventFilter(this);

    m_newMessages->setObjectName(QStringLiteral("newMessagesButton"));
    m_newMessages->setFocusPolicy(Qt::NoFocus);
    m_newMessages->setCursor(Qt::PointingHandCursor);
    m_newMessages->hide();
    connect(m_newMessages, &QPushButton::clicked, this, &ConversationPane::jumpToNewest);

    m_typing->setObjectName(QStringLiteral("typingLabel"));
    m_typing->setTextFormat(Qt::PlainText);
    // Keeps its line when empty, so the conversation does not jump when someone starts typing.
    m_typing->setMinimumHeight(m_typing->fontMetrics().height());
    applyFaintInk();

    m_input->setObjectName(QStringLiteral("input"));
    m_input->installEventFilter(this); // Ctrl+C with nothing selected in it copies the messages'
    m_input->setAccessibleName(tr("Message"));
    m_input->setPlaceholderText(tr("Write a message: Enter sends, Shift+Enter starts a new line"));
    m_send->setObjectName(QStringLiteral("sendButton"));

    auto *inputRow = new QHBoxLayout;
    inputRow->addWidget(m_input, 1);
    inputRow->addWidget(m_send, 0, Qt::AlignBottom);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    layout->addWidget(m_title);
    layout->addWidget(m_topic);
    layout->addWidget(m_view, 1);
    layout->addWidget(m_typing);
    layout->addLayout(inputRow);
    setFocusProxy(m_input);

    connect(m_input, &MessageInput::submitted, this, &ConversationPane::sendInput);
    connect(m_send, &QPushButton::clicked, this, &ConversationPane::sendInput);
    connect(m_input, &MessageInput::edited, this, [this] {
        if (!m_input->document()->isEmpty())
            m_controller->userTyping();
    });
    connect(m_input, &MessageInput::scrollRequested, this, &ConversationPane::scrollFromInput);
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

void ConversationPane::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        applyFaintInk();
}

void ConversationPane::applyFaintInk()
{
    const QColor faint = faintText(palette());
    for (QLabel *label : {m_topic, m_typing}) {
        QPalette quiet = label->palette();
        quiet.setColor(QPalette::WindowText, faint);
        label->setPalette(quiet);
    }
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
    m_selection.clear();
    m_model = m_controller->messages();
    m_view->setModel(m_model);
    connect(m_model, &QAbstractItemModel::rowsAboutToBeInserted, this,
            &ConversationPane::onAboutToInsert);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &ConversationPane::onInserted);

    const ViewState state = m_states.value(m_shownKey);
    m_input->setText(state.draft);
    showNewMessages(0);
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
        m_topic->setText(
            tr("Direct conversation with %1: it begins with the first message").arg(draft));
        return;
    }
    const std::optional<proto::RoomState> room =
        m_controller->rooms()->room(m_controller->currentRoom());
    if (!room) {
        m_title->setText(tr("No room selected"));
        m_topic->clear();
        return;
    }
    if (room->direct) {
        m_title->setText(QStringLiteral("@ %1").arg(RoomListModel::titleOf(*room)));
        m_topic->setText(tr("Direct conversation with %1").arg(room->with));
        return;
    }
    // The member list, once loaded, knows better than the count the room came with.
    const MemberListModel *members = m_controller->members();
    const int count =
        members->room() == room->name && members->count() > 0 ? members->count() : room->members;
    m_title->setText(QStringLiteral("# %1").arg(RoomListModel::titleOf(*room)));
    m_topic->setText(room->topic.isEmpty()
                         ? tr("%n member(s)", nullptr, count)
                         : tr("%1 · %n member(s)", nullptr, count).arg(room->topic));
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
    // One's own message is always shown, however far up the conversation was.
    QMetaObject::invokeMethod(this, &ConversationPane::jumpToNewest, Qt::QueuedConnection);
}

void ConversationPane::onScrolled(int value)
{
    const QScrollBar *bar = m_view->verticalScrollBar();
    if (value == bar->minimum() && bar->maximum() > bar->minimum())
        m_controller->loadOlder();
    if (m_unseen > 0 && isAtBottom())
        showNewMessages(0);
}

void ConversationPane::onAboutToInsert(const QModelIndex &, int first, int)
{
    if (first == 0 && m_model && m_model->rowCount() > 0) {
        const QModelIndex top = m_view->indexAt(QPoint(1, 1));
        m_anchor = top.isValid() ? top : m_model->index(0);
        m_anchorTop = m_view->visualRect(m_anchor).top();
        return;
    }
    m_followNewest = isAtBottom();
}

void ConversationPane::onInserted(const QModelIndex &, int first, int last)
{
    QScrollBar *bar = m_view->verticalScrollBar();
    if (m_anchor.isValid()) {
        // Older messages went in above: what was on screen stays where it was.
        m_view->doItemsLayout();
        bar->setValue(bar->value() + m_view->visualRect(m_anchor).top() - m_anchorTop);
        m_anchor = QPersistentModelIndex();
        return;
    }
    if (std::exchange(m_followNewest, false)) {
        QMetaObject::invokeMethod(m_view, &QListView::scrollToBottom, Qt::QueuedConnection);
        return;
    }
    // Scrolled up: the view stays put, and the button says what came in below.
    int others = 0;
    for (int row = first; row <= last; ++row) {
        const QModelIndex index = m_model->index(row);
        if (!index.data(MessageModel::OwnRole).toBool() &&
            !index.data(MessageModel::SystemRole).toBool())
            ++others;
    }
    if (others > 0)
        showNewMessages(m_unseen + others);
}

void ConversationPane::jumpToNewest()
{
    m_view->doItemsLayout();
    m_view->scrollToBottom();
    showNewMessages(0);
}

void ConversationPane::showNewMessages(int count)
{
    m_unseen = count;
    m_newMessages->setVisible(count > 0);
    if (count > 0) {
        m_newMessages->setText(tr("%n new message(s) ↓", nullptr, count));
        m_newMessages->adjustSize();
        placeNewMessagesButton();
        m_newMessages->raise();
    }
}

void ConversationPane::placeNewMessagesButton()
{
    const QRect area = m_view->viewport()->geometry();
    const QSize size = m_newMessages->sizeHint();
    m_newMessages->setGeometry(area.right() - size.width() - 12, area.bottom() - size.height() - 8,
                               size.width(), size.height());
}

void ConversationPane::scrollFromInput(int key)
{
    QScrollBar *bar = m_view->verticalScrollBar();
    switch (key) {
    case Qt::Key_Up:
        bar->triggerAction(QAbstractSlider::SliderSingleStepSub);
        break;
    case Qt::Key_Down:
        bar->triggerAction(QAbstractSlider::SliderSingleStepAdd);
        break;
    case Qt::Key_PageUp:
        bar->triggerAction(QAbstractSlider::SliderPageStepSub);
        break;
    case Qt::Key_PageDown:
        bar->triggerAction(QAbstractSlider::SliderPageStepAdd);
        break;
    default:
        break;
    }
}

QStyleOptionViewItem ConversationPane::optionFor(const QModelIndex &index) const
{
    QStyleOptionViewItem option;
    option.initFrom(m_view);
    option.font = m_view->font();
    option.rect = m_view->visualRect(index);
    option.palette = m_view->palette();
    return option;
}

QString ConversationPane::linkAt(const QPoint &pos) const
{
    const QModelIndex index = m_view->indexAt(pos);
    if (!index.isValid())
        return {};
    return m_delegate->linkAt(optionFor(index), index, pos);
}

bool ConversationPane::selectWithMouse(QEvent *event)
{
    auto *mouse = static_cast<QMouseEvent *>(event);
    const QPoint pos = mouse->position().toPoint();
    const QModelIndex index = m_view->indexAt(pos);
    if (event->type() == QEvent::MouseButtonPress && mouse->button() == Qt::LeftButton) {
        m_selection.clear();
        m_selecting = index.isValid();
        if (m_selecting)
            m_selection.start(index, m_delegate->positionAt(optionFor(index), index, pos));
        m_view->viewport()->update();
    } else if (event->type() == QEvent::MouseMove && m_selecting &&
               (mouse->buttons() & Qt::LeftButton)) {
        if (index.isValid()) { // between rows or past the last one: the selection stays
            m_selection.extendTo(index, m_delegate->positionAt(optionFor(index), index, pos));
            m_view->viewport()->update();
        }
    } else if (event->type() == QEvent::MouseButtonRelease && mouse->button() == Qt::LeftButton) {
        m_selecting = false;
        if (!m_selection.isEmpty()) {
            // Ctrl+C in the input now copies this, not a stale selection of the input's own.
            QTextCursor cursor = m_input->textCursor();
            cursor.clearSelection();
            m_input->setTextCursor(cursor);
            if (QGuiApplication::clipboard()->supportsSelection())
                copySelection(QClipboard::Selection);
            return true; // the end of a drag, not a click on a link
        }
    }
    return false;
}

QString ConversationPane::selectedText() const
{
    QStringList parts;
    for (int row = m_selection.firstRow(); m_model && row >= 0 && row <= m_selection.lastRow();
         ++row) {
        const QModelIndex index = m_model->index(row);
        if (const auto range = m_selection.rangeIn(index))
            parts.append(
                m_delegate->textBetween(optionFor(index), index, range->first, range->second));
    }
    return parts.join(u'\n');
}

void ConversationPane::copySelection(QClipboard::Mode mode) const
{
    const QString text = selectedText();
    if (!text.isEmpty())
        QGuiApplication::clipboard()->setText(text, mode);
}

bool ConversationPane::openLink(const QString &href)
{
    if (!format::isOpenable(href))
        return false;
    return QDesktopServices::openUrl(QUrl(href));
}

bool ConversationPane::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_view && event->type() == QEvent::Resize) {
        placeNewMessagesButton();
    } else if ((watched == m_view || watched == m_input) && event->type() == QEvent::KeyPress &&
               static_cast<QKeyEvent *>(event)->matches(QKeySequence::Copy) &&
               !m_input->textCursor().hasSelection() && !m_selection.isEmpty()) {
        copySelection();
        return true;
    } else if (watched == m_view && event->type() == QEvent::KeyPress) {
        // Text typed at the conversation belongs in the input.
        auto *key = static_cast<QKeyEvent *>(event);
        if (!key->text().isEmpty() && key->text().at(0).isPrint() &&
            !(key->modifiers() & (Qt::ControlModifier | Qt::AltModifier))) {
            m_input->setFocus();
            QCoreApplication::sendEvent(m_input, event);
            return true;
        }
    }
    if (watched == m_view->viewport() &&
        (event->type() == QEvent::MouseButtonPress || event->type() == QEvent::MouseMove ||
         event->type() == QEvent::MouseButtonRelease) &&
        selectWithMouse(event))
        return true;
    if (watched == m_view->viewport() && event->type() == QEvent::MouseMove) {
        const QString link = linkAt(static_cast<QMouseEvent *>(event)->position().toPoint());
        m_view->viewport()->setCursor(link.isEmpty() ? Qt::ArrowCursor : Qt::PointingHandCursor);
        m_view->viewport()->setToolTip(link);
    } else if (watched == m_view->viewport() && event->type() == QEvent::MouseButtonRelease) {
        auto *mouse = static_cast<QMouseEvent *>(event);
        if (mouse->button() == Qt::LeftButton) {
            const QString link = linkAt(mouse->position().toPoint());
            if (!link.isEmpty()) {
                openLink(link);
                return true;
            }
        }
    }
    return QWidget::eventFilter(watched, event);
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
    if (!index.isValid() || index.data(MessageModel::SystemRole).toBool())
        return;
    const QString text = index.data(MessageModel::TextRole).toString();
    const QString from = index.data(MessageModel::FromRole).toString();
    // Copy takes the selected part when the click is on it, the whole message otherwise.
    const QString copied = m_selection.rangeIn(index) ? selectedText() : text;
    const QString link = linkAt(pos);
    const auto named = [](QAction *action, const char *name) {
        action->setObjectName(QLatin1String(name));
        return action;
    };
    QMenu menu(this);
    named(menu.addAction(tr("Copy"), this,
                         [copied] { QGuiApplication::clipboard()->setText(copied); }),
          "copyAction");
    if (!link.isEmpty()) {
        named(menu.addAction(tr("Copy link"), this,
                             [link] { QGuiApplication::clipboard()->setText(link); }),
              "copyLinkAction");
    }
    named(menu.addAction(tr("Quote"), this,
                         [this, text] {
                             m_input->setText(quoted(text) + m_input->text());
                             m_input->setFocus();
                         }),
          "quoteAction");
    if (!index.data(MessageModel::OwnRole).toBool()) {
        named(menu.addAction(tr("Mention"), this,
                             [this, from] {
                                 m_input->insert(QStringLiteral("@%1 ").arg(from));
                                 m_input->setFocus();
                             }),
              "mentionAction");
        QAction *direct = menu.addAction(tr("Send a direct message"));
        direct->setObjectName(QStringLiteral("directMessageAction"));
        connect(direct, &QAction::triggered, this,
                [this, from] { emit directMessageRequested(from); });
    }
    menu.exec(m_view->viewport()->mapToGlobal(pos));
}

} // namespace chat::client
