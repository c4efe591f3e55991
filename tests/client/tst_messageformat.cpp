// The message formatter (client/messageformat.h) against tests/data/formatting.json, the table
// of examples the browser's web/format.js is checked against too (tests/browser/e2e.mjs).
#include "messageformat.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace chat::client;

namespace {

QJsonArray spansJson(const QList<format::Span> &spans)
{
    QJsonArray array;
    for (const format::Span &span : spans) {
        QJsonObject object{{QStringLiteral("kind"), format::kindName(span.kind)},
                           {QStringLiteral("text"), span.text}};
        if (span.kind == format::Kind::Link)
            object.insert(QStringLiteral("href"), span.href);
        array.append(object);
    }
    return array;
}

} // namespace

class TestMessageFormat : public QObject
{
    Q_OBJECT
private slots:
    void sharedTable_data();
    void sharedTable();
    void onlyHttpAndHttpsOpen();
};

void TestMessageFormat::sharedTable_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QJsonArray>("expected");
    QFile file(QStringLiteral(CHAT_FORMATTING_TABLE));
    QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.fileName()));
    const QJsonArray table = QJsonDocument::fromJson(file.readAll()).array();
    QVERIFY(table.size() >= 20);
    for (const QJsonValue &row : table) {
        const QJsonObject example = row.toObject();
        QTest::newRow(qPrintable(example.value(QStringLiteral("note")).toString()))
            << example.value(QStringLiteral("input")).toString()
            << example.value(QStringLiteral("spans")).toArray();
    }
}

void TestMessageFormat::sharedTable()
{
    QFETCH(QString, input);
    QFETCH(QJsonArray, expected);
    const QJsonArray actual = spansJson(format::parse(input));
    QVERIFY2(actual == expected,
             qPrintable(QString::fromUtf8(QJsonDocument(actual).toJson(QJsonDocument::Compact))));
}

void TestMessageFormat::onlyHttpAndHttpsOpen()
{
    QVERIFY(format::isOpenable(QStringLiteral("https://example.com/x")));
    QVERIFY(format::isOpenable(QStringLiteral("HTTP://EXAMPLE.COM")));
    QVERIFY(!format::isOpenable(QStringLiteral("javascript:alert(1)")));
    QVERIFY(!format::isOpenable(QStringLiteral("file:///etc/passwd")));
    QVERIFY(!format::isOpenable(QStringLiteral("https://")));
}

QTEST_GUILESS_MAIN(TestMessageFormat)
#include "tst_messageformat.moc"
