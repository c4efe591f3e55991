#include "chinesetranslation.h"
#include "memberlistmodel.h"
#include "messagemodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using chat::client::MemberListModel;
using chat::client::MessageModel;
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
    return Send{id, QStringLiteral("lobby"), {}, text};
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
    void initTestCase() { QVERIFY(chat::test::installChineseTranslation()); }
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

    void eventsAreChineseSystemLines_data();
    void eventsAreChineseSystemLines();
    void mentionsOfUsAreMarked();
    void pagesMergeWithoutGapOrDuplicate();
    void pageAcknowledgesPending();
    void pageStopsAtTheCap();
    void dropConfirmedKeepsPending();

    void membersOnlineFirstThenByLabel();
    void membersPagesAndPresence();
    void membersAddRemoveRole();

private:
    MessageModel *m_messages = nullptr;
    MemberListModel *m_members = nullptr;
    QList<QAbstractItemModelTester *> m_testers;
};

void TestModels::init()
{
    m_messages = new MessageModel(this);
    m_messages->setOwnNick(kAlice);
    m_members = new MemberListModel(this);
    for (QAbstractItemModel *model : {static_cast<QAbstractItemModel *>(m_messages),
                                      static_cast<QAbstractItemModel *>(m_members)}) {
        m_testers.append(new QAbstractItemModelTester(
            model, QAbstractItemModelTester::FailureReportingMode::QtTest, this));
    }
}

void TestModels::cleanup()
{
    qDeleteAll(m_testers);
    m_testers.clear();
    delete m_messages;
    delete m_members;
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

Message roomEvent(qint64 seq, const QString &kind, const QString &from, const QString &target = {},
                  const QString &text = {})
{
    Message m = message(seq, from, text, QStringLiteral("-"));
    m.id.clear();
    m.event = kind;
    m.target = target;
    return m;
}

QList<Message> range(qint64 first, qint64 last)
{
    QList<Message> page;
    for (qint64 seq = first; seq <= last; ++seq)
        page.append(message(seq, kBob, QStringLiteral("m%1").arg(seq)));
    return page;
}

QList<qint64> seqRange(qint64 first, qint64 last)
{
    QList<qint64> result;
    for (qint64 seq = first; seq <= last; ++seq)
        result.append(seq);
    return result;
}

chat::proto::RoomMember member(const QString &name, bool online, const QString &display = {},
                               const QString &role = QStringLiteral("member"))
{
    return chat::proto::RoomMember{name, display, role, online};
}

} // namespace

void TestModels::eventsAreChineseSystemLines_data()
{
    QTest::addColumn<Message>("event");
    QTest::addColumn<QString>("line");
    QTest::addRow("joined") << roomEvent(1, QStringLiteral("joined"), kBob)
                            << QStringLiteral("bob 加入了房间");
    QTest::addRow("left") << roomEvent(1, QStringLiteral("left"), kBob)
                          << QStringLiteral("bob 离开了房间");
    QTest::addRow("created") << roomEvent(1, QStringLiteral("created"), kAlice)
                             << QStringLiteral("alice 创建了房间");
    QTest::addRow("invited") << roomEvent(1, QStringLiteral("invited"), kAlice, kBob)
                             << QStringLiteral("alice 邀请 bob 加入了房间");
    QTest::addRow("removed") << roomEvent(1, QStringLiteral("removed"), kAlice, kBob)
                             << QStringLiteral("alice 把 bob 移出了房间");
    QTest::addRow("topic") << roomEvent(1, QStringLiteral("topic"), kAlice, {},
                                        QStringLiteral("发布计划"))
                           << QStringLiteral("alice 把话题改为：发布计划");
    QTest::addRow("topic cleared")
        << roomEvent(1, QStringLiteral("topic"), kAlice) << QStringLiteral("alice 清除了话题");
    QTest::addRow("title") << roomEvent(1, QStringLiteral("title"), kAlice, {},
                                        QStringLiteral("开发组"))
                           << QStringLiteral("alice 把标题改为：开发组");
    QTest::addRow("owner") << roomEvent(1, QStringLiteral("owner"), kAlice, kBob)
                           << QStringLiteral("alice 把房主移交给了 bob");
    QTest::addRow("from a newer server")
        << roomEvent(1, QStringLiteral("archived"), kAlice) << QStringLiteral("alice 修改了房间");
    Message withDisplay = roomEvent(1, QStringLiteral("joined"), kBob);
    withDisplay.display = QStringLiteral("鲍勃");
    QTest::addRow("display name") << withDisplay << QStringLiteral("鲍勃 (bob) 加入了房间");
}

