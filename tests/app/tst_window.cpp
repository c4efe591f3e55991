// The chat window, offscreen, against a real hub: typing sends, incoming messages and presence
// show, the status follows the connection, and markup from the network is drawn as text; the
// sidebar shows rooms with their badges, each room keeps its scroll position and draft, and
// scrolling to the top loads older messages.
#include "chatwindow.h"
#include "chinesetranslation.h"
#include "connectioncontroller.h"
#include "contextmenu.h"
#include "conversationpane.h"
#include "keychaintokenvault.h"
#include "logindialog.h"
#include "memberlistmodel.h"
#include "messagedelegate.h"
#include "messageinput.h"
#include "messagemodel.h"
#include "roomlistmodel.h"
#include "roomsdialog.h"
#include "sidebardelegates.h"
#include "tokenvault.h"
#include "windowtest.h"

#include <QCheckBox>
#include <QContextMenuEvent>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenu>
#include <QMenuBar>
#include <QPainter>
#include <QPushButton>
#include <QScrollBar>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QTreeWidget>

using namespace chat::client;

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

    // Only the text line, the row's last (below its day separator and header).
    const int top = image.height() - QFontMetrics(font).height();
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

class TestWindow : public chat::test::WindowTest
{
    Q_OBJECT
private slots:
    void initTestCase() { QVERIFY(chat::test::installChineseTranslation()); }
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
    void sidebarShowsRoomsAndBadges();
    void roomsDialogJoinsAndCreates();
    void switchingRoomsKeepsScrollAndDraft();
    void scrollingToTheTopLoadsOlder();
    void directMessageFromTheWindow();
    void refusedDirectMessageSaysWhy();
    void typingShowsUnderTheConversation();
    void roomMenuFollowsTheRole();
    void contextMenusOpenDirectMessages();

private:
    // Clicks the room's row in the sidebar.
    void clickRoom(const QString &room);
    [[nodiscard]] QListView *conversationView() const;
};

void TestWindow::init()
{
    startAll(QStringLiteral("tst_window"));
}

void TestWindow::cleanup()
{
    stopAll();
}

