#include "errortext.h"

#include <QCoreApplication>
#include <QRegularExpression>
#include <QSslError>

#include <algorithm>

namespace chat::client {

namespace {

constexpr int kMaxSslErrorsShown = 2;
constexpr int kMaxRetryHintMs = 60 * 60 * 1000;
constexpr qsizetype kMaxDetailChars = 200; // the server's words are data: keep them short

// The context of these sentences in the translations (Text::tr).
struct Text
{
    Q_DECLARE_TR_FUNCTIONS(ErrorText)
};

QString withFullStop(QString text)
{
    text = text.trimmed();
    static const QString stops = QStringLiteral(".。!?！？…");
    if (!text.isEmpty() && !stops.contains(text.back()))
        text += u'.';
    return text;
}

// The server's own words on one short line: control characters (newlines too) become spaces.
QString serverDetail(const QString &reason)
{
    QString text = reason;
    for (QChar &c : text) {
        if (c.category() == QChar::Other_Control)
            c = u' ';
    }
    text = text.simplified();
    if (text.size() > kMaxDetailChars) {
        text.truncate(kMaxDetailChars - 1);
        if (text.back().isHighSurrogate())
            text.chop(1);
        text += u'…';
    }
    return withFullStop(text);
}

// Codes whose sentence is general while the server's words say exactly what was wrong: which
// field, limit, character or name.
bool detailHelps(proto::ErrorCode code)
{
    using proto::ErrorCode;
    switch (code) {
    case ErrorCode::BadJson:
    case ErrorCode::BadMessage:
    case ErrorCode::UnknownType:
    case ErrorCode::TextInvalid:
    case ErrorCode::TooLarge:
    case ErrorCode::NameInvalid:
    case ErrorCode::NameTaken:
    case ErrorCode::PasswordInvalid:
    case ErrorCode::InviteInvalid:
    case ErrorCode::DisplayInvalid:
    case ErrorCode::TitleInvalid:
    case ErrorCode::Forbidden:
    case ErrorCode::UserNotFound:
    case ErrorCode::NotAllowed:
    case ErrorCode::TooManyRooms:
        return true;
    default:
        return false;
    }
}

} // namespace

QString describeSocketError(QAbstractSocket::SocketError error, const QString &qtText)
{
    // Qt 6.4 words a refused upgrade as
    // "QWebSocketPrivate::processHandshake: Unhandled http status code: 403 (Forbidden)."
    static const QRegularExpression httpStatus(
        QStringLiteral("status code: (\\d{3})(?: \\(([^)]*)\\))?"));
    if (const QRegularExpressionMatch m = httpStatus.match(qtText); m.hasMatch()) {
        const QString phrase = m.captured(2).trimmed();
        return Text::tr("The server refused the connection (HTTP %1%2).")
            .arg(m.captured(1), phrase.isEmpty() ? QString() : u' ' + phrase);
    }
    switch (error) {
    case QAbstractSocket::ConnectionRefusedError:
        return Text::tr("No server is running at this address (connection refused).");
    case QAbstractSocket::HostNotFoundError:
        return Text::tr("The server's host name was not found.");
    case QAbstractSocket::NetworkError:
        return Text::tr("The network is unreachable.");
    case QAbstractSocket::RemoteHostClosedError:
        return Text::tr("The server closed the connection.");
    case QAbstractSocket::SocketTimeoutError:
        return Text::tr("The server did not answer in time.");
    default:
        break;
    }
    // Whatever else Qt says (in English), without the name of the Qt function that said it, after
    // a translated lead-in.
    static const QRegularExpression qtPrefix(QStringLiteral("^\\w+::\\w+: "));
    QString text = qtText;
    text.remove(qtPrefix);
    text = withFullStop(text);
    if (text.isEmpty())
        return Text::tr("The connection failed.");
    text[0] = text.at(0).toUpper();
    return Text::tr("The connection failed: %1").arg(text);
}

QString describeSslErrors(const QList<QSslError> &errors)
{
    QStringList reasons;
    for (const QSslError &error : errors) {
        const QString reason = error.errorString().trimmed();
        if (!reason.isEmpty() && !reasons.contains(reason))
            reasons.append(reason);
        if (reasons.size() == kMaxSslErrorsShown)
            break;
    }
    if (reasons.isEmpty())
        return Text::tr("The certificate is not trusted.");
    return Text::tr("The certificate is not trusted: %1").arg(withFullStop(reasons.join(u"; ")));
}

int waitNamedIn(const QString &message)
{
    static const QRegularExpression wait(
        QStringLiteral("(\\d+)\\s*(ms|milliseconds?|s|secs?|seconds?|秒|min|mins|minutes?|分钟|h|"
                       "hours?|小时)(?![a-z])"),
        QRegularExpression::CaseInsensitiveOption | QRegularExpression::UseUnicodePropertiesOption);
    const QRegularExpressionMatch m = wait.match(message);
    if (!m.hasMatch())
        return 0;
    const qint64 amount = m.captured(1).left(9).toLongLong();
    const QString unit = m.captured(2).toLower();
    qint64 ms = amount * 1000;
    if (unit.startsWith(u"ms") || unit.startsWith(u"milli"))
        ms = amount;
    else if (unit.startsWith(u"min") || unit == u"分钟")
        ms = amount * 60 * 1000;
    else if (unit.startsWith(u'h') || unit == u"小时")
        ms = amount * 60 * 60 * 1000;
    return int(std::min<qint64>(ms, kMaxRetryHintMs));
}

namespace {

// The sentence for a known code; empty for ErrorCode::Unknown.
QString sentenceFor(proto::ErrorCode code, const QString &reason)
{
    using proto::ErrorCode;
    switch (code) {
    case ErrorCode::BadJson:
    case ErrorCode::BadMessage:
    case ErrorCode::UnknownType:
    case ErrorCode::BinaryFrame:
        return Text::tr("The server could not understand the request.");
    case ErrorCode::NotJoined:
    case ErrorCode::AlreadyJoined:
        return Text::tr("The server did not expect this request.");
    case ErrorCode::UnsupportedVersion:
        return Text::tr("The server speaks another version of the chat protocol; update the "
                        "program.");
    case ErrorCode::NickInvalid:
        return Text::tr("The nickname cannot be used.");
    case ErrorCode::NickTaken:
        return Text::tr("The nickname is taken.");
    case ErrorCode::TextInvalid:
        return Text::tr("The text is empty, too long or has control characters.");
    case ErrorCode::TooLarge:
        return Text::tr("The message is too large.");
    case ErrorCode::RateLimited:
        return Text::tr("Too much sent too fast; slow down.");
    case ErrorCode::Unauthorized:
        return Text::tr("This server does not allow that.");
    case ErrorCode::Internal:
        return Text::tr("The server had a problem; try again.");
    case ErrorCode::LoginFailed:
        return Text::tr("Wrong account name or password.");
    case ErrorCode::TokenInvalid:
        return Text::tr("This login has ended or expired; log in with your password again.");
    case ErrorCode::NameInvalid:
        return Text::tr("The account name cannot be used.");
    case ErrorCode::NameTaken:
        return Text::tr("The account name is taken (or looks the same as one that is).");
    case ErrorCode::PasswordInvalid:
        return Text::tr("The password is too short or too long.");
    case ErrorCode::RegistrationClosed:
        return Text::tr("Registration is closed on this server: an administrator creates the "
                        "accounts.");
    case ErrorCode::InviteInvalid:
        return Text::tr("The invite code is missing, unknown, used up or expired.");
    case ErrorCode::TooManyAttempts:
        // The wait stays in the sentence: the controller waits that long before trying again.
        if (const int waitMs = waitNamedIn(reason); waitMs > 0)
            return Text::tr("Too many attempts; try again in %n second(s).", nullptr,
                            (waitMs + 999) / 1000);
        return Text::tr("Too many attempts; try again later.");
    case ErrorCode::Busy:
        return Text::tr("The server is busy; try again in a moment.");
    case ErrorCode::AccountDisabled:
        return Text::tr("This account is disabled.");
    case ErrorCode::DisplayInvalid:
        return Text::tr("The display name cannot be used.");
    case ErrorCode::Forbidden:
        return Text::tr("That is not allowed.");
    case ErrorCode::RoomNotFound:
        return Text::tr("There is no such room, or you are not in it.");
    case ErrorCode::NotMember:
        return Text::tr("Join the room first.");
    case ErrorCode::NotOwner:
        return Text::tr("Only the room's owner may do that.");
    case ErrorCode::RoomExists:
        return Text::tr("A room with this name exists.");
    case ErrorCode::InviteOnly:
        return Text::tr("The room is private: a member must invite you.");
    case ErrorCode::UserNotFound:
        return Text::tr("There is no such account, or it is not in this room.");
    case ErrorCode::NotAllowed:
        return Text::tr("That is not possible in this room.");
    case ErrorCode::TooManyRooms:
        return Text::tr("The limit of rooms this server allows is reached.");
    case ErrorCode::TitleInvalid:
        return Text::tr("The title or topic is too long or has control characters.");
    case ErrorCode::Unknown:
        break;
    }
    return {};
}

} // namespace

QString describeServerError(proto::ErrorCode code, const QString &reason)
{
    const QString detail = serverDetail(reason);
    if (code == proto::ErrorCode::Unknown) {
        // A code from a newer server: its own words (English) are all there is.
        return detail.isEmpty() ? Text::tr("The server refused the request.")
                                : Text::tr("The server refused the request: %1").arg(detail);
    }
    const QString sentence = sentenceFor(code, reason);
    if (!detailHelps(code) || detail.isEmpty() ||
        sentence.compare(detail, Qt::CaseInsensitive) == 0)
        return sentence;
    return Text::tr("%1 The server says: %2", "a sentence for the error, then the server's words")
        .arg(sentence, detail);
}

} // namespace chat::client
