// Compact JSON written straight into a byte array, for the frames the server sends most (chat
// messages, the welcome, presence, room pages): no QJsonObject is built first, which costs
// several times the writing itself. The output is what QJsonDocument reads back to the same values
// (tests/common/tst_jsonwriter checks strings of every kind against it).
#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QStringList>
#include <QStringView>

namespace chat::proto::json {

// A JSON string: quotes, escapes as QJsonDocument writes them, UTF-8; an unpaired surrogate
// becomes a \u escape instead of invalid UTF-8.
void appendString(QByteArray &out, QStringView text);
void appendInteger(QByteArray &out, qint64 value);
// ["a","b"]
void appendStringArray(QByteArray &out, const QStringList &strings);
// "2026-11-22T05:01:02.003Z": UTC with milliseconds, as Qt::ISODateWithMs writes it.
void appendUtcTime(QByteArray &out, const QDateTime &time);
// `"key":` for a key known to need no escaping, preceded by a comma unless it opens the object.
void appendKey(QByteArray &out, const char *key);

} // namespace chat::proto::json
