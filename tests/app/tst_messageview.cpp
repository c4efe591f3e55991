// Reading and writing in the chat window, offscreen: day separators and grouping in local time
// (two time zones), formatting and palette colours in the delegate, copying, quoting and
// mentioning from the context menu, selecting part of a message (or several) by dragging, links
// opening through QDesktopServices, Shift+Enter, the growing input, keys reaching the input
// whatever was clicked, scrolling from the input, following the newest message or staying put with
// the "new messages" button, the typed time of pending messages, and the default window size.
#include "chatwindow.h"
#include "connectioncontroller.h"
#include "contextmenu.h"
#include "conversationpane.h"
#include "logindialog.h"
#include "messagedelegate.h"
#include "messageinput.h"
#include "messagemodel.h"
#include "outbox.h"
#include "outboxfile.h"
#include "windowsize.h"
#include "windowtest.h"

#include <QAccessible>
#include <QClipboard>
#include <QContextMenuEvent>
#include <QDesktopServices>
#include <QListView>
#include <QMenu>
#include <QPainter>
#include <QPushButton>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <ctime>

using namespace chat::client;

namespace {

chat::proto::Message message(qint64 seq, const QString &from, const QString &utc,
                             const QString &text = QStringLiteral("hi"))
{
    chat::proto::Message m;
    m.seq = seq;
    m.id = QStringLiteral("m%1").arg(seq);
    m.room = chat::proto::defaultRoom();
    m.from = from;
    m.time = QDateTime::fromString(utc, Qt::ISODate);
    m.text = text;
    return m;
}

void setTimeZone(const char *zone)
{
    qputenv("TZ", zone);
    tzset();
}

// Draws row `row` of the model as the view would (the background first) into an image.
QImage drawRow(const MessageModel &model, int row, const QPalette &palette)
{
    MessageDelegate delegate;
    QStyleOptionViewItem option;
    option.font = QApplication::font();
    option.palette = palette;
    option.rect = QRect(0, 0, 500, 10);
    const QModelIndex index = model.index(row);
    option.rect.setHeight(delegate.sizeHint(option, index).height());
    QImage image(option.rect.size(), QImage::Format_RGB32);
    image.fill(palette.color(QPalette::Base));
    QPainter painter(&image);
    delegate.paint(&painter, option, index);
    return image;
}

bool pickAction(QAbstractItemView *view, const QPoint &pos, const QString &name)
{
    return chat::test::pickFromContextMenu(view, pos, name);
}

} // namespace

// Catches what QDesktopServices would have opened in a browser.
class UrlCatcher : public QObject
{
    Q_OBJECT
public:
    QList<QUrl> opened;
public slots:
    void open(const QUrl &url) { opened.append(url); }
};

class TestMessageView : public chat::test::WindowTest
{
    Q_OBJECT
private slots:
    void separatorsAndGroupingFollowTheLocalDay();
    void colorsComeFromThePalette();
    void defaultSizeFitsTheScreen();
    void pendingRowsKeepTheTimeTyped();

    void init();
    void cleanup();
    void shiftEnterMakesOneMessageOfSeveralLines();
    void inputGrowsThenScrolls();
    void contextMenuCopiesQuotesAndMentions();
    void anyPartOfAMessageCanBeSelected();
    void linksOpenInTheBrowser();
    void followsTheBottomOrStaysPutWithAButton();
    void clickingTheConversationKeepsTheKeyboardInTheInput();
    void arrowsAndPagesInTheInputScrollTheConversation();
    void rowsHaveAccessibleText();
    void screenshot();

private:
    [[nodiscard]] QListView *view() const { return m_window->conversationPane()->view(); }
    [[nodiscard]] MessageInput *input() const { return m_window->conversationPane()->input(); }
    [[nodiscard]] QStyleOptionViewItem optionFor(const QModelIndex &index) const;
    [[nodiscard]] QPoint pointOnLink(const QModelIndex &index, const QString &href) const;
    // A point in the row where the mouse is at that character edge of the drawn text.
    [[nodiscard]] QPoint pointAtPosition(const QModelIndex &index, int position) const;
    void drag(const QPoint &from, const QPoint &to) const;
    [[nodiscard]] static int pixelsOf(QWidget *widget, const QColor &color);
};

