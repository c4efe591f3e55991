// A real chat-server process for tests: the built binary (the test's CHAT_SERVER_BINARY) on a
// port it picks itself (--port 0), found from its `listening on ws://...` line. Killed with the
// object.
#pragma once

#include <QByteArray>
#include <QProcess>
#include <QStringList>
#include <QUrl>

#include <memory>

namespace chat::test {

class ChatServerProcess
{
public:
    // `arguments` come after --host 127.0.0.1 --port 0 (a later --port wins).
    ChatServerProcess(QString binary, QStringList arguments);
    ~ChatServerProcess();
    ChatServerProcess(const ChatServerProcess &) = delete;
    ChatServerProcess &operator=(const ChatServerProcess &) = delete;

    // Starts it and waits for its listening line; false with errorString() on failure.
    [[nodiscard]] bool start(int timeoutMs = 20000);
    // SIGKILL, as a crash: no goodbye to anyone. Waits until it is gone.
    void kill();
    // SIGTERM, and waits for the clean exit; false when it did not end in time.
    bool terminate(int timeoutMs = 10000);
    [[nodiscard]] bool isRunning() const;

    [[nodiscard]] QUrl url() const { return m_url; } // ws://127.0.0.1:PORT/
    [[nodiscard]] quint16 port() const { return quint16(m_url.port()); }
    [[nodiscard]] QString errorString() const { return m_error; }
    // What it wrote to stderr so far (its log), for failure messages.
    [[nodiscard]] QString log();

private:
    QString m_binary;
    QStringList m_arguments;
    std::unique_ptr<QProcess> m_process;
    QByteArray m_log;
    QUrl m_url;
    QString m_error;
};

} // namespace chat::test
