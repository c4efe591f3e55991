// nginx in front of chat-server nodes, for tests: the committed deploy/nginx/chat-cluster.conf
// with its upstream's `server` lines replaced by the given ports and its `listen` line by a free
// port of 127.0.0.1, run in the foreground (daemon off) with everything it writes in a temporary
// folder, stopped with the object. Its master gets SIGTERM when the test dies (even by
// SIGKILL), so a killed test leaves no nginx behind.
#pragma once

#include <QList>
#include <QProcess>
#include <QString>
#include <QTemporaryDir>
#include <QUrl>

#include <memory>

namespace chat::test {

class NginxServer
{
public:
    NginxServer();
    ~NginxServer(); // stops nginx
    NginxServer(const NginxServer &) = delete;
    NginxServer &operator=(const NginxServer &) = delete;

    // Why nginx cannot run here (not installed); empty when it can.
    [[nodiscard]] static QString missingReason();
    // The committed configuration with these upstream ports and `listenPort` filled in.
    [[nodiscard]] static QString configFor(const QString &committed,
                                           const QList<quint16> &upstreamPorts, quint16 listenPort);

    // Starts nginx for these chat-server ports and waits until it accepts connections; false
    // with errorString() on failure.
    [[nodiscard]] bool start(const QList<quint16> &upstreamPorts);
    void stop();

    [[nodiscard]] quint16 port() const { return m_port; }
    // The master's process id while running, else 0; the folder of its files.
    [[nodiscard]] qint64 processId() const;
    [[nodiscard]] QString directory() const { return m_dir ? m_dir->path() : QString(); }
    [[nodiscard]] QUrl url() const; // ws://127.0.0.1:PORT/
    [[nodiscard]] QString errorString() const { return m_error; }
    [[nodiscard]] QString log() const; // nginx's error log so far

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<QProcess> m_process;
    quint16 m_port = 0;
    QString m_error;
};

} // namespace chat::test

// In a test function: skips when nginx is not installed, fails when it cannot start.
#define CHAT_START_NGINX(server, ports)                                                            \
    do {                                                                                           \
        if (const QString why = chat::test::NginxServer::missingReason(); !why.isEmpty())          \
            QSKIP(qPrintable(why));                                                                \
        QVERIFY2((server).start(ports), qPrintable((server).errorString()));                       \
    } while (false)
