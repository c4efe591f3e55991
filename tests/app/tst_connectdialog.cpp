// The connect dialog: it offers the address it was given (chat-client --url with a problem) or
// the last one used, takes the usual ways of writing an address, and remembers what connected.
#include "chinesetranslation.h"
#include "connectdialog.h"

#include <QApplication>
#include <QLabel>
#include <QLineEdit>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

using chat::client::ConnectDialog;

class ConnectDialogTest : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void init();

    void offersTheDefaultAtFirst();
    void givenAddressIsOfferedAndFocused();
    void acceptedAddressIsNormalisedAndRemembered();
    void refusedAddressSaysWhy();

private:
    QTemporaryDir m_settingsDir;
};

namespace {

QLineEdit *edit(const ConnectDialog &dialog, const char *name)
{
    return dialog.findChild<QLineEdit *>(QString::fromLatin1(name));
}

} // namespace

void ConnectDialogTest::initTestCase()
{
    QVERIFY(chat::test::installChineseTranslation());
    // Not the user's own settings.
    QVERIFY(m_settingsDir.isValid());
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_settingsDir.path());
    QCoreApplication::setOrganizationName(QStringLiteral("QtChatTest"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_connectdialog"));
}

void ConnectDialogTest::init()
{
    QSettings().clear();
}

void ConnectDialogTest::offersTheDefaultAtFirst()
{
    const ConnectDialog dialog;
    QCOMPARE(edit(dialog, "urlEdit")->text(), QStringLiteral("ws://localhost:8080/"));
}

void ConnectDialogTest::givenAddressIsOfferedAndFocused()
{
    ConnectDialog::remember(QUrl(QStringLiteral("ws://elsewhere:9000/")));
    ConnectDialog dialog;
    dialog.setServerAddress(QStringLiteral("127.0.0.1:18080"));
    dialog.show();
    QVERIFY(QTest::qWaitForWindowActive(&dialog));
    QCOMPARE(edit(dialog, "urlEdit")->text(), QStringLiteral("127.0.0.1:18080"));
    QCOMPARE(dialog.serverUrl(), QUrl(QStringLiteral("ws://127.0.0.1:18080/")));
    QCOMPARE(QApplication::focusWidget(), edit(dialog, "urlEdit"));
    // The account is the login dialog's business.
    QVERIFY(!edit(dialog, "nickEdit"));
}

void ConnectDialogTest::acceptedAddressIsNormalisedAndRemembered()
{
    {
        ConnectDialog dialog;
        edit(dialog, "urlEdit")->setText(QStringLiteral("http://chat.example.org:18080/"));
        dialog.accept();
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        QCOMPARE(dialog.serverUrl(), QUrl(QStringLiteral("ws://chat.example.org:18080/")));
        QCOMPARE(edit(dialog, "urlEdit")->text(), QStringLiteral("ws://chat.example.org:18080/"));
    }
    const ConnectDialog next;
    QCOMPARE(edit(next, "urlEdit")->text(), QStringLiteral("ws://chat.example.org:18080/"));
    QCOMPARE(ConnectDialog::rememberedUrl(), QUrl(QStringLiteral("ws://chat.example.org:18080/")));
}

void ConnectDialogTest::refusedAddressSaysWhy()
{
    ConnectDialog dialog;
    dialog.setServerAddress(QStringLiteral("ftp://x"));
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    dialog.accept();
    QVERIFY(dialog.isVisible()); // still asking
    QCOMPARE(dialog.result(), int(QDialog::Rejected));
    const auto *error = dialog.findChild<QLabel *>(QStringLiteral("errorLabel"));
    QVERIFY(error->isVisible());
    QVERIFY2(error->text().contains(QStringLiteral("ftp://")), qPrintable(error->text()));
    QVERIFY(!dialog.serverUrl().isValid());
    QCOMPARE(QSettings().value(QStringLiteral("connection/url")), QVariant()); // not remembered
}

QTEST_MAIN(ConnectDialogTest)
#include "tst_connectdialog.moc"
