// The tables of a PostgreSQL database that several nodes share, and their numbered migrations.
//
// Schema (version 1), the same as SQLite's version 3 (sqlitestore.h) with PostgreSQL's types:
//   schema_version(version); meta(key, value) holding the instance;
//   meta_counter(id = 1, last_seq): the newest seq ever given. A committer locks this one row
//     first (SELECT ... FOR UPDATE) and writes it last, so commits are serialised across nodes
//     and commit order is sequence order (postgresstore.h);
//   messages(seq bigint primary key, nick_key, msg_id, room, sender, time_ms, text, display,
//     event, target) with a unique index on (nick_key, msg_id) where msg_id != '', one on
//     (room, seq, event, sender), one on (target, seq) where target != '', and one on time_ms;
//   mentions(seq, account_id, room; primary key (seq, account_id)), indexed by
//     (account_id, room, seq);
//   rooms(id bigserial, name unique, title, topic, private, direct, created_ms), "lobby" id 1;
//     room_members(room_id, account_id, role, joined_ms, read_seq; primary key (room_id,
//     account_id)), indexed by account_id; room_accounts(account_id primary key);
//   accounts(id bigserial, name, name_key unique, display, password_hash bytea, admin, disabled,
//     created_ms); tokens(hash bytea primary key, account_id, device, created_ms, last_used_ms),
//     indexed by account_id and last_used_ms; invites(hash bytea primary key, uses_left,
//     expires_ms (NULL: never), created_ms).
//
// Version 2 adds cluster_nodes(node primary key, beat) and cluster_online(node references
// cluster_nodes on delete cascade, account_id, name, display; primary key (node, account_id)): who
// is online on which node (cluster/clusterpresence.h).
//
// Migrations run in one transaction under a transaction-scoped advisory lock, so when several
// nodes start at once one migrates and the others then find the schema up to date. Version n -> n
// + 1 is step n (0 -> 1 makes the tables of an empty database). A database with tables but no
// schema_version belongs to another program, and one with a newer version to a newer
// chat-server: both are refused as they are, with a reason.
#pragma once

#include <QString>

QT_BEGIN_NAMESPACE
class QSqlDatabase;
QT_END_NAMESPACE

namespace chat::server::postgres {

constexpr int kSchemaVersion = 2;

// Brings the database to kSchemaVersion. *foundVersion: what it had (0: it was empty). False with
// *error when it refuses or fails; then nothing changed.
[[nodiscard]] bool migrate(QSqlDatabase &db, int *foundVersion, QString *error);

} // namespace chat::server::postgres