// --- without a server ----------------------------------------------------------------------

void TestMessageView::separatorsAndGroupingFollowTheLocalDay()
{
    const QByteArray oldZone = qgetenv("TZ");
    MessageModel model;
    model.addMessage(message(1, QStringLiteral("bob"), QStringLiteral("2026-01-01T15:20:00Z")));
    model.addMessage(message(2, QStringLiteral("bob"), QStringLiteral("2026-01-01T15:23:00Z")));
    model.addMessage(message(3, QStringLiteral("bob"), QStringLiteral("2026-01-01T15:40:00Z")));
    model.addMessage(message(4, QStringLiteral("Bob"), QStringLiteral("2026-01-01T16:10:00Z")));
    model.addMessage(message(5, QStringLiteral("carol"), QStringLiteral("2026-01-01T16:11:00Z")));
    const auto day = [&](int row) {
        return MessageDelegate::startsDay(model.index(row));
    };
    const auto group = [&](int row) {
        return MessageDelegate::startsGroup(model.index(row));
    };

    // In Shanghai (UTC+8) 16:10Z is 00:10 the next day: a separator there.
    setTimeZone("Asia/Shanghai");
    QVERIFY(day(0));
    QVERIFY(!day(1) && !day(2) && day(3) && !day(4));
    QVERIFY(group(0) && !group(1)); // the same sender three minutes later: one group
    QVERIFY(group(2));              // seventeen minutes later
    QVERIFY(group(3));              // a new day
    QVERIFY(group(4));              // another sender
    QVERIFY(model.index(1).data(Qt::ToolTipRole).toString().contains(QStringLiteral("2026")));
    // In UTC the same messages are all on one day, and 16:10 joins nobody's group (30 minutes).
    setTimeZone("UTC");
    QVERIFY(day(0) && !day(1) && !day(2) && !day(3) && !day(4));

    // A grouped row has no header line: it is shorter than the row that starts its group.
    MessageDelegate delegate;
    QStyleOptionViewItem option;
    option.font = QApplication::font();
    option.rect = QRect(0, 0, 500, 10);
    QVERIFY(delegate.sizeHint(option, model.index(1)).height() <
            delegate.sizeHint(option, model.index(2)).height());

    const QDate today(2026, 3, 10);
    QCOMPARE(MessageDelegate::dayLabel(today, today), MessageDelegate::tr("Today"));
    QCOMPARE(MessageDelegate::dayLabel(today.addDays(-1), today), MessageDelegate::tr("Yesterday"));
    QCOMPARE(MessageDelegate::dayLabel(today.addDays(-2), today),
             QLocale().toString(today.addDays(-2), QLocale::LongFormat));
    if (oldZone.isNull())
        qunsetenv("TZ");
    else
        qputenv("TZ", oldZone);
    tzset();
}

void TestMessageView::colorsComeFromThePalette()
{
    MessageModel model;
    model.setOwnNick(QStringLiteral("alice"));
    model.addMessage(message(1, QStringLiteral("alice"), QStringLiteral("2026-01-01T10:00:00Z"),
                             QStringLiteral("**mine** and `code`")));
    QPalette light;
    light.setColor(QPalette::Base, Qt::white);
    light.setColor(QPalette::Text, Qt::black);
    light.setColor(QPalette::Highlight, QColor(0x30, 0x80, 0xe0));
    QPalette dark = light;
    dark.setColor(QPalette::Base, QColor(0x20, 0x20, 0x22));
    dark.setColor(QPalette::Text, QColor(0xee, 0xee, 0xee));
    // As some themes leave it (Qt 6.4's KDE theme with a dark colour scheme): times and
    // separators must not be drawn in it.
    dark.setColor(QPalette::PlaceholderText, QColor(0x10, 0x10, 0x10));
    dark.setColor(QPalette::Link, QColor(0x80, 0xb0, 0xff));

    const QImage onLight = drawRow(model, 0, light);
    const QImage onDark = drawRow(model, 0, dark);
    // The own-message tint is light on light and dark on dark; the ink is the opposite.
    const QPoint inside(onLight.width() - 8, onLight.height() / 2);
    QVERIFY(qGray(onLight.pixel(inside)) > 180);
    QVERIFY(qGray(onDark.pixel(inside)) < 80);
    const auto inkCount = [](const QImage &image, bool brightInk) {
        int count = 0;
        for (int y = 0; y < image.height(); ++y) {
            for (int x = 0; x < image.width(); ++x) {
                const int gray = qGray(image.pixel(x, y));
                count += brightInk ? gray > 200 : gray < 20;
            }
        }
        return count;
    };
    QVERIFY(inkCount(onLight, false) > 20); // black letters
    QVERIFY(inkCount(onDark, true) > 20);   // light letters
    QCOMPARE(inkCount(onDark, false), 0);   // and nothing black on the dark palette
}

