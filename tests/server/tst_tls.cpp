// wss:// on the chat port: a throw-away CA and server certificate are made with the openssl
// command for each run; clients trust only that CA (no ignoreSslErrors). Covers loading the
// certificate and key, chatting over TLS, clients that do not trust the CA or do not speak TLS,
// the handshake deadline covering TLS, a stuck reader over TLS, the cipher suites offered (TLS 1.2
// only with forward secrecy and AEAD), and the program's --cert/--key.
#include "codec.h"
#include "hubtestbase.h"
#include "rawwsclient.h"
#include "transport/tlsconfig.h"

#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSslCipher>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace chat::proto;
using chat::server::TlsCredentials;
using chat::test::RawWsClient;
using chat::test::TestClient;

class TlsTest : public chat::test::HubTestBase
{
    Q_OBJECT
private slots:
    void initTestCase();
    void init() { QVERIFY(startHub()); } // replaced by a TLS hub where a test needs one
    void cleanup();

    void credentials_data();
    void credentials();
    void trustedClientsChat();
    void untrustedClientFails();
    void plainClientOnTlsPortFails();
    void stalledHandshakeIsCut_data();
    void stalledHandshakeIsCut();
    void stuckReaderOverTlsIsCutOff();
    void offeredCiphersAreForwardSecretAead();
    void handshakeNeedsForwardSecretAead_data();
    void handshakeNeedsForwardSecretAead();
    void programServesWss();
    void programRefusesBadFiles_data();
    void programRefusesBadFiles();

private:
    [[nodiscard]] bool openssl(const QStringList &arguments);
    [[nodiscard]] QString path(const char *name) const
    {
        return m_dir.filePath(QLatin1String(name));
    }
    [[nodiscard]] bool startTlsHub(chat::server::HubConfig config = testConfig());
    [[nodiscard]] QSslConfiguration trustingConfiguration() const;
    // A joined client over TLS that trusts only the test CA, or nullptr.
    TestClient *joinSecure(const QString &nick);

    QTemporaryDir m_dir;
    TlsCredentials m_credentials;
    QSslCertificate m_ca;
    std::vector<std::unique_ptr<RawWsClient>> m_raw;
    std::unique_ptr<QProcess> m_process;
};

bool TlsTest::openssl(const QStringList &arguments)
{
    QProcess process;
    process.setWorkingDirectory(m_dir.path());
    process.setProcessChannelMode(QProcess::MergedChannels);
    QSignalSpy finished(&process, &QProcess::finished);
    process.start(QStringLiteral("openssl"), arguments);
    if (!finished.wait(20000) || process.exitCode() != 0) {
        qWarning("openssl %s failed: %s", qPrintable(arguments.join(u' ')),
                 process.readAll().constData());
        return false;
    }
    return true;
}

