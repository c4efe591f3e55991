// The chat window, offscreen, against a real hub: typing sends, incoming messages and presence
// show, the status follows the connection, and markup from the network is drawn as text.
#include "chat/chathub.h"
#include "chatwindow.h"
#include "connectioncontroller.h"
#include "hubaccounts.h"
#include "keychaintokenvault.h"
#include "logindialog.h"
#include "messagedelegate.h"
#include "messagemodel.h"
#include "tokenvault.h"

#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenuBar>
#include <QPainter>
#include <QSettings>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>

using namespace chat::client;
using chat::server::ChatHub;
using chat::server::HubConfig;

namespace {

// The rightmost column where the delegate drew ink for a message with this text.
int inkWidth(const QString &text, const QFont &font)
{
    MessageModel model;
    chat::proto::Message m;
    m.seq = 1;
    m.id = QStringLiteral("m1");
    m.room = chat::proto::defaultRoom();
    m.from = QStringLiteral("b");
    m.time = QDateTime::currentDateTimeUtc();
    m.text = text;
    model.addMessage(m);

    MessageDelegate delegate;
    QStyleOptionViewItem option;
    option.font = font;
    option.rect = QRect(0, 0, 800, 200);
    option.palette.setColor(QPalette::Text, Qt::black);
    const QModelIndex index = model.index(0);
    option.rect.setHeight(delegate.sizeHint(option, index).height());

    QImage image(option.rect.size(), QImage::Format_RGB32);
    image.fill(Qt::white);
    QPainter painter(&image);
    delegate.paint(&painter, option, index);
    painter.end();

    // Only the text line, below the header line.
    const int top = image.height() / 2;
    int right = 0;
    for (int y = top; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x) {
            if (qGray(image.pixel(x, y)) < 128)
                right = qMax(right, x);
        }
    }
    return right;
}

} // namespace

class TestWindow : public QObject
{
    Q_OBJECT
private slots:
    void init();
    void cleanup();
    void typingAndEnterSends();
    void incomingMessageAndPresenceShow();
    void markupFromTheNetworkShowsLiterally();
    void labelsNeverInterpretMarkup();
    void statusFollowsTheConnection();
    void refusedTokenOpensTheLoginDialog();
    void registeringThroughTheDialog();
    void logoutAsksForCredentialsAgain();
    void vaultNoticeShowsInTheStatusBar();

private:
    [[nodiscard]] bool startHub(quint16 port);
    HubAccounts m_accounts;
    QTemporaryDir m_settingsDir;
    void startClient(ConnectionController &controller, const QString &nick);

    std::unique_ptr<ChatHub> m_hub;
    std::unique_ptr<ConnectionController> m_alice;
    std::unique_ptr<ConnectionController> m_bob;
    std::unique_ptr<ChatWindow> m_window;
};

bool TestWindow::startHub(quint16 port)
{
    HubConfig config;
    config.host = QHostAddress::LocalHost;
    config.port = port;
    config.accounts.cheapHashes = true; // tests: libsodium's minimum Argon2id cost
    m_hub = std::make_unique<ChatHub>(config);
    // The same accounts and tokens on every hub of a test: restarts keep them.
    return m_accounts.grantAll(*m_hub) && m_hub->listen();
}

void TestWindow::startClient(ConnectionController &controller, const QString &nick)
{
    controller.setServerUrl(m_hub->url());
    controller.setToken(nick, m_accounts.tokenFor(nick));
    QVERIFY(m_accounts.grant(*m_hub, nick));
    controller.setBackoff(50, 200);
    controller.start();
}