void TestMessageView::defaultSizeFitsTheScreen()
{
    // 1600x900 at 2x scale, less a panel: 800x418 logical pixels.
    const QSize small = defaultWindowSize(QRect(0, 32, 800, 418));
    QVERIFY(small.width() <= 640 && small.height() <= 335);
    QCOMPARE(defaultWindowSize(QRect(0, 0, 2560, 1400)), kComfortableWindowSize);

    // The offscreen screen is 800x600: the window starts inside it.
    ConnectionController controller;
    ChatWindow window(&controller);
    const QRect available = window.screen()->availableGeometry();
    QVERIFY(window.width() <= available.width() * 0.8 + 1);
    QVERIFY(window.height() <= available.height() * 0.8 + 1);
}

void TestMessageView::pendingRowsKeepTheTimeTyped()
{
    // Typed an hour ago, saved, and read back by the next run: the row shows the typed time.
    const QDateTime typed = QDateTime::currentDateTimeUtc().addSecs(-3600);
    Outbox outbox;
    const chat::proto::Send send = outbox.enqueue(QStringLiteral("offline"));
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("outbox.txt"));
    QVERIFY(outboxfile::write(path, outbox.items(), nullptr, {{send.id, typed}}));
    QHash<QString, QDateTime> times;
    const QList<chat::proto::Send> restored = outboxfile::read(path, &times);
    QCOMPARE(restored.size(), 1);
    QCOMPARE(times.value(send.id), typed);

    Outbox next;
    next.enqueue(restored.constFirst(), times.value(send.id));
    QCOMPARE(next.typedAt(send.id), typed);
    MessageModel model;
    model.setOwnNick(QStringLiteral("alice"));
    model.addPending(restored.constFirst(), next.typedAt(send.id));
    QCOMPARE(model.index(0).data(MessageModel::TimeRole).toDateTime(), typed);
    // A file of an earlier version (no times) still reads, typed "now".
    QVERIFY(outboxfile::write(path, outbox.items()));
    times.clear();
    QCOMPARE(outboxfile::read(path, &times).size(), 1);
    QVERIFY(times.isEmpty());
}

// --- the window against a real hub --------------------------------------------------------

void TestMessageView::init()
{
    if (!QTest::currentTestFunction() ||
        QByteArray(QTest::currentTestFunction()) == "separatorsAndGroupingFollowTheLocalDay" ||
        QByteArray(QTest::currentTestFunction()) == "colorsComeFromThePalette" ||
        QByteArray(QTest::currentTestFunction()) == "defaultSizeFitsTheScreen" ||
        QByteArray(QTest::currentTestFunction()) == "pendingRowsKeepTheTimeTyped")
        return;
    startAll(QStringLiteral("tst_messageview"),
             [](ChatWindow &window) { window.resize(760, 460); });
    QTRY_COMPARE(m_alice->currentRoom(), chat::proto::defaultRoom());
}

void TestMessageView::cleanup()
{
    stopAll();
}

QStyleOptionViewItem TestMessageView::optionFor(const QModelIndex &index) const
{
    QStyleOptionViewItem option;
    option.initFrom(view());
    option.font = view()->font();
    option.palette = view()->palette();
    option.rect = view()->visualRect(index);
    return option;
}

QPoint TestMessageView::pointOnLink(const QModelIndex &index, const QString &href) const
{
    auto *delegate = qobject_cast<MessageDelegate *>(view()->itemDelegate());
    const QStyleOptionViewItem option = optionFor(index);
    for (int y = option.rect.top(); y < option.rect.bottom(); y += 2) {
        for (int x = option.rect.left(); x < option.rect.right(); x += 3) {
            if (delegate->linkAt(option, index, QPoint(x, y)) == href)
                return {x, y};
        }
    }
    return {-1, -1};
}

