// Accounts (issue 10) on real stores, in memory, SQLite and PostgreSQL (a throw-away server,
// tests/support/postgresserver.h): registration, password and token
// logins, the throttles, invites, devices, the admin functions, and names that look alike.
// Hashes use libsodium's minimum limits (AccountPolicy::cheapHashes); nothing sleeps: waits are
// QTRY / qWaitFor on the answers.
#include "accounts/accounts.h"
#include "accounts/accountstore.h"
#include "accounts/passwordhasher.h"
#include "namekey.h"
#include "postgresserver.h"
#include "store/postgresstore.h"
#include "store/sqlitestore.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <optional>

using chat::proto::ErrorCode;
using chat::proto::Login;
using chat::proto::Registration;
using namespace chat::server;

Q_DECLARE_METATYPE(chat::proto::ErrorCode)

namespace {

constexpr int kWait = 10000; // ms for one answer; a cheap hash takes about a millisecond

const QHostAddress kPeer(QStringLiteral("192.0.2.1"));
const QString kPassword = QStringLiteral("correct horse");

AccountPolicy cheapPolicy()
{
    AccountPolicy policy;
    policy.cheapHashes = true;
    policy.hashWorkers = 2;
    policy.maxQueuedHashes = 16;
    policy.freeFailures = 2;
    policy.firstFailureDelayMs = 300;
    policy.maxFailureDelayMs = 1200;
    return policy;
}

Registration registration(const QString &name, const QString &password = kPassword,
                          const QString &invite = {}, const QString &display = {})
{
    return Registration{name, password, invite, display};
}

} // namespace

class AccountsTest : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase_data();
    void init();
    void cleanup();

    void registerThenLogin();
    void wrongPasswordAndUnknownNameAnsweredAlike();
    void accountThrottle();
    void addressThrottle();
    void addressKeys();
    void busyWhenPoolIsFull();
    void invites();
    void registrationClosed();
    void registrationsPerAddress();
    void lookalikeNamesAreTaken_data();
    void lookalikeNamesAreTaken();
    void expiredTokens();
    void logoutEndsToken();
    void changePasswordEndsOtherTokens();
    void devicesAndEndDevice();
    void setDisplay();
    void adminFunctions();
    void rehashOnLogin();
    void persistsInItsDatabase();

private:
    void makeAccounts(const AccountPolicy &policy);
    // Runs a login / registration and waits for its answer; `sync` tells whether it came at once.
    std::optional<AuthResult> login(const QString &name, const QString &password,
                                    const QHostAddress &peer = kPeer, bool *sync = nullptr);
    std::optional<AuthResult> signUp(const Registration &r, const QHostAddress &peer = kPeer,
                                     bool *sync = nullptr);
    std::optional<AuthResult> changePassword(qint64 id, const QByteArray &tokenHash,
                                             const QString &oldPassword,
                                             const QString &newPassword);
    std::optional<AuthResult>
    wait(const std::function<void(std::function<void(AuthResult)>)> &start, bool *sync);

    // Opens the row's durable store again (in init(): for the first time) into m_history and
    // m_store.
    void openHistory();

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<chat::test::PostgresServer> m_postgres; // for the "postgres" row, once
    QString m_postgresUrl;
    int m_postgresDatabases = 0;
    std::unique_ptr<MessageStore> m_history; // owns the database connection (with m_store)
    std::unique_ptr<AccountStore> m_store;
    std::unique_ptr<Accounts> m_accounts;
};

void AccountsTest::initTestCase_data()
{
    QTest::addColumn<QString>("kind");
    QTest::newRow("memory") << QStringLiteral("memory");
    QTest::newRow("sqlite") << QStringLiteral("sqlite");
    QTest::newRow("postgres") << QStringLiteral("postgres");
}

void AccountsTest::init()
{
    QFETCH_GLOBAL(QString, kind);
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    if (kind == QLatin1String("postgres")) {
        // A fresh database for each test on one server.
        if (const QString why = chat::test::PostgresServer::missingReason(); !why.isEmpty())
            QSKIP(qPrintable(why));
        if (!m_postgres)
            m_postgres = std::make_unique<chat::test::PostgresServer>();
        if (!m_postgres->isRunning())
            QVERIFY2(m_postgres->start(), qPrintable(m_postgres->errorString()));
        m_postgresUrl =
            m_postgres->createDatabase(QStringLiteral("a%1").arg(++m_postgresDatabases));
        QVERIFY2(!m_postgresUrl.isEmpty(), qPrintable(m_postgres->errorString()));
    }
    if (kind == QLatin1String("memory"))
        m_store = std::make_unique<MemoryAccountStore>();
    else
        openHistory();
    QVERIFY(m_store);
    makeAccounts(cheapPolicy());
}

