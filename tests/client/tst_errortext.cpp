// What the status bar says when a connection fails, or the server refuses: Qt's wording and the
// server's error codes turned into Chinese sentences (the server's words for a code we do not
// know).
#include "chinesetranslation.h"
#include "errortext.h"

#include <QSslCertificate>
#include <QSslError>
#include <QTest>

using chat::client::describeServerError;
using chat::client::describeSocketError;
using chat::client::describeSslErrors;
using chat::client::waitNamedIn;
using chat::proto::ErrorCode;

class TestErrorText : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { QVERIFY(chat::test::installChineseTranslation()); }
    void socketErrors_data();
    void socketErrors();
    void sslErrors_data();
    void sslErrors();
    void serverErrors_data();
    void serverErrors();
    void waitsNamed_data();
    void waitsNamed();
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

void TestErrorText::serverErrors_data()
{
    QTest::addColumn<ErrorCode>("code");
    QTest::addColumn<QString>("reason");
    QTest::addColumn<QString>("expected");
    QTest::addRow("login failed") << ErrorCode::LoginFailed
                                  << QStringLiteral("Wrong account name or password.")
                                  << QStringLiteral("账号名或密码错误。");
    QTest::addRow("room not found")
        << ErrorCode::RoomNotFound << QStringLiteral("There is no room \"x\".")
        << QStringLiteral("没有这个房间，或你不在其中。");
    QTest::addRow("the wait stays") << ErrorCode::TooManyAttempts
                                    << QStringLiteral("Too many failed logins; try again in 30 "
                                                      "seconds.")
                                    << QStringLiteral("尝试次数过多，请 30 秒后再试。");
    QTest::addRow("no wait named") << ErrorCode::TooManyAttempts << QStringLiteral("Wait.")
                                   << QStringLiteral("尝试次数过多，请稍后再试。");
    // A code from a newer server: its words are all there is.
    QTest::addRow("unknown code") << ErrorCode::Unknown << QStringLiteral("Something new.")
                                  << QStringLiteral("Something new.");
}

void TestErrorText::serverErrors()
{
    QFETCH(const ErrorCode, code);
    QFETCH(const QString, reason);
    QFETCH(const QString, expected);
    QCOMPARE(describeServerError(code, reason), expected);
}

void TestErrorText::waitsNamed_data()
{
    QTest::addColumn<QString>("message");
    QTest::addColumn<int>("expectedMs");
    QTest::addRow("seconds") << QStringLiteral("try again in 30 seconds.") << 30000;
    QTest::addRow("s") << QStringLiteral("Too many attempts: wait 2 s.") << 2000;
    QTest::addRow("minutes") << QStringLiteral("try again in 2 minutes") << 120000;
    // Our own translated sentence, which the controller reads back for its wait.
    QTest::addRow("translated") << describeServerError(ErrorCode::TooManyAttempts,
                                                       QStringLiteral("in 7 seconds"))
                                << 7000;
    QTest::addRow("none") << QStringLiteral("Busy.") << 0;
}

void TestErrorText::waitsNamed()
{
    QFETCH(const QString, message);
    QFETCH(const int, expectedMs);
    QCOMPARE(waitNamedIn(message), expectedMs);
}

QTEST_GUILESS_MAIN(TestErrorText)
#include "tst_errortext.moc"
