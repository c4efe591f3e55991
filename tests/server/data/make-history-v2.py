#!/usr/bin/env python3
# Writes history-v2.sqlite: a history file exactly as a version-2 chat-server (schema version 2,
# issue 10, before rooms) left it, for tst_migration. The statements are the version-2
# SqliteStore::createSchema()'s: version 1's tables, then migration 1 -> 2. It holds three
# accounts (one disabled), a token and an invite, and messages from before accounts ("v1:" keys,
# no display) and after; seqs 1 and 2 were pruned, and one message (an oddity no version-2 server
# wrote: the hub refused other rooms) names a room other than "lobby". The file is in WAL mode,
# checkpointed.
#   python3 tests/server/data/make-history-v2.py tests/server/data/history-v2.sqlite
import os
import sqlite3
import sys

path = sys.argv[1]
if os.path.exists(path):
    os.remove(path)
db = sqlite3.connect(path)
db.execute("PRAGMA journal_mode = WAL")
statements = [
    # Version 1.
    "CREATE TABLE schema_version (version INTEGER NOT NULL)",
    "INSERT INTO schema_version (version) VALUES (1)",
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
    "INSERT INTO meta (key, value) VALUES ('instance', "
    "'2b0c0ffee2b0c0ffee2b0c0ffee2b0c0ffee2b0c0ffee2b0c0ffee2b0c0ffee0'), ('last_seq', '0')",
    "CREATE TABLE messages (seq INTEGER PRIMARY KEY, nick_key TEXT NOT NULL, "
    "msg_id TEXT NOT NULL, room TEXT NOT NULL, sender TEXT NOT NULL, "
    "time_ms INTEGER NOT NULL, text TEXT NOT NULL)",
    "CREATE UNIQUE INDEX messages_by_sender ON messages (nick_key, msg_id)",
    "CREATE INDEX messages_by_time ON messages (time_ms)",
    # Migration 1 -> 2.
    "ALTER TABLE messages ADD COLUMN display TEXT NOT NULL DEFAULT ''",
    "UPDATE messages SET nick_key = 'v1:' || nick_key",
    "CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT NOT NULL, "
    "name_key TEXT NOT NULL UNIQUE, display TEXT NOT NULL DEFAULT '', "
    "password_hash BLOB NOT NULL DEFAULT x'', "
    "admin INTEGER NOT NULL DEFAULT 0, disabled INTEGER NOT NULL DEFAULT 0, "
    "created_ms INTEGER NOT NULL)",
    "CREATE TABLE tokens (hash BLOB PRIMARY KEY, "
    "account_id INTEGER NOT NULL, device TEXT NOT NULL, "
    "created_ms INTEGER NOT NULL, last_used_ms INTEGER NOT NULL) WITHOUT ROWID",
    "CREATE INDEX tokens_by_account ON tokens (account_id)",
    "CREATE INDEX tokens_by_use ON tokens (last_used_ms)",
    "CREATE TABLE invites (hash BLOB PRIMARY KEY, "
    "uses_left INTEGER NOT NULL, expires_ms INTEGER, "
    "created_ms INTEGER NOT NULL) WITHOUT ROWID",
    "UPDATE schema_version SET version = 2",
]
with db:
    for statement in statements:
        db.execute(statement)
# (id, name, name_key, display, password_hash, admin, disabled, created_ms)
accounts = [
    (1, "alice", "alice", "爱丽丝", b"$argon2id$fake-alice", 1, 0, 1795000000000),
    (2, "Bob", "bob", "", b"$argon2id$fake-bob", 0, 0, 1795000100000),
    (3, "carol", "carol", "Carol", b"$argon2id$fake-carol", 0, 1, 1795000200000),
]
# (seq, nick_key, msg_id, room, sender, time_ms, text, display)
messages = [
    (3, "v1:alice", "a-1", "lobby", "Alice", 1794999000000, "before accounts", ""),
    (4, "v1:bob", "b-1", "lobby", "bob", 1794999001000, "me too", ""),
    (5, "account:1", "m-1", "lobby", "alice", 1795000300000, "hi @Bob", "爱丽丝"),
    (6, "account:2", "m-1", "lobby", "Bob", 1795000301000, "你好 🌍", ""),
    (7, "account:1", "m-2", "general", "alice", 1795000302000, "another room?", "爱丽丝"),
    (8, "account:3", "x-1", "lobby", "carol", 1795000303000, "bye", "Carol"),
]
with db:
    db.executemany("INSERT INTO accounts (id, name, name_key, display, password_hash, admin, "
                   "disabled, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", accounts)
    db.execute("INSERT INTO tokens (hash, account_id, device, created_ms, last_used_ms) "
               "VALUES (?, 1, 'laptop', 1795000000000, 1795000300000)", (b"\x01" * 32,))
    db.execute("INSERT INTO invites (hash, uses_left, expires_ms, created_ms) "
               "VALUES (?, 2, NULL, 1795000000000)", (b"\x02" * 32,))
    db.executemany("INSERT INTO messages (seq, nick_key, msg_id, room, sender, time_ms, text, "
                   "display) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", messages)
    db.execute("UPDATE meta SET value = '8' WHERE key = 'last_seq'")
db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
db.close()
