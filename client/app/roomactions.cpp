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
    , m_invite(menu->addAction(tr("&Invite…"), this, &RoomActions::invite))
    , m_remove(menu->addAction(tr("&Remove a member…"), this, &RoomActions::removeMember))
    , m_edit(menu->addAction(tr("Change &title/topic…"), this, &RoomActions::edit))
    , m_transfer(menu->addAction(tr("Transfer &ownership…"), this, &RoomActions::transfer))
    , m_menu(menu)
{
    menu->addSeparator();
    m_leave = menu->addAction(tr("&Leave"), this, &RoomActions::leave);
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
                emit errorOccurred(tr("%1: %2", "what failed: why").arg(failure, reason));
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
        emit errorOccurred(tr("Nobody else is in the room."));
        return {};
    }
    QInputDialog dialog(m_window);
    dialog.setWindowTitle(title);
    dialog.setLabelText(label);
    dialog.setComboBoxItems(names);
    dialog.setOkButtonText(tr("OK"));
    dialog.setCancelButtonText(tr("Cancel"));
    return dialog.exec() == QDialog::Accepted ? dialog.textValue() : QString();
}

void RoomActions::invite()
{
    const QString room = m_controller->currentRoom();
    QInputDialog dialog(m_window);
    dialog.setWindowTitle(tr("Invite"));
    dialog.setLabelText(tr("Who to invite to this room (account name):"));
    dialog.setOkButtonText(tr("Invite"));
    dialog.setCancelButtonText(tr("Cancel"));
    if (dialog.exec() != QDialog::Accepted || dialog.textValue().trimmed().isEmpty())
        return;
    const QString name = dialog.textValue().trimmed();
    watchRequest(m_controller->inviteToRoom(room, name), tr("Inviting failed"),
                 tr("Invited %1").arg(name));
}

void RoomActions::removeMember()
{
    const QString room = m_controller->currentRoom();
    const QString name = pickMember(tr("Remove a member"), tr("Who to remove from the room:"));
    if (!name.isEmpty())
        watchRequest(m_controller->removeFromRoom(room, name), tr("Removing failed"));
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
        watchRequest(m_controller->updateRoom(name, title, topic), tr("Changing failed"));
}

void RoomActions::transfer()
{
    const QString room = m_controller->currentRoom();
    const QString name =
        pickMember(tr("Transfer ownership"), tr("Make this member the owner (you stay a member):"));
    if (!name.isEmpty())
        watchRequest(m_controller->transferRoom(room, name), tr("Transferring failed"));
}

void RoomActions::leave()
{
    const QString room = m_controller->currentRoom();
    const std::optional<proto::RoomState> state = m_controller->rooms()->room(room);
    if (!state)
        return;
    // The title comes from the network: plain text, never markup.
    QMessageBox box(
        QMessageBox::Question, tr("Leave the room"),
        tr("Leave “%1”? To come back you join again (a private room needs someone to invite you).")
            .arg(RoomListModel::titleOf(*state)),
        QMessageBox::Yes | QMessageBox::No, m_window);
    box.setTextFormat(Qt::PlainText);
    box.button(QMessageBox::Yes)->setText(tr("Leave"));
    box.button(QMessageBox::No)->setText(tr("Cancel"));
    if (box.exec() == QMessageBox::Yes)
        watchRequest(m_controller->leaveRoom(room), tr("Leaving failed"));
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
    menu.addAction(tr("Send a direct message"), this,
                   [this, name] { m_controller->openDirect(name); });
    if (m_remove->isEnabled()) {
        menu.addSeparator();
        menu.addAction(tr("Remove from the room"), this, [this, room, name] {
            watchRequest(m_controller->removeFromRoom(room, name), tr("Removing failed"));
        });
        menu.addAction(tr("Transfer ownership"), this, [this, room, name] {
            watchRequest(m_controller->transferRoom(room, name), tr("Transferring failed"));
        });
    }
    menu.exec(view->viewport()->mapToGlobal(pos));
}

} // namespace chat::client
