// libFuzzer target: one incoming text frame, through the real server path: a QWebSocket on
// loopback, ChatSession's decode and checks, and ChatHub's admission, relay and replies.
// The hub and its connections live for the whole run (see hubharness.h).
#include "hubharness.h"

#include <QCoreApplication>
#include <QLoggingCategory>

#include <cstddef>
#include <cstdint>
#include <cstdio>

namespace {

chat::fuzz::HubHarness *harness = nullptr;

// Logging runs (every category, debug included), but its output would drown libFuzzer's.
void quietMessages(QtMsgType type, const QMessageLogContext &, const QString &message)
{
    if (type == QtFatalMsg)
        std::fprintf(stderr, "fatal: %s\n", qPrintable(message));
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    // Qt's own event dispatcher turns a round trip faster than glib's; the hub does not care.
    qputenv("QT_NO_GLIB", "1");
    // Never destroyed: the hub lives until the process exits.
    new QCoreApplication(*argc, *argv);
    QLoggingCategory::setFilterRules(QStringLiteral("chat.*.debug=true"));
    if (!qEnvironmentVariableIsSet("CHAT_FUZZ_LOG")) // set it to see the hub's log
        qInstallMessageHandler(quietMessages);
    harness = new chat::fuzz::HubHarness;
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    harness->deliver(QByteArray(reinterpret_cast<const char *>(data), qsizetype(size)));
    return 0;
}
