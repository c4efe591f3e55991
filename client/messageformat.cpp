#include "messageformat.h"

#include <QStringList>
#include <QUrl>

namespace chat::client::format {

namespace {

const QString kFence = QStringLiteral("```");

// The blanks that may not touch the inside of ** and *: the same list as web/format.js, so that
// both clients agree whatever the platform thinks a space is.
bool isBlank(QChar c)
{
    switch (c.unicode()) {
    case u' ':
    case u'\t':
    case u'\n':
    case u'\r':
    case u'\f':
    case u'\v':
    case 0x00A0:
    case 0x3000: // the ideographic space of Chinese input methods
        return true;
    default:
        return false;
    }
}

bool isAsciiAlnum(QChar c)
{
    const char16_t u = c.unicode();
    return (u >= u'0' && u <= u'9') || (u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z');
}

// Printable ASCII except the characters that end a link in running text.
bool isUrlChar(QChar c)
{
    const char16_t u = c.unicode();
    return u > 0x20 && u < 0x7F && u != u'<' && u != u'>' && u != u'"' && u != u'`';
}

class Builder
{
public:
    void add(Kind kind, const QString &text)
    {
        if (kind == Kind::Text && text.isEmpty())
            return;
        if (kind == Kind::Text && !m_spans.isEmpty() && m_spans.last().kind == Kind::Text) {
            m_spans.last().text += text;
            return;
        }
        m_spans.append(Span{kind, text, kind == Kind::Link ? text : QString()});
    }
    [[nodiscard]] QList<Span> take() { return std::move(m_spans); }

private:
    QList<Span> m_spans;
};

// The end of a link starting at `start`, or -1 when there is none there.
qsizetype linkEnd(const QString &s, qsizetype start)
{
    if (start > 0 && isAsciiAlnum(s.at(start - 1)))
        return -1;
    qsizetype scheme = 0;
    if (QStringView(s).mid(start, 8).compare(u"https://", Qt::CaseInsensitive) == 0)
        scheme = 8;
    else if (QStringView(s).mid(start, 7).compare(u"http://", Qt::CaseInsensitive) == 0)
        scheme = 7;
    else
        return -1;
    qsizetype end = start + scheme;
    while (end < s.size() && isUrlChar(s.at(end)))
        ++end;
    // Punctuation after a link belongs to the sentence; a closing bracket only when unmatched.
    while (end > start + scheme) {
        const QChar last = s.at(end - 1);
        const QStringView url = QStringView(s).mid(start, end - start);
        if (QStringView(u".,:;!?'*").contains(last))
            --end;
        else if (last == u')' && url.count(u')') > url.count(u'('))
            --end;
        else if (last == u']' && url.count(u']') > url.count(u'['))
            --end;
        else
            break;
    }
    return end > start + scheme ? end : -1;
}

// The end (index of the closing delimiter) of an emphasis opened at `start`, or -1.
qsizetype emphasisEnd(const QString &s, qsizetype start, const QString &delimiter)
{
    const qsizetype inner = start + delimiter.size();
    if (inner >= s.size() || isBlank(s.at(inner)) || s.at(inner) == u'*')
        return -1;
    const qsizetype close = s.indexOf(delimiter, inner + 1);
    if (close < 0 || isBlank(s.at(close - 1)))
        return -1;
    if (QStringView(s).mid(inner, close - inner).contains(u'\n'))
        return -1;
    return close;
}

void parseInline(const QString &s, Builder &out)
{
    QString text;
    const auto flush = [&] {
        out.add(Kind::Text, std::exchange(text, {}));
    };
    qsizetype i = 0;
    while (i < s.size()) {
        const QChar c = s.at(i);
        if (c == u'`') {
            const qsizetype close = s.indexOf(u'`', i + 1);
            const QString inner = close > i + 1 ? s.mid(i + 1, close - i - 1) : QString();
            if (!inner.isEmpty() && !inner.contains(u'\n')) {
                flush();
                out.add(Kind::Code, inner);
                i = close + 1;
                continue;
            }
        } else if (c == u'*') {
            const bool doubled = i + 1 < s.size() && s.at(i + 1) == u'*';
            const QString delimiter = doubled ? QStringLiteral("**") : QStringLiteral("*");
            const qsizetype close = emphasisEnd(s, i, delimiter);
            if (close < 0) {
                text += delimiter; // both stars of a failed ** are text
                i += delimiter.size();
                continue;
            }
            flush();
            out.add(doubled ? Kind::Bold : Kind::Italic,
                    s.mid(i + delimiter.size(), close - i - delimiter.size()));
            i = close + delimiter.size();
            continue;
        } else if (c == u'h' || c == u'H') {
            const qsizetype end = linkEnd(s, i);
            if (end > 0) {
                flush();
                out.add(Kind::Link, s.mid(i, end - i));
                i = end;
                continue;
            }
        }
        text += c;
        ++i;
    }
    flush();
}

bool opensFence(const QString &line)
{
    return line.startsWith(kFence) && !QStringView(line).mid(3).contains(u'`');
}

bool closesFence(const QString &line)
{
    if (!line.startsWith(kFence))
        return false;
    for (qsizetype i = 3; i < line.size(); ++i) {
        if (line.at(i) != u' ' && line.at(i) != u'\t')
            return false;
    }
    return true;
}

} // namespace

QList<Span> parse(const QString &text)
{
    Builder out;
    const QStringList lines = text.split(u'\n');
    QStringList plain; // lines waiting to be parsed inline
    const auto flushPlain = [&] {
        if (!plain.isEmpty())
            parseInline(plain.join(u'\n'), out);
        plain.clear();
    };
    qsizetype i = 0;
    while (i < lines.size()) {
        qsizetype close = -1;
        if (opensFence(lines.at(i))) {
            for (qsizetype j = i + 1; j < lines.size() && close < 0; ++j) {
                if (closesFence(lines.at(j)))
                    close = j;
            }
        }
        if (close < 0) {
            plain.append(lines.at(i++));
            continue;
        }
        flushPlain();
        // The line breaks around a block belong to it: it is shown on lines of its own.
        out.add(Kind::CodeBlock, lines.mid(i + 1, close - i - 1).join(u'\n'));
        i = close + 1;
    }
    flushPlain();
    return out.take();
}

QString kindName(Kind kind)
{
    switch (kind) {
    case Kind::Text:
        return QStringLiteral("text");
    case Kind::Bold:
        return QStringLiteral("bold");
    case Kind::Italic:
        return QStringLiteral("italic");
    case Kind::Code:
        return QStringLiteral("code");
    case Kind::CodeBlock:
        return QStringLiteral("codeblock");
    case Kind::Link:
        return QStringLiteral("link");
    }
    return {};
}

bool isOpenable(const QString &href)
{
    const QUrl url(href, QUrl::StrictMode);
    const QString scheme = url.scheme().toLower();
    return url.isValid() && (scheme == u"http" || scheme == u"https") && !url.host().isEmpty();
}

QString plainText(const QString &text)
{
    QString plain;
    for (const Span &span : parse(text))
        plain += span.text;
    return plain.simplified();
}

} // namespace chat::client::format
