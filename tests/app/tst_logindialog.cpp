// The login dialog, offscreen: 登录 and 注册, what it checks before sending, the server's refusal
// shown as text, and the question before a password goes out unencrypted to another machine.
// With CHAT_SCREENSHOT_LOGIN=file.png it also saves a picture of itself
// (docs/screenshot-login.png).
#include "chinesetranslation.h"
#include "logindialog.h"

#include <QApplication>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QTabBar>
#include <QTemporaryDir>
#include <QTest>

using chat::client::LoginDialog;

class LoginDialogTest : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void init();
    void cleanup();

    void offersTheLastAccountAndFocusesThePassword();
    void registerShowsInviteAndDisplayName();
    void checksBeforeSending_data();
    void checksBeforeSending();
    void refusalIsShownAsText();
    void asksBeforeSendingInClear_data();
    void asksBeforeSendingInClear();
    void acceptedValuesAndRememberedAccount();
    void screenshot();

private:
    QTemporaryDir m_settingsDir;
    int m_questions = 0;
    bool m_answer = false;
};

namespace {

QLineEdit *edit(const LoginDialog &dialog, const char *name)
{
    return dialog.findChild<QLineEdit *>(QString::fromLatin1(name));
}

QLabel *label(const LoginDialog &dialog, const char *name)
{
    return dialog.findChild<QLabel *>(QString::fromLatin1(name));
}

} // namespace

void LoginDialogTest::initTestCase()
{
    QVERIFY(chat::test::installChineseTranslation());
    QVERIFY(m_settingsDir.isValid());
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_settingsDir.path());
    QCoreApplication::setOrganizationName(QStringLiteral("QtChatTest"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_logindialog"));
}

void LoginDialogTest::init()
{
    QSettings().clear();
    m_questions = 0;
    m_answer = false;
    LoginDialog::setCleartextConfirmer([this](QWidget *, const QUrl &) {
        ++m_questions;
        return m_answer;
    });
}

void LoginDialogTest::cleanup()
{
    LoginDialog::setCleartextConfirmer(nullptr);
}

void LoginDialogTest::offersTheLastAccountAndFocusesThePassword()
{
    LoginDialog::rememberAccount(QStringLiteral("alice"));
    LoginDialog dialog;
    dialog.setServerUrl(QUrl(QStringLiteral("ws://127.0.0.1:8080/")));
    dialog.show();
    QVERIFY(QTest::qWaitForWindowActive(&dialog));
    QCOMPARE(dialog.mode(), LoginDialog::Mode::Login);
    QCOMPARE(edit(dialog, "nameEdit")->text(), QStringLiteral("alice"));
    QCOMPARE(QApplication::focusWidget(), edit(dialog, "passwordEdit"));
    QCOMPARE(edit(dialog, "passwordEdit")->echoMode(), QLineEdit::Password);
    QVERIFY(!edit(dialog, "inviteEdit")->isVisible());
    QVERIFY(!edit(dialog, "displayEdit")->isVisible());
    QCOMPARE(dialog.findChild<QPushButton *>(QStringLiteral("okButton"))->text(),
             QStringLiteral("登录"));
    QVERIFY(label(dialog, "serverLabel")->text().contains(QStringLiteral("127.0.0.1:8080")));
}

void LoginDialogTest::registerShowsInviteAndDisplayName()
{
    LoginDialog dialog;
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    dialog.findChild<QTabBar *>(QStringLiteral("modeTabs"))->setCurrentIndex(1);
    QCOMPARE(dialog.mode(), LoginDialog::Mode::Register);
    QVERIFY(edit(dialog, "inviteEdit")->isVisible());
    QVERIFY(edit(dialog, "displayEdit")->isVisible());
    QCOMPARE(dialog.findChild<QPushButton *>(QStringLiteral("okButton"))->text(),
             QStringLiteral("注册"));
    dialog.setMode(LoginDialog::Mode::Login);
    QVERIFY(!edit(dialog, "inviteEdit")->isVisible());
}

void LoginDialogTest::checksBeforeSending_data()
{
    QTest::addColumn<bool>("registering");
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("password");
    QTest::addColumn<QString>("display");
    QTest::addColumn<QString>("error"); // contained in the error shown
    // The validation rules' sentences in Chinese (client/validationtext.h).
    QTest::addRow("no name") << false << QStringLiteral("  ") << QStringLiteral("password1")
                             << QString() << QStringLiteral("账号名为空。");
    QTest::addRow("two spaces") << true << QStringLiteral("a  b") << QStringLiteral("password1")
                                << QString() << QStringLiteral("账号名含有连续两个空格。");
    QTest::addRow("no password") << false << QStringLiteral("alice") << QString() << QString()
                                 << QStringLiteral("密码");
    QTest::addRow("short password to register")
        << true << QStringLiteral("alice") << QStringLiteral("1234567") << QString()
        << QStringLiteral("8");
    QTest::addRow("bad display name")
        << true << QStringLiteral("alice") << QStringLiteral("password1") << QStringLiteral("a\tb")
        << QStringLiteral("显示名含有不可见字符或控制字符（U+0009）。");
}

void LoginDialogTest::checksBeforeSending()
{
    QFETCH(bool, registering);
    QFETCH(QString, name);
    QFETCH(QString, password);
    QFETCH(QString, display);
    QFETCH(QString, error);
    LoginDialog dialog;
    dialog.setServerUrl(QUrl(QStringLiteral("ws://localhost:8080/")));
    dialog.setMode(registering ? LoginDialog::Mode::Register : LoginDialog::Mode::Login);
    edit(dialog, "nameEdit")->setText(name);
    edit(dialog, "passwordEdit")->setText(password);
    edit(dialog, "displayEdit")->setText(display);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    dialog.accept();
    QVERIFY(dialog.isVisible());
    QCOMPARE(dialog.result(), int(QDialog::Rejected));
    QVERIFY(label(dialog, "errorLabel")->isVisible());
    QVERIFY2(label(dialog, "errorLabel")->text().contains(error),
             qPrintable(label(dialog, "errorLabel")->text()));
}

void LoginDialogTest::refusalIsShownAsText()
{
    LoginDialog dialog;
    const QString refusal = QStringLiteral("<b>Wrong</b> name or password. <img src=x>");
    dialog.setError(refusal);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    const QLabel *error = label(dialog, "errorLabel");
    QVERIFY(error->isVisible());
    QCOMPARE(error->text(), refusal);
    for (const QLabel *each : dialog.findChildren<QLabel *>())
        QCOMPARE(each->textFormat(), Qt::PlainText);
    dialog.setError({});
    QVERIFY(!error->isVisible());
}

void LoginDialogTest::asksBeforeSendingInClear_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<bool>("asks");
    QTest::addRow("ws to another host") << QStringLiteral("ws://chat.example.org:8080/") << true;
    QTest::addRow("ws to a LAN address") << QStringLiteral("ws://192.0.2.7:8080/") << true;
    QTest::addRow("ws to localhost") << QStringLiteral("ws://localhost:8080/") << false;
    QTest::addRow("ws to 127.0.0.1") << QStringLiteral("ws://127.0.0.1:8080/") << false;
    QTest::addRow("ws to ::1") << QStringLiteral("ws://[::1]:8080/") << false;
    QTest::addRow("wss to another host") << QStringLiteral("wss://chat.example.org/") << false;
}

