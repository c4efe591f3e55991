// One client connection of the hub fuzzer: a real QWebSocket that decodes every frame the server
// sends (each must decode: the server only ever sends well-formed messages) and keeps them.
#pragma once

#include "protocol.h"

#include <QList>
#include <QObject>
#include <QUrl>
#include <QWebSocket>

namespace chat::fuzz {

class FuzzPeer : public QObject
{
public:
    explicit FuzzPeer(QObject *parent = nullptr);
    ~FuzzPeer() override;

    void open(const QUrl &url); // starts connecting; isOpen() or isClosed() follows
    void send(const QString &frame) { m_socket.sendTextMessage(frame); }
    void abort() { m_socket.abort(); }

    [[nodiscard]] bool isOpen() const
    {
        return m_socket.state() == QAbstractSocket::ConnectedState;
    }
    [[nodiscard]] bool isClosed() const { return m_closed; }
    // What arrived since the last clear(), in order.
    [[nodiscard]] const QList<chat::proto::ServerMessage> &received() const { return m_received; }
    void clear() { m_received.clear(); }

    // The account the server's welcome named; empty before.
    [[nodiscard]] const QString &account() const { return m_account; }

private:
    void onText(const QString &frame);

    QWebSocket m_socket;
    QList<chat::proto::ServerMessage> m_received;
    QString m_account;
    bool m_closed = false;
};

} // namespace chat::fuzz
