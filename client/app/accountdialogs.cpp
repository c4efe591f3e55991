#include "accountdialogs.h"

#include "connectioncontroller.h"
#include "logindialog.h"
#include "validation.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace chat::client {

namespace {

QLabel *errorLabel(QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setObjectName(QStringLiteral("errorLabel"));
    label->setTextFormat(Qt::PlainText);
    label->setWordWrap(true);
    label->setStyleSheet(QStringLiteral("color: #b00020"));
    label->hide();
    return label;
}

QString shownTime(const QDateTime &time)
{
    return time.isValid() ? time.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm"))
                          : QStringLiteral("—");
}

} // namespace

// --- DevicesDialog ----------------------------------------------------------------------------

DevicesDialog::DevicesDialog(ConnectionController *controller, QWidget *parent)
    : QDialog(parent)
    , m_controller(controller)
    , m_list(new QTreeWidget(this))
    , m_error(errorLabel(this))
{
    setWindowTitle(QStringLiteral("我的设备"));
    m_list->setObjectName(QStringLiteral("deviceList"));
    m_list->setColumnCount(4);
    m_list->setHeaderLabels({QStringLiteral("设备"), QStringLiteral("最近使用"),
                             QStringLiteral("登录时间"), QString()});
    m_list->setRootIsDecorated(false);
    m_list->setSelectionMode(QAbstractItemView::NoSelection);
    m_list->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_list->header()->setStretchLastSection(false);

    auto *note = new QLabel(QStringLiteral("结束一台设备后，它需要重新输入密码才能登录。"), this);
    note->setTextFormat(Qt::PlainText);
    note->setWordWrap(true);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    buttons->button(QDialogButtonBox::Close)->setText(QStringLiteral("关闭"));
    auto *reload = buttons->addButton(QStringLiteral("刷新"), QDialogButtonBox::ActionRole);
    connect(reload, &QPushButton::clicked, this, &DevicesDialog::refresh);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(note);
    layout->addWidget(m_list, 1);
    layout->addWidget(m_error);
    layout->addWidget(buttons);
    resize(620, 320);

    connect(controller, &ConnectionController::devicesReceived, this,
            [this](const QString &id, const QList<proto::Device> &devices) {
                if (id == m_request) {
                    m_request.clear();
                    showDevices(devices);
                }
            });
    connect(controller, &ConnectionController::requestFailed, this,
            [this](const QString &id, const QString &reason) {
                if (id == m_request) {
                    m_request.clear();
                    setError(reason);
                }
            });
    refresh();
}

void DevicesDialog::refresh()
{
    setError({});
    m_request = m_controller->listDevices();
    if (m_request.isEmpty())
        setError(QStringLiteral("未连接到服务器，无法读取设备列表。"));
}

void DevicesDialog::endDevice(const QString &deviceId)
{
    setError({});
    m_request = m_controller->endDevice(deviceId);
    if (m_request.isEmpty())
        setError(QStringLiteral("未连接到服务器，无法结束设备。"));
}

void DevicesDialog::showDevices(const QList<proto::Device> &devices)
{
    m_devices = devices;
    m_list->clear();
    for (const proto::Device &device : devices) {
        // Item views draw their text as plain text: a device name is whatever a client sent.
        auto *item = new QTreeWidgetItem(m_list);
        QString name = device.name.isEmpty() ? QStringLiteral("（未命名）") : device.name;
        if (device.current)
            name += QStringLiteral("（本设备）");
        item->setText(0, name);
        // ... but a tool tip takes what looks like markup as markup.
        item->setToolTip(0, QStringLiteral("<p>%1</p>").arg(name.toHtmlEscaped()));
        item->setText(1, shownTime(device.lastUsed));
        item->setText(2, shownTime(device.created));
        if (device.current)
            continue; // ending this one is 退出登录
        auto *end = new QPushButton(QStringLiteral("结束"));
        end->setObjectName(QStringLiteral("end-") + device.id);
        connect(end, &QPushButton::clicked, this, [this, id = device.id] { endDevice(id); });
        m_list->setItemWidget(item, 3, end);
    }
    m_list->resizeColumnToContents(1);
    m_list->resizeColumnToContents(2);
    m_list->resizeColumnToContents(3);
}

