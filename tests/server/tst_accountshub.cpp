// Accounts end to end (issue 10): real WebSocket clients log in to a real hub by registration,
// password and token; names that look alike are one name; one account on several devices;
// logging out, changing the password, ending a device, expiry, registration modes, throttling
// and a login flood while others chat.
#include "accounts/accounts.h"
#include "codec.h"
#include "hubtestbase.h"
#include "residentmemory.h"

#include <QElapsedTimer>
#include <QTest>

#include <algorithm>

using namespace chat::proto;
using chat::server::Accounts;
using chat::server::RegistrationMode;
using chat::test::kTestPassword;
using chat::test::TestClient;

namespace {

Hello registration(const QString &name, const QString &password = kTestPassword,
                   const QString &invite = {}, const QString &display = {})
{
    Hello hello;
    hello.registration = Registration{name, password, invite, display};
    hello.device = QStringLiteral("test");
    return hello;
}

Hello login(const QString &name, const QString &password = kTestPassword)
{
    Hello hello;
    hello.login = Login{name, password};
    hello.device = QStringLiteral("test");
    return hello;
}

Hello tokenHello(const QString &token)
{
    Hello hello;
    hello.token = token;
    hello.device = QStringLiteral("test");
    return hello;
}

qint64 median(QList<qint64> values)
{
    std::sort(values.begin(), values.end());
    return values.isEmpty() ? 0 : values[values.size() / 2];
}

} // namespace

class AccountsHubTest : public chat::test::HubTestBase
{
    Q_OBJECT
private slots:
    void init() { QVERIFY(startHub()); }
    void cleanup()
    {
        verifyClientsHealthy();
        stopAll();
    }

    void registerThenLogInWithTokenAndPassword();
    void wrongPasswordAndUnknownNameAnsweredAlike();
    void lookAlikeNameRefused_data();
    void lookAlikeNameRefused();
    void displayNameIsNeverIdentity();
    void twoDevicesOfOneAccount();
    void logoutEndsThisDeviceOnly();
    void changePasswordEndsOtherDevices();
    void devicesListedAndEnded();
    void expiredTokenRefused();
    void disabledAccountIsClosed();
    void registrationClosed();
    void registrationByInvite();
    void openRegistrationThrottledPerAddress();
    void failedLoginsSlowDown();
    void loginFloodDoesNotSlowChat();

private:
    // Registers `name` on a new connection; the client, joined, or nullptr.
    TestClient *registered(const QString &name, const QString &display = {})
    {
        TestClient *client = connectClient();
        return client && client->helloAndWait(registration(name, kTestPassword, {}, display))
                   ? client
                   : nullptr;
    }
    // A refused hello: its one error's code, after the server closed the connection.
    static std::optional<ErrorCode> refusal(TestClient *client, const Hello &hello)
    {
        if (client->helloAndWait(hello) || client->errors().isEmpty() ||
            !client->waitForDisconnected())
            return std::nullopt;
        return client->errors().constLast().code;
    }
};

void AccountsHubTest::registerThenLogInWithTokenAndPassword()
{
    TestClient *first = registered(QStringLiteral("alice"));
    QVERIFY(first);
    const Welcome welcome = *first->welcome();
    QCOMPARE(welcome.account, QStringLiteral("alice"));
    QCOMPARE(welcome.token.size(), 43); // 32 bytes in base64url
    first->close();

    TestClient *byToken = connectClient();
    QVERIFY(byToken && byToken->helloAndWait(tokenHello(welcome.token)));
    QCOMPARE(byToken->welcome()->account, QStringLiteral("alice"));
    QVERIFY(byToken->welcome()->token.isEmpty()); // the device keeps the one it has

    TestClient *byPassword = connectClient();
    QVERIFY(byPassword && byPassword->helloAndWait(login(QStringLiteral("ALICE"))));
    QCOMPARE(byPassword->welcome()->account, QStringLiteral("alice"));
    QVERIFY(!byPassword->welcome()->token.isEmpty());
    QVERIFY(byPassword->welcome()->token != welcome.token);

    // Whoever sends, the message is from the account.
    byPassword->send(QStringLiteral("hi"));
    QVERIFY(byToken->waitForMessages(1));
    QCOMPARE(byToken->messages()[0].from, QStringLiteral("alice"));
}

