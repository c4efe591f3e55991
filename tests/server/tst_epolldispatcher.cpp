// The server's event loop (eventloop/epolldispatcher.h) against what Qt's own promises: timers,
// socket notifiers, posted events from other threads, nested loops, interruption, and real
// WebSocket traffic. This program's main thread runs on it (servertestmain.h).
#include "eventloop/epolldispatcher.h"
#include "servertestmain.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QSignalSpy>
#include <QSocketNotifier>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryFile>
#include <QThread>
#include <QTimer>
#include <QWebSocket>
#include <QWebSocketServer>
#include <QtTest>

#include <algorithm>
#include <atomic>
#include <functional>
#include <memory>
#include <thread>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using chat::server::EpollDispatcher;

namespace {

// Two connected local sockets, closed at the end of the test.
struct SocketPair
{
    int fds[2] = {-1, -1};
    SocketPair() { ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds); }
    ~SocketPair()
    {
        closeEnd(0);
        closeEnd(1);
    }
    void closeEnd(int end)
    {
        if (fds[end] >= 0)
            ::close(fds[end]);
        fds[end] = -1;
    }
    void write(int end, const char *text) const
    {
        QVERIFY(::write(fds[end], text, strlen(text)) > 0);
    }
    // Writes `text` at end 1 and sees it reported (by `readable`) and read at end 0.
    [[nodiscard]] bool arrives(const char *text, QSignalSpy &readable) const
    {
        write(1, text);
        return readable.wait(2000) && readAll(0) == QByteArray(text);
    }
    QByteArray readAll(int end) const
    {
        char buffer[4096];
        const ssize_t n = ::read(fds[end], buffer, sizeof buffer);
        return n > 0 ? QByteArray(buffer, int(n)) : QByteArray();
    }
};

// Counts its timer events; may stop itself or run a nested loop from the handler.
class TimerCounter : public QObject
{
public:
    int fired = 0;
    int depth = 0;
    int deepest = 0;
    std::function<void(int)> onTimer;

protected:
    void timerEvent(QTimerEvent *event) override
    {
        ++fired;
        ++depth;
        deepest = qMax(deepest, depth);
        if (onTimer)
            onTimer(event->timerId());
        --depth;
    }
};

// Turns the loop for `ms` (a timer's wait, not a sleep): time for something that must not
// happen to show itself.
bool turnLoopFor(int ms)
{
    QTimer later;
    later.setSingleShot(true);
    QSignalSpy fired(&later, &QTimer::timeout);
    later.start(ms);
    return fired.wait(ms + 2000);
}

} // namespace

