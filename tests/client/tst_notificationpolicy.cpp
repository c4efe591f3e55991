// When a message deserves a desktop notification (the whole table), and the settings it reads:
// kept per server and account, with their defaults.
#include "notificationpolicy.h"
#include "notificationsettings.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace chat::client;

Q_DECLARE_METATYPE(chat::client::NotifyLevel)

class TestNotificationPolicy : public QObject
{
    Q_OBJECT
private slots:
    void table_data();
    void table();
    void levelNames();
    void closeKeepsRunningOnlyWithATray();
    void settingsPerServerAndAccount();
    void programWideSettings();

private:
    QTemporaryDir m_dir;
};

void TestNotificationPolicy::table_data()
{
    QTest::addColumn<bool>("direct");
    QTest::addColumn<bool>("mentionsUs");
    QTest::addColumn<bool>("fromUs");
    QTest::addColumn<NotifyLevel>("level");
    QTest::addColumn<bool>("looking");
    QTest::addColumn<bool>("muted");
    QTest::addColumn<bool>("notify");

    const NotifyLevel all = NotifyLevel::All;
    const NotifyLevel mentions = NotifyLevel::MentionsOnly;
    const NotifyLevel nothing = NotifyLevel::Nothing;
    //                                   direct mention fromUs level looking muted notify
    QTest::newRow("room plain, all") << false << false << false << all << false << false << true;
    QTest::newRow("room plain, mentions only")
        << false << false << false << mentions << false << false << false;
    QTest::newRow("room mention, mentions only")
        << false << true << false << mentions << false << false << true;
    QTest::newRow("room mention, nothing")
        << false << true << false << nothing << false << false << false;
    QTest::newRow("direct, default all") << true << false << false << all << false << false << true;
    QTest::newRow("direct, mentions only: still addressed to us")
        << true << false << false << mentions << false << false << true;
    QTest::newRow("direct, nothing")
        << true << false << false << nothing << false << false << false;
    QTest::newRow("own message") << true << true << true << all << false << false << false;
    QTest::newRow("looking at the room") << true << true << false << all << true << false << false;
    QTest::newRow("muted all") << true << true << false << all << false << true << false;
}

void TestNotificationPolicy::table()
{
    QFETCH(bool, direct);
    QFETCH(bool, mentionsUs);
    QFETCH(bool, fromUs);
    QFETCH(NotifyLevel, level);
    QFETCH(bool, looking);
    QFETCH(bool, muted);
    QFETCH(bool, notify);
    QCOMPARE(shouldNotify({direct, mentionsUs, fromUs}, {level, looking, muted}), notify);
}

void TestNotificationPolicy::levelNames()
{
    for (const NotifyLevel level :
         {NotifyLevel::All, NotifyLevel::MentionsOnly, NotifyLevel::Nothing})
        QCOMPARE(notifyLevelFromName(notifyLevelName(level), NotifyLevel::Nothing), level);
    QCOMPARE(notifyLevelFromName(QStringLiteral("loud"), NotifyLevel::All), NotifyLevel::All);
    QCOMPARE(defaultLevel(true), NotifyLevel::All);
    QCOMPARE(defaultLevel(false), NotifyLevel::MentionsOnly);
}

void TestNotificationPolicy::closeKeepsRunningOnlyWithATray()
{
    QVERIFY(closeKeepsRunning(true, true));
    QVERIFY(!closeKeepsRunning(true, false));
    QVERIFY(!closeKeepsRunning(false, true));
    QVERIFY(!closeKeepsRunning(false, false));
}

void TestNotificationPolicy::settingsPerServerAndAccount()
{
    const QString file = m_dir.filePath(QStringLiteral("scopes.ini"));
    const QUrl server(QStringLiteral("ws://chat.example:8080/"));
    const QString direct = QStringLiteral("@1-2"); // a direct room's name
    {
        NotificationSettings settings(file);
        settings.setScope(server, QStringLiteral("alice"));
        QCOMPARE(settings.level(QStringLiteral("dev"), false), NotifyLevel::MentionsOnly);
        QCOMPARE(settings.level(direct, true), NotifyLevel::All);
        QSignalSpy changed(&settings, &NotificationSettings::changed);
        settings.setLevel(QStringLiteral("dev"), NotifyLevel::All);
        settings.setLevel(direct, NotifyLevel::Nothing);
        QCOMPARE(changed.count(), 2);
        QCOMPARE(settings.level(QStringLiteral("dev"), false), NotifyLevel::All);
        QCOMPARE(settings.level(direct, true), NotifyLevel::Nothing);

        // Another account on that server, and the same account on another server: their own.
        settings.setScope(server, QStringLiteral("bob"));
        QCOMPARE(settings.level(QStringLiteral("dev"), false), NotifyLevel::MentionsOnly);
        settings.setScope(QUrl(QStringLiteral("ws://chat.example:9090/")), QStringLiteral("alice"));
        QCOMPARE(settings.level(QStringLiteral("dev"), false), NotifyLevel::MentionsOnly);
    }
    // Kept, for the account by any spelling of its name.
    NotificationSettings again(file);
    again.setScope(server, QStringLiteral("Alice"));
    QCOMPARE(again.level(QStringLiteral("dev"), false), NotifyLevel::All);
    QCOMPARE(again.level(direct, true), NotifyLevel::Nothing);
}

void TestNotificationPolicy::programWideSettings()
{
    const QString file = m_dir.filePath(QStringLiteral("program.ini"));
    {
        NotificationSettings settings(file);
        QVERIFY(!settings.mutedAll());
        QVERIFY(settings.keepInTray());
        QSignalSpy changed(&settings, &NotificationSettings::changed);
        settings.setMutedAll(true);
        settings.setKeepInTray(false);
        settings.setKeepInTray(false); // no change, no signal
        QCOMPARE(changed.count(), 2);
    }
    NotificationSettings again(file);
    QVERIFY(again.mutedAll());
    QVERIFY(!again.keepInTray());
}

QTEST_GUILESS_MAIN(TestNotificationPolicy)
#include "tst_notificationpolicy.moc"
