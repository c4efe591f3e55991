// chat-client: the desktop chat window.
#include "chatwindow.h"
#include "connectdialog.h"
#include "connectioncontroller.h"
#include "serverurl.h"
#include "validation.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QFile>
#include <QLoggingCategory>
#include <QTextStream>

using namespace chat::client;

namespace {

struct Options
{
    QCommandLineOption url{QStringLiteral("url"),
                           QStringLiteral("The server: ws://host:8080/, wss://host:8443/, "
                                          "host:port, or the browser page's http(s):// address "
                                          "(default: ask, offering the last one)."),
                           QStringLiteral("URL")};
    QCommandLineOption nick{QStringLiteral("nick"),
                            QStringLiteral("Your nickname (default: ask, offering the last one)."),
                            QStringLiteral("NAME")};
    QCommandLineOption ca{
        QStringLiteral("ca"),
        QStringLiteral("For wss:// servers: also trust the certificates in this PEM file (a CA, "
                       "or the server's self-signed certificate), besides the system's "
                       "(default: the system's only)."),
        QStringLiteral("FILE")};
    QCommandLineOption token{
        QStringLiteral("token-file"),
        QStringLiteral("A file holding the server's shared secret, for servers started with "
                       "--token-file (default: none)."),
        QStringLiteral("FILE")};

    explicit Options(QCommandLineParser *parser)
    {
        parser->setApplicationDescription(QStringLiteral("Desktop chat window."));
        parser->addHelpOption();
        parser->addVersionOption();
        parser->addOptions({url, nick, ca, token});
    }
};

void setApplicationNames()
{
    QCoreApplication::setOrganizationName(QStringLiteral("QtChat"));
    QCoreApplication::setApplicationName(QStringLiteral("chat-client"));
    QCoreApplication::setApplicationVersion(QStringLiteral(CHAT_VERSION));
}

// --help and --version answer without a display (over SSH, in a script): a QApplication would
// abort before reading the command line. Qt's own options (-platform, …) are not known here,
// so any other problem with the command line is left for the real parse.
void answerHelpOrVersion(int &argc, char **argv)
{
    static const QByteArrayList informational = {"-h",         "--help", "-?",
                                                 "--help-all", "-v",     "--version"};
    bool asked = false;
    for (int i = 1; i < argc && !asked; ++i)
        asked = informational.contains(QByteArray(argv[i]));
    if (!asked)
        return;
    QCoreApplication app(argc, argv);
    setApplicationNames();
    QCommandLineParser parser;
    const Options options(&parser);
    (void)parser.parse(QCoreApplication::arguments());
    if (parser.isSet(QStringLiteral("help")) || parser.isSet(QStringLiteral("help-all")))
        parser.showHelp(0);
    if (parser.isSet(QStringLiteral("version")))
        parser.showVersion();
    // Only an option's value looked like one (--nick -v): on to the window.
}

} // namespace

int main(int argc, char *argv[])
{
    answerHelpOrVersion(argc, argv);
    QApplication app(argc, argv);
    // The connection's debug lines are for developers; QT_LOGGING_RULES turns them back on.
    if (qEnvironmentVariableIsEmpty("QT_LOGGING_RULES"))
        QLoggingCategory::setFilterRules(QStringLiteral("chat.*.debug=false"));
    setApplicationNames();

    QCommandLineParser parser;
    const Options options(&parser);
    parser.process(app);

    ConnectionController controller;
    if (QString problem; !controller.setCaCertificatesFile(parser.value(options.ca), &problem)) {
        QTextStream(stderr) << "chat-client: --ca: " << problem << '\n';
        return 2;
    }

    QString token;
    if (parser.isSet(options.token)) {
        QFile file(parser.value(options.token));
        if (!file.open(QIODevice::ReadOnly)) {
            QTextStream(stderr) << "chat-client: --token-file: " << file.errorString() << '\n';
            return 2;
        }
        // Editors add a final newline; it is not part of the secret.
        token = QString::fromUtf8(file.read(4096)).trimmed();
    }

    const ServerUrl given = parseServerUrl(parser.value(options.url));
    QUrl url = given.url;
    QString nick = chat::proto::normalizeNick(parser.value(options.nick)).nick;
    if (parser.isSet(options.url) && parser.isSet(options.nick)) {
        QString problem = given.problem;
        if (problem.isEmpty())
            problem = chat::proto::normalizeNick(parser.value(options.nick)).reason;
        if (!problem.isEmpty()) {
            QTextStream(stderr) << "chat-client: " << problem << '\n';
            return 2;
        }
        // Chat -> Connect… and the next start without options offer this server.
        ConnectDialog::remember(url, nick);
    } else {
        // Without both options, ask, starting from the one given or else from last time.
        ConnectDialog dialog;
        if (parser.isSet(options.url)) {
            dialog.setServerAddress(parser.value(options.url));
            dialog.setError(given.problem);
        } else if (parser.isSet(options.nick)) {
            dialog.setNick(parser.value(options.nick));
        }
        if (dialog.exec() != QDialog::Accepted)
            return 0;
        url = dialog.serverUrl();
        nick = dialog.nick();
        if (!dialog.token().isEmpty())
            token = dialog.token();
    }

    controller.setServerUrl(url);
    controller.setNick(nick);
    controller.setToken(token);
    // Unsent messages wait on disk, so closing the window while the server is away loses none.
    controller.setOutboxPath(ConnectionController::defaultOutboxPath(url, nick));
    ChatWindow window(&controller);
    window.show();
    controller.start();
    return app.exec();
}