void AccountsTest::openHistory()
{
    QFETCH_GLOBAL(QString, kind);
    QString error;
    if (kind == QLatin1String("postgres")) {
        std::unique_ptr<PostgresStore> history = PostgresStore::open(m_postgresUrl, &error);
        QVERIFY2(history, qPrintable(error));
        m_store = history->accountStore();
        m_history = std::move(history);
        return;
    }
    std::unique_ptr<SqliteStore> history = SqliteStore::open(
        m_dir->filePath(QStringLiteral("h.sqlite")), SqliteStore::Sync::Normal, &error);
    QVERIFY2(history, qPrintable(error));
    m_store = history->accountStore();
    m_history = std::move(history);
}

void AccountsTest::cleanup()
{
    m_accounts.reset();
    m_store.reset();
    m_history.reset();
    m_dir.reset();
}

void AccountsTest::makeAccounts(const AccountPolicy &policy)
{
    m_accounts.reset();
    m_accounts = std::make_unique<Accounts>(m_store.get(), policy);
}

std::optional<AuthResult>
AccountsTest::wait(const std::function<void(std::function<void(AuthResult)>)> &start, bool *sync)
{
    auto result = std::make_shared<std::optional<AuthResult>>();
    start([result](AuthResult r) { *result = std::move(r); });
    if (sync)
        *sync = result->has_value();
    if (!QTest::qWaitFor([&] { return result->has_value(); }, kWait))
        qWarning("no answer within %d ms", kWait);
    return *result;
}

std::optional<AuthResult> AccountsTest::login(const QString &name, const QString &password,
                                              const QHostAddress &peer, bool *sync)
{
    return wait(
        [&](auto done) {
            m_accounts->login(Login{name, password}, QStringLiteral("pc"), peer, done);
        },
        sync);
}

std::optional<AuthResult> AccountsTest::signUp(const Registration &r, const QHostAddress &peer,
                                               bool *sync)
{
    return wait(
        [&](auto done) { m_accounts->registerAccount(r, QStringLiteral("pc"), peer, done); }, sync);
}

std::optional<AuthResult> AccountsTest::changePassword(qint64 id, const QByteArray &tokenHash,
                                                       const QString &oldPassword,
                                                       const QString &newPassword)
{
    return wait(
        [&](auto done) {
            m_accounts->changePassword(id, tokenHash, oldPassword, newPassword, done);
        },
        nullptr);
}

void AccountsTest::registerThenLogin()
{
    const auto reg =
        signUp(registration(QStringLiteral("alice"), kPassword, {}, QStringLiteral("爱丽丝")));
    QVERIFY(reg);
    QVERIFY2(reg->ok(), qPrintable(reg->reason));
    QCOMPARE(reg->account->name, QStringLiteral("alice"));
    QCOMPARE(reg->account->display, QStringLiteral("爱丽丝"));
    QCOMPARE(reg->account->nameKey, chat::proto::accountNameKey(QStringLiteral("alice")));
    QVERIFY(reg->account->passwordHash.startsWith("$argon2id$"));
    QVERIFY(reg->account->id > 0);
    QCOMPARE(reg->newToken.size(), 43); // 32 bytes, base64url without padding
    QCOMPARE(reg->tokenHash, Accounts::hashToken(reg->newToken));
    QCOMPARE(reg->tokenHash.size(), 32);

    const auto in = login(QStringLiteral("alice"), kPassword);
    QVERIFY(in);
    QVERIFY2(in->ok(), qPrintable(in->reason));
    QCOMPARE(in->account->id, reg->account->id);
    QVERIFY(!in->newToken.isEmpty());
    QVERIFY(in->newToken != reg->newToken);

    const AuthResult byToken = m_accounts->loginWithToken(reg->newToken, QStringLiteral("pc"));
    QVERIFY2(byToken.ok(), qPrintable(byToken.reason));
    QCOMPARE(byToken.account->id, reg->account->id);
    QVERIFY(byToken.newToken.isEmpty());
    QCOMPARE(byToken.tokenHash, reg->tokenHash);

    QSignalSpy refused(m_accounts.get(), &Accounts::refused);
    const AuthResult bad = m_accounts->loginWithToken(QStringLiteral("nonsense"), {});
    QVERIFY(!bad.ok());
    QCOMPARE(bad.code, ErrorCode::TokenInvalid);
    QCOMPARE(refused.count(), 1);
    QCOMPARE(refused.at(0).at(0).toString(), QStringLiteral("token"));
    QCOMPARE(refused.at(0).at(1).value<ErrorCode>(), ErrorCode::TokenInvalid);
}

