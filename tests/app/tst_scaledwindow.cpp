// The window at 2x scale on a 1600x900 screen (800x450 logical pixels), offscreen: its first
// size fits the screen's available area, frame included, and the text in it is not clipped
// (the input, the buttons and the labels are at least as tall as their font's line). The scale
// and the screen are set in main(), before the QApplication exists.
#include "chatwindow.h"
#include "connectioncontroller.h"
#include "conversationpane.h"
#include "logindialog.h" // for ChatWindow's QPointer<LoginDialog>
#include "messageinput.h"
#include "windowsize.h"

#include <QApplication>
#include <QLabel>
#include <QPushButton>
#include <QScreen>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

using namespace chat::client;

class TestScaledWindow : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void theScreenIsScaled();
    void defaultSizeFitsTheScreen();
    void textIsNotClipped();

private:
    QTemporaryDir m_settingsDir;
    std::unique_ptr<ConnectionController> m_controller;
    std::unique_ptr<ChatWindow> m_window;
};

void TestScaledWindow::initTestCase()
{
    QVERIFY(m_settingsDir.isValid());
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_settingsDir.path());
    QCoreApplication::setOrganizationName(QStringLiteral("QtChatTest"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_scaledwindow"));
    m_controller = std::make_unique<ConnectionController>();
    m_window = std::make_unique<ChatWindow>(m_controller.get());
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
}

void TestScaledWindow::theScreenIsScaled()
{
    const QScreen *screen = m_window->screen();
    QCOMPARE(screen->devicePixelRatio(), 2.0);
    QCOMPARE(screen->geometry().size(), QSize(800, 450));
}

void TestScaledWindow::defaultSizeFitsTheScreen()
{
    const QRect available = m_window->screen()->availableGeometry();
    // The size asked for, not one the layout's minimum forced up.
    QCOMPARE(m_window->size(), defaultWindowSize(available));
    QVERIFY2(m_window->frameGeometry().width() <= available.width() &&
                 m_window->frameGeometry().height() <= available.height(),
             qPrintable(QStringLiteral("frame %1x%2 on %3x%4")
                            .arg(m_window->frameGeometry().width())
                            .arg(m_window->frameGeometry().height())
                            .arg(available.width())
                            .arg(available.height())));
    QVERIFY(m_window->minimumSizeHint().width() <= available.width());
    QVERIFY(m_window->minimumSizeHint().height() <= available.height());
}

void TestScaledWindow::textIsNotClipped()
{
    MessageInput *input = m_window->conversationPane()->input();
    QVERIFY(input->isVisible());
    QVERIFY2(input->viewport()->height() >= input->fontMetrics().lineSpacing(),
             qPrintable(QString::number(input->viewport()->height())));
    const auto *send = m_window->findChild<QPushButton *>(QStringLiteral("sendButton"));
    QVERIFY(send);
    QVERIFY(send->height() >= send->sizeHint().height());
    QVERIFY(send->width() >= send->fontMetrics().horizontalAdvance(send->text()));
    // Every shown one-line label has the height of its text.
    for (const QLabel *label : m_window->findChildren<QLabel *>()) {
        if (!label->isVisible() || label->text().isEmpty() || label->wordWrap())
            continue;
        QVERIFY2(label->height() >= label->fontMetrics().height(),
                 qPrintable(label->objectName() + QStringLiteral(": ") + label->text()));
    }
}

int main(int argc, char **argv)
{
    // A 1600x900 screen (offscreen's own is 800x600) at 2x: 800x450 logical pixels.
    QTemporaryDir dir;
    const QString config = dir.filePath(QStringLiteral("screen.json"));
    QFile file(config);
    if (!file.open(QIODevice::WriteOnly))
        return 1;
    file.write(R"({"screens": [{"name": "wide", "x": 0, "y": 0, "width": 1600, "height": 900,
                   "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]})");
    file.close();
    qputenv("QT_QPA_PLATFORM", "offscreen:configfile=" + config.toUtf8());
    qputenv("QT_SCALE_FACTOR", "2");
    QApplication app(argc, argv);
    TestScaledWindow test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_scaledwindow.moc"