void AccountsHubTest::wrongPasswordAndUnknownNameAnsweredAlike()
{
    QVERIFY(registered(QStringLiteral("alice")));
    TestClient *wrong = connectClient();
    TestClient *unknown = connectClient();
    QVERIFY(wrong && unknown);
    QCOMPARE(refusal(wrong, login(QStringLiteral("alice"), QStringLiteral("not her password"))),
             ErrorCode::LoginFailed);
    QCOMPARE(refusal(unknown, login(QStringLiteral("mallory"), QStringLiteral("anything 123"))),
             ErrorCode::LoginFailed);
    QCOMPARE(wrong->errors()[0].message, unknown->errors()[0].message);
    QCOMPARE(wrong->closeCode(), QWebSocketProtocol::CloseCodePolicyViolated);
}

void AccountsHubTest::lookAlikeNameRefused_data()
{
    QTest::addColumn<QString>("taken");
    QTest::addColumn<QString>("second");
    QTest::addColumn<bool>("holderOnline");
    QTest::addColumn<ErrorCode>("code");
    const QString alice = QStringLiteral("alice");
    const struct
    {
        const char *row;
        QString second;
        ErrorCode code;
    } rows[] = {
        {"same", alice, ErrorCode::NameTaken},
        {"capital", QStringLiteral("Alice"), ErrorCode::NameTaken},
        {"all capitals", QStringLiteral("ALICE"), ErrorCode::NameTaken},
        {"Cyrillic A", QStringLiteral("\u0410lice"), ErrorCode::NameTaken},
        {"Cyrillic a", QStringLiteral("\u0430lice"), ErrorCode::NameTaken},
        {"fullwidth A", QStringLiteral("\uFF21lice"), ErrorCode::NameTaken},
        {"mathematical bold A", QStringLiteral("\U0001D400lice"), ErrorCode::NameTaken},
        {"Greek omicron for o", QStringLiteral("b\u03BFb"), ErrorCode::NameTaken},
        {"white space around", QStringLiteral("  alice "), ErrorCode::NameTaken},
        // Invisible characters are refused by the name rules before any comparison.
        {"zero-width space", QStringLiteral("al\u200Bice"), ErrorCode::NameInvalid},
        {"zero-width joiner", QStringLiteral("ali\u200Dce"), ErrorCode::NameInvalid},
        {"soft hyphen", QStringLiteral("ali\u00ADce"), ErrorCode::NameInvalid},
        {"Hangul filler", QStringLiteral("alice\u3164"), ErrorCode::NameInvalid},
    };
    for (const auto &row : rows) {
        const QString taken =
            row.second == QStringLiteral("b\u03BFb") ? QStringLiteral("bob") : alice;
        QTest::addRow("%s, holder online", row.row) << taken << row.second << true << row.code;
        QTest::addRow("%s, holder offline", row.row) << taken << row.second << false << row.code;
    }
}

void AccountsHubTest::lookAlikeNameRefused()
{
    QFETCH(QString, taken);
    QFETCH(QString, second);
    QFETCH(bool, holderOnline);
    QFETCH(ErrorCode, code);
    TestClient *holder = registered(taken);
    QVERIFY(holder);
    if (!holderOnline) {
        holder->close();
        QTRY_COMPARE(hub().onlineCount(), 0);
    }
    TestClient *other = connectClient();
    QVERIFY(other);
    QCOMPARE(refusal(other, registration(second, QStringLiteral("another password"))), code);
    QVERIFY(!other->errors()[0].message.isEmpty());
    QCOMPARE(hub().onlineCount(), holderOnline ? 1 : 0);
}

