// The desktop client in Chinese leaves no English behind: with the zh_CN translation installed
// (the code chat-client runs), the main window connected to a hub, its menus and its dialogs are
// walked widget by widget, and every text a person sees or hears (titles, labels, buttons,
// placeholders, actions, tool tips, tabs, headers, item texts, accessible names) is checked for
// English words. In English the source text shows. The .ts files are complete.
#include "accountdialogs.h"
#include "chatwindow.h"
#include "chinesetranslation.h"
#include "connectdialog.h"
#include "connectioncontroller.h"
#include "errortext.h"
#include "logindialog.h"
#include "roomlistmodel.h"
#include "roomsdialog.h"
#include "translations.h"
#include "windowtest.h"

#include <QAbstractItemView>
#include <QAction>
#include <QApplication>
#include <QDialogButtonBox>
#include <QFile>
#include <QHeaderView>
#include <QLabel>
#include <QListView>
#include <QMenu>
#include <QMenuBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTabBar>
#include <QTest>
#include <QTextDocumentFragment>
#include <QTimer>
#include <QXmlStreamReader>

#include <functional>

using namespace chat::client;

namespace {

// Words that are no English left untranslated: names people chose (the accounts and rooms the
// test makes), protocol and key names kept as they are in Chinese text too.
const QStringList kAllowedWords = {
    QStringLiteral("alice"), QStringLiteral("bob"),   QStringLiteral("lobby"),
    QStringLiteral("dev"),   QStringLiteral("host"),  QStringLiteral("ws"),
    QStringLiteral("wss"),   QStringLiteral("http"),  QStringLiteral("https"),
    QStringLiteral("HTTP"),  QStringLiteral("Shift"), QStringLiteral("Enter"),
    QStringLiteral("Ctrl"),  QStringLiteral("Esc"),   QStringLiteral("WebSocket"),
};

// The texts one object shows: its string properties, and for item views every row's texts.
QStringList textsOf(QObject *object)
{
    static const char *const properties[] = {
        "windowTitle", "text",         "title",           "placeholderText",       "toolTip",
        "statusTip",   "whatsThis",    "accessibleName",  "accessibleDescription", "iconText",
        "labelText",   "okButtonText", "cancelButtonText"};
    QStringList texts;
    for (const char *name : properties) {
        const QVariant value = object->property(name);
        if (value.metaType().id() == QMetaType::QString)
            texts.append(value.toString());
    }
    if (auto *tabs = qobject_cast<QTabBar *>(object)) {
        for (int i = 0; i < tabs->count(); ++i)
            texts << tabs->tabText(i) << tabs->tabToolTip(i);
    }
    if (auto *view = qobject_cast<QAbstractItemView *>(object); view && view->model()) {
        const QAbstractItemModel *model = view->model();
        for (int column = 0; column < model->columnCount(); ++column)
            texts << model->headerData(column, Qt::Horizontal).toString();
        for (int row = 0; row < model->rowCount(); ++row) {
            for (int column = 0; column < model->columnCount(); ++column) {
                const QModelIndex index = model->index(row, column);
                for (int role : {int(Qt::DisplayRole), int(Qt::ToolTipRole),
                                 int(Qt::AccessibleTextRole), int(Qt::AccessibleDescriptionRole)})
                    texts << index.data(role).toString();
            }
        }
    }
    return texts;
}

// Every text of the widget, its children and their actions.
QStringList allTextsOf(QWidget *top)
{
    QStringList texts = textsOf(top);
    for (QObject *child : top->findChildren<QObject *>()) {
        if (child->isWidgetType() || qobject_cast<QAction *>(child))
            texts += textsOf(child);
    }
    return texts;
}

// The English words in a text: runs of two or more Latin letters that are not allowed, after
// markup, URLs and the & of mnemonics are taken out.
QStringList englishWordsIn(QString text)
{
    if (Qt::mightBeRichText(text))
        text = QTextDocumentFragment::fromHtml(text).toPlainText();
    static const QRegularExpression url(QStringLiteral("\\b[a-z]+://\\S*"));
    text.remove(url);
    text.remove(u'&');
    static const QRegularExpression word(QStringLiteral("[A-Za-z]{2,}"));
    QStringList found;
    for (auto it = word.globalMatch(text); it.hasNext();) {
        const QString w = it.next().captured();
        if (!kAllowedWords.contains(w, Qt::CaseInsensitive))
            found.append(w);
    }
    return found;
}

// "text" -> its English words, for a failure message that says where.
QStringList untranslated(const QStringList &texts)
{
    QStringList problems;
    for (const QString &text : texts) {
        if (const QStringList words = englishWordsIn(text); !words.isEmpty())
            problems.append(QStringLiteral("\"%1\" (%2)").arg(text, words.join(u", ")));
    }
    problems.removeDuplicates();
    return problems;
}

// Runs open(), which shows a modal dialog and waits for it; collects that dialog's texts and
// closes it.
QStringList textsOfModal(const std::function<void()> &open)
{
    QStringList texts;
    bool seen = false;
    auto *poll = new QTimer;
    QObject::connect(poll, &QTimer::timeout, poll, [&] {
        QWidget *modal = QApplication::activeModalWidget();
        if (!modal || seen)
            return;
        seen = true;
        texts = allTextsOf(modal);
        QMetaObject::invokeMethod(modal, "reject", Qt::QueuedConnection);
    });
    poll->start(10);
    open();
    delete poll;
    if (!seen)
        texts.append(QStringLiteral("no dialog was shown"));
    return texts;
}

QStringList tsFiles()
{
    return {QStringLiteral(CHAT_TS_DIR "/chat-client_zh_CN.ts"),
            QStringLiteral(CHAT_TS_DIR "/chat-client_en.ts")};
}

} // namespace

