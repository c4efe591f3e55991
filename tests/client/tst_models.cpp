#include "messagemodel.h"
#include "userlistmodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using chat::client::MessageModel;
using chat::client::UserListModel;
using chat::proto::Message;
using chat::proto::Send;

namespace {

Message message(qint64 seq, const QString &from, const QString &text, const QString &id = {})
{
    Message m;
    m.seq = seq;
    m.id = id.isEmpty() ? QStringLiteral("id-%1").arg(seq) : id;
    m.room = QStringLiteral("lobby");
    m.from = from;
    m.time = QDateTime(QDate(2026, 11, 22), QTime(9, 14, 3, 120), Qt::UTC);
    m.text = text;
    return m;
}

Send send(const QString &id, const QString &text)
{
    return Send{id, QStringLiteral("lobby"), text};
}

QList<qint64> seqs(const MessageModel &model)
{
    QList<qint64> result;
    for (int row = 0; row < model.rowCount(); ++row)
        result.append(model.data(model.index(row), MessageModel::SeqRole).toLongLong());
    return result;
}

QStringList ids(const MessageModel &model)
{
    QStringList result;
    for (int row = 0; row < model.rowCount(); ++row)
        result.append(model.data(model.index(row), MessageModel::IdRole).toString());
    return result;
}

const QString kAlice = QStringLiteral("alice");
const QString kBob = QStringLiteral("bob");

} // namespace

class TestModels : public QObject
{
    Q_OBJECT
private slots:
    void init();
    void cleanup();

    void confirmedInSeqOrder();
    void dedupBySeq_data();
    void dedupBySeq();
    void pendingAcknowledgedExactlyOnce_data();
    void pendingAcknowledgedExactlyOnce();
    void acknowledgementOnlyFromOwnNick();
    void repeatedAcknowledgementIgnored();
    void resetHistoryKeepsPending();
    void resetHistoryAcknowledgesPending();
    void appendHistoryAcknowledgesPending();
    void removePending();
    void capDropsOldest();
    void cappedModelIgnoresOlderMessage();
    void roles();
    void ownNickChangeUpdatesPending();

    void usersSortedCaseInsensitively();
    void usersAddRemoveCount();
    void usersSetUsersDedups();
    void usersShowDisplayNames();

private:
    MessageModel *m_messages = nullptr;
    UserListModel *m_users = nullptr;
    QList<QAbstractItemModelTester *> m_testers;
};

void TestModels::init()
{
    m_messages = new MessageModel(this);
    m_messages->setOwnNick(kAlice);
    m_users = new UserListModel(this);
    for (QAbstractItemModel *model : {static_cast<QAbstractItemModel *>(m_messages),
                                      static_cast<QAbstractItemModel *>(m_users)}) {
        m_testers.append(new QAbstractItemModelTester(
            model, QAbstractItemModelTester::FailureReportingMode::QtTest, this));
    }
}

void TestModels::cleanup()
{
    qDeleteAll(m_testers);
    m_testers.clear();
    delete m_messages;
    delete m_users;
}

void TestModels::confirmedInSeqOrder()
{
    m_messages->addMessage(message(3, kBob, QStringLiteral("three")));
    m_messages->addMessage(message(1, kBob, QStringLiteral("one")));
    m_messages->addMessage(message(5, kBob, QStringLiteral("five")));
    m_messages->addMessage(message(2, kBob, QStringLiteral("two")));
    QCOMPARE(seqs(*m_messages), (QList<qint64>{1, 2, 3, 5}));
    QCOMPARE(m_messages->lastSeq(), 5);
    QCOMPARE(m_messages->confirmedCount(), 4);
}

void TestModels::dedupBySeq_data()
{
    QTest::addColumn<QList<qint64>>("arrivals");
    QTest::addColumn<QList<qint64>>("expected");

    QTest::addRow("same twice") << QList<qint64>{1, 1} << QList<qint64>{1};
    QTest::addRow("resume overlap") << QList<qint64>{1, 2, 3, 2, 3, 4} << QList<qint64>{1, 2, 3, 4};
    QTest::addRow("out of order repeats")
        << QList<qint64>{4, 2, 4, 1, 2, 3} << QList<qint64>{1, 2, 3, 4};
}

