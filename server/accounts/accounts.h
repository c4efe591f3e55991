// Accounts (issue 10): registration, password and token logins, devices, invites, with the
// throttles in front of them. The hub asks; this answers. Password hashing runs on the
// PasswordHasher's workers, so the calls that need it answer through a callback, later, on the
// thread that owns this object; every other call answers at once.
#pragma once

#include "accountstore.h"
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
    // attempt must wait a delay that doubles from 1 s up to maxDelayMs.
    int freeFailures = 3;
    qint64 maxFailureDelayMs = 5 * 60 * 1000;
};

// The outcome of a login or a registration.
struct AuthResult
{
    std::optional<Account> account; // set on success
    QString newToken;               // after a password login or a registration: for the welcome
    QByteArray tokenHash;           // this device's token (SHA-256), on success
    chat::proto::ErrorCode code = chat::proto::ErrorCode::Internal; // on failure
    QString reason;                                                  // on failure

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
    void login(const chat::proto::Login &login, const QString &device,
               const QHostAddress &peer, std::function<void(AuthResult)> done);
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
