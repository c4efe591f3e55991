#include "connectdialog.h"

#include "protocol.h"
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

QString checkServerUrl(const QUrl &url)
{
    if (!url.isValid() || url.host().isEmpty())
        return ConnectDialog::tr("The server address must look like ws://host:8080/.");
    if (url.scheme() != QLatin1String("ws") && url.scheme() != QLatin1String("wss"))
        return ConnectDialog::tr("The server address must start with ws:// or wss://.");
    return {};
}

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

QUrl ConnectDialog::serverUrl() const
{
    return QUrl::fromUserInput(m_url->text().trimmed());
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
    QString problem = checkServerUrl(serverUrl());
    if (problem.isEmpty())
        problem = proto::normalizeNick(m_nick->text()).reason;
    if (!problem.isEmpty()) {
        setError(problem);
        return;
    }
    QSettings settings;
    settings.setValue(kUrlKey, serverUrl().toString());
    settings.setValue(kNickKey, nick());
    QDialog::accept();
}

} // namespace chat::client
