// The line a room's event message is shown as ("bob joined the room", in Chinese "bob 加入了房间"),
// and the label of a person ("显示名 (account)"). Plain text: the names in it come from the
// network. Translated in the context EventText.
#pragma once

#include "protocol.h"

namespace chat::client {

// "显示名 (account)", or the account name when there is no display name (or the same).
[[nodiscard]] QString personLabel(const QString &account, const QString &display);

// The system line for an event message ("alice 把话题改为：发布计划"); for a chat message, its
// text.
[[nodiscard]] QString eventLine(const proto::Message &message);

// One line for a room list or a notification: an event's line, or a chat message's text without
// its formatting marks ("**ok**" reads "ok").
[[nodiscard]] QString previewLine(const proto::Message &message);

} // namespace chat::client