void AccountsHubTest::displayNameIsNeverIdentity()
{
    TestClient *bob = registered(QStringLiteral("bob"), QStringLiteral("alice"));
    QVERIFY(bob);
    QCOMPARE(bob->welcome()->display, QStringLiteral("alice"));
    // The display name does not hold the account name: a real alice can still register...
    TestClient *alice = registered(QStringLiteral("alice"));
    QVERIFY(alice);
    // ... and bob's password does not log in as "alice".
    TestClient *impostor = connectClient();
    QVERIFY(impostor);
    QCOMPARE(refusal(impostor, login(QStringLiteral("alice"), QStringLiteral("wrong password"))),
             ErrorCode::LoginFailed);

    bob->send(QStringLiteral("I am alice"));
    QVERIFY(alice->waitForMessages(1));
    QCOMPARE(alice->messages()[0].from, QStringLiteral("bob"));
    QCOMPARE(alice->messages()[0].display, QStringLiteral("alice"));

    // A new display name reaches the others as a join of someone already there.
    bob->sendMessage(SetDisplay{QStringLiteral("d1"), QStringLiteral("鲍勃")});
    QTRY_VERIFY(alice->joinsSeen().count(QStringLiteral("bob")) >= 1);
    QTRY_VERIFY(
        std::any_of(alice->presences().cbegin(), alice->presences().cend(), [](const Presence &p) {
            return p.joined.contains(User{QStringLiteral("bob"), QStringLiteral("鲍勃")});
        }));
    QVERIFY(alice->leavesSeen().isEmpty());
}

void AccountsHubTest::twoDevicesOfOneAccount()
{
    TestClient *laptop = registered(QStringLiteral("alice"));
    TestClient *bob = registered(QStringLiteral("bob"));
    QVERIFY(laptop && bob);
    QVERIFY(bob->waitForUsers({QStringLiteral("alice"), QStringLiteral("bob")}));
    const auto mentionsOfAlice = [bob] {
        return bob->joinsSeen().count(QStringLiteral("alice")) +
               bob->leavesSeen().count(QStringLiteral("alice"));
    };
    const qsizetype mentionsBefore = mentionsOfAlice();

    TestClient *phone = connectClient();
    QVERIFY(phone && phone->helloAndWait(login(QStringLiteral("alice"))));
    QCOMPARE(hub().onlineCount(), 2);
    QCOMPARE(hub().connectionCount(), 3);

    // Both devices receive everything the account receives, their own words included.
    bob->send(QStringLiteral("hello alice"));
    const QString own = phone->send(QStringLiteral("from the phone"));
    for (TestClient *device : {laptop, phone})
        QVERIFY(device->waitForMessages(2));
    QCOMPARE(laptop->messages().constLast().id, own);

    // One device dropping is no news. Presences come in order: once carol's join arrived,
    // anything told about the phone would have come before it.
    phone->abort();
    QTRY_COMPARE(hub().connectionCount(), 2);
    QVERIFY(registered(QStringLiteral("carol")));
    QVERIFY(bob->waitForJoin(QStringLiteral("carol")));
    QCOMPARE(mentionsOfAlice(), mentionsBefore);
    // The last one is.
    laptop->close();
    QVERIFY(bob->waitForLeave(QStringLiteral("alice")));
    QCOMPARE(hub().onlineCount(), 2);
}

void AccountsHubTest::logoutEndsThisDeviceOnly()
{
    TestClient *laptop = registered(QStringLiteral("alice"));
    TestClient *phone = connectClient();
    QVERIFY(laptop && phone && phone->helloAndWait(login(QStringLiteral("alice"))));
    const QString laptopToken = laptop->welcome()->token;
    const QString phoneToken = phone->welcome()->token;

    laptop->sendMessage(Logout{QStringLiteral("bye")});
    QVERIFY(laptop->waitForDisconnected());
    QCOMPARE(laptop->closeCode(), QWebSocketProtocol::CloseCodeNormal);
    QVERIFY(std::any_of(laptop->all().cbegin(), laptop->all().cend(), [](const auto &m) {
        const auto *done = std::get_if<Done>(&m);
        return done && done->ref == QStringLiteral("bye");
    }));
    QVERIFY(phone->isOpen());

    TestClient *again = connectClient();
    QVERIFY(again);
    QCOMPARE(refusal(again, tokenHello(laptopToken)), ErrorCode::TokenInvalid);
    TestClient *phoneAgain = connectClient();
    QVERIFY(phoneAgain && phoneAgain->helloAndWait(tokenHello(phoneToken)));
}

