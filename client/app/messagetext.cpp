#include "messagetext.h"

#include "messageformat.h"

#include <QFontDatabase>
#include <QPalette>
#include <QTextCursor>
#include <QTextDocument>

namespace chat::client {

QColor blendColors(const QColor &base, const QColor &over, qreal amount)
{
    const auto mix = [amount](qreal a, qreal b) {
        return a + (b - a) * amount;
    };
    return QColor::fromRgbF(float(mix(base.redF(), over.redF())),
                            float(mix(base.greenF(), over.greenF())),
                            float(mix(base.blueF(), over.blueF())));
}

QColor faintText(const QPalette &palette)
{
    return blendColors(palette.color(QPalette::Base), palette.color(QPalette::Text), 0.55);
}

void fillMessageDocument(QTextDocument &document, const QString &text, const QFont &font,
                         const QPalette &palette)
{
    document.clear();
    document.setDefaultFont(font);
    document.setDocumentMargin(0);
    QTextOption option = document.defaultTextOption();
    option.setWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere); // long links wrap too
    document.setDefaultTextOption(option);

    QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    mono.setPointSizeF(font.pointSizeF() > 0 ? font.pointSizeF() : mono.pointSizeF());
    const QColor codeBackground =
        blendColors(palette.color(QPalette::Base), palette.color(QPalette::Text), 0.08);
    QTextCharFormat plain;
    plain.setForeground(palette.color(QPalette::Text));
    QTextBlockFormat codeBlock;
    codeBlock.setBackground(codeBackground);
    codeBlock.setNonBreakableLines(true);

    QTextCursor cursor(&document);
    bool startOfDocument = true;
    bool afterCodeBlock = false;
    for (const format::Span &span : format::parse(text)) {
        QTextCharFormat look = plain;
        switch (span.kind) {
        case format::Kind::Bold:
            look.setFontWeight(QFont::Bold);
            break;
        case format::Kind::Italic:
            look.setFontItalic(true);
            break;
        case format::Kind::Code:
        case format::Kind::CodeBlock:
            look.setFont(mono, QTextCharFormat::FontPropertiesSpecifiedOnly);
            look.setBackground(codeBackground);
            break;
        case format::Kind::Link:
            if (format::isOpenable(span.href)) {
                look.setAnchor(true);
                look.setAnchorHref(span.href);
                look.setForeground(palette.color(QPalette::Link));
                look.setFontUnderline(true);
            }
            break;
        case format::Kind::Text:
            break;
        }
        if (span.kind == format::Kind::CodeBlock) {
            if (startOfDocument)
                cursor.setBlockFormat(codeBlock);
            else
                cursor.insertBlock(codeBlock, look);
            afterCodeBlock = true;
        } else if (afterCodeBlock) {
            cursor.insertBlock(QTextBlockFormat(), plain);
            afterCodeBlock = false;
        }
        cursor.insertText(span.text, look);
        startOfDocument = false;
    }
}

} // namespace chat::client
