#include "connectdialog.h"

#include "serverurl.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QVBoxLayout>

namespace chat::client {

namespace {
const QString kUrlKey = QStringLiteral("connection/url");
} // namespace

ConnectDialog::ConnectDialog(QWidget *parent)
    : QDialog(parent)
    , m_url(new QLineEdit(this))
    , m_error(new QLabel(this))
{
    setWindowTitle(tr("Connect to a chat server"));
    const QSettings settings;
    m_url->setObjectName(QStringLiteral("urlEdit"));
    m_url->setText(settings.value(kUrlKey, QStringLiteral("ws://localhost:8080/")).toString());
    m_url->setPlaceholderText(tr("host:8080, ws://host:8080/ or the web page's http:// address"));
    m_error->setObjectName(QStringLiteral("errorLabel"));
    m_error->setTextFormat(Qt::PlainText);
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: #b00020"));
    m_error->hide();

    auto *form = new QFormLayout;
    auto *label = new QLabel(tr("Server:"), this);
    label->setTextFormat(Qt::PlainText);
    label->setBuddy(m_url);
    form->addRow(label, m_url);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Connect"));
    buttons->button(QDialogButtonBox::Cancel)->setText(tr("Cancel"));
    connect(buttons, &QDialogButtonBox::accepted, this, &ConnectDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &ConnectDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_error);
    layout->addWidget(buttons);
    resize(420, sizeHint().height());
    m_url->setFocus();
}

void ConnectDialog::setServerAddress(const QString &address)
{
    m_url->setText(address.trimmed());
    m_url->setFocus();
    m_url->selectAll();
}

QUrl ConnectDialog::serverUrl() const
{
    return parseServerUrl(m_url->text()).url;
}

void ConnectDialog::setError(const QString &message)
{
    m_error->setText(message);
    m_error->setVisible(!message.isEmpty());
}

void ConnectDialog::accept()
{
    const ServerUrl address = parseServerUrl(m_url->text());
    if (!address.problem.isEmpty()) {
        setError(address.problem);
        return;
    }
    m_url->setText(address.url.toString()); // what it became: host:8080 is ws://host:8080/
    remember(address.url);
    QDialog::accept();
}

void ConnectDialog::remember(const QUrl &url)
{
    QSettings().setValue(kUrlKey, url.toString());
}

QUrl ConnectDialog::rememberedUrl()
{
    const QString text = QSettings().value(kUrlKey).toString();
    return text.isEmpty() ? QUrl() : parseServerUrl(text).url;
}

} // namespace chat::client
