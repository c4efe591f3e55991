// Three real chat-server nodes on one real PostgreSQL behind real nginx (the committed
// deploy/nginx/chat-cluster.conf): one order for everyone, rooms across nodes, a resend on
// another node, a node killed under load and PostgreSQL restarted under load (issue 13).
#include "chatserverprocess.h"
#include "freeport.h"
#include "nginxserver.h"
#include "postgresserver.h"
#include "testclient.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QUuid>

using namespace chat::proto;
using chat::test::ChatServerProcess;
using chat::test::NginxServer;
using chat::test::PostgresServer;
using chat::test::TestClient;
using chat::test::TokenBook;

namespace {

constexpr int kNodes = 3;

// One person over all their connections: what they saw of the lobby, and their outbox (one
// message in flight at a time, sent again after a refusal or a reconnect, as the clients do).
struct Person
{
    QString nick;
    std::unique_ptr<TestClient> client;
    QList<Message> seen; // the lobby's messages in arrival order, over every connection
    qsizetype consumedMessages = 0;
    qsizetype consumedErrors = 0;
    QString inFlight; // the id sent and not acknowledged yet
    bool refused = false;
    QStringList acked;
    int refusals = 0; // `internal` answers: stored nowhere, send again
    int sent = 0;
    qint64 nextSendMs = 0; // within the server's rate limit (10 a second per connection)
};

} // namespace

class ClusterTest : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();
    void clientsOnEveryNodeSeeOneOrder();
    void roomReachesItsMembersOnEveryNodeOnly();
    void resendToAnotherNodeIsNotStoredTwice();
    void killedNodeUnderLoad();
    void postgresRestartUnderLoad();
    void presenceOfAKilledNodeExpires();

private:
    // Joins through nginx (or `url`); nullptr (and a failed check) when that did not work.
    std::unique_ptr<TestClient> join(const QString &nick, const QUrl &url = {},
                                     std::optional<qint64> lastSeq = std::nullopt);
    [[nodiscard]] int connectionsOf(int node);
    // Copies what the person's connection received since last time; settles the outbox.
    void absorb(Person &person);
    // One turn of the load: every connected person with nothing in flight sends a new message,
    // and one whose message was refused sends it again.
    void drive(std::vector<Person> &people);
    // A new connection through nginx, resuming from the newest seq seen; resends what is in
    // flight. False when the welcome did not resume without a gap.
    [[nodiscard]] bool reconnect(Person &person);
    // `count` people (nick prefix0, prefix1, ...) join through nginx and send from now on.
    [[nodiscard]] bool startLoad(const QString &prefix, int count);
    // Their acknowledged messages, or their refusals, in all.
    [[nodiscard]] int count(QStringList Person::*field) const;
    [[nodiscard]] int count(int Person::*field) const;
    // The stored seqs of the lobby, and every stored id with the seqs stored under it.
    [[nodiscard]] QList<qint64> storedLobbySeqs();
    [[nodiscard]] QHash<QString, QList<qint64>> storedIds();
    // Everything each person acknowledged is stored once; what each saw of the lobby is the
    // stored lobby from their first seq to their last: no gap, no duplicate, one order.
    void verifyAgainstStore(const std::vector<Person> &people);

    PostgresServer m_postgres;
    QString m_dbUrl;
    QList<quint16> m_ports;
    std::vector<std::unique_ptr<ChatServerProcess>> m_nodes;
    NginxServer m_nginx;
    std::vector<Person> m_people; // the test's, kept for the failure report
    QElapsedTimer m_clock;
    QTimer m_load;           // drive() every 10 ms
    QTemporaryDir m_sockets; // the nodes' control sockets
};

void ClusterTest::initTestCase()
{
    CHAT_START_POSTGRES(m_postgres);
    m_dbUrl = m_postgres.createDatabase(QStringLiteral("cluster"));
    QVERIFY2(!m_dbUrl.isEmpty(), qPrintable(m_postgres.errorString()));
    for (int i = 0; i < kNodes; ++i) {
        m_ports.append(chat::test::freePort());
        // Everyone comes through nginx from 127.0.0.1, which names each client (--trusted-proxy).
        m_nodes.push_back(std::make_unique<ChatServerProcess>(
            QStringLiteral(CHAT_SERVER_BINARY),
            QStringList{QStringLiteral("--db"), m_dbUrl, QStringLiteral("--port"),
                        QString::number(m_ports[i]), QStringLiteral("--name"),
                        QStringLiteral("node%1").arg(i), QStringLiteral("--hash-workers"),
                        QStringLiteral("1"), QStringLiteral("--trusted-proxy"),
                        QStringLiteral("127.0.0.1"), QStringLiteral("--control-socket"),
                        m_sockets.filePath(QStringLiteral("node%1.control").arg(i))}));
        QVERIFY2(m_nodes.back()->start(), qPrintable(m_nodes.back()->errorString()));
    }
    CHAT_START_NGINX(m_nginx, m_ports);
    m_clock.start();
    connect(&m_load, &QTimer::timeout, this, [this] { drive(m_people); });
}