void TestModels::dedupBySeq()
{
    QFETCH(QList<qint64>, arrivals);
    QFETCH(QList<qint64>, expected);
    for (const qint64 seq : arrivals)
        m_messages->addMessage(message(seq, kBob, QStringLiteral("text %1").arg(seq)));
    QCOMPARE(seqs(*m_messages), expected);
}

void TestModels::pendingAcknowledgedExactlyOnce_data()
{
    QTest::addColumn<QList<qint64>>("before");
    QTest::addColumn<qint64>("ackSeq");
    QTest::addColumn<QList<qint64>>("expectedSeqs");

    QTest::addRow("ack at the end")
        << QList<qint64>{1, 2} << qint64(3) << QList<qint64>{1, 2, 3, 0};
    QTest::addRow("ack into the middle")
        << QList<qint64>{1, 4} << qint64(2) << QList<qint64>{1, 2, 4, 0};
    QTest::addRow("ack into an empty model") << QList<qint64>{} << qint64(7) << QList<qint64>{7, 0};
}

void TestModels::pendingAcknowledgedExactlyOnce()
{
    QFETCH(QList<qint64>, before);
    QFETCH(qint64, ackSeq);
    QFETCH(QList<qint64>, expectedSeqs);

    for (const qint64 seq : before)
        m_messages->addMessage(message(seq, kBob, QStringLiteral("bob %1").arg(seq)));
    m_messages->addPending(send(QStringLiteral("p1"), QStringLiteral("first")));
    m_messages->addPending(send(QStringLiteral("p2"), QStringLiteral("second")));
    QCOMPARE(m_messages->pendingCount(), 2);
    const int lastRow = m_messages->rowCount() - 1;
    QVERIFY(m_messages->data(m_messages->index(lastRow), MessageModel::PendingRole).toBool());
    QCOMPARE(m_messages->data(m_messages->index(lastRow), MessageModel::IdRole).toString(),
             QStringLiteral("p2"));

    const int rowsBefore = m_messages->rowCount();
    QVERIFY(m_messages->addMessage(
        message(ackSeq, kAlice, QStringLiteral("first"), QStringLiteral("p1"))));
    QCOMPARE(m_messages->rowCount(), rowsBefore); // the pending row became the confirmed one
    QCOMPARE(m_messages->pendingCount(), 1);
    QCOMPARE(seqs(*m_messages), expectedSeqs);
    QCOMPARE(ids(*m_messages).count(QStringLiteral("p1")), 1);
    QCOMPARE(ids(*m_messages).constLast(), QStringLiteral("p2"));

    const int ackRow = int(ids(*m_messages).indexOf(QStringLiteral("p1")));
    const QModelIndex ack = m_messages->index(ackRow);
    QCOMPARE(ack.data(MessageModel::PendingRole).toBool(), false);
    QCOMPARE(ack.data(MessageModel::OwnRole).toBool(), true);
    QCOMPARE(ack.data(MessageModel::SeqRole).toLongLong(), ackSeq);
}

void TestModels::acknowledgementOnlyFromOwnNick()
{
    m_messages->addPending(send(QStringLiteral("p1"), QStringLiteral("mine")));
    // Someone else reusing our id is just another message.
    m_messages->addMessage(message(1, kBob, QStringLiteral("copy"), QStringLiteral("p1")));
    QCOMPARE(m_messages->pendingCount(), 1);
    QCOMPARE(m_messages->rowCount(), 2);
    // Our nick in another letter case is still us.
    m_messages->addMessage(
        message(2, QStringLiteral("Alice"), QStringLiteral("mine"), QStringLiteral("p1")));
    QCOMPARE(m_messages->pendingCount(), 0);
    QCOMPARE(seqs(*m_messages), (QList<qint64>{1, 2}));
}

void TestModels::repeatedAcknowledgementIgnored()
{
    m_messages->addPending(send(QStringLiteral("p1"), QStringLiteral("mine")));
    const Message ack = message(1, kAlice, QStringLiteral("mine"), QStringLiteral("p1"));
    QVERIFY(m_messages->addMessage(ack));
    QVERIFY(!m_messages->addMessage(ack)); // the server's second acknowledgement after a resend
    QCOMPARE(m_messages->rowCount(), 1);
    QCOMPARE(m_messages->pendingCount(), 0);
}

