// The hub fuzzer's fixture: a real ChatHub on a loopback port with two real WebSocket clients,
// one logged in to the account `fuzz` and one that has sent no hello yet. deliver() sends one
// frame to both, waits until the hub has answered it (a barrier frame right behind it is
// answered last; a password hashed on the hub's workers is waited for too), and checks each
// answer against docs/protocol.md.
//
// The account the seeds in fuzz/corpus/fuzz_hub_frame and fuzz/protocol.dict name exists: `fuzz`,
// password `fuzz-password`, and the token `fuzz-token` (stored by its hash, as `chat-server token
// create` would store a random one). So a mutated hello reaches the token, password and
// registration paths both to their welcome and to their refusals. After each input the account
// is put back as it was (password, the one token, its rooms), so an input means the same whenever
// it runs. Besides the lobby, the account is in two rooms the dictionary names: `fuzz-room`
// (public) and `fuzz-private`, so that room requests reach a room they can act on.
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
    void createAccount();
    // Puts the account back: its password, the token `fuzz-token` and no other token anywhere
    // (password logins and registrations leave one each). No connection may use those others.
    void restoreAccounts();
    void joinMain();
    // The harness's own request on the joined connection, waited for until answered.
    void request(const QByteArray &frame, const QString &id);
    void createRooms();
    // Puts the account back into its rooms, as owner, and the rooms as they were (title, topic),
    // after an input that changed them.
    void restoreRooms();
    void openFresh();
    // Runs the event loop until done(); a hub that stays silent for long is a finding.
    void waitUntil(const std::function<bool()> &done, const char *what);
    void checkJoinedReply(const chat::proto::Decoded<chat::proto::ClientMessage> &sent,
                          const QString &barrier);
    void checkFreshReply(const chat::proto::Decoded<chat::proto::ClientMessage> &sent,
                         const QString &barrier);

    std::unique_ptr<chat::server::ChatHub> m_hub;
    std::unique_ptr<FuzzPeer> m_joined; // logged in with `fuzz-token`; again after a logout
    std::unique_ptr<FuzzPeer> m_fresh; // connected, no hello yet; replaced once it joined or closed
    bool m_joinedMoved = false;        // its token was replaced (change_password): log in again
    bool m_roomsChanged = false;       // a room request was done: put the rooms back
    QTimer m_tick;                     // wakes the event loop so waitUntil() sees its deadline
    qint64 m_round = 0;
    qint64 m_accountId = 0;
    QByteArray m_passwordHash; // `fuzz-password`, as first hashed
};

} // namespace chat::fuzz
