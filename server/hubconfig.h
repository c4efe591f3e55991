// Everything an operator can tune about the hub; main.cpp fills it from the command line.
#pragma once

#include <QHostAddress>
#include <QString>

namespace chat::server {

struct HubConfig
{
    QHostAddress host = QHostAddress::Any;
    quint16 port = 8080; // 0 picks a free port
    QString name = QStringLiteral("chat");
    QString token;            // when set, every hello must carry it, or is refused as unauthorized
    int historySize = 200;    // messages kept for joiners and for resume
    int listenBacklog = 4096; // the default of 50 drops connection attempts under a burst
    int handshakeTimeoutMs = 5000;      // TCP connection to finished WebSocket upgrade
    int helloTimeoutMs = 5000;          // finished upgrade to hello
    qint64 maxMessageBytes = 64 * 1024; // per incoming WebSocket message and frame
    // Remembered message ids, so a resent id is acknowledged instead of broadcast again: the
    // newest ones per nickname, for the nicknames that sent most recently.
    int dedupIdsPerNick = 256;
    int dedupNicks = 1024;
};

} // namespace chat::server