QPoint TestMessageView::pointAtPosition(const QModelIndex &index, int position) const
{
    // Position 0 would also be anywhere above the text: the tests use later ones.
    auto *delegate = qobject_cast<MessageDelegate *>(view()->itemDelegate());
    const QStyleOptionViewItem option = optionFor(index);
    for (int y = option.rect.top(); y < option.rect.bottom(); ++y) {
        for (int x = option.rect.left(); x < option.rect.right(); ++x) {
            if (delegate->positionAt(option, index, QPoint(x, y)) == position)
                return {x, y};
        }
    }
    [&] {
        QFAIL("no point at that position");
    }();
    return {};
}

void TestMessageView::drag(const QPoint &from, const QPoint &to) const
{
    QWidget *area = view()->viewport();
    QTest::mousePress(area, Qt::LeftButton, {}, from);
    QTest::mouseMove(area, (from + to) / 2);
    QTest::mouseMove(area, to);
    QTest::mouseRelease(area, Qt::LeftButton, {}, to);
}

int TestMessageView::pixelsOf(QWidget *widget, const QColor &color)
{
    const QImage image = widget->grab().toImage();
    int count = 0;
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x)
            count += image.pixelColor(x, y).rgb() == color.rgb() ? 1 : 0;
    }
    return count;
}

void TestMessageView::shiftEnterMakesOneMessageOfSeveralLines()
{
    MessageInput *box = input();
    QTest::keyClicks(box, QStringLiteral("one"));
    QTest::keyClick(box, Qt::Key_Return, Qt::ShiftModifier);
    QTest::keyClicks(box, QStringLiteral("two"));
    QTest::keyClick(box, Qt::Key_Enter, Qt::ShiftModifier);
    QTest::keyClicks(box, QStringLiteral("three"));
    QCOMPARE(box->text(), QStringLiteral("one\ntwo\nthree"));
    QTest::keyClick(box, Qt::Key_Return);
    QCOMPARE(box->text(), QString());
    QTRY_COMPARE(m_bob->messages()->rowCount(), 1);
    QCOMPARE(m_bob->messages()->index(0).data(MessageModel::TextRole).toString(),
             QStringLiteral("one\ntwo\nthree"));
}

void TestMessageView::inputGrowsThenScrolls()
{
    MessageInput *box = input();
    const int oneLine = box->height();
    QTest::keyClicks(box, QStringLiteral("a"));
    QTest::keyClick(box, Qt::Key_Return, Qt::ShiftModifier);
    QTest::keyClicks(box, QStringLiteral("b"));
    QTRY_VERIFY(box->height() > oneLine);
    const int twoLines = box->height();
    for (int i = 0; i < 10; ++i) {
        QTest::keyClick(box, Qt::Key_Return, Qt::ShiftModifier);
        QTest::keyClicks(box, QStringLiteral("more"));
    }
    QTRY_VERIFY(box->height() > twoLines);
    const int most = box->height();
    QVERIFY(most < oneLine * (MessageInput::kMaxVisibleLines + 1));
    QVERIFY(box->verticalScrollBar()->maximum() > 0); // the rest scrolls
    box->clear();
    QTRY_COMPARE(box->height(), oneLine);
}

void TestMessageView::contextMenuCopiesQuotesAndMentions()
{
    const QString text = QStringLiteral("see **this**: https://example.com/x <b>raw</b>");
    QVERIFY(!m_bob->send(text).isEmpty());
    QTRY_COMPARE(view()->model()->rowCount(), 1);
    const QModelIndex index = view()->model()->index(0, 0);
    QTRY_VERIFY(view()->visualRect(index).height() > 0);
    const QPoint onText = view()->visualRect(index).topLeft() + QPoint(12, 4);

    QGuiApplication::clipboard()->clear();
    QVERIFY(pickAction(view(), onText, QStringLiteral("copyAction")));
    QCOMPARE(QGuiApplication::clipboard()->text(), text);

    const QPoint onLink = pointOnLink(index, QStringLiteral("https://example.com/x"));
    QVERIFY(onLink.x() >= 0);
    QVERIFY(!pickAction(view(), onText, QStringLiteral("copyLinkAction"))); // not on the link
    QVERIFY(pickAction(view(), onLink, QStringLiteral("copyLinkAction")));
    QCOMPARE(QGuiApplication::clipboard()->text(), QStringLiteral("https://example.com/x"));

    QVERIFY(pickAction(view(), onText, QStringLiteral("quoteAction")));
    QCOMPARE(input()->text(), QStringLiteral("> ") + text + u'\n');
    input()->clear();
    QVERIFY(pickAction(view(), onText, QStringLiteral("mentionAction")));
    QCOMPARE(input()->text(), QStringLiteral("@bob "));
    QVERIFY(pickAction(view(), onText, QStringLiteral("directMessageAction")));
    QCOMPARE(m_alice->directDraft(), QStringLiteral("bob"));
}

