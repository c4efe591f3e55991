// The controller's answers to server replies a real hub gives only in rare cases: refused
// sends, rate limits, frames it cannot read. The server here is scripted by the test.
#include "codec.h"
#include "connectioncontroller.h"
#include "fakeservers.h"
#include "messagemodel.h"
#include "userlistmodel.h"

#include <QAbstractItemModelTester>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>

using chat::client::ConnectionController;
using chat::client::ConnectionState;
using chat::client::MessageModel;
namespace proto = chat::proto;

namespace {

template<typename T> std::optional<T> decodeAs(const QByteArray &frame)
{
    const proto::Decoded<proto::ClientMessage> decoded = proto::decodeClientMessage(frame);
    if (!decoded.ok() || !std::holds_alternative<T>(*decoded.message))
        return std::nullopt;
    return std::get<T>(*decoded.message);
}

QString sendId(const QList<QVariant> &frameArguments)
{
    const std::optional<proto::Send> send =
        decodeAs<proto::Send>(frameArguments.at(0).toByteArray());
    return send ? send->id : QStringLiteral("(not a send)");
}

} // namespace

class TestController : public QObject
{
    Q_OBJECT
private slots:
    void init();
    void cleanup();

    void helloCarriesResumePoint();
    void refusedSendIsDroppedAndReported();
    void refusedForNowIsRetried_data();
    void refusedForNowIsRetried();
    void unreadableFramesAreIgnored();
    void presenceUpdatesUsers();

private:
    // Starts the client and answers its hello with this welcome.
    [[nodiscard]] bool join(proto::Welcome welcome);

    ScriptedServer *m_server = nullptr;
    ConnectionController *m_client = nullptr;
    QSignalSpy *m_frames = nullptr;
    QList<QAbstractItemModelTester *> m_testers;
};

void TestController::init()
{
    m_server = new ScriptedServer;
    QVERIFY(m_server->listen());
    m_frames = new QSignalSpy(m_server, &ScriptedServer::frameReceived);
    m_client = new ConnectionController;
    m_client->setServerUrl(m_server->url());
    m_client->setNick(QStringLiteral("alice"));
    m_client->setBackoff(50, 400);
    m_testers.append(new QAbstractItemModelTester(
        m_client->messages(), QAbstractItemModelTester::FailureReportingMode::QtTest));
    m_testers.append(new QAbstractItemModelTester(
        m_client->users(), QAbstractItemModelTester::FailureReportingMode::QtTest));
}

void TestController::cleanup()
{
    qDeleteAll(m_testers);
    m_testers.clear();
    delete m_client;
    delete m_frames;
    delete m_server;
}

bool TestController::join(proto::Welcome welcome)
{
    m_client->start();
    if (!m_frames->wait())
        return false;
    if (!decodeAs<proto::Hello>(m_frames->takeFirst().at(0).toByteArray()))
        return false;
    m_server->reply(proto::encode(welcome));
    QSignalSpy joined(m_client, &ConnectionController::joined);
    return m_client->state() == ConnectionState::Connected || joined.wait();
}

void TestController::helloCarriesResumePoint()
{
    proto::Welcome welcome;
    welcome.nick = QStringLiteral("alice");
    welcome.session = QStringLiteral("s1");
    welcome.seq = 7;
    welcome.users = QStringList{QStringLiteral("alice")};
    QVERIFY(join(welcome));
    QCOMPARE(m_client->lastSeq(), 7);

    // Started again, the client asks to resume where it left off.
    m_client->stop();
    m_frames->clear();
    m_client->start();
    QVERIFY(m_frames->wait());
    const std::optional<proto::Hello> hello =
        decodeAs<proto::Hello>(m_frames->takeFirst().at(0).toByteArray());
    QVERIFY(hello);
    QCOMPARE(hello->nick, QStringLiteral("alice"));
    QCOMPARE(hello->lastSeq, std::optional<qint64>(7));
    QCOMPARE(hello->session, QStringLiteral("s1"));
}

void TestController::refusedSendIsDroppedAndReported()
{
    proto::Welcome welcome;
    welcome.nick = QStringLiteral("alice");
    QVERIFY(join(welcome));
    QSignalSpy errors(m_client, &ConnectionController::errorOccurred);

    const QString id = m_client->send(QStringLiteral("something the server dislikes"));
    QVERIFY(m_frames->wait());
    const std::optional<proto::Send> send =
        decodeAs<proto::Send>(m_frames->takeFirst().at(0).toByteArray());
    QVERIFY(send);
    QCOMPARE(send->id, id);
    QCOMPARE(m_client->pendingCount(), 1);

    m_server->reply(proto::encode(
        proto::Error{proto::ErrorCode::TextInvalid, QStringLiteral("<b>No.</b>"), id}));
    QVERIFY(errors.wait());
    QCOMPARE(m_client->pendingCount(), 0);
    QCOMPARE(m_client->messages()->rowCount(), 0);
    QVERIFY(errors.at(0).at(0).toString().contains(QStringLiteral("<b>No.</b>")));
    QCOMPARE(m_client->state(), ConnectionState::Connected);
}

void TestController::refusedForNowIsRetried_data()
{
    QTest::addColumn<proto::ErrorCode>("code");
    QTest::addRow("rate_limited") << proto::ErrorCode::RateLimited;
    QTest::addRow("internal") << proto::ErrorCode::Internal;
}

