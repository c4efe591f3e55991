// The middle of the window: the selected room's title and topic, its conversation, who is
// typing, and the line to write in. Each room (and draft direct conversation) keeps its own
// scroll position and unsent draft while another is shown; scrolling to the top loads older
// messages, and the position stays on what was being read when they arrive.
#pragma once

#include <QHash>
#include <QPointer>
#include <QWidget>

class QLabel;
class QLineEdit;
class QListView;
class QPushButton;

namespace chat::client {

class ConnectionController;
class MessageModel;

class ConversationPane : public QWidget
{
    Q_OBJECT
public:
    explicit ConversationPane(ConnectionController *controller, QWidget *parent = nullptr);

    [[nodiscard]] QListView *view() const { return m_view; }
    [[nodiscard]] QLineEdit *input() const { return m_input; }

signals:
    // "发消息" on a message's author.
    void directMessageRequested(const QString &account);

private:
    struct ViewState
    {
        int fromBottom = 0; // pixels between the view's bottom and the conversation's end
        bool atBottom = true;
        QString draft;
    };

    void showCurrent();
    void showHeader();
    void sendInput();
    void onScrolled(int value);
    void onAboutToInsert(const QModelIndex &parent, int first, int last);
    void onInserted(const QModelIndex &parent, int first, int last);
    void fillIfShort();
    void openContextMenu(const QPoint &pos);
    [[nodiscard]] QString currentKey() const;
    [[nodiscard]] bool isAtBottom() const;

    ConnectionController *m_controller;
    QLabel *m_title;
    QLabel *m_topic;
    QListView *m_view;
    QLabel *m_typing;
    QLineEdit *m_input;
    QPushButton *m_send;
    QPointer<MessageModel> m_model;
    QString m_shownKey;
    QHash<QString, ViewState> m_states;
    int m_keepFromBottom = -1;   // older rows are going in at the top: stay this far from the end
    bool m_followNewest = false; // new rows are going in at the end of a view that showed it
};

} // namespace chat::client
