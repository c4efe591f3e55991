// PasswordHasher: Argon2id through libsodium on worker threads, results back on the hasher's
// thread, a bounded queue that refuses at once, and no callback after destruction.
#include "accounts/passwordhasher.h"

#include <QElapsedTimer>
#include <QPointer>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <sodium.h>

#include <optional>

using chat::server::PasswordHasher;
using Verdict = PasswordHasher::Verdict;

namespace {

constexpr int kWait = 10000; // ms; one hash takes about 50 to 100

// Hash and verify, waiting for the result; a failure leaves `result` empty (and is reported).
void hashOf(PasswordHasher &hasher, const QByteArray &password, QByteArray &result)
{
    bool done = false;
    QVERIFY(hasher.hash(password, [&](const QByteArray &hash) {
        result = hash;
        done = true;
    }));
    QTRY_VERIFY_WITH_TIMEOUT(done, kWait);
}

void expectVerdict(PasswordHasher &hasher, const QByteArray &hash, const QByteArray &password,
                   Verdict expected)
{
    std::optional<Verdict> result;
    QVERIFY(hasher.verify(hash, password, [&](Verdict verdict) { result = verdict; }));
    QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), kWait);
    QCOMPARE(*result, expected);
}

} // namespace

class PasswordHasherTest : public QObject
{
    Q_OBJECT
private slots:
    void hashThenVerify();
    void wrongPasswordIsNoMatch();
    void weakerHashNeedsRehash();
    void unreadableHashIsError();
    void callbackRunsOnHasherThread();
    void eventLoopKeepsTurning();
    void fullQueueRefusesAtOnce();
    void destroyedWithWorkPendingCallsNothing();
};

void PasswordHasherTest::hashThenVerify()
{
    PasswordHasher hasher(2, 4);
    QByteArray hash;
    hashOf(hasher, "correct horse battery staple", hash);
    QVERIFY(hash.startsWith("$argon2id$"));
    expectVerdict(hasher, hash, "correct horse battery staple", Verdict::Match);
    // Salted: the same password never gives the same string twice.
    QByteArray again;
    hashOf(hasher, "correct horse battery staple", again);
    QVERIFY(!again.isEmpty());
    QVERIFY(again != hash);
    QCOMPARE(hasher.inFlight(), 0);
}

void PasswordHasherTest::wrongPasswordIsNoMatch()
{
    PasswordHasher hasher(2, 4);
    QByteArray hash;
    hashOf(hasher, "secret", hash);
    QVERIFY(!hash.isEmpty());
    expectVerdict(hasher, hash, "Secret", Verdict::NoMatch);
    expectVerdict(hasher, hash, "", Verdict::NoMatch);
}

void PasswordHasherTest::weakerHashNeedsRehash()
{
    PasswordHasher hasher(2, 4); // initialises libsodium
    const QByteArray password = "old password";
    char weak[crypto_pwhash_STRBYTES];
    QCOMPARE(crypto_pwhash_str(weak, password.constData(), size_t(password.size()),
                               crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN),
             0);
    expectVerdict(hasher, weak, password, Verdict::MatchNeedsRehash);
    expectVerdict(hasher, weak, "other password", Verdict::NoMatch);
}

void PasswordHasherTest::unreadableHashIsError()
{
    PasswordHasher hasher(1, 0);
    expectVerdict(hasher, "", "x", Verdict::Error);
    expectVerdict(hasher, "plaintext", "plaintext", Verdict::Error);
    expectVerdict(hasher, "$argon2id$v=19$m=65536,t=2,p=1$broken", "x", Verdict::Error);
}

void PasswordHasherTest::callbackRunsOnHasherThread()
{
    PasswordHasher hasher(2, 4);
    QThread *calledOn = nullptr;
    QVERIFY(hasher.hash("pw", [&](const QByteArray &) { calledOn = QThread::currentThread(); }));
    QTRY_VERIFY_WITH_TIMEOUT(calledOn != nullptr, kWait);
    QCOMPARE(calledOn, QThread::currentThread());
    QCOMPARE(calledOn, hasher.thread());

    QByteArray hash;
    hashOf(hasher, "pw", hash);
    calledOn = nullptr;
    QVERIFY(hasher.verify(hash, "pw", [&](Verdict) { calledOn = QThread::currentThread(); }));
    QTRY_VERIFY_WITH_TIMEOUT(calledOn != nullptr, kWait);
    QCOMPARE(calledOn, QThread::currentThread());
}

void PasswordHasherTest::eventLoopKeepsTurning()
{
    PasswordHasher hasher(2, 0);
    int ticks = 0;
    int ticksBeforeFirstResult = -1;
    int done = 0;
    QTimer timer;
    timer.setInterval(10);
    QObject::connect(&timer, &QTimer::timeout, [&] { ++ticks; });
    timer.start();
    auto finished = [&](const QByteArray &hash) {
        QVERIFY(!hash.isEmpty());
        if (ticksBeforeFirstResult < 0)
            ticksBeforeFirstResult = ticks;
        ++done;
    };
    QVERIFY(hasher.hash("one", finished));
    QVERIFY(hasher.hash("two", finished));
    QTRY_COMPARE_WITH_TIMEOUT(done, 2, kWait);
    // Hashing on the event loop would let the timer fire once at most before the first result.
    QVERIFY2(ticksBeforeFirstResult >= 3, qPrintable(QString::number(ticksBeforeFirstResult)));
}

void PasswordHasherTest::fullQueueRefusesAtOnce()
{
    PasswordHasher hasher(1, 2);
    QCOMPARE(hasher.capacity(), 3);
    QList<QByteArray> results;
    auto collect = [&](const QByteArray &hash) {
        results.append(hash);
    };
    QVERIFY(hasher.hash("a", collect));
    QVERIFY(hasher.hash("b", collect));
    QVERIFY(hasher.hash("c", collect));
    QCOMPARE(hasher.inFlight(), 3);

    // Refused without waiting: nothing has been delivered in between (that takes the event loop).
    bool called = false;
    QVERIFY(!hasher.hash("d", [&](const QByteArray &) { called = true; }));
    QVERIFY(!hasher.verify("$argon2id$whatever", "d", [&](Verdict) { called = true; }));
    QCOMPARE(hasher.inFlight(), 3);

    QTRY_COMPARE_WITH_TIMEOUT(results.size(), 3, kWait);
    for (const QByteArray &hash : std::as_const(results))
        QVERIFY(hash.startsWith("$argon2id$"));
    QCOMPARE(hasher.inFlight(), 0);
    QVERIFY(!called);
    // Room again once they are done.
    QByteArray hash;
    hashOf(hasher, "e", hash);
    QVERIFY(!hash.isEmpty());
}

void PasswordHasherTest::destroyedWithWorkPendingCallsNothing()
{
    int calls = 0;
    auto *hasher = new PasswordHasher(1, 3);
    QPointer<PasswordHasher> guard(hasher);
    for (int i = 0; i < 4; ++i)
        QVERIFY(hasher->hash("pending", [&](const QByteArray &) { ++calls; }));
    QElapsedTimer destruction;
    destruction.start();
    // One hash runs, three wait. The destructor drops those and waits for that one, whose result
    // is posted to the hasher meanwhile: it must be dropped with it.
    delete hasher;
    // It waited for the running hash only.
    QCOMPARE_LT(destruction.elapsed(), 2000);
    QVERIFY(guard.isNull());
    QCoreApplication::sendPostedEvents();
    QCoreApplication::processEvents();
    QCOMPARE(calls, 0);
}

QTEST_GUILESS_MAIN(PasswordHasherTest)
#include "tst_passwordhasher.moc"
