// Many deadlines of one length, kept in the order they were set, behind one timer. A QTimer per
// connection costs O(n) to start and to stop (Qt keeps its timers in one sorted list), which made
// a storm of 20,000 connections quadratic; here setting a deadline is O(1), and as every entry has
// the same length, the front of the queue is always the next one due.
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <deque>

namespace chat::server {

class DeadlineQueue : public QObject
{
    Q_OBJECT
public:
    explicit DeadlineQueue(int timeoutMs, QObject *parent = nullptr);

    [[nodiscard]] int timeoutMs() const { return m_timeoutMs; }
    // `target` is reported through expired() timeoutMs from now, unless it was destroyed first.
    // The owner checks at that point whether the deadline still matters (a finished handshake,
    // a session that has logged in): there is no way, and no need, to cancel one.
    void add(QObject *target);
    [[nodiscard]] int size() const { return int(m_entries.size()); }

signals:
    void expired(QObject *target);

private:
    void onTimeout();
    void arm();

    struct Entry
    {
        qint64 dueMs;
        QPointer<QObject> target;
    };
    int m_timeoutMs;
    QElapsedTimer m_clock;
    QTimer m_timer;
    std::deque<Entry> m_entries;
};

} // namespace chat::server