void AccountsTest::wrongPasswordAndUnknownNameAnsweredAlike()
{
    QVERIFY(signUp(registration(QStringLiteral("alice")))->ok());
    QString reason;
    QVERIFY(!m_accounts->createToken(QStringLiteral("robot"), QStringLiteral("bot"), &reason)
                 .isEmpty());

    // Distinct addresses, so that no throttle answers instead.
    bool sync = true;
    const auto wrong = login(QStringLiteral("alice"), QStringLiteral("wrong password"),
                             QHostAddress(QStringLiteral("192.0.2.10")), &sync);
    QVERIFY(!sync); // it was hashed
    bool unknownSync = true;
    const auto unknown = login(QStringLiteral("nobody"), kPassword,
                               QHostAddress(QStringLiteral("192.0.2.11")), &unknownSync);
    QVERIFY(!unknownSync); // hashed as well, against the dummy
    bool botSync = true;
    const auto bot = login(QStringLiteral("robot"), kPassword,
                           QHostAddress(QStringLiteral("192.0.2.12")), &botSync);
    QVERIFY(!botSync);
    QVERIFY(wrong && unknown && bot);
    for (const AuthResult &result : {*wrong, *unknown, *bot}) {
        QVERIFY(!result.ok());
        QCOMPARE(result.code, ErrorCode::LoginFailed);
        QCOMPARE(result.reason, wrong->reason);
        QVERIFY(result.newToken.isEmpty());
    }
}

void AccountsTest::accountThrottle()
{
    QVERIFY(signUp(registration(QStringLiteral("alice")))->ok());
    int host = 20;
    const auto peer = [&] {
        return QHostAddress(QStringLiteral("192.0.2.%1").arg(host++));
    };
    // freeFailures = 2: two wrong passwords are answered by hashing.
    for (int i = 0; i < 2; ++i)
        QCOMPARE(login(QStringLiteral("alice"), QStringLiteral("wrong one"), peer())->code,
                 ErrorCode::LoginFailed);
    QElapsedTimer since;
    since.start();
    // Then even the right password waits 300 ms, refused at once, from any address.
    bool sync = false;
    auto throttled = login(QStringLiteral("ALICE"), kPassword, peer(), &sync);
    QVERIFY(throttled);
    QVERIFY(sync);
    QCOMPARE(throttled->code, ErrorCode::TooManyAttempts);
    QVERIFY2(throttled->reason.contains(QLatin1String("1 second")), qPrintable(throttled->reason));

    std::optional<AuthResult> later;
    QVERIFY(QTest::qWaitFor(
        [&] {
            later = login(QStringLiteral("alice"), kPassword, peer());
            return later && later->code != ErrorCode::TooManyAttempts;
        },
        kWait));
    QVERIFY(since.elapsed() >= 250);
    QVERIFY2(later->ok(), qPrintable(later->reason));

    // Success reset the count: two failures are free again, the next must wait twice as long
    // after another failure.
    for (int i = 0; i < 2; ++i)
        QCOMPARE(login(QStringLiteral("alice"), QStringLiteral("wrong one"), peer())->code,
                 ErrorCode::LoginFailed);
    QCOMPARE(login(QStringLiteral("alice"), kPassword, peer())->code, ErrorCode::TooManyAttempts);
    QVERIFY(QTest::qWaitFor(
        [&] {
            later = login(QStringLiteral("alice"), QStringLiteral("wrong one"), peer());
            return later && later->code != ErrorCode::TooManyAttempts;
        },
        kWait));
    QCOMPARE(later->code, ErrorCode::LoginFailed); // the third failure in a row: 600 ms now
    since.restart();
    QVERIFY(QTest::qWaitFor(
        [&] {
            later = login(QStringLiteral("alice"), kPassword, peer());
            return later && later->code != ErrorCode::TooManyAttempts;
        },
        kWait));
    QVERIFY2(since.elapsed() >= 550, QByteArray::number(since.elapsed()).constData());
    QVERIFY(later->ok());
}

