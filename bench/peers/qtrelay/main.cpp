// bench-qt-relay: the bare Qt baseline for scripts/bench.sh. Listens on 127.0.0.1 only.
#include "relay.h"

#include <QCommandLineParser>
#include <QCoreApplication>

#include <cstdio>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Relays every text message to every client (bench baseline)."));
    parser.addHelpOption();
    const QCommandLineOption port(QStringLiteral("port"),
                                  QStringLiteral("TCP port on 127.0.0.1; 0 picks one (default: "
                                                 "1234)."),
                                  QStringLiteral("N"), QStringLiteral("1234"));
    parser.addOption(port);
    parser.process(app);

    bool ok = false;
    const uint portNumber = parser.value(port).toUInt(&ok);
    Relay relay;
    if (!ok || portNumber > 65535 || !relay.listen(quint16(portNumber))) {
        std::fprintf(stderr, "bench-qt-relay: cannot listen on port %s: %s\n",
                     qPrintable(parser.value(port)), qPrintable(relay.errorString()));
        return 1;
    }
    std::fprintf(stdout, "listening on port %u\n", unsigned(relay.port()));
    std::fflush(stdout);
    return QCoreApplication::exec();
}
