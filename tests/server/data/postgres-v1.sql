-- A PostgreSQL database as chat-server wrote it at schema version 1 (server/store/postgresschema.cpp,
-- step 0, before step 1 added the cluster tables), with a little of everything in it: two
-- accounts (one an admin, with a token), an invite, the lobby and a private room, five messages
-- (one an event, one naming alice), read positions. Frozen: never edit it to follow the schema,
-- tst_postgresmigration checks that the current code migrates exactly this.
BEGIN;
CREATE TABLE schema_version (version integer NOT NULL);
INSERT INTO schema_version (version) VALUES (1);
CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL);
INSERT INTO meta (key, value)
    VALUES ('instance', '7e1c0ffee7e1c0ffee7e1c0ffee7e1c0ffee7e1c0ffee7e1c0ffee7e1c0ffee0');
CREATE TABLE meta_counter (id integer PRIMARY KEY CHECK (id = 1), last_seq bigint NOT NULL);
INSERT INTO meta_counter (id, last_seq) VALUES (1, 5);
CREATE TABLE messages (seq bigint PRIMARY KEY, nick_key text NOT NULL, msg_id text NOT NULL,
    room text NOT NULL, sender text NOT NULL, time_ms bigint NOT NULL, text text NOT NULL,
    display text NOT NULL DEFAULT '', event text NOT NULL DEFAULT '',
    target text NOT NULL DEFAULT '');
CREATE UNIQUE INDEX messages_by_sender ON messages (nick_key, msg_id) WHERE msg_id != '';
CREATE INDEX messages_by_room ON messages (room, seq, event, sender);
CREATE INDEX messages_by_target ON messages (target, seq) WHERE target != '';
CREATE INDEX messages_by_time ON messages (time_ms);
CREATE TABLE mentions (seq bigint NOT NULL, account_id bigint NOT NULL, room text NOT NULL,
    PRIMARY KEY (seq, account_id));
CREATE INDEX mentions_by_account ON mentions (account_id, room, seq);
CREATE TABLE rooms (id bigserial PRIMARY KEY, name text NOT NULL UNIQUE,
    title text NOT NULL DEFAULT '', topic text NOT NULL DEFAULT '',
    private boolean NOT NULL DEFAULT false, direct boolean NOT NULL DEFAULT false,
    created_ms bigint NOT NULL);
INSERT INTO rooms (name, created_ms) VALUES ('lobby', 1795000000000);
CREATE TABLE room_members (room_id bigint NOT NULL, account_id bigint NOT NULL,
    role integer NOT NULL DEFAULT 0, joined_ms bigint NOT NULL, read_seq bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (room_id, account_id));
CREATE INDEX room_members_by_account ON room_members (account_id);
CREATE TABLE room_accounts (account_id bigint PRIMARY KEY);
CREATE TABLE accounts (id bigserial PRIMARY KEY, name text NOT NULL, name_key text NOT NULL UNIQUE,
    display text NOT NULL DEFAULT '', password_hash bytea NOT NULL DEFAULT '',
    admin boolean NOT NULL DEFAULT false, disabled boolean NOT NULL DEFAULT false,
    created_ms bigint NOT NULL);
CREATE TABLE tokens (hash bytea PRIMARY KEY, account_id bigint NOT NULL, device text NOT NULL,
    created_ms bigint NOT NULL, last_used_ms bigint NOT NULL);
CREATE INDEX tokens_by_account ON tokens (account_id);
CREATE INDEX tokens_by_use ON tokens (last_used_ms);
CREATE TABLE invites (hash bytea PRIMARY KEY, uses_left integer NOT NULL, expires_ms bigint,
    created_ms bigint NOT NULL);

-- The rows, made as version 1 made them (ids from the sequences).
INSERT INTO accounts (name, name_key, display, password_hash, admin, created_ms)
    VALUES ('Alice', 'alice', 'Alice A.', '$argon2id$v=19$alice', true, 1795000000100),
           ('bob', 'bob', '', '$argon2id$v=19$bob', false, 1795000000200);
INSERT INTO tokens (hash, account_id, device, created_ms, last_used_ms)
    VALUES ('\xa11ce0', 1, 'laptop', 1795000000300, 1795000000400);
INSERT INTO invites (hash, uses_left, expires_ms, created_ms)
    VALUES ('\x1171fe', 3, NULL, 1795000000500);
INSERT INTO rooms (name, title, topic, private, created_ms)
    VALUES ('team', 'The team', 'plans', true, 1795000001000);
INSERT INTO room_accounts (account_id) VALUES (1), (2);
INSERT INTO room_members (room_id, account_id, role, joined_ms, read_seq)
    VALUES (1, 1, 0, 1795000000600, 2), (1, 2, 0, 1795000000700, 5), (2, 1, 1, 1795000001000, 4);
INSERT INTO messages (seq, nick_key, msg_id, room, sender, time_ms, text, display, event, target)
    VALUES (1, 'account:1', 'm1', 'lobby', 'Alice', 1795000002001, 'hello', 'Alice A.', '', ''),
           (2, 'account:2', 'm2', 'lobby', 'bob', 1795000002002, '@alice hi', '', '', ''),
           (3, '', '', 'team', 'Alice', 1795000002003, 'The team', 'Alice A.', 'created', ''),
           (4, 'account:1', 'm4', 'team', 'Alice', 1795000002004, 'first plan', 'Alice A.', '',
            ''),
           (5, 'account:2', 'm5', 'lobby', 'bob', 1795000002005, 'bye', '', '', '');
INSERT INTO mentions (seq, account_id, room) VALUES (2, 1, 'lobby');
COMMIT;
