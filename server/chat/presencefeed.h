// What the clients have been told of who is online (one entry per account), and what changed since.
// Joins and leaves are gathered and told in one presence frame, the first after a quiet spell at
// once and then at most one every `intervalMs`: a crowd joining together (everyone coming back
// after a restart) makes a few frames, where a frame per person to every person grew with the
// square of the crowd (docs/performance.md, scenario c).
#pragma once

#include "codec.h"
#include "protocol.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QString>
#include <QTimer>

#include <optional>

namespace chat::server {

class PresenceFeed : public QObject
{
    Q_OBJECT
public:
    explicit PresenceFeed(int intervalMs, QObject *parent = nullptr);

    // The account under `key` is now online as `user`; nullopt: gone.
    void changed(const QString &key, const std::optional<chat::proto::User> &user);
    [[nodiscard]] bool hasPending() const { return !m_pending.isEmpty(); }
    // The changes since the last presence, from now on counted as told; nothing when they cancel
    // out (someone left and came back). `online`: the number to tell with them.
    [[nodiscard]] std::optional<chat::proto::Presence> take(int online);
    // Who was online as of the last presence, sorted, encoded for a welcome.
    [[nodiscard]] const chat::proto::EncodedUserList &toldUsers();
    [[nodiscard]] int toldCount() const { return int(m_told.size()); }

signals:
    // Time to take() the changes and send them.
    void due();

private:
    int m_intervalMs;
    QHash<QString, chat::proto::User> m_told; // account key → user, as the last presence left it
    // account key → user now (nullopt when gone), changed since
    QHash<QString, std::optional<chat::proto::User>> m_pending;
    QTimer m_timer;
    QElapsedTimer m_sinceTold;
    chat::proto::EncodedUserList m_toldEncoded;
    bool m_toldEncodedValid = false;
};

} // namespace chat::server
