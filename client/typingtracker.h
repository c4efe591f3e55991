// Who is typing in which room: a notice counts for a few seconds (5 by default), or until that
// person's message arrives. The rooms' lines ("bob 正在输入…") follow from it.
#pragma once

#include <QDeadlineTimer>
#include <QHash>
#include <QList>
#include <QObject>
#include <QTimer>

namespace chat::client {

class TypingTracker : public QObject
{
    Q_OBJECT
public:
    static constexpr int kDefaultExpiryMs = 5000;

    explicit TypingTracker(QObject *parent = nullptr);

    void setExpiry(int ms);

    // `account` is typing in `room` (from a typing notice).
    void noteTyping(const QString &room, const QString &account, const QString &display);
    // `account` sent a message to `room`: no longer typing there.
    void noteMessage(const QString &room, const QString &account);
    // Forgets everything (the connection ended).
    void clear();

    // Who types in the room, in the order they started; labels ("鲍勃 (bob)").
    [[nodiscard]] QStringList typing(const QString &room) const;
    // "bob 正在输入…", "bob、carol 正在输入…", "4 人正在输入…"; empty when nobody.
    [[nodiscard]] QString text(const QString &room) const;

signals:
    void changed(const QString &room);

private:
    struct Typist
    {
        QString key; // accountNameKey
        QString label;
        QDeadlineTimer until;
    };
    void expire();
    void schedule();

    QHash<QString, QList<Typist>> m_rooms;
    QTimer m_timer;
    int m_expiryMs = kDefaultExpiryMs;
};

} // namespace chat::client
