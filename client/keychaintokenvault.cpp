#include "keychaintokenvault.h"

#include "clientlogging.h"

#include <QPointer>
#include <QTimer>

#include <qt6keychain/keychain.h>

namespace chat::client {

namespace {

const QString kService = QStringLiteral("QtChat chat-client");
// A keychain that does not answer at all (a Secret Service that hangs) counts as none.
constexpr int kKeychainTimeoutMs = 20000;

} // namespace

QString KeychainTokenVault::fallbackNotice()
{
    return tr("No system keychain was found; the login is kept in a file only you can read");
}

KeychainTokenVault::KeychainTokenVault(const QString &fallbackDirectory, QObject *parent)
    : TokenVault(parent)
    , m_file(new FileTokenVault(fallbackDirectory, this))
{
    connect(m_file, &TokenVault::notice, this, &TokenVault::notice);
}

KeychainTokenVault::~KeychainTokenVault() = default;

void KeychainTokenVault::useFileOnly()
{
    m_usesFile = true;
}

void KeychainTokenVault::fallBack(const QString &why)
{
    if (m_usesFile)
        return;
    m_usesFile = true;
    qCInfo(lcNet) << "no usable keychain (" << why << "); tokens go to" << m_file->directory();
    emit notice(fallbackNotice());
}

void KeychainTokenVault::read(const QUrl &server, const QString &account, QObject *context,
                              ReadCallback done)
{
    if (m_usesFile) {
        m_file->read(server, account, context, std::move(done));
        return;
    }
    auto *job = new QKeychain::ReadPasswordJob(kService, this);
    job->setAutoDelete(true);
    job->setKey(entryKey(server, account));
    // Answered once: by the job, or by the timer when the job never finishes.
    auto answered = std::make_shared<bool>(false);
    const QPointer<QObject> guard(context);
    auto finish = [this, server, account, guard, done,
                   answered](QKeychain::Error error, const QString &token, const QString &why) {
        if (std::exchange(*answered, true))
            return;
        QString result = token;
        if (error == QKeychain::EntryNotFound) {
            // It may have been kept in the file while the keychain was away.
            result = m_file->token(server, account);
        } else if (error != QKeychain::NoError) {
            fallBack(why);
            result = m_file->token(server, account);
        }
        if (guard)
            done(result);
    };
    connect(job, &QKeychain::Job::finished, this, [job, finish](QKeychain::Job *) {
        finish(job->error(), job->textData(), job->errorString());
    });
    QTimer::singleShot(kKeychainTimeoutMs, this, [finish] {
        finish(QKeychain::OtherError, QString(), QStringLiteral("the keychain did not answer"));
    });
    job->start();
}

void KeychainTokenVault::write(const QUrl &server, const QString &account, const QString &token)
{
    if (m_usesFile) {
        m_file->write(server, account, token);
        return;
    }
    auto *job = new QKeychain::WritePasswordJob(kService, this);
    job->setAutoDelete(true);
    job->setKey(entryKey(server, account));
    job->setTextData(token);
    connect(job, &QKeychain::Job::finished, this, [this, job, server, account, token] {
        if (job->error() == QKeychain::NoError) {
            // An older copy in the file would outlive a logout that only clears the keychain.
            m_file->remove(server, account);
            return;
        }
        fallBack(job->errorString());
        m_file->write(server, account, token);
    });
    job->start();
}

void KeychainTokenVault::remove(const QUrl &server, const QString &account)
{
    // Both places: a token may be in the file from a run without a keychain.
    m_file->remove(server, account);
    if (m_usesFile)
        return;
    auto *job = new QKeychain::DeletePasswordJob(kService, this);
    job->setAutoDelete(true);
    job->setKey(entryKey(server, account));
    connect(job, &QKeychain::Job::finished, this, [job] {
        if (job->error() != QKeychain::NoError && job->error() != QKeychain::EntryNotFound)
            qCWarning(lcNet) << "cannot remove the token from the keychain:" << job->errorString();
    });
    job->start();
}

} // namespace chat::client
