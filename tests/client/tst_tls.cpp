// wss:// with certificate checks on: a server is trusted through the system's certificates or
// the ones the user names (setCaCertificatesFile), never by ignoring errors; a certificate
// that is not trusted ends the attempt before the hello and says why in the status.
// The certificates are made for each run with the openssl command.
#include "chat/chathub.h"
#include "chinesetranslation.h"
#include "codec.h"
#include "connectioncontroller.h"
#include "fakeservers.h"
#include "messagemodel.h"

#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QTemporaryDir>
#include <QTest>

using chat::client::ConnectionController;
using chat::client::ConnectionState;
namespace proto = chat::proto;

namespace {

// Extensions for each certificate made below.
constexpr char kOpensslConfig[] = R"([req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
[elsewhere]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:elsewhere.example
)";

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

class TestTls : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanup();

    void certificateChecks_data();
    void certificateChecks();
    void caFileMustHoldCertificates_data();
    void caFileMustHoldCertificates();
    void realHubOverTls_data();
    void realHubOverTls();

private:
    // Runs openssl in the certificate directory; fails the test when it does not succeed.
    void openssl(const QStringList &arguments);
    void makeKey(const QString &name);
    // A certificate signed by the CA with the extensions of this config section.
    void makeSignedCertificate(const QString &name, const QString &section);
    [[nodiscard]] QString file(const QString &name) const { return m_dir.filePath(name); }

    QTemporaryDir m_dir;
    std::unique_ptr<ScriptedServer> m_server;
    std::unique_ptr<chat::server::ChatHub> m_hub;
    std::unique_ptr<ConnectionController> m_client;
};

void TestTls::openssl(const QStringList &arguments)
{
    QProcess process;
    process.setWorkingDirectory(m_dir.path());
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(QStringLiteral("openssl"), arguments);
    QTRY_VERIFY_WITH_TIMEOUT(process.state() == QProcess::NotRunning, 20000);
    QVERIFY2(process.error() != QProcess::FailedToStart,
             "the openssl command is needed to make test certificates (apt install openssl)");
    QVERIFY2(process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0,
             qPrintable(arguments.join(u' ') + QStringLiteral(": ") +
                        QString::fromLocal8Bit(process.readAll())));
}

void TestTls::makeKey(const QString &name)
{
    openssl({QStringLiteral("genpkey"), QStringLiteral("-algorithm"), QStringLiteral("EC"),
             QStringLiteral("-pkeyopt"), QStringLiteral("ec_paramgen_curve:P-256"),
             QStringLiteral("-out"), name + QStringLiteral(".key")});
}

void TestTls::makeSignedCertificate(const QString &name, const QString &section)
{
    makeKey(name);
    if (QTest::currentTestFailed())
        return;
    openssl({QStringLiteral("req"), QStringLiteral("-new"), QStringLiteral("-key"),
             name + QStringLiteral(".key"), QStringLiteral("-subj"),
             QStringLiteral("/CN=%1").arg(name), QStringLiteral("-config"),
             QStringLiteral("openssl.cnf"), QStringLiteral("-out"), name + QStringLiteral(".csr")});
    if (QTest::currentTestFailed())
        return;
    openssl({QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"),
             name + QStringLiteral(".csr"), QStringLiteral("-CA"), QStringLiteral("ca.pem"),
             QStringLiteral("-CAkey"), QStringLiteral("ca.key"), QStringLiteral("-CAcreateserial"),
             QStringLiteral("-days"), QStringLiteral("2"), QStringLiteral("-extfile"),
             QStringLiteral("openssl.cnf"), QStringLiteral("-extensions"), section,
             QStringLiteral("-out"), name + QStringLiteral(".pem")});
}

