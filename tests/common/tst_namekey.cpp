// Account-name keys (namekey.h): names a person could take for one another collide, names that
// differ stay apart, and Chinese, Japanese and Korean names keep their differences.
#include "namekey.h"

#include <QTest>

#include <thread>
#include <vector>

using namespace chat::proto;

class TestNameKey : public QObject
{
    Q_OBJECT

private slots:
    void lookAlikesCollide_data();
    void lookAlikesCollide();
    void differentNamesDoNot_data();
    void differentNamesDoNot();
    void knownGaps_data();
    void knownGaps();
    void cjkNamesStayDistinctAndStable();
    void nothingVisibleHasNoKey();
    void sameKeyFromManyThreads();
};

namespace {

void addPair(const char *row, const QString &a, const QString &b)
{
    QTest::addRow("%s", row) << a << b;
}

QString codePoints(const QString &text)
{
    QStringList out;
    for (char32_t c : text.toUcs4())
        out << QString::number(uint(c), 16).toUpper();
    return out.join(u' ');
}

// Compares the keys of the current row's two names, and says both keys when they disagree.
void checkPair(bool shouldCollide)
{
    QFETCH(QString, a);
    QFETCH(QString, b);
    const QString keyA = accountNameKey(a);
    const QString keyB = accountNameKey(b);
    QVERIFY2(!keyA.isEmpty() && !keyB.isEmpty(), qPrintable(a + u' ' + b));
    QVERIFY2((keyA == keyB) == shouldCollide,
             qPrintable(
                 QStringLiteral("%1 [%2] -> [%3], %4 [%5] -> [%6]")
                     .arg(a, codePoints(a), codePoints(keyA), b, codePoints(b), codePoints(keyB))));
    QCOMPARE(accountNamesCollide(a, b), shouldCollide);
    QCOMPARE(accountNamesCollide(b, a), shouldCollide);
}

} // namespace

void TestNameKey::lookAlikesCollide_data()
{
    QTest::addColumn<QString>("a");
    QTest::addColumn<QString>("b");
    const QString alice = QStringLiteral("alice");
    addPair("capital first letter", alice, QStringLiteral("Alice"));
    addPair("all capitals", alice, QStringLiteral("ALICE"));
    addPair("Cyrillic a U+0430", alice, QStringLiteral(u"\u0430lice"));
    addPair("fullwidth A U+FF21", alice, QStringLiteral(u"\uFF21lice"));
    addPair("math bold A U+1D400", alice, QStringLiteral(u"\U0001D400lice"));
    addPair("zero width space U+200B", alice, QStringLiteral(u"alice\u200B"));
    addPair("Hangul filler U+3164", alice, QStringLiteral(u"alice\u3164"));
    addPair("halfwidth Hangul filler U+FFA0", alice, QStringLiteral(u"alice\uFFA0"));
    addPair("Hangul choseong filler U+115F inside", alice, QStringLiteral(u"al\u115Fice"));
    addPair("soft hyphen U+00AD inside", alice, QStringLiteral(u"ali\u00ADce"));
    addPair("word joiner U+2060", alice, QStringLiteral(u"\u2060alice"));
    addPair("digit 1 for l", alice, QStringLiteral("a1ice"));
    addPair("Latin alpha U+0251", alice, QStringLiteral(u"\u0251lice"));
    addPair("Cyrillic i U+0456", alice, QStringLiteral(u"al\u0456ce"));
    addPair("Greek capital alpha U+0391", alice, QStringLiteral(u"\u0391lice"));
    addPair("Cherokee A U+13AA (capital prototype)", alice, QStringLiteral(u"\u13AAlice"));
    addPair("all Cyrillic capitals", QStringLiteral("ALICE"), QStringLiteral(u"\u0410LIC\u0415"));
    addPair("digit 0 for o (capital prototype)", QStringLiteral("bob"), QStringLiteral("b0b"));
    addPair("rn for m", QStringLiteral("mike"), QStringLiteral("rnike"));
    addPair("Cyrillic a twice", QStringLiteral("paypal"), QStringLiteral(u"p\u0430yp\u0430l"));
    addPair("sharp s", QStringLiteral(u"stra\u00DFe"), QStringLiteral("STRASSE"));
    addPair("emoji presentation selector", QStringLiteral(u"\u2764"),
            QStringLiteral(u"\u2764\uFE0F"));
    addPair("CJK compatibility ideograph U+F900", QStringLiteral(u"\u8C48"),
            QStringLiteral(u"\uF900"));
    addPair("halfwidth katakana", QStringLiteral(u"\u30A2\u30AD\u30E9"),
            QStringLiteral(u"\uFF71\uFF77\uFF97"));
    addPair("katakana e for ideograph 工 (Kudo)", QStringLiteral(u"\u5DE5\u85E4"),
            QStringLiteral(u"\u30A8\u85E4"));
    addPair("katakana ro for ideograph 口", QStringLiteral(u"\u5C71\u53E3"),
            QStringLiteral(u"\u5C71\u30ED"));
}

void TestNameKey::lookAlikesCollide()
{
    checkPair(true);
}

