// Frames for every joined client, gathered during one turn of the event loop: each client then
// gets the whole batch with one system call, where a call per frame and client cost more than
// everything else the server does for a message (docs/performance.md).
#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

namespace chat::server {

class FrameBatch
{
public:
    // One encoded server message (UTF-8 JSON), in the order it must arrive.
    void append(const QByteArray &json);
    [[nodiscard]] bool isEmpty() const { return m_json.isEmpty(); }
    [[nodiscard]] qsizetype frameCount() const { return m_json.size(); }
    // Every frame, framed as WebSocket text frames and back to back: the same bytes for everyone.
    [[nodiscard]] const QByteArray &wire() const { return m_wire; }
    // The frames as text, for a connection that must go through QWebSocket (TLS).
    [[nodiscard]] const QList<QString> &texts() const;
    void clear();

private:
    QList<QByteArray> m_json;
    QByteArray m_wire;
    mutable QList<QString> m_texts; // made on first use: most connections never need them
};

} // namespace chat::server
