#include "eventloop/epolldispatcher.h"

#include <QCoreApplication>
#include <QSocketNotifier>
#include <QTimerEvent>
#include <QtDebug>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <ctime>

#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace chat::server {

namespace {

constexpr int kMaxEventsPerTurn = 1024;
constexpr qint64 kNsPerMs = 1000000;

qint64 nowNs()
{
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return qint64(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

quint32 interestOf(const std::array<QSocketNotifier *, 3> &notifiers)
{
    quint32 events = 0;
    if (notifiers[QSocketNotifier::Read])
        events |= EPOLLIN;
    if (notifiers[QSocketNotifier::Write])
        events |= EPOLLOUT;
    if (notifiers[QSocketNotifier::Exception])
        events |= EPOLLPRI;
    return events;
}

} // namespace

EpollDispatcher::EpollDispatcher(QObject *parent)
    : QAbstractEventDispatcher(parent)
    , m_epoll(epoll_create1(EPOLL_CLOEXEC))
    , m_wakeFd(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK))
{
    if (m_epoll < 0 || m_wakeFd < 0) {
        qWarning("EpollDispatcher: no epoll instance or eventfd: %s", std::strerror(errno));
        return;
    }
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.fd = m_wakeFd;
    if (epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_wakeFd, &event) != 0) {
        qWarning("EpollDispatcher: cannot watch its eventfd: %s", std::strerror(errno));
        ::close(m_wakeFd);
        m_wakeFd = -1;
    }
}

void EpollDispatcher::installForMainThread()
{
    if (qEnvironmentVariable("CHAT_EVENT_DISPATCHER") == QLatin1String("qt"))
        return;
    auto *dispatcher = new EpollDispatcher;
    if (!dispatcher->isValid()) {
        delete dispatcher; // Qt's own then: slower with many connections, but it works
        return;
    }
    QCoreApplication::setEventDispatcher(dispatcher);
}

EpollDispatcher::~EpollDispatcher()
{
    if (m_wakeFd >= 0)
        ::close(m_wakeFd);
    if (m_epoll >= 0)
        ::close(m_epoll);
}

// --- socket notifiers ---------------------------------------------------------------------------

void EpollDispatcher::registerSocketNotifier(QSocketNotifier *notifier)
{
    const int fd = int(notifier->socket());
    const int type = int(notifier->type());
    if (fd < 0 || type < 0 || type > 2)
        return;
    Watch &watch = m_watches[fd];
    if (watch.notifiers[type] && watch.notifiers[type] != notifier)
        qWarning("EpollDispatcher: a second %s notifier for socket %d replaces the first",
                 type == QSocketNotifier::Read    ? "read"
                 : type == QSocketNotifier::Write ? "write"
                                                  : "exception",
                 fd);
    watch.notifiers[type] = notifier;
    updateInterest(fd, watch);
}

void EpollDispatcher::unregisterSocketNotifier(QSocketNotifier *notifier)
{
    const int fd = int(notifier->socket());
    const int type = int(notifier->type());
    const auto it = m_watches.find(fd);
    if (it == m_watches.end() || type < 0 || type > 2 || it->second.notifiers[type] != notifier)
        return;
    it->second.notifiers[type] = nullptr;
    updateInterest(fd, it->second);
    if (!it->second.inEpoll && !it->second.alwaysReady)
        m_watches.erase(it);
}

void EpollDispatcher::updateInterest(int fd, Watch &watch)
{
    const quint32 interest = interestOf(watch.notifiers);
    if (watch.alwaysReady) {
        if (interest == 0) {
            watch.alwaysReady = false;
            m_alwaysReady.erase(std::remove(m_alwaysReady.begin(), m_alwaysReady.end(), fd),
                                m_alwaysReady.end());
        }
        return;
    }
    epoll_event event{};
    event.events = interest;
    event.data.fd = fd;
    if (interest == 0) {
        // The descriptor may already be closed (the kernel then dropped it from the set).
        if (watch.inEpoll)
            epoll_ctl(m_epoll, EPOLL_CTL_DEL, fd, &event);
        watch.inEpoll = false;
        return;
    }
    if (epoll_ctl(m_epoll, watch.inEpoll ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &event) == 0) {
        watch.inEpoll = true;
        return;
    }
    if (errno == ENOENT && watch.inEpoll) {
        // Closed and reopened under the same number without our knowing: watch it anew.
        if (epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &event) == 0)
            return;
    } else if (errno == EEXIST && !watch.inEpoll) {
        if (epoll_ctl(m_epoll, EPOLL_CTL_MOD, fd, &event) == 0) {
            watch.inEpoll = true;
            return;
        }
    }
    if (errno == EPERM) {
        // Regular files and directories: poll() reports them always ready, and so do we.
        watch.inEpoll = false;
        watch.alwaysReady = true;
        m_alwaysReady.push_back(fd);
        return;
    }
    qWarning("EpollDispatcher: cannot watch socket %d: %s", fd, std::strerror(errno));
    watch.inEpoll = false;
}

