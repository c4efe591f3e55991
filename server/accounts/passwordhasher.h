// Argon2id password hashing (libsodium, interactive limits) for the accounts of issue 10, off the
// event loop: a fixed number of worker threads and a bounded queue in front of them. A request
// that finds the pool and the queue full is refused at once ("busy, try again"), so a flood of
// logins never holds more than workers + maxQueued passwords, nor more than workers x 64 MiB.
#pragma once

#include <QByteArray>
#include <QObject>
#include <QThreadPool>

#include <atomic>
#include <functional>
#include <memory>

namespace chat::server {

class PasswordHasher : public QObject
{
    Q_OBJECT
public:
    enum class Verdict {
        Match,
        MatchNeedsRehash, // right password, but the hash has other limits or algorithm: hash again
        NoMatch,
        Error, // not a hash libsodium can read, or libsodium could not start
    };
    Q_ENUM(Verdict)

    // Interactive: libsodium's interactive limits (64 MiB, about 50 to 100 ms a hash).
    // Minimum: its minimum limits, for tests and benchmarks only: cheap to guess.
    enum class Strength { Interactive, Minimum };

    // At most `workers` hashes run at once and `maxQueued` more wait for a worker.
    PasswordHasher(int workers, int maxQueued, QObject *parent = nullptr);
    PasswordHasher(int workers, int maxQueued, Strength strength, QObject *parent = nullptr);
    // Drops what waits, waits for what runs; no callback is called from here on.
    ~PasswordHasher() override;

    // Both are called on the hasher's thread and return at once. They return false, and never
    // call `done`, when workers + maxQueued requests are already in flight; otherwise `done` is
    // called later on the hasher's thread (unless the hasher is destroyed first). The copies of
    // the password are wiped once hashed.
    //
    // `done` gets the encoded hash ("$argon2id$..."), or an empty array if hashing failed.
    [[nodiscard]] bool hash(const QByteArray &password, std::function<void(QByteArray)> done);
    [[nodiscard]] bool verify(const QByteArray &hash, const QByteArray &password,
                              std::function<void(Verdict)> done);

    // Requests accepted whose callback has not been called yet: running, waiting, or delivering.
    [[nodiscard]] int inFlight() const { return m_inFlight; }
    [[nodiscard]] int capacity() const { return m_capacity; }
    [[nodiscard]] Strength strength() const { return m_strength; }

    // Hashes on the calling thread, blocking it (for command-line tools and start-up); empty if
    // hashing failed.
    [[nodiscard]] static QByteArray hashBlocking(const QByteArray &password,
                                                 Strength strength = Strength::Interactive);

private:
    bool admit();
    // On a worker: hands `result` to the hasher's thread, where it runs unless the hasher is gone.
    void deliver(std::function<void()> result);

    QThreadPool m_pool;
    int m_capacity;
    Strength m_strength = Strength::Interactive;
    int m_inFlight = 0;
    std::shared_ptr<std::atomic_bool> m_alive = std::make_shared<std::atomic_bool>(true);
};

} // namespace chat::server