void ClusterTest::init()
{
    if (!m_postgres.isRunning())
        QVERIFY2(m_postgres.start(), qPrintable(m_postgres.errorString()));
    for (const auto &node : m_nodes)
        if (!node->isRunning())
            QVERIFY2(node->start(), qPrintable(node->errorString()));
}

void ClusterTest::cleanup()
{
    for (const Person &person : m_people) {
        if (!QTest::currentTestFailed())
            break;
        qWarning("%s: acked %d, refused %d, in flight %s (refused %d), open %d, last seen %lld, "
                 "errors %s",
                 qPrintable(person.nick), int(person.acked.size()), person.refusals,
                 qPrintable(person.inFlight), person.refused,
                 person.client && person.client->isOpen(),
                 person.seen.isEmpty() ? 0 : person.seen.last().seq,
                 person.client && !person.client->errors().isEmpty()
                     ? qPrintable(person.client->errors().last().message)
                     : "");
    }
    m_load.stop();
    m_people.clear();
    if (QTest::currentTestFailed()) {
        QString newest;
        m_postgres.execute(QStringLiteral("SELECT max(seq) FROM messages"),
                           QStringLiteral("cluster"), &newest);
        qWarning("stored up to %s", qPrintable(newest));
        for (const auto &node : m_nodes)
            qWarning("node log:\n%s", qPrintable(node->log().right(4000)));
        qWarning("nginx log:\n%s", qPrintable(m_nginx.log().right(2000)));
    }
}

std::unique_ptr<TestClient> ClusterTest::join(const QString &nick, const QUrl &url,
                                              std::optional<qint64> lastSeq)
{
    auto client = std::make_unique<TestClient>();
    const QUrl where = url.isEmpty() ? m_nginx.url() : url;
    // Each person as a client of its own behind an outer proxy: nginx appends 127.0.0.1, which
    // the nodes trust, so each counts as this address against the per-address limits.
    QNetworkRequest request(where);
    request.setRawHeader("X-Forwarded-For", QStringLiteral("10.%1.%2.%3")
                                                .arg(qHash(nick) >> 16 & 0xff)
                                                .arg(qHash(nick) >> 8 & 0xff)
                                                .arg(qHash(nick) & 0xff)
                                                .toLatin1());
    if (!client->open(request, 10000) || !client->helloAndWait(nick, lastSeq, {}, 10000)) {
        qWarning("%s could not join through %s", qPrintable(nick), qPrintable(where.toString()));
        return nullptr;
    }
    // The same token works on every node: through nginx or straight to a node's port.
    const QString token = TokenBook::token(where, nick);
    TokenBook::remember(m_nginx.url(), nick, token);
    for (const auto &node : m_nodes)
        if (node->isRunning())
            TokenBook::remember(node->url(), nick, token);
    return client;
}

int ClusterTest::connectionsOf(int node)
{
    QNetworkAccessManager network;
    QNetworkReply *reply = network.get(
        QNetworkRequest(QUrl(QStringLiteral("http://127.0.0.1:%1/healthz").arg(m_ports[node]))));
    QSignalSpy finished(reply, &QNetworkReply::finished);
    if (!reply->isFinished() && !finished.wait(5000))
        return -1;
    reply->deleteLater();
    return QJsonDocument::fromJson(reply->readAll()).object().value(u"connections").toInt(-1);
}

