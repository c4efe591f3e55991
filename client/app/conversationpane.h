// The middle of the window: the selected room's title and topic, its conversation, who is
// typing, and the box to write in. Each room (and draft direct conversation) keeps its own
// scroll position and unsent draft while another is shown; scrolling to the top loads older
// messages, and the position stays on what was being read when they arrive. At the bottom the
// view follows new messages; scrolled up it stays put and a "N new messages" button jumps down.
// Clicking the conversation never takes the keyboard from the input, and keys typed while the
// conversation has the focus (reached with Tab) go to the input. Dragging over messages selects
// their text (one message or several); Ctrl+C copies it, from the input too when the input has
// no selection of its own.
#pragma once

#include "messageselection.h"

#include <QClipboard>
#include <QHash>
#include <QPersistentModelIndex>
#include <QPointer>
#include <QStyleOptionViewItem>
#include <QWidget>

class QLabel;
class QListView;
class QPushButton;

namespace chat::client {

class ConnectionController;
class MessageDelegate;
class MessageInput;
class MessageModel;

class ConversationPane : public QWidget
{
    Q_OBJECT
public:
    explicit ConversationPane(ConnectionController *controller, QWidget *parent = nullptr);

    [[nodiscard]] QListView *view() const { return m_view; }
    [[nodiscard]] MessageInput *input() const { return m_input; }
    [[nodiscard]] QPushButton *newMessagesButton() const { return m_newMessages; }

    // Opens an http(s) link in the desktop's browser; anything else is refused.
    static bool openLink(const QString &href);

signals:
    // "发消息" on a message's author.
    void directMessageRequested(const QString &account);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    struct ViewState
    {
        int fromBottom = 0; // pixels between the view's bottom and the conversation's end
        bool atBottom = true;
        QString draft;
    };

    void showCurrent();
    void applyFaintInk(); // the topic and the typing line in faintText() of the pane's palette
    void showHeader();
    void sendInput();
    void onScrolled(int value);
    void onAboutToInsert(const QModelIndex &parent, int first, int last);
    void onInserted(const QModelIndex &parent, int first, int last);
    void fillIfShort();
    void openContextMenu(const QPoint &pos);
    void scrollFromInput(int key);
    void jumpToNewest();
    void showNewMessages(int count);
    void placeNewMessagesButton();
    [[nodiscard]] QString linkAt(const QPoint &pos) const;
    [[nodiscard]] QStyleOptionViewItem optionFor(const QModelIndex &index) const;
    bool selectWithMouse(QEvent *event);
    [[nodiscard]] QString selectedText() const;
    void copySelection(QClipboard::Mode mode = QClipboard::Clipboard) const;
    [[nodiscard]] QString currentKey() const;
    [[nodiscard]] bool isAtBottom() const;

    ConnectionController *m_controller;
    QLabel *m_title;
    QLabel *m_topic;
    QListView *m_view;
    MessageDelegate *m_delegate;
    QPushButton *m_newMessages;
    QLabel *m_typing;
    MessageInput *m_input;
    QPushButton *m_send;
    QPointer<MessageModel> m_model;
    QString m_shownKey;
    QHash<QString, ViewState> m_states;
    // Older rows are going in at the top: the row at the top of the view stays where it is (it
    // may lose its day separator and header, so the distance from the end would not do).
    QPersistentModelIndex m_anchor;
    int m_anchorTop = 0;
    bool m_followNewest = false; // new rows are going in at the end of a view that showed it
    int m_unseen = 0;            // others' messages that came in below while scrolled up
    MessageSelection m_selection;
    bool m_selecting = false; // the left button went down on a message and is still down
};

} // namespace chat::client