void AccountsTest::addressThrottle()
{
    const QHostAddress peer(QStringLiteral("2001:db8::1"));
    // Unknown names, each its own account key: only the address adds up.
    QCOMPARE(login(QStringLiteral("nobody1"), kPassword, peer)->code, ErrorCode::LoginFailed);
    QCOMPARE(login(QStringLiteral("nobody2"), kPassword, peer)->code, ErrorCode::LoginFailed);
    bool sync = false;
    // The same /64.
    const auto throttled = login(QStringLiteral("nobody3"), kPassword,
                                 QHostAddress(QStringLiteral("2001:db8::2")), &sync);
    QVERIFY(sync);
    QCOMPARE(throttled->code, ErrorCode::TooManyAttempts);
    // Another /64 is not held up.
    QCOMPARE(
        login(QStringLiteral("nobody3"), kPassword, QHostAddress(QStringLiteral("2001:db8:0:1::1")))
            ->code,
        ErrorCode::LoginFailed);
}

void AccountsTest::addressKeys()
{
    QCOMPARE(Accounts::addressKey(QHostAddress(QStringLiteral("192.0.2.1"))),
             QStringLiteral("192.0.2.1"));
    QCOMPARE(Accounts::addressKey(QHostAddress(QStringLiteral("::ffff:192.0.2.1"))),
             QStringLiteral("192.0.2.1"));
    QCOMPARE(Accounts::addressKey(QHostAddress(QStringLiteral("2001:db8:1:2:3:4:5:6"))),
             Accounts::addressKey(QHostAddress(QStringLiteral("2001:db8:1:2::9"))));
    QVERIFY(Accounts::addressKey(QHostAddress(QStringLiteral("2001:db8:1:2::1"))) !=
            Accounts::addressKey(QHostAddress(QStringLiteral("2001:db8:1:3::1"))));
}

void AccountsTest::busyWhenPoolIsFull()
{
    AccountPolicy policy = cheapPolicy();
    policy.hashWorkers = 1;
    policy.maxQueuedHashes = 0;
    makeAccounts(policy);
    auto first = std::make_shared<std::optional<AuthResult>>();
    m_accounts->registerAccount(registration(QStringLiteral("alice")), {}, kPeer,
                                [first](AuthResult r) { *first = r; });
    QVERIFY(!first->has_value());
    bool sync = false;
    const auto second = login(QStringLiteral("bob"), kPassword, kPeer, &sync);
    QVERIFY(sync);
    QCOMPARE(second->code, ErrorCode::Busy);
    QCOMPARE(second->reason, QStringLiteral("The server is busy; try again in a moment."));
    const auto third = signUp(registration(QStringLiteral("carol")), kPeer, &sync);
    QVERIFY(sync);
    QCOMPARE(third->code, ErrorCode::Busy);
    QTRY_VERIFY_WITH_TIMEOUT(first->has_value(), kWait);
    QVERIFY((*first)->ok());
    // Room again.
    QVERIFY(login(QStringLiteral("alice"), kPassword)->ok());
}

void AccountsTest::invites()
{
    AccountPolicy policy = cheapPolicy();
    policy.registration = RegistrationMode::Invite;
    makeAccounts(policy);
    QString reason;
    const QString code = m_accounts->createInvite(2, 7, &reason);
    QVERIFY2(!code.isEmpty(), qPrintable(reason));
    QVERIFY(code.size() <= chat::proto::kMaxInviteChars);

    QCOMPARE(signUp(registration(QStringLiteral("a1")))->code, ErrorCode::InviteInvalid);
    QCOMPARE(signUp(registration(QStringLiteral("a1"), kPassword, QStringLiteral("bogus")))->code,
             ErrorCode::InviteInvalid);
    QVERIFY(signUp(registration(QStringLiteral("a1"), kPassword, code))->ok());
    QVERIFY(signUp(registration(QStringLiteral("a2"), kPassword, code))->ok());
    const auto usedUp = signUp(registration(QStringLiteral("a3"), kPassword, code));
    QCOMPARE(usedUp->code, ErrorCode::InviteInvalid);
    const QList<InviteRecord> stored = m_store->invites();
    QCOMPARE(stored.size(), 1);
    QCOMPARE(stored.first().usesLeft, 0);
    QCOMPARE(stored.first().hash, Accounts::hashToken(code));

    // Expired: an hour ago.
    InviteRecord old;
    old.hash = Accounts::hashToken(QStringLiteral("old-code"));
    old.usesLeft = 5;
    old.created = QDateTime::currentDateTimeUtc().addDays(-2);
    old.expires = QDateTime::currentDateTimeUtc().addSecs(-3600);
    QVERIFY(m_store->addInvite(old));
    QCOMPARE(
        signUp(registration(QStringLiteral("a4"), kPassword, QStringLiteral("old-code")))->code,
        ErrorCode::InviteInvalid);
    QCOMPARE(m_store->findInvite(old.hash)->usesLeft, 5);
    // Never expiring.
    const QString neverExpiring = m_accounts->createInvite(1, 0, &reason);
    QVERIFY(!m_store->findInvite(Accounts::hashToken(neverExpiring))->expires.isValid());
    QVERIFY(signUp(registration(QStringLiteral("a4"), kPassword, neverExpiring))->ok());
}

