// Turns SIGINT/SIGTERM into a Qt signal. The handler only writes one byte to a socketpair (all it
// may safely do); a QSocketNotifier reads it in the event loop. One instance per process.
#pragma once

#include <QList>
#include <QObject>

QT_BEGIN_NAMESPACE
class QSocketNotifier;
QT_END_NAMESPACE

namespace chat::server {

class SignalWatcher : public QObject
{
    Q_OBJECT
public:
    explicit SignalWatcher(const QList<int> &signalNumbers, QObject *parent = nullptr);
    ~SignalWatcher() override; // restores the default handlers

    [[nodiscard]] bool isValid() const { return m_notifier != nullptr; }

signals:
    void signalReceived(int signalNumber);

private:
    void onReadable();

    QList<int> m_signals;
    QSocketNotifier *m_notifier = nullptr;
};

} // namespace chat::server
