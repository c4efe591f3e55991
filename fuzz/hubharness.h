// The hub fuzzer's fixture: a real ChatHub on a loopback port with two real WebSocket clients
// kept across inputs, one that has joined and one that has not. deliver() sends one frame to
// both, waits until the hub has answered it (a barrier frame right behind it is answered last),
// and checks each answer against docs/protocol.md.
#pragma once

#include "codec.h"

#include <QByteArray>
#include <QString>
#include <QTimer>

#include <functional>
#include <memory>

namespace chat::server {
class ChatHub;
}

namespace chat::fuzz {

class FuzzPeer;

class HubHarness
{
public:
    HubHarness();
    ~HubHarness();
    HubHarness(const HubHarness &) = delete;
    HubHarness &operator=(const HubHarness &) = delete;

    void deliver(const QByteArray &frame);

private:
    void joinMain();
    void openFresh();
    void retireFresh();
    // Runs the event loop until done(); a hub that stays silent for long is a finding.
    void waitUntil(const std::function<bool()> &done, const char *what);
    void checkJoinedReply(const chat::proto::Decoded<chat::proto::ClientMessage> &sent,
                          const QString &barrier);
    void checkFreshReply(const chat::proto::Decoded<chat::proto::ClientMessage> &sent,
                         const QString &barrier);

    std::unique_ptr<chat::server::ChatHub> m_hub;
    std::unique_ptr<FuzzPeer> m_joined; // joined at start-up as kMainNick, for the whole run
    std::unique_ptr<FuzzPeer> m_fresh; // connected, no hello yet; replaced once it joined or closed
    QTimer m_tick;                     // wakes the event loop so waitUntil() sees its deadline
    qint64 m_round = 0;
};

} // namespace chat::fuzz
