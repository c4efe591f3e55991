// chat-store-bench: how many messages per second each kind of store takes, on this machine.
// Stores go through the same MessageStore::append() the hub's group commit uses; a batch of one
// is one transaction (one fsync with synchronous=FULL) per message.
#include "store/messagestore.h"
#include "store/roomstore.h"
#include "store/sqlitestore.h"
#include "validation.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QTemporaryDir>

#include <cstdio>
#include <memory>

namespace {

using chat::proto::Message;
using chat::server::MemoryStore;
using chat::server::MessageStore;
using chat::server::SqliteStore;

constexpr qint64 kTimeCapMs = 15000; // no scenario runs longer, whatever the count

const QStringList kNicks = {QStringLiteral("alice"), QStringLiteral("Bob"), QStringLiteral("张伟"),
                            QStringLiteral("zoë")};

constexpr int kBusyRooms = 20;

// The room of the message that gets `seq`: 20 busy rooms, and a quiet one (every 1000th).
QString roomOf(qint64 seq)
{
    return seq % 1000 == 0 ? QStringLiteral("quiet")
                           : QStringLiteral("room-%1").arg(seq % kBusyRooms);
}

// A message of typical size (about 80 characters, some of them not ASCII); every tenth names
// account 7. `seq` is the number the store will give it (its id is made from it).
MessageStore::Entry entry(qint64 seq)
{
    const QString &nick = kNicks[int(seq % kNicks.size())];
    Message message;
    message.seq = seq;
    message.id = QStringLiteral("bench-%1").arg(seq);
    message.room = roomOf(seq);
    message.from = nick;
    message.time = QDateTime::currentDateTimeUtc();
    message.text =
        QStringLiteral("message %1: the quick brown fox jumps over the lazy dog, 你好 👋").arg(seq);
    return {chat::proto::nickKey(nick), message,
            seq % 10 == 0 ? QList<qint64>{7} : QList<qint64>{}};
}

struct Result
{
    qint64 messages = 0;
    double seconds = 0;
    [[nodiscard]] double rate() const { return seconds > 0 ? messages / seconds : 0; }
};

// Appends `count` messages in batches of `batch`, stopping early at the time cap.
Result fill(MessageStore &store, qint64 count, int batch)
{
    QElapsedTimer clock;
    clock.start();
    qint64 next = store.lastSeq() + 1;
    const qint64 end = next + count;
    while (next < end && clock.elapsed() < kTimeCapMs) {
        QList<MessageStore::Entry> entries;
        for (int i = 0; i < batch && next < end; ++i)
            entries.append(entry(next++));
        if (!store.append(entries)) {
            std::fprintf(stderr, "append failed: %s\n", qPrintable(store.errorString()));
            std::exit(1);
        }
    }
    return {next - (end - count), clock.nsecsElapsed() / 1e9};
}

void report(const char *what, const Result &result)
{
    std::printf("| %-60s | %8lld | %10.0f |\n", what, static_cast<long long>(result.messages),
                result.rate());
    std::fflush(stdout);
}

std::unique_ptr<SqliteStore> openSqlite(const QString &path, SqliteStore::Sync sync)
{
    QString error;
    std::unique_ptr<SqliteStore> store = SqliteStore::open(path, sync, &error);
    if (!store) {
        std::fprintf(stderr, "cannot open %s: %s\n", qPrintable(path), qPrintable(error));
        std::exit(1);
    }
    return store;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("chat-store-bench"));
    QLoggingCategory::setFilterRules(QStringLiteral("chat.server.store.info=false"));
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Measures messages/s stored by the chat-server history stores."));
    parser.addHelpOption();
    const QCommandLineOption messages(
        QStringLiteral("messages"),
        QStringLiteral("Messages per grouped scenario (default: 200000)."), QStringLiteral("N"),
        QStringLiteral("200000"));
    const QCommandLineOption single(
        QStringLiteral("single"),
        QStringLiteral("Messages per one-commit-per-message scenario (default: 5000)."),
        QStringLiteral("N"), QStringLiteral("5000"));
    const QCommandLineOption dir(
        QStringLiteral("dir"),
        QStringLiteral("Where the database files go; use a real disk, not tmpfs "
                       "(default: the current folder)."),
        QStringLiteral("PATH"), QStringLiteral("."));
    parser.addOptions({messages, single, dir});
    parser.process(app);
    const qint64 grouped = qMax(1LL, parser.value(messages).toLongLong());
    const qint64 perMessage = qMax(1LL, parser.value(single).toLongLong());

    QTemporaryDir tmp(
        QDir(parser.value(dir)).absoluteFilePath(QStringLiteral("store-bench-XXXXXX")));
    if (!tmp.isValid()) {
        std::fprintf(stderr, "cannot make a folder in %s\n", qPrintable(parser.value(dir)));
        return 1;
    }
    int files = 0;
    const auto freshFile = [&] {
        return tmp.filePath(QStringLiteral("h%1.sqlite").arg(++files));
    };
    using Sync = SqliteStore::Sync;

