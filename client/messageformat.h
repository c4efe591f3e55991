// The formatting both clients show in a message (docs/formatting.md): **bold**, *italic*,
// `code`, ``` fenced blocks ``` and http(s) links found in the text. One small parser instead of
// a Markdown engine, so that nothing else (HTML, images, headings, [text](url)) ever takes
// effect, and so that web/format.js can follow the same rules line by line.
// tests/data/formatting.json holds the examples both implementations are checked against.
#pragma once

#include <QList>
#include <QString>

namespace chat::client::format {

enum class Kind { Text, Bold, Italic, Code, CodeBlock, Link };

struct Span
{
    Kind kind = Kind::Text;
    QString text; // shown exactly as it is: never interpreted as markup
    QString href; // a link's target: its text; empty for the other kinds

    bool operator==(const Span &other) const
    {
        return kind == other.kind && text == other.text && href == other.href;
    }
};

// The message as a flat list of spans; adjacent text is one span.
[[nodiscard]] QList<Span> parse(const QString &text);

// "text", "bold", "italic", "code", "codeblock", "link": the names the shared table uses.
[[nodiscard]] QString kindName(Kind kind);

// What the message says without its marks, on one line: for a preview or a notification, where
// "**ok**" should read "ok".
[[nodiscard]] QString plainText(const QString &text);

// Whether a link target may be opened: http and https only.
[[nodiscard]] bool isOpenable(const QString &href);

} // namespace chat::client::format
