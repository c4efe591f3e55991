// Whether an arriving message deserves a desktop notification: a pure decision, from the
// message's kind and the person's settings, so that the whole table can be tested.
#pragma once

#include <QString>

namespace chat::client {

// What a room notifies about; a room's own setting, else its default (defaultLevel()).
enum class NotifyLevel {
    All,          // every message
    MentionsOnly, // messages that name us with @name (a direct message always counts)
    Nothing,
};

// "all", "mentions", "nothing": how the settings file and the browser page spell them.
[[nodiscard]] QString notifyLevelName(NotifyLevel level);
// The level named; `fallback` for anything else.
[[nodiscard]] NotifyLevel notifyLevelFromName(const QString &name, NotifyLevel fallback);
// Shared rooms notify of mentions only; a direct conversation of every message.
[[nodiscard]] NotifyLevel defaultLevel(bool direct);

struct IncomingMessage
{
    bool direct = false;     // in a direct conversation
    bool mentionsUs = false; // names us with @name
    bool fromUs = false;     // written by this account (here or on another device)
};

struct NotifyContext
{
    NotifyLevel level = NotifyLevel::MentionsOnly; // the room's
    bool lookingAtRoom = false;                    // the window is active with this room selected
    bool mutedAll = false;                         // "mute all" in the tray menu
};

[[nodiscard]] bool shouldNotify(const IncomingMessage &message, const NotifyContext &context);

// Whether closing the window should only hide it (the program stays in the tray).
[[nodiscard]] bool closeKeepsRunning(bool trayShown, bool keepInTraySetting);

} // namespace chat::client
