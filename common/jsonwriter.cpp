#include "jsonwriter.h"

#include <QDate>
#include <QTime>

#include <cstdio>

namespace chat::proto::json {

namespace {

constexpr char kHex[] = "0123456789abcdef";

void appendUnicodeEscape(QByteArray &out, char16_t unit)
{
    const char escape[] = {'\\',
                           'u',
                           kHex[(unit >> 12) & 0xF],
                           kHex[(unit >> 8) & 0xF],
                           kHex[(unit >> 4) & 0xF],
                           kHex[unit & 0xF]};
    out.append(escape, sizeof escape);
}

void appendAscii(QByteArray &out, char16_t unit)
{
    switch (unit) {
    case u'"':
        out.append("\\\"", 2);
        return;
    case u'\\':
        out.append("\\\\", 2);
        return;
    case u'\b':
        out.append("\\b", 2);
        return;
    case u'\f':
        out.append("\\f", 2);
        return;
    case u'\n':
        out.append("\\n", 2);
        return;
    case u'\r':
        out.append("\\r", 2);
        return;
    case u'\t':
        out.append("\\t", 2);
        return;
    default:
        if (unit < 0x20)
            appendUnicodeEscape(out, unit);
        else
            out.append(char(unit));
    }
}

void appendUtf8(QByteArray &out, char32_t cp)
{
    char bytes[4];
    int n = 0;
    if (cp < 0x800) {
        bytes[n++] = char(0xC0 | (cp >> 6));
    } else if (cp < 0x10000) {
        bytes[n++] = char(0xE0 | (cp >> 12));
        bytes[n++] = char(0x80 | ((cp >> 6) & 0x3F));
    } else {
        bytes[n++] = char(0xF0 | (cp >> 18));
        bytes[n++] = char(0x80 | ((cp >> 12) & 0x3F));
        bytes[n++] = char(0x80 | ((cp >> 6) & 0x3F));
    }
    bytes[n++] = char(0x80 | (cp & 0x3F));
    out.append(bytes, n);
}

void appendTwoDigits(char *at, int value)
{
    at[0] = char('0' + value / 10);
    at[1] = char('0' + value % 10);
}

} // namespace

void appendString(QByteArray &out, QStringView text)
{
    out.append('"');
    const char16_t *it = text.utf16();
    const char16_t *const end = it + text.size();
    while (it != end) {
        // A run of plain ASCII is copied as a whole: most text is mostly that.
        const char16_t *run = it;
        while (run != end && *run >= 0x20 && *run < 0x80 && *run != u'"' && *run != u'\\')
            ++run;
        if (run != it) {
            const qsizetype start = out.size();
            out.resize(start + (run - it));
            char *dst = out.data() + start;
            for (const char16_t *p = it; p != run; ++p)
                *dst++ = char(*p);
            it = run;
            continue;
        }
        const char16_t unit = *it++;
        if (unit < 0x80) {
            appendAscii(out, unit);
        } else if (QChar::isHighSurrogate(unit) && it != end && QChar::isLowSurrogate(*it)) {
            appendUtf8(out, QChar::surrogateToUcs4(unit, *it));
            ++it;
        } else if (QChar::isSurrogate(unit)) {
            appendUnicodeEscape(out, unit);
        } else {
            appendUtf8(out, unit);
        }
    }
    out.append('"');
}

void appendInteger(QByteArray &out, qint64 value)
{
    char digits[24];
    const int n = std::snprintf(digits, sizeof digits, "%lld", static_cast<long long>(value));
    out.append(digits, n);
}

void appendStringArray(QByteArray &out, const QStringList &strings)
{
    out.append('[');
    for (qsizetype i = 0; i < strings.size(); ++i) {
        if (i > 0)
            out.append(',');
        appendString(out, strings.at(i));
    }
    out.append(']');
}

void appendUtcTime(QByteArray &out, const QDateTime &time)
{
    if (!time.isValid()) {
        out.append("\"\"", 2); // as QDateTime::toString() writes it
        return;
    }
    const QDateTime utc = time.toUTC();
    const QDate date = utc.date();
    const QTime clock = utc.time();
    const int year = date.year();
    if (year < 0 || year > 9999) {
        // Out of the four-digit range the protocol allows; decoders refuse it, as they should.
        appendString(out, utc.toString(Qt::ISODateWithMs));
        return;
    }
    // "yyyy-MM-ddTHH:mm:ss.zzzZ"
    char text[26] = "\"0000-00-00T00:00:00.000Z";
    text[1] = char('0' + year / 1000);
    text[2] = char('0' + year / 100 % 10);
    text[3] = char('0' + year / 10 % 10);
    text[4] = char('0' + year % 10);
    appendTwoDigits(text + 6, date.month());
    appendTwoDigits(text + 9, date.day());
    appendTwoDigits(text + 12, clock.hour());
    appendTwoDigits(text + 15, clock.minute());
    appendTwoDigits(text + 18, clock.second());
    const int ms = clock.msec();
    text[21] = char('0' + ms / 100);
    appendTwoDigits(text + 22, ms % 100);
    out.append(text, 25);
    out.append('"');
}

void appendKey(QByteArray &out, const char *key)
{
    if (!out.endsWith('{'))
        out.append(',');
    out.append('"');
    out.append(key);
    out.append("\":", 2);
}

} // namespace chat::proto::json
