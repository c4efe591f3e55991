#include "logindialog.h"

#include "protocol.h"
#include "serverurl.h"
#include "validation.h"
#include "validationtext.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QTabBar>
#include <QVBoxLayout>

#include <functional>

namespace chat::client {

namespace {

const QString kAccountKey = QStringLiteral("connection/account");

std::function<bool(QWidget *, const QUrl &)> &cleartextConfirmer()
{
    static std::function<bool(QWidget *, const QUrl &)> confirm;
    return confirm;
}

QLabel *plainLabel(const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    label->setTextFormat(Qt::PlainText);
    return label;
}

} // namespace

QString LoginDialog::cleartextQuestion()
{
    return tr("The connection is not encrypted: the password would cross the network as plain "
              "text, where others may see it. Send it anyway?");
}

LoginDialog::LoginDialog(QWidget *parent)
    : QDialog(parent)
    , m_tabs(new QTabBar(this))
    , m_server(new QLabel(this))
    , m_name(new QLineEdit(this))
    , m_password(new QLineEdit(this))
    , m_invite(new QLineEdit(this))
    , m_display(new QLineEdit(this))
    , m_registerOnly(new QWidget(this))
    , m_hint(new QLabel(this))
    , m_error(new QLabel(this))
    , m_ok(nullptr)
{
    setWindowTitle(tr("Log in to the chat server"));
    m_tabs->setObjectName(QStringLiteral("modeTabs"));
    m_tabs->addTab(tr("Log in"));
    m_tabs->addTab(tr("Register"));
    m_tabs->setExpanding(false);

    m_server->setObjectName(QStringLiteral("serverLabel"));
    m_server->setTextFormat(Qt::PlainText);
    m_server->setWordWrap(true);

    m_name->setObjectName(QStringLiteral("nameEdit"));
    m_name->setMaxLength(int(proto::kMaxNickChars) * 2);
    m_name->setText(rememberedAccount());
    m_password->setObjectName(QStringLiteral("passwordEdit"));
    m_password->setEchoMode(QLineEdit::Password);
    m_password->setMaxLength(int(proto::kMaxPasswordChars) * 2);
    m_invite->setObjectName(QStringLiteral("inviteEdit"));
    m_invite->setMaxLength(int(proto::kMaxInviteChars));
    m_invite->setPlaceholderText(tr("optional: when the server needs an invitation"));
    m_display->setObjectName(QStringLiteral("displayEdit"));
    m_display->setMaxLength(int(proto::kMaxDisplayChars) * 2);
    m_display->setPlaceholderText(tr("optional: shown next to the account name"));

    m_hint->setObjectName(QStringLiteral("hintLabel"));
    m_hint->setTextFormat(Qt::PlainText);
    m_hint->setWordWrap(true);
    m_hint->setStyleSheet(QStringLiteral("color: palette(mid)"));

    m_error->setObjectName(QStringLiteral("errorLabel"));
    m_error->setTextFormat(Qt::PlainText);
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: #b00020"));
    m_error->hide();

    auto *form = new QFormLayout;
    form->addRow(plainLabel(tr("Account name:"), this), m_name);
    form->addRow(plainLabel(tr("Password:"), this), m_password);
    auto *registerForm = new QFormLayout(m_registerOnly);
    registerForm->setContentsMargins(0, 0, 0, 0);
    registerForm->addRow(plainLabel(tr("Invite code:"), m_registerOnly), m_invite);
    registerForm->addRow(plainLabel(tr("Display name:"), m_registerOnly), m_display);
    // Both forms line up as one.
    registerForm->setFieldGrowthPolicy(form->fieldGrowthPolicy());

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_ok = buttons->button(QDialogButtonBox::Ok);
    m_ok->setObjectName(QStringLiteral("okButton"));
    buttons->button(QDialogButtonBox::Cancel)->setText(tr("Cancel"));
    connect(buttons, &QDialogButtonBox::accepted, this, &LoginDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &LoginDialog::reject);
    connect(m_tabs, &QTabBar::currentChanged, this, &LoginDialog::updateMode);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_tabs);
    layout->addWidget(m_server);
    layout->addLayout(form);
    layout->addWidget(m_registerOnly);
    layout->addWidget(m_hint);
    layout->addWidget(m_error);
    layout->addStretch(1);
    layout->addWidget(buttons);
    updateMode();
    setMinimumWidth(420);
    if (!m_name->text().isEmpty())
        m_password->setFocus();
}