class TestTranslation : public chat::test::WindowTest
{
    Q_OBJECT
private slots:
    void init();
    void cleanup();
    void translationFilesAreComplete_data();
    void translationFilesAreComplete();
    void theWordCheckFindsEnglish();
    void chineseWindowLeavesNoEnglish();
    void chineseDialogsLeaveNoEnglish();
    void qtsOwnTextsAreChinese();
    void englishShowsTheSource();

private:
    void startAlice();
};

void TestTranslation::init()
{
    useFreshSettings(QStringLiteral("tst_translation"));
    QVERIFY(chat::test::installChineseTranslation());
}

void TestTranslation::cleanup()
{
    stopAll();
}

void TestTranslation::startAlice()
{
    startAll(QStringLiteral("tst_translation"));
    if (QTest::currentTestFailed())
        return;
    // A room of her own: the owner's menu entries are on, and it has a title and topic to show.
    QSignalSpy done(m_alice.get(), &ConnectionController::roomRequestDone);
    m_alice->createRoom(QStringLiteral("dev"), QStringLiteral("开发"), QStringLiteral("发布计划"),
                        false);
    QVERIFY(done.wait());
}

void TestTranslation::translationFilesAreComplete_data()
{
    QTest::addColumn<QString>("path");
    for (const QString &path : tsFiles())
        QTest::newRow(qPrintable(QFileInfo(path).fileName())) << path;
}

void TestTranslation::translationFilesAreComplete()
{
    QFETCH(const QString, path);
    QFile file(path);
    QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(path));
    QXmlStreamReader xml(&file);
    int messages = 0;
    QString source;
    QStringList problems;
    while (!xml.atEnd()) {
        if (xml.readNext() != QXmlStreamReader::StartElement)
            continue;
        if (xml.name() == u"source") {
            source = xml.readElementText();
        } else if (xml.name() == u"translation") {
            ++messages;
            const QString type = xml.attributes().value(QStringLiteral("type")).toString();
            if (!type.isEmpty())
                problems.append(type + QStringLiteral(": ") + source);
            // A plural's forms are elements inside; a plain translation is text.
            const QString text = xml.readElementText(QXmlStreamReader::IncludeChildElements);
            if (text.trimmed().isEmpty())
                problems.append(QStringLiteral("empty: ") + source);
            // Every placeholder survives translation.
            static const QRegularExpression placeholder(QStringLiteral("%(\\d|n)"));
            for (auto it = placeholder.globalMatch(source); it.hasNext();) {
                const QString p = it.next().captured();
                if (!text.contains(p))
                    problems.append(p + QStringLiteral(" lost: ") + source);
            }
        }
    }
    QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
    QVERIFY(messages > 0);
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
}