void AccountsHubTest::changePasswordEndsOtherDevices()
{
    TestClient *laptop = registered(QStringLiteral("alice"));
    TestClient *phone = connectClient();
    QVERIFY(laptop && phone && phone->helloAndWait(login(QStringLiteral("alice"))));
    const QString phoneToken = phone->welcome()->token;

    const QString newPassword = QStringLiteral("a new password");
    laptop->sendMessage(ChangePassword{QStringLiteral("c1"), kTestPassword, newPassword});
    QVERIFY(phone->waitForDisconnected());
    QCOMPARE(phone->errors().constLast().code, ErrorCode::TokenInvalid);
    QTRY_VERIFY(std::any_of(laptop->all().cbegin(), laptop->all().cend(), [](const auto &m) {
        const auto *done = std::get_if<Done>(&m);
        return done && done->ref == QStringLiteral("c1") && !done->token.isEmpty();
    }));
    QVERIFY(laptop->isOpen());
    QString laptopToken;
    for (const ServerMessage &m : laptop->all())
        if (const auto *done = std::get_if<Done>(&m))
            laptopToken = done->token;

    TestClient *oldToken = connectClient();
    QVERIFY(oldToken);
    QCOMPARE(refusal(oldToken, tokenHello(phoneToken)), ErrorCode::TokenInvalid);
    TestClient *oldPassword = connectClient();
    QVERIFY(oldPassword);
    QCOMPARE(refusal(oldPassword, login(QStringLiteral("alice"))), ErrorCode::LoginFailed);
    TestClient *newToken = connectClient();
    QVERIFY(newToken && newToken->helloAndWait(tokenHello(laptopToken)));
    TestClient *withNew = connectClient();
    QVERIFY(withNew && withNew->helloAndWait(login(QStringLiteral("alice"), newPassword)));

    // A wrong current password changes nothing.
    withNew->sendMessage(ChangePassword{QStringLiteral("c2"), kTestPassword, newPassword});
    QVERIFY(withNew->waitForErrors(1));
    QCOMPARE(withNew->errors()[0].ref, QStringLiteral("c2"));
    QVERIFY(newToken->isOpen());
}

void AccountsHubTest::devicesListedAndEnded()
{
    TestClient *laptop = registered(QStringLiteral("alice"));
    TestClient *phone = connectClient();
    Hello phoneHello = login(QStringLiteral("alice"));
    phoneHello.device = QStringLiteral("手机");
    QVERIFY(laptop && phone && phone->helloAndWait(phoneHello));

    laptop->sendMessage(ListDevices{QStringLiteral("l1")});
    QList<Device> devices;
    QTRY_VERIFY(std::any_of(laptop->all().cbegin(), laptop->all().cend(), [&](const auto &m) {
        const auto *list = std::get_if<Devices>(&m);
        if (list && list->ref == QStringLiteral("l1"))
            devices = list->devices;
        return list != nullptr;
    }));
    QCOMPARE(devices.size(), 2);
    QCOMPARE(
        std::count_if(devices.cbegin(), devices.cend(), [](const Device &d) { return d.current; }),
        1);
    const auto other =
        std::find_if(devices.cbegin(), devices.cend(), [](const Device &d) { return !d.current; });
    QCOMPARE(other->name, QStringLiteral("手机"));

    laptop->sendMessage(EndDevice{QStringLiteral("e1"), other->id});
    QVERIFY(phone->waitForDisconnected());
    QCOMPARE(phone->errors().constLast().code, ErrorCode::TokenInvalid);
    QTRY_VERIFY(std::any_of(laptop->all().cbegin(), laptop->all().cend(), [](const auto &m) {
        const auto *list = std::get_if<Devices>(&m);
        return list && list->ref == QStringLiteral("e1") && list->devices.size() == 1;
    }));
}

