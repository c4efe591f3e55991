// The hub: accepts WebSocket clients, admits them with a hello, stamps every chat message with a
// sequence number and relays it to everyone. A library, so that tests and main.cpp share it.
#pragma once

#include "hubconfig.h"

#include <QObject>
#include <QUrl>

#include <memory>

namespace chat::server {

class MessageStore;

class ChatHub : public QObject
{
    Q_OBJECT
public:
    // A hub whose history lives in memory only (openMessageStore() with ":memory:").
    explicit ChatHub(HubConfig config, QObject *parent = nullptr);
    // A hub on an opened store: its instance, sequence numbers and history continue.
    ChatHub(HubConfig config, std::unique_ptr<MessageStore> store, QObject *parent = nullptr);
    ~ChatHub() override;

    // Starts listening; on failure returns false and errorString() says why.
    [[nodiscard]] bool listen();
    [[nodiscard]] QString errorString() const;
    [[nodiscard]] quint16 port() const;
    [[nodiscard]] QUrl url() const; // ws://HOST:PORT/

    // Stops listening and closes every client with 1001 (going away).
    void shutdown();

    [[nodiscard]] int onlineCount() const;     // clients that completed their hello
    [[nodiscard]] int connectionCount() const; // every open WebSocket
    // The newest seq stored, and so acknowledged.
    [[nodiscard]] qint64 lastSeq() const;
    // Names this hub's history (kept by its store): sequence numbers count within it.
    [[nodiscard]] QString instance() const;
    // TCP connections whose WebSocket upgrade has not finished yet.
    [[nodiscard]] int pendingHandshakeCount() const;
    // Every TCP connection counted against --max-connections: in its upgrade, open or closing.
    [[nodiscard]] int openConnectionCount() const;

signals:
    void userJoined(const QString &nick);
    void userLeft(const QString &nick);
    // connectionCount() changed; after shutdown() a 0 means every close went out.
    void connectionCountChanged(int count);

private:
    class Private;
    Private *d;
};

} // namespace chat::server
