// Accounts (issue 10): registration, password and token logins, devices, invites, with the
// throttles in front of them. The hub asks; this answers. Password hashing runs on the
// PasswordHasher's workers, so the calls that need it answer through a callback, later, on the
// thread that owns this object; every other call answers at once.
#pragma once

#include "accounts/accountstore.h"
#include "errorcode.h"
#include "protocol.h"

#include <QByteArray>
#include <QDateTime>
#include <QHostAddress>
#include <QObject>
#include <QString>

#include <functional>
#include <memory>
#include <optional>

namespace chat::server {

class PasswordHasher;

enum class RegistrationMode { Open, Invite, Closed };

struct AccountPolicy
{
    RegistrationMode registration = RegistrationMode::Open;
    // Open registration: sign-ups per client address (IPv4 address or IPv6 /64) and window.
    int registrationsPerAddress = 5;
    qint64 registrationWindowMs = 10 * 60 * 1000;
    // Tokens unused for this many days end; 0: never.
    int tokenExpiryDays = 90;
    // Argon2id workers (0: as many as there are cores, at most 4) and requests waiting for them.
    int hashWorkers = 0;
    int maxQueuedHashes = 32;
    // Tests and benchmarks only: libsodium's minimum limits instead of the interactive ones.
    bool cheapHashes = false;
    // Failed password logins: after this many in a row per account or per address, each further
    // attempt must wait, since the last failure, a delay that doubles from firstFailureDelayMs
    // (1 s) up to maxFailureDelayMs. Attempts during the wait are refused without hashing.
    int freeFailures = 3;
    qint64 maxFailureDelayMs = 5 * 60 * 1000;
    qint64 firstFailureDelayMs = 1000; // tests shorten it
};

// The outcome of a login or a registration.
struct AuthResult
{
    std::optional<Account> account; // set on success
    QString newToken;               // after a password login or a registration: for the welcome
    QByteArray tokenHash;           // this device's token (SHA-256), on success
    chat::proto::ErrorCode code = chat::proto::ErrorCode::Internal; // on failure
    QString reason;                                                 // on failure

    [[nodiscard]] bool ok() const { return account.has_value(); }
};

class Accounts : public QObject
{
    Q_OBJECT
public:
    // `store` must outlive this object.
    Accounts(AccountStore *store, const AccountPolicy &policy, QObject *parent = nullptr);
    ~Accounts() override;

    [[nodiscard]] AccountStore *store() const { return m_store; }
    [[nodiscard]] const AccountPolicy &policy() const { return m_policy; }

    // A token login: at once, without hashing. Refreshes the token's last use.
    [[nodiscard]] AuthResult loginWithToken(const QString &token, const QString &device);
    // A password login and a registration. `done` is called exactly once: at once for a refusal
    // that needs no hashing (throttled, busy, invalid, closed), otherwise later; never after this
    // object is destroyed.
    void login(const chat::proto::Login &login, const QString &device, const QHostAddress &peer,
               std::function<void(AuthResult)> done);
    void registerAccount(const chat::proto::Registration &registration, const QString &device,
                         const QHostAddress &peer, std::function<void(AuthResult)> done);

    // Ends one token (log out). Emits tokensEnded.
    bool logout(qint64 accountId, const QByteArray &tokenHash);
    // Checks the old password, sets the new one, ends every other token of the account (emits
    // tokensEnded) and gives the asking device a new token in AuthResult::newToken.
    void changePassword(qint64 accountId, const QByteArray &currentTokenHash,
                        const QString &oldPassword, const QString &newPassword,
                        std::function<void(AuthResult)> done);
    [[nodiscard]] QList<chat::proto::Device> devices(qint64 accountId,
                                                     const QByteArray &currentTokenHash) const;
    // False (and *reason) when the account has no such device. Emits tokensEnded.
    bool endDevice(qint64 accountId, const QString &deviceId, QString *reason);
    // Empty when done, else the reason (code DisplayInvalid).
    [[nodiscard]] QString setDisplay(qint64 accountId, const QString &display);

    // Drops tokens unused for tokenExpiryDays (the hub calls it from a timer). Emits tokensEnded.
    qint64 expireTokens(const QDateTime &now);

    // --- for admins (admin requests, `chat-server` commands) --------------------------------
    // All answer at once, on this object's thread; a name is looked up by accountNameKey().
    // On failure they return nullopt / false / an empty string with *reason set (and *code, when
    // given, to the error code that fits: NameInvalid, NameTaken, Internal, ...).

    // The account registered under this name (or one that looks the same), if any.
    [[nodiscard]] std::optional<Account> findAccount(const QString &name);
    // Hashes a password on the workers, for createAccount() and resetPasswordHash(). False when
    // the pool is full (try again); otherwise `done` gets the hash later (empty if hashing
    // failed). Check the password with chat::proto::checkPassword() first.
    [[nodiscard]] bool hashPassword(const QString &password, std::function<void(QByteArray)> done);
    // A new account. An empty passwordHash makes one that logs in with tokens only (a bot).
    std::optional<Account> createAccount(const QString &name, const QByteArray &passwordHash,
                                         bool admin, QString *reason,
                                         chat::proto::ErrorCode *code = nullptr);
    // Disabling emits accountDisabled (the hub closes its connections); its tokens stay, and
    // work again once it is enabled.
    bool setDisabled(const QString &name, bool disabled, QString *reason);
    // Sets a new password hash (empty: no password logins) and ends every token (tokensEnded).
    bool resetPasswordHash(const QString &name, const QByteArray &passwordHash, QString *reason);
    bool makeAdmin(const QString &name, bool admin, QString *reason);
    // A new invite code good for `uses` registrations, for `expiresDays` days (0: no expiry).
    [[nodiscard]] QString createInvite(int uses, int expiresDays, QString *reason);
    // A token for `name` on `device`, creating the account without a password if it is missing
    // (for bots: `chat-server token create`).
    [[nodiscard]] QString createToken(const QString &name, const QString &device, QString *reason);

    // The throttles' key for a client address: the IPv4 address, or the IPv6 /64.
    [[nodiscard]] static QString addressKey(const QHostAddress &peer);

    // The id a Device carries for a token hash.
    [[nodiscard]] static QString deviceId(const QByteArray &tokenHash);
    // 32 random bytes from the system, base64url without padding.
    [[nodiscard]] static QString newToken();
    [[nodiscard]] static QByteArray hashToken(const QString &token);

signals:
    // These tokens no longer log in: the hub closes the connections that used them.
    void tokensEnded(qint64 accountId, const QList<QByteArray> &tokenHashes);
    // The account was disabled (by an admin): the hub closes all its connections.
    void accountDisabled(qint64 accountId);
    // Refusals for /metrics, one per refused login or registration: `what` is "login",
    // "token" or "register", `code` the error sent.
    void refused(const QString &what, chat::proto::ErrorCode code);

private:
    class Private;
    std::unique_ptr<Private> d;
    AccountStore *m_store;
    AccountPolicy m_policy;
};

} // namespace chat::server
