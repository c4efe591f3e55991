// chat-client: the desktop chat window.
#include "chatwindow.h"
#include "connectdialog.h"
#include "connectioncontroller.h"
#include "validation.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QFile>
#include <QLoggingCategory>
#include <QTextStream>

using namespace chat::client;

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    // The connection's debug lines are for developers; QT_LOGGING_RULES turns them back on.
    if (qEnvironmentVariableIsEmpty("QT_LOGGING_RULES"))
        QLoggingCategory::setFilterRules(QStringLiteral("chat.*.debug=false"));
    QApplication::setOrganizationName(QStringLiteral("QtChat"));
    QApplication::setApplicationName(QStringLiteral("chat-client"));
    QApplication::setApplicationVersion(QStringLiteral(CHAT_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Desktop chat window."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption urlOption(QStringLiteral("url"),
                                       QStringLiteral("Server address, e.g. ws://host:8080/ "
                                                      "(default: ask, offering the last one)."),
                                       QStringLiteral("URL"));
    const QCommandLineOption nickOption(
        QStringLiteral("nick"),
        QStringLiteral("Your nickname (default: ask, offering the last one)."),
        QStringLiteral("NAME"));
    const QCommandLineOption caOption(
        QStringLiteral("ca"),
        QStringLiteral("For wss:// servers: also trust the certificates in this PEM file (a CA, "
                       "or the server's self-signed certificate), besides the system's "
                       "(default: the system's only)."),
        QStringLiteral("FILE"));
    parser.addOption(urlOption);
    parser.addOption(nickOption);
    const QCommandLineOption tokenOption(
        QStringLiteral("token-file"),
        QStringLiteral("A file holding the server's shared secret, for servers started with "
                       "--token-file (default: none)."),
        QStringLiteral("FILE"));
    parser.addOption(caOption);
    parser.addOption(tokenOption);
    parser.process(app);

    ConnectionController controller;
    if (QString problem; !controller.setCaCertificatesFile(parser.value(caOption), &problem)) {
        QTextStream(stderr) << "chat-client: --ca: " << problem << '\n';
        return 2;
    }

    QString token;
    if (parser.isSet(tokenOption)) {
        QFile file(parser.value(tokenOption));
        if (!file.open(QIODevice::ReadOnly)) {
            QTextStream(stderr) << "chat-client: --token-file: " << file.errorString() << '\n';
            return 2;
        }
        // Editors add a final newline; it is not part of the secret.
        token = QString::fromUtf8(file.read(4096)).trimmed();
    }

    QUrl url = QUrl::fromUserInput(parser.value(urlOption));
    QString nick = chat::proto::normalizeNick(parser.value(nickOption)).nick;
    if (parser.isSet(urlOption) && parser.isSet(nickOption)) {
        QString problem = checkServerUrl(url);
        if (problem.isEmpty())
            problem = chat::proto::normalizeNick(parser.value(nickOption)).reason;
        if (!problem.isEmpty()) {
            QTextStream(stderr) << "chat-client: " << problem << '\n';
            return 2;
        }
    } else {
        // Without both options, ask, starting from what was used last time.
        ConnectDialog dialog;
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