void TestModels::eventsAreChineseSystemLines()
{
    QFETCH(Message, event);
    QFETCH(QString, line);
    m_messages->addMessage(event);
    const QModelIndex row = m_messages->index(0);
    QCOMPARE(row.data(MessageModel::TextRole).toString(), line);
    QVERIFY(row.data(MessageModel::SystemRole).toBool());
    QCOMPARE(row.data(MessageModel::EventRole).toString(), event.event);
    QCOMPARE(row.data(MessageModel::RawTextRole).toString(), event.text);
    QVERIFY(row.data().toString().endsWith(line));
}

void TestModels::mentionsOfUsAreMarked()
{
    m_messages->addMessage(message(1, kBob, QStringLiteral("@Alice 看一下")));
    m_messages->addMessage(message(2, kBob, QStringLiteral("mail alice@example.org")));
    m_messages->addMessage(message(3, kAlice, QStringLiteral("@alice 自己")));
    QVERIFY(m_messages->index(0).data(MessageModel::MentionsUsRole).toBool());
    QVERIFY(!m_messages->index(1).data(MessageModel::MentionsUsRole).toBool());
    QVERIFY(!m_messages->index(2).data(MessageModel::MentionsUsRole).toBool());
}

void TestModels::pagesMergeWithoutGapOrDuplicate()
{
    // Seeded with the newest message, then live ones, then older pages before the oldest.
    m_messages->addMessage(message(100, kBob, QStringLiteral("newest")));
    m_messages->addMessage(message(101, kBob, QStringLiteral("live")));
    QVERIFY(m_messages->hasMore());
    QCOMPARE(m_messages->oldestSeq(), 100);

    QSignalSpy inserted(m_messages, &QAbstractItemModel::rowsInserted);
    m_messages->addPage(range(51, 99), true);
    QCOMPARE(inserted.count(), 1); // one insertion at the top, not 49
    QCOMPARE(inserted.first().at(1).toInt(), 0);
    QCOMPARE(inserted.first().at(2).toInt(), 48);
    QCOMPARE(m_messages->oldestSeq(), 51);
    QVERIFY(m_messages->hasMore());

    // A page that overlaps what is held (a message came in while it was on its way).
    m_messages->addPage(range(30, 60), true);
    m_messages->addPage(range(1, 29), false);
    QVERIFY(!m_messages->hasMore());
    QCOMPARE(seqs(*m_messages), seqRange(1, 101));
    QCOMPARE(m_messages->lastSeq(), 101);
}

void TestModels::pageAcknowledgesPending()
{
    m_messages->addPending(send(QStringLiteral("mine"), QStringLiteral("hello")));
    // A reloaded room: its newest page holds our message.
    QList<Message> page = range(1, 3);
    page.append(message(4, kAlice, QStringLiteral("hello"), QStringLiteral("mine")));
    m_messages->addPage(page, false);
    QCOMPARE(seqs(*m_messages), (QList<qint64>{1, 2, 3, 4}));
    QCOMPARE(m_messages->pendingCount(), 0);
}

void TestModels::pageStopsAtTheCap()
{
    m_messages->setMaxConfirmed(10);
    m_messages->addMessage(message(100, kBob, QStringLiteral("newest")));
    m_messages->addPage(range(80, 99), true);
    QCOMPARE(m_messages->confirmedCount(), 10);
    QCOMPARE(seqs(*m_messages), seqRange(91, 100));
    // Full: no more pages are asked for.
    QVERIFY(!m_messages->hasMore());
}

