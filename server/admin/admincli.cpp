#include "admin/admincli.h"

#include "admin/admincommands.h"
#include "admin/backupcommand.h"
#include "admin/controlclient.h"
#include "admin/controlserver.h"
#include "hubconfig.h"
#include "protocol.h"
#include "store/messagestore.h"
#include "store/postgresconnection.h"
#include "validation.h"

#include "accounts/accounts.h"
#include "accounts/passwordhasher.h"

#include <QDir>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QStringDecoder>

#include <cstdio>
#include <cstring>

#include <sodium.h>

namespace chat::server::admin {

namespace {

// Room for 256 code points of 4-byte UTF-8, a line end, and a margin that tells "too long".
constexpr int kMaxPasswordLineBytes = 2048;

void print(FILE *stream, const QString &text)
{
    const QByteArray bytes = text.toUtf8();
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stream);
    std::fflush(stream);
}

void printError(const QString &message)
{
    print(stderr, QStringLiteral("chat-server: ") + message + QLatin1Char('\n'));
}

bool isHelpRequest(const QStringList &arguments)
{
    const QString verb = arguments.value(1);
    return verb.isEmpty() || verb == QLatin1String("help") || verb == QLatin1String("--help") ||
           verb == QLatin1String("-h") || arguments.contains(QStringLiteral("--help"));
}

// One line from stdin, without its line end; nullopt and *error when there is none or it is
// not UTF-8. The bytes read are wiped.
std::optional<QString> readPasswordLine(QString *error)
{
    char line[kMaxPasswordLineBytes];
    if (!std::fgets(line, sizeof line, stdin)) {
        *error = QStringLiteral("--password-stdin: nothing to read on stdin");
        return std::nullopt;
    }
    size_t length = std::strlen(line);
    const bool ended = length > 0 && line[length - 1] == '\n';
    if (!ended && !std::feof(stdin)) {
        sodium_memzero(line, sizeof line);
        *error = QStringLiteral("--password-stdin: the line is too long for a password");
        return std::nullopt;
    }
    while (length > 0 && (line[length - 1] == '\n' || line[length - 1] == '\r'))
        --length;
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    QString password = decoder.decode(QByteArrayView(line, qsizetype(length)));
    sodium_memzero(line, sizeof line);
    if (decoder.hasError()) {
        *error = QStringLiteral("--password-stdin: the password is not UTF-8");
        return std::nullopt;
    }
    return password;
}

// Argon2id with libsodium's interactive limits, as the server's PasswordHasher makes them.
QString hashPassword(const QString &password)
{
    QByteArray bytes = password.toUtf8();
    const QByteArray hash = PasswordHasher::hashBlocking(bytes);
    sodium_memzero(bytes.data(), size_t(bytes.size()));
    return QString::fromLatin1(hash);
}

// The arguments with the password option replaced by --password-hash HASH, after the verb
// (where no "--" can come before it).
QStringList withHash(const QStringList &arguments, const QString &hash)
{
    QStringList out = arguments.mid(0, 2);
    out << passwordHashOption() << hash;
    const qsizetype end = arguments.indexOf(QStringLiteral("--"));
    for (qsizetype i = 2; i < arguments.size(); ++i) {
        if (arguments[i] == QLatin1String("--password-stdin") && (end < 0 || i < end))
            continue;
        out.append(arguments[i]);
    }
    return out;
}

bool createsData(const QStringList &arguments)
{
    return arguments.value(1) == QLatin1String("add") ||
           arguments.value(1) == QLatin1String("create");
}

// Runs the command on the database file itself.
AdminResult runDirect(const QStringList &arguments, const AdminCliOptions &options)
{
    const bool backup = arguments.value(0) == backupCommandWord();
    if (backup && options.dbPath == memoryStorePath())
        return {QStringLiteral("--db %1 keeps nothing on disk: give the running server's "
                               "--control-socket to back up what it holds in a file\n")
                    .arg(options.dbPath),
                kAdminStoreFailed};
    if (options.dbPath == memoryStorePath())
        return {QStringLiteral("--db %1 keeps no accounts: give the running server's "
                               "--control-socket\n")
                    .arg(options.dbPath),
                kAdminStoreFailed};
    if (!postgres::isUrl(options.dbPath) && !QFileInfo::exists(options.dbPath)) {
        if (!createsData(arguments))
            return {QStringLiteral("no database at %1 (no server has used it yet)\n")
                        .arg(options.dbPath),
                    kAdminStoreFailed};
        if (!options.dbPathGiven)
            QDir().mkpath(QFileInfo(options.dbPath).path());
    }
    QString error;
    const Stores stores = openStores(options.dbPath, HubConfig(), &error);
    if (!stores.accounts) {
        return {QStringLiteral("cannot use the database %1: %2\n(no server answered on its "
                               "control socket; if one runs, give its --control-socket)\n")
                    .arg(options.dbPath, error),
                kAdminStoreFailed};
    }
    if (backup)
        return runBackupArguments(arguments.mid(1), stores.messages.get());
    // Nothing here hashes or checks a password through these Accounts (the CLI hashed it
    // already): one worker and cheap limits spare it the work of a server's login throttles.
    AccountPolicy policy;
    policy.hashWorkers = 1;
    policy.cheapHashes = true;
    Accounts accounts(stores.accounts.get(), policy);
    return runAdminArguments(arguments, &accounts);
}

} // namespace

