// The outbox file: what is written comes back in order with the same ids, a damaged file costs
// only its bad lines, and each server and nick gets a file of its own.
#include "chinesetranslation.h"
#include "codec.h"
#include "outboxfile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

namespace outboxfile = chat::client::outboxfile;
namespace proto = chat::proto;

namespace {

proto::Send makeSend(const QString &id, const QString &text)
{
    return proto::Send{id, proto::defaultRoom(), {}, text};
}

QByteArray line(const proto::Send &send)
{
    return proto::encode(send) + '\n';
}

QStringList idsOf(const QList<proto::Send> &items)
{
    QStringList ids;
    for (const proto::Send &send : items)
        ids.append(send.id);
    return ids;
}

bool writeRaw(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

QByteArray readRaw(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

class TestOutboxFile : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { QVERIFY(chat::test::installChineseTranslation()); }
    void init();

    void roundTrip_data();
    void roundTrip();
    void emptyOutboxRemovesTheFile();
    void missingFileIsEmpty();
    void damagedLinesAreSkipped_data();
    void damagedLinesAreSkipped();
    void unreadablePathIsEmpty();
    void failedWriteSaysWhy();
    void pathForKeysByServerAndNick_data();
    void pathForKeysByServerAndNick();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_path;
};

void TestOutboxFile::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_path = m_dir->filePath(QStringLiteral("outbox.txt"));
}

void TestOutboxFile::roundTrip_data()
{
    QTest::addColumn<QList<proto::Send>>("items");
    QTest::addRow("one") << QList<proto::Send>{makeSend(QStringLiteral("a"), QStringLiteral("hi"))};
    QTest::addRow("order kept") << QList<proto::Send>{
        makeSend(QStringLiteral("3"), QStringLiteral("first")),
        makeSend(QStringLiteral("1"), QStringLiteral("second")),
        makeSend(QStringLiteral("2"), QStringLiteral("third"))};
    QTest::addRow("newlines, tabs, emoji, quotes") << QList<proto::Send>{
        makeSend(QStringLiteral("x"), QStringLiteral("line 1\nline 2\t\"quoted\" 你好 👋 \\n"))};
    QTest::addRow("room named") << QList<proto::Send>{
        proto::Send{QStringLiteral("r"), QStringLiteral("dev"), {}, QStringLiteral("in dev")}};
    QTest::addRow("direct message") << QList<proto::Send>{
        proto::Send{QStringLiteral("d"), {}, QStringLiteral("bob"), QStringLiteral("to bob")}};
    QTest::addRow("longest text") << QList<proto::Send>{
        makeSend(QStringLiteral("long"), QString(proto::kMaxTextChars, QChar(0x8A9E)))};
}

void TestOutboxFile::roundTrip()
{
    QFETCH(const QList<proto::Send>, items);
    QString error;
    QVERIFY2(outboxfile::write(m_path, items, &error), qPrintable(error));
    const QList<proto::Send> back = outboxfile::read(m_path);
    QCOMPARE(back.size(), items.size());
    for (qsizetype i = 0; i < items.size(); ++i) {
        QCOMPARE(back.at(i).id, items.at(i).id);
        QCOMPARE(back.at(i).room, items.at(i).room);
        QCOMPARE(back.at(i).text, items.at(i).text);
    }
    // One frame per line.
    QCOMPARE(readRaw(m_path).count('\n'), items.size());
}

void TestOutboxFile::emptyOutboxRemovesTheFile()
{
    QVERIFY(outboxfile::write(m_path, {makeSend(QStringLiteral("a"), QStringLiteral("hi"))}));
    QVERIFY(QFile::exists(m_path));
    QVERIFY(outboxfile::write(m_path, {}));
    QVERIFY(!QFile::exists(m_path));
    QVERIFY(outboxfile::write(m_path, {})); // nothing to remove is fine too
}

void TestOutboxFile::missingFileIsEmpty()
{
    QVERIFY(outboxfile::read(m_dir->filePath(QStringLiteral("never-written.txt"))).isEmpty());
}

void TestOutboxFile::damagedLinesAreSkipped_data()
{
    const QByteArray a = line(makeSend(QStringLiteral("a"), QStringLiteral("first")));
    const QByteArray b = line(makeSend(QStringLiteral("b"), QStringLiteral("second")));
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QStringList>("ids");
    QTest::addColumn<int>("warnings");

    QTest::addRow("garbage between good lines")
        << a + "not json at all\n" + b << QStringList{QStringLiteral("a"), QStringLiteral("b")}
        << 1;
    QTest::addRow("a hello is not a send") << a + proto::encode([] {
                                                  proto::Hello hello;
                                                  hello.token = QStringLiteral("token");
                                                  return hello;
                                              }()) +
                                                  '\n'
                                           << QStringList{QStringLiteral("a")} << 1;
    QTest::addRow("send with empty text") << QByteArray(R"({"type":"send","id":"e","text":"  "})"
                                                        "\n") +
                                                 b
                                          << QStringList{QStringLiteral("b")} << 1;
    QTest::addRow("send without id") << QByteArray(R"({"type":"send","text":"x"})"
                                                   "\n") +
                                            a
                                     << QStringList{QStringLiteral("a")} << 1;
    QTest::addRow("repeated id") << a + a + b
                                 << QStringList{QStringLiteral("a"), QStringLiteral("b")} << 1;
    QTest::addRow("over-long line") << a + QByteArray(200 * 1024, 'x') + '\n' + b
                                    << QStringList{QStringLiteral("a"), QStringLiteral("b")} << 1;
    QTest::addRow("binary junk") << QByteArray("\x00\xff\xfe{\x01\n", 6) + a
                                 << QStringList{QStringLiteral("a")} << 1;
    QTest::addRow("cut off mid-line")
        << a + b.left(b.size() / 2) << QStringList{QStringLiteral("a")} << 1;
    QTest::addRow("no final newline")
        << a + b.chopped(1) << QStringList{QStringLiteral("a"), QStringLiteral("b")} << 0;
    QTest::addRow("CRLF and blank lines")
        << a.chopped(1) + "\r\n\r\n\n" + b << QStringList{QStringLiteral("a"), QStringLiteral("b")}
        << 0;
    QTest::addRow("only junk") << QByteArray("[]\n{}\n\"\"\n") << QStringList{} << 3;
    QTest::addRow("empty file") << QByteArray() << QStringList{} << 0;
}

void TestOutboxFile::damagedLinesAreSkipped()
{
    QFETCH(const QByteArray, content);
    QFETCH(const QStringList, ids);
    QFETCH(const int, warnings);
    QVERIFY(writeRaw(m_path, content));
    static const QRegularExpression skipped(QStringLiteral("^saved outbox line \\d+ skipped"));
    for (int i = 0; i < warnings; ++i)
        QTest::ignoreMessage(QtWarningMsg, skipped);
    QCOMPARE(idsOf(outboxfile::read(m_path)), ids);
}

void TestOutboxFile::unreadablePathIsEmpty()
{
    // A directory where the file should be: a warning, an empty outbox, no crash.
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("cannot read")));
    QVERIFY(outboxfile::read(m_dir->path()).isEmpty());
}

