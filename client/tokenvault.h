// Where the client keeps its account tokens between runs: one token per server and account.
// Passwords are never kept anywhere; only the token a welcome hands out is.
//
// TokenVault is the interface the connection controller writes through; FileTokenVault keeps
// each token in a file only the user can read, KeychainTokenVault (keychaintokenvault.h) uses the
// system's keychain and falls back to a FileTokenVault where there is none.
#pragma once

#include <QObject>
#include <QPointer>
#include <QString>
#include <QUrl>

#include <functional>

namespace chat::client {

class TokenVault : public QObject
{
    Q_OBJECT
public:
    using ReadCallback = std::function<void(const QString &token)>;

    explicit TokenVault(QObject *parent = nullptr);

    // Calls done exactly once, at once or later, with the stored token (empty when there is
    // none), unless context is destroyed first.
    virtual void read(const QUrl &server, const QString &account, QObject *context,
                      ReadCallback done) = 0;
    virtual void write(const QUrl &server, const QString &account, const QString &token) = 0;
    virtual void remove(const QUrl &server, const QString &account) = 0;

    // Names one server and account: the URL as the client connects to it and the account name
    // folded like the server compares names. "ws://host:8080/ alice".
    [[nodiscard]] static QString entryKey(const QUrl &server, const QString &account);

signals:
    // Something the user should read once, such as where the tokens are kept.
    void notice(const QString &message);
};

// One file per server and account, readable by its owner only (0600, in a 0700 directory).
// Synchronous: read() answers at once.
class FileTokenVault : public TokenVault
{
    Q_OBJECT
public:
    // directory: where the files go; empty: "tokens" under QStandardPaths::AppDataLocation.
    explicit FileTokenVault(const QString &directory = QString(), QObject *parent = nullptr);

    void read(const QUrl &server, const QString &account, QObject *context,
              ReadCallback done) override;
    void write(const QUrl &server, const QString &account, const QString &token) override;
    void remove(const QUrl &server, const QString &account) override;

    // The token stored, or an empty string; what read() answers.
    [[nodiscard]] QString token(const QUrl &server, const QString &account) const;
    // Writes and returns whether it worked, with *error saying why not.
    bool store(const QUrl &server, const QString &account, const QString &token,
               QString *error = nullptr);

    [[nodiscard]] QString directory() const { return m_directory; }
    [[nodiscard]] QString pathFor(const QUrl &server, const QString &account) const;
    [[nodiscard]] static QString defaultDirectory();

private:
    QString m_directory;
};

} // namespace chat::client