void AccountsTest::registrationClosed()
{
    AccountPolicy policy = cheapPolicy();
    policy.registration = RegistrationMode::Closed;
    makeAccounts(policy);
    bool sync = false;
    const auto refused = signUp(registration(QStringLiteral("alice")), kPeer, &sync);
    QVERIFY(sync);
    QCOMPARE(refused->code, ErrorCode::RegistrationClosed);
    QVERIFY(m_store->list().isEmpty());
    // An admin still creates accounts.
    QString reason;
    QVERIFY(m_accounts->createAccount(
        QStringLiteral("alice"),
        PasswordHasher::hashBlocking(kPassword.toUtf8(), PasswordHasher::Strength::Minimum), false,
        &reason));
    QVERIFY(login(QStringLiteral("alice"), kPassword)->ok());
}

void AccountsTest::registrationsPerAddress()
{
    AccountPolicy policy = cheapPolicy();
    policy.registrationsPerAddress = 2;
    makeAccounts(policy);
    QVERIFY(signUp(registration(QStringLiteral("a1")))->ok());
    QVERIFY(signUp(registration(QStringLiteral("a2")))->ok());
    bool sync = false;
    const auto third = signUp(registration(QStringLiteral("a3")), kPeer, &sync);
    QVERIFY(sync);
    QCOMPARE(third->code, ErrorCode::TooManyAttempts);
    QVERIFY(third->reason.contains(QLatin1String("seconds")));
    QVERIFY(signUp(registration(QStringLiteral("a3")), QHostAddress(QStringLiteral("192.0.2.2")))
                ->ok());
}

void AccountsTest::lookalikeNamesAreTaken_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<ErrorCode>("code");
    QTest::newRow("same") << QStringLiteral("alice") << ErrorCode::NameTaken;
    QTest::newRow("capital") << QStringLiteral("Alice") << ErrorCode::NameTaken;
    QTest::newRow("spaces around") << QStringLiteral("  alice ") << ErrorCode::NameTaken;
    QTest::newRow("cyrillic A") << QStringLiteral("\u0410lice") << ErrorCode::NameTaken;
    QTest::newRow("cyrillic c") << QStringLiteral("ali\u0441e") << ErrorCode::NameTaken;
    QTest::newRow("fullwidth A") << QStringLiteral("\uFF21lice") << ErrorCode::NameTaken;
    QTest::newRow("math bold A") << QString::fromUcs4(U"\U0001D400lice") << ErrorCode::NameTaken;
    QTest::newRow("latin alpha") << QStringLiteral("\u0251lice") << ErrorCode::NameTaken;
    // normalizeNick() refuses invisible characters outright: the name is invalid, not taken.
    QTest::newRow("zero width space") << QStringLiteral("al\u200Bice") << ErrorCode::NameInvalid;
    QTest::newRow("soft hyphen") << QStringLiteral("al\u00ADice") << ErrorCode::NameInvalid;
    QTest::newRow("bidi mark") << QStringLiteral("alice\u200F") << ErrorCode::NameInvalid;
}

void AccountsTest::lookalikeNamesAreTaken()
{
    QFETCH(QString, name);
    QFETCH(ErrorCode, code);
    const auto first = signUp(registration(QStringLiteral("alice")));
    QVERIFY(first && first->ok());
    bool sync = false;
    const auto second = signUp(registration(name), kPeer, &sync);
    QVERIFY(sync); // refused before hashing
    QVERIFY(!second->ok());
    QCOMPARE(second->code, code);
    if (code == ErrorCode::NameTaken)
        QCOMPARE(second->reason,
                 QStringLiteral("The name \"%1\" is taken (or looks the same as one that is).")
                     .arg(name.trimmed()));
    // The admin path refuses it alike.
    ErrorCode adminCode = ErrorCode::Internal;
    QString reason;
    QVERIFY(!m_accounts->createAccount(name, {}, false, &reason, &adminCode));
    QCOMPARE(adminCode, code);
    QCOMPARE(m_store->list().size(), 1);
}