void TestTranslation::theWordCheckFindsEnglish()
{
    // The check itself: English is found, Chinese with names, keys and URLs is not.
    QCOMPARE(englishWordsIn(QStringLiteral("&Log in…")),
             QStringList{QStringLiteral("Log")} + QStringList{QStringLiteral("in")});
    QCOMPARE(englishWordsIn(QStringLiteral("<b>Offline</b>")),
             QStringList{QStringLiteral("Offline")});
    QVERIFY(englishWordsIn(QStringLiteral("已连接：alice @ ws://127.0.0.1:8080/")).isEmpty());
    QVERIFY(englishWordsIn(QStringLiteral("输入消息：回车发送，Shift+回车换行")).isEmpty());
    QVERIFY(englishWordsIn(QStringLiteral("聊天(&C)")).isEmpty());
}

void TestTranslation::chineseWindowLeavesNoEnglish()
{
    startAlice();
    QStringList texts = allTextsOf(m_window.get());
    // The menus' texts as they are when opened (RoomActions updates them for the room).
    for (QMenu *menu : m_window->menuBar()->findChildren<QMenu *>()) {
        emit menu->aboutToShow();
        texts += allTextsOf(menu);
    }
    QVERIFY(texts.contains(QStringLiteral("聊天(&C)")));
    QVERIFY(texts.contains(QStringLiteral("浏览/创建房间")));
    const QStringList problems = untranslated(texts);
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
}

void TestTranslation::chineseDialogsLeaveNoEnglish()
{
    startAlice();
    QStringList texts;

    LoginDialog login;
    login.setServerUrl(QUrl(QStringLiteral("ws://chat.example:8080/")));
    login.setMode(LoginDialog::Mode::Login);
    texts += allTextsOf(&login);
    login.setMode(LoginDialog::Mode::Register);
    texts += allTextsOf(&login);
    QVERIFY(texts.contains(QStringLiteral("登录聊天服务器")));

    ConnectDialog connect;
    texts += allTextsOf(&connect);

    RoomsDialog rooms(m_alice.get(), m_window.get());
    rooms.show();
    auto *list = rooms.findChild<QAbstractItemView *>(QStringLiteral("publicRooms"));
    QVERIFY(list);
    QTRY_VERIFY(list->model()->rowCount() >= 2); // dev and the lobby, one of them joined
    texts += allTextsOf(&rooms);
    QVERIFY(texts.contains(QStringLiteral("已加入")));

    EditRoomDialog edit(QStringLiteral("开发"), QStringLiteral("发布计划"), m_window.get());
    texts += allTextsOf(&edit);

    DevicesDialog devices(m_alice.get(), m_window.get());
    devices.show();
    auto *deviceList = devices.findChild<QAbstractItemView *>(QStringLiteral("deviceList"));
    QVERIFY(deviceList);
    QTRY_VERIFY(deviceList->model()->rowCount() >= 1);
    QStringList deviceTexts = allTextsOf(&devices);
    // Device names are whatever a client called itself (ours: "桌面 · <host name>"; the one
    // HubAccounts gave alice's token: "test").
    for (QString &text : deviceTexts) {
        text.remove(QSysInfo::machineHostName());
        text.remove(QStringLiteral("test"));
    }
    texts += deviceTexts;

    ChangePasswordDialog password(m_alice.get(), m_window.get());
    texts += allTextsOf(&password);

    // The modal ones: display name, invite, leave, and the warning before a password goes out
    // unencrypted.
    auto *roomList = m_window->findChild<QListView *>(QStringLiteral("rooms"));
    QVERIFY(roomList);
    QTRY_VERIFY(m_alice->rooms()->indexOf(QStringLiteral("dev")) >= 0);
    const QModelIndex dev =
        roomList->model()->index(m_alice->rooms()->indexOf(QStringLiteral("dev")), 0);
    QTest::mouseClick(roomList->viewport(), Qt::LeftButton, {}, roomList->visualRect(dev).center());
    QTRY_COMPARE(m_alice->currentRoom(), QStringLiteral("dev"));
    for (const QString &name : {QStringLiteral("displayAction"), QStringLiteral("inviteAction"),
                                QStringLiteral("leaveAction")}) {
        auto *action = m_window->findChild<QAction *>(name);
        QVERIFY2(action, qPrintable(name));
        QVERIFY2(action->isEnabled(), qPrintable(name));
        const QStringList shown = textsOfModal([action] { action->trigger(); });
        QVERIFY2(!shown.contains(QStringLiteral("no dialog was shown")), qPrintable(name));
        texts += shown;
    }
    LoginDialog::setCleartextConfirmer({});
    texts += textsOfModal([] {
        (void)LoginDialog::confirmPasswordTransport(nullptr,
                                                    QUrl(QStringLiteral("ws://chat.example/")));
    });
    QVERIFY(texts.contains(QStringLiteral("连接未加密")));

    const QStringList problems = untranslated(texts);
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
}