void TestModels::resetHistoryKeepsPending()
{
    m_messages->addMessage(message(1, kBob, QStringLiteral("old")));
    m_messages->addMessage(message(2, kBob, QStringLiteral("old too")));
    m_messages->addPending(send(QStringLiteral("p1"), QStringLiteral("waiting")));

    QSignalSpy reset(m_messages, &QAbstractItemModel::modelReset);
    m_messages->resetHistory({message(7, kBob, QStringLiteral("new")),
                              message(6, kBob, QStringLiteral("newer but lower")),
                              message(7, kBob, QStringLiteral("duplicate"))});
    QCOMPARE(reset.count(), 1);
    QCOMPARE(seqs(*m_messages), (QList<qint64>{6, 7, 0}));
    QCOMPARE(m_messages->pendingCount(), 1);
    QCOMPARE(m_messages->data(m_messages->index(2), MessageModel::TextRole).toString(),
             QStringLiteral("waiting"));
}

void TestModels::resetHistoryAcknowledgesPending()
{
    m_messages->addPending(send(QStringLiteral("p1"), QStringLiteral("was accepted")));
    m_messages->addPending(send(QStringLiteral("p2"), QStringLiteral("was not")));
    m_messages->resetHistory(
        {message(3, kAlice, QStringLiteral("was accepted"), QStringLiteral("p1"))});
    QCOMPARE(ids(*m_messages), (QStringList{QStringLiteral("p1"), QStringLiteral("p2")}));
    QCOMPARE(m_messages->pendingCount(), 1);
}

void TestModels::appendHistoryAcknowledgesPending()
{
    m_messages->addMessage(message(1, kBob, QStringLiteral("before")));
    m_messages->addPending(send(QStringLiteral("p1"), QStringLiteral("mine")));
    m_messages->appendHistory({message(1, kBob, QStringLiteral("before")),
                               message(2, kAlice, QStringLiteral("mine"), QStringLiteral("p1")),
                               message(3, kBob, QStringLiteral("after"))});
    QCOMPARE(seqs(*m_messages), (QList<qint64>{1, 2, 3}));
    QCOMPARE(m_messages->pendingCount(), 0);
}

void TestModels::removePending()
{
    m_messages->addPending(send(QStringLiteral("p1"), QStringLiteral("one")));
    m_messages->addPending(send(QStringLiteral("p2"), QStringLiteral("two")));
    QVERIFY(m_messages->removePending(QStringLiteral("p1")));
    QVERIFY(!m_messages->removePending(QStringLiteral("p1")));
    QCOMPARE(ids(*m_messages), QStringList{QStringLiteral("p2")});
}

void TestModels::capDropsOldest()
{
    m_messages->setMaxConfirmed(3);
    m_messages->addPending(send(QStringLiteral("p1"), QStringLiteral("mine")));
    for (qint64 seq = 1; seq <= 5; ++seq)
        m_messages->addMessage(message(seq, kBob, QStringLiteral("text")));
    QCOMPARE(seqs(*m_messages), (QList<qint64>{3, 4, 5, 0}));

    QList<Message> history;
    for (qint64 seq = 10; seq < 20; ++seq)
        history.append(message(seq, kBob, QStringLiteral("text")));
    m_messages->resetHistory(history);
    QCOMPARE(seqs(*m_messages), (QList<qint64>{17, 18, 19, 0}));

    m_messages->setMaxConfirmed(2);
    QCOMPARE(seqs(*m_messages), (QList<qint64>{18, 19, 0}));
    QCOMPARE(MessageModel(nullptr).maxConfirmed(), MessageModel::kDefaultMaxConfirmed);
}

void TestModels::cappedModelIgnoresOlderMessage()
{
    m_messages->setMaxConfirmed(2);
    m_messages->addPending(send(QStringLiteral("p1"), QStringLiteral("mine")));
    m_messages->addMessage(message(5, kBob, QStringLiteral("five")));
    m_messages->addMessage(message(6, kBob, QStringLiteral("six")));
    QVERIFY(!m_messages->addMessage(message(1, kBob, QStringLiteral("too old"))));
    // An acknowledgement too old to keep still ends the pending row.
    QVERIFY(
        m_messages->addMessage(message(2, kAlice, QStringLiteral("mine"), QStringLiteral("p1"))));
    QCOMPARE(seqs(*m_messages), (QList<qint64>{5, 6}));
}

