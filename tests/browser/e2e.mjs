#!/usr/bin/env node
// The browser client end to end: the real chat-server binary serves the page, headless Debian
// Chromium (driven by playwright-core) joins as one user, and a second participant speaks the
// protocol over the `ws` package. Messages go both ways, presence shows both, markup stays text,
// and the page resumes after the server restarts on the same port.
//
//   node tests/browser/e2e.mjs path/to/chat-server [--screenshot out.png]
//
// Exits 0 when every step passed, 1 on the first failure, 77 (CTest's SKIP_RETURN_CODE) when
// Chromium is not installed.
import { EventEmitter } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { check, ProtocolClient, ServerProcess, serverHasOption, Steps, within } from './support.mjs';

const SKIP = 77;
const CHROMIUM = process.env.CHAT_CHROMIUM || '/usr/bin/chromium';
const WAIT_MS = 10000; // any single condition in the page
const TOTAL_MS = 150000; // the whole run, whatever happens

const args = process.argv.slice(2);
const binary = args[0];
const shotIndex = args.indexOf('--screenshot');
const screenshotPath = shotIndex >= 0 ? args[shotIndex + 1] : '';
if (!binary || !existsSync(binary)) {
  console.error('usage: e2e.mjs path/to/chat-server [--screenshot out.png]');
  process.exit(2);
}
if (!existsSync(CHROMIUM)) {
  console.log(`SKIP: ${CHROMIUM} is missing (Debian package chromium; scripts/test.sh installs it)`);
  process.exit(SKIP);
}
let chromium;
try {
  ({ chromium } = await import('playwright-core'));
} catch (error) {
  console.error(`playwright-core is missing: run "npm ci" in tests/browser (scripts/test.sh does).\n${error}`);
  process.exit(1);
}

const watchdog = setTimeout(() => {
  console.error(`FAIL: the whole test took over ${TOTAL_MS} ms`);
  process.exit(1);
}, TOTAL_MS);

const XSS_SCRIPT = '<script>window.pwned=1</script>';
const XSS_IMG = '<img src=x onerror="window.pwned=1">';

const tempDir = mkdtempSync(path.join(tmpdir(), 'chat-e2e-'));
const serverArgs = ['--host', '127.0.0.1', '--name', 'e2e'];
// A durable history when this build has one: the restart then resumes instead of reloading.
const durable = await serverHasOption(binary, '--db');
if (durable) serverArgs.push('--db', path.join(tempDir, 'history.sqlite'));

let server = new ServerProcess(binary, [...serverArgs, '--port', '0']);
let context;
let page;
let dana;
const steps = new Steps();
const consoleProblems = []; // CSP violations and script errors show up here
const helloFrames = []; // what the page sent as hello, in order
const sendFrames = []; // what the page sent as send, in order
const sent = new EventEmitter(); // 'send' after each of them
const welcomeFrames = []; // what the page received as welcome, in order

// Waits until `fn(arg)` is true in the page.
function inPage(fn, arg, what, timeout = WAIT_MS) {
  return page.waitForFunction(fn, arg, { timeout, polling: 50 })
    .catch((error) => { throw new Error(`${what}: ${error.message.split('\n')[0]}`); });
}

// The number of message items in the page whose text is exactly `text`.
function countText(text) {
  return page.evaluate((t) => [...document.querySelectorAll('#messages .text')]
    .filter((node) => node.textContent === t).length, text);
}