void TlsTest::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QFile serverExtensions(path("server.ext"));
    QVERIFY(serverExtensions.open(QIODevice::WriteOnly));
    serverExtensions.write("basicConstraints=CA:FALSE\n"
                           "keyUsage=critical,digitalSignature,keyEncipherment\n"
                           "extendedKeyUsage=serverAuth\n"
                           "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
    serverExtensions.close();
    const auto ec = [](const char *key) {
        return QStringList{QStringLiteral("-newkey"),  QStringLiteral("ec"),
                           QStringLiteral("-pkeyopt"), QStringLiteral("ec_paramgen_curve:P-256"),
                           QStringLiteral("-nodes"),   QStringLiteral("-keyout"),
                           QLatin1String(key)};
    };
    const QString days = QStringLiteral("2");
    // The CA, the server's EC key and certificate signed by it, and one with an RSA key.
    QVERIFY(openssl(QStringList{QStringLiteral("req"), QStringLiteral("-x509")} + ec("ca.key") +
                    QStringList{QStringLiteral("-out"), QStringLiteral("ca.pem"),
                                QStringLiteral("-days"), days, QStringLiteral("-subj"),
                                QStringLiteral("/CN=chat test CA"), QStringLiteral("-addext"),
                                QStringLiteral("basicConstraints=critical,CA:TRUE"),
                                QStringLiteral("-addext"),
                                QStringLiteral("keyUsage=critical,keyCertSign,cRLSign")}));
    const auto issue = [&](const QStringList &keyArguments, const char *csr, const char *pem) {
        return openssl(QStringList{QStringLiteral("req")} + keyArguments +
                       QStringList{QStringLiteral("-out"), QLatin1String(csr),
                                   QStringLiteral("-subj"), QStringLiteral("/CN=localhost")}) &&
               openssl({QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"),
                        QLatin1String(csr), QStringLiteral("-CA"), QStringLiteral("ca.pem"),
                        QStringLiteral("-CAkey"), QStringLiteral("ca.key"),
                        QStringLiteral("-CAcreateserial"), QStringLiteral("-out"),
                        QLatin1String(pem), QStringLiteral("-days"), days,
                        QStringLiteral("-extfile"), QStringLiteral("server.ext")});
    };
    QVERIFY(issue(ec("server.key"), "server.csr", "server.pem"));
    QVERIFY(issue({QStringLiteral("-newkey"), QStringLiteral("rsa:2048"), QStringLiteral("-nodes"),
                   QStringLiteral("-keyout"), QStringLiteral("rsa.key")},
                  "rsa.csr", "rsa.pem"));
    // A key that belongs to nothing here, and the server key under a passphrase.
    QVERIFY(openssl({QStringLiteral("genpkey"), QStringLiteral("-algorithm"), QStringLiteral("EC"),
                     QStringLiteral("-pkeyopt"), QStringLiteral("ec_paramgen_curve:P-256"),
                     QStringLiteral("-out"), QStringLiteral("other.key")}));
    QVERIFY(openssl({QStringLiteral("pkey"), QStringLiteral("-in"), QStringLiteral("server.key"),
                     QStringLiteral("-aes128"), QStringLiteral("-passout"),
                     QStringLiteral("pass:secret"), QStringLiteral("-out"),
                     QStringLiteral("encrypted.key")}));
    // The server certificate followed by its CA, as a chain file.
    QFile chain(path("chain.pem"));
    QFile server(path("server.pem"));
    QFile ca(path("ca.pem"));
    QVERIFY(chain.open(QIODevice::WriteOnly) && server.open(QIODevice::ReadOnly) &&
            ca.open(QIODevice::ReadOnly));
    const QByteArray caPem = ca.readAll();
    chain.write(server.readAll() + caPem);
    chain.close();
    QFile(path("empty")).open(QIODevice::WriteOnly);

    m_ca = QSslCertificate(caPem, QSsl::Pem);
    QVERIFY(!m_ca.isNull());
    const QString problem =
        chat::server::loadTlsCredentials(path("server.pem"), path("server.key"), &m_credentials);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

void TlsTest::cleanup()
{
    verifyClientsHealthy();
    m_raw.clear();
    stopClients();
    QTRY_COMPARE(hub().openConnectionCount(), 0);
    stopAll();
    if (m_process && m_process->state() != QProcess::NotRunning) {
        QSignalSpy finished(m_process.get(), &QProcess::finished);
        m_process->kill();
        QVERIFY(finished.wait(5000));
    }
    m_process.reset();
}

bool TlsTest::startTlsHub(chat::server::HubConfig config)
{
    config.tls = m_credentials;
    return startHub(config);
}

QSslConfiguration TlsTest::trustingConfiguration() const
{
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setCaCertificates({m_ca}); // only the test CA, not the system's
    configuration.setPeerVerifyMode(QSslSocket::VerifyPeer);
    return configuration;
}

TestClient *TlsTest::joinSecure(const QString &nick)
{
    TestClient *client = newClient();
    client->socket()->setSslConfiguration(trustingConfiguration());
    return client->open(url()) && client->helloAndWait(nick) ? client : nullptr;
}

void TlsTest::credentials_data()
{
    QTest::addColumn<QString>("cert");
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("problem"); // a word the error must have; empty: loads
    QTest::addRow("EC key") << QStringLiteral("server.pem") << QStringLiteral("server.key")
                            << QString();
    QTest::addRow("RSA key") << QStringLiteral("rsa.pem") << QStringLiteral("rsa.key") << QString();
    QTest::addRow("chain file") << QStringLiteral("chain.pem") << QStringLiteral("server.key")
                                << QString();
    QTest::addRow("no certificate file")
        << QStringLiteral("missing.pem") << QStringLiteral("server.key") << QStringLiteral("read");
    QTest::addRow("no key file") << QStringLiteral("server.pem") << QStringLiteral("missing.key")
                                 << QStringLiteral("read");
    QTest::addRow("empty certificate file")
        << QStringLiteral("empty") << QStringLiteral("server.key") << QStringLiteral("certificate");
    QTest::addRow("key given as certificate")
        << QStringLiteral("server.key") << QStringLiteral("server.key")
        << QStringLiteral("certificate");
    QTest::addRow("certificate given as key")
        << QStringLiteral("server.pem") << QStringLiteral("server.pem")
        << QStringLiteral("private key");
    QTest::addRow("key of another certificate")
        << QStringLiteral("server.pem") << QStringLiteral("rsa.key") << QStringLiteral("belong");
    QTest::addRow("unrelated key")
        << QStringLiteral("server.pem") << QStringLiteral("other.key") << QStringLiteral("belong");
    QTest::addRow("key under a passphrase")
        << QStringLiteral("server.pem") << QStringLiteral("encrypted.key")
        << QStringLiteral("passphrase");
}

void TlsTest::credentials()
{
    QFETCH(QString, cert);
    QFETCH(QString, key);
    QFETCH(QString, problem);
    TlsCredentials loaded;
    const QString error =
        chat::server::loadTlsCredentials(m_dir.filePath(cert), m_dir.filePath(key), &loaded);
    if (problem.isEmpty()) {
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY(loaded.isEnabled());
    } else {
        QVERIFY2(error.contains(problem), qPrintable(error));
        QVERIFY(!loaded.isEnabled());
    }
}

void TlsTest::trustedClientsChat()
{
    QVERIFY(startTlsHub());
    QCOMPARE(url().scheme(), QStringLiteral("wss"));
    TestClient *alice = joinSecure(QStringLiteral("alice"));
    TestClient *bob = joinSecure(QStringLiteral("bob"));
    QVERIFY(alice && bob);
    const QString text = QStringLiteral("über TLS 🔒");
    const QString id = alice->send(text);
    QVERIFY(bob->waitForMessages(1));
    QCOMPARE(bob->messages().constFirst().id, id);
    QCOMPARE(bob->messages().constFirst().text, text);
    QVERIFY(alice->waitForMessages(1));
    QVERIFY(alice->socket()->sslConfiguration().sessionProtocol() >= QSsl::TlsV1_2);
}

void TlsTest::untrustedClientFails()
{
    QVERIFY(startTlsHub());
    TestClient stranger; // trusts the system's CAs only: the test CA is not among them
    QSignalSpy sslErrors(stranger.socket(), &QWebSocket::sslErrors);
    QVERIFY(!stranger.open(url()));
    QVERIFY(stranger.socketErrors() >= 1);
    QVERIFY(!sslErrors.isEmpty());
    QCOMPARE(hub().connectionCount(), 0);
    // The server side of the failed handshake is freed too (checked in cleanup), and a client
    // that trusts the CA still gets in.
    QVERIFY(joinSecure(QStringLiteral("member")));
}

void TlsTest::plainClientOnTlsPortFails()
{
    auto config = testConfig();
    config.handshakeTimeoutMs = 1000;
    QVERIFY(startTlsHub(config));
    QUrl plain = url();
    plain.setScheme(QStringLiteral("ws"));
    TestClient plainClient;
    QVERIFY(!plainClient.open(plain));
    QCOMPARE(hub().connectionCount(), 0);
    QVERIFY(joinSecure(QStringLiteral("member")));
}

void TlsTest::stalledHandshakeIsCut_data()
{
    QTest::addColumn<QByteArray>("sent");  // raw bytes before going quiet
    QTest::addColumn<bool>("completeTls"); // finish the TLS handshake, then stall the upgrade
    QTest::addRow("nothing at all") << QByteArray() << false;
    QTest::addRow("part of a TLS record header") << QByteArray::fromHex("160301") << false;
    QTest::addRow("a record header announcing more") << QByteArray::fromHex("1603010200") << false;
    QTest::addRow("TLS done, no upgrade request") << QByteArray() << true;
    QTest::addRow("TLS done, half an upgrade request")
        << QByteArrayLiteral("GET / HTTP/1.1\r\nHost: x\r\n") << true;
}

void TlsTest::stalledHandshakeIsCut()
{
    QFETCH(QByteArray, sent);
    QFETCH(bool, completeTls);
    auto config = testConfig();
    config.handshakeTimeoutMs = 400;
    QVERIFY(startTlsHub(config));
    TestClient *early = joinSecure(QStringLiteral("early"));
    QVERIFY(early);

    m_raw.push_back(std::make_unique<RawWsClient>());
    RawWsClient *raw = m_raw.back().get();
    if (completeTls)
        QVERIFY(raw->connectEncrypted(hub().port(), trustingConfiguration()));
    else
        QVERIFY(raw->connectTo(hub().port()));
    raw->sendRaw(sent);
    QTRY_COMPARE(hub().pendingHandshakeCount(), 1);
    QVERIFY(raw->waitForClosed(5000));
    QTRY_COMPARE(hub().pendingHandshakeCount(), 0);
    QTRY_COMPARE(hub().openConnectionCount(), 1);
    QVERIFY(barrier(early)); // more than the deadline later, the finished one is still served
}

void TlsTest::stuckReaderOverTlsIsCutOff()
{
    auto config = testConfig();
    config.ratePerSecond = 0;
    config.maxOutboxBytes = 64 * 1024;
    QVERIFY(startTlsHub(config));
    TestClient *talker = joinSecure(QStringLiteral("talker"));
    QVERIFY(talker);
    m_raw.push_back(std::make_unique<RawWsClient>());
    RawWsClient *stuck = m_raw.back().get();
    QVERIFY(stuck->connectEncrypted(hub().port(), trustingConfiguration()));
    QVERIFY(stuck->upgrade());
    Hello hello;
    hello.registration =
        chat::proto::Registration{QStringLiteral("stuck"), chat::test::kTestPassword, {}, {}};
    stuck->sendText(encode(hello));
    QVERIFY(stuck->waitFor([stuck] { return !stuck->texts().isEmpty(); }));
    stuck->stopReading();

    const QString text(4000, QChar(0x20AC));
    constexpr int kBatch = 50;
    constexpr int kMaxMessages = 2000;
    int sent = 0;
    while (hub().connectionCount() == 2 && sent < kMaxMessages) {
        for (int i = 0; i < kBatch; ++i)
            talker->send(text);
        sent += kBatch;
        QVERIFY(talker->waitForMessages(sent, 10000));
    }
    QCOMPARE(hub().connectionCount(), 1);
    QVERIFY(talker->isOpen());
}

void TlsTest::offeredCiphersAreForwardSecretAead()
{
    const QList<QSslCipher> offered = chat::server::serverCiphers();
    QVERIFY(!offered.isEmpty());
    QCOMPARE(chat::server::serverSslConfiguration(m_credentials).ciphers(), offered);
    QStringList names;
    for (const QSslCipher &cipher : offered) {
        names.append(cipher.name());
        if (cipher.protocol() == QSsl::TlsV1_3)
            continue;
        QVERIFY2(cipher.keyExchangeMethod() == QLatin1String("ECDH"), qPrintable(cipher.name()));
        QVERIFY2(cipher.encryptionMethod().startsWith(QLatin1String("AESGCM")) ||
                     cipher.encryptionMethod().startsWith(QLatin1String("CHACHA20")),
                 qPrintable(cipher.name()));
    }
    for (const char *wanted : {"ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256",
                               "ECDHE-RSA-CHACHA20-POLY1305", "TLS_AES_128_GCM_SHA256"})
        QVERIFY2(names.contains(QLatin1String(wanted)), wanted);
    for (const char *refused : {"AES128-GCM-SHA256", "AES256-SHA", "ECDHE-ECDSA-AES128-SHA",
                                "ECDHE-RSA-AES128-SHA256", "DHE-RSA-AES128-GCM-SHA256"})
        QVERIFY2(!names.contains(QLatin1String(refused)), refused);
}

void TlsTest::handshakeNeedsForwardSecretAead_data()
{
    QTest::addColumn<bool>("rsaCertificate");
    QTest::addColumn<QSsl::SslProtocol>("protocol");
    QTest::addColumn<QString>("cipher"); // the only one the client offers; empty: its defaults
    QTest::addColumn<bool>("accepted");
    const auto row = [](const char *tag, bool rsa, QSsl::SslProtocol protocol, const char *cipher,
                        bool accepted) {
        QTest::addRow("%s", tag) << rsa << protocol << QString::fromLatin1(cipher) << accepted;
    };
    // The suites an RSA certificate used to allow without forward secrecy, and CBC ones.
    row("RSA: AES128-GCM-SHA256 (RSA key exchange)", true, QSsl::TlsV1_2, "AES128-GCM-SHA256",
        false);
    row("RSA: AES256-GCM-SHA384 (RSA key exchange)", true, QSsl::TlsV1_2, "AES256-GCM-SHA384",
        false);
    row("RSA: AES256-SHA (RSA key exchange, CBC)", true, QSsl::TlsV1_2, "AES256-SHA", false);
    row("RSA: ECDHE-RSA-AES128-SHA (CBC)", true, QSsl::TlsV1_2, "ECDHE-RSA-AES128-SHA", false);
    row("RSA: ECDHE-RSA-AES256-SHA384 (CBC)", true, QSsl::TlsV1_2, "ECDHE-RSA-AES256-SHA384",
        false);
    row("RSA: DHE-RSA-AES128-GCM-SHA256 (finite-field DHE)", true, QSsl::TlsV1_2,
        "DHE-RSA-AES128-GCM-SHA256", false);
    row("RSA: ECDHE-RSA-AES128-GCM-SHA256", true, QSsl::TlsV1_2, "ECDHE-RSA-AES128-GCM-SHA256",
        true);
    row("RSA: ECDHE-RSA-AES256-GCM-SHA384", true, QSsl::TlsV1_2, "ECDHE-RSA-AES256-GCM-SHA384",
        true);
    row("RSA: ECDHE-RSA-CHACHA20-POLY1305", true, QSsl::TlsV1_2, "ECDHE-RSA-CHACHA20-POLY1305",
        true);
    row("RSA: TLS 1.3", true, QSsl::TlsV1_3, "", true);
    // The two CBC-SHA1 suites an EC certificate used to allow.
    row("EC: ECDHE-ECDSA-AES128-SHA (CBC)", false, QSsl::TlsV1_2, "ECDHE-ECDSA-AES128-SHA", false);
    row("EC: ECDHE-ECDSA-AES256-SHA (CBC)", false, QSsl::TlsV1_2, "ECDHE-ECDSA-AES256-SHA", false);
    row("EC: ECDHE-ECDSA-AES128-GCM-SHA256", false, QSsl::TlsV1_2, "ECDHE-ECDSA-AES128-GCM-SHA256",
        true);
    row("EC: ECDHE-ECDSA-CHACHA20-POLY1305", false, QSsl::TlsV1_2, "ECDHE-ECDSA-CHACHA20-POLY1305",
        true);
    row("EC: TLS 1.2, client defaults", false, QSsl::TlsV1_2, "", true);
    row("EC: TLS 1.3", false, QSsl::TlsV1_3, "", true);
}

void TlsTest::handshakeNeedsForwardSecretAead()
{
    QFETCH(bool, rsaCertificate);
    QFETCH(QSsl::SslProtocol, protocol);
    QFETCH(QString, cipher);
    QFETCH(bool, accepted);
    auto config = testConfig();
    if (rsaCertificate) {
        const QString problem =
            chat::server::loadTlsCredentials(path("rsa.pem"), path("rsa.key"), &config.tls);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        QVERIFY(startHub(config));
    } else {
        QVERIFY(startTlsHub(config));
    }

    QSslConfiguration client = trustingConfiguration();
    client.setProtocol(protocol);
    if (!cipher.isEmpty()) {
        const QSslCipher only(cipher);
        if (only.isNull())
            QSKIP(qPrintable(QStringLiteral("this OpenSSL lacks %1").arg(cipher)));
        client.setCiphers({only});
    }
    QSslSocket socket;
    socket.setSslConfiguration(client);
    QSignalSpy encrypted(&socket, &QSslSocket::encrypted);
    QSignalSpy failed(&socket, &QSslSocket::errorOccurred);
    socket.connectToHostEncrypted(QStringLiteral("localhost"), hub().port());
    QTRY_VERIFY_WITH_TIMEOUT(!encrypted.isEmpty() || !failed.isEmpty(), 10000);
    if (accepted) {
        QVERIFY2(!encrypted.isEmpty(), qPrintable(socket.errorString()));
        QCOMPARE(socket.sessionProtocol(), protocol);
        if (!cipher.isEmpty())
            QCOMPARE(socket.sessionCipher().name(), cipher);
    } else {
        QVERIFY2(encrypted.isEmpty(), qPrintable(socket.sessionCipher().name()));
        // The server answers "no shared cipher" by closing (OpenSSL on its side logs it), so the
        // client sees either its own handshake failure or the closed connection.
        QVERIFY2(socket.error() == QAbstractSocket::SslHandshakeFailedError ||
                     socket.error() == QAbstractSocket::RemoteHostClosedError,
                 qPrintable(socket.errorString()));
    }
    socket.abort();
}

void TlsTest::programServesWss()
{
    m_process = std::make_unique<QProcess>();
    m_process->start(QStringLiteral(CHAT_SERVER_BINARY),
                     {QStringLiteral("--db"), QStringLiteral(":memory:"), QStringLiteral("--host"),
                      QStringLiteral("127.0.0.1"), QStringLiteral("--port"), QStringLiteral("0"),
                      QStringLiteral("--cert"), path("chain.pem"), QStringLiteral("--key"),
                      path("server.key")});
    QSignalSpy output(m_process.get(), &QProcess::readyReadStandardOutput);
    QTRY_VERIFY_WITH_TIMEOUT(m_process->canReadLine(), 10000);
    const QString line = QString::fromUtf8(m_process->readLine()).trimmed();
    static const QRegularExpression pattern(
        QStringLiteral("^listening on (wss://127\\.0\\.0\\.1:\\d+/)$"));
    const QRegularExpressionMatch match = pattern.match(line);
    QVERIFY2(match.hasMatch(), qPrintable(line));

    TestClient client;
    client.socket()->setSslConfiguration(trustingConfiguration());
    QVERIFY(client.open(QUrl(match.captured(1))));
    QVERIFY(client.helloAndWait(QStringLiteral("visitor")));
    client.send(QStringLiteral("hello over wss"));
    QVERIFY(client.waitForMessages(1));
    QCOMPARE(client.socketErrors(), 0);
}

void TlsTest::programRefusesBadFiles_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("mentions");
    const QString cert = QStringLiteral("--cert");
    const QString key = QStringLiteral("--key");
    QTest::addRow("cert without key") << QStringList{cert, path("server.pem")} << key;
    QTest::addRow("key without cert") << QStringList{key, path("server.key")} << cert;
    QTest::addRow("missing cert") << QStringList{cert, path("nope.pem"), key, path("server.key")}
                                  << path("nope.pem");
    QTest::addRow("wrong key") << QStringList{cert, path("server.pem"), key, path("other.key")}
                               << path("other.key");
    QTest::addRow("encrypted key")
        << QStringList{cert, path("server.pem"), key, path("encrypted.key")}
        << QStringLiteral("passphrase");
}

void TlsTest::programRefusesBadFiles()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, mentions);
    m_process = std::make_unique<QProcess>();
    QSignalSpy finished(m_process.get(), &QProcess::finished);
    m_process->start(QStringLiteral(CHAT_SERVER_BINARY),
                     QStringList{QStringLiteral("--db"), QStringLiteral(":memory:"),
                                 QStringLiteral("--port"), QStringLiteral("0")} +
                         arguments);
    QVERIFY(finished.wait(10000));
    QCOMPARE(m_process->exitStatus(), QProcess::NormalExit);
    QCOMPARE(m_process->exitCode(), 2);
    QCOMPARE(m_process->readAllStandardOutput(), QByteArray()); // never said it listens
    const QString error = QString::fromUtf8(m_process->readAllStandardError());
    QVERIFY2(error.contains(mentions), qPrintable(error));
}

QTEST_GUILESS_MAIN(TlsTest)
#include "tst_tls.moc"