void TestWindow::typingAndEnterSends()
{
    auto *input = m_window->findChild<MessageInput *>(QStringLiteral("input"));
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
    auto *membersLabel = m_window->findChild<QLabel *>(QStringLiteral("membersLabel"));
    auto *members = m_window->findChild<QListView *>(QStringLiteral("members"));
    auto *conversation = m_window->findChild<QListView *>(QStringLiteral("conversation"));
    QVERIFY(membersLabel && members && conversation);
    QTRY_COMPARE(membersLabel->text(), QStringLiteral("成员 2 · 在线 2"));
    QCOMPARE(members->model()->rowCount(), 2);

    QVERIFY(!m_bob->send(QStringLiteral("hi alice")).isEmpty());
    QTRY_COMPARE(conversation->model()->rowCount(), 1);
    const QModelIndex row = conversation->model()->index(0, 0);
    QCOMPARE(row.data(MessageModel::TextRole).toString(), QStringLiteral("hi alice"));
    QCOMPARE(row.data(MessageModel::FromRole).toString(), QStringLiteral("bob"));
    QVERIFY(!row.data(MessageModel::OwnRole).toBool());

    m_bob->stop();
    QTRY_COMPARE(membersLabel->text(), QStringLiteral("成员 2 · 在线 1"));
    QCOMPARE(members->model()->index(1, 0).data(MemberListModel::OnlineRole).toBool(), false);
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
    auto *input = m_window->findChild<MessageInput *>(QStringLiteral("input"));
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
    emit vault.notice(KeychainTokenVault::fallbackNotice());
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

void TestWindow::clickRoom(const QString &room)
{
    auto *rooms = m_window->findChild<QListView *>(QStringLiteral("rooms"));
    QVERIFY(rooms);
    const QModelIndex index = rooms->model()->index(m_alice->rooms()->indexOf(room), 0);
    QVERIFY(index.isValid());
    QTest::mouseClick(rooms->viewport(), Qt::LeftButton, {}, rooms->visualRect(index).center());
    QCOMPARE(m_alice->currentRoom(), room);
}

QListView *TestWindow::conversationView() const
{
    return m_window->findChild<QListView *>(QStringLiteral("conversation"));
}

void TestWindow::sidebarShowsRoomsAndBadges()
{
    auto *rooms = m_window->findChild<QListView *>(QStringLiteral("rooms"));
    QVERIFY(rooms);
    QTRY_COMPARE(rooms->model()->rowCount(), 1);
    // Bob makes a room, alice joins it; bob writes there while alice reads the lobby.
    QSignalSpy bobDone(m_bob.get(), &ConnectionController::roomRequestDone);
    m_bob->createRoom(QStringLiteral("dev"), QStringLiteral("开发组"), {}, false);
    QVERIFY(bobDone.wait());
    QSignalSpy aliceDone(m_alice.get(), &ConnectionController::roomRequestDone);
    m_alice->joinRoom(QStringLiteral("dev"));
    QVERIFY(aliceDone.wait());
    QTRY_COMPARE(rooms->model()->rowCount(), 2);
    QCOMPARE(m_alice->currentRoom(), QStringLiteral("lobby"));
    m_bob->sendToRoom(QStringLiteral("dev"), QStringLiteral("有人吗"));
    m_bob->sendToRoom(QStringLiteral("dev"), QStringLiteral("@alice 看一下发布计划"));
    m_bob->sendToRoom(QStringLiteral("lobby"), QStringLiteral("大家好"));

    const auto row = [this, rooms](const QString &name) {
        return rooms->model()->index(m_alice->rooms()->indexOf(name), 0);
    };
    QTRY_COMPARE(RoomDelegate::unreadBadge(row(QStringLiteral("dev"))), QStringLiteral("2"));
    QCOMPARE(RoomDelegate::mentionBadge(row(QStringLiteral("dev"))), QStringLiteral("@1"));
    QCOMPARE(row(QStringLiteral("dev")).data(RoomListModel::TitleRole).toString(),
             QStringLiteral("开发组"));
    // The lobby is being read: no badge; its newest message shows under its name.
    QTRY_COMPARE(row(QStringLiteral("lobby")).data(RoomListModel::LastTextRole).toString(),
                 QStringLiteral("大家好"));
    QCOMPARE(RoomDelegate::unreadBadge(row(QStringLiteral("lobby"))), QString());
    QCOMPARE(rooms->currentIndex(), row(QStringLiteral("lobby")));
    m_window->grab().save(QDir::temp().filePath(QStringLiteral("chat-window-badges.png")));

    // Opening dev reads it: the badges go, the header names it, the members are dev's.
    clickRoom(QStringLiteral("dev"));
    QCOMPARE(RoomDelegate::unreadBadge(row(QStringLiteral("dev"))), QString());
    QCOMPARE(RoomDelegate::mentionBadge(row(QStringLiteral("dev"))), QString());
    QCOMPARE(m_window->findChild<QLabel *>(QStringLiteral("roomTitle"))->text(),
             QStringLiteral("# 开发组"));
    // Bob created it, alice joined, bob wrote twice.
    QTRY_COMPARE(conversationView()->model()->rowCount(), 4);
    QCOMPARE(conversationView()->model()->index(1, 0).data(MessageModel::TextRole).toString(),
             QStringLiteral("alice 加入了房间"));
    QTRY_COMPARE(m_window->findChild<QLabel *>(QStringLiteral("membersLabel"))->text(),
                 QStringLiteral("成员 2 · 在线 2"));
    m_window->grab().save(QDir::temp().filePath(QStringLiteral("chat-window-room.png")));
    // ... and bob's other device would see alice's read: the server has it.
    QTRY_COMPARE(m_alice->rooms()->room(QStringLiteral("dev"))->read,
                 m_bob->messages(QStringLiteral("dev"))->lastSeq());
}

void TestWindow::roomsDialogJoinsAndCreates()
{
    QSignalSpy bobDone(m_bob.get(), &ConnectionController::roomRequestDone);
    m_bob->createRoom(QStringLiteral("art"), QStringLiteral("美术"), QStringLiteral("画画"), false);
    QVERIFY(bobDone.wait());

    RoomsDialog dialog(m_alice.get(), m_window.get());
    dialog.show();
    auto *list = dialog.findChild<QTreeWidget *>(QStringLiteral("publicRooms"));
    QTRY_COMPARE(list->topLevelItemCount(), 2); // art and the lobby
    QTreeWidgetItem *art = list->topLevelItem(0);
    QCOMPARE(art->text(0), QStringLiteral("美术 (art)"));
    QCOMPARE(art->text(1), QStringLiteral("画画"));
    QCOMPARE(list->topLevelItem(1)->text(3), QStringLiteral("已加入"));
    dialog.grab().save(QDir::temp().filePath(QStringLiteral("chat-rooms-dialog.png")));
    list->setCurrentItem(art);
    dialog.findChild<QPushButton *>(QStringLiteral("joinButton"))->click();
    QTRY_VERIFY(!dialog.isVisible());
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
    QCOMPARE(m_alice->currentRoom(), QStringLiteral("art"));

    RoomsDialog create(m_alice.get(), m_window.get());
    create.show();
    create.findChild<QLineEdit *>(QStringLiteral("roomNameEdit"))->setText(QStringLiteral("book"));
    create.findChild<QLineEdit *>(QStringLiteral("roomTitleEdit"))
        ->setText(QStringLiteral("读书会"));
    create.findChild<QCheckBox *>(QStringLiteral("privateCheck"))->setChecked(true);
    create.findChild<QPushButton *>(QStringLiteral("createButton"))->click();
    QTRY_VERIFY(!create.isVisible());
    QTRY_COMPARE(m_alice->currentRoom(), QStringLiteral("book"));
    QVERIFY(m_alice->rooms()->room(QStringLiteral("book"))->isPrivate);
    QCOMPARE(m_window->findChild<QLabel *>(QStringLiteral("roomTitle"))->text(),
             QStringLiteral("# 读书会"));
    // The owner's menu actions are on.
    QVERIFY(m_window->findChild<QAction *>(QStringLiteral("editRoomAction"))->isEnabled());
    QVERIFY(m_window->findChild<QAction *>(QStringLiteral("leaveAction"))->isEnabled());

    // A name the server would refuse is refused in the dialog, as text.
    RoomsDialog bad(m_alice.get(), m_window.get());
    bad.show();
    bad.findChild<QLineEdit *>(QStringLiteral("roomNameEdit"))->setText(QStringLiteral("<b>X</b>"));
    bad.findChild<QPushButton *>(QStringLiteral("createButton"))->click();
    auto *error = bad.findChild<QLabel *>(QStringLiteral("errorLabel"));
    QVERIFY(error->isVisible());
    // In Chinese, like every sentence of the validation rules (client/validationtext.h).
    QCOMPARE(error->text(), QStringLiteral("房间名只能包含 a-z、0-9、“-”和“_”。"));
    QCOMPARE(error->textFormat(), Qt::PlainText);
    bad.findChild<QLineEdit *>(QStringLiteral("roomNameEdit"))->setText(QStringLiteral("ok"));
    bad.findChild<QLineEdit *>(QStringLiteral("roomTitleEdit"))
        ->setText(QStringLiteral("读书\u0001会"));
    bad.findChild<QPushButton *>(QStringLiteral("createButton"))->click();
    QCOMPARE(error->text(), QStringLiteral("标题含有控制字符（U+0001）。"));
}

void TestWindow::switchingRoomsKeepsScrollAndDraft()
{
    QSignalSpy bobDone(m_bob.get(), &ConnectionController::roomRequestDone);
    m_bob->createRoom(QStringLiteral("dev"), {}, {}, false);
    QVERIFY(bobDone.wait());
    QSignalSpy aliceDone(m_alice.get(), &ConnectionController::roomRequestDone);
    m_alice->joinRoom(QStringLiteral("dev"));
    QVERIFY(aliceDone.wait());
    bobWrites(QStringLiteral("lobby"), 40, QStringLiteral("大厅"));
    bobWrites(QStringLiteral("dev"), 40, QStringLiteral("开发"));
    QTRY_COMPARE(m_alice->messages()->rowCount(), 40);

    QListView *view = conversationView();
    QScrollBar *bar = view->verticalScrollBar();
    auto *input = m_window->findChild<MessageInput *>(QStringLiteral("input"));
    QTRY_VERIFY(bar->maximum() > 200);
    // Somewhere in the middle of the lobby, with a draft.
    bar->setValue(bar->maximum() / 2);
    const int lobbyPosition = bar->value();
    const QModelIndex lobbyTop = view->indexAt(QPoint(10, 10));
    QTest::keyClicks(input, QStringLiteral("draft"));
    input->insert(QStringLiteral(" 大厅的草稿"));

    clickRoom(QStringLiteral("dev"));
    QCOMPARE(input->text(), QString());
    QTRY_VERIFY(view->model()->rowCount() >= 40);
    QTRY_VERIFY(!m_alice->isLoadingOlder(QStringLiteral("dev")));
    QTRY_COMPARE(bar->value(), bar->maximum()); // a room seen the first time: at its end
    input->insert(QStringLiteral("开发的草稿"));
    bar->setValue(bar->maximum() / 3);
    const int devPosition = bar->value();

    clickRoom(QStringLiteral("lobby"));
    QCOMPARE(input->text(), QStringLiteral("draft 大厅的草稿"));
    QCOMPARE(bar->value(), lobbyPosition);
    QCOMPARE(view->indexAt(QPoint(10, 10)).data(MessageModel::SeqRole),
             lobbyTop.data(MessageModel::SeqRole));
    clickRoom(QStringLiteral("dev"));
    QCOMPARE(input->text(), QStringLiteral("开发的草稿"));
    QCOMPARE(bar->value(), devPosition);
    // Sending takes the draft; the lobby's stays.
    QTest::keyClick(input, Qt::Key_Return);
    QCOMPARE(input->text(), QString());
    clickRoom(QStringLiteral("lobby"));
    QCOMPARE(input->text(), QStringLiteral("draft 大厅的草稿"));
}

void TestWindow::scrollingToTheTopLoadsOlder()
{
    bobWrites(QStringLiteral("lobby"), 120);
    // A new window: the lobby's newest message, then the page before it.
    ConnectionController controller;
    ChatWindow window(&controller);
    window.resize(900, 500);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    startClient(controller, QStringLiteral("carol"));
    QTRY_COMPARE(controller.state(), ConnectionState::Connected);
    MessageModel *lobby = controller.messages();
    QTRY_COMPARE(lobby->confirmedCount(), 51);
    QTRY_VERIFY(!controller.isLoadingOlder(QStringLiteral("lobby")));

    auto *view = window.findChild<QListView *>(QStringLiteral("conversation"));
    QScrollBar *bar = view->verticalScrollBar();
    QTRY_COMPARE(bar->value(), bar->maximum()); // at the newest
    QSignalSpy loaded(&controller, &ConnectionController::historyLoaded);
    // Scrolled to the top: the page before comes, and what was read stays in place.
    bar->setValue(bar->minimum());
    const qint64 topSeq = view->indexAt(QPoint(10, 2)).data(MessageModel::SeqRole).toLongLong();
    QVERIFY(controller.isLoadingOlder(QStringLiteral("lobby")));
    QVERIFY(loaded.wait());
    QCOMPARE(lobby->confirmedCount(), 101);
    QVERIFY(bar->value() > bar->minimum());
    QCOMPARE(view->indexAt(QPoint(10, 2)).data(MessageModel::SeqRole).toLongLong(), topSeq);
    window.grab().save(QDir::temp().filePath(QStringLiteral("chat-window-older.png")));

    bar->setValue(bar->minimum());
    QVERIFY(loaded.wait());
    QCOMPARE(lobby->confirmedCount(), 120);
    QVERIFY(!controller.hasOlder(QStringLiteral("lobby")));
    QCOMPARE(lobby->index(0).data(MessageModel::TextRole).toString(), QStringLiteral("消息 1"));
    // At the start: scrolling up asks for nothing more.
    bar->setValue(bar->minimum());
    QVERIFY(!controller.isLoadingOlder(QStringLiteral("lobby")));
}

void TestWindow::directMessageFromTheWindow()
{
    auto *rooms = m_window->findChild<QListView *>(QStringLiteral("rooms"));
    auto *input = m_window->findChild<MessageInput *>(QStringLiteral("input"));
    auto *title = m_window->findChild<QLabel *>(QStringLiteral("roomTitle"));
    QTRY_COMPARE(rooms->model()->rowCount(), 1);
    // "发消息" on bob (what the context menus of his name and his messages do).
    emit m_window->conversationPane()->directMessageRequested(QStringLiteral("bob"));
    QCOMPARE(m_alice->directDraft(), QStringLiteral("bob"));
    QCOMPARE(title->text(), QStringLiteral("@ bob"));
    QVERIFY(!rooms->currentIndex().isValid());
    QCOMPARE(conversationView()->model()->rowCount(), 0);
    input->insert(QStringLiteral("你好，bob"));
    QTest::keyClick(input, Qt::Key_Return);
    // The server made the room: it is in the sidebar, selected, with the message.
    QTRY_COMPARE(rooms->model()->rowCount(), 2);
    QTRY_VERIFY(m_alice->directDraft().isEmpty());
    const QString room = m_alice->currentRoom();
    QVERIFY(room.startsWith(u'@'));
    QCOMPARE(rooms->currentIndex().data(RoomListModel::NameRole).toString(), room);
    QTRY_COMPARE(m_alice->pendingCount(), 0);
    QCOMPARE(conversationView()->model()->rowCount(), 1);
    QCOMPARE(title->text(), QStringLiteral("@ bob"));
    QTRY_COMPARE(m_bob->rooms()->room(room)->unread, 1);
    // Back to the lobby by clicking it, then to bob again: the same room.
    clickRoom(QStringLiteral("lobby"));
    emit m_window->conversationPane()->directMessageRequested(QStringLiteral("Bob"));
    QCOMPARE(m_alice->currentRoom(), room);
    QCOMPARE(rooms->currentIndex().data(RoomListModel::NameRole).toString(), room);
    // A direct room has no room menu to speak of.
    QVERIFY(!m_window->findChild<QAction *>(QStringLiteral("inviteAction"))->isEnabled());
    QVERIFY(!m_window->findChild<QAction *>(QStringLiteral("leaveAction"))->isEnabled());
    m_window->grab().save(QDir::temp().filePath(QStringLiteral("chat-window-direct.png")));
}

void TestWindow::refusedDirectMessageSaysWhy()
{
    // An account name that is markup, and nobody's: the hub refuses with user_not_found and
    // names it. The notice says so in Chinese, then in the server's words, drawn as text.
    const QString name = QStringLiteral("<b>x</b>");
    auto *input = m_window->findChild<MessageInput *>(QStringLiteral("input"));
    auto *notice = m_window->findChild<QLabel *>(QStringLiteral("noticeLabel"));
    QVERIFY(input && notice);
    emit m_window->conversationPane()->directMessageRequested(name);
    QCOMPARE(m_alice->directDraft(), name);
    input->insert(QStringLiteral("你好"));
    QTest::keyClick(input, Qt::Key_Return);
    const QString expected = QStringLiteral("消息未能发送：没有这个账号，或对方不在这个房间里。"
                                            "服务器说明：There is no account named \"%1\".")
                                 .arg(name);
    QTRY_COMPARE(notice->text(), expected);
    QCOMPARE(notice->textFormat(), Qt::PlainText);
    QVERIFY(notice->isVisible());
    QCOMPARE(m_alice->pendingCount(), 0);
}

void TestWindow::typingShowsUnderTheConversation()
{
    auto *typing = m_window->findChild<QLabel *>(QStringLiteral("typingLabel"));
    QVERIFY(typing);
    QCOMPARE(typing->text(), QString());
    QCOMPARE(typing->textFormat(), Qt::PlainText);
    m_bob->userTyping();
    QTRY_COMPARE(typing->text(), QStringLiteral("bob 正在输入…"));
    m_bob->send(QStringLiteral("写完了"));
    QTRY_COMPARE(typing->text(), QString());
    // Typing in the window tells bob.
    auto *input = m_window->findChild<MessageInput *>(QStringLiteral("input"));
    QTest::keyClicks(input, QStringLiteral("a"));
    QTRY_COMPARE(m_bob->typingText(), QStringLiteral("alice 正在输入…"));
}

void TestWindow::roomMenuFollowsTheRole()
{
    const auto action = [this](const char *name) {
        return m_window->findChild<QAction *>(QString::fromLatin1(name));
    };
    // The lobby: alice is a member, not its owner.
    QTRY_VERIFY(action("inviteAction")->isEnabled());
    QVERIFY(action("leaveAction")->isEnabled());
    QVERIFY(!action("editRoomAction")->isEnabled());
    QVERIFY(!action("removeAction")->isEnabled());
    QVERIFY(!action("transferAction")->isEnabled());
    QSignalSpy done(m_alice.get(), &ConnectionController::roomRequestDone);
    m_alice->createRoom(QStringLiteral("mine"), {}, {}, false);
    QVERIFY(done.wait());
    QTRY_VERIFY(m_alice->selectRoom(QStringLiteral("mine")));
    QTRY_VERIFY(action("editRoomAction")->isEnabled());
    QVERIFY(action("removeAction")->isEnabled());
    QVERIFY(action("transferAction")->isEnabled());
    // Offline: nothing can be asked.
    m_alice->stop();
    QVERIFY(!action("inviteAction")->isEnabled());
    QVERIFY(!action("editRoomAction")->isEnabled());
}

namespace {

// Right-clicks `pos` in the view and picks the action with this text from the menu that opens
// (a menu runs its own event loop: the pick comes from a timer inside it). Returns whether the
// action was there.
bool pickFromContextMenu(QAbstractItemView *view, const QPoint &pos, const QString &text)
{
    return chat::test::pickFromContextMenu(view, pos, text);
}

} // namespace

void TestWindow::contextMenusOpenDirectMessages()
{
    m_bob->send(QStringLiteral("找我私聊"));
    QListView *view = conversationView();
    QTRY_COMPARE(view->model()->rowCount(), 1);
    // On bob's message: 发消息 opens a direct conversation with him.
    const QPoint onMessage = view->visualRect(view->model()->index(0, 0)).center();
    QVERIFY(pickFromContextMenu(view, onMessage, QStringLiteral("发消息")));
    QCOMPARE(m_alice->directDraft(), QStringLiteral("bob"));

    // On bob in the lobby's members pane: the same.
    clickRoom(QStringLiteral("lobby"));
    auto *members = m_window->findChild<QListView *>(QStringLiteral("members"));
    QTRY_COMPARE(members->model()->rowCount(), 2);
    const int bobRow = m_alice->members()->names().indexOf(QStringLiteral("bob"));
    QVERIFY(bobRow >= 0);
    const QPoint onBob = members->visualRect(members->model()->index(bobRow, 0)).center();
    QVERIFY(pickFromContextMenu(members, onBob, QStringLiteral("发消息")));
    QCOMPARE(m_alice->directDraft(), QStringLiteral("bob"));
}

QTEST_MAIN(TestWindow)
#include "tst_window.moc"
