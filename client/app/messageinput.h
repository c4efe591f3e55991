// The line to write in: Enter sends, Shift+Enter starts a new line of the same message. It grows
// with its text up to a few lines, then scrolls. Up/Down in an empty box and Page Up/Down always
// scroll the conversation instead (the box itself has nothing to scroll there). The QLineEdit-like
// text(), setText() and insert() keep the pane's and the tests' code simple.
#pragma once

#include <QPlainTextEdit>

namespace chat::client {

class MessageInput : public QPlainTextEdit
{
    Q_OBJECT
public:
    static constexpr int kMaxVisibleLines = 5;

    explicit MessageInput(QWidget *parent = nullptr);

    [[nodiscard]] QString text() const { return toPlainText(); }
    void setText(const QString &text);
    void insert(const QString &text) { insertPlainText(text); }

    [[nodiscard]] QSize sizeHint() const override;
    [[nodiscard]] QSize minimumSizeHint() const override;

signals:
    void submitted();              // Enter
    void edited();                 // the person changed the text (not setText)
    void scrollRequested(int key); // Qt::Key_Up, Key_Down, Key_PageUp or Key_PageDown

protected:
    void keyPressEvent(QKeyEvent *event) override;
    void inputMethodEvent(QInputMethodEvent *event) override;
    void insertFromMimeData(const QMimeData *source) override;

private:
    void fitHeight();
    [[nodiscard]] int heightForLines(int lines) const;
};

} // namespace chat::client
