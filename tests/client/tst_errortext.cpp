// What the status bar says when a connection fails: Qt's wording turned into sentences.
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
        << QStringLiteral("The server refused the connection (HTTP 403 Forbidden).");
    QTest::addRow("refused upgrade 404")
        << QAbstractSocket::ConnectionRefusedError
        << QStringLiteral("QWebSocketPrivate::processHandshake: Unhandled http status code: 404 "
                          "(Not Found).")
        << QStringLiteral("The server refused the connection (HTTP 404 Not Found).");
    QTest::addRow("status without phrase")
        << QAbstractSocket::ConnectionRefusedError
        << QStringLiteral("QWebSocketPrivate::processHandshake: Unhandled http status code: 502.")
        << QStringLiteral("The server refused the connection (HTTP 502).");
    QTest::addRow("connection refused")
        << QAbstractSocket::ConnectionRefusedError << QStringLiteral("Connection refused")
        << QStringLiteral("No server is running at this address (connection refused).");
    QTest::addRow("host not found")
        << QAbstractSocket::HostNotFoundError << QStringLiteral("Host not found")
        << QStringLiteral("The server's host name was not found.");
    QTest::addRow("closed") << QAbstractSocket::RemoteHostClosedError
                            << QStringLiteral("The remote host closed the connection")
                            << QStringLiteral("The server closed the connection.");
    QTest::addRow("other, Qt prefix removed")
        << QAbstractSocket::UnknownSocketError
        << QStringLiteral("QWebSocketPrivate::processHandshake: invalid upgrade header")
        << QStringLiteral("Invalid upgrade header.");
    QTest::addRow("other, kept") << QAbstractSocket::SslHandshakeFailedError
                                 << QStringLiteral("Error during SSL handshake: x")
                                 << QStringLiteral("Error during SSL handshake: x.");
    QTest::addRow("nothing said") << QAbstractSocket::UnknownSocketError << QString()
                                  << QStringLiteral("The connection failed.");
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
    QTest::addRow("none") << QList<QSslError>{} << QStringLiteral("certificate not trusted.");
    QTest::addRow("one")
        << QList<QSslError>{selfSigned}
        << QStringLiteral("certificate not trusted: %1.").arg(selfSigned.errorString());
    QTest::addRow("repeated once shown")
        << QList<QSslError>{mismatch, mismatch}
        << QStringLiteral("certificate not trusted: %1.").arg(mismatch.errorString());
    QTest::addRow("at most two") << QList<QSslError>{selfSigned, mismatch, expired}
                                 << QStringLiteral("certificate not trusted: %1; %2.")
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
