#include "rawwsclient.h"

#include "codec.h"
#include "testclient.h"

#include <QDeadlineTimer>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QtEndian>

namespace chat::test {

RawWsClient::RawWsClient(QObject *parent)
    : QObject(parent)
{
    connect(&m_socket, &QTcpSocket::readyRead, this, &RawWsClient::onReadyRead);
    connect(&m_socket, &QTcpSocket::connected, this, &RawWsClient::changed);
    connect(&m_socket, &QTcpSocket::bytesWritten, this, &RawWsClient::changed);
    connect(&m_socket, &QSslSocket::encrypted, this, &RawWsClient::changed);
    connect(&m_socket, &QTcpSocket::disconnected, this, [this] {
        m_disconnected = true;
        emit changed();
    });
    connect(&m_socket, &QTcpSocket::errorOccurred, this, [this] {
        if (m_socket.state() == QAbstractSocket::UnconnectedState)
            m_disconnected = true;
        emit changed();
    });
}

bool RawWsClient::connectTo(quint16 port, const QHostAddress &localAddress, int timeoutMs)
{
    if (!localAddress.isNull() && !m_socket.bind(localAddress))
        return false;
    m_socket.connectToHost(QHostAddress::LocalHost, port);
    return waitFor(
               [this] {
                   return m_socket.state() == QAbstractSocket::ConnectedState || m_disconnected;
               },
               timeoutMs) &&
           m_socket.state() == QAbstractSocket::ConnectedState;
}

bool RawWsClient::connectEncrypted(quint16 port, const QSslConfiguration &configuration,
                                   int timeoutMs)
{
    m_socket.setSslConfiguration(configuration);
    m_socket.connectToHostEncrypted(QStringLiteral("127.0.0.1"), port);
    return waitFor([this] { return m_socket.isEncrypted() || m_disconnected; }, timeoutMs) &&
           m_socket.isEncrypted();
}

bool RawWsClient::upgrade(const QByteArray &extraHeaders, int timeoutMs)
{
    m_socket.write(QByteArrayLiteral("GET / HTTP/1.1\r\n"
                                     "Host: 127.0.0.1\r\n"
                                     "Upgrade: websocket\r\n"
                                     "Connection: Upgrade\r\n"
                                     "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                     "Sec-WebSocket-Version: 13\r\n") +
                   extraHeaders + QByteArrayLiteral("\r\n"));
    const bool answered =
        waitFor([this] { return m_upgraded || m_disconnected || m_buffer.contains("\r\n\r\n"); },
                timeoutMs);
    return answered && m_upgraded;
}

bool RawWsClient::open(quint16 port, const QHostAddress &localAddress)
{
    return connectTo(port, localAddress) && upgrade();
}

QByteArray RawWsClient::helloJson(const QString &nick, const QString &token)
{
    chat::proto::Hello hello;
    hello.token = token;
    if (token.isEmpty())
        hello.registration = chat::proto::Registration{nick, chat::test::kTestPassword, {}, {}};
    return chat::proto::encode(hello);
}

QByteArray RawWsClient::sendJson(const QString &id, const QString &text)
{
    chat::proto::Send send;
    send.id = id;
    send.text = text;
    return chat::proto::encode(send);
}

QByteArray RawWsClient::frame(quint8 opcode, const QByteArray &payload, bool fin, bool masked,
                              quint64 announcedLength)
{
    const quint64 length = announcedLength == ~0ULL ? quint64(payload.size()) : announcedLength;
    QByteArray out;
    out.append(char((fin ? 0x80 : 0x00) | (opcode & 0x0F)));
    const char maskBit = masked ? char(0x80) : char(0);
    if (length < 126) {
        out.append(char(maskBit | char(length)));
    } else if (length <= 0xFFFF) {
        out.append(char(maskBit | 126));
        char bytes[2];
        qToBigEndian(quint16(length), bytes);
        out.append(bytes, 2);
    } else {
        out.append(char(maskBit | 127));
        char bytes[8];
        qToBigEndian(length, bytes);
        out.append(bytes, 8);
    }
    if (!masked)
        return out + payload;
    const quint32 key = QRandomGenerator::global()->generate();
    char keyBytes[4];
    qToBigEndian(key, keyBytes);
    out.append(keyBytes, 4);
    QByteArray body = payload;
    for (qsizetype i = 0; i < body.size(); ++i)
        body[i] = char(body[i] ^ keyBytes[i % 4]);
    return out + body;
}

void RawWsClient::sendFrame(quint8 opcode, const QByteArray &payload, bool fin)
{
    m_socket.write(frame(opcode, payload, fin));
}

void RawWsClient::sendRaw(const QByteArray &bytes)
{
    m_socket.write(bytes);
}

void RawWsClient::stopReading()
{
    m_reading = false;
    // Qt stops taking bytes from the kernel once this much waits unread; then TCP's window
    // closes and the server's writes pile up on its side.
    m_socket.setReadBufferSize(1024);
}

void RawWsClient::resumeReading()
{
    m_reading = true;
    m_socket.setReadBufferSize(0);
    onReadyRead();
    // QSslSocket (6.4) does not turn its plain socket's read notifier back on by itself; one
    // non-blocking look at the socket does.
    if (m_socket.state() == QAbstractSocket::ConnectedState)
        m_socket.waitForReadyRead(0);
}

bool RawWsClient::waitFor(const std::function<bool()> &done, int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    QSignalSpy spy(this, &RawWsClient::changed);
    while (!done()) {
        if (deadline.hasExpired())
            return false;
        spy.wait(qMax(1, int(deadline.remainingTime())));
    }
    return true;
}

bool RawWsClient::waitForClosed(int timeoutMs)
{
    return waitFor([this] { return isClosed(); }, timeoutMs);
}

void RawWsClient::onReadyRead()
{
    if (!m_reading)
        return;
    m_buffer += m_socket.readAll();
    if (!m_upgraded) {
        const qsizetype end = m_buffer.indexOf("\r\n\r\n");
        if (end < 0)
            return;
        m_upgraded = m_buffer.startsWith("HTTP/1.1 101");
        if (!m_upgraded) {
            emit changed();
            return;
        }
        m_buffer.remove(0, end + 4);
    }
    parseFrames();
    emit changed();
}

void RawWsClient::parseFrames()
{
    // Server frames are never masked, and the server never sends more than 2^62 bytes at once.
    while (m_buffer.size() >= 2) {
        const auto *data = reinterpret_cast<const uchar *>(m_buffer.constData());
        const quint8 opcode = data[0] & 0x0F;
        quint64 length = data[1] & 0x7F;
        qsizetype header = 2;
        if (length == 126) {
            if (m_buffer.size() < 4)
                return;
            length = qFromBigEndian<quint16>(data + 2);
            header = 4;
        } else if (length == 127) {
            if (m_buffer.size() < 10)
                return;
            length = qFromBigEndian<quint64>(data + 2);
            header = 10;
        }
        if (quint64(m_buffer.size() - header) < length)
            return;
        const QByteArray payload = m_buffer.mid(header, qsizetype(length));
        m_buffer.remove(0, header + qsizetype(length));
        switch (opcode) {
        case Text:
            m_texts.append(payload);
            break;
        case Ping:
            ++m_pings;
            if (m_answerPings)
                sendFrame(Pong, payload);
            break;
        case Close:
            m_closeReceived = true;
            if (payload.size() >= 2) {
                m_closeCode = qFromBigEndian<quint16>(payload.constData());
                m_closeReason = QString::fromUtf8(payload.mid(2));
            } else {
                m_closeCode = 1005; // no status code
            }
            break;
        default:
            break;
        }
    }
}

} // namespace chat::test