void TestTranslation::qtsOwnTextsAreChinese()
{
    // Qt's own buttons come from qtbase_zh_CN (Debian: qt6-translations-l10n).
    QDialogButtonBox box(QDialogButtonBox::Save | QDialogButtonBox::Help);
    QCOMPARE(box.button(QDialogButtonBox::Help)->text(), QStringLiteral("帮助"));
    QVERIFY(englishWordsIn(box.button(QDialogButtonBox::Save)->text()).isEmpty());
}

void TestTranslation::englishShowsTheSource()
{
    QCOMPARE(installTranslations(QLocale(QLocale::English, QLocale::UnitedStates)),
             QStringLiteral("en"));
    ConnectionController controller;
    ChatWindow window(&controller);
    QCOMPARE(window.menuBar()->actions().at(0)->text(), QStringLiteral("&Chat"));
    LoginDialog login;
    QCOMPARE(login.windowTitle(), QStringLiteral("Log in to the chat server"));
    QCOMPARE(describeServerError(chat::proto::ErrorCode::LoginFailed, QString()),
             QStringLiteral("Wrong account name or password."));
    QCOMPARE(describeServerError(chat::proto::ErrorCode::NameTaken,
                                 QStringLiteral("The name \"Alice\" is taken")),
             QStringLiteral("The account name is taken (or looks the same as one that is). The "
                            "server says: The name \"Alice\" is taken."));
    // The server's words are not said twice.
    QCOMPARE(describeServerError(chat::proto::ErrorCode::InviteInvalid,
                                 QStringLiteral("The invite code is missing, unknown, used up or "
                                                "expired.")),
             QStringLiteral("The invite code is missing, unknown, used up or expired."));
    // The English plural forms (translations/chat-client_en.ts).
    QCOMPARE(ConnectionController::tr("%n second(s)", nullptr, 1), QStringLiteral("1 second"));
    QCOMPARE(ConnectionController::tr("%n second(s)", nullptr, 5), QStringLiteral("5 seconds"));

    // Any Chinese locale, and back: the same window built again is Chinese.
    QCOMPARE(installTranslations(QLocale(QLocale::Chinese, QLocale::Taiwan)),
             QStringLiteral("zh_CN"));
    ChatWindow chinese(&controller);
    QCOMPARE(chinese.menuBar()->actions().at(0)->text(), QStringLiteral("聊天(&C)"));
    QCOMPARE(localeForLanguage(QStringLiteral("en")).language(), QLocale::English);
    QCOMPARE(localeForLanguage(QStringLiteral("zh_CN")).language(), QLocale::Chinese);
    QCOMPARE(localeForLanguage(QStringLiteral("nonsense")), QLocale::c());
}

QTEST_MAIN(TestTranslation)
#include "tst_translation.moc"
