#include "admin/admincommands.h"

#include "admin/backupcommand.h"

#include "accounts/accounts.h"
#include "accounts/accountstore.h"
#include "namekey.h"
#include "protocol.h"
#include "validation.h"

#include <QDateTime>
#include <QHash>
#include <QRandomGenerator>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlError>

#include <sodium.h>

namespace chat::server::admin {

namespace {

const QString kPasswordHash = QStringLiteral("password-hash");
const QString kPasswordStdin = QStringLiteral("password-stdin");
const QString kDefaultDevice = QStringLiteral("chat-server token create");
constexpr int kDefaultInviteDays = 7;
constexpr int kMaxInviteDays = 3650;
constexpr int kMaxInviteUses = 1000000;

AdminResult fail(int exitCode, const QString &message)
{
    return {message.endsWith(QLatin1Char('\n')) ? message : message + QLatin1Char('\n'), exitCode};
}

AdminResult usage(const QString &message)
{
    return fail(kAdminBadUsage, message + QStringLiteral(" (see chat-server user --help)"));
}

AdminResult storeFailure(const AccountStore *store)
{
    const QString why = store->errorString();
    return fail(kAdminStoreFailed, QStringLiteral("the account store failed: %1")
                                       .arg(why.isEmpty() ? QStringLiteral("unknown error") : why));
}

QString timeText(const QDateTime &time)
{
    if (!time.isValid())
        return QStringLiteral("-");
    return time.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm")) + QStringLiteral(" UTC");
}

// The options of one command, parsed: "--name value", "--name=value", "--flag", and "--" before
// positional arguments that start with a dash.
struct Parsed
{
    QStringList positional;
    QHash<QString, QString> values;
    QSet<QString> flags;
    QString error;
};

Parsed parse(const QStringList &arguments, const QStringList &flagNames,
             const QStringList &valueNames)
{
    Parsed parsed;
    bool optionsEnded = false;
    for (qsizetype i = 0; i < arguments.size(); ++i) {
        const QString &argument = arguments[i];
        if (optionsEnded || !argument.startsWith(QLatin1Char('-')) || argument.size() == 1) {
            parsed.positional.append(argument);
            continue;
        }
        if (argument == QLatin1String("--")) {
            optionsEnded = true;
            continue;
        }
        QString name = argument.mid(argument.startsWith(QLatin1String("--")) ? 2 : 1);
        std::optional<QString> value;
        if (const qsizetype equals = name.indexOf(QLatin1Char('=')); equals >= 0) {
            value = name.mid(equals + 1);
            name.truncate(equals);
        }
        if (parsed.values.contains(name) || parsed.flags.contains(name)) {
            parsed.error = QStringLiteral("--%1 is given twice").arg(name);
            return parsed;
        }
        if (flagNames.contains(name)) {
            if (value) {
                parsed.error = QStringLiteral("--%1 takes no value").arg(name);
                return parsed;
            }
            parsed.flags.insert(name);
        } else if (valueNames.contains(name)) {
            if (!value) {
                if (i + 1 >= arguments.size()) {
                    parsed.error = QStringLiteral("--%1 needs a value").arg(name);
                    return parsed;
                }
                value = arguments[++i];
            }
            parsed.values.insert(name, *value);
        } else {
            parsed.error = QStringLiteral("unknown option %1").arg(argument);
            return parsed;
        }
    }
    return parsed;
}

// A whole number from `min` to `max`, or nullopt.
std::optional<int> number(const QString &text, int min, int max)
{
    bool ok = false;
    const int value = text.toInt(&ok);
    if (!ok || value < min || value > max)
        return std::nullopt;
    return value;
}

bool isArgon2idHash(const QString &hash)
{
    if (!hash.startsWith(QLatin1String("$argon2id$")) ||
        hash.size() >= qsizetype(crypto_pwhash_STRBYTES))
        return false;
    for (const QChar c : hash) {
        if (c.unicode() <= 0x20 || c.unicode() >= 0x7f)
            return false;
    }
    if (sodium_init() < 0)
        return false;
    // -1: libsodium cannot read it.
    return crypto_pwhash_str_needs_rehash(hash.toLatin1().constData(),
                                          crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != -1;
}

// The account a name given on the command line names, or the reason there is none.
struct Lookup
{
    std::optional<Account> account;
    QString name; // normalised
    AdminResult failure;
};

Lookup lookUp(AccountStore *store, const QString &raw)
{
    Lookup lookup;
    const chat::proto::Normalized name = chat::proto::normalizeAccountName(raw);
    if (!name.ok()) {
        lookup.failure = fail(kAdminBadUsage, name.reason);
        return lookup;
    }
    lookup.name = name.value;
    const QString key = chat::proto::accountNameKey(name.value);
    if (key.isEmpty()) {
        lookup.failure = fail(kAdminBadUsage,
                              QStringLiteral("\"%1\" cannot be an account name").arg(name.value));
        return lookup;
    }
    if (!store) { // a dry run: the name is valid
        lookup.failure = {};
        return lookup;
    }
    lookup.account = store->findByKey(key);
    if (!lookup.account && !store->errorString().isEmpty())
        lookup.failure = storeFailure(store);
    else if (!lookup.account)
        lookup.failure = fail(kAdminRefused, QStringLiteral("no account named %1").arg(name.value));
    return lookup;
}

QString describeTaken(const QString &wanted, const Account &existing)
{
    if (existing.name == wanted)
        return QStringLiteral("the name %1 is taken").arg(wanted);
    return QStringLiteral("the name %1 is taken: it looks like the account %2")
        .arg(wanted, existing.name);
}

AdminResult userAdd(const QStringList &arguments, Accounts *accounts)
{
    // --password-stdin is the CLI's (admincli.cpp), which replaces it with the hash.
    const Parsed parsed = parse(arguments, {QStringLiteral("admin"), kPasswordStdin},
                                {QStringLiteral("display"), kPasswordHash});
    if (!parsed.error.isEmpty())
        return usage(parsed.error);
    if (parsed.positional.size() != 1)
        return usage(QStringLiteral("user add takes one account name"));
    const QString hash = parsed.values.value(kPasswordHash);
    if (accounts && !isArgon2idHash(hash))
        return usage(QStringLiteral("user add needs a password (an Argon2id hash)"));
    const chat::proto::Normalized display =
        chat::proto::normalizeDisplay(parsed.values.value(QStringLiteral("display")));
    if (!display.ok())
        return fail(kAdminBadUsage, display.reason);
    Lookup lookup = lookUp(accounts ? accounts->store() : nullptr, parsed.positional.constFirst());
    if (!accounts)
        return lookup.failure;
    if (lookup.account)
        return fail(kAdminRefused, describeTaken(lookup.name, *lookup.account));
    if (lookup.failure.exitCode != kAdminRefused) // not "no such account"
        return lookup.failure;

    QString reason;
    chat::proto::ErrorCode code = chat::proto::ErrorCode::Internal;
    const bool admin = parsed.flags.contains(QStringLiteral("admin"));
    const std::optional<Account> account =
        accounts->createAccount(lookup.name, hash.toLatin1(), admin, &reason, &code);
    if (!account) {
        if (code == chat::proto::ErrorCode::NameTaken)
            return fail(kAdminRefused, QStringLiteral("the name %1 is taken").arg(lookup.name));
        if (code == chat::proto::ErrorCode::NameInvalid)
            return fail(kAdminBadUsage, reason);
        return fail(kAdminStoreFailed, QStringLiteral("the account store failed: %1").arg(reason));
    }
    if (!display.value.isEmpty()) {
        if (const QString failed = accounts->setDisplay(account->id, display.value);
            !failed.isEmpty())
            return fail(kAdminStoreFailed,
                        QStringLiteral("created %1, but without its display name: %2")
                            .arg(account->name, failed));
    }
    return {QStringLiteral("created %1 %2\n")
                .arg(admin ? QStringLiteral("admin") : QStringLiteral("account"), account->name),
            kAdminOk};
}

AdminResult userList(const QStringList &arguments, Accounts *accounts)
{
    const Parsed parsed = parse(arguments, {}, {});
    if (!parsed.error.isEmpty())
        return usage(parsed.error);
    if (!parsed.positional.isEmpty())
        return usage(QStringLiteral("user list takes no arguments"));
    if (!accounts)
        return {};
    AccountStore *store = accounts->store();
    const QList<Account> list = store->list();
    if (!store->errorString().isEmpty())
        return storeFailure(store);

    QList<QStringList> rows;
    rows.append({QStringLiteral("NAME"), QStringLiteral("DISPLAY"), QStringLiteral("ADMIN"),
                 QStringLiteral("DISABLED"), QStringLiteral("DEVICES"), QStringLiteral("CREATED")});
    for (const Account &account : list) {
        const qsizetype devices = store->tokens(account.id).size();
        if (!store->errorString().isEmpty())
            return storeFailure(store);
        rows.append({account.name,
                     account.display.isEmpty() ? QStringLiteral("-") : account.display,
                     account.admin ? QStringLiteral("yes") : QStringLiteral("no"),
                     account.disabled ? QStringLiteral("yes") : QStringLiteral("no"),
                     QString::number(devices), timeText(account.created)});
    }
    QList<int> widths(rows.constFirst().size(), 0);
    for (const QStringList &row : rows) {
        for (qsizetype column = 0; column < row.size(); ++column)
            widths[column] = qMax(widths[column], displayWidth(row[column]));
    }
    QString out;
    for (const QStringList &row : rows) {
        QString line;
        for (qsizetype column = 0; column < row.size(); ++column) {
            line += row[column];
            if (column + 1 < row.size())
                line += QString(widths[column] - displayWidth(row[column]) + 2, QLatin1Char(' '));
        }
        out += line + QLatin1Char('\n');
    }
    out += list.size() == 1 ? QStringLiteral("1 account\n")
                            : QStringLiteral("%1 accounts\n").arg(list.size());
    return {out, kAdminOk};
}

// user disable|enable|make-admin NAME
AdminResult userFlag(const QString &verb, const QStringList &arguments, Accounts *accounts)
{
    const Parsed parsed = parse(arguments, {}, {});
    if (!parsed.error.isEmpty())
        return usage(parsed.error);
    if (parsed.positional.size() != 1)
        return usage(QStringLiteral("user %1 takes one account name").arg(verb));
    const Lookup lookup =
        lookUp(accounts ? accounts->store() : nullptr, parsed.positional.constFirst());
    if (!accounts || !lookup.account)
        return lookup.failure;
    const Account &account = *lookup.account;
    QString reason;
    QString done;
    bool ok = false;
    if (verb == QLatin1String("disable")) {
        if (account.disabled)
            return {QStringLiteral("%1 was already disabled\n").arg(account.name), kAdminOk};
        // The running server's hub closes the account's connections (accountDisabled).
        ok = accounts->setDisabled(account.name, true, &reason);
        done = QStringLiteral("disabled %1: it cannot log in, and its connections are closed\n");
    } else if (verb == QLatin1String("enable")) {
        if (!account.disabled)
            return {QStringLiteral("%1 was not disabled\n").arg(account.name), kAdminOk};
        ok = accounts->setDisabled(account.name, false, &reason);
        done = QStringLiteral("enabled %1\n");
    } else {
        if (account.admin)
            return {QStringLiteral("%1 was already an admin\n").arg(account.name), kAdminOk};
        ok = accounts->makeAdmin(account.name, true, &reason);
        done = QStringLiteral("%1 is an admin now\n");
    }
    if (!ok)
        return fail(kAdminStoreFailed, QStringLiteral("the account store failed: %1").arg(reason));
    return {done.arg(account.name), kAdminOk};
}

AdminResult userResetPassword(const QStringList &arguments, Accounts *accounts)
{
    const Parsed parsed = parse(arguments, {kPasswordStdin}, {kPasswordHash});
    if (!parsed.error.isEmpty())
        return usage(parsed.error);
    if (parsed.positional.size() != 1)
        return usage(QStringLiteral("user reset-password takes one account name"));
    const QString hash = parsed.values.value(kPasswordHash);
    if (accounts && !isArgon2idHash(hash))
        return usage(QStringLiteral("user reset-password needs a password (an Argon2id hash)"));
    const Lookup lookup =
        lookUp(accounts ? accounts->store() : nullptr, parsed.positional.constFirst());
    if (!accounts || !lookup.account)
        return lookup.failure;
    const qsizetype devices = accounts->store()->tokens(lookup.account->id).size();
    // Ends every token: the running server's hub closes those connections (tokensEnded).
    QString reason;
    if (!accounts->resetPasswordHash(lookup.account->name, hash.toLatin1(), &reason))
        return fail(kAdminStoreFailed, QStringLiteral("the account store failed: %1").arg(reason));
    return {QStringLiteral("new password set for %1; %2 logged out\n")
                .arg(lookup.account->name, devices == 1
                                               ? QStringLiteral("1 device")
                                               : QStringLiteral("%1 devices").arg(devices)),
            kAdminOk};
}

AdminResult inviteCreate(const QStringList &arguments, Accounts *accounts)
{
    const Parsed parsed = parse(arguments, {}, {QStringLiteral("uses"), QStringLiteral("expires")});
    if (!parsed.error.isEmpty())
        return usage(parsed.error);
    if (!parsed.positional.isEmpty())
        return usage(QStringLiteral("invite create takes no arguments"));
    const std::optional<int> uses =
        number(parsed.values.value(QStringLiteral("uses"), QStringLiteral("1")), 1, kMaxInviteUses);
    if (!uses)
        return usage(QStringLiteral("--uses: give a number from 1 to %1").arg(kMaxInviteUses));
    const std::optional<int> days =
        number(parsed.values.value(QStringLiteral("expires"), QString::number(kDefaultInviteDays)),
               0, kMaxInviteDays);
    if (!days)
        return usage(QStringLiteral("--expires: give a number of days from 0 (never) to %1")
                         .arg(kMaxInviteDays));
    if (!accounts)
        return {};
    QString reason;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QString code = accounts->createInvite(*uses, *days, &reason);
    if (code.isEmpty())
        return fail(kAdminStoreFailed, QStringLiteral("the account store failed: %1").arg(reason));
    return {QStringLiteral("invite %1 (%2, %3)\n")
                .arg(code,
                     *uses == 1 ? QStringLiteral("1 use") : QStringLiteral("%1 uses").arg(*uses),
                     *days > 0 ? QStringLiteral("expires %1").arg(timeText(now.addDays(*days)))
                               : QStringLiteral("never expires")),
            kAdminOk};
}

// One SQLite transaction around many writes (token create --count): each write on its own
// waits for the disk (synchronous = FULL), about 8 ms for an account and its token, which for
// thousands of accounts would hold a running server's event loop for minutes. AccountStore has
// no transactions of its own, so this finds the one open SQLite connection of this thread (the
// database's: the stores share it) and begins one there; with none, or more than one (which it
// could not tell apart), the writes go one by one as before. Nothing else writes in between:
// the command runs to its end on this thread. The account store's own writes used here (create,
// addToken) open no transaction of their own.
class WriteBatch
{
public:
    WriteBatch()
    {
        QList<QSqlDatabase> open;
        for (const QString &name : QSqlDatabase::connectionNames()) {
            QSqlDatabase db = QSqlDatabase::database(name, false);
            if (db.isOpen() && db.driverName() == QLatin1String("QSQLITE"))
                open.append(db);
        }
        if (open.size() == 1 && open.first().transaction())
            m_db = open.constFirst();
    }
    ~WriteBatch()
    {
        if (m_db.isValid())
            m_db.rollback();
    }
    WriteBatch(const WriteBatch &) = delete;
    WriteBatch &operator=(const WriteBatch &) = delete;

    // True when everything is written (or there was no transaction to commit).
    [[nodiscard]] bool commit(QString *error)
    {
        if (!m_db.isValid())
            return true;
        QSqlDatabase db = m_db;
        m_db = QSqlDatabase();
        if (db.commit())
            return true;
        *error = db.lastError().text();
        db.rollback();
        return false;
    }

private:
    QSqlDatabase m_db;
};

AdminResult tokenCreate(const QStringList &arguments, Accounts *accounts)
{
    AccountStore *store = accounts ? accounts->store() : nullptr;
    const Parsed parsed = parse(arguments, {}, {QStringLiteral("device"), QStringLiteral("count")});
    if (!parsed.error.isEmpty())
        return usage(parsed.error);
    if (parsed.positional.size() != 1)
        return usage(QStringLiteral("token create takes one account name"));
    const chat::proto::Normalized device =
        chat::proto::normalizeDevice(parsed.values.value(QStringLiteral("device"), kDefaultDevice));
    if (!device.ok())
        return fail(kAdminBadUsage, device.reason);
    std::optional<int> count;
    if (parsed.values.contains(QStringLiteral("count"))) {
        count = number(parsed.values.value(QStringLiteral("count")), 1, kMaxTokenCount);
        if (!count)
            return usage(QStringLiteral("--count: give a number from 1 to %1").arg(kMaxTokenCount));
    }
    QStringList raw;
    if (count) {
        for (int i = 1; i <= *count; ++i)
            raw.append(parsed.positional.constFirst() + QString::number(i));
    } else {
        raw.append(parsed.positional.constFirst());
    }

    // Everything is checked before anything is written: valid names, none a look-alike of
    // another account or of each other, none disabled.
    QStringList names;
    names.reserve(raw.size());
    QSet<QString> keys;
    for (const QString &name : raw) {
        const Lookup lookup = lookUp(store, name);
        if (!accounts) {
            if (lookup.failure.exitCode != kAdminOk)
                return lookup.failure;
            continue;
        }
        if (!lookup.account && lookup.failure.exitCode != kAdminRefused)
            return lookup.failure;
        if (lookup.account && lookup.account->name != lookup.name)
            return fail(kAdminRefused, describeTaken(lookup.name, *lookup.account));
        if (lookup.account && lookup.account->disabled)
            return fail(kAdminRefused, QStringLiteral("%1 is disabled").arg(lookup.name));
        const QString key = chat::proto::accountNameKey(lookup.name);
        if (keys.contains(key))
            return fail(kAdminRefused,
                        QStringLiteral("two of the names look the same: %1").arg(lookup.name));
        keys.insert(key);
        names.append(lookup.name);
    }

    if (!accounts)
        return {};
    QString out;
    WriteBatch batch;
    for (const QString &name : std::as_const(names)) {
        QString reason;
        const QString token = accounts->createToken(name, device.value, &reason);
        if (token.isEmpty()) {
            // What was made before stays: those tokens work, so they are printed.
            out = batch.commit(&reason) ? out : QString();
            return {out + QStringLiteral("cannot make a token for %1: %2\n").arg(name, reason),
                    kAdminStoreFailed};
        }
        out += name + QLatin1Char(' ') + token + QLatin1Char('\n');
    }
    if (QString reason; !batch.commit(&reason))
        return fail(kAdminStoreFailed, QStringLiteral("cannot store the tokens: %1").arg(reason));
    return {out, kAdminOk};
}

} // namespace

bool isAdminCommand(const QString &word)
{
    return word == QLatin1String("user") || word == QLatin1String("invite") ||
           word == QLatin1String("token") || word == backupCommandWord();
}

QString adminUsage()
{
    return QStringLiteral(
        "Admin commands (they work whether the server runs or not; docs/operations.md):\n"
        "  chat-server [--db PATH] user add NAME [--admin] [--password-stdin] [--display TEXT]\n"
        "  chat-server [--db PATH] user list\n"
        "  chat-server [--db PATH] user disable|enable|make-admin NAME\n"
        "  chat-server [--db PATH] user reset-password NAME [--password-stdin]\n"
        "  chat-server [--db PATH] invite create [--uses N] [--expires DAYS]\n"
        "  chat-server [--db PATH] token create NAME [--device TEXT] [--count N]\n"
        "  chat-server [--db PATH] backup FILE [--force]\n"
        "Without --password-stdin a strong password is made up and printed once. An invite\n"
        "expires after 7 days unless --expires says otherwise (0: never). token create makes\n"
        "the account, without a password, if it is missing; --count N makes NAME1 .. NAMEn.\n"
        "backup writes a consistent copy of the database to FILE (mode 0600), never over an\n"
        "existing file unless --force.\n"
        "A running server is reached through its control socket, PATH.control (or\n"
        "--control-socket); otherwise the database is opened directly.\n"
        "Exit codes: 0 done, 2 bad usage, 3 store or server failure, 4 refused.\n");
}

PasswordNeed passwordNeed(const QStringList &arguments)
{
    PasswordNeed need;
    if (arguments.size() < 2 || arguments[0] != QLatin1String("user"))
        return need;
    need.needed =
        arguments[1] == QLatin1String("add") || arguments[1] == QLatin1String("reset-password");
    if (need.needed) {
        const qsizetype end = arguments.indexOf(QStringLiteral("--"));
        need.fromStdin = arguments.mid(0, end).contains(QStringLiteral("--password-stdin"));
    }
    return need;
}

QString passwordHashOption()
{
    return QStringLiteral("--") + kPasswordHash;
}

AdminResult runAdminArguments(const QStringList &arguments, Accounts *accounts)
{
    const QString noun = arguments.value(0);
    const QString verb = arguments.value(1);
    const QStringList rest = arguments.mid(2);
    if (!isAdminCommand(noun))
        return usage(QStringLiteral("not an admin command: \"%1\"").arg(noun));
    if (verb.isEmpty() || verb == QLatin1String("help") || verb == QLatin1String("--help") ||
        verb == QLatin1String("-h") || rest.contains(QStringLiteral("--help")))
        return {adminUsage(), verb.isEmpty() ? kAdminBadUsage : kAdminOk};
    if (noun == backupCommandWord()) {
        // It acts on the database, not the accounts: the control server and the CLI run it
        // with runBackupArguments(); here it is only checked.
        AdminResult result;
        if (!parseBackupArguments(arguments.mid(1), &result))
            return result;
        return accounts ? usage(QStringLiteral("backup needs the database")) : AdminResult{};
    }
    if (noun == QLatin1String("user")) {
        if (verb == QLatin1String("add"))
            return userAdd(rest, accounts);
        if (verb == QLatin1String("list"))
            return userList(rest, accounts);
        if (verb == QLatin1String("disable") || verb == QLatin1String("enable") ||
            verb == QLatin1String("make-admin"))
            return userFlag(verb, rest, accounts);
        if (verb == QLatin1String("reset-password"))
            return userResetPassword(rest, accounts);
    } else if (noun == QLatin1String("invite")) {
        if (verb == QLatin1String("create"))
            return inviteCreate(rest, accounts);
    } else if (verb == QLatin1String("create")) {
        return tokenCreate(rest, accounts);
    }
    return usage(QStringLiteral("unknown command \"%1 %2\"").arg(noun, verb));
}

QString randomCode(int groups, int perGroup)
{
    // 32 letters and digits without 0, 1, l and o, which people mistake for one another.
    static const char kAlphabet[] = "23456789abcdefghijkmnpqrstuvwxyz";
    QString code;
    for (int group = 0; group < groups; ++group) {
        if (group > 0)
            code += QLatin1Char('-');
        for (int i = 0; i < perGroup; ++i)
            code += QLatin1Char(kAlphabet[QRandomGenerator::system()->bounded(32)]);
    }
    return code;
}

int displayWidth(const QString &text)
{
    int width = 0;
    for (const char32_t c : text.toUcs4()) {
        const QChar::Category category = QChar::category(c);
        if (category == QChar::Mark_NonSpacing || category == QChar::Mark_Enclosing ||
            category == QChar::Other_Format || (c >= 0xFE00 && c <= 0xFE0F))
            continue;
        const bool wide = (c >= 0x1100 && c <= 0x115F) ||
                          (c >= 0x2E80 && c <= 0xA4CF && c != 0x303F) ||
                          (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) ||
                          (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
                          (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x1F300 && c <= 0x1F64F) ||
                          (c >= 0x1F900 && c <= 0x1F9FF) || (c >= 0x20000 && c <= 0x3FFFD);
        width += wide ? 2 : 1;
    }
    return width;
}

} // namespace chat::server::admin
