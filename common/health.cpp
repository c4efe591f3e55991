#include "health.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace chat::proto {

QByteArray encodeHealth(const Health &health)
{
    const QJsonObject object{
        {QStringLiteral("status"), health.status},
        {QStringLiteral("version"), health.version},
        {QStringLiteral("uptimeSeconds"), double(health.uptimeSeconds)},
        {QStringLiteral("connections"), health.connections},
        {QStringLiteral("online"), health.online},
    };
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

} // namespace chat::proto
