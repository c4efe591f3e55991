#include "transport/tlsconfig.h"

#include <QFile>
#include <QRegularExpression>
#include <QSslSocket>
#include <QTcpServer>

namespace chat::server {

namespace {

constexpr qint64 kMaxPemBytes = 1024 * 1024; // far above any real certificate chain or key

QString readSmallFile(const QString &path, const QString &what, QByteArray *out)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return QStringLiteral("cannot read the %1 file \"%2\": %3")
            .arg(what, path, file.errorString());
    *out = file.read(kMaxPemBytes + 1);
    if (out->size() > kMaxPemBytes)
        return QStringLiteral("the %1 file \"%2\" is larger than 1 MiB").arg(what, path);
    return {};
}

QSslKey parseKey(const QByteArray &pem)
{
    for (QSsl::KeyAlgorithm algorithm : {QSsl::Rsa, QSsl::Ec, QSsl::Dsa}) {
        QSslKey key(pem, algorithm, QSsl::Pem, QSsl::PrivateKey);
        if (!key.isNull())
            return key;
    }
    return {};
}

// OpenSSL compares key and certificate when it makes a server context from them, which a
// socket does as soon as it starts server encryption; the socket must be connected for that,
// so the probe connects to a throw-away listener on the loopback interface.
QString checkKeyMatches(const TlsCredentials &credentials)
{
    QTcpServer listener;
    if (!listener.listen(QHostAddress::LocalHost))
        return {}; // cannot check here; a mismatch would then show at the first handshake
    QSslSocket probe;
    probe.connectToHost(QHostAddress::LocalHost, listener.serverPort());
    if (!probe.waitForConnected(2000))
        return {};
    probe.setSslConfiguration(serverSslConfiguration(credentials));
    QString problem;
    QObject::connect(&probe, &QSslSocket::errorOccurred, &probe,
                     [&](QAbstractSocket::SocketError) { problem = probe.errorString(); });
    probe.startServerEncryption();
    probe.abort();
    return problem;
}

// TLS 1.2 suites with forward secrecy (ephemeral elliptic-curve Diffie-Hellman) and
// authenticated encryption (AES-GCM, ChaCha20-Poly1305): no static-RSA key exchange, no CBC with
// SHA-1 or SHA-2, no finite-field DHE. TLS 1.3 suites all qualify and are kept as OpenSSL offers
// them. Qt's OpenSSL backend describes a suite as e.g. "Kx=ECDH Enc=AESGCM(128)".
bool isAllowedCipher(const QSslCipher &cipher)
{
    if (cipher.protocol() == QSsl::TlsV1_3)
        return true;
    if (cipher.keyExchangeMethod() != QLatin1String("ECDH"))
        return false;
    const QString encryption = cipher.encryptionMethod();
    return encryption.startsWith(QLatin1String("AESGCM")) ||
           encryption.startsWith(QLatin1String("CHACHA20"));
}

} // namespace

QList<QSslCipher> serverCiphers()
{
    QList<QSslCipher> ciphers;
    const QList<QSslCipher> supported = QSslConfiguration::supportedCiphers();
    for (const QSslCipher &cipher : supported) {
        if (isAllowedCipher(cipher))
            ciphers.append(cipher);
    }
    return ciphers;
}

QString loadTlsCredentials(const QString &certFile, const QString &keyFile, TlsCredentials *out)
{
    if (!QSslSocket::supportsSsl())
        return QStringLiteral("TLS is not available: Qt found no usable OpenSSL library (%1)")
            .arg(QSslSocket::sslLibraryBuildVersionString());

    QByteArray certPem;
    if (QString problem = readSmallFile(certFile, QStringLiteral("certificate"), &certPem);
        !problem.isEmpty())
        return problem;
    TlsCredentials credentials;
    credentials.chain = QSslCertificate::fromData(certPem, QSsl::Pem);
    if (credentials.chain.isEmpty() || credentials.chain.constFirst().isNull())
        return QStringLiteral("the certificate file \"%1\" holds no PEM certificate").arg(certFile);

    QByteArray keyPem;
    if (QString problem = readSmallFile(keyFile, QStringLiteral("key"), &keyPem);
        !problem.isEmpty())
        return problem;
    if (keyPem.contains("ENCRYPTED"))
        return QStringLiteral("the key file \"%1\" is protected by a passphrase; the server "
                              "needs an unencrypted key (openssl pkey -in KEY -out NEWKEY)")
            .arg(keyFile);
    credentials.key = parseKey(keyPem);
    if (credentials.key->isNull())
        return QStringLiteral("the key file \"%1\" holds no PEM private key (RSA or EC)")
            .arg(keyFile);

    if (const QString problem = checkKeyMatches(credentials); !problem.isEmpty())
        return QStringLiteral("the key in \"%1\" does not belong to the certificate in \"%2\" "
                              "(%3)")
            .arg(keyFile, certFile,
                 problem.trimmed().remove(QRegularExpression(QStringLiteral(":$"))));
    *out = std::move(credentials);
    return {};
}

QSslConfiguration serverSslConfiguration(const TlsCredentials &credentials)
{
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setLocalCertificateChain(credentials.chain);
    configuration.setPrivateKey(credentials.key.value_or(QSslKey()));
    configuration.setProtocol(QSsl::TlsV1_2OrLater);
    // An OpenSSL without any of them would leave nothing to offer: keep its defaults then.
    if (const QList<QSslCipher> ciphers = serverCiphers(); !ciphers.isEmpty())
        configuration.setCiphers(ciphers);
    configuration.setPeerVerifyMode(QSslSocket::VerifyNone); // clients prove themselves in hello
    return configuration;
}

} // namespace chat::server