void TestOutboxFile::failedWriteSaysWhy()
{
    const QList<proto::Send> old{makeSend(QStringLiteral("a"), QStringLiteral("kept"))};
    QVERIFY(outboxfile::write(m_path, old));
    const QByteArray before = readRaw(m_path);

    // A file where a directory must be: the write fails and says so.
    const QString blocked = m_path + QStringLiteral("/sub/outbox.txt");
    QString error;
    QVERIFY(!outboxfile::write(blocked, old, &error));
    QVERIFY2(error.contains(QStringLiteral("cannot create")), qPrintable(error));

    // A directory where the file should be: refused, and it stays a directory.
    QVERIFY(QDir(m_dir->path()).mkdir(QStringLiteral("taken")));
    const QString taken = m_dir->filePath(QStringLiteral("taken"));
    error.clear();
    QVERIFY(!outboxfile::write(taken, old, &error));
    QVERIFY(!error.isEmpty());
    QVERIFY(QFileInfo(taken).isDir());
    QCOMPARE(readRaw(m_path), before);
}

void TestOutboxFile::pathForKeysByServerAndNick_data()
{
    QTest::addColumn<QUrl>("url1");
    QTest::addColumn<QString>("nick1");
    QTest::addColumn<QUrl>("url2");
    QTest::addColumn<QString>("nick2");
    QTest::addColumn<bool>("same");
    const QUrl server(QStringLiteral("ws://chat.example:8080/"));
    const QString alice = QStringLiteral("alice");
    QTest::addRow("identical") << server << alice << server << alice << true;
    QTest::addRow("nick letter case")
        << server << alice << server << QStringLiteral("Alice") << true;
    QTest::addRow("nick blanks") << server << alice << server << QStringLiteral(" alice ") << true;
    QTest::addRow("other nick") << server << alice << server << QStringLiteral("bob") << false;
    QTest::addRow("other port") << server << alice
                                << QUrl(QStringLiteral("ws://chat.example:8081/")) << alice
                                << false;
    QTest::addRow("other scheme") << server << alice
                                  << QUrl(QStringLiteral("wss://chat.example:8080/")) << alice
                                  << false;
    QTest::addRow("host letter case")
        << server << alice << QUrl(QStringLiteral("ws://CHAT.example:8080/")) << alice << true;
}

void TestOutboxFile::pathForKeysByServerAndNick()
{
    QFETCH(const QUrl, url1);
    QFETCH(const QString, nick1);
    QFETCH(const QUrl, url2);
    QFETCH(const QString, nick2);
    QFETCH(const bool, same);
    const QString dir = m_dir->path();
    const QString path1 = outboxfile::pathFor(dir, url1, nick1);
    const QString path2 = outboxfile::pathFor(dir, url2, nick2);
    QVERIFY(path1.startsWith(dir + u'/'));
    QVERIFY(!path1.contains(nick1)); // names stay out of file names
    QCOMPARE(path1 == path2, same);
}

QTEST_GUILESS_MAIN(TestOutboxFile)
#include "tst_outboxfile.moc"
