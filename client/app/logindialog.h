// Asks for an account: 登录 (name and password) or 注册 (name, password, optional invite code and
// display name). Shows why the server refused the last attempt, as plain text. Before a password
// leaves over plain ws:// to another machine, it asks whether to send it anyway.
#pragma once

#include <QDialog>
#include <QUrl>

#include <functional>

class QLabel;
class QLineEdit;
class QPushButton;
class QTabBar;
class QWidget;

namespace chat::client {

class LoginDialog : public QDialog
{
    Q_OBJECT
public:
    enum class Mode { Login, Register };

    explicit LoginDialog(QWidget *parent = nullptr);
    ~LoginDialog() override;

    void setServerUrl(const QUrl &url);
    [[nodiscard]] QUrl serverUrl() const { return m_url; }
    void setMode(Mode mode);
    [[nodiscard]] Mode mode() const;
    // Offers this account name (the last one used); the password field gets the focus.
    void setAccountName(const QString &name);
    // The server's refusal of the last attempt, shown as plain text; empty hides it.
    void setError(const QString &message);

    [[nodiscard]] QString accountName() const; // normalised
    [[nodiscard]] QString password() const;
    [[nodiscard]] QString invite() const;
    [[nodiscard]] QString displayName() const;
    // Empties the password field, once the password has been handed on.
    void clearPassword();

    // Checks the fields, asks about an unencrypted connection, then closes accepted.
    void accept() override;

    // The question asked before a password goes out in clear; tests answer it with this.
    [[nodiscard]] static QString cleartextQuestion();
    // Asks the question when url needs it; true: send. Used for password changes too.
    static bool confirmPasswordTransport(QWidget *parent, const QUrl &url);
    // Replaces the question box (tests); nullptr restores it.
    static void setCleartextConfirmer(std::function<bool(QWidget *, const QUrl &)> confirm);

    // The account name offered next time.
    static void rememberAccount(const QString &name);
    [[nodiscard]] static QString rememberedAccount();

private:
    void updateMode();

    QUrl m_url;
    QTabBar *m_tabs;
    QLabel *m_server;
    QLineEdit *m_name;
    QLineEdit *m_password;
    QLineEdit *m_invite;
    QLineEdit *m_display;
    QWidget *m_registerOnly;
    QLabel *m_hint;
    QLabel *m_error;
    QPushButton *m_ok;
};

} // namespace chat::client
