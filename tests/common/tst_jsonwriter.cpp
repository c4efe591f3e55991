// The hand-written JSON of the hot frames must read back, through QJsonDocument, to exactly
// what went in: every kind of character, escapes, surrogates, numbers and times.
#include "codec.h"
#include "jsonwriter.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTest>

using namespace chat::proto;

class TestJsonWriter : public QObject
{
    Q_OBJECT

private slots:
    void stringsReadBackUnchanged_data();
    void stringsReadBackUnchanged();
    void randomStringsReadBackUnchanged();
    void escapesAsQtWritesThem();
    void integers_data();
    void integers();
    void times_data();
    void times();
    void messageIsOneJsonObject();
};

namespace {

// `text` written as the only element of an array, read back by Qt's parser.
QJsonValue readBack(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson("[" + json + "]", &error);
    if (error.error != QJsonParseError::NoError || !doc.isArray() || doc.array().size() != 1)
        return QJsonValue(QJsonValue::Undefined);
    return doc.array().at(0);
}

QByteArray written(QStringView text)
{
    QByteArray out;
    json::appendString(out, text);
    return out;
}

} // namespace

void TestJsonWriter::stringsReadBackUnchanged_data()
{
    QTest::addColumn<QString>("text");
    QTest::addRow("empty") << QString();
    QTest::addRow("ascii") << QStringLiteral("hello, world");
    QTest::addRow("quote and backslash") << QStringLiteral("say \"hi\" \\ bye");
    QTest::addRow("short escapes") << QStringLiteral("a\nb\tc\rd\be\ff");
    QTest::addRow("other controls") << QString::fromUtf16(u"\x0000\x0001\x001f\x007f", 4);
    QTest::addRow("markup") << QStringLiteral("<script>alert(1)</script> & </b>");
    QTest::addRow("chinese") << QStringLiteral("你好，世界");
    QTest::addRow("two-byte") << QStringLiteral("zoë café ß");
    QTest::addRow("emoji pair") << QStringLiteral("🎉👩‍👩‍👧");
    QTest::addRow("bidi and joiners") << QString::fromUtf16(u"a\u200db\u202ec\ufeff");
    QTest::addRow("last BMP") << QString::fromUtf16(u"\uffff\ufffd");
}

void TestJsonWriter::stringsReadBackUnchanged()
{
    QFETCH(QString, text);
    const QJsonValue back = readBack(written(text));
    QVERIFY2(back.isString(), written(text).constData());
    QCOMPARE(back.toString(), text);
}

void TestJsonWriter::randomStringsReadBackUnchanged()
{
    // Valid UTF-16 of every plane, controls and JSON's special characters mixed in.
    QRandomGenerator random(20261122);
    for (int round = 0; round < 2000; ++round) {
        QString text;
        const int length = int(random.bounded(40));
        for (int i = 0; i < length; ++i) {
            char32_t cp = 0;
            switch (random.bounded(4)) {
            case 0:
                cp = char32_t(random.bounded(0x80));
                break;
            case 1:
                cp = char32_t(random.bounded(0xD800));
                break;
            case 2:
                cp = char32_t(0xE000 + random.bounded(0x2000));
                break;
            default:
                cp = char32_t(0x10000 + random.bounded(0x100000));
                break;
            }
            text.append(QString::fromUcs4(&cp, 1));
        }
        const QJsonValue back = readBack(written(text));
        QVERIFY2(back.isString() && back.toString() == text, written(text).toHex().constData());
    }
}

void TestJsonWriter::escapesAsQtWritesThem()
{
    // Controls and an unpaired surrogate as \u escapes: the output is valid UTF-8 whatever came in.
    QCOMPARE(written(QString(QChar(0x0001))), QByteArray(R"("\u0001")"));
    QCOMPARE(written(QStringLiteral("\"\\\n")), QByteArray(R"("\"\\\n")"));
    const QString loneText = QStringLiteral("a") + QChar(0xD800) + QStringLiteral("b");
    const QByteArray lone = written(loneText);
    QCOMPARE(lone, QByteArray(R"("a\ud800b")"));
    QVERIFY(QString::fromUtf8(lone).toUtf8() == lone);
    QCOMPARE(written(QStringLiteral("é")), QByteArray("\"\xc3\xa9\""));
}

void TestJsonWriter::integers_data()
{
    QTest::addColumn<qint64>("value");
    QTest::addRow("zero") << qint64(0);
    QTest::addRow("one") << qint64(1);
    QTest::addRow("negative") << qint64(-42);
    QTest::addRow("largest exact double") << kMaxSeq;
}

void TestJsonWriter::integers()
{
    QFETCH(qint64, value);
    QByteArray out;
    json::appendInteger(out, value);
    QCOMPARE(readBack(out).toInteger(), value);
}

void TestJsonWriter::times_data()
{
    QTest::addColumn<QDateTime>("time");
    QTest::addRow("utc") << QDateTime(QDate(2026, 11, 22), QTime(9, 4, 3, 7), Qt::UTC);
    QTest::addRow("offset") << QDateTime(QDate(2026, 1, 1), QTime(0, 30), Qt::OffsetFromUTC, 3600);
    QTest::addRow("year 1") << QDateTime(QDate(1, 2, 3), QTime(4, 5, 6, 999), Qt::UTC);
    QTest::addRow("year 9999") << QDateTime(QDate(9999, 12, 31), QTime(23, 59, 59, 999), Qt::UTC);
}

void TestJsonWriter::times()
{
    QFETCH(QDateTime, time);
    QByteArray out;
    json::appendUtcTime(out, time);
    const QByteArray expected = "\"" + time.toUTC().toString(Qt::ISODateWithMs).toUtf8() + "\"";
    QCOMPARE(out, expected);
}

void TestJsonWriter::messageIsOneJsonObject()
{
    Message m;
    m.seq = 41;
    m.id = QStringLiteral("id-\"1\"");
    m.room = QStringLiteral("lobby");
    m.from = QStringLiteral("小明");
    m.time = QDateTime(QDate(2026, 11, 22), QTime(9, 14, 3, 120), Qt::UTC);
    m.text = QStringLiteral("line one\nline \"two\" 🎉");
    const QJsonDocument doc = QJsonDocument::fromJson(encode(m));
    QVERIFY(doc.isObject());
    const QJsonObject o = doc.object();
    QCOMPARE(o.size(), 7);
    QCOMPARE(o.value(QStringLiteral("type")).toString(), QStringLiteral("message"));
    QCOMPARE(o.value(QStringLiteral("seq")).toInteger(), 41);
    QCOMPARE(o.value(QStringLiteral("id")).toString(), m.id);
    QCOMPARE(o.value(QStringLiteral("room")).toString(), m.room);
    QCOMPARE(o.value(QStringLiteral("from")).toString(), m.from);
    QCOMPARE(o.value(QStringLiteral("time")).toString(),
             QStringLiteral("2026-11-22T09:14:03.120Z"));
    QCOMPARE(o.value(QStringLiteral("text")).toString(), m.text);
}

QTEST_GUILESS_MAIN(TestJsonWriter)
#include "tst_jsonwriter.moc"
