// The server's TLS certificate and key: loaded and checked once at start-up, so that a wrong
// file is a clear error before listening rather than a failed handshake for every client.
#pragma once

#include <QList>
#include <QSslCertificate>
#include <QSslCipher>
#include <QSslConfiguration>
#include <QSslKey>
#include <QString>

#include <optional>

namespace chat::server {

struct TlsCredentials
{
    QList<QSslCertificate> chain; // the server's own certificate first, then intermediates
    // Optional: even an empty QSslKey loads the TLS backend, which must not happen for every
    // HubConfig (nor before QCoreApplication exists).
    std::optional<QSslKey> key;

    [[nodiscard]] bool isEnabled() const { return !chain.isEmpty() && key && !key->isNull(); }
};

// Reads a PEM certificate file (the server's certificate, optionally followed by its chain)
// and an unencrypted PEM private key (RSA or EC), and checks that they belong together.
// Returns an empty string on success, else a sentence that names the file and the problem.
[[nodiscard]] QString loadTlsCredentials(const QString &certFile, const QString &keyFile,
                                         TlsCredentials *out);

// The cipher suites the server offers: every TLS 1.3 suite, and TLS 1.2 only with ECDHE key
// exchange and AEAD encryption (AES-GCM, ChaCha20-Poly1305). Filtered from what the OpenSSL
// Qt loaded supports, in its order.
[[nodiscard]] QList<QSslCipher> serverCiphers();

// What every accepted TLS connection uses: TLS 1.2 or later with serverCiphers(), no client
// certificates.
[[nodiscard]] QSslConfiguration serverSslConfiguration(const TlsCredentials &credentials);

} // namespace chat::server
