#include "accounts/passwordhasher.h"

#include "logging.h"

#include <QThread>

#include <sodium.h>

namespace chat::server {

namespace {

// sodium_init() is thread-safe and may be called again; once per process is enough.
bool sodiumReady()
{
    static const bool ready =
        [] {
            if (sodium_init() < 0) {
                qCCritical(lcServer)
                    << "libsodium could not be initialised: passwords cannot be hashed";
                return false;
            }
            return true;
        }();
    return ready;
}

// A private copy of a password, wiped when the last reference to it goes (after hashing, or when
// a job that never ran is dropped).
class Secret
{
public:
    explicit Secret(const QByteArray &bytes)
        : m_bytes(bytes.constData(), bytes.size())
    {}
    ~Secret() { sodium_memzero(m_bytes.data(), size_t(m_bytes.size())); }
    Secret(const Secret &) = delete;
    Secret &operator=(const Secret &) = delete;

    [[nodiscard]] const char *data() const { return m_bytes.constData(); }
    [[nodiscard]] unsigned long long size() const
    {
        return static_cast<unsigned long long>(m_bytes.size());
    }

private:
    QByteArray m_bytes; // a deep copy, shared with no one, so data() above never detaches
};

struct Limits
{
    unsigned long long ops;
    size_t mem;
};

Limits limitsOf(PasswordHasher::Strength strength)
{
    if (strength == PasswordHasher::Strength::Minimum)
        return {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN};
    return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}

QByteArray hashNow(const Secret &password, PasswordHasher::Strength strength)
{
    const Limits limits = limitsOf(strength);
    char out[crypto_pwhash_STRBYTES];
    if (!sodiumReady() ||
        crypto_pwhash_str(out, password.data(), password.size(), limits.ops, limits.mem) != 0)
        return {}; // out of memory
    return QByteArray(out);
}

PasswordHasher::Verdict verifyNow(const QByteArray &hash, const Secret &password,
                                  PasswordHasher::Strength strength)
{
    const Limits limits = limitsOf(strength);
    using Verdict = PasswordHasher::Verdict;
    // libsodium reads the hash as a C string of fewer than crypto_pwhash_STRBYTES bytes.
    if (!sodiumReady() || !hash.startsWith("$argon2") || hash.contains('\0') ||
        hash.size() >= qsizetype(crypto_pwhash_STRBYTES))
        return Verdict::Error;
    if (crypto_pwhash_str_verify(hash.constData(), password.data(), password.size()) != 0) {
        // Also -1 for a hash it cannot decode; tell that apart from a wrong password, except for
        // Argon2i, which needs_rehash() below cannot decode either.
        const bool readable =
            hash.startsWith("$argon2i$") ||
            crypto_pwhash_str_needs_rehash(hash.constData(), limits.ops, limits.mem) != -1;
        return readable ? Verdict::NoMatch : Verdict::Error;
    }
    // 1: other limits; -1: not Argon2id (an Argon2i hash verifies but is not ours).
    return crypto_pwhash_str_needs_rehash(hash.constData(), limits.ops, limits.mem) == 0
               ? Verdict::Match
               : Verdict::MatchNeedsRehash;
}

} // namespace

PasswordHasher::PasswordHasher(int workers, int maxQueued, QObject *parent)
    : PasswordHasher(workers, maxQueued, Strength::Interactive, parent)
{}

PasswordHasher::PasswordHasher(int workers, int maxQueued, Strength strength, QObject *parent)
    : QObject(parent)
    , m_capacity(qMax(1, workers) + qMax(0, maxQueued))
    , m_strength(strength)
{
    sodiumReady();
    m_pool.setMaxThreadCount(qMax(1, workers));
}

PasswordHasher::~PasswordHasher()
{
    m_alive->store(false);
    m_pool.clear();       // what has not started never will (its passwords are wiped)
    m_pool.waitForDone(); // what runs finishes; its results are posted to a dying object: dropped
}

QByteArray PasswordHasher::hashBlocking(const QByteArray &password, Strength strength)
{
    const Secret secret(password);
    return hashNow(secret, strength);
}

bool PasswordHasher::admit()
{
    Q_ASSERT(QThread::currentThread() == thread());
    if (m_inFlight >= m_capacity)
        return false;
    ++m_inFlight;
    return true;
}

void PasswordHasher::deliver(std::function<void()> result)
{
    QMetaObject::invokeMethod(
        this,
        [this, alive = m_alive, result = std::move(result)] {
            if (!alive->load())
                return;
            --m_inFlight; // before the callback, which may ask again or destroy the hasher
            result();
        },
        Qt::QueuedConnection);
}

bool PasswordHasher::hash(const QByteArray &password, std::function<void(QByteArray)> done)
{
    if (!admit())
        return false;
    auto secret = std::make_shared<const Secret>(password);
    m_pool.start([this, secret = std::move(secret), done = std::move(done),
                  strength = m_strength]() mutable {
        QByteArray encoded = hashNow(*secret, strength);
        secret.reset();
        deliver([done = std::move(done), encoded = std::move(encoded)] { done(encoded); });
    });
    return true;
}

bool PasswordHasher::verify(const QByteArray &hash, const QByteArray &password,
                            std::function<void(Verdict)> done)
{
    if (!admit())
        return false;
    auto secret = std::make_shared<const Secret>(password);
    m_pool.start([this, hash, secret = std::move(secret), done = std::move(done),
                  strength = m_strength]() mutable {
        const Verdict verdict = verifyNow(hash, *secret, strength);
        secret.reset();
        deliver([done = std::move(done), verdict] { done(verdict); });
    });
    return true;
}

} // namespace chat::server
