// Logging categories of the client library. Lines name nicks, ids and error codes, never
// message text.
#pragma once

#include <QLoggingCategory>

namespace chat::client {

Q_DECLARE_LOGGING_CATEGORY(lcNet)    // chat.client.net: attempts, joins, drops, retries
Q_DECLARE_LOGGING_CATEGORY(lcOutbox) // chat.client.outbox: the outbox file

} // namespace chat::client