class EpollDispatcherTest : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QVERIFY2(qobject_cast<EpollDispatcher *>(QAbstractEventDispatcher::instance()),
                 "the test's main thread does not run on EpollDispatcher");
    }

    void singleShotTimerWaitsItsInterval()
    {
        QElapsedTimer clock;
        clock.start();
        QTimer timer;
        timer.setSingleShot(true);
        timer.setTimerType(Qt::PreciseTimer);
        QSignalSpy fired(&timer, &QTimer::timeout);
        timer.start(40);
        QVERIFY(fired.wait(2000));
        QVERIFY2(clock.elapsed() >= 40, qPrintable(QString::number(clock.elapsed())));
        QCOMPARE(fired.size(), 1);
        QVERIFY(!timer.isActive());
    }

    void periodicTimerRepeatsAndStops()
    {
        QTimer timer;
        int count = 0;
        connect(&timer, &QTimer::timeout, this, [&] {
            if (++count == 3)
                timer.stop();
        });
        timer.start(5);
        QTRY_COMPARE(count, 3);
        // Nothing more after stop(): a later timer gives the stopped one time to misfire.
        QVERIFY(turnLoopFor(50));
        QCOMPARE(count, 3);
    }

    void remainingTimeAndRegisteredTimers()
    {
        auto *dispatcher = QAbstractEventDispatcher::instance();
        TimerCounter counter;
        const int id = counter.startTimer(10000, Qt::CoarseTimer);
        QVERIFY(id > 0);
        const int left = dispatcher->remainingTime(id);
        QVERIFY2(left > 9000 && left <= 10000, qPrintable(QString::number(left)));
        const auto timers = dispatcher->registeredTimers(&counter);
        QCOMPARE(timers.size(), 1);
        QCOMPARE(timers.first().timerId, id);
        QCOMPARE(timers.first().interval, 10000);
        QCOMPARE(timers.first().timerType, Qt::CoarseTimer);
        counter.killTimer(id);
        QCOMPARE(dispatcher->remainingTime(id), -1);
        QVERIFY(dispatcher->registeredTimers(&counter).isEmpty());
        QVERIFY(!dispatcher->unregisterTimer(id));
    }

    void timerStoppedByAnEarlierHandlerOfTheSameTurnDoesNotFire()
    {
        // Both due in the same turn; whichever runs first stops the other.
        TimerCounter a;
        TimerCounter b;
        int idA = 0;
        int idB = 0;
        const auto stopBoth = [&](int) {
            if (idA)
                a.killTimer(std::exchange(idA, 0));
            if (idB)
                b.killTimer(std::exchange(idB, 0));
        };
        a.onTimer = stopBoth;
        b.onTimer = stopBoth;
        idA = a.startTimer(0);
        idB = b.startTimer(0);
        QTRY_COMPARE(a.fired + b.fired, 1);
        QVERIFY(turnLoopFor(30));
        QCOMPARE(a.fired + b.fired, 1);
    }

    void zeroTimerDoesNotStarveSockets()
    {
        TimerCounter spinner;
        const int id = spinner.startTimer(0);
        SocketPair pair;
        QSocketNotifier notifier(pair.fds[0], QSocketNotifier::Read);
        QSignalSpy readable(&notifier, &QSocketNotifier::activated);
        QVERIFY(pair.arrives("x", readable));
        QTRY_VERIFY(spinner.fired > 10); // and the zero timer kept firing, once a turn
        spinner.killTimer(id);
    }

    void timerHandlerRunningANestedLoopIsNotReentered()
    {
        TimerCounter counter;
        int id = 0;
        counter.onTimer = [&](int) {
            if (counter.fired > 1)
                return;
            // A nested loop inside the handler: the timer is due again on every turn of it.
            QEventLoop nested;
            QTimer::singleShot(30, &nested, &QEventLoop::quit);
            nested.exec();
        };
        id = counter.startTimer(0);
        QTRY_VERIFY(counter.fired >= 3);
        counter.killTimer(id);
        QCOMPARE(counter.deepest, 1);
    }

    void readNotifierFollowsDataEnableAndHangUp()
    {
        SocketPair pair;
        QSocketNotifier notifier(pair.fds[0], QSocketNotifier::Read);
        QSignalSpy readable(&notifier, &QSocketNotifier::activated);
        QVERIFY(pair.arrives("hello", readable));

        // Disabled: data waits in the kernel; enabled again, it is reported (level-triggered).
        notifier.setEnabled(false);
        readable.clear();
        pair.write(1, "later");
        QVERIFY(turnLoopFor(50));
        QCOMPARE(readable.size(), 0);
        notifier.setEnabled(true);
        QVERIFY(readable.wait(2000));
        QCOMPARE(pair.readAll(0), QByteArray("later"));

        readable.clear();
        pair.closeEnd(1); // the peer hangs up: a read notification (read() then says 0)
        QVERIFY(readable.wait(2000));
        QCOMPARE(pair.readAll(0), QByteArray());
    }

    void writeNotifierAndReadNotifierOnOneSocket()
    {
        SocketPair pair;
        QSocketNotifier reader(pair.fds[0], QSocketNotifier::Read);
        QSocketNotifier writer(pair.fds[0], QSocketNotifier::Write);
        QSignalSpy readable(&reader, &QSocketNotifier::activated);
        QSignalSpy writable(&writer, &QSocketNotifier::activated);
        QVERIFY(writable.wait(2000)); // an empty send buffer is writable at once
        writer.setEnabled(false);     // the read notifier keeps watching
        QVERIFY(pair.arrives("ping", readable));
    }

    void notifierDeletedByAnotherHandlerOfTheSameTurnIsNotActivated()
    {
        SocketPair pair;
        pair.write(1, "data");
        auto *reader = new QSocketNotifier(pair.fds[0], QSocketNotifier::Read);
        auto *writer = new QSocketNotifier(pair.fds[0], QSocketNotifier::Write);
        // Both ready in one turn: whichever runs first deletes the other.
        int activations = 0;
        connect(reader, &QSocketNotifier::activated, this, [&] {
            ++activations;
            delete writer;
            writer = nullptr;
            reader->setEnabled(false);
        });
        connect(writer, &QSocketNotifier::activated, this, [&] {
            ++activations;
            delete reader;
            reader = nullptr;
            writer->setEnabled(false);
        });
        QTRY_COMPARE(activations, 1);
        QVERIFY(turnLoopFor(50));
        QCOMPARE(activations, 1);
        delete reader;
        delete writer;
    }

    void exceptionNotifierSeesUrgentData()
    {
        QTcpServer server;
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        QTcpSocket client;
        client.connectToHost(QHostAddress::LocalHost, server.serverPort());
        QVERIFY(server.waitForNewConnection(5000));
        QTcpSocket *accepted = server.nextPendingConnection();
        QVERIFY(client.waitForConnected(5000));
        QSocketNotifier urgent(accepted->socketDescriptor(), QSocketNotifier::Exception);
        QSignalSpy fired(&urgent, &QSocketNotifier::activated);
        const char byte = '!';
        QCOMPARE(::send(int(client.socketDescriptor()), &byte, 1, MSG_OOB), 1);
        QVERIFY(fired.wait(2000));
        urgent.setEnabled(false);
    }

    void regularFileIsAlwaysReadyAsWithPoll()
    {
        QTemporaryFile file;
        QVERIFY(file.open());
        file.write("contents");
        file.flush();
        QSocketNotifier notifier(file.handle(), QSocketNotifier::Read);
        QSignalSpy ready(&notifier, &QSocketNotifier::activated);
        QVERIFY(ready.wait(2000));
        notifier.setEnabled(false);
        // And nothing is left behind that would make the loop spin or fire a deleted notifier.
        QVERIFY(turnLoopFor(20));
    }

    void eventsPostedFromAnotherThreadWakeTheLoop()
    {
        int calls = 0;
        QObject receiver;
        std::thread poster([&] {
            for (int i = 0; i < 100; ++i)
                QMetaObject::invokeMethod(
                    &receiver, [&] { ++calls; }, Qt::QueuedConnection);
        });
        poster.join();
        QTRY_COMPARE(calls, 100);
    }

    void interruptEndsABlockedWait()
    {
        // No timer, no socket: only interrupt() from another thread can end this wait.
        auto *dispatcher = QAbstractEventDispatcher::instance();
        std::thread interrupter([dispatcher] { dispatcher->interrupt(); });
        dispatcher->processEvents(QEventLoop::WaitForMoreEvents);
        interrupter.join();
    }

    void excludedSocketsWaitForALaterTurn()
    {
        SocketPair pair;
        QSocketNotifier notifier(pair.fds[0], QSocketNotifier::Read);
        QSignalSpy readable(&notifier, &QSocketNotifier::activated);
        pair.write(1, "x");
        QCoreApplication::processEvents(QEventLoop::ExcludeSocketNotifiers);
        QCOMPARE(readable.size(), 0);
        QVERIFY(readable.wait(2000));
    }

    void timersOfAnObjectMoveWithItToAnotherThread()
    {
        QThread worker;
        worker.setEventDispatcher(new EpollDispatcher);
        worker.start();
        auto *timer = new QTimer;
        timer->setSingleShot(true);
        std::atomic<QThread *> firedIn{nullptr};
        connect(
            timer, &QTimer::timeout, timer, [&firedIn] { firedIn = QThread::currentThread(); },
            Qt::DirectConnection);
        timer->start(30);
        timer->moveToThread(&worker); // running: Qt takes it from this loop to the worker's
        QVERIFY(QAbstractEventDispatcher::instance()->registeredTimers(timer).isEmpty());
        QTRY_COMPARE(firedIn.load(), &worker);
        timer->deleteLater(); // in the worker, before its loop ends
        worker.quit();
        QVERIFY(worker.wait(5000));
    }

    void webSocketsTalkOverIt()
    {
        QWebSocketServer server(QStringLiteral("test"), QWebSocketServer::NonSecureMode);
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        std::vector<std::unique_ptr<QWebSocket>> accepted;
        connect(&server, &QWebSocketServer::newConnection, this, [&] {
            while (QWebSocket *socket = server.nextPendingConnection()) {
                accepted.emplace_back(socket);
                connect(socket, &QWebSocket::textMessageReceived, socket,
                        [socket](const QString &text) {
                            socket->sendTextMessage(text + QStringLiteral("!"));
                        });
            }
        });
        constexpr int kClients = 200;
        std::vector<std::unique_ptr<QWebSocket>> clients;
        int echoes = 0;
        for (int i = 0; i < kClients; ++i) {
            auto client = std::make_unique<QWebSocket>();
            QWebSocket *raw = client.get();
            connect(raw, &QWebSocket::connected, raw,
                    [raw, i] { raw->sendTextMessage(QString::number(i)); });
            connect(raw, &QWebSocket::textMessageReceived, raw, [&echoes, i](const QString &text) {
                if (text == QString::number(i) + QStringLiteral("!"))
                    ++echoes;
            });
            raw->open(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(server.serverPort())));
            clients.push_back(std::move(client));
        }
        QTRY_COMPARE_WITH_TIMEOUT(echoes, kClients, 20000);
        clients.clear(); // the server's sockets see their peers leave
        QTRY_VERIFY_WITH_TIMEOUT(std::all_of(accepted.begin(), accepted.end(),
                                             [](const auto &socket) {
                                                 return socket->state() ==
                                                        QAbstractSocket::UnconnectedState;
                                             }),
                                 20000);
    }
};

CHAT_SERVER_TEST_MAIN(EpollDispatcherTest)

#include "tst_epolldispatcher.moc"
