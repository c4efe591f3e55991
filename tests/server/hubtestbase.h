// What the in-process hub tests share: a hub on a free localhost port and real WebSocket clients
// that are checked, when each test ends, never to have seen a broken frame or a socket error.
#pragma once

#include "chat/chathub.h"
#include "store/messagestore.h"
#include "testclient.h"

#include <QObject>
#include <QSignalSpy>
#include <QTest>

#include <memory>
#include <vector>

namespace chat::test {

class HubTestBase : public QObject
{
    Q_OBJECT
protected:
    [[nodiscard]] static server::HubConfig testConfig()
    {
        server::HubConfig config;
        config.host = QHostAddress::LocalHost;
        config.port = 0;
        config.name = QStringLiteral("test-hub");
        config.maxConnectionsPerAddress = 0; // every test client comes from 127.0.0.1
        config.maxAddressBytesPerSecond = 0; // ... and so would share one byte budget
        config.maxBytesPerSecond = 0;        // tests of the byte limits set them
        // Every test client registers its nick: cheap hashes, and no limit on sign-ups.
        config.accounts.cheapHashes = true;
        config.accounts.registrationsPerAddress = 1 << 30;
        config.accounts.maxQueuedHashes = 100000; // crowds of test clients register at once
        return config;
    }

    // Replaces the running hub; false (with a warning) when it cannot listen.
    [[nodiscard]] bool startHub(const server::HubConfig &config = testConfig())
    {
        stopClients();
        m_hub.reset();
        TokenBook::clear(); // a new hub may get the old one's port
        m_hub = std::make_unique<server::ChatHub>(config);
        if (!m_hub->listen()) {
            qWarning("hub cannot listen: %s", qPrintable(m_hub->errorString()));
            return false;
        }
        return true;
    }

    // A hub on the SQLite file `path` (its history, accounts and rooms), on `port` (0: any): a
    // restart on the same port keeps the clients' tokens valid (TokenBook is kept).
    [[nodiscard]] bool startHubOnFile(const QString &path, server::HubConfig config = testConfig(),
                                      quint16 port = 0)
    {
        stopClients();
        m_hub.reset();
        if (port == 0)
            TokenBook::clear();
        config.port = port;
        QString error;
        server::Stores stores = server::openStores(path, config, &error);
        if (!stores.messages) {
            qWarning("cannot open %s: %s", qPrintable(path), qPrintable(error));
            return false;
        }
        m_hub = std::make_unique<server::ChatHub>(config, std::move(stores));
        if (!m_hub->listen()) {
            qWarning("hub cannot listen: %s", qPrintable(m_hub->errorString()));
            return false;
        }
        return true;
    }
    [[nodiscard]] server::ChatHub &hub() { return *m_hub; }
    [[nodiscard]] QUrl url() const { return m_hub->url(); }

    // A client that is not connected yet; owned by the test base.
    TestClient *newClient()
    {
        m_clients.push_back(std::make_unique<TestClient>());
        return m_clients.back().get();
    }

    // An open, not yet joined client, or nullptr.
    TestClient *connectClient()
    {
        TestClient *client = newClient();
        return client->open(url()) ? client : nullptr;
    }

    // A joined client, or nullptr.
    TestClient *join(const QString &nick)
    {
        TestClient *client = connectClient();
        return client && client->helloAndWait(nick) ? client : nullptr;
    }

    // Every check of the clients' health that each test ends with.
    void verifyClientsHealthy()
    {
        for (const auto &client : m_clients) {
            QCOMPARE(client->undecodableFrames(), 0);
            QCOMPARE(client->socketErrors(), 0);
        }
    }

    void stopClients() { m_clients.clear(); }

    // A ping round trip: everything the server sent this client before the pong has arrived, so
    // a count checked afterwards would include any duplicate or stray frame.
    [[nodiscard]] static bool barrier(TestClient *client)
    {
        const qsizetype before = client->pongs().size();
        client->ping(QStringLiteral("barrier"));
        QSignalSpy spy(client, &TestClient::pongReceived);
        return client->pongs().size() > before || spy.wait(5000);
    }

    void stopAll()
    {
        stopClients();
        m_hub.reset();
    }

private:
    std::unique_ptr<server::ChatHub> m_hub;
    std::vector<std::unique_ptr<TestClient>> m_clients;
};

} // namespace chat::test
