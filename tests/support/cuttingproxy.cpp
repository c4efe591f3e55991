#include "cuttingproxy.h"

#include <QHostAddress>
#include <QMutex>
#include <QMutexLocker>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>

#include <atomic>

namespace chat::test {

class CuttingProxyWorker : public QObject
{
public:
    explicit CuttingProxyWorker(quint16 serverPort)
        : m_serverPort(serverPort)
    {}

    // On the worker's thread.
    quint16 listen()
    {
        m_server = new QTcpServer(this);
        connect(m_server, &QTcpServer::newConnection, this, &CuttingProxyWorker::accept);
        return m_server->listen(QHostAddress::LocalHost) ? m_server->serverPort() : 0;
    }

    void arm(const QByteArray &pattern)
    {
        QMutexLocker lock(&m_mutex);
        m_pattern = pattern;
    }
    [[nodiscard]] int cuts() const { return m_cuts.load(); }

private:
    void accept()
    {
        while (QTcpSocket *client = m_server->nextPendingConnection()) {
            client->setParent(this);
            auto *upstream = new QTcpSocket(client);
            // The client's bytes wait in its socket until the server's side is up.
            connect(upstream, &QTcpSocket::connected, client, [=] { forward(client, upstream); });
            connect(client, &QTcpSocket::readyRead, upstream, [=] {
                if (upstream->state() == QAbstractSocket::ConnectedState)
                    forward(client, upstream);
            });
            connect(upstream, &QTcpSocket::readyRead, client,
                    [=] { client->write(upstream->readAll()); });
            connect(upstream, &QTcpSocket::disconnected, client, &QTcpSocket::disconnectFromHost);
            connect(client, &QTcpSocket::disconnected, upstream, &QTcpSocket::disconnectFromHost);
            connect(client, &QTcpSocket::disconnected, client, &QObject::deleteLater);
            upstream->connectToHost(QHostAddress::LocalHost, m_serverPort);
        }
    }

    void forward(QTcpSocket *client, QTcpSocket *upstream)
    {
        const QByteArray data = client->readAll();
        if (data.isEmpty())
            return;
        upstream->write(data);
        QByteArray pattern;
        {
            QMutexLocker lock(&m_mutex);
            if (m_pattern.isEmpty() || !data.contains(m_pattern))
                return;
            pattern = std::exchange(m_pattern, {});
        }
        // The request reaches the server (then the server's side closes after it, gracefully);
        // the client's side goes at once, so no answer reaches the client.
        upstream->flush();
        disconnect(upstream, nullptr, client, nullptr);
        upstream->setParent(this);
        connect(upstream, &QTcpSocket::disconnected, upstream, &QObject::deleteLater);
        upstream->disconnectFromHost();
        ++m_cuts; // before the client can see it
        client->abort();
        client->deleteLater();
    }

    quint16 m_serverPort;
    QTcpServer *m_server = nullptr;
    QMutex m_mutex;
    QByteArray m_pattern;
    std::atomic<int> m_cuts{0};
};

CuttingProxy::CuttingProxy(quint16 serverPort)
    : m_thread(std::make_unique<QThread>())
    , m_worker(new CuttingProxyWorker(serverPort))
{
    m_worker->moveToThread(m_thread.get());
    QObject::connect(m_thread.get(), &QThread::finished, m_worker, &QObject::deleteLater);
    m_thread->start();
}

CuttingProxy::~CuttingProxy()
{
    m_thread->quit();
    m_thread->wait();
}

bool CuttingProxy::start()
{
    QMetaObject::invokeMethod(
        m_worker, [this] { m_port = m_worker->listen(); }, Qt::BlockingQueuedConnection);
    return m_port != 0;
}

void CuttingProxy::cutAfter(const QByteArray &pattern)
{
    m_worker->arm(pattern);
}

int CuttingProxy::cuts() const
{
    return m_worker->cuts();
}

} // namespace chat::test
