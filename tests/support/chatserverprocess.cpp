#include "chatserverprocess.h"

#include <QDeadlineTimer>
#include <QRegularExpression>
#include <QSignalSpy>

namespace chat::test {

ChatServerProcess::ChatServerProcess(QString binary, QStringList arguments)
    : m_binary(std::move(binary))
    , m_arguments(std::move(arguments))
{}

ChatServerProcess::~ChatServerProcess()
{
    kill();
}

bool ChatServerProcess::start(int timeoutMs)
{
    kill();
    m_log.clear();
    m_url.clear();
    m_process = std::make_unique<QProcess>();
    m_process->setProgram(m_binary);
    m_process->setArguments(QStringList{QStringLiteral("--host"), QStringLiteral("127.0.0.1"),
                                        QStringLiteral("--port"), QStringLiteral("0")} +
                            m_arguments);
    m_process->start();
    QSignalSpy output(m_process.get(), &QProcess::readyReadStandardOutput);
    QDeadlineTimer deadline(timeoutMs);
    while (!m_process->canReadLine()) {
        if (deadline.hasExpired() || m_process->state() == QProcess::NotRunning) {
            m_error = QStringLiteral("chat-server did not start listening: %1").arg(log());
            return false;
        }
        output.wait(qMax(1, int(qMin<qint64>(deadline.remainingTime(), 200))));
    }
    const QString line = QString::fromUtf8(m_process->readLine()).trimmed();
    static const QRegularExpression pattern(QStringLiteral("^listening on (ws://\\S+/)$"));
    const QRegularExpressionMatch match = pattern.match(line);
    if (!match.hasMatch()) {
        m_error = QStringLiteral("unexpected first line \"%1\": %2").arg(line, log());
        return false;
    }
    m_url = QUrl(match.captured(1));
    return true;
}

void ChatServerProcess::kill()
{
    if (m_process && m_process->state() != QProcess::NotRunning) {
        m_process->kill();
        m_process->waitForFinished(5000);
    }
}

bool ChatServerProcess::terminate(int timeoutMs)
{
    if (!m_process || m_process->state() == QProcess::NotRunning)
        return true;
    m_process->terminate();
    return m_process->waitForFinished(timeoutMs);
}

bool ChatServerProcess::isRunning() const
{
    return m_process && m_process->state() != QProcess::NotRunning;
}

QString ChatServerProcess::log()
{
    if (m_process)
        m_log += m_process->readAllStandardError();
    return QString::fromUtf8(m_log);
}

} // namespace chat::test
