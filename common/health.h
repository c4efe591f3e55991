// The body of GET /healthz. Not part of the chat protocol, but JSON, and JSON is built only here
// in common/.
#pragma once

#include <QByteArray>
#include <QString>

namespace chat::proto {

struct Health
{
    QString status = QStringLiteral("ok");
    QString version;
    qint64 uptimeSeconds = 0;
    int connections = 0; // open WebSocket connections, joined or not
    int online = 0;      // clients that completed their hello
};

// {"status":"ok","version":"0.1.0","uptimeSeconds":12,"connections":3,"online":2}
[[nodiscard]] QByteArray encodeHealth(const Health &health);

} // namespace chat::proto
