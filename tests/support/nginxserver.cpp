#include "nginxserver.h"

#include "freeport.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTcpSocket>
#include <QTest>

#include <csignal>

#include <sys/prctl.h>
#include <unistd.h>

namespace chat::test {

namespace {

QString nginxBinary()
{
    QString found = QStandardPaths::findExecutable(QStringLiteral("nginx"));
    if (found.isEmpty())
        found = QStandardPaths::findExecutable(
            QStringLiteral("nginx"),
            {QStringLiteral("/usr/sbin"), QStringLiteral("/usr/local/sbin")});
    return found;
}

// Runs in the child between fork and exec: SIGTERM (nginx's fast shutdown, which stops its
// workers too) when the test's thread that started it ends. The test may have died before the
// prctl: then the child is an orphan already, and goes.
void dieWithParent(pid_t parent)
{
    if (::prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || ::getppid() != parent)
        ::_exit(127);
}

} // namespace

NginxServer::NginxServer() = default;

NginxServer::~NginxServer()
{
    stop();
}

QString NginxServer::missingReason()
{
    return nginxBinary().isEmpty()
               ? QStringLiteral("nginx is not installed (apt-get install nginx-light)")
               : QString();
}

QString NginxServer::configFor(const QString &committed, const QList<quint16> &upstreamPorts,
                               quint16 listenPort)
{
    QString servers;
    for (quint16 port : upstreamPorts)
        servers +=
            QStringLiteral("    server 127.0.0.1:%1 max_fails=1 fail_timeout=5s;\n").arg(port);
    QString config = committed;
    // The upstream's server lines become ours; the first one's place takes them all.
    static const QRegularExpression upstream(QStringLiteral("(upstream\\s+\\w+\\s*\\{)([^}]*)\\}"));
    const QRegularExpressionMatch block = upstream.match(config);
    if (!block.hasMatch())
        return {};
    QString body = block.captured(2);
    body.remove(QRegularExpression(QStringLiteral("^\\s*server\\s+[^;]*;[^\\n]*\\n"),
                                   QRegularExpression::MultilineOption));
    config.replace(block.capturedStart(0), block.capturedLength(0),
                   block.captured(1) + QLatin1Char('\n') + servers + body + QLatin1Char('}'));
    static const QRegularExpression listen(QStringLiteral("^(\\s*)listen\\s+[^;]*;"),
                                           QRegularExpression::MultilineOption);
    config.replace(listen, QStringLiteral("\\1listen 127.0.0.1:%1;").arg(listenPort));
    return config;
}

bool NginxServer::start(const QList<quint16> &upstreamPorts)
{
    stop();
    m_dir = std::make_unique<QTemporaryDir>();
    QFile committed(QStringLiteral(CHAT_NGINX_CONF));
    if (!m_dir->isValid() || !committed.open(QIODevice::ReadOnly)) {
        m_error = QStringLiteral("cannot read %1").arg(committed.fileName());
        return false;
    }
    m_port = freePort();
    const QString site = configFor(QString::fromUtf8(committed.readAll()), upstreamPorts, m_port);
    const QString dir = m_dir->path();
    QFile siteFile(dir + QStringLiteral("/chat-cluster.conf"));
    QFile mainFile(dir + QStringLiteral("/nginx.conf"));
    // Debian's nginx keeps its temporary files under /var/lib/nginx: ours stay in the folder.
    QString temps;
    for (const char *kind : {"client_body", "proxy", "fastcgi", "uwsgi", "scgi"})
        temps += QStringLiteral("    %1_temp_path %2/%1;\n").arg(QLatin1String(kind), dir);
    const QString main = QStringLiteral("worker_processes 1;\n"
                                        "events { worker_connections 4096; }\n"
                                        "http {\n"
                                        "    access_log off;\n"
                                        "%1"
                                        "    include %2;\n"
                                        "}\n")
                             .arg(temps, siteFile.fileName());
    if (site.isEmpty() || !siteFile.open(QIODevice::WriteOnly) ||
        !mainFile.open(QIODevice::WriteOnly) || siteFile.write(site.toUtf8()) < 0 ||
        mainFile.write(main.toUtf8()) < 0) {
        m_error = QStringLiteral("cannot write the configuration into %1").arg(dir);
        return false;
    }
    siteFile.close();
    mainFile.close();
    m_process = std::make_unique<QProcess>();
    m_process->setProcessChannelMode(QProcess::MergedChannels);
    m_process->setChildProcessModifier([parent = ::getpid()] { dieWithParent(parent); });
    m_process->start(
        nginxBinary(),
        {QStringLiteral("-p"), dir, QStringLiteral("-e"), dir + QStringLiteral("/error.log"),
         QStringLiteral("-c"), mainFile.fileName(), QStringLiteral("-g"),
         QStringLiteral("daemon off; pid %1/nginx.pid; error_log %1/error.log info;").arg(dir)});
    if (!m_process->waitForStarted(5000)) {
        m_error = QStringLiteral("cannot run nginx: %1").arg(m_process->errorString());
        return false;
    }
    // Accepting connections: then the workers are up.
    QDeadlineTimer deadline(10000);
    while (!deadline.hasExpired()) {
        if (m_process->state() == QProcess::NotRunning) {
            m_error = QStringLiteral("nginx exited: %1 %2")
                          .arg(QString::fromUtf8(m_process->readAll()), log());
            return false;
        }
        QTcpSocket probe;
        probe.connectToHost(QStringLiteral("127.0.0.1"), m_port);
        if (probe.waitForConnected(200))
            return true;
        QTest::qWait(20);
    }
    m_error = QStringLiteral("nginx did not start listening on %1: %2").arg(m_port).arg(log());
    return false;
}

void NginxServer::stop()
{
    if (m_process && m_process->state() != QProcess::NotRunning) {
        m_process->terminate(); // SIGTERM: a fast shutdown of master and workers
        if (!m_process->waitForFinished(5000)) {
            m_process->kill();
            m_process->waitForFinished(5000);
        }
    }
    m_process.reset();
}

qint64 NginxServer::processId() const
{
    return m_process && m_process->state() == QProcess::Running ? m_process->processId() : 0;
}

QUrl NginxServer::url() const
{
    return QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(m_port));
}

QString NginxServer::log() const
{
    if (!m_dir)
        return {};
    QFile file(m_dir->path() + QStringLiteral("/error.log"));
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
}

} // namespace chat::test