void LoginDialogTest::asksBeforeSendingInClear()
{
    QFETCH(QString, url);
    QFETCH(bool, asks);
    LoginDialog dialog;
    dialog.setServerUrl(QUrl(url));
    edit(dialog, "nameEdit")->setText(QStringLiteral("alice"));
    edit(dialog, "passwordEdit")->setText(QStringLiteral("password1"));
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QCOMPARE(label(dialog, "serverLabel")->text().contains(QStringLiteral("未加密")), asks);

    m_answer = false; // "No": the dialog stays, nothing is sent
    dialog.accept();
    QCOMPARE(m_questions, asks ? 1 : 0);
    QCOMPARE(dialog.result(), int(asks ? QDialog::Rejected : QDialog::Accepted));
    if (!asks)
        return;
    QVERIFY(dialog.isVisible());
    m_answer = true;
    dialog.accept();
    QCOMPARE(m_questions, 2);
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
    QCOMPARE(LoginDialog::cleartextQuestion(),
             QStringLiteral("连接未加密：密码会以明文经过网络，可能被他人看到。仍要发送吗？"));
}

void LoginDialogTest::acceptedValuesAndRememberedAccount()
{
    {
        LoginDialog dialog;
        dialog.setServerUrl(QUrl(QStringLiteral("wss://chat.example.org/")));
        dialog.setMode(LoginDialog::Mode::Register);
        edit(dialog, "nameEdit")->setText(QStringLiteral("  bob  "));
        edit(dialog, "passwordEdit")->setText(QStringLiteral("correct horse"));
        edit(dialog, "inviteEdit")->setText(QStringLiteral(" CODE-1 "));
        edit(dialog, "displayEdit")->setText(QStringLiteral("鲍勃"));
        dialog.accept();
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        QCOMPARE(dialog.accountName(), QStringLiteral("bob"));
        QCOMPARE(dialog.password(), QStringLiteral("correct horse"));
        QCOMPARE(dialog.invite(), QStringLiteral("CODE-1"));
        QCOMPARE(dialog.displayName(), QStringLiteral("鲍勃"));
        dialog.clearPassword();
        QCOMPARE(dialog.password(), QString());
        // Logging in sends no invite or display name, whatever the fields hold.
        dialog.setMode(LoginDialog::Mode::Login);
        QCOMPARE(dialog.invite(), QString());
        QCOMPARE(dialog.displayName(), QString());
    }
    // The name is remembered, never the password.
    QCOMPARE(LoginDialog::rememberedAccount(), QStringLiteral("bob"));
    const LoginDialog next;
    QCOMPARE(edit(next, "nameEdit")->text(), QStringLiteral("bob"));
    QCOMPARE(edit(next, "passwordEdit")->text(), QString());
    QSettings settings;
    for (const QString &key : settings.allKeys())
        QVERIFY(!settings.value(key).toString().contains(QStringLiteral("correct horse")));
}

void LoginDialogTest::screenshot()
{
    const QString path = qEnvironmentVariable("CHAT_SCREENSHOT_LOGIN");
    if (path.isEmpty())
        QSKIP("set CHAT_SCREENSHOT_LOGIN=file.png to save a picture of the dialog");
    LoginDialog dialog;
    dialog.setServerUrl(QUrl(QStringLiteral("ws://chat.example.org:8080/")));
    dialog.setMode(LoginDialog::Mode::Register);
    edit(dialog, "nameEdit")->setText(QStringLiteral("alice"));
    edit(dialog, "passwordEdit")->setText(QStringLiteral("correct horse battery"));
    edit(dialog, "displayEdit")->setText(QStringLiteral("爱丽丝"));
    dialog.setError(QStringLiteral("这个账号名已被注册（或与已注册的名字看起来相同）。"));
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QVERIFY(dialog.grab().save(path));
}

QTEST_MAIN(LoginDialogTest)
#include "tst_logindialog.moc"