LoginDialog::~LoginDialog()
{
    clearPassword();
}

void LoginDialog::setServerUrl(const QUrl &url)
{
    m_url = url;
    QString text = tr("Server: %1").arg(url.toDisplayString());
    if (passwordTravelsInClear(url))
        text += tr(" (not encrypted)");
    m_server->setText(text);
}

void LoginDialog::setMode(Mode mode)
{
    m_tabs->setCurrentIndex(mode == Mode::Register ? 1 : 0);
    updateMode();
}

LoginDialog::Mode LoginDialog::mode() const
{
    return m_tabs->currentIndex() == 1 ? Mode::Register : Mode::Login;
}

void LoginDialog::updateMode()
{
    const bool registering = mode() == Mode::Register;
    m_registerOnly->setVisible(registering);
    m_ok->setText(registering ? tr("Register") : tr("Log in"));
    m_hint->setText(
        registering
            ? tr("Account name 1–%1 characters; password %2–%3 characters. After "
                 "logging in this device keeps a login token; the password is not "
                 "stored.")
                  .arg(proto::kMaxNickChars)
                  .arg(proto::kMinPasswordChars)
                  .arg(proto::kMaxPasswordChars)
            : tr("After logging in this device keeps a login token; the password is not stored."));
    adjustSize();
}

void LoginDialog::setAccountName(const QString &name)
{
    m_name->setText(name);
    if (!name.isEmpty())
        m_password->setFocus();
}

void LoginDialog::setError(const QString &message)
{
    m_error->setText(message);
    m_error->setVisible(!message.isEmpty());
}

QString LoginDialog::accountName() const
{
    return proto::normalizeNick(m_name->text()).nick;
}

QString LoginDialog::password() const
{
    return m_password->text();
}

QString LoginDialog::invite() const
{
    return mode() == Mode::Register ? m_invite->text().trimmed() : QString();
}

QString LoginDialog::displayName() const
{
    return mode() == Mode::Register ? m_display->text().trimmed() : QString();
}

void LoginDialog::clearPassword()
{
    m_password->clear();
}

void LoginDialog::accept()
{
    const proto::Normalized name = proto::normalizeAccountName(m_name->text());
    if (!name.ok()) {
        setError(rejectionSentence(name.rejection));
        m_name->setFocus();
        return;
    }
    const qsizetype length = proto::codePointCount(m_password->text());
    if (length == 0) {
        setError(tr("Enter the password."));
        m_password->setFocus();
        return;
    }
    if (mode() == Mode::Register &&
        (length < proto::kMinPasswordChars || length > proto::kMaxPasswordChars)) {
        setError(tr("The password needs %1 to %2 characters.")
                     .arg(proto::kMinPasswordChars)
                     .arg(proto::kMaxPasswordChars));
        m_password->setFocus();
        return;
    }
    if (mode() == Mode::Register && !m_display->text().trimmed().isEmpty()) {
        const proto::Normalized display = proto::normalizeDisplay(m_display->text());
        if (!display.ok()) {
            setError(rejectionSentence(display.rejection));
            m_display->setFocus();
            return;
        }
    }
    if (!confirmPasswordTransport(this, m_url))
        return;
    rememberAccount(name.value);
    QDialog::accept();
}

bool LoginDialog::confirmPasswordTransport(QWidget *parent, const QUrl &url)
{
    if (!passwordTravelsInClear(url))
        return true;
    if (cleartextConfirmer())
        return cleartextConfirmer()(parent, url);
    QMessageBox box(QMessageBox::Warning, tr("The connection is not encrypted"),
                    cleartextQuestion(), QMessageBox::Yes | QMessageBox::No, parent);
    box.setTextFormat(Qt::PlainText);
    box.setDefaultButton(QMessageBox::No);
    box.button(QMessageBox::Yes)->setText(tr("Send anyway"));
    box.button(QMessageBox::No)->setText(tr("Don't send"));
    return box.exec() == QMessageBox::Yes;
}

void LoginDialog::setCleartextConfirmer(std::function<bool(QWidget *, const QUrl &)> confirm)
{
    cleartextConfirmer() = std::move(confirm);
}

void LoginDialog::rememberAccount(const QString &name)
{
    QSettings().setValue(kAccountKey, name);
}

QString LoginDialog::rememberedAccount()
{
    return QSettings().value(kAccountKey).toString();
}

} // namespace chat::client
