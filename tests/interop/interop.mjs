#!/usr/bin/env node
// Interoperability: the real chat-server against clients nobody on this project wrote, following
// docs/protocol.md word for word. WebSocket: the `ws` package (installed in tests/browser by
// `npm ci`). HTTP: Node's own fetch (undici) for the page, /healthz and /metrics.
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
const args = ['--host', '127.0.0.1', '--port', '0', '--name', 'interop'];
if (await serverHasOption(binary, '--db')) args.push('--db', ':memory:');
const server = new ServerProcess(binary, args);
const steps = new Steps();
const clients = [];

async function client(url) {
  const c = await new ProtocolClient(url).open();
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

  await steps.run('hello is answered by a welcome with every documented field', async () => {
    alice = await client(url);
    alice.send({ type: 'hello', version: 1, nick: '  Alice  ' });
    welcome = await next(alice, 0, 'the welcome');
    check(welcome.type === 'welcome', JSON.stringify(welcome));
    check(welcome.version === 1 && welcome.server === 'interop', 'version and server name');
    check(welcome.nick === 'Alice', `the nick comes back trimmed (${welcome.nick})`);
    check(typeof welcome.session === 'string' && welcome.session.length > 0, 'a session');
    check(typeof welcome.instance === 'string' && welcome.instance.length > 0, 'an instance');
    check(Number.isInteger(welcome.seq) && welcome.seq >= 0, 'a seq');
    check(welcome.resumed === false, 'not resumed');
    // Who the server last told of: nobody yet; Alice's own join comes in the first presence.
    check(Array.isArray(welcome.users) && welcome.users.length === 0, 'users is a list');
    const own = await alice.waitFor((f) => f.type === 'presence', 'presence of the own join', 5000, 0);
    check(JSON.stringify(own.joined) === '["Alice"]' && own.left.length === 0 && own.online === 1,
      JSON.stringify(own));
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
    check(first.room === 'lobby' && first.from === 'Alice' && first.text === '你好 👋', 'fields');
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
    ['a second hello', '{"type":"hello","version":1,"nick":"Alice"}', 'already_joined'],
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
    await bob.hello({ nick: 'bob' });
    const join = await alice.waitFor((f) => f.type === 'presence', 'presence join', 5000, from);
    check(JSON.stringify(join.joined) === '["bob"]' && join.left.length === 0 && join.online === 2,
      JSON.stringify(join));
    bob.close();
    const leave = await alice.waitFor((f) => f.type === 'presence' && f.left.length > 0,
      'presence leave', 5000, from);
    check(JSON.stringify(leave.left) === '["bob"]' && leave.joined.length === 0 &&
      leave.online === 1, JSON.stringify(leave));
  });

  const refusals = [
    ['a taken nick, in another letter case', { nick: 'ALICE' }, 'nick_taken'],
    ['another protocol version', { nick: 'zed', version: 2 }, 'unsupported_version'],
    ['an invisible character in the nick', { nick: 'ze\u200bd' }, 'nick_invalid'],
  ];
  for (const [name, fields, code] of refusals) {
    await steps.run(`a hello with ${name} gets ${code}, then the connection closes`, async () => {
      const other = await client(url);
      other.send({ type: 'hello', version: 1, ...fields });
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
    await carol.hello({ nick: 'carol' });
    carol.send({ type: 'send', id: 'c1', text: 'said while Alice was away' });
    // Alice drops without a close frame, as a lost network would.
    alice.ws.terminate();
    await carol.waitFor((f) => f.type === 'message' && f.id === 'c1', 'carol\'s echo');
    const back = await client(url);
    const resumed = await back.hello({ nick: 'Alice', lastSeq: last.seq, instance: welcome.instance,
      session: welcome.session });
    check(resumed.resumed === true, `resumed (${JSON.stringify(resumed)})`);
    check(resumed.history.length === 1 && resumed.history[0].id === 'c1' &&
      resumed.history[0].seq === last.seq + 1, 'history holds exactly what was missed');
  });

  await steps.run('a frame over 64 KiB closes the connection with 1009', async () => {
    const big = await client(url);
    await big.hello({ nick: 'big' });
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
