// chat-client: the desktop chat window.
#include "appidentity.h"
#include "chatwindow.h"
#include "connectdialog.h"
#include "connectioncontroller.h"
#include "keychaintokenvault.h"
#include "logindialog.h"
#include "protocol.h"
#include "serverurl.h"
#include "translations.h"
#include "validation.h"

#include <QApplication>
#include <QCommandLineParser>
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
    QCommandLineOption account{
        QStringList{QStringLiteral("account"), QStringLiteral("nick")},
        QStringLiteral("Your account name (default: the last one). Its stored login is used; "
                       "without one, the login dialog asks for the password."),
        QStringLiteral("NAME")};
    QCommandLineOption ca{
        QStringLiteral("ca"),
        QStringLiteral("For wss:// servers: also trust the certificates in this PEM file (a CA, "
                       "or the server's self-signed certificate), besides the system's "
                       "(default: the system's only)."),
        QStringLiteral("FILE")};
    QCommandLineOption tokenStore{
        QStringLiteral("token-store"),
        QStringLiteral("Where to keep the login token: keychain (the system's, falling back to a "
                       "file only you can read when there is none) or file (default: keychain). "
                       "Passwords are never stored."),
        QStringLiteral("KIND"), QStringLiteral("keychain")};
    QCommandLineOption lang{QStringLiteral("lang"),
                            QStringLiteral("The language of the window: zh_CN (简体中文) or en "
                                           "(default: the system's, from LANGUAGE or LANG)."),
                            QStringLiteral("LANGUAGE")};
    QCommandLineOption tokenStdin{
        QStringLiteral("token-stdin"),
        QStringLiteral("Read a login token (from `chat-server token create`) from standard input, "
                       "for when none is kept for this server and account yet (scripts/run.sh).")};

    explicit Options(QCommandLineParser *parser)
    {
        parser->setApplicationDescription(QStringLiteral("Desktop chat window."));
        parser->addHelpOption();
        parser->addVersionOption();
        parser->addOptions({url, account, ca, tokenStore, tokenStdin, lang});
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
    // Only an option's value looked like one (--account -v): on to the window.
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
    applyDesktopIdentity();

    QCommandLineParser parser;
    const Options options(&parser);
    parser.process(app);

    QLocale locale = QLocale::system();
    if (parser.isSet(options.lang)) {
        locale = localeForLanguage(parser.value(options.lang));
        if (locale == QLocale::c()) {
            QTextStream(stderr) << "chat-client: --lang: zh_CN or en, not "
                                << parser.value(options.lang) << '\n';
            return 2;
        }
        // Dates and numbers follow the chosen language too.
        QLocale::setDefault(locale);
    }
    installTranslations(locale);

    ConnectionController controller;
    if (QString problem; !controller.setCaCertificatesFile(parser.value(options.ca), &problem)) {
        QTextStream(stderr) << "chat-client: --ca: " << problem << '\n';
        return 2;
    }

    const QString store = parser.value(options.tokenStore);
    if (store != QStringLiteral("keychain") && store != QStringLiteral("file")) {
        QTextStream(stderr) << "chat-client: --token-store: keychain or file, not " << store
                            << '\n';
        return 2;
    }
    QString account;
    if (parser.isSet(options.account)) {
        const chat::proto::NormalizedNick name =
            chat::proto::normalizeNick(parser.value(options.account));
        if (!name.ok()) {
            QTextStream(stderr) << "chat-client: --account: " << name.reason << '\n';
            return 2;
        }
        account = name.nick;
        LoginDialog::rememberAccount(account);
    } else {
        account = LoginDialog::rememberedAccount();
    }

    const ServerUrl given = parseServerUrl(parser.value(options.url));
    QUrl url = given.url;
    if (parser.isSet(options.url) && given.problem.isEmpty()) {
        // Chat -> Connect… and the next start without --url offer this server.
        ConnectDialog::remember(url);
    } else {
        // Without --url, ask, starting from last time's server.
        ConnectDialog dialog;
        if (parser.isSet(options.url)) {
            dialog.setServerAddress(parser.value(options.url));
            dialog.setError(given.problem);
        }
        if (dialog.exec() != QDialog::Accepted)
            return 0;
        url = dialog.serverUrl();
    }

    KeychainTokenVault vault;
    if (store == QStringLiteral("file"))
        vault.useFileOnly();
    controller.setServerUrl(url);
    ChatWindow window(&controller, &vault);
    if (parser.isSet(options.tokenStdin))
        window.setFirstToken(QTextStream(stdin).readLine(chat::proto::kMaxTokenChars).trimmed());
    // Unsent messages wait on disk, so closing the window while the server is away loses none.
    window.setOutboxOnDisk(true);
    // The window says when to end: closing it may only hide it in the tray.
    QApplication::setQuitOnLastWindowClosed(false);
    QObject::connect(&window, &ChatWindow::quitRequested, &app, &QCoreApplication::quit);
    window.show();
    // With the stored token when there is one, else through the login dialog.
    window.beginSession(account);
    return app.exec();
}