void TestTls::initTestCase()
{
    QVERIFY(chat::test::installChineseTranslation());
    QVERIFY(m_dir.isValid());
    QFile config(file(QStringLiteral("openssl.cnf")));
    QVERIFY(config.open(QIODevice::WriteOnly));
    config.write(kOpensslConfig);
    config.close();

    const auto selfSigned = [this](const QString &name, const QString &section) {
        makeKey(name);
        if (QTest::currentTestFailed())
            return;
        openssl({QStringLiteral("req"), QStringLiteral("-new"), QStringLiteral("-x509"),
                 QStringLiteral("-key"), name + QStringLiteral(".key"), QStringLiteral("-subj"),
                 QStringLiteral("/CN=%1").arg(name), QStringLiteral("-days"), QStringLiteral("2"),
                 QStringLiteral("-config"), QStringLiteral("openssl.cnf"),
                 QStringLiteral("-extensions"), section, QStringLiteral("-out"),
                 name + QStringLiteral(".pem")});
    };
    selfSigned(QStringLiteral("ca"), QStringLiteral("ca"));
    QVERIFY(!QTest::currentTestFailed());
    selfSigned(QStringLiteral("other-ca"), QStringLiteral("ca"));
    QVERIFY(!QTest::currentTestFailed());
    selfSigned(QStringLiteral("self-signed"), QStringLiteral("server"));
    QVERIFY(!QTest::currentTestFailed());
    makeSignedCertificate(QStringLiteral("server"), QStringLiteral("server"));
    QVERIFY(!QTest::currentTestFailed());
    makeSignedCertificate(QStringLiteral("elsewhere"), QStringLiteral("elsewhere"));
    QVERIFY(!QTest::currentTestFailed());
}

void TestTls::cleanup()
{
    m_client.reset();
    m_server.reset();
    m_hub.reset();
}

void TestTls::certificateChecks_data()
{
    QTest::addColumn<QString>("serverCertificate"); // name of the .pem/.key pair the server uses
    QTest::addColumn<QString>("caFile");            // empty: the system's certificates only
    QTest::addColumn<bool>("trusted");

    QTest::addRow("signed by the CA given") << "server"
                                            << "ca.pem" << true;
    QTest::addRow("server's own certificate given") << "self-signed"
                                                    << "self-signed.pem" << true;
    QTest::addRow("no CA given") << "server"
                                 << "" << false;
    QTest::addRow("another CA given") << "server"
                                      << "other-ca.pem" << false;
    QTest::addRow("self-signed, nothing given") << "self-signed"
                                                << "" << false;
    QTest::addRow("trusted CA, other host name") << "elsewhere"
                                                 << "ca.pem" << false;
}

void TestTls::certificateChecks()
{
    QFETCH(const QString, serverCertificate);
    QFETCH(const QString, caFile);
    QFETCH(const bool, trusted);

    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    const QList<QSslCertificate> chain =
        QSslCertificate::fromPath(file(serverCertificate + QStringLiteral(".pem")));
    QCOMPARE(chain.size(), 1);
    const QSslKey key(readAll(file(serverCertificate + QStringLiteral(".key"))), QSsl::Ec);
    QVERIFY(!key.isNull());
    tls.setLocalCertificate(chain.first());
    tls.setPrivateKey(key);
    tls.setPeerVerifyMode(QSslSocket::VerifyNone);
    m_server = std::make_unique<ScriptedServer>(tls);
    QVERIFY(m_server->listen());
    QCOMPARE(m_server->url().scheme(), QStringLiteral("wss"));
    QSignalSpy frames(m_server.get(), &ScriptedServer::frameReceived);
    connect(m_server.get(), &ScriptedServer::frameReceived, this, [this](const QByteArray &frame) {
        const proto::Decoded<proto::ClientMessage> decoded = proto::decodeClientMessage(frame);
        if (decoded.ok() && std::holds_alternative<proto::Hello>(*decoded.message)) {
            proto::Welcome welcome;
            welcome.account = QStringLiteral("alice");
            m_server->reply(proto::encode(welcome));
        }
    });

    m_client = std::make_unique<ConnectionController>();
    m_client->setServerUrl(m_server->url());
    m_client->setToken(QStringLiteral("alice"), QStringLiteral("token-of-alice"));
    m_client->setBackoff(60000, 60000);                   // one attempt is enough to judge
    m_client->setBackoffRandomSource([] { return 0.5; }); // no jitter: "in 60 s"
    if (!caFile.isEmpty()) {
        QString error;
        QVERIFY2(m_client->setCaCertificatesFile(file(caFile), &error), qPrintable(error));
    }
    QSignalSpy joined(m_client.get(), &ConnectionController::joined);
    m_client->start();

    if (trusted) {
        QVERIFY(joined.wait(10000));
        QCOMPARE(m_client->state(), ConnectionState::Connected);
        QCOMPARE(m_client->statusText(), QStringLiteral("已连接：alice"));
        return;
    }
    QTRY_COMPARE_WITH_TIMEOUT(m_client->state(), ConnectionState::Reconnecting, 10000);
    QVERIFY2(m_client->lastError().startsWith(QStringLiteral("证书不受信任：")),
             qPrintable(m_client->lastError()));
    QVERIFY2(m_client->statusText().startsWith(QStringLiteral("60 秒后重新连接 — 证书不受信任：")),
             qPrintable(m_client->statusText()));
    QCOMPARE(joined.count(), 0);
    QCOMPARE(frames.count(), 0); // not even the hello went to a server that was not trusted

    m_client->stop();
    m_client->start();
    QTRY_COMPARE_WITH_TIMEOUT(m_client->state(), ConnectionState::Reconnecting, 10000);
    m_client->stop();
    QCOMPARE(m_client->state(), ConnectionState::Offline);
    QCOMPARE(frames.count(), 0);
}