void TestMessageView::anyPartOfAMessageCanBeSelected()
{
    QVERIFY(!m_bob->send(QStringLiteral("第一行 **粗体** <i>literal</i>\n第二行")).isEmpty());
    QVERIFY(!m_bob->send(QStringLiteral("another one")).isEmpty());
    QTRY_COMPARE(view()->model()->rowCount(), 2);
    const QModelIndex first = view()->model()->index(0, 0);
    const QModelIndex second = view()->model()->index(1, 0);
    QTRY_VERIFY(view()->visualRect(second).height() > 0);
    const QColor highlight = view()->palette().color(QPalette::Highlight);
    QCOMPARE(pixelsOf(view()->viewport(), highlight), 0);

    // Drawn as "第一行 粗体 <i>literal</i>" (the stars gone, the markup as text): 4..9 is "粗体
    // <i".
    drag(pointAtPosition(first, 4), pointAtPosition(first, 9));
    QCOMPARE(QApplication::focusWidget(), input()); // the keyboard stays in the input
    QVERIFY(pixelsOf(view()->viewport(), highlight) > 0);
    QGuiApplication::clipboard()->setText(QStringLiteral("before"));
    QTest::keyClick(input(), Qt::Key_C, Qt::ControlModifier);
    QCOMPARE(QGuiApplication::clipboard()->text(), QStringLiteral("粗体 <i"));
    // The context menu's Copy on the selection copies it; on another message, that message.
    QVERIFY(pickAction(view(), pointAtPosition(first, 5), QStringLiteral("copyAction")));
    QCOMPARE(QGuiApplication::clipboard()->text(), QStringLiteral("粗体 <i"));
    QVERIFY(pickAction(view(), pointAtPosition(second, 3), QStringLiteral("copyAction")));
    QCOMPARE(QGuiApplication::clipboard()->text(), QStringLiteral("another one"));

    // Over two messages: the end of the first from its second line, the start of the next.
    const int secondLine = int(QStringLiteral("第一行 粗体 <i>literal</i>\n").size());
    drag(pointAtPosition(first, secondLine), pointAtPosition(second, 7));
    QTest::keyClick(input(), Qt::Key_C, Qt::ControlModifier);
    QCOMPARE(QGuiApplication::clipboard()->text(), QStringLiteral("第二行\nanother"));

    // The input's own selection wins; a click without a drag clears the conversation's.
    input()->setText(QStringLiteral("draft"));
    input()->selectAll();
    QTest::keyClick(input(), Qt::Key_C, Qt::ControlModifier);
    QCOMPARE(QGuiApplication::clipboard()->text(), QStringLiteral("draft"));
    QTest::mouseClick(view()->viewport(), Qt::LeftButton, {}, pointAtPosition(second, 2));
    QCOMPARE(pixelsOf(view()->viewport(), highlight), 0);
    input()->moveCursor(QTextCursor::End);
    QGuiApplication::clipboard()->setText(QStringLiteral("unchanged"));
    QTest::keyClick(input(), Qt::Key_C, Qt::ControlModifier);
    QCOMPARE(QGuiApplication::clipboard()->text(), QStringLiteral("unchanged"));
}

