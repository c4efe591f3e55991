#include "backoff.h"

#include <QTest>

#include <limits>

using chat::client::Backoff;

namespace {
Backoff::RandomSource constant(double value)
{
    return [value] {
        return value;
    };
}
} // namespace

class TestBackoff : public QObject
{
    Q_OBJECT
private slots:
    void growth_data();
    void growth();
    void jitterBounds_data();
    void jitterBounds();
    void defaultsStayWithinBounds();
    void reset();
    void brokenRandomSourceIsClamped();
};

void TestBackoff::growth_data()
{
    QTest::addColumn<int>("initialMs");
    QTest::addColumn<int>("maxMs");
    QTest::addColumn<QList<int>>("expected");

    QTest::addRow("defaults double up to the cap")
        << 1000 << 30000 << QList<int>{1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000};
    QTest::addRow("small test values") << 50 << 400 << QList<int>{50, 100, 200, 400, 400};
    QTest::addRow("cap below the second step") << 100 << 150 << QList<int>{100, 150, 150};
    QTest::addRow("cap equal to initial") << 500 << 500 << QList<int>{500, 500, 500};
    QTest::addRow("cap below initial is raised") << 500 << 100 << QList<int>{500, 500};
}

void TestBackoff::growth()
{
    QFETCH(int, initialMs);
    QFETCH(int, maxMs);
    QFETCH(QList<int>, expected);

    Backoff backoff(initialMs, maxMs, constant(0.5)); // 0.5: no jitter
    QList<int> delays;
    for (qsizetype i = 0; i < expected.size(); ++i)
        delays.append(backoff.nextDelayMs());
    QCOMPARE(delays, expected);
    QCOMPARE(backoff.attempts(), int(expected.size()));
}

void TestBackoff::jitterBounds_data()
{
    QTest::addColumn<double>("random");
    QTest::addColumn<int>("firstMs");
    QTest::addColumn<int>("cappedMs");

    QTest::addRow("lowest") << 0.0 << 800 << 24000;
    QTest::addRow("middle") << 0.5 << 1000 << 30000;
    QTest::addRow("highest") << 0.999999 << 1200 << 36000;
    QTest::addRow("quarter") << 0.25 << 900 << 27000;
}

void TestBackoff::jitterBounds()
{
    QFETCH(double, random);
    QFETCH(int, firstMs);
    QFETCH(int, cappedMs);

    Backoff backoff(1000, 30000, constant(random));
    QCOMPARE(backoff.nextDelayMs(), firstMs);
    for (int i = 0; i < 10; ++i)
        (void)backoff.nextDelayMs();
    QCOMPARE(backoff.nextDelayMs(), cappedMs);
}

void TestBackoff::defaultsStayWithinBounds()
{
    Backoff backoff; // the real random source
    QCOMPARE(backoff.floorMs(), 800);
    QCOMPARE(backoff.ceilingMs(), 36000);
    for (int i = 0; i < 200; ++i) {
        const int delay = backoff.nextDelayMs();
        QVERIFY2(delay >= backoff.floorMs() && delay <= backoff.ceilingMs(),
                 qPrintable(QString::number(delay)));
    }
}

void TestBackoff::reset()
{
    Backoff backoff(50, 400, constant(0.5));
    QCOMPARE(backoff.nextDelayMs(), 50);
    QCOMPARE(backoff.nextDelayMs(), 100);
    QCOMPARE(backoff.nextDelayMs(), 200);
    backoff.reset();
    QCOMPARE(backoff.attempts(), 0);
    QCOMPARE(backoff.nextDelayMs(), 50);
    QCOMPARE(backoff.nextDelayMs(), 100);
}

void TestBackoff::brokenRandomSourceIsClamped()
{
    Backoff high(1000, 30000, constant(7.0));
    QCOMPARE(high.nextDelayMs(), 1200);
    Backoff low(1000, 30000, constant(-3.0));
    QCOMPARE(low.nextDelayMs(), 800);
    Backoff nan(1000, 30000, constant(std::numeric_limits<double>::quiet_NaN()));
    QCOMPARE(nan.nextDelayMs(), 1000);
}

QTEST_GUILESS_MAIN(TestBackoff)
#include "tst_backoff.moc"
