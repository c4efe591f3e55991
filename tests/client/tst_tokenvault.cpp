// The token vault's file backend: one file per server and account, readable by its owner only,
// holding the token and never a password; and the keychain vault's fallback to it.
#include "chinesetranslation.h"
#include "keychaintokenvault.h"
#include "tokenvault.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using chat::client::FileTokenVault;
using chat::client::KeychainTokenVault;
using chat::client::TokenVault;

namespace {

const QUrl kServerA(QStringLiteral("ws://chat.example.org:8080/"));
const QUrl kServerB(QStringLiteral("wss://other.example.org/"));

QString readBack(TokenVault &vault, const QUrl &server, const QString &account)
{
    QString result = QStringLiteral("(no answer)");
    bool answered = false;
    vault.read(server, account, &vault, [&](const QString &token) {
        result = token;
        answered = true;
    });
    if (!QTest::qWaitFor([&] { return answered; }, 30000))
        return QStringLiteral("(timeout)");
    return result;
}

mode_t modeOf(const QString &path)
{
    struct stat info = {};
    if (::stat(QFile::encodeName(path).constData(), &info) != 0)
        return 0;
    return info.st_mode & 07777;
}

} // namespace

class TestTokenVault : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { QVERIFY(chat::test::installChineseTranslation()); }
    void storesOneTokenPerServerAndAccount();
    void filesAreForTheOwnerOnly();
    void accountNamesFoldLikeTheServer();
    void removeForgets();
    void damagedOrForeignFileGivesNoToken();
    void keychainFallsBackToFileAndSaysSoOnce();
};

void TestTokenVault::storesOneTokenPerServerAndAccount()
{
    QTemporaryDir dir;
    FileTokenVault vault(dir.path());
    QCOMPARE(readBack(vault, kServerA, QStringLiteral("alice")), QString());
    vault.write(kServerA, QStringLiteral("alice"), QStringLiteral("token-a-alice"));
    vault.write(kServerA, QStringLiteral("bob"), QStringLiteral("token-a-bob"));
    vault.write(kServerB, QStringLiteral("alice"), QStringLiteral("token-b-alice"));
    QCOMPARE(readBack(vault, kServerA, QStringLiteral("alice")), QStringLiteral("token-a-alice"));
    QCOMPARE(readBack(vault, kServerA, QStringLiteral("bob")), QStringLiteral("token-a-bob"));
    QCOMPARE(readBack(vault, kServerB, QStringLiteral("alice")), QStringLiteral("token-b-alice"));
    QCOMPARE(readBack(vault, kServerB, QStringLiteral("bob")), QString());
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files).size(), 3);

    // A new token replaces the old one; another vault on the same directory reads it.
    vault.write(kServerA, QStringLiteral("alice"), QStringLiteral("token-a-alice-2"));
    FileTokenVault again(dir.path());
    QCOMPARE(readBack(again, kServerA, QStringLiteral("alice")), QStringLiteral("token-a-alice-2"));
}

void TestTokenVault::filesAreForTheOwnerOnly()
{
    QTemporaryDir dir;
    const QString directory = dir.filePath(QStringLiteral("tokens"));
    FileTokenVault vault(directory);
    QVERIFY(vault.store(kServerA, QStringLiteral("alice"), QStringLiteral("secret-token")));
    const QString path = vault.pathFor(kServerA, QStringLiteral("alice"));
    QVERIFY(QFile::exists(path));
    QCOMPARE(modeOf(path), mode_t(0600));
    QCOMPARE(modeOf(directory), mode_t(0700));

    // Even over a file someone made readable for all.
    QVERIFY(QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                            QFileDevice::ReadOther | QFileDevice::ReadGroup));
    QVERIFY(vault.store(kServerA, QStringLiteral("alice"), QStringLiteral("secret-token-2")));
    QCOMPARE(modeOf(path), mode_t(0600));
}

