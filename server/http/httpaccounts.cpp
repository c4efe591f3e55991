#include "http/httpaccounts.h"

#include "accounts/accounts.h"
#include "codec.h"
#include "logging.h"
#include "transport/originpolicy.h"

namespace chat::server {

using chat::proto::ErrorCode;

namespace {

constexpr QByteArrayView kLogin = "/api/login";
constexpr QByteArrayView kRegister = "/api/register";
constexpr QByteArrayView kLogout = "/api/logout";
constexpr qint64 kCookieYearSeconds = 365LL * 24 * 60 * 60;

HttpResponse jsonAnswer(int status, const QByteArray &body)
{
    HttpResponse response;
    response.status = status;
    response.headers = {{"Content-Type", "application/json"}, {"Cache-Control", "no-store"}};
    response.body = body;
    return response;
}

HttpResponse errorAnswer(ErrorCode code, const QString &reason, int status = 0)
{
    return jsonAnswer(status > 0 ? status : chat::proto::httpStatusFor(code),
                      chat::proto::encodeHttpError(code, reason));
}

// The Set-Cookie value: the token for `maxAge` seconds, or an empty one that ends at once.
QByteArray cookie(const QString &token, qint64 maxAge, bool secure)
{
    QByteArray value = HttpAccounts::kCookieName.toByteArray() + '=' + token.toLatin1() +
                       "; HttpOnly; SameSite=Strict; Path=/; Max-Age=" + QByteArray::number(maxAge);
    if (secure)
        value += "; Secure";
    return value;
}

// "application/json", in any letter case, with or without parameters such as a charset.
bool isJson(const QByteArray &contentType)
{
    const qsizetype semicolon = contentType.indexOf(';');
    const QByteArray type = (semicolon < 0 ? contentType : contentType.first(semicolon)).trimmed();
    return type.compare("application/json", Qt::CaseInsensitive) == 0;
}

// A Content-Length value: 1 to 18 digits, nothing else; -1 otherwise.
qint64 parseLength(const QByteArray &value)
{
    if (value.isEmpty() || value.size() > 18)
        return -1;
    for (const char c : value) {
        if (c < '0' || c > '9')
            return -1;
    }
    return value.toLongLong();
}

} // namespace

HttpAccounts::HttpAccounts(Accounts *accounts, QStringList allowedOrigins)
    : m_accounts(accounts)
    , m_allowedOrigins(std::move(allowedOrigins))
{}

bool HttpAccounts::handles(QByteArrayView path)
{
    return path == kLogin || path == kRegister || path == kLogout;
}

bool HttpAccounts::originAccepted(const HttpRequest &request, bool secure) const
{
    // Browsers send Origin with every POST fetch; a request without one is not from the page.
    const QList<QByteArray> origins = request.headerValues("origin");
    return origins.size() == 1 &&
           originIsOwnOrAllowed(QString::fromLatin1(origins.first()), request.header("host"),
                                secure, m_allowedOrigins);
}

std::optional<HttpResponse> HttpAccounts::check(const HttpRequest &request, bool secure,
                                                qsizetype *bodyBytes) const
{
    *bodyBytes = 0;
    if (request.method != "POST") {
        HttpResponse response =
            errorAnswer(ErrorCode::BadMessage, QStringLiteral("Only POST is allowed here."), 405);
        response.headers.append(qMakePair(QByteArray("Allow"), QByteArray("POST")));
        return response;
    }
    if (!originAccepted(request, secure)) {
        return errorAnswer(ErrorCode::Forbidden,
                           QStringLiteral("Only the chat's own page may log in here."));
    }
    if (!isJson(request.header("content-type"))) {
        return errorAnswer(ErrorCode::BadMessage,
                           QStringLiteral("The body must be application/json."), 415);
    }
    if (request.hasHeader("transfer-encoding")) {
        return errorAnswer(ErrorCode::BadMessage,
                           QStringLiteral("Send the body with a Content-Length, not chunked."),
                           411);
    }
    const QList<QByteArray> lengths = request.headerValues("content-length");
    if (lengths.isEmpty()) {
        if (request.path == kLogout)
            return std::nullopt; // no body needed (RFC 9112 6.3: none without a length)
        return errorAnswer(ErrorCode::BadMessage,
                           QStringLiteral("The request needs a Content-Length."), 411);
    }
    const qint64 length = parseLength(lengths.first());
    for (const QByteArray &other : lengths) {
        if (length < 0 || parseLength(other) != length) {
            return errorAnswer(ErrorCode::BadMessage,
                               QStringLiteral("The Content-Length is not a number."), 400);
        }
    }
    if (length > chat::proto::kMaxHttpBodyBytes) {
        return errorAnswer(ErrorCode::TooLarge,
                           QStringLiteral("The body has %1 bytes; at most %2 are allowed.")
                               .arg(length)
                               .arg(chat::proto::kMaxHttpBodyBytes),
                           413);
    }
    *bodyBytes = qsizetype(length);
    return std::nullopt;
}

QString HttpAccounts::cookieToken(const HttpRequest &request)
{
    const QByteArray prefix = kCookieName.toByteArray() + '=';
    for (const QByteArray &header : request.headerValues("cookie")) {
        for (const QByteArray &part : header.split(';')) {
            const QByteArray pair = part.trimmed();
            if (pair.startsWith(prefix))
                return QString::fromLatin1(pair.sliced(prefix.size()));
        }
    }
    return {};
}

void HttpAccounts::respond(const HttpRequest &request, const HttpPeer &peer,
                           std::function<void(HttpResponse)> done)
{
    if (request.path == kLogout)
        return logout(request, peer, done);

    const bool registering = request.path == kRegister;
    const chat::proto::Decoded<chat::proto::LoginRequest> decoded =
        registering ? chat::proto::decodeRegisterRequest(request.body)
                    : chat::proto::decodeLoginRequest(request.body, false);
    if (!decoded.ok())
        return done(errorAnswer(decoded.code, decoded.reason));

    const int days = m_accounts->policy().tokenExpiryDays;
    const qint64 maxAge = days > 0 ? qint64(days) * 24 * 60 * 60 : kCookieYearSeconds;
    const bool secure = peer.secure;
    // Captures values only: it may run after the request's connection is gone.
    auto answer = [done = std::move(done), maxAge, secure](const AuthResult &result) {
        if (!result.ok())
            return done(errorAnswer(result.code, result.reason));
        HttpResponse response =
            jsonAnswer(200, chat::proto::encodeHttpAuthAnswer(result.account->name));
        response.headers.append({"Set-Cookie", cookie(result.newToken, maxAge, secure)});
        done(std::move(response));
    };
    const chat::proto::LoginRequest &body = *decoded.message;
    if (registering)
        m_accounts->registerAccount(body.toRegistration(), body.device, peer.address,
                                    std::move(answer));
    else
        m_accounts->login(body.toLogin(), body.device, peer.address, std::move(answer));
}

void HttpAccounts::logout(const HttpRequest &request, const HttpPeer &peer,
                          const std::function<void(HttpResponse)> &done)
{
    const QString token = cookieToken(request);
    if (!token.isEmpty() && token.size() <= chat::proto::kMaxTokenChars) {
        const QByteArray hash = Accounts::hashToken(token);
        if (const std::optional<TokenRecord> record = m_accounts->store()->findToken(hash)) {
            // Ends the token: the hub closes the connections that logged in with it.
            m_accounts->logout(record->accountId, hash);
        } else if (!m_accounts->store()->errorString().isEmpty()) {
            qCWarning(lcServerNet).noquote()
                << "HTTP logout:" << m_accounts->store()->errorString();
            return done(errorAnswer(ErrorCode::Internal,
                                    QStringLiteral("The server could not log you out.")));
        }
    }
    // Logged out or never logged in: either way the browser forgets the cookie.
    HttpResponse response;
    response.headers = {{"Cache-Control", "no-store"},
                        {"Set-Cookie", cookie(QString(), 0, peer.secure)}};
    done(std::move(response));
}

} // namespace chat::server
