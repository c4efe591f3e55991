// What the status bar says when a connection fails, or the server refuses: Qt's wording and the
// server's error codes turned into Chinese sentences, with the server's words on one short line
// after them where they say what exactly was wrong, and for a code we do not know.
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
    // The server's words follow where they say exactly what was wrong, as written.
    QTest::addRow("which character") << ErrorCode::NameInvalid
                                     << QStringLiteral("The account name contains an invisible "
                                                       "or control character (U+200B).")
                                     << QStringLiteral("账号名不可用。服务器说明：The account name "
                                                       "contains an invisible or control "
                                                       "character (U+200B).");
    QTest::addRow("which limit") << ErrorCode::PasswordInvalid
                                 << QStringLiteral("The password has 5 characters; it needs at "
                                                   "least 8")
                                 << QStringLiteral("密码太短或太长。服务器说明：The password has 5 "
                                                   "characters; it needs at least 8.");
    QTest::addRow("markup stays text")
        << ErrorCode::UserNotFound << QStringLiteral("There is no account named \"<b>x</b>\".")
        << QStringLiteral("没有这个账号，或对方不在这个房间里。服务器说明：There is no account "
                          "named \"<b>x</b>\".");
    QTest::addRow("one short line")
        << ErrorCode::BadMessage
        << QStringLiteral("line one\n\tline\u0007two ") + QString(300, u'x')
        << QStringLiteral("服务器无法理解这个请求。服务器说明：line one line two ") +
               QString(181, u'x') + QStringLiteral("…"); // 18 + 181 + 1 = 200
    QTest::addRow("no words, no colon") << ErrorCode::TextInvalid << QStringLiteral(" \n")
                                        << QStringLiteral("内容为空、太长或含有控制字符。");
    // A code from a newer server: its words are all there is.
    QTest::addRow("unknown code") << ErrorCode::Unknown << QStringLiteral("Something new")
                                  << QStringLiteral("服务器拒绝了请求：Something new.");
    QTest::addRow("unknown code, markup")
        << ErrorCode::Unknown << QStringLiteral("<img src=x onerror=alert(1)> & more.")
        << QStringLiteral("服务器拒绝了请求：<img src=x onerror=alert(1)> & more.");
    QTest::addRow("unknown code, no words")
        << ErrorCode::Unknown << QString() << QStringLiteral("服务器拒绝了请求。");
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
