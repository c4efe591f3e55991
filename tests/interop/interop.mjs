#!/usr/bin/env node
// Interoperability: the real chat-server against clients nobody on this project wrote, following
// docs/protocol.md (version 2) word for word. WebSocket: the `ws` package (installed in
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

const TOTAL_MS = 60000;
const watchdog = setTimeout(() => {
  console.error(`FAIL: the whole test took over ${TOTAL_MS} ms`);
  process.exit(1);
}, TOTAL_MS);

const ISO_MS_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const PASSWORD = 'correct horse';
// Open registration allows 5 sign-ups per address per 10 minutes: this test makes 4.
const args = ['--host', '127.0.0.1', '--port', '0', '--name', 'interop'];
if (await serverHasOption(binary, '--db')) args.push('--db', ':memory:');
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
    alice.send({ type: 'hello', version: 2, device: 'interop',
      register: { name: '  Alice  ', password: PASSWORD, display: '爱丽丝' } });
    welcome = await next(alice, 0, 'the welcome');
    check(welcome.type === 'welcome', JSON.stringify(welcome));
    check(welcome.version === 2 && welcome.server === 'interop', 'version and server name');
    check(welcome.account === 'Alice', `the name comes back trimmed (${welcome.account})`);
    check(welcome.display === '爱丽丝', `the display name (${welcome.display})`);
    check(!('admin' in welcome), 'admin is omitted when false');
    check(typeof welcome.token === 'string' && /^[\x21-\x7e]{16,1024}$/.test(welcome.token),
      'a token after a registration');
    check(typeof welcome.session === 'string' && welcome.session.length > 0, 'a session');
    check(typeof welcome.instance === 'string' && welcome.instance.length > 0, 'an instance');
    check(Number.isInteger(welcome.seq) && welcome.seq >= 0, 'a seq');
    check(welcome.resumed === false, 'not resumed');
    // Who the server last told of: nobody yet; Alice's own join comes in the first presence.
    check(Array.isArray(welcome.users) && welcome.users.length === 0, 'users is a list');
    const own = await alice.waitFor((f) => f.type === 'presence', 'presence of the own join', 5000, 0);
    check(JSON.stringify(own.joined) === '[{"name":"Alice","display":"爱丽丝"}]' &&
      own.left.length === 0 && own.online === 1, JSON.stringify(own));
    check(Array.isArray(welcome.history), 'a history array');
  });

  let first;
  await steps.run('send is echoed as a message with the next seq, a time and the sender', async () => {
    const from = alice.frames.length;
    alice.send({ type: 'send', id: '7d1e5c2a-52d4-4a40-9f0e-0c9a3c1f6b11', text: '你好 👋' });
    first = await next(alice, from, 'the echo');
    check(first.type === 'message', JSON.stringify(first));
    check(first.seq === welcome.seq + 1, `seq ${first.seq} follows ${welcome.seq}`);
    check(first.id === '7d1e5c2a-52d4-4a40-9f0e-0c9a3c1f6b11', 'the same id');
    check(first.room === 'lobby' && first.from === 'Alice' && first.display === '爱丽丝' &&
      first.text === '你好 👋', 'fields');
    check(ISO_MS_UTC.test(first.time), `time is ISO 8601 UTC with ms (${first.time})`);
  });

  await steps.run('the same id sent again is acknowledged again, not stamped again', async () => {
    const from = alice.frames.length;
    alice.send({ type: 'send', id: '7d1e5c2a-52d4-4a40-9f0e-0c9a3c1f6b11', text: '你好 👋' });
    const again = await next(alice, from, 'the second acknowledgement');
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
    ['a second hello', '{"type":"hello","version":2,"token":"x"}', 'already_joined'],
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

  await steps.run('presence tells the others who joined and left, with the count', async () => {
    const from = alice.frames.length;
    const bob = await client(url);
    await bob.register('bob', PASSWORD);
    const join = await alice.waitFor((f) => f.type === 'presence', 'presence join', 5000, from);
    check(JSON.stringify(join.joined) === '[{"name":"bob"}]' && join.left.length === 0 &&
      join.online === 2,
      JSON.stringify(join));
    bob.close();
    const leave = await alice.waitFor((f) => f.type === 'presence' && f.left.length > 0,
      'presence leave', 5000, from);
    check(JSON.stringify(leave.left) === '["bob"]' && leave.joined.length === 0 &&
      leave.online === 1, JSON.stringify(leave));
  });

  const refusals = [
    ['a version-1 hello', { version: 1, nick: 'zed' }, 'unsupported_version'],
    ['another protocol version', { version: 3, token: 'x' }, 'unsupported_version'],
    ['a taken name, in another letter case',
      { version: 2, register: { name: 'ALICE', password: PASSWORD } }, 'name_taken'],
    ['an invisible character in the name',
      { version: 2, register: { name: 'ze\u200bd', password: PASSWORD } }, 'name_invalid'],
    ['a short password', { version: 2, register: { name: 'zed', password: 'short' } },
      'password_invalid'],
    ['a wrong password', { version: 2, login: { name: 'alice', password: 'wrong horse' } },
      'login_failed'],
    ['an unknown token', { version: 2, token: 'no-such-token' }, 'token_invalid'],
    ['no credentials and no cookie', { version: 2 }, 'token_invalid'],
  ];
  for (const [name, fields, code] of refusals) {
    await steps.run(`a hello with ${name} gets ${code}, then the connection closes`, async () => {
      const other = await client(url);
      other.send({ type: 'hello', ...fields });
      const error = await next(other, 0, 'the refusal');
      check(error.type === 'error' && error.code === code, JSON.stringify(error));
      const closed = await other.waitClosed(5000);
      check(closed.code === 1008, `closed with 1008 (${closed.code})`);
    });
  }

  await steps.run('a client coming back resumes after its lastSeq, with its session', async () => {
    const from = alice.frames.length;
    alice.send({ type: 'send', id: 'before-drop', text: 'one more' });
    const last = await next(alice, from, 'the echo');
    const carol = await client(url);
    await carol.register('carol', PASSWORD);
    carol.send({ type: 'send', id: 'c1', text: 'said while Alice was away' });
    // Alice drops without a close frame, as a lost network would.
    alice.ws.terminate();
    await carol.waitFor((f) => f.type === 'message' && f.id === 'c1', 'carol\'s echo');
    const back = await client(url);
    const resumed = await back.hello({ token: welcome.token, device: 'interop',
      lastSeq: last.seq, instance: welcome.instance, session: welcome.session });
    check(resumed.resumed === true, `resumed (${JSON.stringify(resumed)})`);
    check(resumed.account === 'Alice' && !('token' in resumed), 'a token login: no new token');
    check(resumed.history.length === 1 && resumed.history[0].id === 'c1' &&
      resumed.history[0].seq === last.seq + 1, 'history holds exactly what was missed');
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
    elsewhere.send({ type: 'hello', version: 2 });
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
    again.send({ type: 'hello', version: 2 });
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