void TestMessageView::linksOpenInTheBrowser()
{
    UrlCatcher catcher;
    QDesktopServices::setUrlHandler(QStringLiteral("https"), &catcher, "open");
    QDesktopServices::setUrlHandler(QStringLiteral("javascript"), &catcher, "open");
    QVERIFY(!m_bob
                 ->send(QStringLiteral("docs: https://doc.qt.io/qt-6/qtextdocument.html, and "
                                       "javascript:alert(1)"))
                 .isEmpty());
    QTRY_COMPARE(view()->model()->rowCount(), 1);
    const QModelIndex index = view()->model()->index(0, 0);
    const QPoint onLink =
        pointOnLink(index, QStringLiteral("https://doc.qt.io/qt-6/qtextdocument.html"));
    QVERIFY(onLink.x() >= 0);
    QTest::mouseClick(view()->viewport(), Qt::LeftButton, {}, onLink);
    QTRY_COMPARE(catcher.opened.size(), 1);
    QCOMPARE(catcher.opened.constFirst(),
             QUrl(QStringLiteral("https://doc.qt.io/qt-6/qtextdocument.html")));
    // Clicking elsewhere opens nothing; other schemes never open.
    QTest::mouseClick(view()->viewport(), Qt::LeftButton, {},
                      view()->visualRect(index).topLeft() + QPoint(8, 4));
    QVERIFY(!ConversationPane::openLink(QStringLiteral("javascript:alert(1)")));
    QCOMPARE(catcher.opened.size(), 1);
    QDesktopServices::unsetUrlHandler(QStringLiteral("https"));
    QDesktopServices::unsetUrlHandler(QStringLiteral("javascript"));
}

void TestMessageView::followsTheBottomOrStaysPutWithAButton()
{
    bobWrites(chat::proto::defaultRoom(), 40);
    QScrollBar *bar = view()->verticalScrollBar();
    QPushButton *button = m_window->conversationPane()->newMessagesButton();
    QTRY_COMPARE(view()->model()->rowCount(), 40);
    QTRY_VERIFY(bar->maximum() > 0);
    QTRY_COMPARE(bar->value(), bar->maximum());
    // At the bottom: a new message is followed.
    bobWrites(chat::proto::defaultRoom(), 1, QStringLiteral("跟随"));
    QTRY_COMPARE(view()->model()->rowCount(), 41);
    QTRY_COMPARE(bar->value(), bar->maximum());
    QVERIFY(!button->isVisible());

    // Scrolled up: the view stays put and the button counts what came. The scroll that followed
    // the last message is queued: let it run first, as a person's scroll would come after it.
    QCoreApplication::processEvents();
    bar->setValue(bar->maximum() / 2);
    const int reading = bar->value();
    bobWrites(chat::proto::defaultRoom(), 3, QStringLiteral("新"));
    QTRY_COMPARE(view()->model()->rowCount(), 44);
    QTRY_VERIFY(button->isVisible());
    QCOMPARE(bar->value(), reading);
    QVERIFY(button->text().contains(u'3'));
    QVERIFY(view()->viewport()->geometry().contains(button->geometry()));
    QTest::mouseClick(button, Qt::LeftButton);
    QTRY_COMPARE(bar->value(), bar->maximum());
    QVERIFY(!button->isVisible());

    // Sending always shows one's own message, however far up the view was.
    bar->setValue(bar->maximum() / 3);
    input()->insert(QStringLiteral("我的消息"));
    QTest::keyClick(input(), Qt::Key_Return);
    QTRY_COMPARE(view()->model()->rowCount(), 45);
    QTRY_COMPARE(bar->value(), bar->maximum());
    QVERIFY(!button->isVisible());
}

void TestMessageView::clickingTheConversationKeepsTheKeyboardInTheInput()
{
    bobWrites(chat::proto::defaultRoom(), 3);
    QTRY_COMPARE(view()->model()->rowCount(), 3);
    input()->setFocus();
    QTRY_VERIFY(input()->hasFocus());
    QTest::mouseClick(view()->viewport(), Qt::LeftButton, {},
                      view()->visualRect(view()->model()->index(1, 0)).center());
    QVERIFY(input()->hasFocus());
    QTest::keyClicks(QApplication::focusWidget(), QStringLiteral("abc"));
    QCOMPARE(input()->text(), QStringLiteral("abc"));
    // Reached with Tab, the conversation hands typed text to the input.
    view()->setFocus(Qt::TabFocusReason);
    QTRY_VERIFY(view()->hasFocus());
    QTest::keyClicks(view(), QStringLiteral("def"));
    QCOMPARE(input()->text(), QStringLiteral("abcdef"));
    QVERIFY(input()->hasFocus());
}

