#include "accounts/accounts.h"

#include "namekey.h"
#include "accounts/passwordhasher.h"
#include "validation.h"

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QHash>
#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QThread>

namespace chat::server {

namespace {

Q_LOGGING_CATEGORY(lcAccounts, "chat.server.accounts", QtInfoMsg)

using chat::proto::ErrorCode;

// Entries each throttle table holds at most, whatever the traffic (a few MB).
constexpr qsizetype kMaxThrottleEntries = 100000;

const QString kLoginFailed = QStringLiteral("Wrong account name or password.");
const QString kBusy = QStringLiteral("The server is busy; try again in a moment.");
const QString kTokenInvalid =
    QStringLiteral("This login has ended or expired; log in with your password again.");
const QString kDisabled = QStringLiteral("This account is disabled.");
const QString kStorageFailed = QStringLiteral("The server cannot reach its accounts right now.");

AuthResult failure(ErrorCode code, const QString &reason)
{
    AuthResult result;
    result.code = code;
    result.reason = reason;
    return result;
}

QString nameTaken(const QString &name)
{
    return QStringLiteral("The name \"%1\" is taken (or looks the same as one that is).").arg(name);
}

QString noAccount(const QString &name)
{
    return QStringLiteral("No account is named \"%1\".").arg(name);
}

QString seconds(qint64 ms)
{
    const qint64 s = qMax<qint64>(1, (ms + 999) / 1000);
    return s == 1 ? QStringLiteral("1 second") : QStringLiteral("%1 seconds").arg(s);
}

QByteArray randomBytes(int count)
{
    QByteArray bytes(count, Qt::Uninitialized);
    QRandomGenerator::system()->generate(bytes.begin(), bytes.end());
    return bytes;
}

QString base64url(const QByteArray &bytes)
{
    return QString::fromLatin1(
        bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

} // namespace

class Accounts::Private
{
public:
    Private(const AccountPolicy &policy)
        : hasher(policy.hashWorkers > 0 ? policy.hashWorkers
                                        : qBound(1, QThread::idealThreadCount(), 4),
                 policy.maxQueuedHashes,
                 policy.cheapHashes ? PasswordHasher::Strength::Minimum
                                    : PasswordHasher::Strength::Interactive)
        // Verified against for a name nobody has: as slow as a real account's, and nobody knows
        // its password.
        , dummyHash(PasswordHasher::hashBlocking(randomBytes(32).toBase64(), hasher.strength()))
    {
        clock.start();
    }

    struct Failures
    {
        int count = 0;
        qint64 lastMs = 0;
    };
    struct Window
    {
        qint64 startMs = 0;
        int count = 0;
    };

    [[nodiscard]] qint64 now() const { return clock.elapsed(); }

    // How long an attempt under this key must still wait; 0: it may go ahead.
    [[nodiscard]] qint64 waitFor(const QHash<QString, Failures> &table, const QString &key,
                                 const AccountPolicy &policy) const
    {
        const auto it = table.constFind(key);
        if (it == table.constEnd() || it->count < policy.freeFailures)
            return 0;
        const int doublings = qMin(it->count - policy.freeFailures, 40);
        const qint64 delay = qMin(qMax<qint64>(1, policy.firstFailureDelayMs) << doublings,
                                  policy.maxFailureDelayMs);
        return qMax<qint64>(0, it->lastMs + delay - now());
    }

    void recordFailure(QHash<QString, Failures> &table, const QString &key,
                       const AccountPolicy &policy)
    {
        pruneIfDue(policy);
        auto it = table.find(key);
        if (it == table.end()) {
            makeRoom(table, policy);
            it = table.insert(key, Failures{});
        }
        ++it->count;
        it->lastMs = now();
    }

    // Forgets what has been idle for longer than the longest delay, at most once per such span.
    void pruneIfDue(const AccountPolicy &policy)
    {
        const qint64 span = qMax<qint64>(policy.maxFailureDelayMs, 1000);
        if (now() - lastPruneMs < span)
            return;
        lastPruneMs = now();
        prune(accountFailures, policy);
        prune(addressFailures, policy);
        pruneWindows(policy);
    }

    void prune(QHash<QString, Failures> &table, const AccountPolicy &policy)
    {
        const qint64 t = now();
        for (auto it = table.begin(); it != table.end();) {
            if (t - it->lastMs > policy.maxFailureDelayMs)
                it = table.erase(it);
            else
                ++it;
        }
    }

    void pruneWindows(const AccountPolicy &policy)
    {
        const qint64 t = now();
        for (auto it = registrations.begin(); it != registrations.end();) {
            if (t - it->startMs >= policy.registrationWindowMs)
                it = registrations.erase(it);
            else
                ++it;
        }
    }

    // Keeps a table under kMaxThrottleEntries: idle entries go first, then any.
    void makeRoom(QHash<QString, Failures> &table, const AccountPolicy &policy)
    {
        if (table.size() < kMaxThrottleEntries)
            return;
        prune(table, policy);
        if (table.size() >= kMaxThrottleEntries)
            table.erase(table.begin());
    }

    PasswordHasher hasher;
    QByteArray dummyHash;
    QElapsedTimer clock;
    qint64 lastPruneMs = 0;
    QHash<QString, Failures> accountFailures; // by account name key
    QHash<QString, Failures> addressFailures; // by addressKey()
    QHash<QString, Window> registrations;     // by addressKey()
};

Accounts::Accounts(AccountStore *store, const AccountPolicy &policy, QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Private>(policy))
    , m_store(store)
    , m_policy(policy)
{
    if (d->dummyHash.isEmpty())
        qCCritical(lcAccounts) << "cannot hash passwords: password logins will fail";
}

Accounts::~Accounts() = default;

QString Accounts::addressKey(const QHostAddress &peer)
{
    bool isV4 = false;
    const quint32 v4 = peer.toIPv4Address(&isV4); // also an IPv4-mapped IPv6 address
    if (isV4)
        return QHostAddress(v4).toString();
    if (peer.protocol() != QAbstractSocket::IPv6Protocol)
        return peer.toString();
    const Q_IPV6ADDR v6 = peer.toIPv6Address();
    return QString::fromLatin1(QByteArray(reinterpret_cast<const char *>(v6.c), 8).toHex()) +
           QStringLiteral("/64");
}

QString Accounts::deviceId(const QByteArray &tokenHash)
{
    return QString::fromLatin1(tokenHash.left(8).toHex());
}

QString Accounts::newToken()
{
    return base64url(randomBytes(32));
}

QByteArray Accounts::hashToken(const QString &token)
{
    return QCryptographicHash::hash(token.toUtf8(), QCryptographicHash::Sha256);
}

// --- token login ------------------------------------------------------------------------------

AuthResult Accounts::loginWithToken(const QString &token, const QString &device)
{
    Q_UNUSED(device) // the device keeps the name it had when the token was made
    const auto refuse = [this](ErrorCode code, const QString &reason) {
        emit refused(QStringLiteral("token"), code);
        return failure(code, reason);
    };
    if (token.isEmpty() || token.size() > chat::proto::kMaxTokenChars)
        return refuse(ErrorCode::TokenInvalid, kTokenInvalid);
    const QByteArray hash = hashToken(token);
    const std::optional<TokenRecord> record = m_store->findToken(hash);
    if (!record) {
        if (!m_store->errorString().isEmpty()) {
            qCWarning(lcAccounts).noquote() << "token login:" << m_store->errorString();
            return refuse(ErrorCode::Internal, kStorageFailed);
        }
        return refuse(ErrorCode::TokenInvalid, kTokenInvalid);
    }
    const QDateTime now = QDateTime::currentDateTimeUtc();
    if (m_policy.tokenExpiryDays > 0 && record->lastUsed < now.addDays(-m_policy.tokenExpiryDays)) {
        if (m_store->removeTokens({hash}) > 0)
            emit tokensEnded(record->accountId, {hash});
        return refuse(ErrorCode::TokenInvalid, kTokenInvalid);
    }
    const std::optional<Account> account = m_store->findById(record->accountId);
    if (!account)
        return refuse(ErrorCode::TokenInvalid, kTokenInvalid);
    if (account->disabled)
        return refuse(ErrorCode::AccountDisabled, kDisabled);
    if (!m_store->touchToken(hash, now))
        qCWarning(lcAccounts).noquote() << "cannot note a token's use:" << m_store->errorString();
    AuthResult result;
    result.account = account;
    result.tokenHash = hash;
    return result;
}

// A new token for the account on this device, in `result`; false (and result's code) on failure.
static bool issueToken(AccountStore *store, const Account &account, const QString &device,
                       AuthResult *result)
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    TokenRecord record;
    const QString token = Accounts::newToken();
    record.hash = Accounts::hashToken(token);
    record.accountId = account.id;
    record.device = device;
    record.created = now;
    record.lastUsed = now;
    if (!store->addToken(record)) {
        qCWarning(lcAccounts).noquote() << "cannot store a token:" << store->errorString();
        *result = failure(ErrorCode::Internal, kStorageFailed);
        return false;
    }
    result->account = account;
    result->newToken = token;
    result->tokenHash = record.hash;
    return true;
}

// --- password login ---------------------------------------------------------------------------

void Accounts::login(const chat::proto::Login &login, const QString &device,
                     const QHostAddress &peer, std::function<void(AuthResult)> done)
{
    const auto refuse = [this, &done](ErrorCode code, const QString &reason) {
        emit refused(QStringLiteral("login"), code);
        done(failure(code, reason));
    };
    const chat::proto::Normalized name = chat::proto::normalizeAccountName(login.name);
    if (!name.ok())
        return refuse(ErrorCode::NameInvalid, name.reason);
    const QString passwordProblem = chat::proto::checkPassword(login.password);
    if (!passwordProblem.isEmpty())
        return refuse(ErrorCode::PasswordInvalid, passwordProblem);
    const chat::proto::Normalized deviceName = chat::proto::normalizeDevice(device);

    const QString key = chat::proto::accountNameKey(name.value);
    const QString address = addressKey(peer);
    const qint64 wait = qMax(d->waitFor(d->accountFailures, key, m_policy),
                             d->waitFor(d->addressFailures, address, m_policy));
    if (wait > 0)
        return refuse(
            ErrorCode::TooManyAttempts,
            QStringLiteral("Too many failed logins; try again in %1.").arg(seconds(wait)));

    const std::optional<Account> account = m_store->findByKey(key);
    if (!account && !m_store->errorString().isEmpty()) {
        qCWarning(lcAccounts).noquote() << "login:" << m_store->errorString();
        return refuse(ErrorCode::Internal, kStorageFailed);
    }
    // An unknown name, or an account without a password, costs the same hash as a real one and
    // gets the same answer as a wrong password.
    const bool real = account && !account->passwordHash.isEmpty();
    const QByteArray hash = real ? account->passwordHash : d->dummyHash;
    const qint64 accountId = real ? account->id : 0;
    const QString password = login.password;
    const bool accepted = d->hasher.verify(
        hash, password.toUtf8(),
        [this, real, accountId, hash, key, address, password, device = deviceName.value,
         done](PasswordHasher::Verdict verdict) {
            const bool match = verdict == PasswordHasher::Verdict::Match ||
                               verdict == PasswordHasher::Verdict::MatchNeedsRehash;
            if (real && verdict == PasswordHasher::Verdict::Error)
                qCWarning(lcAccounts)
                    << "an account's password hash is unreadable, id" << accountId;
            std::optional<Account> current =
                real && match ? m_store->findById(accountId) : std::nullopt;
            if (!current || current->passwordHash != hash) { // unknown, wrong, or changed since
                d->recordFailure(d->accountFailures, key, m_policy);
                d->recordFailure(d->addressFailures, address, m_policy);
                emit refused(QStringLiteral("login"), ErrorCode::LoginFailed);
                done(failure(ErrorCode::LoginFailed, kLoginFailed));
                return;
            }
            if (current->disabled) {
                emit refused(QStringLiteral("login"), ErrorCode::AccountDisabled);
                done(failure(ErrorCode::AccountDisabled, kDisabled));
                return;
            }
            d->accountFailures.remove(key);
            AuthResult result;
            if (!issueToken(m_store, *current, device, &result)) {
                emit refused(QStringLiteral("login"), result.code);
                done(result);
                return;
            }
            if (verdict == PasswordHasher::Verdict::MatchNeedsRehash) {
                // Best effort: a full pool leaves the old hash for the next login.
                (void)d->hasher.hash(password.toUtf8(), [this, accountId, hash](QByteArray fresh) {
                    std::optional<Account> again = m_store->findById(accountId);
                    if (fresh.isEmpty() || !again || again->passwordHash != hash)
                        return;
                    again->passwordHash = fresh;
                    if (!m_store->update(*again))
                        qCWarning(lcAccounts).noquote()
                            << "cannot store a rehashed password:" << m_store->errorString();
                });
            }
            done(result);
        });
    if (!accepted)
        return refuse(ErrorCode::Busy, kBusy);
}

// --- registration -----------------------------------------------------------------------------

void Accounts::registerAccount(const chat::proto::Registration &registration, const QString &device,
                               const QHostAddress &peer, std::function<void(AuthResult)> done)
{
    const auto refuse = [this, &done](ErrorCode code, const QString &reason) {
        emit refused(QStringLiteral("register"), code);
        done(failure(code, reason));
    };
    const chat::proto::Normalized name = chat::proto::normalizeAccountName(registration.name);
    if (!name.ok())
        return refuse(ErrorCode::NameInvalid, name.reason);
    const QString passwordProblem = chat::proto::checkPassword(registration.password);
    if (!passwordProblem.isEmpty())
        return refuse(ErrorCode::PasswordInvalid, passwordProblem);
    const chat::proto::Normalized display = chat::proto::normalizeDisplay(registration.display);
    if (!display.ok())
        return refuse(ErrorCode::DisplayInvalid, display.reason);
    const chat::proto::Normalized deviceName = chat::proto::normalizeDevice(device);
    if (m_policy.registration == RegistrationMode::Closed)
        return refuse(ErrorCode::RegistrationClosed,
                      QStringLiteral("Registration is closed on this server: an admin creates "
                                     "the accounts."));

    const QString key = chat::proto::accountNameKey(name.value);
    if (key.isEmpty())
        return refuse(ErrorCode::NameInvalid, QStringLiteral("The name cannot be used."));
    if (m_store->findByKey(key))
        return refuse(ErrorCode::NameTaken, nameTaken(name.value));
    if (!m_store->errorString().isEmpty()) {
        qCWarning(lcAccounts).noquote() << "registration:" << m_store->errorString();
        return refuse(ErrorCode::Internal, kStorageFailed);
    }

    QByteArray inviteHash;
    if (m_policy.registration == RegistrationMode::Invite) {
        if (registration.invite.isEmpty())
            return refuse(ErrorCode::InviteInvalid,
                          QStringLiteral("This server needs an invite code to register."));
        inviteHash = hashToken(registration.invite);
        const std::optional<InviteRecord> invite = m_store->findInvite(inviteHash);
        const QDateTime now = QDateTime::currentDateTimeUtc();
        if (!invite || invite->usesLeft <= 0 ||
            (invite->expires.isValid() && invite->expires <= now))
            return refuse(ErrorCode::InviteInvalid,
                          QStringLiteral("The invite code is unknown, used up or expired."));
    }

    const QString address = addressKey(peer);
    if (m_policy.registration == RegistrationMode::Open) {
        const auto it = d->registrations.constFind(address);
        if (it != d->registrations.constEnd() &&
            d->now() - it->startMs < m_policy.registrationWindowMs &&
            it->count >= m_policy.registrationsPerAddress)
            return refuse(
                ErrorCode::TooManyAttempts,
                QStringLiteral("Too many sign-ups from this address; try again in %1.")
                    .arg(seconds(it->startMs + m_policy.registrationWindowMs - d->now())));
    }

    Account account;
    account.name = name.value;
    account.nameKey = key;
    account.display = display.value;
    const bool accepted = d->hasher.hash(
        registration.password.toUtf8(),
        [this, account, inviteHash, device = deviceName.value, done](QByteArray hash) mutable {
            const auto refuseLater = [&](ErrorCode code, const QString &reason) {
                emit refused(QStringLiteral("register"), code);
                done(failure(code, reason));
            };
            if (hash.isEmpty())
                return refuseLater(ErrorCode::Internal,
                                   QStringLiteral("The server cannot hash passwords right now."));
            // Again: someone may have taken the name, or used the invite up, while this hashed.
            if (m_store->findByKey(account.nameKey))
                return refuseLater(ErrorCode::NameTaken, nameTaken(account.name));
            const QDateTime now = QDateTime::currentDateTimeUtc();
            if (!inviteHash.isEmpty() && !m_store->useInvite(inviteHash, now))
                return refuseLater(ErrorCode::InviteInvalid,
                                   QStringLiteral("The invite code is unknown, used up or "
                                                  "expired."));
            account.passwordHash = hash;
            account.created = now;
            if (!m_store->create(&account)) {
                if (m_store->errorString().isEmpty())
                    return refuseLater(ErrorCode::NameTaken, nameTaken(account.name));
                qCWarning(lcAccounts).noquote() << "registration:" << m_store->errorString();
                return refuseLater(ErrorCode::Internal, kStorageFailed);
            }
            qCInfo(lcAccounts).noquote() << "registered" << account.name << "id" << account.id;
            AuthResult result;
            if (!issueToken(m_store, account, device, &result))
                emit refused(QStringLiteral("register"), result.code);
            done(result);
        });
    if (!accepted)
        return refuse(ErrorCode::Busy, kBusy);
    if (m_policy.registration == RegistrationMode::Open) {
        d->pruneIfDue(m_policy);
        auto it = d->registrations.find(address);
        if (it == d->registrations.end()) {
            if (d->registrations.size() >= kMaxThrottleEntries) {
                d->pruneWindows(m_policy);
                if (d->registrations.size() >= kMaxThrottleEntries)
                    d->registrations.erase(d->registrations.begin());
            }
            it = d->registrations.insert(address, Private::Window{d->now(), 0});
        } else if (d->now() - it->startMs >= m_policy.registrationWindowMs) {
            *it = Private::Window{d->now(), 0};
        }
        ++it->count;
    }
}

// --- the account's own requests ---------------------------------------------------------------

bool Accounts::logout(qint64 accountId, const QByteArray &tokenHash)
{
    const std::optional<TokenRecord> token = m_store->findToken(tokenHash);
    if (!token || token->accountId != accountId)
        return false;
    if (m_store->removeTokens({tokenHash}) <= 0)
        return false;
    emit tokensEnded(accountId, {tokenHash});
    return true;
}

void Accounts::changePassword(qint64 accountId, const QByteArray &currentTokenHash,
                              const QString &oldPassword, const QString &newPassword,
                              std::function<void(AuthResult)> done)
{
    const QString problem = chat::proto::checkPassword(newPassword);
    if (!problem.isEmpty())
        return done(failure(ErrorCode::PasswordInvalid, problem));
    const std::optional<Account> account = m_store->findById(accountId);
    const std::optional<TokenRecord> token = m_store->findToken(currentTokenHash);
    if (!account || !token || token->accountId != accountId)
        return done(failure(ErrorCode::TokenInvalid, kTokenInvalid));
    const qint64 wait = d->waitFor(d->accountFailures, account->nameKey, m_policy);
    if (wait > 0)
        return done(failure(
            ErrorCode::TooManyAttempts,
            QStringLiteral("Too many wrong passwords; try again in %1.").arg(seconds(wait))));
    const bool real = !account->passwordHash.isEmpty();
    const QByteArray oldHash = real ? account->passwordHash : d->dummyHash;
    const bool accepted = d->hasher.verify(
        oldHash, oldPassword.toUtf8(),
        [this, real, accountId, oldHash, key = account->nameKey, device = token->device,
         currentTokenHash, newPassword, done](PasswordHasher::Verdict verdict) {
            if (!real || (verdict != PasswordHasher::Verdict::Match &&
                          verdict != PasswordHasher::Verdict::MatchNeedsRehash)) {
                d->recordFailure(d->accountFailures, key, m_policy);
                done(failure(ErrorCode::LoginFailed, QStringLiteral("The old password is wrong.")));
                return;
            }
            d->accountFailures.remove(key);
            const bool hashing =
                d->hasher.hash(newPassword.toUtf8(), [this, accountId, oldHash, device,
                                                      currentTokenHash, done](QByteArray fresh) {
                    std::optional<Account> current = m_store->findById(accountId);
                    if (fresh.isEmpty())
                        return done(failure(ErrorCode::Internal,
                                            QStringLiteral("The server cannot hash passwords "
                                                           "right now.")));
                    if (!current || current->passwordHash != oldHash ||
                        !m_store->findToken(currentTokenHash))
                        return done(failure(ErrorCode::TokenInvalid, kTokenInvalid));
                    current->passwordHash = fresh;
                    if (!m_store->update(*current))
                        return done(failure(ErrorCode::Internal, kStorageFailed));
                    QList<QByteArray> others;
                    for (const TokenRecord &token : m_store->tokens(accountId)) {
                        if (token.hash != currentTokenHash)
                            others.append(token.hash);
                    }
                    // This device's token is replaced by a new one too, without closing it.
                    (void)m_store->removeTokens(QList<QByteArray>(others) << currentTokenHash);
                    AuthResult result;
                    const bool issued = issueToken(m_store, *current, device, &result);
                    if (!others.isEmpty())
                        emit tokensEnded(accountId, others);
                    Q_UNUSED(issued) // result carries the failure then
                    done(result);
                });
            if (!hashing)
                done(failure(ErrorCode::Busy, kBusy));
        });
    if (!accepted)
        done(failure(ErrorCode::Busy, kBusy));
}

QList<chat::proto::Device> Accounts::devices(qint64 accountId,
                                             const QByteArray &currentTokenHash) const
{
    QList<chat::proto::Device> result;
    for (const TokenRecord &token : m_store->tokens(accountId)) {
        chat::proto::Device device;
        device.id = deviceId(token.hash);
        device.name = token.device;
        device.created = token.created;
        device.lastUsed = token.lastUsed;
        device.current = token.hash == currentTokenHash;
        result.append(device);
    }
    return result;
}

bool Accounts::endDevice(qint64 accountId, const QString &id, QString *reason)
{
    for (const TokenRecord &token : m_store->tokens(accountId)) {
        if (deviceId(token.hash) != id)
            continue;
        if (m_store->removeTokens({token.hash}) <= 0) {
            if (reason)
                *reason = kStorageFailed;
            return false;
        }
        emit tokensEnded(accountId, {token.hash});
        return true;
    }
    if (reason)
        *reason = QStringLiteral("This account has no device \"%1\".").arg(id);
    return false;
}

QString Accounts::setDisplay(qint64 accountId, const QString &display)
{
    const chat::proto::Normalized normalized = chat::proto::normalizeDisplay(display);
    if (!normalized.ok())
        return normalized.reason;
    std::optional<Account> account = m_store->findById(accountId);
    if (!account)
        return QStringLiteral("The account is gone.");
    account->display = normalized.value;
    if (!m_store->update(*account))
        return kStorageFailed;
    return {};
}

qint64 Accounts::expireTokens(const QDateTime &now)
{
    if (m_policy.tokenExpiryDays <= 0)
        return 0;
    const QList<TokenRecord> old =
        m_store->tokensUnusedSince(now.addDays(-m_policy.tokenExpiryDays));
    if (old.isEmpty())
        return 0;
    QHash<qint64, QList<QByteArray>> byAccount;
    QList<QByteArray> all;
    for (const TokenRecord &token : old) {
        byAccount[token.accountId].append(token.hash);
        all.append(token.hash);
    }
    const qint64 removed = m_store->removeTokens(all);
    if (removed < 0) {
        qCWarning(lcAccounts).noquote() << "cannot expire tokens:" << m_store->errorString();
        return 0;
    }
    for (auto it = byAccount.cbegin(); it != byAccount.cend(); ++it)
        emit tokensEnded(it.key(), it.value());
    return removed;
}

// --- for admins -------------------------------------------------------------------------------

std::optional<Account> Accounts::findAccount(const QString &name)
{
    const chat::proto::Normalized normalized = chat::proto::normalizeAccountName(name);
    if (!normalized.ok())
        return std::nullopt;
    return m_store->findByKey(chat::proto::accountNameKey(normalized.value));
}

bool Accounts::hashPassword(const QString &password, std::function<void(QByteArray)> done)
{
    return d->hasher.hash(password.toUtf8(), std::move(done));
}

std::optional<Account> Accounts::createAccount(const QString &name, const QByteArray &passwordHash,
                                               bool admin, QString *reason, ErrorCode *code)
{
    const auto fail = [&](ErrorCode c, const QString &why) -> std::optional<Account> {
        if (reason)
            *reason = why;
        if (code)
            *code = c;
        return std::nullopt;
    };
    const chat::proto::Normalized normalized = chat::proto::normalizeAccountName(name);
    if (!normalized.ok())
        return fail(ErrorCode::NameInvalid, normalized.reason);
    Account account;
    account.name = normalized.value;
    account.nameKey = chat::proto::accountNameKey(normalized.value);
    if (account.nameKey.isEmpty())
        return fail(ErrorCode::NameInvalid, QStringLiteral("The name cannot be used."));
    account.passwordHash = passwordHash;
    account.admin = admin;
    account.created = QDateTime::currentDateTimeUtc();
    if (!m_store->create(&account)) {
        if (m_store->errorString().isEmpty())
            return fail(ErrorCode::NameTaken, nameTaken(account.name));
        return fail(ErrorCode::Internal, m_store->errorString());
    }
    qCInfo(lcAccounts).noquote() << "created" << account.name << "id" << account.id
                                 << (admin ? "(admin)" : "");
    return account;
}

bool Accounts::setDisabled(const QString &name, bool disabled, QString *reason)
{
    std::optional<Account> account = findAccount(name);
    if (!account) {
        if (reason)
            *reason = m_store->errorString().isEmpty() ? noAccount(name) : m_store->errorString();
        return false;
    }
    const bool was = account->disabled;
    account->disabled = disabled;
    if (!m_store->update(*account)) {
        if (reason)
            *reason = m_store->errorString();
        return false;
    }
    if (disabled && !was)
        emit accountDisabled(account->id);
    return true;
}

bool Accounts::resetPasswordHash(const QString &name, const QByteArray &passwordHash,
                                 QString *reason)
{
    std::optional<Account> account = findAccount(name);
    if (!account) {
        if (reason)
            *reason = m_store->errorString().isEmpty() ? noAccount(name) : m_store->errorString();
        return false;
    }
    account->passwordHash = passwordHash;
    if (!m_store->update(*account)) {
        if (reason)
            *reason = m_store->errorString();
        return false;
    }
    d->accountFailures.remove(account->nameKey);
    QList<QByteArray> hashes;
    for (const TokenRecord &token : m_store->tokens(account->id))
        hashes.append(token.hash);
    if (!hashes.isEmpty() && m_store->removeTokens(hashes) > 0)
        emit tokensEnded(account->id, hashes);
    return true;
}

bool Accounts::makeAdmin(const QString &name, bool admin, QString *reason)
{
    std::optional<Account> account = findAccount(name);
    if (!account) {
        if (reason)
            *reason = m_store->errorString().isEmpty() ? noAccount(name) : m_store->errorString();
        return false;
    }
    account->admin = admin;
    if (!m_store->update(*account)) {
        if (reason)
            *reason = m_store->errorString();
        return false;
    }
    return true;
}

QString Accounts::createInvite(int uses, int expiresDays, QString *reason)
{
    if (uses < 1 || expiresDays < 0) {
        if (reason)
            *reason = QStringLiteral("An invite needs at least one use and no negative expiry.");
        return {};
    }
    // 128 bits: short enough to pass on, far too many to guess.
    const QString code = base64url(randomBytes(16));
    InviteRecord invite;
    invite.hash = hashToken(code);
    invite.usesLeft = uses;
    invite.created = QDateTime::currentDateTimeUtc();
    if (expiresDays > 0)
        invite.expires = invite.created.addDays(expiresDays);
    if (!m_store->addInvite(invite)) {
        if (reason)
            *reason = m_store->errorString();
        return {};
    }
    return code;
}

QString Accounts::createToken(const QString &name, const QString &device, QString *reason)
{
    std::optional<Account> account = findAccount(name);
    if (!account) {
        if (!m_store->errorString().isEmpty()) {
            if (reason)
                *reason = m_store->errorString();
            return {};
        }
        account = createAccount(name, QByteArray(), false, reason);
        if (!account)
            return {};
    }
    AuthResult result;
    if (!issueToken(m_store, *account, chat::proto::normalizeDevice(device).value, &result)) {
        if (reason)
            *reason = m_store->errorString();
        return {};
    }
    return result.newToken;
}

} // namespace chat::server
