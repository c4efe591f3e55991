// transport/unreadinput.h: when a deadline passes, was it the peer (a head still arriving) or
// the server (a whole request, or bytes in the kernel, waiting for it)? Over real sockets.
#include "transport/unreadinput.h"

#include <QTcpServer>
#include <QTcpSocket>
#include <QtTest>

#include <memory>

using chat::server::requestWaitsForUs;
using chat::server::unreadInKernel;

class UnreadInputTest : public QObject
{
    Q_OBJECT
private slots:
    void init()
    {
        QVERIFY(m_server.listen(QHostAddress::LocalHost, 0));
        m_client = std::make_unique<QTcpSocket>();
        m_client->connectToHost(QHostAddress::LocalHost, m_server.serverPort());
        QVERIFY(m_server.waitForNewConnection(5000));
        m_accepted.reset(m_server.nextPendingConnection());
        QVERIFY(m_client->waitForConnected(5000));
    }
    void cleanup()
    {
        m_accepted.reset();
        m_client.reset();
        m_server.close();
    }

    void nothingSentWaitsForNobody()
    {
        QCOMPARE(unreadInKernel(m_accepted.get()), 0);
        QVERIFY(!requestWaitsForUs(m_accepted.get()));
    }

    void bytesInTheKernelWaitForUs()
    {
        // Not read by QTcpSocket yet (no event loop ran since: a busy server). The loopback
        // delivers within the write, so the bytes are there once it returned.
        m_client->write("GET");
        QVERIFY(m_client->waitForBytesWritten(5000));
        QCOMPARE(unreadInKernel(m_accepted.get()), 3);
        QVERIFY(requestWaitsForUs(m_accepted.get()));
    }

    void aWholeHeadReadButNotProcessedWaitsForUs()
    {
        m_client->write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        QVERIFY(m_client->waitForBytesWritten(5000));
        QTRY_VERIFY(m_accepted->bytesAvailable() > 0 && unreadInKernel(m_accepted.get()) == 0);
        QTRY_VERIFY(m_accepted->bytesAvailable() == 27);
        QVERIFY(requestWaitsForUs(m_accepted.get()));
        QCOMPARE(m_accepted->bytesAvailable(), 27); // looked at, not taken
    }

    void aHeadStillArrivingIsThePeers()
    {
        m_client->write("GET / HTTP/1.1\r\nHost: x\r\n");
        QVERIFY(m_client->waitForBytesWritten(5000));
        QTRY_VERIFY(m_accepted->bytesAvailable() == 25 && unreadInKernel(m_accepted.get()) == 0);
        QVERIFY(!requestWaitsForUs(m_accepted.get()));
    }

    void aClosedSocketWaitsForNobody()
    {
        m_accepted->abort();
        QVERIFY(!requestWaitsForUs(m_accepted.get()));
    }

private:
    QTcpServer m_server;
    std::unique_ptr<QTcpSocket> m_client;
    std::unique_ptr<QTcpSocket> m_accepted;
};

QTEST_GUILESS_MAIN(UnreadInputTest)
#include "tst_unreadinput.moc"
