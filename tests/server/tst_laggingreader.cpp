// A reader that lags far behind: the hub holds what its kernel buffer refuses as shared batches
// (transport/sharedoutbox.h) and writes them later. Everything must still arrive whole and in
// order, with the pongs QWebSocket writes meanwhile between frames, and a close after it all.
#include "hubtestbase.h"
#include "rawwsclient.h"
#include "servertestmain.h"
#include "slowpeer.h"

using chat::test::RawWsClient;
using chat::test::SlowPeer;

class LaggingReaderTest : public chat::test::HubTestBase
{
    Q_OBJECT
private slots:
    void cleanup() { stopAll(); }
    void everythingHeldArrivesWholeAndInOrder();
};

void LaggingReaderTest::everythingHeldArrivesWholeAndInOrder()
{
    auto config = testConfig();
    config.ratePerSecond = 0;                  // the sender sends as fast as it may
    config.maxOutboxBytes = 256 * 1024 * 1024; // the reader lags on purpose: it is not cut off
    QVERIFY(startHub(config));
    QString reason;
    const QString token =
        hub().accounts()->createToken(QStringLiteral("reader"), QStringLiteral("test"), &reason);
    QVERIFY2(!token.isEmpty(), qPrintable(reason));
    SlowPeer reader;
    reader.setReceiveBuffer(64 * 1024); // still far less than what is sent, and it flows when read
    QVERIFY(reader.open(hub().port()));
    QVERIFY(reader.write(RawWsClient::frame(
        RawWsClient::Text, RawWsClient::helloJson(QStringLiteral("reader"), token))));
    auto *sender = join(QStringLiteral("sender"));
    QVERIFY(sender);
    QTRY_COMPARE(hub().onlineCount(), 2);

    // Far more than the loopback's buffers hold while the reader reads nothing (a kernel send
    // buffer grows to 4 MB), so that much of it waits in the hub; the reader's pings make
    // QWebSocket write pongs meanwhile.
    constexpr int kMessages = 2000;
    constexpr int kPings = 40;
    const QString filler(3900, QLatin1Char('z')); // with the counter, under kMaxTextChars
    reader.writeInBackground(RawWsClient::frame(RawWsClient::Ping, "p"), kPings);
    for (int i = 0; i < kMessages; ++i) {
        const QString text = QStringLiteral("n%1 ").arg(i, 5, 10, QLatin1Char('0')) + filler;
        sender->sendRaw(
            QString::fromUtf8(RawWsClient::sendJson(QStringLiteral("m%1").arg(i), text)));
    }
    QVERIFY(sender->waitForMessages(kMessages, 60000));
    QVERIFY(reader.waitForWriter());
    hub().shutdown(); // closes the reader: what is held goes first, then the close frame
    QVERIFY(reader.readToTheEnd(60000));

    QVERIFY(reader.received().size() > kMessages * 3900);
    QList<QByteArray> messages;
    for (const QByteArray &text : reader.texts())
        if (text.contains("\"type\":\"message\""))
            messages.append(text);
    QCOMPARE(messages.size(), kMessages);
    for (int i = 0; i < kMessages; ++i) {
        const QByteArray counter = QStringLiteral("n%1 ").arg(i, 5, 10, QLatin1Char('0')).toUtf8();
        QVERIFY2(messages.at(i).contains(counter), counter.constData());
    }
    QCOMPARE(reader.pongCount(), kPings);
    QCOMPARE(reader.closeCode(), int(QWebSocketProtocol::CloseCodeGoingAway));
    QVERIFY(!reader.wasReset());
}

CHAT_SERVER_TEST_MAIN(LaggingReaderTest)
#include "tst_laggingreader.moc"