void TestModels::dropConfirmedKeepsPending()
{
    m_messages->addMessage(message(1, kBob, QStringLiteral("one")));
    m_messages->addPending(send(QStringLiteral("p"), QStringLiteral("mine")));
    m_messages->setHasMore(false);
    m_messages->dropConfirmed();
    QCOMPARE(m_messages->confirmedCount(), 0);
    QCOMPARE(m_messages->pendingCount(), 1);
    QVERIFY(m_messages->hasMore());
    QCOMPARE(m_messages->oldestSeq(), 0);
}

void TestModels::membersOnlineFirstThenByLabel()
{
    m_members->setRoom(QStringLiteral("dev"));
    m_members->setMembers({member(QStringLiteral("zed"), true, QStringLiteral("阿泽")),
                           member(QStringLiteral("bob"), false),
                           member(QStringLiteral("Carol"), true),
                           member(QStringLiteral("alice"), false, {}, QStringLiteral("owner")),
                           member(QStringLiteral("carol"), true)}); // the same as Carol
    QCOMPARE(m_members->names(), (QStringList{QStringLiteral("carol"), QStringLiteral("zed"),
                                              QStringLiteral("alice"), QStringLiteral("bob")}));
    QCOMPARE(m_members->count(), 4);
    QCOMPARE(m_members->onlineCount(), 2);
    QCOMPARE(m_members->index(1).data().toString(), QStringLiteral("阿泽 (zed)"));
    QCOMPARE(m_members->index(2).data().toString(), QStringLiteral("alice · 房主"));
    QCOMPARE(m_members->index(1).data(MemberListModel::OnlineRole).toBool(), true);
    QCOMPARE(m_members->roleNames().value(MemberListModel::OnlineRole), QByteArray("online"));
}

void TestModels::membersPagesAndPresence()
{
    QSignalSpy counts(m_members, &MemberListModel::countsChanged);
    m_members->setRoom(QStringLiteral("dev"));
    m_members->setMembers(
        {member(QStringLiteral("alice"), true), member(QStringLiteral("bob"), false)});
    m_members->addMembers(
        {member(QStringLiteral("carol"), false), member(QStringLiteral("dave"), true)});
    QCOMPARE(m_members->count(), 4);
    QCOMPARE(m_members->onlineCount(), 2);

    // Left first, then joined: bob comes online with a new display name, alice goes.
    m_members->applyPresence({chat::proto::User{QStringLiteral("Bob"), QStringLiteral("鲍勃")}},
                             {QStringLiteral("alice")});
    QVERIFY(m_members->isOnline(QStringLiteral("bob")));
    QVERIFY(!m_members->isOnline(QStringLiteral("alice")));
    QCOMPARE(m_members->names(), (QStringList{QStringLiteral("dave"), QStringLiteral("bob"),
                                              QStringLiteral("alice"), QStringLiteral("carol")}));
    QCOMPARE(m_members->index(1).data(MemberListModel::LabelRole).toString(),
             QStringLiteral("鲍勃 (bob)"));
    QCOMPARE(m_members->onlineCount(), 2);
    QVERIFY(counts.count() >= 3);

    // Another room: empty until its pages come.
    m_members->setRoom(QStringLiteral("lobby"));
    QCOMPARE(m_members->count(), 0);
}

void TestModels::membersAddRemoveRole()
{
    m_members->setRoom(QStringLiteral("dev"));
    m_members->setMembers({member(QStringLiteral("alice"), true, {}, QStringLiteral("owner"))});
    m_members->addMember(member(QStringLiteral("bob"), true));
    m_members->setRole(QStringLiteral("alice"), QStringLiteral("member"));
    m_members->setRole(QStringLiteral("BOB"), QStringLiteral("owner"));
    QCOMPARE(m_members->memberAt(1).role, QStringLiteral("owner"));
    QCOMPARE(m_members->index(1).data().toString(), QStringLiteral("bob · 房主"));
    m_members->removeMember(QStringLiteral("Alice"));
    QCOMPARE(m_members->names(), QStringList{QStringLiteral("bob")});
    m_members->removeMember(QStringLiteral("nobody"));
    QCOMPARE(m_members->count(), 1);
}

QTEST_GUILESS_MAIN(TestModels)
#include "tst_models.moc"