void ClusterTest::absorb(Person &person)
{
    if (!person.client)
        return;
    const QList<Message> &messages = person.client->messages();
    for (; person.consumedMessages < messages.size(); ++person.consumedMessages) {
        const Message &message = messages[person.consumedMessages];
        if (message.room != defaultRoom())
            continue;
        // An older seq is the answer to a resend of a stored id, not news.
        if (person.seen.isEmpty() || message.seq > person.seen.last().seq)
            person.seen.append(message);
        if (message.from == person.nick && message.id == person.inFlight) {
            person.acked.append(message.id);
            person.inFlight.clear();
            person.refused = false;
        }
    }
    const QList<Error> &errors = person.client->errors();
    for (; person.consumedErrors < errors.size(); ++person.consumedErrors) {
        const Error &error = errors[person.consumedErrors];
        if ((error.code == ErrorCode::Internal || error.code == ErrorCode::RateLimited) &&
            error.ref == person.inFlight) {
            person.refused = true;
            ++person.refusals;
        }
    }
}

void ClusterTest::drive(std::vector<Person> &people)
{
    for (Person &person : people) {
        absorb(person);
        if (!person.client || !person.client->isOpen() || !person.client->welcome() ||
            m_clock.elapsed() < person.nextSendMs)
            continue;
        if (person.inFlight.isEmpty() || person.refused)
            person.nextSendMs = m_clock.elapsed() + 150;
        if (person.inFlight.isEmpty()) {
            person.inFlight = QUuid::createUuid().toString(QUuid::WithoutBraces);
            person.client->send(QStringLiteral("%1 #%2").arg(person.nick).arg(++person.sent),
                                person.inFlight);
        } else if (person.refused) {
            person.refused = false;
            person.client->send(QStringLiteral("%1 again").arg(person.nick), person.inFlight);
        }
    }
}

bool ClusterTest::reconnect(Person &person)
{
    absorb(person);
    const qint64 lastSeq = person.seen.isEmpty() ? 0 : person.seen.last().seq;
    person.client = join(person.nick, {}, lastSeq);
    if (!person.client)
        return false;
    person.consumedMessages = 0;
    person.consumedErrors = 0;
    const Welcome &welcome = *person.client->welcome();
    if (!welcome.resumed) {
        qWarning("%s: the resume from %lld was not complete", qPrintable(person.nick), lastSeq);
        return false;
    }
    for (const Message &message : welcome.history)
        if (message.room == defaultRoom())
            person.seen.append(message);
    // Maybe stored, maybe not: the store knows (a stored one is acknowledged again).
    if (!person.inFlight.isEmpty())
        person.client->send(QStringLiteral("%1 resent").arg(person.nick), person.inFlight);
    absorb(person);
    return true;
}

bool ClusterTest::startLoad(const QString &prefix, int count)
{
    for (int i = 0; i < count; ++i) {
        Person person;
        person.nick = prefix + QString::number(i);
        person.client = join(person.nick);
        if (!person.client)
            return false;
        m_people.push_back(std::move(person));
    }
    m_load.start(10);
    return true;
}

int ClusterTest::count(QStringList Person::*field) const
{
    int total = 0;
    for (const Person &person : m_people)
        total += int((person.*field).size());
    return total;
}

int ClusterTest::count(int Person::*field) const
{
    int total = 0;
    for (const Person &person : m_people)
        total += person.*field;
    return total;
}

QList<qint64> ClusterTest::storedLobbySeqs()
{
    QString output;
    if (!m_postgres.execute(QStringLiteral("SELECT seq FROM messages WHERE room = 'lobby' ORDER "
                                           "BY seq"),
                            QStringLiteral("cluster"), &output))
        return {};
    QList<qint64> seqs;
    for (const QString &line : output.split(QLatin1Char('\n'), Qt::SkipEmptyParts))
        seqs.append(line.trimmed().toLongLong());
    return seqs;
}

QHash<QString, QList<qint64>> ClusterTest::storedIds()
{
    QString output;
    QHash<QString, QList<qint64>> ids;
    if (!m_postgres.execute(QStringLiteral("SELECT msg_id, seq FROM messages WHERE msg_id <> ''"),
                            QStringLiteral("cluster"), &output))
        return ids;
    for (const QString &line : output.split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
        const QStringList parts = line.trimmed().split(QLatin1Char('|'));
        ids[parts.value(0)].append(parts.value(1).toLongLong());
    }
    return ids;
}

