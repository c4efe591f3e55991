// Opens a view's context menu at a point (as a right click would) and triggers the action whose
// object name or text is `action`. Header-only: the Widgets tests include it.
#pragma once

#include <QAbstractItemView>
#include <QApplication>
#include <QContextMenuEvent>
#include <QMenu>
#include <QTimer>

namespace chat::test {

// False when the menu did not open or had no such action.
inline bool pickFromContextMenu(QAbstractItemView *view, const QPoint &pos, const QString &action)
{
    bool found = false;
    QTimer poll;
    poll.setInterval(10);
    QObject::connect(&poll, &QTimer::timeout, [&] {
        auto *menu = qobject_cast<QMenu *>(QApplication::activePopupWidget());
        if (!menu)
            return;
        poll.stop();
        for (QAction *candidate : menu->actions()) {
            if (candidate->objectName() == action || candidate->text() == action) {
                found = true;
                candidate->trigger();
            }
        }
        menu->close();
    });
    poll.start();
    QContextMenuEvent event(QContextMenuEvent::Mouse, pos, view->viewport()->mapToGlobal(pos));
    QApplication::sendEvent(view->viewport(), &event);
    return found;
}

} // namespace chat::test