void TestNameKey::differentNamesDoNot_data()
{
    QTest::addColumn<QString>("a");
    QTest::addColumn<QString>("b");
    const QString alice = QStringLiteral("alice");
    addPair("alicia", alice, QStringLiteral("alicia"));
    addPair("bob", alice, QStringLiteral("bob"));
    addPair("alice2", alice, QStringLiteral("alice2"));
    addPair("digit 1 for i gives allce", alice, QStringLiteral("al1ce"));
    addPair("combining acute U+0301", alice, QStringLiteral(u"a\u0301lice"));
    addPair("precomposed a acute", alice, QStringLiteral(u"\u00E1lice"));
    // Validation refuses U+2800 in a name; the key alone keeps it.
    addPair("braille blank U+2800 is kept", alice, QStringLiteral(u"alice\u2800"));
    addPair("xiaoming and xiaopeng", QStringLiteral(u"\u5C0F\u660E"),
            QStringLiteral(u"\u5C0F\u670B"));
    addPair("simplified and traditional wei", QStringLiteral(u"\u738B\u4F1F"),
            QStringLiteral(u"\u738B\u5049"));
    addPair("zhang wei and zhang wei (other)", QStringLiteral(u"\u5F20\u4F1F"),
            QStringLiteral(u"\u5F20\u73AE"));
    addPair("li na and li na (other)", QStringLiteral(u"\u674E\u5A1C"),
            QStringLiteral(u"\u674E\u90A3"));
    addPair("Korean minsu and minseo", QStringLiteral(u"\uAE40\uBBFC\uC218"),
            QStringLiteral(u"\uAE40\uBBFC\uC11C"));
    addPair("Japanese tanaka and yamada", QStringLiteral(u"\u7530\u4E2D"),
            QStringLiteral(u"\u5C71\u7530"));
}

void TestNameKey::differentNamesDoNot()
{
    checkPair(false);
}

void TestNameKey::knownGaps_data()
{
    QTest::addColumn<QString>("a");
    QTest::addColumn<QString>("b");
    addPair("capital I for l", QStringLiteral("Alice"), QStringLiteral("AIice"));
}

void TestNameKey::knownGaps()
{
    QFETCH(QString, a);
    QFETCH(QString, b);
    QEXPECT_FAIL("capital I for l",
                 "case folding comes before the skeleton, so I becomes i, not l (namekey.h)",
                 Continue);
    QCOMPARE(accountNameKey(b), accountNameKey(a));
}

void TestNameKey::cjkNamesStayDistinctAndStable()
{
    const QStringList names = {
        QStringLiteral(u"\u5C0F\u660E"),       QStringLiteral(u"\u5C0F\u670B"),
        QStringLiteral(u"\u5C0F\u7EA2"),       QStringLiteral(u"\u738B\u4F1F"),
        QStringLiteral(u"\u738B\u5049"),       QStringLiteral(u"\u5F20\u4F1F"),
        QStringLiteral(u"\u5F20\u73AE"),       QStringLiteral(u"\u674E\u5A1C"),
        QStringLiteral(u"\u674E\u90A3"),       QStringLiteral(u"\u5218\u6D0B"),
        QStringLiteral(u"\u9648\u9759"),       QStringLiteral(u"\u6768\u6D0B"),
        QStringLiteral(u"\u7530\u4E2D"),       QStringLiteral(u"\u5C71\u7530"),
        QStringLiteral(u"\u5DE5\u85E4"),       QStringLiteral(u"\uAE40\uBBFC\uC218"),
        QStringLiteral(u"\uAE40\uBBFC\uC11C"), QStringLiteral(u"\u30A2\u30AD\u30E9"),
    };
    QHash<QString, QString> owner;
    for (const QString &name : names) {
        const QString key = accountNameKey(name);
        QVERIFY2(!key.isEmpty(), qPrintable(name));
        QCOMPARE(accountNameKey(name), key);
        QVERIFY2(!owner.contains(key),
                 qPrintable(QStringLiteral("%1 collides with %2").arg(name, owner.value(key))));
        owner.insert(key, name);
    }
    // Han characters are their own prototypes: a Chinese name is its own key.
    QCOMPARE(accountNameKey(QStringLiteral(u"\u5C0F\u660E")), QStringLiteral(u"\u5C0F\u660E"));
    QCOMPARE(accountNameKey(QStringLiteral(u"\u738B\u5049")), QStringLiteral(u"\u738B\u5049"));
}

void TestNameKey::nothingVisibleHasNoKey()
{
    QVERIFY(accountNameKey(QString()).isEmpty());
    QVERIFY(accountNameKey(QStringLiteral(u"\u200B\u3164")).isEmpty());
    QVERIFY(!accountNamesCollide(QString(), QString()));
    QVERIFY(!accountNamesCollide(QStringLiteral(u"\u200B"), QStringLiteral(u"\u3164")));
}

void TestNameKey::sameKeyFromManyThreads()
{
    const QString expected = accountNameKey(QStringLiteral("alice"));
    std::vector<int> mismatches(4, 0);
    std::vector<std::thread> threads;
    for (size_t t = 0; t < mismatches.size(); ++t) {
        threads.emplace_back([&mismatches, &expected, t] {
            for (int i = 0; i < 2000; ++i) {
                if (accountNameKey(QStringLiteral(u"\U0001D400L\u0456ce\u200B")) != expected)
                    ++mismatches[t];
            }
        });
    }
    for (std::thread &thread : threads)
        thread.join();
    for (int count : mismatches)
        QCOMPARE(count, 0);
}

QTEST_APPLESS_MAIN(TestNameKey)
#include "tst_namekey.moc"
