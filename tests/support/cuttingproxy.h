// A TCP proxy on 127.0.0.1 in front of a local server that can cut a connection at a chosen
// request: after cutAfter(pattern), the next bytes a client sends that contain `pattern` are
// passed on to the server, and then the client's side is closed at once, before any answer can
// come back. The server handles the request; the client only sees its connection lost. For a
// database client that is a COMMIT whose outcome it cannot know.
//
// It runs on a thread of its own: the client it serves may block the test's thread while it
// waits for an answer (QPSQL does).
#pragma once

#include <QByteArray>
#include <QtGlobal>

#include <memory>

QT_BEGIN_NAMESPACE
class QThread;
QT_END_NAMESPACE

namespace chat::test {

class CuttingProxyWorker;

class CuttingProxy
{
public:
    explicit CuttingProxy(quint16 serverPort);
    ~CuttingProxy();
    CuttingProxy(const CuttingProxy &) = delete;
    CuttingProxy &operator=(const CuttingProxy &) = delete;

    // Listens on a free port of 127.0.0.1; false when it cannot.
    [[nodiscard]] bool start();
    [[nodiscard]] quint16 port() const { return m_port; }
    // Cuts the next client connection that sends `pattern`, once.
    void cutAfter(const QByteArray &pattern);
    // How many connections were cut so far.
    [[nodiscard]] int cuts() const;

private:
    std::unique_ptr<QThread> m_thread;
    CuttingProxyWorker *m_worker; // lives on m_thread
    quint16 m_port = 0;
};

} // namespace chat::test
