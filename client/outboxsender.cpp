#include "outboxsender.h"

#include "codec.h"
#include "conversation.h"

#include <QWebSocket>

#include <algorithm>

namespace chat::client {

OutboxSender::OutboxSender(Conversation *conversation, QObject *parent)
    : QObject(parent)
    , m_conversation(conversation)
{
    m_retryTimer.setSingleShot(true);
    m_retryTimer.setInterval(kDefaultRetryDelayMs);
    connect(&m_retryTimer, &QTimer::timeout, this, [this] {
        m_waiting.clear();
        pump();
    });
}

void OutboxSender::setWindow(int messages)
{
    m_window = std::max(1, messages);
    pump();
}

void OutboxSender::setRetryDelay(int ms)
{
    m_retryTimer.setInterval(std::max(0, ms));
}

void OutboxSender::setSocket(QWebSocket *socket)
{
    m_socket = socket;
    m_inFlight.clear();
    m_waiting.clear();
    m_retryTimer.stop();
    pump();
}

void OutboxSender::pump()
{
    if (!m_socket || !m_conversation->isJoined())
        return;
    const QList<proto::Send> unacknowledged = m_conversation->unacknowledged();
    const qsizetype window = std::min<qsizetype>(m_window, unacknowledged.size());
    // Messages only ever leave the outbox, so whatever is in flight is within the window:
    // forgetting the rest forgets exactly the acknowledged ones.
    QSet<QString> stillInFlight;
    for (qsizetype i = 0; i < window; ++i) {
        const proto::Send &send = unacknowledged.at(i);
        if (m_waiting.contains(send.id))
            continue;
        if (!m_inFlight.contains(send.id))
            m_socket->sendTextMessage(QString::fromUtf8(proto::encode(send)));
        stillInFlight.insert(send.id);
    }
    m_inFlight = stillInFlight;
}

void OutboxSender::retryLater(const QString &id)
{
    if (!m_inFlight.remove(id))
        return;
    m_waiting.insert(id);
    if (!m_retryTimer.isActive())
        m_retryTimer.start();
}

} // namespace chat::client
