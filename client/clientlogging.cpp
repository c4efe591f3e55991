#include "clientlogging.h"

namespace chat::client {

Q_LOGGING_CATEGORY(lcNet, "chat.client.net")
Q_LOGGING_CATEGORY(lcOutbox, "chat.client.outbox")

} // namespace chat::client
