// Refused connections, logged as a summary: the first refusal of an address at once, then at
// most one line a minute per address with how many followed. A peer opening connections in a
// loop would otherwise write a log line per attempt.
#pragma once

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QString>
#include <QTimer>

namespace chat::server {

class RefusalLog : public QObject
{
    Q_OBJECT
public:
    // `intervalMs`: at most one line per address per interval.
    explicit RefusalLog(int intervalMs = 60 * 1000, QObject *parent = nullptr);

    // A connection from `addressKey` (ConnectionLimits::addressKey) was refused at `limit`.
    void refused(const QString &addressKey, int limit);
    // Addresses with a pending summary or logged within the interval.
    [[nodiscard]] int trackedAddresses() const { return int(m_entries.size()); }
    // Log lines written so far.
    [[nodiscard]] qint64 linesWritten() const { return m_lines; }

private:
    void summarise();

    struct Entry
    {
        qint64 loggedAtMs = 0;
        qint64 unlogged = 0; // refusals since that line
    };
    int m_intervalMs;
    QElapsedTimer m_clock;
    QTimer m_timer;
    QHash<QString, Entry> m_entries;
    qint64 m_lines = 0;
};

} // namespace chat::server
