// The tokens in the system's keychain (Secret Service, KWallet, macOS Keychain, Windows
// Credential Store) through QtKeychain. Where none answers (a bare session, Xvfb, CI), every
// token goes to a FileTokenVault instead, and notice() says so once.
#pragma once

#include "tokenvault.h"

#include <memory>

namespace chat::client {

class KeychainTokenVault : public TokenVault
{
    Q_OBJECT
public:
    // fallbackDirectory: for the FileTokenVault (empty: its default).
    explicit KeychainTokenVault(const QString &fallbackDirectory = QString(),
                                QObject *parent = nullptr);
    ~KeychainTokenVault() override;

    void read(const QUrl &server, const QString &account, QObject *context,
              ReadCallback done) override;
    void write(const QUrl &server, const QString &account, const QString &token) override;
    void remove(const QUrl &server, const QString &account) override;

    // Whether the keychain failed and the file is used instead.
    [[nodiscard]] bool usesFile() const { return m_usesFile; }
    // Skips the keychain from the start (tests, --token-store file).
    void useFileOnly();

    [[nodiscard]] static QString fallbackNotice();

private:
    void fallBack(const QString &why);

    FileTokenVault *m_file;
    bool m_usesFile = false;
};

} // namespace chat::client
