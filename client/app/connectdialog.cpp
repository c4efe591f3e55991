#include "connectdialog.h"

#include "protocol.h"
#include "serverurl.h"
#include "validation.h"

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
const QString kNickKey = QStringLiteral("connection/nick");
} // namespace

ConnectDialog::ConnectDialog(QWidget *parent)
    : QDialog(parent)
    , m_url(new QLineEdit(this))
    , m_nick(new QLineEdit(this))
    , m_token(new QLineEdit(this))
    , m_error(new QLabel(this))
{
    setWindowTitle(tr("Connect to a chat server"));
    const QSettings settings;
    m_url->setObjectName(QStringLiteral("urlEdit"));
    m_url->setText(settings.value(kUrlKey, QStringLiteral("ws://localhost:8080/")).toString());
    m_nick->setObjectName(QStringLiteral("nickEdit"));
    m_nick->setText(settings.value(kNickKey, qEnvironmentVariable("USER")).toString());
    m_nick->setMaxLength(int(proto::kMaxNickChars) * 2);
    // The secret is not remembered: it is asked for again, or given with --token-file.
    m_token->setObjectName(QStringLiteral("tokenEdit"));
    m_token->setEchoMode(QLineEdit::Password);
    m_token->setPlaceholderText(tr("only if the server asks for one"));
    m_error->setObjectName(QStringLiteral("errorLabel"));
    m_error->setTextFormat(Qt::PlainText);
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: #b00020"));
    m_error->hide();

    auto *form = new QFormLayout;
    m_url->setPlaceholderText(tr("host:8080, ws://host:8080/ or the page's http:// address"));
    form->addRow(tr("&Server:"), m_url);
    form->addRow(tr("&Nickname:"), m_nick);
    form->addRow(tr("&Token:"), m_token);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Connect"));
    connect(buttons, &QDialogButtonBox::accepted, this, &ConnectDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &ConnectDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_error);
    layout->addWidget(buttons);
    resize(420, sizeHint().height());
}

void ConnectDialog::setServerAddress(const QString &address)
{
    m_url->setText(address.trimmed());
    m_nick->setFocus();
    m_nick->selectAll();
}

void ConnectDialog::setNick(const QString &nick)
{
    m_nick->setText(nick);
    m_url->setFocus();
    m_url->selectAll();
}

QUrl ConnectDialog::serverUrl() const
{
    return parseServerUrl(m_url->text()).url;
}

QString ConnectDialog::nick() const
{
    return proto::normalizeNick(m_nick->text()).nick;
}

QString ConnectDialog::token() const
{
    return m_token->text().trimmed();
}

void ConnectDialog::setError(const QString &message)
{
    m_error->setText(message);
    m_error->setVisible(!message.isEmpty());
}

void ConnectDialog::accept()
{
    const ServerUrl address = parseServerUrl(m_url->text());
    QString problem = address.problem;
    if (problem.isEmpty())
        problem = proto::normalizeNick(m_nick->text()).reason;
    if (!problem.isEmpty()) {
        setError(problem);
        return;
    }
    m_url->setText(address.url.toString()); // what it became: host:8080 is ws://host:8080/
    remember(address.url, nick());
    QDialog::accept();
}

void ConnectDialog::remember(const QUrl &url, const QString &nick)
{
    QSettings settings;
    settings.setValue(kUrlKey, url.toString());
    settings.setValue(kNickKey, nick);
}

} // namespace chat::client
