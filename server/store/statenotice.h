// The notices that tell the nodes sharing one PostgreSQL database what changed besides messages
// (rooms, memberships, read positions, accounts), so that each node reads again only that. The
// PostgreSQL stores send them with NOTIFY chat_changed from the very statement that makes the
// change: a notice goes out if and only if its change committed, whoever made it (a node, or an
// admin command working on the database). Payloads, each well under PostgreSQL's 8,000 bytes:
//   room <room id>                     the room's record and members (made, title, topic)
//   member <account id>                the account's memberships (joined, left, role, removed)
//   read <room id> <account id> <seq>  a read position, whole: nothing to read
//   account <account id>               the account (display name, admin, disabled), its tokens
#pragma once

#include <QString>

#include <optional>

namespace chat::server {

struct StateNotice
{
    enum class Kind { Room, Member, Read, Account };
    Kind kind = Kind::Room;
    qint64 room = 0;
    qint64 account = 0;
    qint64 seq = 0;

    static constexpr const char *channel = "chat_changed";

    // nullopt for a payload that is none of the above.
    [[nodiscard]] static std::optional<StateNotice> parse(const QString &payload);

    // SQL expressions that send the notice, given SQL expressions for its numbers (column names
    // of a statement's RETURNING), for the stores' statements.
    [[nodiscard]] static QString sqlRoom(const QString &roomId);
    [[nodiscard]] static QString sqlMember(const QString &accountId);
    [[nodiscard]] static QString sqlRead(const QString &roomId, const QString &accountId,
                                         const QString &seq);
    [[nodiscard]] static QString sqlAccount(const QString &accountId);
};

} // namespace chat::server
