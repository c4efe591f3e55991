#!/usr/bin/env python3
# Writes history-v1.sqlite: a history file exactly as a version-1 chat-server (schema version 1,
# before issue 10) left it, for tst_migration. The CREATE statements are the version-1
# SqliteStore::createSchema()'s. Seqs 1 and 2 were pruned; the file is in WAL mode, checkpointed.
#   python3 tests/server/data/make-history-v1.py tests/server/data/history-v1.sqlite
import os
import sqlite3
import sys

path = sys.argv[1]
if os.path.exists(path):
    os.remove(path)
db = sqlite3.connect(path)
db.execute("PRAGMA journal_mode = WAL")
statements = [
    "CREATE TABLE schema_version (version INTEGER NOT NULL)",
    "INSERT INTO schema_version (version) VALUES (1)",
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
    "INSERT INTO meta (key, value) VALUES ('instance', "
    "'5f1c0ffee5f1c0ffee5f1c0ffee5f1c0ffee5f1c0ffee5f1c0ffee5f1c0ffee0'), ('last_seq', '0')",
    "CREATE TABLE messages (seq INTEGER PRIMARY KEY, nick_key TEXT NOT NULL, "
    "msg_id TEXT NOT NULL, room TEXT NOT NULL, sender TEXT NOT NULL, "
    "time_ms INTEGER NOT NULL, text TEXT NOT NULL)",
    "CREATE UNIQUE INDEX messages_by_sender ON messages (nick_key, msg_id)",
    "CREATE INDEX messages_by_time ON messages (time_ms)",
]
with db:
    for statement in statements:
        db.execute(statement)
# (seq, nick_key, msg_id, room, sender, time_ms, text): nick keys are nickKey(), case-folded.
messages = [
    (3, "alice", "a-1", "lobby", "Alice", 1795000000000, "hello"),
    (4, "bob", "b-1", "lobby", "bob", 1795000001000, "hi Alice"),
    (5, "爱丽丝", "c-1", "lobby", "爱丽丝", 1795000002000, "你好，世界 🌍"),
    (6, "alice", "a-2", "lobby", "Alice", 1795000003000, "line one\nline two"),
    (7, "bob", "a-1", "lobby", "bob", 1795000004000, "same id, other nick"),
]
with db:
    db.executemany("INSERT INTO messages (seq, nick_key, msg_id, room, sender, time_ms, text) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?)", messages)
    db.execute("UPDATE meta SET value = '7' WHERE key = 'last_seq'")
db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
db.close()
