// A message's text as a QTextDocument for drawing: the spans of format::parse, each inserted as
// text with a character format (QTextCursor::insertText). Nothing is ever parsed as HTML or
// Markdown here, so "<b>x</b>" stays those characters. Colours come from the palette.
#pragma once

#include <QColor>
#include <QString>

class QFont;
class QPalette;
class QTextDocument;

namespace chat::client {

void fillMessageDocument(QTextDocument &document, const QString &text, const QFont &font,
                         const QPalette &palette);

// `amount` (0..1) of `over` laid on `base`: tints that follow a light or a dark palette.
[[nodiscard]] QColor blendColors(const QColor &base, const QColor &over, qreal amount);

// The quiet ink of times, separators, event lines and the topic: half way from the background to
// the text, readable on any palette (QPalette::PlaceholderText is not: some themes leave it dark
// on a dark background).
[[nodiscard]] QColor faintText(const QPalette &palette);

} // namespace chat::client