void AccountsTest::expiredTokens()
{
    const auto reg = signUp(registration(QStringLiteral("alice")));
    QVERIFY(reg->ok());
    const qint64 id = reg->account->id;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const auto addOld = [&](int days) {
        TokenRecord token;
        const QString secret = Accounts::newToken();
        token.hash = Accounts::hashToken(secret);
        token.accountId = id;
        token.device = QStringLiteral("old");
        token.created = now.addDays(-days - 1);
        token.lastUsed = now.addDays(-days);
        return m_store->addToken(token) ? secret : QString();
    };
    const QString stale = addOld(91);
    const QString stale2 = addOld(100);
    const QString recent = addOld(89);
    QVERIFY(!stale.isEmpty() && !stale2.isEmpty() && !recent.isEmpty());

    QSignalSpy ended(m_accounts.get(), &Accounts::tokensEnded);
    const AuthResult refused = m_accounts->loginWithToken(stale, {});
    QCOMPARE(refused.code, ErrorCode::TokenInvalid);
    QVERIFY(!m_store->findToken(Accounts::hashToken(stale)));
    QCOMPARE(ended.count(), 1);

    const AuthResult fine = m_accounts->loginWithToken(recent, {});
    QVERIFY(fine.ok());
    QVERIFY(m_store->findToken(fine.tokenHash)->lastUsed >= now);

    QCOMPARE(m_accounts->expireTokens(now), 1);
    QCOMPARE(ended.count(), 2);
    QCOMPARE(ended.at(1).at(0).toLongLong(), id);
    QCOMPARE(ended.at(1).at(1).value<QList<QByteArray>>(),
             QList<QByteArray>{Accounts::hashToken(stale2)});
    QCOMPARE(m_store->tokens(id).size(), 2); // the registration's and the recent one
    // 0 days: never.
    AccountPolicy policy = cheapPolicy();
    policy.tokenExpiryDays = 0;
    makeAccounts(policy);
    QCOMPARE(m_accounts->expireTokens(now.addYears(5)), 0);
}

void AccountsTest::logoutEndsToken()
{
    const auto reg = signUp(registration(QStringLiteral("alice")));
    const auto second = login(QStringLiteral("alice"), kPassword);
    QVERIFY(reg->ok() && second->ok());
    QSignalSpy ended(m_accounts.get(), &Accounts::tokensEnded);
    QVERIFY(!m_accounts->logout(reg->account->id + 1, second->tokenHash)); // not its token
    QVERIFY(m_accounts->logout(reg->account->id, second->tokenHash));
    QCOMPARE(ended.count(), 1);
    QCOMPARE(ended.at(0).at(1).value<QList<QByteArray>>(), QList<QByteArray>{second->tokenHash});
    QCOMPARE(m_accounts->loginWithToken(second->newToken, {}).code, ErrorCode::TokenInvalid);
    QVERIFY(m_accounts->loginWithToken(reg->newToken, {}).ok());
    QVERIFY(!m_accounts->logout(reg->account->id, second->tokenHash)); // already gone
}

void AccountsTest::changePasswordEndsOtherTokens()
{
    const auto reg = signUp(registration(QStringLiteral("alice")));
    const auto other = login(QStringLiteral("alice"), kPassword);
    QVERIFY(reg->ok() && other->ok());
    const qint64 id = reg->account->id;
    QSignalSpy ended(m_accounts.get(), &Accounts::tokensEnded);

    const auto wrongOld = changePassword(id, reg->tokenHash, QStringLiteral("not the one"),
                                         QStringLiteral("new password"));
    QCOMPARE(wrongOld->code, ErrorCode::LoginFailed);
    QCOMPARE(changePassword(id, reg->tokenHash, kPassword, QStringLiteral("short"))->code,
             ErrorCode::PasswordInvalid);
    QCOMPARE(ended.count(), 0);

    const auto changed =
        changePassword(id, reg->tokenHash, kPassword, QStringLiteral("new password"));
    QVERIFY2(changed->ok(), qPrintable(changed->reason));
    QVERIFY(!changed->newToken.isEmpty());
    QCOMPARE(ended.count(), 1);
    QCOMPARE(ended.at(0).at(0).toLongLong(), id);
    QCOMPARE(ended.at(0).at(1).value<QList<QByteArray>>(), QList<QByteArray>{other->tokenHash});
    QCOMPARE(m_accounts->loginWithToken(other->newToken, {}).code, ErrorCode::TokenInvalid);
    QCOMPARE(m_accounts->loginWithToken(reg->newToken, {}).code, ErrorCode::TokenInvalid);
    QVERIFY(m_accounts->loginWithToken(changed->newToken, {}).ok());
    QCOMPARE(m_store->tokens(id).size(), 1);
    QCOMPARE(login(QStringLiteral("alice"), kPassword)->code, ErrorCode::LoginFailed);
    QVERIFY(login(QStringLiteral("alice"), QStringLiteral("new password"))->ok());
}

