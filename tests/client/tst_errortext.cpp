// What the status bar says when a connection fails: Qt's wording turned into Chinese sentences.
#include "errortext.h"

#include <QSslCertificate>
#include <QSslError>
#include <QTest>

using chat::client::describeSocketError;
using chat::client::describeSslErrors;

class TestErrorText : public QObject
{
    Q_OBJECT
private slots:
    void socketErrors_data();
    void socketErrors();
    void sslErrors_data();
    void sslErrors();
};

void TestErrorText::socketErrors_data()
{
    QTest::addColumn<QAbstractSocket::SocketError>("error");
    QTest::addColumn<QString>("qtText");
    QTest::addColumn<QString>("expected");

    QTest::addRow("refused upgrade 403")
        << QAbstractSocket::ConnectionRefusedError
        << QStringLiteral("QWebSocketPrivate::processHandshake: Unhandled http status code: 403 "
                          "(Forbidden).")
        << QStringLiteral("服务器拒绝了连接（HTTP 403 Forbidden）。");
    QTest::addRow("refused upgrade 404")
        << QAbstractSocket::ConnectionRefusedError
        << QStringLiteral("QWebSocketPrivate::processHandshake: Unhandled http status code: 404 "
                          "(Not Found).")
        << QStringLiteral("服务器拒绝了连接（HTTP 404 Not Found）。");
    QTest::addRow("status without phrase")
        << QAbstractSocket::ConnectionRefusedError
        << QStringLiteral("QWebSocketPrivate::processHandshake: Unhandled http status code: 502.")
        << QStringLiteral("服务器拒绝了连接（HTTP 502）。");
    QTest::addRow("connection refused")
        << QAbstractSocket::ConnectionRefusedError << QStringLiteral("Connection refused")
        << QStringLiteral("此地址上没有运行中的服务器（连接被拒绝）。");
    QTest::addRow("host not found")
        << QAbstractSocket::HostNotFoundError << QStringLiteral("Host not found")
        << QStringLiteral("找不到服务器的主机名。");
    QTest::addRow("closed") << QAbstractSocket::RemoteHostClosedError
                            << QStringLiteral("The remote host closed the connection")
                            << QStringLiteral("服务器关闭了连接。");
    QTest::addRow("network") << QAbstractSocket::NetworkError
                             << QStringLiteral("Network unreachable")
                             << QStringLiteral("网络不可达。");
    QTest::addRow("timeout") << QAbstractSocket::SocketTimeoutError
                             << QStringLiteral("Socket operation timed out")
                             << QStringLiteral("服务器未能及时应答。");
    QTest::addRow("other, Qt prefix removed")
        << QAbstractSocket::UnknownSocketError
        << QStringLiteral("QWebSocketPrivate::processHandshake: invalid upgrade header")
        << QStringLiteral("连接失败：Invalid upgrade header.");
    QTest::addRow("other, kept") << QAbstractSocket::SslHandshakeFailedError
                                 << QStringLiteral("Error during SSL handshake: x")
                                 << QStringLiteral("连接失败：Error during SSL handshake: x.");
    QTest::addRow("nothing said") << QAbstractSocket::UnknownSocketError << QString()
                                  << QStringLiteral("连接失败。");
}

void TestErrorText::socketErrors()
{
    QFETCH(const QAbstractSocket::SocketError, error);
    QFETCH(const QString, qtText);
    QFETCH(const QString, expected);
    QCOMPARE(describeSocketError(error, qtText), expected);
}

void TestErrorText::sslErrors_data()
{
    QTest::addColumn<QList<QSslError>>("errors");
    QTest::addColumn<QString>("expected");
    const QSslError selfSigned(QSslError::SelfSignedCertificate);
    const QSslError mismatch(QSslError::HostNameMismatch);
    const QSslError expired(QSslError::CertificateExpired);
    QTest::addRow("none") << QList<QSslError>{} << QStringLiteral("证书不受信任。");
    QTest::addRow("one") << QList<QSslError>{selfSigned}
                         << QStringLiteral("证书不受信任：%1.").arg(selfSigned.errorString());
    QTest::addRow("repeated once shown")
        << QList<QSslError>{mismatch, mismatch}
        << QStringLiteral("证书不受信任：%1.").arg(mismatch.errorString());
    QTest::addRow("at most two") << QList<QSslError>{selfSigned, mismatch, expired}
                                 << QStringLiteral("证书不受信任：%1; %2.")
                                        .arg(selfSigned.errorString(), mismatch.errorString());
}

void TestErrorText::sslErrors()
{
    QFETCH(const QList<QSslError>, errors);
    QFETCH(const QString, expected);
    QCOMPARE(describeSslErrors(errors), expected);
}

QTEST_GUILESS_MAIN(TestErrorText)
#include "tst_errortext.moc"