void TestController::refusedForNowIsRetried()
{
    QFETCH(const proto::ErrorCode, code);
    constexpr int kRetryMs = 300;
    m_client->setRetryDelay(kRetryMs);
    proto::Welcome welcome;
    welcome.nick = QStringLiteral("alice");
    QVERIFY(join(welcome));
    QSignalSpy errors(m_client, &ConnectionController::errorOccurred);
    const QString first = m_client->send(QStringLiteral("first"));
    const QString second = m_client->send(QStringLiteral("second"));
    QCOMPARE(m_client->pendingCount(), 2);

    // One at a time: the second waits for the first's acknowledgement.
    QVERIFY(m_frames->wait());
    QCOMPARE(sendId(m_frames->takeFirst()), first);

    // Refused for now: it stays pending and goes out again after the delay, on the same
    // connection, with the same id, still ahead of the second.
    QElapsedTimer sinceRefusal;
    sinceRefusal.start();
    m_server->reply(proto::encode(proto::Error{code, QStringLiteral("Slow down."), first}));
    QVERIFY(errors.wait());
    QCOMPARE(errors.at(0).at(0).toString(), QStringLiteral("Slow down."));
    QCOMPARE(m_client->pendingCount(), 2);
    QCOMPARE(m_client->messages()->pendingCount(), 2);
    QVERIFY(m_frames->wait());
    QVERIFY2(sinceRefusal.elapsed() >= kRetryMs * 8 / 10,
             qPrintable(QString::number(sinceRefusal.elapsed())));
    QCOMPARE(sendId(m_frames->takeFirst()), first);
    QCOMPARE(m_client->attemptCount(), 1);

    // Its acknowledgement lets the second go.
    proto::Message echo;
    echo.seq = 1;
    echo.id = first;
    echo.room = proto::defaultRoom();
    echo.from = QStringLiteral("alice");
    echo.time = QDateTime::currentDateTimeUtc();
    echo.text = QStringLiteral("first");
    m_server->reply(proto::encode(echo));
    QVERIFY(m_frames->wait());
    QCOMPARE(sendId(m_frames->takeFirst()), second);
    QCOMPARE(m_client->pendingCount(), 1);

    // An error that names no message of ours resends nothing.
    m_server->reply(proto::encode(proto::Error{code, QStringLiteral("Slow down."), QString()}));
    QTRY_COMPARE(errors.count(), 2);
    QVERIFY(!m_frames->wait(2 * kRetryMs));
}

void TestController::unreadableFramesAreIgnored()
{
    proto::Welcome welcome;
    welcome.nick = QStringLiteral("alice");
    QVERIFY(join(welcome));
    QSignalSpy errors(m_client, &ConnectionController::errorOccurred);
    QSignalSpy rows(m_client->messages(), &QAbstractItemModel::rowsInserted);
    m_server->reply("not json");
    m_server->reply(R"({"type":"from_the_future"})");
    m_server->reply(R"({"type":"message","seq":"one"})");
    proto::Message m;
    m.seq = 1;
    m.id = QStringLiteral("x");
    m.room = QStringLiteral("lobby");
    m.from = QStringLiteral("bob");
    m.time = QDateTime::currentDateTimeUtc();
    m.text = QStringLiteral("still here");
    m_server->reply(proto::encode(m));
    QVERIFY(rows.wait());
    QCOMPARE(m_client->messages()->rowCount(), 1);
    QCOMPARE(m_client->lastSeq(), 1);
    QCOMPARE(errors.count(), 0);
    QCOMPARE(m_client->state(), ConnectionState::Connected);
}

void TestController::presenceUpdatesUsers()
{
    // The welcome lists who the server last told of, which may not include us yet.
    proto::Welcome welcome;
    welcome.nick = QStringLiteral("alice");
    welcome.users = QStringList{QStringLiteral("bob")};
    QVERIFY(join(welcome));
    QCOMPARE(m_client->users()->users(),
             (QStringList{QStringLiteral("alice"), QStringLiteral("bob")}));
    // Our own join, told late, changes nothing; bob went and came back as Bob; Carol came.
    m_server->reply(proto::encode(
        proto::Presence{{QStringLiteral("alice"), QStringLiteral("Bob"), QStringLiteral("Carol")},
                        {QStringLiteral("bob")},
                        3}));
    QTRY_COMPARE(
        m_client->users()->users(),
        (QStringList{QStringLiteral("alice"), QStringLiteral("Bob"), QStringLiteral("Carol")}));
    // A crowd in one presence, and someone who was never there leaving: ignored.
    QStringList crowd;
    for (int i = 0; i < 40; ++i)
        crowd.append(QStringLiteral("user%1").arg(i, 2, 10, QLatin1Char('0')));
    m_server->reply(proto::encode(
        proto::Presence{crowd, {QStringLiteral("Carol"), QStringLiteral("nobody")}, 42}));
    QStringList expected = QStringList{QStringLiteral("alice"), QStringLiteral("Bob")} + crowd;
    QTRY_COMPARE(m_client->users()->users(), expected);
    m_server->reply(proto::encode(proto::Presence{{}, crowd.mid(1), 3}));
    QTRY_COMPARE(m_client->users()->users(),
                 (QStringList{QStringLiteral("alice"), QStringLiteral("Bob"), crowd.first()}));
}

QTEST_GUILESS_MAIN(TestController)
#include "tst_controller.moc"
