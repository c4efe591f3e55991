#!/usr/bin/env node
// Interoperability: the real chat-server against clients nobody on this project wrote, following
// docs/protocol.md (version 3: rooms, direct messages, unread counts, older history, typing) word
// for word, and raw clients that try to see or touch a private room they are not in. WebSocket: the `ws` package (installed in
// tests/browser by `npm ci`). HTTP: Node's own fetch (undici) for the page, /healthz, /metrics and
// the browser's login (POST /api/login, /api/logout, whose cookie then opens a WebSocket).
//
//   node tests/interop/interop.mjs path/to/chat-server
import { existsSync } from 'node:fs';

const binary = process.argv[2];
if (!binary || !existsSync(binary)) {
  console.error('usage: interop.mjs path/to/chat-server');
  process.exit(2);
}
let support;
try {
  support = await import('../browser/support.mjs');
} catch (error) {
  console.error(`the ws package is missing: run "npm ci" in tests/browser (scripts/test.sh does).\n${error}`);
  process.exit(1);
}
const { check, ProtocolClient, ServerProcess, serverHasOption, Steps, within } = support;
const VERSION = support.PROTOCOL_VERSION;

const TOTAL_MS = 90000;
const watchdog = setTimeout(() => {
  console.error(`FAIL: the whole test took over ${TOTAL_MS} ms`);
  process.exit(1);
}, TOTAL_MS);

const ISO_MS_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const PASSWORD = 'correct horse';
// Open registration allows 5 sign-ups per address per 10 minutes; this test makes 6.
const args = ['--host', '127.0.0.1', '--port', '0', '--name', 'interop'];
if (await serverHasOption(binary, '--db')) args.push('--db', ':memory:');
if (await serverHasOption(binary, '--max-registrations-per-address')) {
  args.push('--max-registrations-per-address', '20');
}
// The room steps send bursts of requests; the rate limit has tests of its own (tst_floods).
if (await serverHasOption(binary, '--rate')) args.push('--rate', '0');
const server = new ServerProcess(binary, args);
const steps = new Steps();
const clients = [];

async function client(url, options) {
  const c = await new ProtocolClient(url, options).open();
  clients.push(c);
  return c;
}

// The next frame this client gets after `from`, whatever it is.
function next(c, from, what) {
  return c.waitFor(() => true, what, 5000, from);
}