void TestTokenVault::accountNamesFoldLikeTheServer()
{
    QTemporaryDir dir;
    FileTokenVault vault(dir.path());
    vault.write(kServerA, QStringLiteral("Alice"), QStringLiteral("t1"));
    QCOMPARE(readBack(vault, kServerA, QStringLiteral(" alice ")), QStringLiteral("t1"));
    QCOMPARE(TokenVault::entryKey(kServerA, QStringLiteral("ALICE")),
             TokenVault::entryKey(kServerA, QStringLiteral("alice")));
    QVERIFY(TokenVault::entryKey(kServerA, QStringLiteral("alice")) !=
            TokenVault::entryKey(kServerB, QStringLiteral("alice")));
}

void TestTokenVault::removeForgets()
{
    QTemporaryDir dir;
    FileTokenVault vault(dir.path());
    vault.write(kServerA, QStringLiteral("alice"), QStringLiteral("t1"));
    vault.write(kServerA, QStringLiteral("bob"), QStringLiteral("t2"));
    vault.remove(kServerA, QStringLiteral("alice"));
    QCOMPARE(readBack(vault, kServerA, QStringLiteral("alice")), QString());
    QCOMPARE(readBack(vault, kServerA, QStringLiteral("bob")), QStringLiteral("t2"));
    QVERIFY(!QFile::exists(vault.pathFor(kServerA, QStringLiteral("alice"))));
    vault.remove(kServerA, QStringLiteral("nobody")); // nothing there: no harm
}

void TestTokenVault::damagedOrForeignFileGivesNoToken()
{
    QTemporaryDir dir;
    FileTokenVault vault(dir.path());
    vault.write(kServerA, QStringLiteral("alice"), QStringLiteral("t1"));
    const QString path = vault.pathFor(kServerA, QStringLiteral("alice"));
    // Bob's file copied over Alice's name must not log in as Alice.
    QVERIFY(QFile::remove(path));
    vault.write(kServerA, QStringLiteral("bob"), QStringLiteral("t2"));
    QVERIFY(QFile::copy(vault.pathFor(kServerA, QStringLiteral("bob")), path));
    QCOMPARE(readBack(vault, kServerA, QStringLiteral("alice")), QString());
    QFile damaged(path);
    QVERIFY(damaged.open(QIODevice::WriteOnly | QIODevice::Truncate));
    damaged.write("{not json");
    damaged.close();
    QCOMPARE(readBack(vault, kServerA, QStringLiteral("alice")), QString());
}

void TestTokenVault::keychainFallsBackToFileAndSaysSoOnce()
{
    // No keychain here: no session bus, no Secret Service.
    qputenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus");
    QTemporaryDir dir;
    KeychainTokenVault vault(dir.path());
    QSignalSpy notices(&vault, &TokenVault::notice);
    vault.write(kServerA, QStringLiteral("alice"), QStringLiteral("kept-token"));
    QTRY_VERIFY_WITH_TIMEOUT(vault.usesFile(), 30000);
    QTRY_COMPARE(readBack(vault, kServerA, QStringLiteral("alice")), QStringLiteral("kept-token"));
    vault.write(kServerA, QStringLiteral("bob"), QStringLiteral("other-token"));
    QCOMPARE(readBack(vault, kServerA, QStringLiteral("bob")), QStringLiteral("other-token"));
    QCOMPARE(notices.count(), 1);
    QCOMPARE(notices.at(0).at(0).toString(), KeychainTokenVault::fallbackNotice());
    // In the file vault's place, for the owner only.
    FileTokenVault file(dir.path());
    QCOMPARE(modeOf(file.pathFor(kServerA, QStringLiteral("alice"))), mode_t(0600));
    vault.remove(kServerA, QStringLiteral("alice"));
    QCOMPARE(readBack(vault, kServerA, QStringLiteral("alice")), QString());
}

QTEST_GUILESS_MAIN(TestTokenVault)
#include "tst_tokenvault.moc"