void TestModels::roles()
{
    const Message m = message(42, kBob, QStringLiteral("<b>hi</b> 你好"));
    m_messages->addMessage(m);
    m_messages->addPending(send(QStringLiteral("p1"), QStringLiteral("mine")));

    const QModelIndex confirmed = m_messages->index(0);
    QCOMPARE(confirmed.data(MessageModel::SeqRole).toLongLong(), 42);
    QCOMPARE(confirmed.data(MessageModel::IdRole).toString(), m.id);
    QCOMPARE(confirmed.data(MessageModel::RoomRole).toString(), QStringLiteral("lobby"));
    QCOMPARE(confirmed.data(MessageModel::FromRole).toString(), kBob);
    QCOMPARE(confirmed.data(MessageModel::TimeRole).toDateTime(), m.time);
    QCOMPARE(confirmed.data(MessageModel::TextRole).toString(), m.text);
    QCOMPARE(confirmed.data(MessageModel::PendingRole).toBool(), false);
    QCOMPARE(confirmed.data(MessageModel::OwnRole).toBool(), false);
    const QString hhmm = m.time.toLocalTime().toString(QStringLiteral("HH:mm"));
    QCOMPARE(confirmed.data(Qt::DisplayRole).toString(),
             hhmm + QStringLiteral("  bob: <b>hi</b> 你好")); // plain text, as sent

    const QModelIndex pending = m_messages->index(1);
    QCOMPARE(pending.data(MessageModel::SeqRole).toLongLong(), 0);
    QCOMPARE(pending.data(MessageModel::FromRole).toString(), kAlice);
    QCOMPARE(pending.data(MessageModel::PendingRole).toBool(), true);
    QCOMPARE(pending.data(MessageModel::OwnRole).toBool(), true);
    QVERIFY(pending.data(MessageModel::TimeRole).toDateTime().isValid());

    const QHash<int, QByteArray> names = m_messages->roleNames();
    QCOMPARE(names.value(MessageModel::SeqRole), QByteArray("seq"));
    QCOMPARE(names.value(MessageModel::IdRole), QByteArray("id"));
    QCOMPARE(names.value(MessageModel::RoomRole), QByteArray("room"));
    QCOMPARE(names.value(MessageModel::FromRole), QByteArray("from"));
    QCOMPARE(names.value(MessageModel::TimeRole), QByteArray("time"));
    QCOMPARE(names.value(MessageModel::TextRole), QByteArray("text"));
    QCOMPARE(names.value(MessageModel::PendingRole), QByteArray("pending"));
    QCOMPARE(names.value(MessageModel::OwnRole), QByteArray("own"));
    QCOMPARE(names.value(Qt::DisplayRole), QByteArray("display"));
}

void TestModels::ownNickChangeUpdatesPending()
{
    m_messages->addMessage(message(1, QStringLiteral("ALICE2"), QStringLiteral("hi")));
    m_messages->addPending(send(QStringLiteral("p1"), QStringLiteral("mine")));
    QSignalSpy changed(m_messages, &QAbstractItemModel::dataChanged);
    m_messages->setOwnNick(QStringLiteral("alice2"));
    QCOMPARE(changed.count(), 1);
    QCOMPARE(m_messages->index(0).data(MessageModel::OwnRole).toBool(), true);
    QCOMPARE(m_messages->index(1).data(MessageModel::FromRole).toString(),
             QStringLiteral("alice2"));
}

namespace {
QList<chat::proto::User> named(const QStringList &names)
{
    QList<chat::proto::User> users;
    for (const QString &name : names)
        users.append(chat::proto::User{name, {}});
    return users;
}
chat::proto::User named(const QString &name, const QString &display = QString())
{
    return chat::proto::User{name, display};
}
} // namespace

