#include "tokenvault.h"

#include "clientlogging.h"
#include "protocol.h"
#include "validation.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QStandardPaths>

namespace chat::client {

namespace {

constexpr qint64 kMaxFileBytes = 16 * 1024; // a token is at most kMaxTokenChars

const QString kServerField = QStringLiteral("server");
const QString kAccountField = QStringLiteral("account");
const QString kTokenField = QStringLiteral("token");

QString serverKey(const QUrl &server)
{
    return server.adjusted(QUrl::NormalizePathSegments).toString(QUrl::FullyEncoded);
}

} // namespace

TokenVault::TokenVault(QObject *parent)
    : QObject(parent)
{}

QString TokenVault::entryKey(const QUrl &server, const QString &account)
{
    return serverKey(server) + u' ' + proto::nickKey(proto::normalizeNick(account).nick);
}

// --- FileTokenVault ---------------------------------------------------------------------------

FileTokenVault::FileTokenVault(const QString &directory, QObject *parent)
    : TokenVault(parent)
    , m_directory(directory.isEmpty() ? defaultDirectory() : directory)
{}

QString FileTokenVault::defaultDirectory()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation))
        .filePath(QStringLiteral("tokens"));
}

QString FileTokenVault::pathFor(const QUrl &server, const QString &account) const
{
    const QByteArray hash =
        QCryptographicHash::hash(entryKey(server, account).toUtf8(), QCryptographicHash::Sha256)
            .toHex()
            .left(32);
    return QDir(m_directory).filePath(QStringLiteral("token-%1.json").arg(QLatin1String(hash)));
}

QString FileTokenVault::token(const QUrl &server, const QString &account) const
{
    QFile file(pathFor(server, account));
    if (!file.exists())
        return {};
    if (!file.open(QIODevice::ReadOnly)) {
        qCWarning(lcNet) << "cannot read the stored token" << file.fileName() << ":"
                         << file.errorString();
        return {};
    }
    const QJsonObject object = QJsonDocument::fromJson(file.read(kMaxFileBytes)).object();
    // The hash of the name could collide; the file says whose token it is.
    if (object.value(kServerField).toString() != serverKey(server) ||
        object.value(kAccountField).toString() != entryKey(server, account))
        return {};
    const QString token = object.value(kTokenField).toString();
    return token.size() <= proto::kMaxTokenChars ? token : QString();
}

bool FileTokenVault::store(const QUrl &server, const QString &account, const QString &token,
                           QString *error)
{
    const auto fail = [error](const QString &reason) {
        qCWarning(lcNet) << "cannot store the token:" << reason;
        if (error)
            *error = reason;
        return false;
    };
    constexpr QFileDevice::Permissions ownerOnly = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
    if (!QDir().mkpath(m_directory))
        return fail(QStringLiteral("cannot create %1").arg(QDir::toNativeSeparators(m_directory)));
    // Nobody else may list or open what is in there.
    QFile::setPermissions(m_directory, ownerOnly | QFileDevice::ExeOwner);
    QSaveFile file(pathFor(server, account));
    if (!file.open(QIODevice::WriteOnly))
        return fail(file.errorString());
    // Before a byte of the token is written.
    if (!file.setPermissions(ownerOnly))
        return fail(file.errorString());
    const QJsonObject object{{kServerField, serverKey(server)},
                             {kAccountField, entryKey(server, account)},
                             {kTokenField, token}};
    file.write(QJsonDocument(object).toJson(QJsonDocument::Compact));
    if (!file.commit())
        return fail(file.errorString());
    // QSaveFile may have carried over looser permissions of an older file.
    QFile::setPermissions(file.fileName(), ownerOnly);
    return true;
}

void FileTokenVault::read(const QUrl &server, const QString &account, QObject *context,
                          ReadCallback done)
{
    Q_UNUSED(context); // alive: it is answered at once
    done(token(server, account));
}

void FileTokenVault::write(const QUrl &server, const QString &account, const QString &token)
{
    QString error;
    if (!store(server, account, token, &error))
        emit notice(tr("The login cannot be saved (%1); you will have to log in again next time.")
                        .arg(error));
}

void FileTokenVault::remove(const QUrl &server, const QString &account)
{
    const QString path = pathFor(server, account);
    if (QFile::exists(path) && !QFile::remove(path))
        qCWarning(lcNet) << "cannot remove the stored token" << path;
}

} // namespace chat::client
