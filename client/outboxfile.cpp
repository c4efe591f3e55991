#include "outboxfile.h"

#include "clientlogging.h"
#include "codec.h"
#include "validation.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QSet>
#include <QUrl>

namespace chat::client::outboxfile {

namespace {

// No one types this much while offline; the cap keeps a damaged or hostile file from stalling
// the window at start.
constexpr int kMaxItems = 10000;

// Reads the rest of an over-long line, so that the next read starts on the next line.
void skipRestOfLine(QFile &file)
{
    char c = 0;
    while (file.getChar(&c) && c != '\n') {
    }
}

} // namespace

QList<proto::Send> read(const QString &path, QHash<QString, QDateTime> *typed)
{
    QFile file(path);
    if (!file.exists())
        return {};
    if (!file.open(QIODevice::ReadOnly)) {
        qCWarning(lcOutbox) << "cannot read the saved outbox" << path << ":" << file.errorString();
        return {};
    }
    QList<proto::Send> items;
    QSet<QString> ids;
    int lineNumber = 0;
    while (!file.atEnd()) {
        ++lineNumber;
        // One frame is at most kMaxClientFrameBytes; readLine() keeps room for the '\n'.
        QByteArray line = file.readLine(proto::kMaxClientFrameBytes + 2);
        if (!line.endsWith('\n') && !file.atEnd()) {
            skipRestOfLine(file);
            qCWarning(lcOutbox) << "saved outbox line" << lineNumber << "skipped: too long";
            continue;
        }
        line = line.trimmed();
        if (line.isEmpty())
            continue;
        // A JSON frame holds no raw tab: one after it starts the typed time.
        QDateTime typedAt;
        if (const qsizetype tab = line.lastIndexOf('\t'); tab >= 0) {
            typedAt =
                QDateTime::fromString(QString::fromLatin1(line.mid(tab + 1)), Qt::ISODateWithMs);
            line.truncate(tab);
        }
        const proto::Decoded<proto::ClientMessage> decoded = proto::decodeClientMessage(line);
        const proto::Send *send =
            decoded.ok() ? std::get_if<proto::Send>(&*decoded.message) : nullptr;
        if (!send) {
            qCWarning(lcOutbox) << "saved outbox line" << lineNumber << "skipped:"
                                << (decoded.ok() ? QStringLiteral("not a send") : decoded.reason);
            continue;
        }
        if (ids.contains(send->id)) {
            qCWarning(lcOutbox) << "saved outbox line" << lineNumber << "skipped: repeated id";
            continue;
        }
        if (items.size() >= kMaxItems) {
            qCWarning(lcOutbox) << "saved outbox holds more than" << kMaxItems
                                << "messages; the rest is dropped";
            break;
        }
        ids.insert(send->id);
        items.append(*send);
        if (typed && typedAt.isValid())
            typed->insert(send->id, typedAt.toUTC());
    }
    qCDebug(lcOutbox) << "restored" << items.size() << "unsent messages from" << path;
    return items;
}

bool write(const QString &path, const QList<proto::Send> &items, QString *error,
           const QHash<QString, QDateTime> &typed)
{
    const auto fail = [&](const QString &reason) {
        if (error)
            *error = reason;
        return false;
    };
    if (items.isEmpty()) {
        if (QFile::exists(path) && !QFile::remove(path))
            return fail(QStringLiteral("cannot remove %1").arg(QDir::toNativeSeparators(path)));
        return true;
    }
    const QString directory = QFileInfo(path).absolutePath();
    if (!QDir().mkpath(directory))
        return fail(QStringLiteral("cannot create %1").arg(QDir::toNativeSeparators(directory)));
    // Written aside and renamed over the old file: a crash leaves the old or the new, never half.
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return fail(file.errorString());
    for (const proto::Send &send : items) {
        file.write(proto::encode(send));
        if (const QDateTime at = typed.value(send.id); at.isValid())
            file.write('\t' + at.toUTC().toString(Qt::ISODateWithMs).toLatin1());
        file.write("\n", 1);
    }
    if (!file.commit())
        return fail(file.errorString());
    return true;
}

QString pathFor(const QString &directory, const QUrl &serverUrl, const QString &nick)
{
    const QString key =
        serverUrl.adjusted(QUrl::NormalizePathSegments).toString(QUrl::FullyEncoded) + u'\n' +
        proto::nickKey(proto::normalizeNick(nick).nick);
    const QByteArray hash =
        QCryptographicHash::hash(key.toUtf8(), QCryptographicHash::Sha256).toHex().left(24);
    return QDir(directory).filePath(QStringLiteral("outbox-%1.txt").arg(QLatin1String(hash)));
}

} // namespace chat::client::outboxfile
