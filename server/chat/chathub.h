// The hub: accepts WebSocket clients, admits them with a hello, stamps every chat message with a
// sequence number and relays it to everyone. A library, so that tests and main.cpp share it.
#pragma once

#include "hubconfig.h"

#include <QObject>
#include <QUrl>

#include <memory>

namespace chat::server {

class Accounts;
class AccountStore;
class MessageStore;
struct Stores;

class ChatHub : public QObject
{
    Q_OBJECT
public:
    // A hub whose history and accounts live in memory only (openStores() with ":memory:").
    explicit ChatHub(HubConfig config, QObject *parent = nullptr);
    // A hub on opened stores: its instance, sequence numbers, history and accounts continue.
    ChatHub(HubConfig config, Stores stores, QObject *parent = nullptr);
    // A hub on an opened history with its accounts in memory (tests of the history).
    ChatHub(HubConfig config, std::unique_ptr<MessageStore> store, QObject *parent = nullptr);
    ~ChatHub() override;

    // Starts listening; on failure returns false and errorString() says why.
    [[nodiscard]] bool listen();
    [[nodiscard]] QString errorString() const;
    [[nodiscard]] quint16 port() const;
    [[nodiscard]] QUrl url() const; // ws://HOST:PORT/

    // Several nodes on one PostgreSQL database (the store's, --db postgresql://...): every
    // node's messages reach this node's clients, in seq order (cluster/). False with *error when
    // the database cannot be reached.
    [[nodiscard]] bool joinCluster(const QString &databaseUrl, QString *error);

    // Stops listening and closes every client with 1001 (going away).
    void shutdown();

    // Registration, logins, devices; also what the admin commands act on while the hub runs.
    [[nodiscard]] Accounts *accounts() const;

    [[nodiscard]] int onlineCount() const; // accounts with a connection that completed its hello
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
    // An account came online (its first device joined) and went offline (its last one left).
    void userJoined(const QString &account);
    void userLeft(const QString &account);
    // connectionCount() changed; after shutdown() a 0 means every close went out.
    void connectionCountChanged(int count);

private:
    class Private;
    Private *d;
};

} // namespace chat::server
