#include "roomactions.h"

#include "connectioncontroller.h"
#include "memberlistmodel.h"
#include "namekey.h"
#include "notificationsettings.h"
#include "roomlistmodel.h"
#include "roomsdialog.h"

#include <QAbstractItemView>
#include <QActionGroup>
#include <QInputDialog>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>

namespace chat::client {

RoomActions::RoomActions(ConnectionController *controller, QMenu *menu, QWidget *window)
    : QObject(window)
    , m_controller(controller)
    , m_window(window)
    , m_invite(menu->addAction(QStringLiteral("邀请(&I)…"), this, &RoomActions::invite))
    , m_remove(menu->addAction(QStringLiteral("移除成员(&R)…"), this, &RoomActions::removeMember))
    , m_edit(menu->addAction(QStringLiteral("修改标题/话题(&T)…"), this, &RoomActions::edit))
    , m_transfer(menu->addAction(QStringLiteral("移交房主(&O)…"), this, &RoomActions::transfer))
    , m_menu(menu)
{
    menu->addSeparator();
    m_leave = menu->addAction(QStringLiteral("离开(&L)"), this, &RoomActions::leave);
    m_invite->setObjectName(QStringLiteral("inviteAction"));
    m_remove->setObjectName(QStringLiteral("removeAction"));
    m_edit->setObjectName(QStringLiteral("editRoomAction"));
    m_transfer->setObjectName(QStringLiteral("transferAction"));
    m_leave->setObjectName(QStringLiteral("leaveAction"));
    update();
}

void RoomActions::update()
{
    const bool connected = m_controller->state() == ConnectionState::Connected;
    const std::optional<proto::RoomState> room =
        m_controller->rooms()->room(m_controller->currentRoom());
    const bool inRoom = connected && room && m_controller->directDraft().isEmpty();
    const bool shared = inRoom && !room->direct;
    const bool owner = shared && room->role == u"owner";
    m_invite->setEnabled(shared);
    m_remove->setEnabled(owner);
    m_edit->setEnabled(owner);
    m_transfer->setEnabled(owner);
    m_leave->setEnabled(shared);
    if (m_notifySettings) {
        const int level =
            room ? static_cast<int>(m_notifySettings->level(room->name, room->direct)) : -1;
        for (int i = 0; i < m_levels.size(); ++i) {
            m_levels[i]->setEnabled(inRoom);
            m_levels[i]->setChecked(i == level);
        }
    }
}

void RoomActions::addNotificationMenu(NotificationSettings *settings)
{
    m_notifySettings = settings;
    QMenu *levels = m_menu->addMenu(tr("Notifications"));
    levels->setObjectName(QStringLiteral("notificationLevelMenu"));
    auto *group = new QActionGroup(levels);
    const std::pair<NotifyLevel, QString> choices[] = {
        {NotifyLevel::All, tr("All messages")},
        {NotifyLevel::MentionsOnly, tr("Mentions only")},
        {NotifyLevel::Nothing, tr("Nothing")},
    };
    for (const auto &[level, text] : choices) {
        QAction *action = levels->addAction(text);
        action->setObjectName(QStringLiteral("notify_") + notifyLevelName(level));
        action->setCheckable(true);
        group->addAction(action);
        connect(action, &QAction::triggered, this, [this, level = level] {
            const QString room = m_controller->currentRoom();
            if (!room.isEmpty())
                m_notifySettings->setLevel(room, level);
        });
        m_levels.append(action);
    }
    connect(settings, &NotificationSettings::changed, this, &RoomActions::update);
    update();
}

void RoomActions::watchRequest(const QString &id, const QString &failure, const QString &done)
{
    if (id.isEmpty())
        return; // errorOccurred said why
    auto *context = new QObject(this);
    connect(m_controller, &ConnectionController::requestFailed, context,
            [this, id, failure, context](const QString &failed, const QString &reason) {
                if (failed != id)
                    return;
                emit errorOccurred(QStringLiteral("%1：%2").arg(failure, reason));
                context->deleteLater();
            });
    connect(m_controller, &ConnectionController::requestDone, context,
            [this, id, done, context](const QString &answered) {
                if (answered != id)
                    return;
                if (!done.isEmpty())
                    emit noticeOccurred(done);
                context->deleteLater();
            });
}

QString RoomActions::pickMember(const QString &title, const QString &label)
{
    const MemberListModel *members = m_controller->members();
    QStringList names;
    for (const QString &name : members->names()) {
        if (proto::accountNameKey(name) != proto::accountNameKey(m_controller->account()))
            names.append(name);
    }
    if (names.isEmpty()) {
        emit errorOccurred(QStringLiteral("房间里没有其他成员。"));
        return {};
    }
    QInputDialog dialog(m_window);
    dialog.setWindowTitle(title);
    dialog.setLabelText(label);
    dialog.setComboBoxItems(names);
    dialog.setOkButtonText(QStringLiteral("确定"));
    dialog.setCancelButtonText(QStringLiteral("取消"));
    return dialog.exec() == QDialog::Accepted ? dialog.textValue() : QString();
}

void RoomActions::invite()
{
    const QString room = m_controller->currentRoom();
    QInputDialog dialog(m_window);
    dialog.setWindowTitle(QStringLiteral("邀请"));
    dialog.setLabelText(QStringLiteral("邀请谁加入这个房间（账号名）："));
    dialog.setOkButtonText(QStringLiteral("邀请"));
    dialog.setCancelButtonText(QStringLiteral("取消"));
    if (dialog.exec() != QDialog::Accepted || dialog.textValue().trimmed().isEmpty())
        return;
    const QString name = dialog.textValue().trimmed();
    watchRequest(m_controller->inviteToRoom(room, name), QStringLiteral("邀请失败"),
                 QStringLiteral("已邀请 %1").arg(name));
}

void RoomActions::removeMember()
{
    const QString room = m_controller->currentRoom();
    const QString name = pickMember(QStringLiteral("移除成员"), QStringLiteral("把谁移出房间："));
    if (!name.isEmpty())
        watchRequest(m_controller->removeFromRoom(room, name), QStringLiteral("移除失败"));
}

void RoomActions::edit()
{
    const QString name = m_controller->currentRoom();
    const std::optional<proto::RoomState> room = m_controller->rooms()->room(name);
    if (!room)
        return;
    EditRoomDialog dialog(room->title, room->topic, m_window);
    if (dialog.exec() != QDialog::Accepted)
        return;
    std::optional<QString> title;
    std::optional<QString> topic;
    if (dialog.title() != room->title)
        title = dialog.title();
    if (dialog.topic() != room->topic)
        topic = dialog.topic();
    if (title || topic)
        watchRequest(m_controller->updateRoom(name, title, topic), QStringLiteral("修改失败"));
}

void RoomActions::transfer()
{
    const QString room = m_controller->currentRoom();
    const QString name =
        pickMember(QStringLiteral("移交房主"), QStringLiteral("把房主移交给（你仍是成员）："));
    if (!name.isEmpty())
        watchRequest(m_controller->transferRoom(room, name), QStringLiteral("移交失败"));
}

void RoomActions::leave()
{
    const QString room = m_controller->currentRoom();
    const std::optional<proto::RoomState> state = m_controller->rooms()->room(room);
    if (!state)
        return;
    // The title comes from the network: plain text, never markup.
    QMessageBox box(QMessageBox::Question, QStringLiteral("离开房间"),
                    QStringLiteral("离开“%1”？之后需要重新加入（私密房间需要别人邀请）。")
                        .arg(RoomListModel::titleOf(*state)),
                    QMessageBox::Yes | QMessageBox::No, m_window);
    box.setTextFormat(Qt::PlainText);
    box.button(QMessageBox::Yes)->setText(QStringLiteral("离开"));
    box.button(QMessageBox::No)->setText(QStringLiteral("取消"));
    if (box.exec() == QMessageBox::Yes)
        watchRequest(m_controller->leaveRoom(room), QStringLiteral("离开失败"));
}

void RoomActions::openMemberMenu(QAbstractItemView *view, const QPoint &pos)
{
    const QModelIndex index = view->indexAt(pos);
    if (!index.isValid())
        return;
    const QString name = index.data(MemberListModel::NameRole).toString();
    if (proto::accountNameKey(name) == proto::accountNameKey(m_controller->account()))
        return;
    const QString room = m_controller->currentRoom();
    QMenu menu(m_window);
    menu.addAction(QStringLiteral("发消息"), this,
                   [this, name] { m_controller->openDirect(name); });
    if (m_remove->isEnabled()) {
        menu.addSeparator();
        menu.addAction(QStringLiteral("移出房间"), this, [this, room, name] {
            watchRequest(m_controller->removeFromRoom(room, name), QStringLiteral("移除失败"));
        });
        menu.addAction(QStringLiteral("移交房主"), this, [this, room, name] {
            watchRequest(m_controller->transferRoom(room, name), QStringLiteral("移交失败"));
        });
    }
    menu.exec(view->viewport()->mapToGlobal(pos));
}

} // namespace chat::client
