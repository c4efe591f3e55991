// 浏览/创建房间: the server's public rooms, a page at a time, to join; and a new room (name,
// title, topic, private) to create. Joining or creating selects the room and closes the dialog.
// Also 修改标题/话题, the room owner's dialog for a room's title and topic.
#pragma once

#include "protocol.h"

#include <QDialog>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTreeWidget;

namespace chat::client {

class ConnectionController;

class RoomsDialog : public QDialog
{
    Q_OBJECT
public:
    explicit RoomsDialog(ConnectionController *controller, QWidget *parent = nullptr);

    // Asks for the first page again.
    void refresh();
    // Joins the room of the selected row (what 加入 does).
    void joinSelected();
    // Creates the room the fields describe (what 创建 does).
    void create();
    [[nodiscard]] QList<proto::RoomSummary> shownRooms() const { return m_rooms; }

private:
    void showPage(const QString &id, const QList<proto::RoomSummary> &rooms, const QString &next);
    void setError(const QString &message);
    void updateButtons();
    void watch(const QString &id);

    ConnectionController *m_controller;
    QTreeWidget *m_list;
    QPushButton *m_join;
    QPushButton *m_more;
    QLineEdit *m_name;
    QLineEdit *m_title;
    QLineEdit *m_topic;
    QCheckBox *m_private;
    QPushButton *m_create;
    QLabel *m_error;
    QString m_listRequest;
    QString m_next;
    QString m_action; // the join or create awaiting its answer
    QList<proto::RoomSummary> m_rooms;
};

class EditRoomDialog : public QDialog
{
    Q_OBJECT
public:
    EditRoomDialog(const QString &title, const QString &topic, QWidget *parent = nullptr);
    [[nodiscard]] QString title() const;
    [[nodiscard]] QString topic() const;

private:
    QLineEdit *m_title;
    QLineEdit *m_topic;
};

} // namespace chat::client
