// OrderedDelivery (server/cluster): every node's messages once each and in seq order, whatever
// the order and overlap of the notices, with this node's own commits waiting for older seqs.
#include "cluster/ordereddelivery.h"

#include <QTest>

using chat::proto::Message;
using chat::server::OrderedDelivery;

class OrderedDeliveryTest : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void ownCommitWaitsForOlderSeqsOfOtherNodes();
    void lateOverlappingNoticesDeliverEachSeqOnce();
    void failedReadKeepsOwnMessagesUntilTheStoreAnswers();
    void prunedSeqsAreSkippedAndMissingOnesAreAFailure();
    void catchUpReadsInChunksUntilTheEnd();

private:
    [[nodiscard]] static Message message(qint64 seq)
    {
        return Message{seq, {}, {}, {}, {}, {}, {}, {}, {}};
    }
    [[nodiscard]] std::unique_ptr<OrderedDelivery> cursor(qint64 delivered, qint64 chunk = 1000);
    [[nodiscard]] QList<qint64> deliveredSeqs() const;

    qint64 m_stored = 0; // the store holds m_oldest..m_stored
    qint64 m_oldest = 1;
    bool m_failing = false;
    int m_reads = 0;
    QList<QPair<qint64, bool>> m_delivered; // (seq, own)
};

void OrderedDeliveryTest::init()
{
    m_stored = 0;
    m_oldest = 1;
    m_failing = false;
    m_reads = 0;
    m_delivered.clear();
}

std::unique_ptr<OrderedDelivery> OrderedDeliveryTest::cursor(qint64 delivered, qint64 chunk)
{
    return std::make_unique<OrderedDelivery>(
        delivered,
        [this](qint64 first, qint64 last) -> std::optional<QList<Message>> {
            ++m_reads;
            if (m_failing)
                return std::nullopt;
            QList<Message> rows;
            for (qint64 seq = qMax(first, m_oldest); seq <= qMin(last, m_stored); ++seq)
                rows.append(message(seq));
            return rows;
        },
        [this]() -> std::optional<qint64> {
            if (m_failing)
                return std::nullopt;
            return m_oldest <= m_stored ? m_oldest : std::numeric_limits<qint64>::max();
        },
        [this](const QList<Message> &messages, bool own) {
            for (const Message &m : messages)
                m_delivered.append({m.seq, own});
        },
        chunk);
}

QList<qint64> OrderedDeliveryTest::deliveredSeqs() const
{
    QList<qint64> seqs;
    for (const auto &[seq, own] : m_delivered)
        seqs.append(seq);
    return seqs;
}

void OrderedDeliveryTest::ownCommitWaitsForOlderSeqsOfOtherNodes()
{
    auto delivery = cursor(0);
    m_stored = 4; // another node committed 1 and 2, whose notice has not come; we committed 3-4
    QVERIFY(delivery->ownCommitted({message(3), message(4)}));
    const QList<QPair<qint64, bool>> expected{{1, false}, {2, false}, {3, true}, {4, true}};
    QCOMPARE(m_delivered, expected);
    QCOMPARE(delivery->delivered(), 4);
}

void OrderedDeliveryTest::lateOverlappingNoticesDeliverEachSeqOnce()
{
    auto delivery = cursor(2);
    m_stored = 9;
    QVERIFY(delivery->committedUpTo(6));
    QVERIFY(delivery->committedUpTo(4)); // late
    QVERIFY(delivery->committedUpTo(6)); // twice
    QVERIFY(delivery->ownCommitted({message(7)}));
    QVERIFY(delivery->committedUpTo(7)); // our own notice comes back
    QVERIFY(delivery->committedUpTo(9));
    QCOMPARE(deliveredSeqs(), (QList<qint64>{3, 4, 5, 6, 7, 8, 9}));
}

void OrderedDeliveryTest::failedReadKeepsOwnMessagesUntilTheStoreAnswers()
{
    auto delivery = cursor(0);
    m_stored = 3;
    m_failing = true;
    QVERIFY(!delivery->ownCommitted({message(3)}));
    QVERIFY(m_delivered.isEmpty()); // not before 1 and 2
    QCOMPARE(delivery->waitingCount(), 1);
    m_failing = false;
    QVERIFY(delivery->pump());
    QCOMPARE(deliveredSeqs(), (QList<qint64>{1, 2, 3}));
    QCOMPARE(delivery->waitingCount(), 0);
}

void OrderedDeliveryTest::prunedSeqsAreSkippedAndMissingOnesAreAFailure()
{
    auto delivery = cursor(0);
    m_stored = 10;
    m_oldest = 6; // 1-5 were pruned
    QVERIFY(delivery->committedUpTo(5));
    QVERIFY(m_delivered.isEmpty());
    QCOMPARE(delivery->delivered(), 5);
    // Committed but not read: a read that finds nothing at or past the oldest held failed.
    m_stored = 7;
    QVERIFY(!delivery->committedUpTo(10));
    QCOMPARE(deliveredSeqs(), (QList<qint64>{6, 7}));
    m_stored = 10;
    QVERIFY(delivery->pump());
    QCOMPARE(deliveredSeqs(), (QList<qint64>{6, 7, 8, 9, 10}));
}

void OrderedDeliveryTest::catchUpReadsInChunksUntilTheEnd()
{
    auto delivery = cursor(0, 4);
    m_stored = 10;
    QVERIFY(delivery->catchUp()); // no notice at all (lost with the connection)
    QCOMPARE(deliveredSeqs(), (QList<qint64>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
    QCOMPARE(m_reads, 3); // 1-4, 5-8, 9-12 (short: the end)
    QVERIFY(delivery->catchUp());
    QCOMPARE(delivery->delivered(), 10);
}

QTEST_MAIN(OrderedDeliveryTest)
#include "tst_ordereddelivery.moc"
