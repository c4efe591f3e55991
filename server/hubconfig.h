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
    int historySize = 200;       // messages kept for joiners and for resume
    int listenBacklog = 4096;    // the default of 50 drops connection attempts under a burst
    int handshakeTimeoutMs = 5000; // TCP connection to finished WebSocket upgrade
    int helloTimeoutMs = 5000;     // finished upgrade to hello
    qint64 maxMessageBytes = 64 * 1024; // per incoming WebSocket message and frame
};

} // namespace chat::server
