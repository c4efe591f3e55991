// The validation rules' refusals (common/validation.h) as translated sentences (context
// ValidationText): the same facts as the English sentence the library and the server write, said
// in the user's language. The client checks names, passwords, room names, titles and texts
// before sending them, so these are what a person sees for a value the server would refuse.
#pragma once

#include "validation.h"

#include <QString>

namespace chat::client {

// "房间名为空。"; empty when the rejection refuses nothing.
[[nodiscard]] QString rejectionSentence(const proto::Rejection &rejection);

} // namespace chat::client
