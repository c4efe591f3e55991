#include "eventtext.h"

#include "messageformat.h"

#include <QCoreApplication>

namespace chat::client {

namespace {

// The context of these lines in the translations (Text::tr).
struct Text
{
    Q_DECLARE_TR_FUNCTIONS(EventText)
};

} // namespace

QString personLabel(const QString &account, const QString &display)
{
    return display.isEmpty() || display == account
               ? account
               : Text::tr("%1 (%2)", "display name (account name)").arg(display, account);
}

QString eventLine(const proto::Message &message)
{
    const QString &event = message.event;
    if (event.isEmpty())
        return message.text;
    const QString who = personLabel(message.from, message.display);
    const QString &target = message.target;
    if (event == u"created")
        return Text::tr("%1 created the room").arg(who);
    if (event == u"joined")
        return Text::tr("%1 joined the room").arg(who);
    if (event == u"left")
        return Text::tr("%1 left the room").arg(who);
    if (event == u"invited")
        return Text::tr("%1 invited %2 to the room").arg(who, target);
    if (event == u"removed")
        return Text::tr("%1 removed %2 from the room").arg(who, target);
    if (event == u"topic") {
        return message.text.isEmpty()
                   ? Text::tr("%1 cleared the topic").arg(who)
                   : Text::tr("%1 changed the topic to: %2").arg(who, message.text);
    }
    if (event == u"title") {
        return message.text.isEmpty()
                   ? Text::tr("%1 cleared the title").arg(who)
                   : Text::tr("%1 changed the title to: %2").arg(who, message.text);
    }
    if (event == u"owner")
        return Text::tr("%1 made %2 the owner").arg(who, target);
    // A kind from a newer server.
    return Text::tr("%1 changed the room").arg(who);
}

QString previewLine(const proto::Message &message)
{
    return message.event.isEmpty() ? format::plainText(message.text) : eventLine(message);
}

} // namespace chat::client