void TestMessageView::arrowsAndPagesInTheInputScrollTheConversation()
{
    bobWrites(chat::proto::defaultRoom(), 40);
    QScrollBar *bar = view()->verticalScrollBar();
    QTRY_COMPARE(view()->model()->rowCount(), 40);
    QTRY_VERIFY(bar->maximum() > 0);
    QTRY_COMPARE(bar->value(), bar->maximum());
    MessageInput *box = input();
    QTest::keyClick(box, Qt::Key_Up);
    const int afterUp = bar->value();
    QVERIFY(afterUp < bar->maximum());
    QTest::keyClick(box, Qt::Key_PageUp);
    const int afterPage = bar->value();
    QVERIFY(afterPage < afterUp);
    QTest::keyClick(box, Qt::Key_Down);
    QVERIFY(bar->value() > afterPage);
    // With text in the box, Up and Down move in the text; Page Up still scrolls.
    box->insert(QStringLiteral("x"));
    const int before = bar->value();
    QTest::keyClick(box, Qt::Key_Up);
    QCOMPARE(bar->value(), before);
    QTest::keyClick(box, Qt::Key_PageUp);
    QVERIFY(bar->value() < before);
}

void TestMessageView::rowsHaveAccessibleText()
{
    QVERIFY(!m_bob->send(QStringLiteral("读得到吗")).isEmpty());
    QTRY_COMPARE(view()->model()->rowCount(), 1);
    QCOMPARE(view()->accessibleName(), ConversationPane::tr("Conversation"));
    QAccessibleInterface *list = QAccessible::queryAccessibleInterface(view());
    QVERIFY(list);
    bool found = false;
    for (int i = 0; i < list->childCount() && !found; ++i) {
        QAccessibleInterface *child = list->child(i);
        found = child && child->text(QAccessible::Name).contains(QStringLiteral("读得到吗")) &&
                child->text(QAccessible::Name).contains(QStringLiteral("bob"));
    }
    QVERIFY(found);
}

// CHAT_SCREENSHOT=file.png: the window with formatting, links and day separators, for docs/.
void TestMessageView::screenshot()
{
    const QString path = qEnvironmentVariable("CHAT_SCREENSHOT");
    if (path.isEmpty())
        QSKIP("set CHAT_SCREENSHOT to a file name to take it");
    MessageModel *lobby = m_alice->messages();
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const auto earlier = [&](qint64 seq, const QString &from, int daysAgo, int minutes,
                             const QString &text) {
        chat::proto::Message m = message(seq, from, {}, text);
        m.time = now.addDays(-daysAgo).addSecs(-minutes * 60);
        lobby->addMessage(m);
    };
    earlier(-20, QStringLiteral("bob"), 3, 30,
            QStringLiteral("周五的会议记录在 https://example.com/notes/friday"));
    earlier(-19, QStringLiteral("alice"), 3, 25, QStringLiteral("收到，**谢谢**！"));
    earlier(-18, QStringLiteral("bob"), 1, 90,
            QStringLiteral("构建坏了：`cmake --build build` 报错"));
    earlier(-17, QStringLiteral("bob"), 1, 89,
            QStringLiteral("```\nerror: 'QScreen' was not declared\n```"));
    earlier(-16, QStringLiteral("alice"), 1, 60,
            QStringLiteral("*已修好*，少了 `#include <QScreen>`"));
    QVERIFY(
        !m_bob->send(QStringLiteral("今天的计划见 https://example.com/plan（第 2 节）")).isEmpty());
    QVERIFY(!m_bob->send(QStringLiteral("HTML 只是文字：<b>不加粗</b>")).isEmpty());
    QTRY_COMPARE(lobby->rowCount(), 7);
    input()->insert(QStringLiteral("好的，**马上看**"));
    m_window->resize(900, 620);
    view()->scrollToBottom();
    QTest::qWait(0);
    QVERIFY(m_window->grab().save(path));
}

QTEST_MAIN(TestMessageView)
#include "tst_messageview.moc"
