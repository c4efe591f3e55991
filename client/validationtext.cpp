#include "validationtext.h"

#include <QCoreApplication>

namespace chat::client {

namespace {

// The context of these sentences in the translations (Text::tr).
struct Text
{
    Q_DECLARE_TR_FUNCTIONS(ValidationText)
};

QString fieldName(proto::Field field)
{
    using proto::Field;
    switch (field) {
    case Field::Nickname:
        return Text::tr("The nickname");
    case Field::AccountName:
        return Text::tr("The account name");
    case Field::DisplayName:
        return Text::tr("The display name");
    case Field::Password:
        return Text::tr("The password");
    case Field::DeviceName:
        return Text::tr("The device name");
    case Field::InviteCode:
        return Text::tr("The invite code");
    case Field::Token:
        return Text::tr("The token");
    case Field::DeviceId:
        return Text::tr("The device id");
    case Field::MessageText:
        return Text::tr("The message text");
    case Field::MessageId:
        return Text::tr("The message id");
    case Field::RoomName:
        return Text::tr("The room name");
    case Field::Title:
        return Text::tr("The title");
    case Field::Topic:
        return Text::tr("The topic");
    case Field::PageSize:
        return Text::tr("The page size");
    }
    return {};
}

} // namespace

QString rejectionSentence(const proto::Rejection &r)
{
    using proto::Rule;
    const QString what = fieldName(r.field);
    const QString character = proto::codePointName(r.character);
    switch (r.rule) {
    case Rule::None:
        return {};
    case Rule::Empty:
        return Text::tr("%1 is empty.").arg(what);
    case Rule::TooLong:
        if (r.length > 0)
            return Text::tr("%1 has %2 characters; at most %3 are allowed.")
                .arg(what)
                .arg(r.length)
                .arg(r.limit);
        return Text::tr("%1 is longer than %2 characters.").arg(what).arg(r.limit);
    case Rule::TooShort:
        return Text::tr("%1 has %2 characters; it needs at least %3.")
            .arg(what)
            .arg(r.length)
            .arg(r.limit);
    case Rule::LoneSurrogate:
        return Text::tr("%1 is not valid Unicode.").arg(what);
    case Rule::InvisibleOutsideEmoji:
        return Text::tr("%1 contains an invisible character (%2) outside an emoji.")
            .arg(what, character);
    case Rule::InvisibleCharacter:
        return Text::tr("%1 contains an invisible or control character (%2).").arg(what, character);
    case Rule::ControlCharacter:
        return Text::tr("%1 contains a control character (%2).").arg(what, character);
    case Rule::NoVisibleCharacter:
        return Text::tr("%1 has no visible character.").arg(what);
    case Rule::TwoSpaces:
        return Text::tr("%1 contains two spaces in a row.").arg(what);
    case Rule::PrintableAsciiOnly:
        return Text::tr("%1 may only hold printable ASCII characters without spaces.").arg(what);
    case Rule::RoomNameCharacters:
        return Text::tr("%1 may only hold a-z, 0-9, '-' and '_'.").arg(what);
    case Rule::DirectRoomForm:
        return Text::tr("A direct room's name is \"@\" and two account ids, the lower first, as "
                        "in \"@3-17\".");
    case Rule::OutOfRange:
        return Text::tr("%1 is %2; it must be from 1 to %3.").arg(what).arg(r.length).arg(r.limit);
    }
    return {};
}

} // namespace chat::client
