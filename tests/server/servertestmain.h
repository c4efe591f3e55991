// main() for the server's tests: the application runs on the event loop chat-server runs on
// (eventloop/epolldispatcher.h), so the hub is tested on the loop it meets in production.
#pragma once

#include "eventloop/epolldispatcher.h"

#include <QCoreApplication>
#include <QTest>

#define CHAT_SERVER_TEST_MAIN(TestObject)                                                          \
    int main(int argc, char *argv[])                                                               \
    {                                                                                              \
        chat::server::EpollDispatcher::installForMainThread();                                     \
        QCoreApplication app(argc, argv);                                                          \
        app.setAttribute(Qt::AA_Use96Dpi, true);                                                   \
        TestObject tc;                                                                             \
        QTEST_SET_MAIN_SOURCE_PATH                                                                 \
        return QTest::qExec(&tc, argc, argv);                                                      \
    }