void AccountsHubTest::expiredTokenRefused()
{
    TestClient *alice = registered(QStringLiteral("alice"));
    QVERIFY(alice);
    const QString token = alice->welcome()->token;
    alice->close();
    QTRY_COMPARE(hub().connectionCount(), 0);
    // Ninety-one days on, nothing has used it.
    hub().accounts()->expireTokens(QDateTime::currentDateTimeUtc().addDays(91));
    TestClient *later = connectClient();
    QVERIFY(later);
    QCOMPARE(refusal(later, tokenHello(token)), ErrorCode::TokenInvalid);
}

void AccountsHubTest::disabledAccountIsClosed()
{
    TestClient *alice = registered(QStringLiteral("alice"));
    QVERIFY(alice);
    const QString token = alice->welcome()->token;
    QString reason;
    QVERIFY2(hub().accounts()->setDisabled(QStringLiteral("alice"), true, &reason),
             qPrintable(reason));
    QVERIFY(alice->waitForDisconnected());
    QCOMPARE(alice->errors().constLast().code, ErrorCode::AccountDisabled);
    TestClient *again = connectClient();
    QVERIFY(again);
    QCOMPARE(refusal(again, tokenHello(token)), ErrorCode::AccountDisabled);
}

void AccountsHubTest::registrationClosed()
{
    auto config = testConfig();
    config.accounts.registration = RegistrationMode::Closed;
    QVERIFY(startHub(config));
    TestClient *client = connectClient();
    QVERIFY(client);
    QCOMPARE(refusal(client, registration(QStringLiteral("alice"))), ErrorCode::RegistrationClosed);
    // An admin's account logs in all the same.
    QString reason;
    QVERIFY(hub()
                .accounts()
                ->createToken(QStringLiteral("bot"), QStringLiteral("script"), &reason)
                .size() > 0);
}

void AccountsHubTest::registrationByInvite()
{
    auto config = testConfig();
    config.accounts.registration = RegistrationMode::Invite;
    QVERIFY(startHub(config));
    TestClient *without = connectClient();
    QVERIFY(without);
    QCOMPARE(refusal(without, registration(QStringLiteral("alice"))), ErrorCode::InviteInvalid);
    TestClient *wrong = connectClient();
    QVERIFY(wrong);
    QCOMPARE(refusal(wrong, registration(QStringLiteral("alice"), kTestPassword,
                                         QStringLiteral("not-a-code"))),
             ErrorCode::InviteInvalid);

    QString reason;
    const QString code = hub().accounts()->createInvite(2, 7, &reason);
    QVERIFY2(!code.isEmpty(), qPrintable(reason));
    for (const QString &name : {QStringLiteral("alice"), QStringLiteral("bob")}) {
        TestClient *client = connectClient();
        QVERIFY(client && client->helloAndWait(registration(name, kTestPassword, code)));
    }
    TestClient *third = connectClient();
    QVERIFY(third);
    QCOMPARE(refusal(third, registration(QStringLiteral("carol"), kTestPassword, code)),
             ErrorCode::InviteInvalid);
}

void AccountsHubTest::openRegistrationThrottledPerAddress()
{
    auto config = testConfig();
    config.accounts.registrationsPerAddress = 3;
    QVERIFY(startHub(config));
    for (int i = 0; i < 3; ++i)
        QVERIFY(registered(QStringLiteral("user%1").arg(i)));
    TestClient *fourth = connectClient();
    QVERIFY(fourth);
    QCOMPARE(refusal(fourth, registration(QStringLiteral("user3"))), ErrorCode::TooManyAttempts);
    QVERIFY(fourth->errors()[0].message.contains(QStringLiteral("try again")));
}