    std::printf("Database files in %s\n\n", qPrintable(tmp.path()));
    std::printf("| %-60s | %8s | %10s |\n", "store", "messages", "messages/s");
    std::printf("|%s|%s|%s|\n", "--------------------------------------------------------------",
                "----------", "------------");
    {
        MemoryStore store(200, 256, 1024);
        report("memory (--db :memory:), each message on its own", fill(store, grouped, 1));
    }
    for (const int batch : {256, 32}) {
        auto store = openSqlite(freshFile(), Sync::Full);
        const QByteArray what =
            QStringLiteral("SQLite file, WAL, synchronous=FULL, %1 per commit").arg(batch).toUtf8();
        report(what.constData(), fill(*store, grouped, batch));
    }
    {
        auto store = openSqlite(freshFile(), Sync::Normal);
        report("SQLite file, WAL, synchronous=NORMAL, 256 per commit", fill(*store, grouped, 256));
    }
    {
        auto store = openSqlite(freshFile(), Sync::Full);
        report("SQLite file, WAL, synchronous=FULL, one commit per message",
               fill(*store, perMessage, 1));
    }
    {
        auto store = openSqlite(freshFile(), Sync::Normal);
        report("SQLite file, WAL, synchronous=NORMAL, one commit per message",
               fill(*store, perMessage, 1));
    }

    // The read side: what a resend lookup, a deep resume and a restart cost at this size.
    const QString big = freshFile();
    qint64 held = 0;
    {
        auto store = openSqlite(big, Sync::Normal);
        held = fill(*store, grouped, 1000).messages;
    }
    QElapsedTimer clock;
    clock.start();
    auto store = openSqlite(big, Sync::Full);
    const double openMs = clock.nsecsElapsed() / 1e6;
    clock.restart();
    constexpr int kLookups = 20000;
    int found = 0;
    for (int i = 0; i < kLookups; ++i) {
        const MessageStore::Entry probe = entry(1 + (i * 7919) % held);
        found += store->findSent(probe.nickKey, probe.message.id).has_value() ? 1 : 0;
    }
    const double lookupRate = kLookups / (clock.nsecsElapsed() / 1e9);
    clock.restart();
    constexpr int kResumes = 50;
    for (int i = 0; i < kResumes; ++i)
        (void)store->range(held - 1000, held - 1);
    const double resumeMs = clock.nsecsElapsed() / 1e6 / kResumes;
    std::printf("\nWith %lld messages held (%.1f MiB): open with quick_check %.0f ms, "
                "%.0f id lookups/s (%d found), reading 1000 for a resume %.1f ms\n",
                static_cast<long long>(held), QFileInfo(big).size() / 1048576.0, openMs, lookupRate,
                found, resumeMs);

    // Rooms (protocol version 3): what a history page, a welcome's counts and a resume cost.
    const auto perCall = [&](int calls, const auto &call) {
        QElapsedTimer timer;
        timer.start();
        for (int i = 0; i < calls; ++i)
            call(i);
        return timer.nsecsElapsed() / 1e3 / calls;
    };
    bool more = false;
    const double busyPageUs = perCall(200, [&](int i) {
        (void)store->page(QStringLiteral("room-3"), held - i * 997, 50, &more);
    });
    const double quietPageUs =
        perCall(200, [&](int) { (void)store->page(QStringLiteral("quiet"), 0, 50, &more); });
    const double unreadUs = perCall(200, [&](int i) {
        (void)store->countUnread(roomOf(i + 1), held - 20000, QStringLiteral("alice"), 1000);
    });
    const double mentionsUs = perCall(
        200, [&](int i) { (void)store->countMentions(roomOf(i + 1), held - 20000, 7, 1000); });
    QSet<QString> tenRooms{QStringLiteral("quiet")};
    for (int i = 0; i < 10; ++i)
        tenRooms.insert(QStringLiteral("room-%1").arg(i));
    bool complete = false;
    const double sinceUs = perCall(20, [&](int) {
        (void)store->since(tenRooms, QStringLiteral("alice"), held - 1500, 1000, 256 * 1024,
                           &complete);
    });
    const double newestUs = perCall(20, [&](int) { (void)store->newestPerRoom(); });
    // Read positions are committed without a disk flush (sqliteroomstore.cpp); members with one.
    std::unique_ptr<chat::server::RoomStore> rooms = store->roomStore();
    for (qint64 account = 1; account <= 100; ++account)
        (void)rooms->setMember({1, account, chat::server::RoomRole::Member, {}, 0});
    const double memberUs = perCall(100, [&](int i) {
        (void)rooms->setMember({1, 1000 + i, chat::server::RoomRole::Member, {}, 0});
    });
    const double readUs =
        perCall(1000, [&](int i) { (void)rooms->setRead(1, 1 + i % 100, held - i); });
    std::printf("A member added (synchronous=FULL) %.0f us; a read position stored %.0f us\n",
                memberUs, readUs);
    std::printf("A page of 50 of a busy room %.0f us, of the quiet room %.0f us; unread counts "
                "(cap 1000) %.0f us, mention counts %.0f us; a resume of 11 rooms (up to 1000 "
                "messages) %.0f us; the newest message of each of %d rooms %.0f us\n",
                busyPageUs, quietPageUs, unreadUs, mentionsUs, sinceUs, kBusyRooms + 1, newestUs);
    return found == kLookups ? 0 : 1;
}
