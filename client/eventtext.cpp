#include "eventtext.h"

namespace chat::client {

QString personLabel(const QString &account, const QString &display)
{
    return display.isEmpty() || display == account
               ? account
               : QStringLiteral("%1 (%2)").arg(display, account);
}

QString eventLine(const proto::Message &message)
{
    const QString &event = message.event;
    if (event.isEmpty())
        return message.text;
    const QString who = personLabel(message.from, message.display);
    const QString &target = message.target;
    if (event == u"created")
        return QStringLiteral("%1 创建了房间").arg(who);
    if (event == u"joined")
        return QStringLiteral("%1 加入了房间").arg(who);
    if (event == u"left")
        return QStringLiteral("%1 离开了房间").arg(who);
    if (event == u"invited")
        return QStringLiteral("%1 邀请 %2 加入了房间").arg(who, target);
    if (event == u"removed")
        return QStringLiteral("%1 把 %2 移出了房间").arg(who, target);
    if (event == u"topic") {
        return message.text.isEmpty() ? QStringLiteral("%1 清除了话题").arg(who)
                                      : QStringLiteral("%1 把话题改为：%2").arg(who, message.text);
    }
    if (event == u"title") {
        return message.text.isEmpty() ? QStringLiteral("%1 清除了标题").arg(who)
                                      : QStringLiteral("%1 把标题改为：%2").arg(who, message.text);
    }
    if (event == u"owner")
        return QStringLiteral("%1 把房主移交给了 %2").arg(who, target);
    // A kind from a newer server.
    return QStringLiteral("%1 修改了房间").arg(who);
}

} // namespace chat::client
