// DeadlineQueue: many deadlines of one length behind one timer (the hello and handshake
// deadlines of every connection).
#include "transport/deadlinequeue.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using chat::server::DeadlineQueue;

class TestDeadlineQueue : public QObject
{
    Q_OBJECT
private slots:
    void reportsInOrderAfterTheTimeout();
    void forgetsWhatWasDestroyed();
    void aReceiverMayAddAgain();
};

void TestDeadlineQueue::reportsInOrderAfterTheTimeout()
{
    DeadlineQueue queue(150);
    QObject first, second, third;
    QList<QObject *> order;
    QList<qint64> afterMs;
    QElapsedTimer clock;
    clock.start();
    connect(&queue, &DeadlineQueue::expired, this, [&](QObject *target) {
        order.append(target);
        afterMs.append(clock.elapsed());
    });
    queue.add(&first);
    QTest::qWait(40); // apart in time, so the second is due later than the first
    const qint64 secondAddedAt = clock.elapsed();
    queue.add(&second);
    queue.add(&third);
    QCOMPARE(queue.size(), 3);
    QTRY_COMPARE(order.size(), 3);
    QCOMPARE(order, (QList<QObject *>{&first, &second, &third}));
    // Never early (a coarse timer may fire up to 5 % late, never before).
    QVERIFY2(afterMs.at(0) >= 150, qPrintable(QString::number(afterMs.at(0))));
    QVERIFY2(afterMs.at(1) >= secondAddedAt + 150, qPrintable(QString::number(afterMs.at(1))));
    QCOMPARE(queue.size(), 0);
}

void TestDeadlineQueue::forgetsWhatWasDestroyed()
{
    DeadlineQueue queue(50);
    QSignalSpy expired(&queue, &DeadlineQueue::expired);
    auto gone = std::make_unique<QObject>();
    QObject kept;
    queue.add(gone.get());
    queue.add(&kept);
    gone.reset();
    QVERIFY(expired.wait());
    QCOMPARE(expired.count(), 1);
    QCOMPARE(expired.at(0).at(0).value<QObject *>(), &kept);
}

void TestDeadlineQueue::aReceiverMayAddAgain()
{
    // A connection whose hello waits unread gets another round: added from the slot itself.
    DeadlineQueue queue(30);
    QObject target;
    int rounds = 0;
    connect(&queue, &DeadlineQueue::expired, this, [&](QObject *t) {
        if (++rounds < 3)
            queue.add(t);
    });
    queue.add(&target);
    QTRY_COMPARE(rounds, 3);
    QCOMPARE(queue.size(), 0);
}

QTEST_GUILESS_MAIN(TestDeadlineQueue)
#include "tst_deadlinequeue.moc"
