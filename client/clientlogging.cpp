#include "clientlogging.h"

namespace chat::client {

Q_LOGGING_CATEGORY(lcNet, "chat.client.net")

} // namespace chat::client