void AccountsHubTest::failedLoginsSlowDown()
{
    auto config = testConfig();
    config.accounts.freeFailures = 2;
    config.accounts.firstFailureDelayMs = 60 * 1000;
    QVERIFY(startHub(config));
    QVERIFY(registered(QStringLiteral("alice")));
    for (int i = 0; i < 2; ++i) {
        TestClient *guess = connectClient();
        QVERIFY(guess);
        QCOMPARE(
            refusal(guess, login(QStringLiteral("alice"), QStringLiteral("wrong guess %1").arg(i))),
            ErrorCode::LoginFailed);
    }
    // Now even the right password must wait: an attacker learns nothing by trying faster.
    TestClient *right = connectClient();
    QVERIFY(right);
    QCOMPARE(refusal(right, login(QStringLiteral("alice"))), ErrorCode::TooManyAttempts);
    // A device that has its token is not locked out.
    TestClient *device = connectClient();
    QVERIFY(device && device->helloAndWait(tokenHello(
                          chat::test::TokenBook::token(url(), QStringLiteral("alice")))));
}

void AccountsHubTest::loginFloodDoesNotSlowChat()
{
    // Real Argon2id costs (64 MiB, tens of milliseconds each), two workers.
    auto config = testConfig();
    config.accounts.cheapHashes = false;
    config.accounts.hashWorkers = 2;
    config.accounts.maxQueuedHashes = chat::server::AccountPolicy().maxQueuedHashes;
    config.accounts.freeFailures = 1000000; // the flood must reach the hasher
    config.ratePerSecond = 0;               // the round trips are measured back to back
    QVERIFY(startHub(config));
    TestClient *alice = registered(QStringLiteral("alice"));
    TestClient *bob = registered(QStringLiteral("bob"));
    QVERIFY(alice && bob);

    const auto roundTrips = [&](int count) {
        QList<qint64> micros;
        for (int i = 0; i < count; ++i) {
            QElapsedTimer timer;
            timer.start();
            alice->send(QStringLiteral("ping %1").arg(i));
            if (!bob->waitForMessages(bob->messages().size() + 1))
                return QList<qint64>{};
            micros.append(timer.nsecsElapsed() / 1000);
        }
        return micros;
    };
    const qint64 idle = median(roundTrips(30));
    QVERIFY(idle > 0);
    const qint64 rssBefore = chat::test::residentBytes();

    constexpr int kFlood = 300;
    QList<TestClient *> flood;
    for (int i = 0; i < kFlood; ++i) {
        TestClient *attacker = newClient();
        attacker->openAsync(url());
        flood.append(attacker);
    }
    QTRY_VERIFY_WITH_TIMEOUT(
        std::all_of(flood.cbegin(), flood.cend(), [](TestClient *c) { return c->isOpen(); }),
        20000);
    for (int i = 0; i < kFlood; ++i)
        flood[i]->sendHello(login(QStringLiteral("alice"), QStringLiteral("wrong password %1").arg(i)));
    const qint64 busy = median(roundTrips(30));
    QVERIFY(busy > 0);
    qInfo("chat round trip: idle %lld us, during %d wrong logins %lld us", idle, kFlood, busy);
    // The hashing runs beside the event loop, never on it: one hash would cost a round trip
    // tens of milliseconds.
    QVERIFY2(busy <= qMax<qint64>(2 * idle, 5000),
             qPrintable(QStringLiteral("%1 us vs %2 us idle").arg(busy).arg(idle)));

    // Every attempt is answered: most at once with busy, the rest after hashing.
    QTRY_VERIFY_WITH_TIMEOUT(std::all_of(flood.cbegin(), flood.cend(),
                                         [](TestClient *c) { return !c->errors().isEmpty(); }),
                             60000);
    int busyAnswers = 0;
    for (TestClient *attacker : flood) {
        const ErrorCode code = attacker->errors()[0].code;
        QVERIFY2(code == ErrorCode::Busy || code == ErrorCode::LoginFailed,
                 qPrintable(errorCodeName(code)));
        busyAnswers += code == ErrorCode::Busy;
    }
    QVERIFY(busyAnswers > 0);
    // At most workers x 64 MiB in flight, and none of it kept.
    const qint64 grown = chat::test::residentBytes() - rssBefore;
    qInfo("RSS grew by %lld MiB; %d of %d answered busy", grown >> 20, busyAnswers, kFlood);
    QVERIFY2(grown < 3 * 64 * 1024 * 1024, qPrintable(QString::number(grown >> 20)));
}

QTEST_GUILESS_MAIN(AccountsHubTest)
#include "tst_accountshub.moc"