async function main() {
  const port = await server.start();
  const url = `ws://127.0.0.1:${port}/`;
  const http = `http://127.0.0.1:${port}`;
  let alice;
  let welcome;

  await steps.run('a registering hello is answered by a welcome with every documented field', async () => {
    alice = await client(url);
    alice.send({ type: 'hello', version: VERSION, device: 'interop',
      register: { name: '  Alice  ', password: PASSWORD, display: '爱丽丝' } });
    welcome = await next(alice, 0, 'the welcome');
    check(welcome.type === 'welcome', JSON.stringify(welcome));
    check(welcome.version === VERSION && welcome.server === 'interop', 'version and server name');
    check(welcome.account === 'Alice', `the name comes back trimmed (${welcome.account})`);
    check(welcome.display === '爱丽丝', `the display name (${welcome.display})`);
    check(!('admin' in welcome), 'admin is omitted when false');
    check(typeof welcome.token === 'string' && /^[\x21-\x7e]{16,1024}$/.test(welcome.token),
      'a token after a registration');
    check(typeof welcome.session === 'string' && welcome.session.length > 0, 'a session');
    check(typeof welcome.instance === 'string' && welcome.instance.length > 0, 'an instance');
    check(Number.isInteger(welcome.seq) && welcome.seq >= 0, 'a seq');
    check(welcome.resumed === false, 'not resumed');
    check(!('users' in welcome), 'no users any more: rooms instead');
    check(Array.isArray(welcome.rooms), 'rooms is a list');
    // A new account is in the lobby, read up to its newest message: nothing unread.
    const lobby = welcome.rooms.find((r) => r.name === 'lobby');
    check(lobby !== undefined, `the new account is in the lobby (${JSON.stringify(welcome.rooms)})`);
    check(lobby.role === 'member' && Number.isInteger(lobby.members) && lobby.members >= 1 &&
      Number.isInteger(lobby.read) && lobby.unread === 0 && lobby.mentions === 0,
    `the lobby's state has role, members, read, unread, mentions (${JSON.stringify(lobby)})`);
    check(!lobby.private && !lobby.direct, 'the lobby is public');
    check(Array.isArray(welcome.history) && welcome.history.length === 0, 'an empty history');
    check(!('reload' in welcome), 'reload is omitted when empty');
  });

  let first;
  await steps.run('send is echoed as a message with the next seq, a time and the sender', async () => {
    const from = alice.frames.length;
    alice.send({ type: 'send', id: '7d1e5c2a-52d4-4a40-9f0e-0c9a3c1f6b11', room: 'lobby', text: '你好 👋' });
    first = await alice.waitFor((f) => f.type === 'message' || f.type === 'error', 'the echo',
      5000, from);
    check(first.type === 'message', JSON.stringify(first));
    check(first.seq > welcome.seq, `seq ${first.seq} follows ${welcome.seq}`);
    check(!('event' in first) && !('target' in first), 'a chat message has no event');
    check(first.id === '7d1e5c2a-52d4-4a40-9f0e-0c9a3c1f6b11', 'the same id');
    check(first.room === 'lobby' && first.from === 'Alice' && first.display === '爱丽丝' &&
      first.text === '你好 👋', 'fields');
    check(ISO_MS_UTC.test(first.time), `time is ISO 8601 UTC with ms (${first.time})`);
  });

  await steps.run('the same id sent again is acknowledged again, not stamped again', async () => {
    const from = alice.frames.length;
    alice.send({ type: 'send', id: '7d1e5c2a-52d4-4a40-9f0e-0c9a3c1f6b11', text: '你好 👋' });
    const again = await alice.waitFor((f) => f.type === 'message' || f.type === 'error',
      'the second acknowledgement', 5000, from);
    check(again.type === 'message' && again.seq === first.seq && again.time === first.time,
      JSON.stringify(again));
  });

  await steps.run('ping is answered by a pong with the same id', async () => {
    const from = alice.frames.length;
    alice.send({ type: 'ping', id: '17' });
    const pong = await next(alice, from, 'the pong');
    check(pong.type === 'pong' && pong.id === '17', JSON.stringify(pong));
  });

  const badFrames = [
    ['text that is not JSON', 'not json', 'bad_json'],
    ['a JSON array', '[1,2]', 'bad_json'],
    ['an unknown type', '{"type":"shout","text":"hi"}', 'unknown_type'],
    ['a send without text', '{"type":"send","id":"a1"}', 'bad_message'],
    ['an empty text', '{"type":"send","id":"a2","text":"   "}', 'text_invalid', 'a2'],
    ['a control character', '{"type":"send","id":"a3","text":"bell\\u0007"}', 'text_invalid', 'a3'],
    ['an id with a space', '{"type":"send","id":"a b","text":"hi"}', 'bad_message'],
    ['a send with both room and to', '{"type":"send","id":"a4","room":"lobby","to":"bob","text":"hi"}',
      'bad_message', 'a4'],
    ['a room name with capitals', '{"type":"join","id":"a5","room":"Dev"}', 'bad_message', 'a5'],
    ['a rooms request for 0 rooms', '{"type":"rooms","id":"a6","limit":0}', 'bad_message', 'a6'],
    ['an update_room with nothing to update', '{"type":"update_room","id":"a7","room":"lobby"}',
      'bad_message', 'a7'],
    ['a negative history bound', '{"type":"history","id":"a8","room":"lobby","before":-1}',
      'bad_message', 'a8'],
    ['a title with a control character',
      '{"type":"create_room","id":"a9","name":"x","title":"a\\u0007"}', 'title_invalid', 'a9'],
    ['a second hello', `{"type":"hello","version":${VERSION},"token":"x"}`, 'already_joined'],
  ];
  for (const [name, frame, code, ref] of badFrames) {
    await steps.run(`${name} gets an error ${code}, and the connection stays open`, async () => {
      const from = alice.frames.length;
      alice.send(frame);
      const error = await next(alice, from, `the error for ${name}`);
      check(error.type === 'error' && error.code === code, JSON.stringify(error));
      check(typeof error.message === 'string' && error.message.length > 0, 'a readable message');
      if (ref) check(error.ref === ref, `ref names the send (${error.ref})`);
      check(alice.closed === null, 'still open');
    });
  }

  await steps.run('a binary frame gets an error binary_frame', async () => {
    const from = alice.frames.length;
    alice.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    const error = await next(alice, from, 'the error');
    check(error.type === 'error' && error.code === 'binary_frame', JSON.stringify(error));
  });

  await steps.run('anything before hello gets not_joined', async () => {
    const stranger = await client(url);
    stranger.send({ type: 'send', id: 's1', text: 'hi' });
    const error = await next(stranger, 0, 'the error');
    check(error.type === 'error' && error.code === 'not_joined', JSON.stringify(error));
    stranger.close();
  });

  let bob;
  let bobToken;
  await steps.run('presence: the members request, then who of the room came online and went', async () => {
    const members = await alice.request({ type: 'members', room: 'lobby' }, 'the lobby\'s members');
    check(members.type === 'members' && members.room === 'lobby' && Array.isArray(members.members),
      JSON.stringify(members));
    const me = members.members.find((m) => m.name === 'Alice');
    check(me && me.online === true && me.display === '爱丽丝' && typeof me.role === 'string',
      `Alice is listed online with her display name (${JSON.stringify(members.members)})`);
    check(members.online === 1 && !members.next, `one online, one page (${JSON.stringify(members)})`);
    const from = alice.frames.length;
    bob = await client(url);
    bobToken = (await bob.register('bob', PASSWORD)).token;
    const join = await alice.waitFor((f) => f.type === 'presence' && f.joined.length > 0,
      'presence join', 5000, from);
    check(join.room === 'lobby' && JSON.stringify(join.joined) === '[{"name":"bob"}]' &&
      join.left.length === 0 && join.online === 2, JSON.stringify(join));
    // The automatic lobby join of a new account writes no event (too noisy).
    check(!alice.messages('lobby').slice(0).some((m) => m.event === 'joined' && m.from === 'bob'),
      'no joined event for the automatic lobby join');
    bob.close();
    const leave = await alice.waitFor((f) => f.type === 'presence' && f.left.length > 0,
      'presence leave', 5000, from);
    check(leave.room === 'lobby' && JSON.stringify(leave.left) === '["bob"]' &&
      leave.joined.length === 0 && leave.online === 1, JSON.stringify(leave));
    bob = await client(url);
    await bob.hello({ token: bobToken, device: 'interop' });
  });

  const refusals = [
    ['a version-1 hello', { version: 1, nick: 'zed' }, 'unsupported_version'],
    ['a version-2 hello', { version: 2, token: 'x' }, 'unsupported_version'],
    ['a taken name, in another letter case',
      { version: VERSION, register: { name: 'ALICE', password: PASSWORD } }, 'name_taken'],
    ['an invisible character in the name',
      { version: VERSION, register: { name: 'ze\u200bd', password: PASSWORD } }, 'name_invalid'],
    ['a short password', { version: VERSION, register: { name: 'zed', password: 'short' } },
      'password_invalid'],
    ['a wrong password', { version: VERSION, login: { name: 'alice', password: 'wrong horse' } },
      'login_failed'],
    ['an unknown token', { version: VERSION, token: 'no-such-token' }, 'token_invalid'],
    ['no credentials and no cookie', { version: VERSION }, 'token_invalid'],
  ];
  for (const [name, fields, code] of refusals) {
    await steps.run(`a hello with ${name} gets ${code}, then the connection closes`, async () => {
      const other = await client(url);
      other.send({ type: 'hello', ...fields });
      const error = await next(other, 0, 'the refusal');
      check(error.type === 'error' && error.code === code, JSON.stringify(error));
      if (code === 'unsupported_version') {
        check(/version 3/.test(error.message), `the refusal names version 3 (${error.message})`);
      }
      const closed = await other.waitClosed(5000);
      check(closed.code === 1008, `closed with 1008 (${closed.code})`);
    });
  }

  // --- rooms ------------------------------------------------------------------------------

  let carol;
  await steps.run('create_room: done, the room\'s state for its owner, and a created event', async () => {
    carol = await client(url);
    await carol.register('carol', PASSWORD);
    const from = alice.frames.length;
    const done = await alice.request({ type: 'create_room', name: 'dev', title: '开发组',
      topic: '发布计划' }, 'the answer to create_room');
    check(done.type === 'done' && done.room === 'dev', JSON.stringify(done));
    const state = await alice.waitFor((f) => f.type === 'room' && f.room.name === 'dev',
      'the room frame', 5000, from);
    const dev = state.room;
    check(dev.title === '开发组' && dev.topic === '发布计划' && dev.role === 'owner' &&
      dev.members === 1 && !dev.private && !dev.direct && dev.unread === 0 && dev.mentions === 0,
    JSON.stringify(dev));
    const created = await alice.waitFor((f) => f.type === 'message' && f.room === 'dev',
      'the created event', 5000, from);
    check(created.event === 'created' && created.from === 'Alice' && created.id === '' &&
      Number.isInteger(created.seq), JSON.stringify(created));
    const again = await alice.request({ type: 'create_room', name: 'dev' });
    check(again.type === 'error' && again.code === 'room_exists', JSON.stringify(again));
  });

  await steps.run('rooms lists the public rooms by name; join is done with a joined event', async () => {
    const list = await bob.request({ type: 'rooms', limit: 1 }, 'the first page of rooms');
    check(list.type === 'rooms' && list.rooms.length === 1 && list.next === list.rooms[0].name,
      `one room and a next (${JSON.stringify(list)})`);
    const rest = await bob.request({ type: 'rooms', after: list.next, limit: 200 });
    const all = [...list.rooms, ...rest.rooms];
    check(!('next' in rest), `the last page has no next (${JSON.stringify(rest)})`);
    const names = all.map((r) => r.name);
    check(JSON.stringify(names) === JSON.stringify([...names].sort()), `sorted by name (${names})`);
    const dev = all.find((r) => r.name === 'dev');
    check(dev && dev.title === '开发组' && dev.members === 1 && dev.joined !== true,
      JSON.stringify(dev));
    check(all.find((r) => r.name === 'lobby')?.joined === true, 'bob is in the lobby');
    const from = alice.frames.length;
    const bobFrom = bob.frames.length;
    const done = await bob.request({ type: 'join', room: 'dev' }, 'the answer to join');
    check(done.type === 'done' && done.room === 'dev', JSON.stringify(done));
    const state = await bob.waitFor((f) => f.type === 'room' && f.room.name === 'dev',
      'bob\'s room frame', 5000, bobFrom);
    check(state.room.role === 'member' && state.room.members === 2, JSON.stringify(state.room));
    const joined = await alice.waitFor((f) => f.type === 'message' && f.room === 'dev' &&
      f.event === 'joined', 'the joined event', 5000, from);
    check(joined.from === 'bob', JSON.stringify(joined));
  });

  await steps.run('a message in a room reaches its members only', async () => {
    const carolFrom = carol.frames.length;
    bob.send({ type: 'send', id: 'dev-1', room: 'dev', text: 'only for dev' });
    const got = await alice.waitFor((f) => f.type === 'message' && f.id === 'dev-1', 'alice gets it');
    check(got.room === 'dev' && got.from === 'bob', JSON.stringify(got));
    await bob.waitFor((f) => f.type === 'message' && f.id === 'dev-1', 'bob\'s echo');
    // A ping behind it: carol's connection is up to date when the pong comes.
    const pongFrom = carol.frames.length;
    carol.send({ type: 'ping', id: 'after-dev-1' });
    await carol.waitFor((f) => f.type === 'pong' && f.id === 'after-dev-1', 'carol\'s pong', 5000, pongFrom);
    check(!carol.frames.slice(carolFrom).some((f) => f.room === 'dev' ||
      (f.room && typeof f.room === 'object' && f.room.name === 'dev')),
    'carol, not a member, got nothing of dev');
    const refused = await carol.request({ type: 'send', room: 'dev', text: 'let me in' });
    check(refused.type === 'error' && refused.code === 'not_member', JSON.stringify(refused));
  });

  await steps.run('unread counts and mentions; read sends every device the new counts', async () => {
    alice.send({ type: 'send', id: 'dev-2', room: 'dev', text: '@bob 看一下发布计划' });
    alice.send({ type: 'send', id: 'dev-3', room: 'dev', text: 'and this too' });
    await bob.waitFor((f) => f.type === 'message' && f.id === 'dev-3', 'bob gets both');
    // A second device of bob's: its welcome has the counts.
    const device = await client(url);
    const second = await device.hello({ token: bobToken, device: 'second' });
    const dev = second.rooms.find((r) => r.name === 'dev');
    check(dev && dev.unread === 2 && dev.mentions === 1, `2 unread, 1 mention (${JSON.stringify(dev)})`);
    check(dev.last && dev.last.id === 'dev-3', 'last is the newest message');
    const from = device.frames.length;
    bob.send({ type: 'read', room: 'dev', seq: dev.last.seq });
    const counts = await device.waitFor((f) => f.type === 'unread' && f.room === 'dev',
      'the other device\'s unread', 5000, from);
    check(counts.read === dev.last.seq && counts.unread === 0 && counts.mentions === 0,
      JSON.stringify(counts));
    // Backwards is ignored: never less read than before.
    bob.send({ type: 'read', room: 'dev', seq: 1 });
    const later = await device.waitFor((f) => f.type === 'unread' && f.room === 'dev',
      'unread after reading backwards', 1000, device.frames.indexOf(counts) + 1).catch(() => null);
    if (later) check(later.read === dev.last.seq, `read never moves back (${JSON.stringify(later)})`);
    device.close();
  });

  await steps.run('history pages: newest first page, then before the oldest, no gaps, no duplicates', async () => {
    await alice.request({ type: 'create_room', name: 'pages' });
    for (let i = 1; i <= 7; i += 1) alice.send({ type: 'send', id: `page-${i}`, room: 'pages', text: `第 ${i} 条` });
    await alice.waitFor((f) => f.type === 'message' && f.id === 'page-7', 'the seventh echo');
    const seen = [];
    let before = 0;
    for (let round = 0; round < 10; round += 1) {
      const page = await alice.request({ type: 'history', room: 'pages', before, limit: 3 });
      check(page.type === 'history' && page.room === 'pages' && Array.isArray(page.messages) &&
        typeof page.more === 'boolean', JSON.stringify(page));
      check(page.messages.length <= 3, 'at most the limit');
      const seqs = page.messages.map((m) => m.seq);
      check(seqs.every((q, i) => i === 0 || q > seqs[i - 1]), `oldest first (${seqs})`);
      if (before) check(seqs.every((q) => q < before), `all before ${before} (${seqs})`);
      seen.unshift(...page.messages);
      if (!page.more) break;
      before = seqs[0];
    }
    const ids = seen.filter((m) => !m.event).map((m) => m.id);
    check(JSON.stringify(ids) === JSON.stringify([1, 2, 3, 4, 5, 6, 7].map((i) => `page-${i}`)),
      `every message once, in order (${ids})`);
    check(seen[0].event === 'created', 'the first is the created event');
    const seqs = seen.map((m) => m.seq);
    check(new Set(seqs).size === seqs.length, 'no duplicates');
    const notMember = await carol.request({ type: 'history', room: 'pages' });
    check(notMember.type === 'error' && notMember.code === 'not_member', JSON.stringify(notMember));
  });

  await steps.run('typing reaches the other members, at most once per 3 s, never the own devices', async () => {
    const from = bob.frames.length;
    const aliceFrom = alice.frames.length;
    alice.send({ type: 'typing', room: 'dev' });
    alice.send({ type: 'typing', room: 'dev' });
    const typing = await bob.waitFor((f) => f.type === 'typing', 'bob to see alice typing', 5000, from);
    check(typing.room === 'dev' && typing.from === 'Alice' && typing.display === '爱丽丝',
      JSON.stringify(typing));
    bob.send({ type: 'ping', id: 'after-typing' });
    await bob.waitFor((f) => f.type === 'pong' && f.id === 'after-typing', 'bob\'s pong', 5000, from);
    check(bob.frames.slice(from).filter((f) => f.type === 'typing').length === 1,
      'the second notice within 3 s is not relayed');
    check(!alice.frames.slice(aliceFrom).some((f) => f.type === 'typing'),
      `alice is not told of herself (${JSON.stringify(alice.frames.slice(aliceFrom).filter((f) => f.type === 'typing'))})`);
  });

  await steps.run('a direct message makes the pair\'s room: room, then the message, on both sides', async () => {
    const from = alice.frames.length;
    const bobFrom = bob.frames.length;
    alice.send({ type: 'send', id: 'dm-1', to: 'BOB', text: '私聊一下' });
    const echo = await alice.waitFor((f) => f.type === 'message' && f.id === 'dm-1', 'the echo', 5000, from);
    check(/^@\d+-\d+$/.test(echo.room), `a direct room's name (${echo.room})`);
    const mine = alice.frames.slice(from);
    const roomAt = mine.findIndex((f) => f.type === 'room' && f.room.name === echo.room);
    check(roomAt >= 0 && roomAt < mine.indexOf(echo), 'alice got the room before the message');
    const state = mine[roomAt].room;
    check(state.direct === true && state.private === true && state.with === 'bob' &&
      state.members === 2 && !state.title, JSON.stringify(state));
    const got = await bob.waitFor((f) => f.type === 'message' && f.id === 'dm-1', 'bob gets it', 5000, bobFrom);
    const theirs = bob.frames.slice(bobFrom);
    const bobRoom = theirs.find((f) => f.type === 'room' && f.room.name === echo.room);
    check(bobRoom && theirs.indexOf(bobRoom) < theirs.indexOf(got) && bobRoom.room.with === 'Alice',
      `bob got the room, with Alice, before the message (${JSON.stringify(bobRoom)})`);
    bob.send({ type: 'send', id: 'dm-2', to: 'Alice', text: '好的' });
    const answer = await alice.waitFor((f) => f.type === 'message' && f.id === 'dm-2', 'the answer');
    check(answer.room === echo.room, 'the same room the second time, whoever writes');
    const leave = await bob.request({ type: 'leave', room: echo.room });
    check(leave.type === 'error' && leave.code === 'not_allowed', `a direct room is not left (${JSON.stringify(leave)})`);
    const nobody = await alice.request({ type: 'send', to: 'nobody-here', text: 'hi' });
    check(nobody.type === 'error' && nobody.code === 'user_not_found', JSON.stringify(nobody));
  });

  await steps.run('a private room stays invisible to a raw client that is not in it', async () => {
    const from = carol.frames.length;
    const created = await alice.request({ type: 'create_room', name: 'secret', title: '机密',
      private: true });
    check(created.type === 'done', JSON.stringify(created));
    const invited = await alice.request({ type: 'invite', room: 'secret', name: 'bob' });
    check(invited.type === 'done', JSON.stringify(invited));
    await bob.waitFor((f) => f.type === 'room' && f.room.name === 'secret', 'bob to be in it');
    const bobMembers = await bob.request({ type: 'members', room: 'secret' });
    check(bobMembers.type === 'members' && bobMembers.members.length === 2, JSON.stringify(bobMembers));
    // carol tries everything a request can name it by.
    for (const request of [
      { type: 'history', room: 'secret' },
      { type: 'members', room: 'secret' },
      { type: 'send', room: 'secret', text: 'anyone?' },
      { type: 'leave', room: 'secret' },
      { type: 'invite', room: 'secret', name: 'carol' },
      { type: 'update_room', room: 'secret', topic: 'mine now' },
      { type: 'history', room: 'no-such-room' },
    ]) {
      const answer = await carol.request(request, `the answer to carol's ${request.type}`);
      check(answer.type === 'error' && answer.code === 'room_not_found',
        `${JSON.stringify(request)} is refused with room_not_found (${JSON.stringify(answer)})`);
    }
    const join = await carol.request({ type: 'join', room: 'secret' });
    check(join.type === 'error' && (join.code === 'room_not_found' || join.code === 'invite_only'),
      `join is refused (${JSON.stringify(join)})`);
    const list = await carol.request({ type: 'rooms', limit: 200 });
    check(!list.rooms.some((r) => r.name === 'secret'), 'not in the room list');
    // What happens inside it meanwhile: messages, typing, members coming and going.
    alice.send({ type: 'typing', room: 'secret' });
    alice.send({ type: 'send', id: 'secret-1', room: 'secret', text: '只给成员看' });
    await bob.waitFor((f) => f.type === 'message' && f.id === 'secret-1', 'bob gets the secret');
    bob.close();
    await alice.request({ type: 'members', room: 'secret' });
    const back = await client(url);
    await back.hello({ token: bobToken, device: 'interop' });
    bob = back;
    await alice.request({ type: 'update_room', room: 'secret', topic: '新话题' });
    await bob.waitFor((f) => f.type === 'message' && f.room === 'secret' && f.event === 'topic',
      'the topic event');
    const pingFrom = carol.frames.length;
    carol.send({ type: 'ping', id: 'after-private' });
    await carol.waitFor((f) => f.type === 'pong' && f.id === 'after-private', 'carol\'s pong', 5000, pingFrom);
    const leaked = carol.frames.slice(from).filter((f) => f.type !== 'error' &&
      (JSON.stringify(f).includes('"secret"') || JSON.stringify(f).includes('只给成员看')));
    check(leaked.length === 0, `carol got nothing of the private room (${JSON.stringify(leaked)})`);
    check(!carol.frames.slice(from).some((f) => f.type === 'typing' || f.type === 'presence' &&
      f.room === 'secret'), 'no typing and no presence of it');
  });

  await steps.run('remove: the removed member gets the event and room_gone, then nothing more', async () => {
    const from = bob.frames.length;
    const done = await alice.request({ type: 'remove', room: 'secret', name: 'bob' });
    check(done.type === 'done', JSON.stringify(done));
    const event = await bob.waitFor((f) => f.type === 'message' && f.room === 'secret' &&
      f.event === 'removed', 'bob\'s removed event', 5000, from);
    check(event.target === 'bob' && event.from === 'Alice', JSON.stringify(event));
    const gone = await bob.waitFor((f) => f.type === 'room_gone', 'room_gone', 5000, from);
    check(gone.room === 'secret' && gone.reason === 'removed', JSON.stringify(gone));
    const refused = await bob.request({ type: 'history', room: 'secret' });
    check(refused.type === 'error' && refused.code === 'room_not_found', JSON.stringify(refused));
    const notOwner = await bob.request({ type: 'update_room', room: 'dev', topic: 'mine' });
    check(notOwner.type === 'error' && notOwner.code === 'not_owner', JSON.stringify(notOwner));
  });

  await steps.run('a client coming back resumes after its lastSeq, with its session', async () => {
    const from = alice.frames.length;
    alice.send({ type: 'send', id: 'before-drop', room: 'lobby', text: 'one more' });
    const last = await alice.waitFor((f) => f.type === 'message' && f.id === 'before-drop',
      'the echo', 5000, from);
    carol.send({ type: 'send', id: 'c1', room: 'lobby', text: 'said while Alice was away' });
    // Alice drops without a close frame, as a lost network would.
    alice.ws.terminate();
    await carol.waitFor((f) => f.type === 'message' && f.id === 'c1', 'carol\'s echo');
    bob.send({ type: 'send', id: 'b-away', room: 'dev', text: 'dev while Alice was away' });
    await bob.waitFor((f) => f.type === 'message' && f.id === 'b-away', 'bob\'s echo');
    const back = await client(url);
    const resumed = await back.hello({ token: welcome.token, device: 'interop',
      lastSeq: last.seq, instance: welcome.instance, session: welcome.session });
    check(resumed.resumed === true, `resumed (${JSON.stringify(resumed)})`);
    check(resumed.account === 'Alice' && !('token' in resumed), 'a token login: no new token');
    const ids = resumed.history.map((m) => m.id);
    check(JSON.stringify(ids) === '["c1","b-away"]' &&
      resumed.history.every((m, i) => m.seq > last.seq && (i === 0 || m.seq > resumed.history[i - 1].seq)),
    `history holds exactly what was missed, in the account's rooms (${JSON.stringify(resumed.history)})`);
    alice = back;
  });

  await steps.run('a frame over 64 KiB closes the connection with 1009', async () => {
    const big = await client(url);
    await big.register('big', PASSWORD);
    big.send({ type: 'send', id: 'big', text: 'x'.repeat(70 * 1024) });
    const closed = await big.waitClosed(5000);
    check(closed.code === 1009, `closed with 1009 (${closed.code})`);
  });

  await steps.run('HTTP on the same port: the page, /healthz and /metrics over fetch', async () => {
    const page = await within(5000, 'GET /', fetch(`${http}/`));
    check(page.status === 200, `GET / is ${page.status}`);
    check(page.headers.get('content-type') === 'text/html; charset=utf-8', 'HTML');
    check((await page.text()).includes('app.js'), 'the page loads app.js');
    const health = await within(5000, 'GET /healthz', fetch(`${http}/healthz`));
    const body = await health.json();
    check(health.status === 200 && body.status === 'ok', JSON.stringify(body));
    for (const key of ['version', 'uptimeSeconds', 'connections', 'online']) {
      check(key in body, `/healthz has ${key}`);
    }
    check(body.online >= 2, `online counts the joined clients (${body.online})`);
    const metrics = await (await within(5000, 'GET /metrics', fetch(`${http}/metrics`))).text();
    check(/^chat_messages_received_total \d+$/m.test(metrics), 'messages received counter');
    check(/^chat_rejections_total\{reason="bad_json"\} 2$/m.test(metrics), 'two bad_json counted');
    const missing = await within(5000, 'GET /nope', fetch(`${http}/nope`));
    check(missing.status === 404, `unknown path is ${missing.status}`);
    const post = await within(5000, 'POST /', fetch(`${http}/`, { method: 'POST', body: 'x' }));
    check(post.status === 405 && post.headers.get('allow') === 'GET, HEAD', `POST is ${post.status}`);
  });

  const login = (origin, body, headers = {}) => within(5000, 'POST /api/login',
    fetch(`${http}/api/login`, { method: 'POST', body: JSON.stringify(body),
      headers: { 'Content-Type': 'application/json', Origin: origin, ...headers } }));

  await steps.run('a cross-origin POST /api/login gets 403 and no cookie', async () => {
    const answer = await login('http://evil.example', { name: 'Alice', password: PASSWORD });
    check(answer.status === 403, `status ${answer.status}`);
    check(answer.headers.get('set-cookie') === null, 'no cookie');
    const body = await answer.json();
    check(body.code === 'forbidden' && typeof body.message === 'string', JSON.stringify(body));
  });

  let cookie = '';
  await steps.run('POST /api/login from the page\'s origin sets an HttpOnly cookie', async () => {
    const wrong = await login(http, { name: 'Alice', password: 'not the password' });
    const refusal = await wrong.json();
    check(wrong.status === 401 && refusal.code === 'login_failed', JSON.stringify(refusal));
    const answer = await login(http, { name: 'alice', password: PASSWORD, device: 'Node fetch' });
    check(answer.status === 200, `status ${answer.status}`);
    check(answer.headers.get('cache-control') === 'no-store', 'not cached');
    check(JSON.stringify(await answer.json()) === '{"account":"Alice"}', 'the name as registered');
    const setCookie = answer.headers.get('set-cookie') || '';
    const match = /^chat_token=([\x21-\x3a\x3c-\x7e]+); HttpOnly; SameSite=Strict; Path=\/; Max-Age=(\d+)$/.exec(setCookie);
    check(match !== null, `the cookie (${setCookie})`);
    check(Number(match[2]) === 90 * 86400, `Max-Age is 90 days (${match[2]})`);
    cookie = `chat_token=${match[1]}`;
  });

  let viaCookie;
  await steps.run('a WebSocket upgrade with that cookie logs in with a bare hello', async () => {
    // Browsers send the page's Origin with the upgrade: only the chat's own page may use it.
    const elsewhere = await client(url, { headers: { Cookie: cookie, Origin: 'http://localhost:1' } });
    elsewhere.send({ type: 'hello', version: VERSION });
    const forbidden = await next(elsewhere, 0, 'the refusal of another origin');
    check(forbidden.type === 'error' && forbidden.code === 'forbidden', JSON.stringify(forbidden));
    viaCookie = await client(url, { headers: { Cookie: cookie, Origin: http } });
    const joined = await viaCookie.hello({ device: 'Node ws' });
    check(joined.account === 'Alice' && joined.display === '爱丽丝', JSON.stringify(joined));
    check(!('token' in joined), 'no token in the welcome: the cookie is the token');
  });

  await steps.run('after POST /api/logout the cookie no longer logs in', async () => {
    const answer = await within(5000, 'POST /api/logout', fetch(`${http}/api/logout`, {
      method: 'POST', body: '{}',
      headers: { 'Content-Type': 'application/json', Origin: http, Cookie: cookie } }));
    check(answer.status === 200, `status ${answer.status}`);
    check(/^chat_token=; .*Max-Age=0/.test(answer.headers.get('set-cookie') || ''),
      `the cookie is cleared (${answer.headers.get('set-cookie')})`);
    // The connection that used it is told and closed.
    const ended = await viaCookie.waitFor((f) => f.type === 'error', 'token_invalid');
    check(ended.code === 'token_invalid', JSON.stringify(ended));
    check((await viaCookie.waitClosed(5000)).code === 1008, 'closed with 1008');
    const again = await client(url, { headers: { Cookie: cookie, Origin: http } });
    again.send({ type: 'hello', version: VERSION });
    const refusal = await next(again, 0, 'the refusal');
    check(refusal.type === 'error' && refusal.code === 'token_invalid', JSON.stringify(refusal));
    check((await again.waitClosed(5000)).code === 1008, 'closed with 1008');
  });
}

let failed = false;
try {
  await main();
} catch (error) {
  failed = true;
  console.error(`FAIL: ${error.stack || error}`);
  if (server.stderr) console.error(`chat-server stderr (tail):\n${server.stderr.slice(-3000)}`);
} finally {
  for (const c of clients) c.close();
  await server.stop().catch(() => {});
  clearTimeout(watchdog);
}
console.log(`${steps.passed} passed, ${failed ? 1 : 0} failed`);
process.exit(failed ? 1 : 0);