bool isAdminInvocation(const QStringList &positionalArguments)
{
    return !positionalArguments.isEmpty() && isAdminCommand(positionalArguments.constFirst());
}

QString adminHelp()
{
    return adminUsage();
}

int runAdminCommand(const QStringList &arguments, const AdminCliOptions &options)
{
    // The server's lines about opening the store and creating accounts say nothing here that
    // the output does not; warnings stay. QT_LOGGING_RULES still wins.
    QLoggingCategory::setFilterRules(QStringLiteral("chat.*.info=false"));
    if (isHelpRequest(arguments)) {
        const AdminResult help = runAdminArguments(arguments, nullptr);
        print(help.exitCode == kAdminOk ? stdout : stderr, help.output);
        return help.exitCode;
    }
    for (const QString &argument : arguments) {
        if (argument.startsWith(passwordHashOption())) {
            printError(QStringLiteral("%1 is not an option of the command line; use "
                                      "--password-stdin")
                           .arg(passwordHashOption()));
            return kAdminBadUsage;
        }
    }

    // Usage errors first: before a password is read or made up, a database opened or a server
    // asked.
    if (const AdminResult check = runAdminArguments(arguments, nullptr);
        check.exitCode != kAdminOk) {
        print(stderr, check.output);
        return check.exitCode;
    }

    QStringList command = arguments;
    if (arguments.constFirst() == backupCommandWord()) {
        AdminResult unused;
        if (const std::optional<BackupRequest> backup =
                parseBackupArguments(arguments.mid(1), &unused))
            command = backupArguments(*backup); // FILE as this directory names it
    }
    QString madeUpPassword;
    if (const PasswordNeed need = passwordNeed(arguments); need.needed) {
        QString password;
        if (need.fromStdin) {
            QString error;
            const std::optional<QString> line = readPasswordLine(&error);
            if (!line) {
                printError(error);
                return kAdminBadUsage;
            }
            password = *line;
            if (const QString reason = chat::proto::checkPassword(password); !reason.isEmpty()) {
                printError(reason);
                return kAdminBadUsage;
            }
        } else {
            // 20 characters of 5 bits: 100 bits, beyond guessing even offline.
            password = madeUpPassword = randomCode(4, 5);
        }
        const QString hash = hashPassword(password);
        if (hash.isEmpty()) {
            printError(QStringLiteral("cannot hash the password (out of memory?)"));
            return kAdminStoreFailed;
        }
        command = withHash(arguments, hash);
    }

    AdminResult result;
    bool ran = false;
    const QString socketPath = controlSocketPath(options.dbPath, options.controlSocket);
    if (!socketPath.isEmpty()) {
        const ControlOutcome outcome = sendControlCommand(socketPath, command);
        switch (outcome.kind) {
        case ControlOutcome::Kind::Replied:
            result = {outcome.reply.output, outcome.reply.exitCode};
            ran = true;
            break;
        case ControlOutcome::Kind::Failed:
            printError(outcome.error);
            return kAdminStoreFailed;
        case ControlOutcome::Kind::NoServer:
            if (options.dbPath == memoryStorePath()) {
                printError(QStringLiteral("no server answers on %1").arg(socketPath));
                return kAdminStoreFailed;
            }
            break;
        }
    }
    if (!ran)
        result = runDirect(command, options);

    if (result.exitCode == kAdminOk) {
        if (!madeUpPassword.isEmpty())
            result.output +=
                QStringLiteral("password: %1\n(shown this once: only its hash is kept)\n")
                    .arg(madeUpPassword);
        print(stdout, result.output);
    } else {
        print(stderr, result.output);
    }
    return result.exitCode;
}

} // namespace chat::server::admin
