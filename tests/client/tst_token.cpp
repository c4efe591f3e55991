// A server started with a token admits a controller that sends it and refuses one that does not.
#include "chathub.h"
#include "connectioncontroller.h"

#include <QTest>

using namespace chat::client;
using chat::server::ChatHub;
using chat::server::HubConfig;

class TestToken : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void joinsOnlyWithTheRightToken_data();
    void joinsOnlyWithTheRightToken();

private:
    std::unique_ptr<ChatHub> m_hub;
};

void TestToken::initTestCase()
{
    HubConfig config;
    config.host = QHostAddress::LocalHost;
    config.port = 0;
    config.token = QStringLiteral("correct horse battery staple");
    m_hub = std::make_unique<ChatHub>(config);
    QVERIFY2(m_hub->listen(), qPrintable(m_hub->errorString()));
}

void TestToken::joinsOnlyWithTheRightToken_data()
{
    QTest::addColumn<QString>("token");
    QTest::addColumn<bool>("admitted");
    QTest::addRow("right token") << QStringLiteral("correct horse battery staple") << true;
    QTest::addRow("no token") << QString() << false;
    QTest::addRow("wrong token") << QStringLiteral("correct horse battery") << false;
}

void TestToken::joinsOnlyWithTheRightToken()
{
    QFETCH(QString, token);
    QFETCH(bool, admitted);
    ConnectionController controller;
    controller.setServerUrl(m_hub->url());
    controller.setNick(QStringLiteral("alice"));
    controller.setToken(token);
    controller.setBackoff(50, 100);
    controller.start();
    if (admitted) {
        QTRY_COMPARE(controller.state(), ConnectionState::Connected);
    } else {
        // Refused for good: no retry loop against a server that will keep saying no.
        QTRY_COMPARE(controller.state(), ConnectionState::Offline);
        QVERIFY2(controller.statusText().contains(QStringLiteral("token")),
                 qPrintable(controller.statusText()));
        QCOMPARE(controller.attemptCount(), 1);
    }
    controller.stop();
    QTRY_COMPARE(m_hub->onlineCount(), 0);
}

QTEST_MAIN(TestToken)
#include "tst_token.moc"
