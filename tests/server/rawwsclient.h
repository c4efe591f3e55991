// A WebSocket client made of a bare QTcpSocket, for tests that must send what QWebSocket never
// would (invalid UTF-8, a header announcing 1 GiB, unanswered pings, a reader that stops
// reading). It upgrades by hand, masks what it sends and parses the server's frames.
#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QSslConfiguration>
#include <QSslSocket>

#include <functional>

namespace chat::test {

class RawWsClient : public QObject
{
    Q_OBJECT
public:
    enum Opcode : quint8 {
        Continuation = 0x0,
        Text = 0x1,
        Binary = 0x2,
        Close = 0x8,
        Ping = 0x9,
        Pong = 0xA,
    };

    explicit RawWsClient(QObject *parent = nullptr);

    // Connects over TCP, from `localAddress` when given (any 127.x.y.z works on Linux).
    [[nodiscard]] bool connectTo(quint16 port, const QHostAddress &localAddress = {},
                                 int timeoutMs = 5000);
    // Connects and completes a TLS handshake that trusts what `configuration` trusts.
    [[nodiscard]] bool connectEncrypted(quint16 port, const QSslConfiguration &configuration,
                                        int timeoutMs = 5000);
    // Sends an upgrade request (with `extraHeaders`, each ending in \r\n) and waits for the
    // server's 101 response; false on anything else.
    [[nodiscard]] bool upgrade(const QByteArray &extraHeaders = {}, int timeoutMs = 5000);
    // connectTo() and upgrade() in one.
    [[nodiscard]] bool open(quint16 port, const QHostAddress &localAddress = {});

    // A masked frame, as a client must send it.
    void sendFrame(quint8 opcode, const QByteArray &payload, bool fin = true);
    void sendText(const QByteArray &utf8) { sendFrame(Text, utf8); }
    void sendRaw(const QByteArray &bytes);
    // Protocol messages as JSON, encoded by chatcommon like any client's.
    // A hello that registers `nick` (with kTestPassword), or logs in with `token` when given.
    [[nodiscard]] static QByteArray helloJson(const QString &nick, const QString &token = {});
    [[nodiscard]] static QByteArray sendJson(const QString &id, const QString &text);
    [[nodiscard]] static QByteArray frame(quint8 opcode, const QByteArray &payload, bool fin = true,
                                          bool masked = true, quint64 announcedLength = ~0ULL);

    // Answer the server's pings (as every real client does); on by default.
    void setAnswerPings(bool answer) { m_answerPings = answer; }
    // Stops taking bytes from the network: the server's writes back up, as with a stuck client.
    void stopReading();
    // Takes bytes again, what waited in the kernel first.
    void resumeReading();

    [[nodiscard]] bool waitFor(const std::function<bool()> &done, int timeoutMs = 5000);
    [[nodiscard]] bool waitForClosed(int timeoutMs = 5000);

    [[nodiscard]] QTcpSocket &socket() { return m_socket; }
    [[nodiscard]] const QList<QByteArray> &texts() const { return m_texts; }
    // What came back instead of a 101 Switching Protocols, when the upgrade failed.
    [[nodiscard]] const QByteArray &refusal() const { return m_buffer; }
    [[nodiscard]] int pingsReceived() const { return m_pings; }
    [[nodiscard]] bool closeFrameReceived() const { return m_closeReceived; }
    [[nodiscard]] int closeCode() const { return m_closeCode; } // -1 before a close frame
    [[nodiscard]] QString closeReason() const { return m_closeReason; }
    [[nodiscard]] bool isDisconnected() const { return m_disconnected; }
    // True once a close frame came or the TCP connection ended.
    [[nodiscard]] bool isClosed() const { return m_closeReceived || m_disconnected; }

signals:
    void changed();

private:
    void onReadyRead();
    void parseFrames();

    QSslSocket m_socket; // plain TCP until connectEncrypted()
    QByteArray m_buffer;
    bool m_upgraded = false;
    bool m_answerPings = true;
    bool m_reading = true;
    QList<QByteArray> m_texts;
    int m_pings = 0;
    bool m_closeReceived = false;
    int m_closeCode = -1;
    QString m_closeReason;
    bool m_disconnected = false;
};

} // namespace chat::test