bool EpollDispatcher::activate(int fd, QSocketNotifier::Type type)
{
    // Looked up again for every activation: an earlier handler of this turn may have disabled
    // or deleted this notifier (and then it must not run).
    const auto it = m_watches.find(fd);
    if (it == m_watches.end())
        return false;
    QSocketNotifier *notifier = it->second.notifiers[type];
    if (!notifier)
        return false;
    QEvent event(QEvent::SockAct);
    QCoreApplication::sendEvent(notifier, &event);
    return true;
}

int EpollDispatcher::activateNotifiers(const epoll_event *events, int ready)
{
    int activated = 0;
    for (int i = 0; i < ready; ++i) {
        const int fd = events[i].data.fd;
        const quint32 what = events[i].events;
        if (fd == m_wakeFd)
            continue;
        if (what & (EPOLLIN | EPOLLHUP | EPOLLERR))
            activated += activate(fd, QSocketNotifier::Read);
        if (what & (EPOLLOUT | EPOLLHUP | EPOLLERR))
            activated += activate(fd, QSocketNotifier::Write);
        if (what & (EPOLLPRI | EPOLLHUP | EPOLLERR))
            activated += activate(fd, QSocketNotifier::Exception);
    }
    return activated;
}

int EpollDispatcher::activateAlwaysReady()
{
    int activated = 0;
    const std::vector<int> fds = m_alwaysReady; // handlers may change the list
    for (int fd : fds) {
        activated += activate(fd, QSocketNotifier::Read);
        activated += activate(fd, QSocketNotifier::Write);
    }
    return activated;
}

// --- timers -------------------------------------------------------------------------------------

qint64 EpollDispatcher::intervalFor(qint64 intervalMs, Qt::TimerType type)
{
    // Qt's very coarse timers have whole seconds; precise and coarse ones are kept to the
    // millisecond here (a coarse timer may be late by 5 % in Qt: being on time is within that).
    if (type == Qt::VeryCoarseTimer && intervalMs > 0)
        return qMax<qint64>(1000, (intervalMs + 500) / 1000 * 1000);
    return qMax<qint64>(0, intervalMs);
}

void EpollDispatcher::registerTimer(int timerId, qint64 interval, Qt::TimerType timerType,
                                    QObject *object)
{
    if (timerId <= 0 || !object)
        return;
    unregisterTimer(timerId);
    Timer timer;
    timer.intervalMs = interval;
    timer.type = timerType;
    timer.object = object;
    timer.deadlineNs = nowNs() + intervalFor(interval, timerType) * kNsPerMs;
    m_deadlines.emplace(timer.deadlineNs, timerId);
    m_timers.emplace(timerId, timer);
}

bool EpollDispatcher::unregisterTimer(int timerId)
{
    const auto it = m_timers.find(timerId);
    if (it == m_timers.end())
        return false;
    m_deadlines.erase({it->second.deadlineNs, timerId});
    m_timers.erase(it);
    return true;
}

bool EpollDispatcher::unregisterTimers(QObject *object)
{
    bool any = false;
    for (auto it = m_timers.begin(); it != m_timers.end();) {
        if (it->second.object == object) {
            m_deadlines.erase({it->second.deadlineNs, it->first});
            it = m_timers.erase(it);
            any = true;
        } else {
            ++it;
        }
    }
    return any;
}

QList<QAbstractEventDispatcher::TimerInfo> EpollDispatcher::registeredTimers(QObject *object) const
{
    QList<TimerInfo> timers;
    for (const auto &[id, timer] : m_timers) {
        if (timer.object == object)
            timers.append(TimerInfo(id, int(timer.intervalMs), timer.type));
    }
    return timers;
}

int EpollDispatcher::remainingTime(int timerId)
{
    const auto it = m_timers.find(timerId);
    if (it == m_timers.end())
        return -1;
    const qint64 leftNs = it->second.deadlineNs - nowNs();
    return leftNs <= 0 ? 0 : int(qMin<qint64>(INT_MAX, (leftNs + kNsPerMs - 1) / kNsPerMs));
}