async function main() {
  const port = await server.start();
  const origin = `http://127.0.0.1:${port}`;
  const wsUrl = `ws://127.0.0.1:${port}/`;

  await steps.run('Chromium opens the page served on the chat port', async () => {
    context = await chromium.launchPersistentContext(path.join(tempDir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1100, height: 640 },
      timeout: 30000,
    });
    page = context.pages()[0] || await context.newPage();
    page.on('console', (message) => {
      const text = message.text();
      // Attempts while the server is down are expected to fail; anything else is a problem.
      if (message.type() === 'error' && !/WebSocket connection to .* failed/.test(text)) {
        consoleProblems.push(text);
      }
    });
    page.on('pageerror', (error) => consoleProblems.push(`uncaught: ${error.message}`));
    page.on('websocket', (socket) => {
      socket.on('framesent', ({ payload }) => {
        const frame = JSON.parse(payload);
        if (frame.type === 'hello') helloFrames.push(frame);
        if (frame.type === 'send') {
          sendFrames.push(frame);
          sent.emit('send');
        }
      });
      socket.on('framereceived', ({ payload }) => {
        const frame = JSON.parse(payload);
        if (frame.type === 'welcome') welcomeFrames.push(frame);
      });
    });
    const response = await page.goto(`${origin}/`, { timeout: WAIT_MS });
    check(response.status() === 200, `GET / answered ${response.status()}`);
    const headers = response.headers();
    check(headers['content-type'] === 'text/html; charset=utf-8', 'the page is HTML');
    check(/script-src 'self'/.test(headers['content-security-policy'] || ''), 'the page has a CSP');
    check(headers['x-content-type-options'] === 'nosniff', 'the page has nosniff');
    await page.locator('#join').waitFor({ state: 'visible', timeout: WAIT_MS });
  });

  await steps.run('the browser user joins with a nickname that is remembered', async () => {
    await page.fill('#nick', 'Wendy');
    await page.press('#nick', 'Enter');
    await inPage(() => document.querySelector('#status').dataset.state === 'connected', null,
      'the page to connect');
    const stored = await page.evaluate(() => localStorage.getItem('chat.nick'));
    check(stored === 'Wendy', `localStorage holds the nickname (${stored})`);
    check(helloFrames.length === 1 && helloFrames[0].nick === 'Wendy' &&
      helloFrames[0].version === 1 && !('lastSeq' in helloFrames[0]), 'a first hello without lastSeq');
  });

  await steps.run('a protocol client joins and both see each other online', async () => {
    dana = await new ProtocolClient(wsUrl).open();
    const welcome = await dana.hello({ nick: 'dana' });
    check(welcome.users.includes('Wendy'), 'dana is told of Wendy in the welcome');
    await inPage(() => {
      const nicks = [...document.querySelectorAll('#users li')].map((li) => li.dataset.nick);
      return nicks.length === 2 && nicks.includes('dana') && nicks.includes('Wendy') &&
        document.querySelector('#online-count').textContent === '2';
    }, null, 'the page to list Wendy and dana, count 2');
  });

  await steps.run('a message typed in the page reaches the other client', async () => {
    const text = 'Hello from the browser 👋';
    await page.fill('#text', text);
    await page.press('#text', 'Enter');
    const got = await dana.waitFor((f) => f.type === 'message' && f.text === text, 'dana to get it');
    check(got.from === 'Wendy' && Number.isInteger(got.seq), 'stamped with the sender and a seq');
    await inPage((t) => [...document.querySelectorAll('#messages li[data-state="acked"] .text')]
      .some((node) => node.textContent === t), text, 'the page to show it acknowledged');
  });

  await steps.run('a message from the other client shows in the page', async () => {
    const text = 'Hi Wendy! 你好, this comes from a desktop-side client.';
    dana.send({ type: 'send', id: 'dana-1', text });
    await inPage((t) => [...document.querySelectorAll('#messages li')].some((li) =>
      li.querySelector('.text').textContent === t && li.querySelector('.from').textContent === 'dana'),
    text, 'the page to show dana\'s message');
  });

  await steps.run('markup from the network is shown as text and runs nothing', async () => {
    dana.send({ type: 'send', id: 'dana-xss-1', text: XSS_SCRIPT });
    dana.send({ type: 'send', id: 'dana-xss-2', text: XSS_IMG });
    const typed = `<b>not bold</b> ${XSS_IMG}`;
    await page.fill('#text', typed);
    await page.press('#text', 'Enter');
    for (const text of [XSS_SCRIPT, XSS_IMG, typed]) {
      await inPage((t) => [...document.querySelectorAll('#messages li[data-state="acked"] .text')]
        .some((node) => node.textContent === t), text, `the page to show ${text} literally`);
    }
    const result = await page.evaluate(() => ({
      pwned: typeof window.pwned,
      elements: document.querySelectorAll('#messages script, #messages img, #messages b').length,
    }));
    check(result.pwned === 'undefined', 'window.pwned stays undefined');
    check(result.elements === 0, 'no element was made from message text');
  });

  if (screenshotPath) {
    await steps.run(`screenshot in ${screenshotPath}`, async () => {
      await page.screenshot({ path: screenshotPath });
    });
  }

  await steps.run('the page reconnects and resumes after the server crashes and restarts', async () => {
    const firstWelcome = welcomeFrames[0];
    const lastSeqSeen = await page.evaluate(() => Math.max(...[...document.querySelectorAll(
      '#messages li[data-seq]')].map((li) => Number(li.dataset.seq))));
    const danaWelcome = dana.frames.find((f) => f.type === 'welcome');
    const hellosBefore = helloFrames.length;

    // A message that leaves the page but never reaches the server: frozen, then killed.
    const lost = 'sent into a frozen server';
    await server.signal('SIGSTOP');
    await page.fill('#text', lost);
    await page.press('#text', 'Enter');
    await inPage((t) => [...document.querySelectorAll('#messages li[data-state="pending"] .text')]
      .some((node) => node.textContent === t), lost, 'the frozen-server message to be pending');
    await within(WAIT_MS, 'the page to send it', new Promise((resolve) => {
      const seen = () => {
        if (!sendFrames.some((f) => f.text === lost)) return;
        sent.off('send', seen);
        resolve();
      };
      sent.on('send', seen);
      seen();
    }));
    await server.signal('SIGKILL');
    await dana.waitClosed();
    // Down long enough that the page's next try is at least 3 s away: the messages below are
    // sent well before it comes back, so it must catch up on them.
    await inPage(() => {
      const status = document.querySelector('#status');
      return status.dataset.state === 'waiting' && Number(status.dataset.delayMs) >= 3000;
    }, null, 'the page to back off to a delay of 3 s or more');

    const offline = 'typed while the server was down';
    await page.fill('#text', offline);
    await page.press('#text', 'Enter');
    await inPage((t) => [...document.querySelectorAll('#messages li[data-state="pending"]')]
      .some((li) => li.querySelector('.text').textContent === t &&
        li.querySelector('.state').textContent === 'sending…'), offline,
    'the offline message to show as sending…');

    server = new ServerProcess(binary, [...serverArgs, '--port', String(port)]);
    await server.start();
    dana = await new ProtocolClient(wsUrl).open();
    await dana.hello({ nick: 'dana', lastSeq: danaWelcome.seq, instance: danaWelcome.instance,
      session: danaWelcome.session });
    const away = ['sent while you were away (1)', 'sent while you were away (2)'];
    dana.send({ type: 'send', id: 'dana-away-1', text: away[0] });
    dana.send({ type: 'send', id: 'dana-away-2', text: away[1] });
    await dana.waitFor((f) => f.type === 'message' && f.text === away[1], 'dana\'s own echo');
    check(await page.evaluate(() => document.querySelector('#status').dataset.state) === 'waiting',
      'the page was still away when the messages were sent');

    // By itself, on its backoff timer: at most 30 s + 20 % away, in practice 3 to 10 s.
    await inPage(() => document.querySelector('#status').dataset.state === 'connected', null,
      'the page to reconnect', 40000);
    await inPage((t) => [...document.querySelectorAll('#messages li[data-state="acked"] .text')]
      .some((node) => node.textContent === t), offline, 'the offline message to be acknowledged');
    await dana.waitFor((f) => f.type === 'message' && f.text === offline, 'dana to get it');

    await inPage((t) => [...document.querySelectorAll('#messages li[data-state="acked"] .text')]
      .some((node) => node.textContent === t), lost, 'the frozen-server message to be acknowledged');
    const lostSends = sendFrames.filter((f) => f.text === lost);
    check(lostSends.length === 2 && lostSends[1].id === lostSends[0].id,
      `resent once after the reconnect with the same id (${JSON.stringify(lostSends)})`);
    for (const text of [...away, offline, lost]) {
      const count = await countText(text);
      check(count === 1, `"${text}" shows exactly once (${count})`);
    }
    for (const text of [offline, lost]) {
      check(dana.messages().filter((m) => m.text === text).length === 1, `"${text}" reached dana once`);
    }
    const seqs = await page.evaluate(() => [...document.querySelectorAll('#messages li[data-seq]')]
      .map((li) => Number(li.dataset.seq)));
    check(new Set(seqs).size === seqs.length, 'no sequence number shows twice');
    check(seqs.every((s, i) => i === 0 || s > seqs[i - 1]), 'messages are in sequence order');

    const hello = helloFrames[helloFrames.length - 1];
    check(helloFrames.length === hellosBefore + 1, 'one new hello after the restart');
    check(hello.lastSeq === lastSeqSeen, `the hello resumes from ${lastSeqSeen} (${hello.lastSeq})`);
    check(hello.instance === firstWelcome.instance, 'the hello names the instance');
    check(hello.session === firstWelcome.session, 'the hello carries the session');
    const welcome = welcomeFrames[welcomeFrames.length - 1];
    if (durable) {
      check(welcome.instance === firstWelcome.instance && welcome.resumed === true,
        'a durable history: the welcome resumes');
    }
  });

  await steps.run('the page caused no script errors and no CSP violations', async () => {
    check(consoleProblems.length === 0, consoleProblems.join('\n'));
  });
}

let failed = false;
try {
  await main();
} catch (error) {
  failed = true;
  console.error(`FAIL: ${error.stack || error}`);
  if (page) {
    const status = await page.evaluate(() => document.querySelector('#status')?.textContent)
      .catch(() => '(no page)');
    console.error(`page status: ${status}`);
  }
  if (server.stderr) console.error(`chat-server stderr (tail):\n${server.stderr.slice(-3000)}`);
} finally {
  if (dana) dana.close();
  if (context) await context.close().catch(() => {});
  await server.stop().catch(() => {});
  rmSync(tempDir, { recursive: true, force: true });
  clearTimeout(watchdog);
}
console.log(`${steps.passed} passed, ${failed ? 1 : 0} failed`);
process.exit(failed ? 1 : 0);
