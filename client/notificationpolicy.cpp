#include "notificationpolicy.h"

namespace chat::client {

QString notifyLevelName(NotifyLevel level)
{
    switch (level) {
    case NotifyLevel::All:
        return QStringLiteral("all");
    case NotifyLevel::MentionsOnly:
        return QStringLiteral("mentions");
    case NotifyLevel::Nothing:
        return QStringLiteral("nothing");
    }
    return {};
}

NotifyLevel notifyLevelFromName(const QString &name, NotifyLevel fallback)
{
    for (const NotifyLevel level :
         {NotifyLevel::All, NotifyLevel::MentionsOnly, NotifyLevel::Nothing}) {
        if (name == notifyLevelName(level))
            return level;
    }
    return fallback;
}

NotifyLevel defaultLevel(bool direct)
{
    return direct ? NotifyLevel::All : NotifyLevel::MentionsOnly;
}

bool shouldNotify(const IncomingMessage &message, const NotifyContext &context)
{
    if (message.fromUs || context.mutedAll || context.lookingAtRoom)
        return false;
    switch (context.level) {
    case NotifyLevel::All:
        return true;
    case NotifyLevel::MentionsOnly:
        // In a conversation of two, every message is addressed to us.
        return message.mentionsUs || message.direct;
    case NotifyLevel::Nothing:
        return false;
    }
    return false;
}

bool closeKeepsRunning(bool trayShown, bool keepInTraySetting)
{
    return trayShown && keepInTraySetting;
}

} // namespace chat::client
