#!/usr/bin/env node
// The browser client end to end: the real chat-server binary serves the page, headless Debian
// Chromium (driven by playwright-core) signs up over HTTP (the token stays in an HttpOnly
// cookie), and a second participant speaks the protocol over the `ws` package. A reload stays
// logged in, messages go both ways with display names, presence shows both, markup stays text,
// the page resumes after the server restarts on the same port, logging out ends the cookie, and
// logging in again brings the history back.
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
let danaWelcome;
const steps = new Steps();
const consoleProblems = []; // CSP violations and script errors show up here
const helloFrames = []; // what the page sent as hello, in order
const sendFrames = []; // what the page sent as send, in order
const sent = new EventEmitter(); // 'send' after each of them
const welcomeFrames = []; // what the page received as welcome, in order
const errorFrames = []; // what the page received as error, in order
const PASSWORD = 'correct horse battery';
const historyTexts = []; // messages that must come back with the history after logging in again

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
      locale: 'zh-CN', // the page's language: times as 15:27, not 03:27 PM
      timeout: 30000,
    });
    page = context.pages()[0] || await context.newPage();
    page.on('console', (message) => {
      const text = message.text();
      // Attempts while the server is down are expected to fail; anything else is a problem.
      // So are the 401 of the wrong password below and the refusals of the login form's fetches.
      if (message.type() === 'error' && !/WebSocket connection to .* failed/.test(text) &&
          !/status of 401/.test(text)) {
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
        if (frame.type === 'error') errorFrames.push(frame);
      });
    });
    const response = await page.goto(`${origin}/`, { timeout: WAIT_MS });
    check(response.status() === 200, `GET / answered ${response.status()}`);
    const headers = response.headers();
    check(headers['content-type'] === 'text/html; charset=utf-8', 'the page is HTML');
    check(/script-src 'self'/.test(headers['content-security-policy'] || ''), 'the page has a CSP');
    check(headers['x-content-type-options'] === 'nosniff', 'the page has nosniff');
    // No cookie yet: the page tries the WebSocket, is refused, and asks to log in.
    await page.locator('#auth').waitFor({ state: 'visible', timeout: WAIT_MS });
    check(helloFrames.length === 1 && helloFrames[0].version === 2, 'one version-2 hello');
    for (const key of ['token', 'login', 'register', 'nick']) {
      check(!(key in helloFrames[0]), `the page's hello has no ${key}`);
    }
    check(errorFrames.length === 1 && errorFrames[0].code === 'token_invalid',
      `refused with token_invalid (${JSON.stringify(errorFrames)})`);
  });

  await steps.run('the browser user signs up; the token is in an HttpOnly cookie', async () => {
    await page.click('#show-register');
    await page.fill('#reg-name', 'wendy');
    await page.fill('#reg-password', PASSWORD);
    await page.fill('#reg-display', '温迪');
    await page.click('#register-button');
    await inPage(() => document.querySelector('#status').dataset.state === 'connected', null,
      'the page to connect');
    check(await page.locator('#auth').isHidden(), 'the form is gone');
    const welcome = welcomeFrames[welcomeFrames.length - 1];
    check(welcome.account === 'wendy' && welcome.display === '温迪', JSON.stringify(welcome));
    check(!('token' in welcome), 'the welcome carries no token: the cookie is the token');
    const hello = helloFrames[helloFrames.length - 1];
    check(!('token' in hello) && !('register' in hello) && !('login' in hello),
      `the hello after signing up names no credentials (${JSON.stringify(hello)})`);
    const scriptCookies = await page.evaluate(() => document.cookie);
    check(!scriptCookies.includes('chat_token'), `document.cookie hides it (${scriptCookies})`);
    const cookies = await context.cookies(origin);
    const cookie = cookies.find((c) => c.name === 'chat_token');
    check(cookie && cookie.httpOnly && cookie.sameSite === 'Strict' && cookie.path === '/',
      `the browser holds an HttpOnly SameSite=Strict cookie (${JSON.stringify(cookies)})`);
    const me = await page.evaluate(() => document.querySelector('#me').textContent);
    check(me.includes('温迪') && me.includes('wendy'), `the top bar shows who is here (${me})`);
  });

  await steps.run('a reload stays logged in: the welcome comes without the form', async () => {
    const welcomes = welcomeFrames.length;
    const errors = errorFrames.length;
    await page.reload({ timeout: WAIT_MS });
    await inPage(() => document.querySelector('#status').dataset.state === 'connected', null,
      'the reloaded page to connect');
    check(welcomeFrames.length === welcomes + 1 &&
      welcomeFrames[welcomeFrames.length - 1].account === 'wendy', 'welcomed as wendy again');
    check(errorFrames.length === errors, `no refusal (${JSON.stringify(errorFrames.slice(errors))})`);
    check(await page.locator('#auth').isHidden(), 'the form stays hidden');
  });

  await steps.run('a protocol client joins and both see each other online', async () => {
    dana = await new ProtocolClient(wsUrl).open();
    danaWelcome = await dana.register('dana', PASSWORD);
    check(danaWelcome.users.some((u) => u.name === 'wendy' && u.display === '温迪'),
      'dana is told of wendy and her display name in the welcome');
    await inPage(() => {
      const names = [...document.querySelectorAll('#users li')].map((li) => li.dataset.name);
      const wendy = document.querySelector('#users li[data-name="wendy"]');
      return names.length === 2 && names.includes('dana') && names.includes('wendy') &&
        wendy.querySelector('.display')?.textContent === '温迪' &&
        document.querySelector('#online-count').textContent === '2';
    }, null, 'the page to list wendy (温迪) and dana, count 2');
  });

  await steps.run('a message typed in the page reaches the other client', async () => {
    const text = 'Hello from the browser 👋';
    historyTexts.push(text);
    await page.fill('#text', text);
    await page.press('#text', 'Enter');
    const got = await dana.waitFor((f) => f.type === 'message' && f.text === text, 'dana to get it');
    check(got.from === 'wendy' && got.display === '温迪' && Number.isInteger(got.seq),
      'stamped with the account, its display name and a seq');
    await inPage((t) => [...document.querySelectorAll('#messages li[data-state="acked"] .text')]
      .some((node) => node.textContent === t), text, 'the page to show it acknowledged');
  });

  await steps.run('a message from the other client shows in the page', async () => {
    const text = 'Hi Wendy! 你好, this comes from a desktop-side client.';
    historyTexts.push(text);
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
    const firstWelcome = welcomeFrames[welcomeFrames.length - 1]; // since the reload
    const lastSeqSeen = await page.evaluate(() => Math.max(...[...document.querySelectorAll(
      '#messages li[data-seq]')].map((li) => Number(li.dataset.seq))));
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
        li.querySelector('.state').textContent === '发送中…'), offline,
    'the offline message to show as 发送中… (sending)');

    server = new ServerProcess(binary, [...serverArgs, '--port', String(port)]);
    await server.start();
    dana = await new ProtocolClient(wsUrl).open();
    await dana.hello({ token: danaWelcome.token, lastSeq: danaWelcome.seq,
      instance: danaWelcome.instance, session: danaWelcome.session });
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

  await steps.run('logging out ends the cookie: the form is back, a new WebSocket is refused', async () => {
    const danaFrom = dana.frames.length;
    await page.click('#logout');
    await page.locator('#auth').waitFor({ state: 'visible', timeout: WAIT_MS });
    await page.locator('#login-form').waitFor({ state: 'visible', timeout: WAIT_MS });
    const cookies = await context.cookies(origin);
    check(!cookies.some((c) => c.name === 'chat_token'), `the cookie is gone (${JSON.stringify(cookies)})`);
    const messages = await page.evaluate(() => document.querySelectorAll('#messages li').length);
    check(messages === 0, `the conversation is cleared (${messages} left)`);
    await dana.waitFor((f) => f.type === 'presence' && f.left.includes('wendy'),
      'dana to see wendy leave', WAIT_MS, danaFrom);
    // What a script in the page gets when it tries anyway: token_invalid, then 1008.
    const refused = await page.evaluate((url) => new Promise((resolve) => {
      const ws = new WebSocket(url);
      let error = null;
      ws.onopen = () => ws.send(JSON.stringify({ type: 'hello', version: 2 }));
      ws.onmessage = (event) => { error = JSON.parse(event.data); };
      ws.onclose = (event) => resolve({ code: event.code, error });
    }), wsUrl);
    check(refused.code === 1008 && refused.error?.code === 'token_invalid',
      `refused: ${JSON.stringify(refused)}`);
  });

  await steps.run('logging in again brings the conversation back', async () => {
    await page.fill('#login-name', 'Wendy');
    await page.fill('#login-password', 'not the password');
    await page.click('#login-button');
    await inPage(() => document.querySelector('#auth-error').textContent.length > 0, null,
      'the form to say the password is wrong');
    check(await page.locator('#auth').isVisible(), 'still asking');
    await page.fill('#login-password', PASSWORD);
    await page.click('#login-button');
    await inPage(() => document.querySelector('#status').dataset.state === 'connected', null,
      'the page to connect after logging in');
    check(welcomeFrames[welcomeFrames.length - 1].account === 'wendy', 'welcomed as wendy');
    for (const text of historyTexts) {
      await inPage((t) => [...document.querySelectorAll('#messages li[data-state="acked"] .text')]
        .some((node) => node.textContent === t), text, `the history to show "${text}"`);
    }
    const scriptCookies = await page.evaluate(() => document.cookie);
    check(!scriptCookies.includes('chat_token'), 'document.cookie still hides the token');
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