void TestWindow::init()
{
    // Not the user's own settings (the login dialog remembers the account name).
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_settingsDir.path());
    QCoreApplication::setOrganizationName(QStringLiteral("QtChatTest"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_window"));
    QVERIFY2(startHub(0), qPrintable(m_hub->errorString()));

    m_alice = std::make_unique<ConnectionController>();
    m_bob = std::make_unique<ConnectionController>();
    m_window = std::make_unique<ChatWindow>(m_alice.get());
    m_window->show();
    startClient(*m_alice, QStringLiteral("alice"));
    startClient(*m_bob, QStringLiteral("bob"));
    QTRY_COMPARE(m_alice->state(), ConnectionState::Connected);
    QTRY_COMPARE(m_bob->state(), ConnectionState::Connected);
}

void TestWindow::cleanup()
{
    m_window.reset();
    m_alice.reset();
    m_bob.reset();
    m_hub.reset();
}

void TestWindow::typingAndEnterSends()
{
    auto *input = m_window->findChild<QLineEdit *>(QStringLiteral("input"));
    QVERIFY(input);
    QTest::keyClicks(input, QStringLiteral("hello from the window"));
    input->insert(QStringLiteral(" 你好")); // what an input method commits; keyClicks is ASCII only
    QTest::keyClick(input, Qt::Key_Return);

    QCOMPARE(input->text(), QString());
    MessageModel *bobSees = m_bob->messages();
    QTRY_COMPARE(bobSees->rowCount(), 1);
    QCOMPARE(bobSees->index(0).data(MessageModel::TextRole).toString(),
             QStringLiteral("hello from the window 你好"));
    QCOMPARE(bobSees->index(0).data(MessageModel::FromRole).toString(), QStringLiteral("alice"));
    // Alice's own copy ends up acknowledged, shown once and marked as hers.
    MessageModel *aliceSees = m_alice->messages();
    QTRY_COMPARE(aliceSees->pendingCount(), 0);
    QCOMPARE(aliceSees->rowCount(), 1);
    QVERIFY(aliceSees->index(0).data(MessageModel::OwnRole).toBool());

    // An empty line sends nothing.
    QTest::keyClick(input, Qt::Key_Return);
    QCOMPARE(aliceSees->rowCount(), 1);
}

void TestWindow::incomingMessageAndPresenceShow()
{
    auto *usersLabel = m_window->findChild<QLabel *>(QStringLiteral("usersLabel"));
    auto *users = m_window->findChild<QListView *>(QStringLiteral("users"));
    auto *conversation = m_window->findChild<QListView *>(QStringLiteral("conversation"));
    QVERIFY(usersLabel && users && conversation);
    QTRY_COMPARE(usersLabel->text(), QStringLiteral("在线：2"));
    QCOMPARE(users->model()->rowCount(), 2);

    QVERIFY(!m_bob->send(QStringLiteral("hi alice")).isEmpty());
    QTRY_COMPARE(conversation->model()->rowCount(), 1);
    const QModelIndex row = conversation->model()->index(0, 0);
    QCOMPARE(row.data(MessageModel::TextRole).toString(), QStringLiteral("hi alice"));
    QCOMPARE(row.data(MessageModel::FromRole).toString(), QStringLiteral("bob"));
    QVERIFY(!row.data(MessageModel::OwnRole).toBool());

    m_bob->stop();
    QTRY_COMPARE(usersLabel->text(), QStringLiteral("在线：1"));
}

void TestWindow::markupFromTheNetworkShowsLiterally()
{
    const QString markup = QStringLiteral("<b>x</b><img src=y>");
    QVERIFY(!m_bob->send(markup).isEmpty());
    auto *conversation = m_window->findChild<QListView *>(QStringLiteral("conversation"));
    QTRY_COMPARE(conversation->model()->rowCount(), 1);
    QCOMPARE(conversation->model()->index(0, 0).data(MessageModel::TextRole).toString(), markup);

    // Drawn as rich text, the line would be one bold "x"; drawn as text it is 19 characters wide.
    const QFont font = conversation->font();
    const int markupWidth = inkWidth(markup, font);
    const int plainWidth = inkWidth(QStringLiteral("x"), font);
    QVERIFY2(markupWidth > 8 * plainWidth,
             qPrintable(QStringLiteral("%1 vs %2").arg(markupWidth).arg(plainWidth)));
}

void TestWindow::labelsNeverInterpretMarkup()
{
    const QList<QLabel *> labels = m_window->findChildren<QLabel *>();
    QVERIFY(!labels.isEmpty());
    for (const QLabel *label : labels) {
        if (!label->objectName().isEmpty())
            QCOMPARE(label->textFormat(), Qt::PlainText);
    }
}

void TestWindow::statusFollowsTheConnection()
{
    auto *status = m_window->findChild<QLabel *>(QStringLiteral("statusLabel"));
    QVERIFY(status);
    QTRY_VERIFY2(status->text().contains(QStringLiteral("alice")), qPrintable(status->text()));
    QVERIFY(m_window->windowTitle().contains(QStringLiteral("alice")));

    const quint16 port = m_hub->port();
    m_hub.reset();
    QTRY_VERIFY2(status->text().contains(QStringLiteral("秒后重新连接")),
                 qPrintable(status->text()));

    // A message typed while offline is shown as pending until the server is back.
    auto *input = m_window->findChild<QLineEdit *>(QStringLiteral("input"));
    QTest::keyClicks(input, QStringLiteral("typed while offline"));
    QTest::keyClick(input, Qt::Key_Return);
    QCOMPARE(m_alice->messages()->pendingCount(), 1);

    QVERIFY2(startHub(port), qPrintable(m_hub->errorString()));
    QTRY_COMPARE(m_alice->state(), ConnectionState::Connected);
    QTRY_COMPARE(m_alice->messages()->pendingCount(), 0);
    QCOMPARE(m_alice->messages()->rowCount(), 1);
    QTRY_VERIFY2(status->text().startsWith(QStringLiteral("已连接：")), qPrintable(status->text()));
}

void TestWindow::refusedTokenOpensTheLoginDialog()
{
    QVERIFY(!m_window->loginDialog());
    m_alice->stop();
    m_alice->setToken(QStringLiteral("alice"), QStringLiteral("a token nobody made"));
    m_alice->start();
    QTRY_VERIFY(m_window->loginDialog());
    LoginDialog *dialog = m_window->loginDialog();
    QTRY_VERIFY(dialog->isVisible());
    QCOMPARE(m_alice->state(), ConnectionState::Offline);
    // The server's reason, as text.
    auto *error = dialog->findChild<QLabel *>(QStringLiteral("errorLabel"));
    QVERIFY(error->isVisible());
    QVERIFY(!error->text().isEmpty());
    QCOMPARE(error->textFormat(), Qt::PlainText);
    QCOMPARE(dialog->findChild<QLineEdit *>(QStringLiteral("nameEdit"))->text(),
             QStringLiteral("alice"));
    dialog->reject();
    QTRY_VERIFY(!m_window->loginDialog());
}

void TestWindow::registeringThroughTheDialog()
{
    QTemporaryDir dir;
    FileTokenVault vault(dir.path());
    ConnectionController controller;
    controller.setServerUrl(m_hub->url());
    ChatWindow window(&controller, &vault);
    window.show();
    window.beginSession(QStringLiteral("dora")); // nothing stored: ask
    QTRY_VERIFY(window.loginDialog() && window.loginDialog()->isVisible());
    LoginDialog *dialog = window.loginDialog();
    dialog->setMode(LoginDialog::Mode::Register);
    dialog->findChild<QLineEdit *>(QStringLiteral("nameEdit"))->setText(QStringLiteral("dora"));
    dialog->findChild<QLineEdit *>(QStringLiteral("passwordEdit"))
        ->setText(QStringLiteral("dora's password"));
    dialog->findChild<QLineEdit *>(QStringLiteral("displayEdit"))->setText(QStringLiteral("朵拉"));
    dialog->accept();
    QTRY_COMPARE_WITH_TIMEOUT(controller.state(), ConnectionState::Connected, 10000);
    QCOMPARE(controller.displayName(), QStringLiteral("朵拉"));
    QTRY_VERIFY(window.windowTitle().contains(QStringLiteral("朵拉 (dora)")));
    QString stored;
    vault.read(m_hub->url(), QStringLiteral("dora"), &vault,
               [&stored](const QString &token) { stored = token; });
    QCOMPARE(stored, controller.token());
    QVERIFY(!stored.isEmpty());

    // The next window starts with the stored token, no dialog.
    controller.stop();
    ConnectionController again;
    again.setServerUrl(m_hub->url());
    ChatWindow next(&again, &vault);
    next.beginSession(QStringLiteral("dora"));
    QTRY_COMPARE(again.state(), ConnectionState::Connected);
    QVERIFY(!next.loginDialog());
}

void TestWindow::logoutAsksForCredentialsAgain()
{
    auto *logout = m_window->findChild<QAction *>(QStringLiteral("logoutAction"));
    auto *devices = m_window->findChild<QAction *>(QStringLiteral("devicesAction"));
    QVERIFY(logout && devices);
    QVERIFY(logout->isEnabled());
    QVERIFY(devices->isEnabled());
    QSignalSpy loggedOut(m_alice.get(), &ConnectionController::loggedOut);
    logout->trigger();
    QVERIFY(loggedOut.wait());
    QTRY_VERIFY(m_window->loginDialog() && m_window->loginDialog()->isVisible());
    QCOMPARE(m_alice->state(), ConnectionState::Offline);
    QVERIFY(!devices->isEnabled());
    m_window->loginDialog()->reject();
}

void TestWindow::vaultNoticeShowsInTheStatusBar()
{
    QTemporaryDir dir;
    FileTokenVault vault(dir.path());
    ConnectionController controller;
    ChatWindow window(&controller, &vault);
    // Said before the window shows, as at start-up: it must not be drawn over the status.
    emit vault.notice(KeychainTokenVault::kFallbackNotice);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto *notice = window.findChild<QLabel *>(QStringLiteral("noticeLabel"));
    auto *status = window.findChild<QLabel *>(QStringLiteral("statusLabel"));
    QVERIFY(notice && status);
    QCOMPARE(notice->text(),
             QStringLiteral("未找到系统钥匙串，登录凭据保存在仅本用户可读的文件中"));
    QVERIFY(notice->isVisible() && status->isVisible());
    QVERIFY(!notice->geometry().intersects(status->geometry()));
}

QTEST_MAIN(TestWindow)
#include "tst_window.moc"