void TestModels::usersSortedCaseInsensitively()
{
    m_users->setUsers(named({QStringLiteral("zed"), QStringLiteral("Bob"), QStringLiteral("alice"),
                             QStringLiteral("Émile"), QStringLiteral("carol")}));
    m_users->addUser(named(QStringLiteral("Dave")));
    m_users->addUser(named(QStringLiteral("aaron")));
    QCOMPARE(m_users->users(),
             (QStringList{QStringLiteral("aaron"), QStringLiteral("alice"), QStringLiteral("Bob"),
                          QStringLiteral("carol"), QStringLiteral("Dave"), QStringLiteral("zed"),
                          QStringLiteral("Émile")}));
    QCOMPARE(m_users->index(2).data().toString(), QStringLiteral("Bob"));
    QCOMPARE(m_users->index(2).data(UserListModel::NickRole).toString(), QStringLiteral("Bob"));
    QCOMPARE(m_users->roleNames().value(UserListModel::NickRole), QByteArray("nick"));
}

void TestModels::usersAddRemoveCount()
{
    QSignalSpy countChanged(m_users, &UserListModel::countChanged);
    m_users->setUsers(named({QStringLiteral("alice"), QStringLiteral("bob")}));
    QCOMPARE(m_users->count(), 2);
    QCOMPARE(countChanged.count(), 1);
    QCOMPARE(countChanged.last().at(0).toInt(), 2);

    m_users->addUser(named(QStringLiteral("carol")));
    QCOMPARE(m_users->count(), 3);
    m_users->addUser(named(QStringLiteral("CAROL"))); // the same person
    QCOMPARE(m_users->count(), 3);
    QCOMPARE(countChanged.count(), 2);

    m_users->removeUser(QStringLiteral("Alice"));
    QCOMPARE(m_users->users(), (QStringList{QStringLiteral("bob"), QStringLiteral("carol")}));
    m_users->removeUser(QStringLiteral("nobody"));
    QCOMPARE(countChanged.count(), 3);
    QCOMPARE(countChanged.last().at(0).toInt(), 2);
    QVERIFY(m_users->contains(QStringLiteral("BOB")));

    m_users->clear();
    QCOMPARE(m_users->count(), 0);
    QCOMPARE(countChanged.count(), 4);
}

void TestModels::usersSetUsersDedups()
{
    m_users->setUsers(
        named({QStringLiteral("bob"), QStringLiteral("Bob"), QString(), QStringLiteral("alice")}));
    QCOMPARE(m_users->users(), (QStringList{QStringLiteral("alice"), QStringLiteral("bob")}));
}

void TestModels::usersShowDisplayNames()
{
    m_users->setUsers({named(QStringLiteral("zed"), QStringLiteral("阿泽")),
                       named(QStringLiteral("bob")),
                       named(QStringLiteral("carol"), QStringLiteral("Carol"))});
    // Sorted by what is shown.
    QCOMPARE(m_users->users(),
             (QStringList{QStringLiteral("bob"), QStringLiteral("carol"), QStringLiteral("zed")}));
    QCOMPARE(m_users->index(0).data().toString(), QStringLiteral("bob"));
    QCOMPARE(m_users->index(1).data().toString(), QStringLiteral("Carol (carol)"));
    QCOMPARE(m_users->index(2).data().toString(), QStringLiteral("阿泽 (zed)"));
    QCOMPARE(m_users->index(2).data(UserListModel::NickRole).toString(), QStringLiteral("zed"));
    QCOMPARE(m_users->index(2).data(UserListModel::DisplayNameRole).toString(),
             QStringLiteral("阿泽"));

    // Joined again with another display name: the row changes and moves, nobody is added.
    QSignalSpy countChanged(m_users, &UserListModel::countChanged);
    m_users->applyChanges({named(QStringLiteral("bob"), QStringLiteral("Zz 鲍勃"))}, {});
    QCOMPARE(m_users->count(), 3);
    QCOMPARE(countChanged.count(), 0);
    QCOMPARE(m_users->users(),
             (QStringList{QStringLiteral("carol"), QStringLiteral("bob"), QStringLiteral("zed")}));
    QCOMPARE(m_users->displayName(QStringLiteral("BOB")), QStringLiteral("Zz 鲍勃"));
    // And cleared.
    m_users->addUser(named(QStringLiteral("bob")));
    QCOMPARE(m_users->index(0).data().toString(), QStringLiteral("bob"));
}

QTEST_GUILESS_MAIN(TestModels)
#include "tst_models.moc"
