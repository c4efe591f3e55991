// SharedOutbox (transport/sharedoutbox.h): what a full kernel buffer leaves is held as the
// shared batches it is; what it hands QTcpSocket always ends between frames. Over a socketpair
// with a small send buffer, so that the kernel takes part of a write, as a slow reader's does.
#include "transport/framebatch.h"
#include "transport/sharedoutbox.h"

#include <QtTest>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

using chat::server::FrameBatch;
using chat::server::SharedOutbox;

namespace {

// Frames of every header length: 7-bit, 16-bit and 64-bit payload lengths.
FrameBatch batchOf(const QList<int> &sizes, char fill)
{
    FrameBatch batch;
    for (int size : sizes)
        batch.append(QByteArray(size, fill));
    return batch;
}

// The end of every frame in a stream of whole frames; -1 when `stream` is not one.
QList<qsizetype> frameEnds(const QByteArray &stream)
{
    QList<qsizetype> ends;
    qsizetype at = 0;
    while (at < stream.size()) {
        if (at + 2 > stream.size())
            return {-1};
        quint64 length = quint8(stream.at(at + 1)) & 0x7F;
        qsizetype header = 2;
        if (length == 126 || length == 127) {
            header = length == 126 ? 4 : 10;
            if (at + header > stream.size())
                return {-1};
            length = 0;
            for (qsizetype i = 2; i < header; ++i)
                length = length << 8 | quint8(stream.at(at + i));
        }
        at += header + qsizetype(length);
        ends.append(at);
    }
    return at == stream.size() ? ends : QList<qsizetype>{-1};
}

class SocketPair
{
public:
    SocketPair()
    {
        if (::socketpair(AF_UNIX, SOCK_STREAM, 0, m_fds) != 0)
            return;
        const int small = 4096; // the kernel doubles it; still far below a batch
        ::setsockopt(m_fds[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
        ::fcntl(m_fds[1], F_SETFL, ::fcntl(m_fds[1], F_GETFL) | O_NONBLOCK);
    }
    ~SocketPair()
    {
        ::close(m_fds[0]);
        ::close(m_fds[1]);
    }
    [[nodiscard]] int writer() const { return m_fds[0]; }
    // Everything the reader's side has now.
    QByteArray readAll()
    {
        QByteArray all;
        char buffer[65536];
        ssize_t got = 0;
        while ((got = ::read(m_fds[1], buffer, sizeof buffer)) > 0)
            all.append(buffer, got);
        return all;
    }

private:
    int m_fds[2] = {-1, -1};
};

} // namespace

class SharedOutboxTest : public QObject
{
    Q_OBJECT
private slots:
    void heldBatchesAreNotCopied();
    void piecesEndBetweenFramesAndKeepTheOrder();
    void aRefusedWriteHandsOverOneWholeFrame();
    void takeAllKeepsWhatWasNotSent();
    void theRestOfAPartlyWrittenBatchGoesOnMidFrame();
};

void SharedOutboxTest::heldBatchesAreNotCopied()
{
    const FrameBatch batch = batchOf({10, 200}, 'a');
    SharedOutbox outbox;
    outbox.append(batch.wire());
    outbox.append(batch.wire());
    QCOMPARE(outbox.bytes(), 2 * batch.wire().size());
    // Taking the first frame out copies it; the held batch is still the one buffer.
    const QByteArray piece = outbox.takeToFrameBoundary();
    QCOMPARE(piece, batch.wire().left(12));
    QCOMPARE(outbox.bytes(), 2 * batch.wire().size() - 12);
    outbox.clear();
    QVERIFY(outbox.isEmpty());
    QCOMPARE(outbox.bytes(), 0);
    QVERIFY(outbox.takeToFrameBoundary().isEmpty());
}

void SharedOutboxTest::piecesEndBetweenFramesAndKeepTheOrder()
{
    SocketPair pair;
    QVERIFY(pair.writer() >= 0);
    const QList<FrameBatch> batches = {
        batchOf({5, 125, 126, 3000, 70000, 1}, 'a'),
        batchOf({65535, 65536, 40}, 'b'),
        batchOf({100000}, 'c'),
        batchOf({7, 8, 9, 12000}, 'd'),
    };
    QByteArray expected;
    SharedOutbox outbox;
    for (const FrameBatch &batch : batches) {
        outbox.append(batch.wire());
        expected += batch.wire();
    }
    QCOMPARE(outbox.bytes(), expected.size());
    const QList<qsizetype> boundaries = frameEnds(expected);
    QVERIFY(!boundaries.contains(-1));

    // What the peer receives: the kernel's part, then each piece (as QTcpSocket would write it
    // after what the kernel took). Each piece must end where a frame ends.
    QByteArray received;
    int partialWrites = 0;
    for (int round = 0; !outbox.isEmpty() && round < 10000; ++round) {
        const qint64 before = outbox.bytes();
        const qint64 sent = outbox.sendTo(pair.writer());
        QVERIFY(sent >= 0);
        if (sent > 0 && !outbox.isEmpty())
            ++partialWrites;
        received += pair.readAll();
        QCOMPARE(received.size() + outbox.bytes(), expected.size());
        const QByteArray piece = outbox.takeToFrameBoundary();
        QCOMPARE(outbox.bytes(), before - sent - piece.size());
        received += piece;
        QVERIFY2(
            outbox.isEmpty() || boundaries.contains(received.size()),
            qPrintable(QStringLiteral("a piece ends inside a frame at %1").arg(received.size())));
        received += pair.readAll();
    }
    received += pair.readAll();
    QVERIFY(outbox.isEmpty());
    QVERIFY2(partialWrites > 0, "the kernel never took part of a write: nothing was tested");
    QCOMPARE(received.size(), expected.size());
    QVERIFY(received == expected);
}

void SharedOutboxTest::aRefusedWriteHandsOverOneWholeFrame()
{
    SocketPair pair;
    QVERIFY(pair.writer() >= 0);
    // Fill the kernel first, as a reader that stopped reading leaves it.
    const QByteArray filler(1 << 20, 'x');
    while (::send(pair.writer(), filler.constData(), size_t(filler.size()),
                  MSG_DONTWAIT | MSG_NOSIGNAL) > 0) {
    }
    const FrameBatch batch = batchOf({300, 20}, 'e');
    SharedOutbox outbox;
    outbox.append(batch.wire());
    QCOMPARE(outbox.sendTo(pair.writer()), 0);
    QCOMPARE(outbox.bytes(), batch.wire().size());
    QCOMPARE(outbox.takeToFrameBoundary(), batch.wire().left(4 + 300));
    QCOMPARE(outbox.takeToFrameBoundary(), batch.wire().mid(4 + 300));
    QVERIFY(outbox.isEmpty());
}

void SharedOutboxTest::takeAllKeepsWhatWasNotSent()
{
    SocketPair pair;
    QVERIFY(pair.writer() >= 0);
    const FrameBatch first = batchOf({200000}, 'f');
    const FrameBatch second = batchOf({10, 20}, 'g');
    SharedOutbox outbox;
    outbox.append(first.wire());
    outbox.append(second.wire());
    const qint64 sent = outbox.sendTo(pair.writer());
    QVERIFY(sent > 0 && sent < first.wire().size());
    const QByteArray rest = outbox.takeAll();
    QVERIFY(outbox.isEmpty());
    QCOMPARE(outbox.bytes(), 0);
    QVERIFY(rest == QByteArray(first.wire() + second.wire()).mid(qsizetype(sent)));
}

void SharedOutboxTest::theRestOfAPartlyWrittenBatchGoesOnMidFrame()
{
    // The transport's fast path wrote the first bytes itself (into the second frame, 5 bytes
    // past its start): the outbox holds the rest, and QTcpSocket gets the end of that frame.
    const FrameBatch batch = batchOf({10, 300, 20}, 'h');
    const qsizetype second = 2 + 10;
    SharedOutbox outbox;
    outbox.appendRest(batch.wire(), second + 5);
    QCOMPARE(outbox.bytes(), batch.wire().size() - (second + 5));
    QCOMPARE(outbox.takeToFrameBoundary(), batch.wire().mid(second + 5, 4 + 300 - 5));
    QCOMPARE(outbox.takeToFrameBoundary(), batch.wire().mid(second + 4 + 300));
    QVERIFY(outbox.isEmpty());
    // All of it written already: nothing is held.
    outbox.appendRest(batch.wire(), batch.wire().size());
    QVERIFY(outbox.isEmpty());
    QCOMPARE(outbox.bytes(), 0);
}

QTEST_GUILESS_MAIN(SharedOutboxTest)
#include "tst_sharedoutbox.moc"