int EpollDispatcher::activateTimers()
{
    const qint64 now = nowNs();
    // The timers due now, taken first: one that a handler starts or restarts waits for the next
    // turn, so a zero timer cannot keep this turn from ending.
    std::vector<int> due;
    for (auto it = m_deadlines.begin(); it != m_deadlines.end() && it->first <= now; ++it)
        due.push_back(it->second);
    int fired = 0;
    for (int id : due) {
        auto it = m_timers.find(id);
        if (it == m_timers.end() || it->second.deadlineNs > now || it->second.inHandler)
            continue;
        Timer &timer = it->second;
        // Next deadline before the handler runs, which may stop, restart or delete it. A timer
        // that fell behind (a long turn) skips the missed intervals, as Qt's does.
        m_deadlines.erase({timer.deadlineNs, id});
        const qint64 intervalNs = intervalFor(timer.intervalMs, timer.type) * kNsPerMs;
        timer.deadlineNs += intervalNs;
        if (timer.deadlineNs < now)
            timer.deadlineNs = now + intervalNs;
        m_deadlines.emplace(timer.deadlineNs, id);
        timer.inHandler = true;
        QObject *object = timer.object;
        QTimerEvent event(id);
        QCoreApplication::sendEvent(object, &event);
        ++fired;
        it = m_timers.find(id); // the handler may have stopped it
        if (it != m_timers.end())
            it->second.inHandler = false;
    }
    return fired;
}

// --- the loop -----------------------------------------------------------------------------------

void EpollDispatcher::wakeUp()
{
    // Any thread: posting an event wakes its receiver's thread this way. One write until the
    // loop has read it.
    if (m_wakeUps.testAndSetAcquire(0, 1)) {
        const quint64 one = 1;
        while (::write(m_wakeFd, &one, sizeof one) < 0 && errno == EINTR) {
        }
    }
}

void EpollDispatcher::interrupt()
{
    m_interrupted.storeRelease(1);
    wakeUp();
}

void EpollDispatcher::drainWakeUps()
{
    quint64 count = 0;
    while (::read(m_wakeFd, &count, sizeof count) < 0 && errno == EINTR) {
    }
    m_wakeUps.storeRelease(0);
}

int EpollDispatcher::waitTimeoutMs(bool mayWait) const
{
    if (!mayWait || !m_alwaysReady.empty())
        return 0;
    if (m_deadlines.empty())
        return -1;
    const qint64 leftNs = m_deadlines.begin()->first - nowNs();
    if (leftNs <= 0)
        return 0;
    return int(qMin<qint64>(INT_MAX, (leftNs + kNsPerMs - 1) / kNsPerMs));
}

bool EpollDispatcher::processEvents(QEventLoop::ProcessEventsFlags flags)
{
    m_interrupted.storeRelaxed(0);
    emit awake();
    QCoreApplication::sendPostedEvents();

    const bool withTimers = !(flags & QEventLoop::X11ExcludeTimers);
    const bool withNotifiers = !(flags & QEventLoop::ExcludeSocketNotifiers);
    const bool mayWait = (flags & QEventLoop::WaitForMoreEvents) && !m_interrupted.loadAcquire();
    if (mayWait)
        emit aboutToBlock();
    if (m_interrupted.loadAcquire())
        return false;

    int timeoutMs = waitTimeoutMs(mayWait);
    if (timeoutMs != 0 && !withTimers)
        timeoutMs = -1; // only something other than a timer may end this wait
    int handled = 0;
    if (!withNotifiers) {
        // Sockets stay out of this turn: wait for a wake-up (or a timer) alone. Their readiness
        // stays with the kernel (level-triggered) for a later turn.
        pollfd wake{m_wakeFd, POLLIN, 0};
        if (::poll(&wake, 1, timeoutMs) > 0) {
            drainWakeUps();
            ++handled;
        }
    } else {
        // On the stack: a handler may run a nested event loop, which comes through here again.
        epoll_event events[kMaxEventsPerTurn];
        int ready = epoll_wait(m_epoll, events, kMaxEventsPerTurn, timeoutMs);
        if (ready < 0) {
            if (errno != EINTR)
                qWarning("EpollDispatcher: epoll_wait: %s", std::strerror(errno));
            ready = 0;
        }
        for (int i = 0; i < ready; ++i) {
            if (events[i].data.fd == m_wakeFd) {
                drainWakeUps();
                ++handled;
            }
        }
        handled += activateNotifiers(events, ready);
        handled += activateAlwaysReady();
    }
    if (withTimers)
        handled += activateTimers();
    return handled > 0;
}

} // namespace chat::server
