#include "roomsdialog.h"

#include "connectioncontroller.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace chat::client {

namespace {

enum Column { NameColumn, TopicColumn, MembersColumn, JoinedColumn };

} // namespace

RoomsDialog::RoomsDialog(ConnectionController *controller, QWidget *parent)
    : QDialog(parent)
    , m_controller(controller)
    , m_list(new QTreeWidget)
    , m_join(new QPushButton(tr("Join")))
    , m_more(new QPushButton(tr("More")))
    , m_name(new QLineEdit)
    , m_title(new QLineEdit)
    , m_topic(new QLineEdit)
    , m_private(new QCheckBox(tr("Private (joined by invitation only)")))
    , m_create(new QPushButton(tr("Create")))
    , m_error(new QLabel)
{
    setWindowTitle(tr("Browse/create rooms"));
    m_list->setObjectName(QStringLiteral("publicRooms"));
    m_list->setRootIsDecorated(false);
    m_list->setHeaderLabels({tr("Room"), tr("Topic"), tr("Members"), QStringLiteral("")});
    m_list->header()->setSectionResizeMode(TopicColumn, QHeaderView::Stretch);
    m_list->header()->setStretchLastSection(false);
    m_join->setObjectName(QStringLiteral("joinButton"));
    m_more->setObjectName(QStringLiteral("moreButton"));
    m_name->setObjectName(QStringLiteral("roomNameEdit"));
    m_name->setPlaceholderText(tr("lowercase letters, digits, - and _, e.g. dev"));
    m_name->setMaxLength(int(proto::kMaxRoomChars));
    m_title->setObjectName(QStringLiteral("roomTitleEdit"));
    m_title->setPlaceholderText(tr("optional, e.g. Development"));
    m_topic->setObjectName(QStringLiteral("roomTopicEdit"));
    m_topic->setPlaceholderText(tr("optional"));
    m_private->setObjectName(QStringLiteral("privateCheck"));
    m_create->setObjectName(QStringLiteral("createButton"));
    m_error->setObjectName(QStringLiteral("errorLabel"));
    m_error->setTextFormat(Qt::PlainText);
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: #b00020"));
    m_error->hide();

    auto *listButtons = new QHBoxLayout;
    listButtons->addStretch(1);
    listButtons->addWidget(m_more);
    listButtons->addWidget(m_join);
    auto *browse = new QGroupBox(tr("Public rooms"));
    auto *browseLayout = new QVBoxLayout(browse);
    browseLayout->addWidget(m_list, 1);
    browseLayout->addLayout(listButtons);

    auto *createBox = new QGroupBox(tr("Create a room"));
    auto *form = new QFormLayout(createBox);
    form->addRow(tr("Name:"), m_name);
    form->addRow(tr("Title:"), m_title);
    form->addRow(tr("Topic:"), m_topic);
    form->addRow(QString(), m_private);
    form->addRow(QString(), m_create);

    auto *close = new QDialogButtonBox(QDialogButtonBox::Close);
    close->button(QDialogButtonBox::Close)->setText(tr("Close"));
    connect(close, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(browse, 1);
    layout->addWidget(createBox);
    layout->addWidget(m_error);
    layout->addWidget(close);

    connect(m_join, &QPushButton::clicked, this, &RoomsDialog::joinSelected);
    connect(m_list, &QTreeWidget::itemDoubleClicked, this, &RoomsDialog::joinSelected);
    connect(m_list, &QTreeWidget::itemSelectionChanged, this, &RoomsDialog::updateButtons);
    connect(m_more, &QPushButton::clicked, this,
            [this] { m_listRequest = m_controller->listRooms(m_next); });
    connect(m_create, &QPushButton::clicked, this, &RoomsDialog::create);
    connect(m_name, &QLineEdit::textChanged, this, &RoomsDialog::updateButtons);
    connect(controller, &ConnectionController::roomListReceived, this, &RoomsDialog::showPage);
    connect(controller, &ConnectionController::roomRequestDone, this,
            [this](const QString &id, const QString &room) {
                if (id != m_action)
                    return;
                m_action.clear();
                m_controller->selectRoom(room);
                accept();
            });
    connect(controller, &ConnectionController::requestFailed, this,
            [this](const QString &id, const QString &reason) {
                if (id == m_action) {
                    m_action.clear();
                    setError(reason);
                } else if (id == m_listRequest) {
                    m_listRequest.clear();
                    setError(tr("Cannot get the list of rooms: %1").arg(reason));
                }
                updateButtons();
            });
    connect(controller, &ConnectionController::errorOccurred, this, [this](const QString &text) {
        if (isVisible())
            setError(text);
    });
    resize(560, 520);
    updateButtons();
    refresh();
}

void RoomsDialog::refresh()
{
    m_rooms.clear();
    m_list->clear();
    m_next.clear();
    m_listRequest = m_controller->listRooms();
    updateButtons();
}

void RoomsDialog::joinSelected()
{
    const QList<QTreeWidgetItem *> selected = m_list->selectedItems();
    if (selected.isEmpty())
        return;
    const QString room = selected.first()->data(NameColumn, Qt::UserRole).toString();
    if (selected.first()->data(JoinedColumn, Qt::UserRole).toBool()) {
        m_controller->selectRoom(room);
        accept();
        return;
    }
    watch(m_controller->joinRoom(room));
}

void RoomsDialog::create()
{
    watch(m_controller->createRoom(m_name->text().trimmed(), m_title->text(), m_topic->text(),
                                   m_private->isChecked()));
}

void RoomsDialog::watch(const QString &id)
{
    if (id.isEmpty())
        return; // errorOccurred said why
    m_action = id;
    setError({});
    updateButtons();
}

void RoomsDialog::showPage(const QString &id, const QList<proto::RoomSummary> &rooms,
                           const QString &next)
{
    if (id != m_listRequest)
        return;
    m_listRequest.clear();
    m_next = next;
    for (const proto::RoomSummary &room : rooms) {
        m_rooms.append(room);
        auto *item = new QTreeWidgetItem(m_list);
        const QString title = room.title.isEmpty() ? room.name : room.title;
        item->setText(NameColumn, title == room.name
                                      ? room.name
                                      : QStringLiteral("%1 (%2)").arg(title, room.name));
        item->setData(NameColumn, Qt::UserRole, room.name);
        item->setText(TopicColumn, room.topic);
        // Tool tips take what looks like markup as markup: the topic goes in escaped.
        if (!room.topic.isEmpty())
            item->setToolTip(TopicColumn,
                             QStringLiteral("<p>%1</p>").arg(room.topic.toHtmlEscaped()));
        item->setText(MembersColumn, QString::number(room.members));
        item->setText(JoinedColumn, room.joined ? tr("Joined") : QString());
        item->setData(JoinedColumn, Qt::UserRole, room.joined);
    }
    updateButtons();
}

void RoomsDialog::setError(const QString &message)
{
    m_error->setText(message);
    m_error->setVisible(!message.isEmpty());
}

void RoomsDialog::updateButtons()
{
    const bool busy = !m_action.isEmpty();
    m_join->setEnabled(!busy && !m_list->selectedItems().isEmpty());
    m_more->setEnabled(!m_next.isEmpty() && m_listRequest.isEmpty());
    m_create->setEnabled(!busy && !m_name->text().trimmed().isEmpty());
}

EditRoomDialog::EditRoomDialog(const QString &title, const QString &topic, QWidget *parent)
    : QDialog(parent)
    , m_title(new QLineEdit(title))
    , m_topic(new QLineEdit(topic))
{
    setWindowTitle(tr("Change title/topic"));
    m_title->setObjectName(QStringLiteral("titleEdit"));
    m_topic->setObjectName(QStringLiteral("topicEdit"));
    m_title->setPlaceholderText(tr("empty shows the room name"));
    auto *form = new QFormLayout(this);
    form->addRow(tr("Title:"), m_title);
    form->addRow(tr("Topic:"), m_topic);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("OK"));
    buttons->button(QDialogButtonBox::Cancel)->setText(tr("Cancel"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    form->addRow(buttons);
    resize(420, sizeHint().height());
}

QString EditRoomDialog::title() const
{
    return m_title->text();
}

QString EditRoomDialog::topic() const
{
    return m_topic->text();
}

} // namespace chat::client