void AccountsTest::devicesAndEndDevice()
{
    const auto reg = signUp(registration(QStringLiteral("alice")));
    QVERIFY(reg->ok());
    const auto phone = wait(
        [&](auto done) {
            m_accounts->login(Login{QStringLiteral("alice"), kPassword}, QStringLiteral("手机"),
                              kPeer, done);
        },
        nullptr);
    QVERIFY(phone->ok());
    const qint64 id = reg->account->id;
    const QList<chat::proto::Device> devices = m_accounts->devices(id, phone->tokenHash);
    QCOMPARE(devices.size(), 2);
    int current = 0;
    for (const chat::proto::Device &device : devices) {
        QCOMPARE(device.id.size(), 16);
        QVERIFY(device.created.isValid() && device.lastUsed.isValid());
        if (device.current) {
            ++current;
            QCOMPARE(device.name, QStringLiteral("手机"));
            QCOMPARE(device.id, Accounts::deviceId(phone->tokenHash));
        }
    }
    QCOMPARE(current, 1);
    QString reason;
    QVERIFY(!m_accounts->endDevice(id, QStringLiteral("0000000000000000"), &reason));
    QVERIFY(!reason.isEmpty());
    QSignalSpy ended(m_accounts.get(), &Accounts::tokensEnded);
    QVERIFY(m_accounts->endDevice(id, Accounts::deviceId(reg->tokenHash), &reason));
    QCOMPARE(ended.count(), 1);
    QCOMPARE(m_accounts->devices(id, phone->tokenHash).size(), 1);
    // Another account's device is not this one's to end.
    const auto bob = signUp(registration(QStringLiteral("bob")));
    QVERIFY(!m_accounts->endDevice(id, Accounts::deviceId(bob->tokenHash), &reason));
}

void AccountsTest::setDisplay()
{
    const auto reg = signUp(registration(QStringLiteral("alice")));
    const qint64 id = reg->account->id;
    QCOMPARE(m_accounts->setDisplay(id, QStringLiteral(" 爱丽丝 ")), QString());
    QCOMPARE(m_store->findById(id)->display, QStringLiteral("爱丽丝"));
    QVERIFY(!m_accounts->setDisplay(id, QStringLiteral("a\u200Bb")).isEmpty());
    QCOMPARE(m_store->findById(id)->display, QStringLiteral("爱丽丝"));
    QCOMPARE(m_accounts->setDisplay(id, QString()), QString());
    QCOMPARE(m_store->findById(id)->display, QString());
}

