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
    setWindowTitle(tr("My devices"));
    m_list->setObjectName(QStringLiteral("deviceList"));
    m_list->setColumnCount(4);
    m_list->setHeaderLabels({tr("Device"), tr("Last used"), tr("Logged in"), QString()});
    m_list->setRootIsDecorated(false);
    m_list->setSelectionMode(QAbstractItemView::NoSelection);
    m_list->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_list->header()->setStretchLastSection(false);

    auto *note = new QLabel(tr("An ended device needs the password again to log in."), this);
    note->setTextFormat(Qt::PlainText);
    note->setWordWrap(true);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    buttons->button(QDialogButtonBox::Close)->setText(tr("Close"));
    auto *reload = buttons->addButton(tr("Refresh"), QDialogButtonBox::ActionRole);
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
        setError(tr("Not connected to the server: the devices cannot be read."));
}

void DevicesDialog::endDevice(const QString &deviceId)
{
    setError({});
    m_request = m_controller->endDevice(deviceId);
    if (m_request.isEmpty())
        setError(tr("Not connected to the server: the device cannot be ended."));
}

void DevicesDialog::showDevices(const QList<proto::Device> &devices)
{
    m_devices = devices;
    m_list->clear();
    for (const proto::Device &device : devices) {
        // Item views draw their text as plain text: a device name is whatever a client sent.
        auto *item = new QTreeWidgetItem(m_list);
        QString name = device.name.isEmpty() ? tr("(unnamed)") : device.name;
        if (device.current)
            name += tr(" (this device)");
        item->setText(0, name);
        // ... but a tool tip takes what looks like markup as markup.
        item->setToolTip(0, QStringLiteral("<p>%1</p>").arg(name.toHtmlEscaped()));
        item->setText(1, shownTime(device.lastUsed));
        item->setText(2, shownTime(device.created));
        if (device.current)
            continue; // ending this one is 退出登录
        auto *end = new QPushButton(tr("End"));
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
    setWindowTitle(tr("Change password"));
    for (QLineEdit *edit : {m_old, m_new, m_repeat}) {
        edit->setEchoMode(QLineEdit::Password);
        edit->setMaxLength(int(proto::kMaxPasswordChars) * 2);
    }
    m_old->setObjectName(QStringLiteral("oldPasswordEdit"));
    m_new->setObjectName(QStringLiteral("newPasswordEdit"));
    m_repeat->setObjectName(QStringLiteral("repeatPasswordEdit"));

    auto *note = new QLabel(tr("After the change, all other devices are logged out."), this);
    note->setTextFormat(Qt::PlainText);
    note->setWordWrap(true);

    auto *form = new QFormLayout;
    form->addRow(tr("Current password:"), m_old);
    form->addRow(tr("New password:"), m_new);
    form->addRow(tr("Repeat it:"), m_repeat);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Change"));
    buttons->button(QDialogButtonBox::Cancel)->setText(tr("Cancel"));
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
        setError(tr("Enter the current password."));
        return;
    }
    if (length < proto::kMinPasswordChars || length > proto::kMaxPasswordChars) {
        setError(tr("The new password needs %1 to %2 characters.")
                     .arg(proto::kMinPasswordChars)
                     .arg(proto::kMaxPasswordChars));
        return;
    }
    if (m_new->text() != m_repeat->text()) {
        setError(tr("The two new passwords differ."));
        return;
    }
    if (!LoginDialog::confirmPasswordTransport(this, m_controller->serverUrl()))
        return;
    setError({});
    m_request = m_controller->changePassword(m_old->text(), m_new->text());
    if (m_request.isEmpty())
        setError(tr("Not connected to the server; connect and try again."));
}

void ChangePasswordDialog::setError(const QString &message)
{
    m_error->setText(message);
    m_error->setVisible(!message.isEmpty());
}

} // namespace chat::client