void ClusterTest::verifyAgainstStore(const std::vector<Person> &people)
{
    const QHash<QString, QList<qint64>> ids = storedIds();
    const QList<qint64> lobby = storedLobbySeqs();
    QVERIFY(!lobby.isEmpty());
    for (const Person &person : people) {
        for (const QString &id : person.acked)
            QVERIFY2(ids.value(id).size() == 1,
                     qPrintable(QStringLiteral("%1's acknowledged %2 is stored %3 times")
                                    .arg(person.nick, id)
                                    .arg(ids.value(id).size())));
        QVERIFY(!person.seen.isEmpty());
        QList<qint64> seen;
        for (const Message &message : person.seen)
            seen.append(message.seq);
        const qsizetype from = lobby.indexOf(seen.first());
        QVERIFY2(from >= 0, qPrintable(person.nick));
        QCOMPARE(seen, lobby.mid(from, seen.size()));
    }
}

void ClusterTest::clientsOnEveryNodeSeeOneOrder()
{
    // Round-robin: six connections through nginx, two on each node.
    std::vector<std::unique_ptr<TestClient>> clients;
    for (int i = 0; i < 2 * kNodes; ++i) {
        clients.push_back(join(QStringLiteral("order%1").arg(i)));
        QVERIFY(clients.back());
    }
    for (int node = 0; node < kNodes; ++node)
        QTRY_COMPARE(connectionsOf(node), 2);
    // Everyone sends at once; everyone sees all of it in one order.
    constexpr int kEach = 10; // within the per-connection burst (20)
    for (int round = 0; round < kEach; ++round)
        for (size_t i = 0; i < clients.size(); ++i)
            clients[i]->send(QStringLiteral("%1:%2").arg(i).arg(round));
    QList<qint64> reference;
    for (const auto &client : clients) {
        QTRY_VERIFY_WITH_TIMEOUT(
            client->messagesIn(defaultRoom()).size() >= qsizetype(kEach * clients.size()), 15000);
    }
    for (const auto &client : clients) {
        QList<qint64> seqs;
        QStringList texts;
        for (const Message &message : client->messagesIn(defaultRoom()))
            if (!message.id.isEmpty()) {
                seqs.append(message.seq);
                texts.append(message.text);
            }
        const QList<qint64> last = seqs.mid(seqs.size() - kEach * qsizetype(clients.size()));
        for (qsizetype i = 1; i < last.size(); ++i)
            QCOMPARE(last[i], last[i - 1] + 1); // consecutive: nothing else was sent meanwhile
        if (reference.isEmpty())
            reference = last;
        QCOMPARE(last, reference);
    }
}