void TestTls::caFileMustHoldCertificates_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QByteArray>("content"); // written to the file first, unless empty
    QTest::addColumn<QString>("reason");
    QTest::addRow("missing") << "missing.pem" << QByteArray() << "Cannot read";
    QTest::addRow("not PEM") << "junk.pem" << QByteArray("just words\n\x01\x02") << "no PEM";
    QTest::addRow("key, not certificate") << "ca.key" << QByteArray() << "no PEM";
}

void TestTls::caFileMustHoldCertificates()
{
    QFETCH(const QString, name);
    QFETCH(const QByteArray, content);
    QFETCH(const QString, reason);
    if (!content.isEmpty()) {
        QFile out(file(name));
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(content);
    }
    ConnectionController client;
    QString error;
    QVERIFY(!client.setCaCertificatesFile(file(name), &error));
    QVERIFY2(error.contains(reason), qPrintable(error));
    QVERIFY(client.setCaCertificatesFile(file(QStringLiteral("ca.pem")), &error));
}

void TestTls::realHubOverTls_data()
{
    QTest::addColumn<QString>("caFile");
    QTest::addColumn<bool>("trusted");
    QTest::addRow("CA given") << "ca.pem" << true;
    QTest::addRow("nothing given") << "" << false;
}

void TestTls::realHubOverTls()
{
    QFETCH(const QString, caFile);
    QFETCH(const bool, trusted);
    chat::server::HubConfig config;
    config.host = QHostAddress::LocalHost;
    config.port = 0;
    config.accounts.cheapHashes = true; // tests: libsodium's minimum Argon2id cost
    const QString problem = chat::server::loadTlsCredentials(
        file(QStringLiteral("server.pem")), file(QStringLiteral("server.key")), &config.tls);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    m_hub = std::make_unique<chat::server::ChatHub>(config);
    QVERIFY2(m_hub->listen(), qPrintable(m_hub->errorString()));
    QCOMPARE(m_hub->url().scheme(), QStringLiteral("wss"));

    m_client = std::make_unique<ConnectionController>();
    m_client->setServerUrl(m_hub->url());
    // A registration over wss://, the password inside TLS.
    m_client->setRegistration(chat::proto::Registration{
        QStringLiteral("alice"), QStringLiteral("password over tls"), QString(), QString()});
    m_client->setBackoff(60000, 60000);
    if (!caFile.isEmpty())
        QVERIFY(m_client->setCaCertificatesFile(file(caFile)));
    m_client->start();
    if (!trusted) {
        QTRY_COMPARE_WITH_TIMEOUT(m_client->state(), ConnectionState::Reconnecting, 10000);
        QVERIFY2(m_client->statusText().contains(QStringLiteral("证书不受信任：")),
                 qPrintable(m_client->statusText()));
        QCOMPARE(m_hub->onlineCount(), 0);
        return;
    }
    QTRY_COMPARE_WITH_TIMEOUT(m_client->state(), ConnectionState::Connected, 10000);
    QVERIFY(!m_client->token().isEmpty());
    QVERIFY(!m_client->send(QStringLiteral("over TLS")).isEmpty());
    QTRY_COMPARE(m_client->pendingCount(), 0);
    QCOMPARE(m_hub->lastSeq(), 1);
}

QTEST_GUILESS_MAIN(TestTls)
#include "tst_tls.moc"
