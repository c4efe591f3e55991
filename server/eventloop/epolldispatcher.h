// The server's event loop on Linux: Qt's own dispatcher calls poll() over every watched
// descriptor on every turn and then walks them all again for results, so with 10,000 or 20,000
// connections each turn costs O(connections) however few of them have something to say
// (docs/performance.md, scenarios (i) and (j)). Here the kernel keeps the interest set (epoll)
// and a turn costs what is ready. Timers sit in a set ordered by deadline (O(log n) to start
// and stop), posted events are Qt's own (QCoreApplication::sendPostedEvents).
//
// Semantics follow QEventDispatcherUNIX: level-triggered notifiers (read also on hang-up and
// error, write also on error and hang-up, exception on urgent data), a notifier disabled or
// deleted during a turn is not activated later in that turn, a timer fires at most once per
// turn and never inside its own handler, a zero timer fires on every turn. It is installed
// for the main thread by main.cpp (CHAT_EVENT_DISPATCHER=qt keeps Qt's).
#pragma once

#include <QAbstractEventDispatcher>
#include <QAtomicInt>
#include <QSocketNotifier>

#include <array>
#include <set>
#include <unordered_map>
#include <utility>
#include <vector>

struct epoll_event;

namespace chat::server {

class EpollDispatcher : public QAbstractEventDispatcher
{
    Q_OBJECT
public:
    explicit EpollDispatcher(QObject *parent = nullptr);
    ~EpollDispatcher() override;

    // For main(), before the application object: the main thread's loop runs on epoll unless
    // CHAT_EVENT_DISPATCHER=qt asks for Qt's own (then QT_NO_GLIB picks Qt's poll() loop).
    static void installForMainThread();

    // False when the kernel refused an epoll instance or an eventfd (then do not install it).
    [[nodiscard]] bool isValid() const { return m_epoll >= 0 && m_wakeFd >= 0; }

    bool processEvents(QEventLoop::ProcessEventsFlags flags) override;

    void registerSocketNotifier(QSocketNotifier *notifier) override;
    void unregisterSocketNotifier(QSocketNotifier *notifier) override;

    void registerTimer(int timerId, qint64 interval, Qt::TimerType timerType,
                       QObject *object) override;
    bool unregisterTimer(int timerId) override;
    bool unregisterTimers(QObject *object) override;
    QList<TimerInfo> registeredTimers(QObject *object) const override;
    int remainingTime(int timerId) override;

    void wakeUp() override;
    void interrupt() override;

private:
    struct Watch
    {
        std::array<QSocketNotifier *, 3> notifiers{}; // by QSocketNotifier::Type
        bool inEpoll = false;
        bool alwaysReady = false; // a regular file: epoll refuses it, poll() calls it ready
    };
    struct Timer
    {
        qint64 intervalMs = 0;
        Qt::TimerType type = Qt::CoarseTimer;
        QObject *object = nullptr;
        qint64 deadlineNs = 0;
        bool inHandler = false;
    };

    void updateInterest(int fd, Watch &watch);
    int waitTimeoutMs(bool mayWait) const;
    int activateNotifiers(const epoll_event *events, int ready);
    int activateAlwaysReady();
    bool activate(int fd, QSocketNotifier::Type type);
    int activateTimers();
    void drainWakeUps();
    static qint64 intervalFor(qint64 intervalMs, Qt::TimerType type);

    int m_epoll = -1;
    int m_wakeFd = -1;
    QAtomicInt m_wakeUps;
    QAtomicInt m_interrupted;
    std::unordered_map<int, Watch> m_watches;
    std::vector<int> m_alwaysReady;
    std::unordered_map<int, Timer> m_timers;
    std::set<std::pair<qint64, int>> m_deadlines; // (deadline in ns, timer id)
};

} // namespace chat::server
