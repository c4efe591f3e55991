// The connection's life cycle as the UI sees it.
#pragma once

#include <QObject>

namespace chat::client {
Q_NAMESPACE

enum class ConnectionState {
    Offline,      // not started, stopped, or refused for good (see statusText)
    Connecting,   // an attempt is under way: socket opening or waiting for the welcome
    Connected,    // joined: the welcome arrived
    Reconnecting, // waiting for the next attempt
};
Q_ENUM_NS(ConnectionState)

} // namespace chat::client