void AccountsTest::adminFunctions()
{
    QString reason;
    ErrorCode code = ErrorCode::Internal;
    const auto admin = m_accounts->createAccount(
        QStringLiteral("root"),
        PasswordHasher::hashBlocking(kPassword.toUtf8(), PasswordHasher::Strength::Minimum), true,
        &reason, &code);
    QVERIFY2(admin, qPrintable(reason));
    QVERIFY(admin->admin);
    QVERIFY(!m_accounts->createAccount(QStringLiteral("ROOT"), {}, false, &reason, &code));
    QCOMPARE(code, ErrorCode::NameTaken);
    QVERIFY(m_accounts->findAccount(QStringLiteral("Root")));
    QVERIFY(!m_accounts->findAccount(QStringLiteral("nobody")));

    // A bot: created with its first token, no password.
    const QString botToken =
        m_accounts->createToken(QStringLiteral("robot"), QStringLiteral("ci"), &reason);
    QVERIFY2(!botToken.isEmpty(), qPrintable(reason));
    const auto bot = m_accounts->findAccount(QStringLiteral("robot"));
    QVERIFY(bot && bot->passwordHash.isEmpty());
    QVERIFY(m_accounts->loginWithToken(botToken, {}).ok());
    QCOMPARE(m_store->tokens(bot->id).first().device, QStringLiteral("ci"));
    const QString second = m_accounts->createToken(QStringLiteral("robot"), {}, &reason);
    QCOMPARE(m_store->tokens(bot->id).size(), 2);
    QCOMPARE(m_store->list().size(), 2);

    QSignalSpy disabled(m_accounts.get(), &Accounts::accountDisabled);
    QVERIFY(m_accounts->setDisabled(QStringLiteral("robot"), true, &reason));
    QCOMPARE(disabled.count(), 1);
    QCOMPARE(disabled.at(0).at(0).toLongLong(), bot->id);
    QCOMPARE(m_accounts->loginWithToken(botToken, {}).code, ErrorCode::AccountDisabled);
    QVERIFY(m_accounts->setDisabled(QStringLiteral("robot"), false, &reason));
    QCOMPARE(disabled.count(), 1);
    QVERIFY(m_accounts->loginWithToken(botToken, {}).ok());
    QVERIFY(!m_accounts->setDisabled(QStringLiteral("nobody"), true, &reason));
    QVERIFY(reason.contains(QLatin1String("nobody")));

    // A disabled account's right password says so; a wrong one does not.
    QVERIFY(m_accounts->setDisabled(QStringLiteral("root"), true, &reason));
    QCOMPARE(login(QStringLiteral("root"), kPassword)->code, ErrorCode::AccountDisabled);
    QCOMPARE(login(QStringLiteral("root"), QStringLiteral("wrong password"),
                   QHostAddress(QStringLiteral("192.0.2.99")))
                 ->code,
             ErrorCode::LoginFailed);
    QVERIFY(m_accounts->setDisabled(QStringLiteral("root"), false, &reason));

    QSignalSpy ended(m_accounts.get(), &Accounts::tokensEnded);
    bool hashed = false;
    QByteArray newHash;
    QVERIFY(m_accounts->hashPassword(QStringLiteral("robot password"), [&](QByteArray h) {
        newHash = h;
        hashed = true;
    }));
    QTRY_VERIFY_WITH_TIMEOUT(hashed, kWait);
    QVERIFY(m_accounts->resetPasswordHash(QStringLiteral("robot"), newHash, &reason));
    QCOMPARE(ended.count(), 1);
    QCOMPARE(ended.at(0).at(1).value<QList<QByteArray>>().size(), 2);
    QCOMPARE(m_accounts->loginWithToken(second, {}).code, ErrorCode::TokenInvalid);
    QVERIFY(login(QStringLiteral("robot"), QStringLiteral("robot password"))->ok());

    QVERIFY(m_accounts->makeAdmin(QStringLiteral("robot"), true, &reason));
    QVERIFY(m_accounts->findAccount(QStringLiteral("robot"))->admin);
    QVERIFY(m_accounts->makeAdmin(QStringLiteral("robot"), false, &reason));
    QVERIFY(!m_accounts->findAccount(QStringLiteral("robot"))->admin);
    QVERIFY(m_accounts->createInvite(0, 1, &reason).isEmpty());
}

void AccountsTest::rehashOnLogin()
{
    // A hash with the interactive limits, under a policy of minimum ones: "needs rehash".
    const QByteArray strong =
        PasswordHasher::hashBlocking(kPassword.toUtf8(), PasswordHasher::Strength::Interactive);
    QString reason;
    const auto account = m_accounts->createAccount(QStringLiteral("alice"), strong, false, &reason);
    QVERIFY(account);
    QVERIFY(login(QStringLiteral("alice"), kPassword)->ok());
    QTRY_VERIFY_WITH_TIMEOUT(m_store->findById(account->id)->passwordHash != strong, kWait);
    QVERIFY(login(QStringLiteral("alice"), kPassword)->ok());
}

void AccountsTest::persistsInItsDatabase()
{
    QFETCH_GLOBAL(QString, kind);
    if (kind == QLatin1String("memory"))
        QSKIP("the memory store keeps nothing");
    const auto reg =
        signUp(registration(QStringLiteral("alice"), kPassword, {}, QStringLiteral("爱丽丝")));
    QVERIFY(reg->ok());
    QString reason;
    const QString invite = m_accounts->createInvite(3, 0, &reason);
    m_accounts.reset();
    m_history.reset(); // the account store keeps the connection open meanwhile
    QVERIFY(m_store->findById(reg->account->id));
    m_store.reset();

    openHistory();
    QVERIFY(m_store);
    makeAccounts(cheapPolicy());
    const AuthResult again = m_accounts->loginWithToken(reg->newToken, {});
    QVERIFY(again.ok());
    QCOMPARE(*again.account, *reg->account);
    QCOMPARE(m_store->findInvite(Accounts::hashToken(invite))->usesLeft, 3);
    QVERIFY(login(QStringLiteral("alice"), kPassword)->ok());
}

QTEST_GUILESS_MAIN(AccountsTest)
#include "tst_accounts.moc"