void DevicesDialog::setError(const QString &message)
{
    m_error->setText(message);
    m_error->setVisible(!message.isEmpty());
}

// --- ChangePasswordDialog ---------------------------------------------------------------------

ChangePasswordDialog::ChangePasswordDialog(ConnectionController *controller, QWidget *parent)
    : QDialog(parent)
    , m_controller(controller)
    , m_old(new QLineEdit(this))
    , m_new(new QLineEdit(this))
    , m_repeat(new QLineEdit(this))
    , m_error(errorLabel(this))
{
    setWindowTitle(QStringLiteral("修改密码"));
    for (QLineEdit *edit : {m_old, m_new, m_repeat}) {
        edit->setEchoMode(QLineEdit::Password);
        edit->setMaxLength(int(proto::kMaxPasswordChars) * 2);
    }
    m_old->setObjectName(QStringLiteral("oldPasswordEdit"));
    m_new->setObjectName(QStringLiteral("newPasswordEdit"));
    m_repeat->setObjectName(QStringLiteral("repeatPasswordEdit"));

    auto *note = new QLabel(QStringLiteral("修改后，其他设备都会退出登录。"), this);
    note->setTextFormat(Qt::PlainText);
    note->setWordWrap(true);

    auto *form = new QFormLayout;
    form->addRow(QStringLiteral("当前密码："), m_old);
    form->addRow(QStringLiteral("新密码："), m_new);
    form->addRow(QStringLiteral("再输入一次："), m_repeat);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(QStringLiteral("修改"));
    buttons->button(QDialogButtonBox::Cancel)->setText(QStringLiteral("取消"));
    connect(buttons, &QDialogButtonBox::accepted, this, &ChangePasswordDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(note);
    layout->addLayout(form);
    layout->addWidget(m_error);
    layout->addWidget(buttons);

    connect(controller, &ConnectionController::requestDone, this, [this](const QString &id) {
        if (id == m_request) {
            m_request.clear();
            QDialog::accept();
        }
    });
    connect(controller, &ConnectionController::requestFailed, this,
            [this](const QString &id, const QString &reason) {
                if (id == m_request) {
                    m_request.clear();
                    setError(reason);
                }
            });
}

ChangePasswordDialog::~ChangePasswordDialog()
{
    m_old->clear();
    m_new->clear();
    m_repeat->clear();
}

void ChangePasswordDialog::accept()
{
    if (!m_request.isEmpty())
        return; // already asked; waiting for the answer
    const qsizetype length = proto::codePointCount(m_new->text());
    if (m_old->text().isEmpty()) {
        setError(QStringLiteral("请输入当前密码。"));
        return;
    }
    if (length < proto::kMinPasswordChars || length > proto::kMaxPasswordChars) {
        setError(QStringLiteral("新密码需要 %1 到 %2 个字符。")
                     .arg(proto::kMinPasswordChars)
                     .arg(proto::kMaxPasswordChars));
        return;
    }
    if (m_new->text() != m_repeat->text()) {
        setError(QStringLiteral("两次输入的新密码不一致。"));
        return;
    }
    if (!LoginDialog::confirmPasswordTransport(this, m_controller->serverUrl()))
        return;
    setError({});
    m_request = m_controller->changePassword(m_old->text(), m_new->text());
    if (m_request.isEmpty())
        setError(QStringLiteral("未连接到服务器，请连接后再试。"));
}

void ChangePasswordDialog::setError(const QString &message)
{
    m_error->setText(message);
    m_error->setVisible(!message.isEmpty());
}

} // namespace chat::client
