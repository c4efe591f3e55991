#include "messageinput.h"

#include <QKeyEvent>
#include <QTextBlock>

namespace chat::client {

MessageInput::MessageInput(QWidget *parent)
    : QPlainTextEdit(parent)
{
    setTabChangesFocus(true);
    setLineWrapMode(QPlainTextEdit::WidgetWidth);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    connect(document()->documentLayout(), &QAbstractTextDocumentLayout::documentSizeChanged, this,
            &MessageInput::fitHeight);
    fitHeight();
}

void MessageInput::setText(const QString &text)
{
    setPlainText(text);
    moveCursor(QTextCursor::End);
}

int MessageInput::heightForLines(int lines) const
{
    const QMargins margins = contentsMargins();
    return lines * fontMetrics().lineSpacing() + int(2 * document()->documentMargin()) +
           2 * frameWidth() + margins.top() + margins.bottom();
}

QSize MessageInput::sizeHint() const
{
    return {QPlainTextEdit::sizeHint().width(), height()};
}

QSize MessageInput::minimumSizeHint() const
{
    return {QPlainTextEdit::minimumSizeHint().width(), heightForLines(1)};
}

void MessageInput::fitHeight()
{
    // QPlainTextEdit's document height counts visual lines, wrapped ones included.
    const int needed = int(document()->size().height());
    const int lines = qBound(1, needed, kMaxVisibleLines);
    // A scroll bar only once the box stops growing (it would show for a pixel short otherwise).
    setVerticalScrollBarPolicy(needed > kMaxVisibleLines ? Qt::ScrollBarAsNeeded
                                                         : Qt::ScrollBarAlwaysOff);
    const int wanted = heightForLines(lines);
    if (height() != wanted)
        setFixedHeight(wanted);
}

void MessageInput::keyPressEvent(QKeyEvent *event)
{
    const int key = event->key();
    const bool enter = key == Qt::Key_Return || key == Qt::Key_Enter;
    if (enter && !(event->modifiers() & Qt::ShiftModifier)) {
        emit submitted();
        return;
    }
    if (enter) {
        insertPlainText(QStringLiteral("\n")); // Shift+Enter: a line break, never a paragraph
        emit edited();
        return;
    }
    const bool page = key == Qt::Key_PageUp || key == Qt::Key_PageDown;
    const bool arrow = (key == Qt::Key_Up || key == Qt::Key_Down) && document()->isEmpty();
    if ((page || arrow) && event->modifiers() == Qt::NoModifier) {
        emit scrollRequested(key);
        return;
    }
    const QString before = toPlainText();
    QPlainTextEdit::keyPressEvent(event);
    if (toPlainText() != before)
        emit edited();
}

void MessageInput::inputMethodEvent(QInputMethodEvent *event)
{
    QPlainTextEdit::inputMethodEvent(event);
    if (!event->commitString().isEmpty())
        emit edited();
}

void MessageInput::insertFromMimeData(const QMimeData *source)
{
    QPlainTextEdit::insertFromMimeData(source);
    emit edited();
}

} // namespace chat::client