void ClusterTest::roomReachesItsMembersOnEveryNodeOnly()
{
    // Three people, one per node (round-robin); the room is made on one node, joined on another.
    auto owner = join(QStringLiteral("roomowner"));
    auto member = join(QStringLiteral("roommember"));
    auto outsider = join(QStringLiteral("outsider"));
    QVERIFY(owner && member && outsider);
    CreateRoom create;
    create.id = QStringLiteral("c1");
    create.name = QStringLiteral("ops");
    QVERIFY(TestClient::succeeded(owner->request(create)));
    JoinRoom joinRoom;
    joinRoom.id = QStringLiteral("j1");
    joinRoom.room = QStringLiteral("ops");
    QVERIFY(TestClient::succeeded(member->request(joinRoom, 10000)));
    const QString id = owner->sendTo(QStringLiteral("ops"), QStringLiteral("for ops only"));
    const auto arrived = [&](TestClient &client) {
        for (const Message &message : client.messagesIn(QStringLiteral("ops")))
            if (message.id == id)
                return true;
        return false;
    };
    QTRY_VERIFY_WITH_TIMEOUT(arrived(*owner), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(arrived(*member), 10000);
    // The member's reply reaches the owner on the other node the same way.
    const QString reply = member->sendTo(QStringLiteral("ops"), QStringLiteral("reply"));
    QTRY_VERIFY_WITH_TIMEOUT(
        owner->waitFor<Message>([&](const Message &message) { return message.id == reply; }, 100),
        10000);
    // A lobby message after both: once the outsider has it, the room's would have come before.
    const QString marker = owner->send(QStringLiteral("marker"));
    QTRY_VERIFY_WITH_TIMEOUT(outsider->waitFor<Message>(
                                 [&](const Message &message) { return message.id == marker; }, 100),
                             10000);
    QVERIFY(outsider->messagesIn(QStringLiteral("ops")).isEmpty());
}

void ClusterTest::resendToAnotherNodeIsNotStoredTwice()
{
    auto first = join(QStringLiteral("resender"), m_nodes[0]->url());
    QVERIFY(first);
    const QString id = first->send(QStringLiteral("once"));
    QVERIFY(
        first->waitFor<Message>([&](const Message &message) { return message.id == id; }, 10000));
    const qint64 seq = first->messagesIn(defaultRoom()).last().seq;
    first->close();
    auto second = join(QStringLiteral("resender"), m_nodes[1]->url());
    QVERIFY(second);
    second->send(QStringLiteral("once"), id);
    QVERIFY(
        second->waitFor<Message>([&](const Message &message) { return message.id == id; }, 10000));
    QCOMPARE(second->messagesIn(defaultRoom()).last().seq, seq);
    QCOMPARE(storedIds().value(id), QList<qint64>{seq});
}

void ClusterTest::killedNodeUnderLoad()
{
    QVERIFY(startLoad(QStringLiteral("load"), 2 * kNodes));
    std::vector<Person> &people = m_people;
    QTRY_VERIFY_WITH_TIMEOUT(count(&Person::acked) >= 60, 15000);
    m_nodes[0]->kill();
    // Its people (a third of them) lose their connection; they come back through nginx.
    QTRY_VERIFY_WITH_TIMEOUT(
        std::count_if(people.cbegin(), people.cend(),
                      [](const Person &person) { return !person.client->isOpen(); }) == 2,
        10000);
    for (Person &person : people)
        if (!person.client->isOpen())
            QVERIFY(reconnect(person));
    const int afterKill = count(&Person::acked);
    QTRY_VERIFY_WITH_TIMEOUT(count(&Person::acked) >= afterKill + 60, 15000);
    m_load.stop();
    // The last messages in flight settle.
    for (Person &person : people)
        QTRY_VERIFY_WITH_TIMEOUT((absorb(person), person.inFlight.isEmpty()), 10000);
    // Everyone has everything that was stored.
    const qint64 newest = storedLobbySeqs().last();
    for (Person &person : people)
        QTRY_VERIFY_WITH_TIMEOUT((absorb(person), person.seen.last().seq == newest), 10000);
    verifyAgainstStore(people);
}

void ClusterTest::postgresRestartUnderLoad()
{
    QVERIFY(startLoad(QStringLiteral("pg"), kNodes));
    std::vector<Person> &people = m_people;
    QTRY_VERIFY_WITH_TIMEOUT(count(&Person::acked) >= 30, 15000);
    QVERIFY2(m_postgres.stop(), qPrintable(m_postgres.errorString()));
    // Refused, not lost: every node answers `internal` while the database is away.
    QTRY_VERIFY_WITH_TIMEOUT(count(&Person::refusals) >= 3 * kNodes, 10000);
    const int ackedWhileDown = count(&Person::acked);
    QVERIFY2(m_postgres.start(), qPrintable(m_postgres.errorString()));
    QTRY_VERIFY_WITH_TIMEOUT(count(&Person::acked) >= ackedWhileDown + 30, 20000);
    m_load.stop();
    for (Person &person : people)
        QTRY_VERIFY_WITH_TIMEOUT((absorb(person), person.inFlight.isEmpty()), 10000);
    // Nobody's connection dropped; everyone has what was stored, across the nodes.
    for (const Person &person : people)
        QVERIFY(person.client->isOpen());
    const qint64 newest = storedLobbySeqs().last();
    for (Person &person : people)
        QTRY_VERIFY_WITH_TIMEOUT((absorb(person), person.seen.last().seq == newest), 15000);
    verifyAgainstStore(people);
}

void ClusterTest::presenceOfAKilledNodeExpires()
{
    // Someone on node 2 is online for a watcher on node 0, in the member list and the count.
    auto ghost = join(QStringLiteral("ghost"), m_nodes[2]->url());
    auto watcher = join(QStringLiteral("watcher"), m_nodes[0]->url());
    QVERIFY(ghost && watcher);
    QTRY_VERIFY_WITH_TIMEOUT(watcher->users().contains(QStringLiteral("ghost")), 10000);
    // Node 2 dies without a goodbye: its people go offline when its heartbeat expires.
    QElapsedTimer clock;
    clock.start();
    m_nodes[2]->kill();
    QVERIFY(watcher->waitForLeave(QStringLiteral("ghost"), 30000));
    // The documented bound (docs/operations.md): expiry 10 s + one 3 s heartbeat, and a
    // presence round.
    QVERIFY2(clock.elapsed() < 15000, qPrintable(QString::number(clock.elapsed())));
    QVERIFY(!watcher->users().contains(QStringLiteral("ghost")));
}

QTEST_MAIN(ClusterTest)
#include "tst_cluster.moc"
