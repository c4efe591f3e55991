#!/usr/bin/env node
// The browser client end to end: the real chat-server binary serves the page, headless Debian
// Chromium (driven by playwright-core) signs up over HTTP (the token stays in an HttpOnly
// cookie), and a second participant speaks protocol version 3 over the `ws` package. A reload
// stays logged in, messages go both ways with display names, the members list shows who is
// online, markup stays text, typing notices come and go, rooms are browsed, joined and created,
// unread and mention badges appear and clear, a direct message makes the pair's room, older
// messages load when scrolling up (no gaps, no duplicates), drafts stay per room, the phone
// layout switches between the list and the conversation, the page resumes after the server
// restarts on the same port, logging out ends the cookie, and logging in again brings the
// history back.
//
//   node tests/browser/e2e.mjs path/to/chat-server [--screenshot out.png]
//
// Exits 0 when every step passed, 1 on the first failure, 77 (CTest's SKIP_RETURN_CODE) when
// Chromium is not installed.
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  check, PROTOCOL_VERSION, ProtocolClient, ServerProcess, serverHasOption, startBrowserTest, Steps, within,
} from './support.mjs';

const WAIT_MS = 10000; // any single condition in the page
const TOTAL_MS = 270000; // the whole run, whatever happens

const { binary, chromium, executablePath: CHROMIUM, watchdog } =
  await startBrowserTest('e2e.mjs path/to/chat-server [--screenshot out.png]', TOTAL_MS);
const args = process.argv.slice(2);
const shotIndex = args.indexOf('--screenshot');
const screenshotPath = shotIndex >= 0 ? args[shotIndex + 1] : '';

const XSS_SCRIPT = '<script>window.pwned=1</script>';
const XSS_IMG = '<img src=x onerror="window.pwned=1">';

const tempDir = mkdtempSync(path.join(tmpdir(), 'chat-e2e-'));
const serverArgs = ['--host', '127.0.0.1', '--name', 'e2e'];
// A durable history when this build has one: the restart then resumes instead of reloading.
const durable = await serverHasOption(binary, '--db');
if (durable) serverArgs.push('--db', path.join(tempDir, 'history.sqlite'));
// The filler below sends 130 messages at once.
if (await serverHasOption(binary, '--rate')) serverArgs.push('--rate', '0');

let server = new ServerProcess(binary, [...serverArgs, '--port', '0']);
let context;
let page;
let dana;
let danaWelcome;
const steps = new Steps();
const consoleProblems = []; // CSP violations and script errors show up here
const helloFrames = []; // what the page sent as hello, in order
const sendFrames = []; // what the page sent as send, in order
const pageFrames = []; // everything the page sent, in order
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

// Waits for the acknowledged message `text` in the room shown.
function shown(text, what) {
  return inPage((t) => [...document.querySelectorAll('#messages li[data-state="acked"] .text')]
    .some((node) => node.textContent === t), text, what || `the page to show "${text}"`);
}

// Clicks a room (or direct room) in the sidebar and waits until it is the one shown.
async function openRoom(key) {
  await page.click(`.room-item[data-room="${key}"] .room-button`);
  await inPage((k) => document.querySelector(`.room-item[data-room="${k}"]`)
    ?.getAttribute('aria-current') === 'true', key, `room ${key} to be shown`);
}

// A sidebar item's state: {unread: bold, badge, mention} or null when it is not there.
function sidebarState(key) {
  return page.evaluate((k) => {
    const li = document.querySelector(`.room-item[data-room="${k}"]`);
    if (!li) return null;
    return {
      unread: li.classList.contains('unread'),
      badge: li.querySelector('.badge')?.textContent ?? '',
      mention: li.querySelector('.mention-badge')?.textContent ?? '',
      bold: getComputedStyle(li.querySelector('.room-name')).fontWeight,
    };
  }, key);
}

// The seqs of the room shown, in the order the page shows them.
function shownSeqs() {
  return page.evaluate(() => [...document.querySelectorAll('#messages li[data-seq]')]
    .map((li) => Number(li.dataset.seq)));
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
    // Notifications: granted here, as a person would after the page's "开启桌面通知". The
    // browser's own Notification is wrapped to record what the page shows; notify.js is not.
    await context.grantPermissions(['notifications'], { origin });
    await context.addInitScript(() => {
      const Real = window.Notification;
      if (typeof Real !== 'function') return;
      window.shownNotifications = [];
      window.permissionRequests = 0;
      window.Notification = class extends Real {
        constructor(title, options) {
          super(title, options);
          window.shownNotifications.push({ title, body: options?.body, tag: options?.tag, shown: this });
        }

        static requestPermission(...rest) {
          window.permissionRequests += 1;
          return Real.requestPermission(...rest);
        }
      };
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
        pageFrames.push(frame);
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
    check(helloFrames.length === 1 && helloFrames[0].version === PROTOCOL_VERSION,
      `one version-${PROTOCOL_VERSION} hello`);
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
    await inPage(() => document.querySelector('.room-item[data-room="lobby"]')
      ?.getAttribute('aria-current') === 'true' &&
      document.querySelector('#room-title').textContent.length > 0, null,
    'the lobby to be in the sidebar and shown');
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

  await steps.run('a protocol client joins; the members list shows both online', async () => {
    dana = await new ProtocolClient(wsUrl).open();
    danaWelcome = await dana.register('dana', PASSWORD);
    check(danaWelcome.rooms.some((r) => r.name === 'lobby'), 'dana is in the lobby');
    await inPage(() => {
      const wendy = document.querySelector('#users li[data-name="wendy"]');
      const dana = document.querySelector('#users li[data-name="dana"]');
      return wendy && dana && wendy.dataset.online === 'true' && dana.dataset.online === 'true' &&
        wendy.querySelector('.display')?.textContent === '温迪' &&
        document.querySelector('#online-count').textContent === '2';
    }, null, 'the page to list wendy (温迪) and dana online, count 2');
    const members = pageFrames.filter((f) => f.type === 'members');
    check(members.length > 0 && members[members.length - 1].room === 'lobby',
      'the page asked for the lobby\'s members');
  });

  await steps.run('a message typed in the page reaches the other client', async () => {
    const text = 'Hello from the browser 👋';
    historyTexts.push(text);
    await page.fill('#text', text);
    await page.press('#text', 'Enter');
    const got = await dana.waitFor((f) => f.type === 'message' && f.text === text, 'dana to get it');
    check(got.from === 'wendy' && got.display === '温迪' && Number.isInteger(got.seq) &&
      got.room === 'lobby', 'stamped with the account, its display name, a seq and the room');
    check(sendFrames[sendFrames.length - 1].room === 'lobby', 'the page sent it into the lobby');
    await shown(text, 'the page to show it acknowledged');
  });

  await steps.run('Shift+Enter starts a new line of one message; the input grows to 6 lines, then scrolls', async () => {
    const input = () => page.evaluate(() => {
      const box = document.querySelector('#text');
      return { height: box.getBoundingClientRect().height, scrolls: box.scrollHeight > box.clientHeight + 1,
        overflow: getComputedStyle(box).overflowY };
    });
    const oneLine = await input();
    const sendsBefore = sendFrames.length;
    await page.focus('#text');
    await page.keyboard.type('first line');
    await page.keyboard.press('Shift+Enter');
    await page.keyboard.type('second line');
    const twoLines = await input();
    check(sendFrames.length === sendsBefore, 'Shift+Enter sent nothing');
    check(twoLines.height > oneLine.height * 1.3 && !twoLines.scrolls,
      `the input grew to two lines (${oneLine.height} -> ${twoLines.height} px)`);
    const danaFrom = dana.frames.length;
    await page.press('#text', 'Enter');
    const got = await dana.waitFor((f) => f.type === 'message' && f.from === 'wendy', 'dana to get it',
      WAIT_MS, danaFrom);
    check(got.text === 'first line\nsecond line', `one message of two lines (${JSON.stringify(got.text)})`);
    await shown('first line\nsecond line');
    check(sendFrames.length === sendsBefore + 1, 'one send');
    const shownLines = await page.evaluate(() => {
      const text = [...document.querySelectorAll('#messages li[data-state="acked"] .text')]
        .find((node) => node.textContent === 'first line\nsecond line');
      return text.getBoundingClientRect().height / parseFloat(getComputedStyle(text).lineHeight);
    });
    check(shownLines > 1.5 && shownLines < 2.5, `shown on two lines (${shownLines})`);
    const empty = await input();
    check(Math.abs(empty.height - oneLine.height) < 1, `sent, the input is one line again (${empty.height} px)`);

    const heights = [];
    await page.keyboard.type('line 1');
    for (let line = 2; line <= 9; line += 1) {
      await page.keyboard.press('Shift+Enter');
      await page.keyboard.type(`line ${line}`);
      heights[line] = await input();
    }
    check(heights[6].height > heights[5].height && !heights[6].scrolls, 'it grows up to six lines');
    check(heights[9].height === heights[6].height && heights[9].scrolls && heights[9].overflow === 'auto',
      `past six lines it scrolls (${JSON.stringify([heights[6], heights[9]])})`);
    await page.fill('#text', '');
    check(Math.abs((await input()).height - oneLine.height) < 1, 'emptied, one line again');
    check(sendFrames.length === sendsBefore + 1, 'nothing more was sent');
  });

  await steps.run('a message from the other client shows in the page', async () => {
    const text = 'Hi Wendy! 你好, this comes from a desktop-side client.';
    historyTexts.push(text);
    dana.send({ type: 'send', id: 'dana-1', room: 'lobby', text });
    await inPage((t) => [...document.querySelectorAll('#messages li')].some((li) =>
      li.querySelector('.text').textContent === t && li.querySelector('.from')?.textContent === 'dana'),
    text, 'the page to show dana\'s message');
  });

  await steps.run('markup from the network is shown as text and runs nothing', async () => {
    dana.send({ type: 'send', id: 'dana-xss-1', room: 'lobby', text: XSS_SCRIPT });
    dana.send({ type: 'send', id: 'dana-xss-2', room: 'lobby', text: XSS_IMG });
    const typed = `<b>not bold</b> ${XSS_IMG}`;
    await page.fill('#text', typed);
    await page.press('#text', 'Enter');
    for (const text of [XSS_SCRIPT, XSS_IMG, typed]) await shown(text);
    const result = await page.evaluate(() => ({
      pwned: typeof window.pwned,
      elements: document.querySelectorAll('#messages script, #messages img, #messages b').length,
    }));
    check(result.pwned === 'undefined', 'window.pwned stays undefined');
    check(result.elements === 0, 'no element was made from message text');
  });

  await steps.run('formatting: every example of tests/data/formatting.json renders as the desktop does', async () => {
    const { readFileSync } = await import('node:fs');
    const table = JSON.parse(readFileSync(new URL('../data/formatting.json', import.meta.url), 'utf8'));
    check(table.length >= 20, 'the shared table has its examples');
    table.forEach((example, i) => dana.send({ type: 'send', id: `dana-fmt-${i}`, room: 'lobby', text: example.input }));
    await inPage((n) => document.querySelectorAll('#messages li[data-id^="dana-fmt-"]').length === n,
      table.length, 'every example to show');
    const rendered = await page.evaluate((n) => {
      const result = [];
      for (let i = 0; i < n; i += 1) {
        const text = document.querySelector(`#messages li[data-id="dana-fmt-${i}"] .text`);
        result.push([...text.childNodes].map((node) => {
          const span = { kind: node.dataset?.kind ?? '#text', text: node.textContent };
          if (span.kind === 'link') span.href = node.getAttribute('href');
          return span;
        }));
      }
      return result;
    }, table.length);
    table.forEach((example, i) => check(JSON.stringify(rendered[i]) === JSON.stringify(example.spans),
      `"${example.note}": ${JSON.stringify(rendered[i])}`));
    const made = await page.evaluate(() => ({
      pwned: typeof window.pwned,
      html: document.querySelectorAll('#messages .text b, #messages .text i, #messages .text img, #messages .text script').length,
      links: [...document.querySelectorAll('#messages .text a')].map((a) => a.protocol),
      headings: document.querySelectorAll('#messages h1').length,
    }));
    check(made.pwned === 'undefined' && made.html === 0 && made.headings === 0, 'HTML in a message stays text');
    check(made.links.length > 0 && made.links.every((p) => p === 'http:' || p === 'https:'), 'only http(s) links');
  });

  await steps.run('days and groups: a day separator, one header for a run of one sender', async () => {
    const view = await page.evaluate(() => {
      const items = [...document.querySelectorAll('#messages li')];
      const today = new Intl.RelativeTimeFormat(navigator.language, { numeric: 'auto' }).format(0, 'day');
      const second = document.querySelector('#messages li[data-id="dana-fmt-1"]');
      return {
        firstDay: items[0].dataset.day, today,
        otherDays: items.slice(1).filter((li) => li.dataset.day).length,
        grouped: second.classList.contains('grouped'),
        metaShown: getComputedStyle(second.querySelector('.meta')).display !== 'none',
        title: second.title,
      };
    });
    check(view.firstDay && view.firstDay.toLowerCase() === view.today.toLowerCase(),
      `the first message is under "${view.today}" (${view.firstDay})`);
    check(view.otherDays === 0, 'one separator for one day');
    check(view.grouped && !view.metaShown, 'dana\'s second example shows no header of its own');
    check(view.title.length > 0, 'the full time shows on hover');
  });

  await steps.run('scrolled up the page stays put, a "new messages" button jumps down; at the bottom it follows', async () => {
    const list = () => page.evaluate(() => {
      const l = document.getElementById('messages');
      const button = document.getElementById('new-messages');
      return { top: l.scrollTop, max: l.scrollHeight - l.clientHeight, button: button && !button.hidden,
        label: button?.textContent ?? '' };
    });
    await page.evaluate(() => { const l = document.getElementById('messages'); l.scrollTop = l.scrollHeight; });
    let at = await list();
    check(at.max > 200, `the conversation scrolls (${at.max} px)`);
    await page.evaluate(() => { const l = document.getElementById('messages'); l.scrollTop = l.scrollHeight / 2; });
    const reading = (await list()).top;
    dana.send({ type: 'send', id: 'dana-below-1', room: 'lobby', text: 'below 1' });
    dana.send({ type: 'send', id: 'dana-below-2', room: 'lobby', text: 'below 2' });
    await inPage(() => document.querySelectorAll('#messages li[data-id^="dana-below-"]').length === 2, null, 'both to arrive');
    at = await list();
    check(at.button && /2/.test(at.label), `the button says 2 (${at.label})`);
    check(Math.abs(at.top - reading) < 2, 'the view stayed where it was');
    await page.click('#new-messages');
    at = await list();
    check(at.max - at.top < 2 && !at.button, 'the button jumped to the newest and went away');
    dana.send({ type: 'send', id: 'dana-below-3', room: 'lobby', text: 'below 3' });
    await inPage(() => {
      const l = document.getElementById('messages');
      return l.querySelector('li[data-id="dana-below-3"]') && l.scrollHeight - l.scrollTop - l.clientHeight < 2;
    }, null, 'the view to follow the newest at the bottom');
    check(!(await list()).button, 'no button while following');
  });

  await steps.run('typing: the page tells once per 3 s, shows "dana 正在输入…" until her message', async () => {
    await page.waitForTimeout(3100); // the server relays one notice per person and room in 3 s
    const typingFrom = pageFrames.length;
    const danaFrom = dana.frames.length;
    await page.type('#text', '正在写', { delay: 20 });
    const typing = await dana.waitFor((f) => f.type === 'typing', 'dana to see wendy typing',
      WAIT_MS, danaFrom);
    check(typing.room === 'lobby' && typing.from === 'wendy', JSON.stringify(typing));
    await page.type('#text', '更多的字', { delay: 20 });
    const typingSent = pageFrames.slice(typingFrom).filter((f) => f.type === 'typing');
    check(typingSent.length === 1 && typingSent[0].room === 'lobby',
      `one typing notice for many keys (${JSON.stringify(typingSent)})`);
    await page.fill('#text', '');

    dana.send({ type: 'typing', room: 'lobby' });
    await inPage(() => {
      const t = document.querySelector('#typing');
      return !t.hidden && t.textContent === 'dana 正在输入…';
    }, null, 'the page to show dana 正在输入…');
    dana.send({ type: 'send', id: 'dana-typed', room: 'lobby', text: 'done typing' });
    await shown('done typing');
    check(await page.evaluate(() => document.querySelector('#typing').hidden),
      'the notice is gone when her message came');
    // Past the server's 3 s, a notice alone goes away after 5 s.
    await new Promise((resolve) => setTimeout(resolve, 3100));
    dana.send({ type: 'typing', room: 'lobby' });
    await inPage(() => !document.querySelector('#typing').hidden, null, 'the notice again');
    const since = Date.now();
    await inPage(() => document.querySelector('#typing').hidden, null, 'the notice to go', 8000);
    const after = Date.now() - since;
    check(after > 3500, `it stayed about 5 s (${after} ms)`);
  });

  await steps.run('browsing rooms: the page joins a public room and shows its events in Chinese', async () => {
    const created = await dana.request({ type: 'create_room', name: 'dev', title: '开发组',
      topic: '发布计划' });
    check(created.type === 'done', JSON.stringify(created));
    dana.send({ type: 'send', id: 'dev-before', room: 'dev', text: 'before wendy came' });
    await dana.waitFor((f) => f.type === 'message' && f.id === 'dev-before', 'dana\'s echo');
    await page.click('#browse');
    await page.locator('#rooms-dialog').waitFor({ state: 'visible', timeout: WAIT_MS });
    await inPage(() => document.querySelector('#public-rooms li[data-room="dev"]') &&
      document.querySelector('#public-rooms li[data-room="lobby"]'), null,
    'the dialog to list dev and lobby');
    const text = await page.evaluate(() =>
      document.querySelector('#public-rooms li[data-room="dev"]').textContent);
    check(text.includes('开发组') && text.includes('发布计划') && text.includes('1 人'),
      `title, topic and members (${text})`);
    const danaFrom = dana.frames.length;
    await page.click('#public-rooms li[data-room="dev"] button');
    await inPage(() => document.querySelector('#rooms-dialog').hidden &&
      document.querySelector('.room-item[data-room="dev"]')?.getAttribute('aria-current') === 'true' &&
      document.querySelector('#room-title').textContent === '开发组' &&
      document.querySelector('#room-topic').textContent.includes('发布计划'), null,
    'dev to be shown with its title and topic');
    await dana.waitFor((f) => f.type === 'message' && f.room === 'dev' && f.event === 'joined' &&
      f.from === 'wendy', 'dana to see wendy join', WAIT_MS, danaFrom);
    await shown('before wendy came', 'the history of dev');
    await inPage(() => {
      const lines = [...document.querySelectorAll('#messages li.system')].map((li) => li.textContent);
      return lines.includes('dana 创建了房间') &&
        (lines.includes('温迪 加入了房间') || lines.includes('wendy 加入了房间'));
    }, null, 'the created and joined events as lines in Chinese');
    await inPage(() => document.querySelector('#users li[data-name="dana"]') &&
      document.querySelector('#users li[data-name="wendy"]'), null, 'dev\'s members');
  });

  await steps.run('creating a private room from the page', async () => {
    await page.click('#create');
    await page.locator('#rooms-dialog').waitFor({ state: 'visible', timeout: WAIT_MS });
    await page.fill('#create-name', 'design');
    await page.fill('#create-title', '设计');
    await page.fill('#create-topic', '新版界面');
    await page.check('#create-private');
    await page.click('#create-button');
    await inPage(() => document.querySelector('#rooms-dialog').hidden &&
      document.querySelector('.room-item[data-room="design"]')?.getAttribute('aria-current') === 'true' &&
      document.querySelector('#room-title').textContent === '设计', null, 'design to be shown');
    const request = pageFrames.find((f) => f.type === 'create_room');
    check(request && request.name === 'design' && request.private === true &&
      request.title === '设计' && request.topic === '新版界面', JSON.stringify(request));
    const list = await dana.request({ type: 'rooms', limit: 200 });
    check(!list.rooms.some((r) => r.name === 'design'), 'a private room is not listed');
  });

  await steps.run('unread and mention badges: bold with counts, cleared when the room is read', async () => {
    check((await sidebarState('dev')).badge === '', 'dev starts read');
    dana.send({ type: 'send', id: 'dev-u1', room: 'dev', text: 'something new' });
    dana.send({ type: 'send', id: 'dev-u2', room: 'dev', text: '@wendy 请看一下' });
    dana.send({ type: 'send', id: 'lobby-u1', room: 'lobby', text: 'lobby news' });
    await inPage(() => {
      const dev = document.querySelector('.room-item[data-room="dev"]');
      const lobby = document.querySelector('.room-item[data-room="lobby"]');
      return dev.classList.contains('unread') && dev.querySelector('.badge')?.textContent === '2' &&
        dev.querySelector('.mention-badge')?.textContent === '@1' &&
        lobby.querySelector('.badge')?.textContent === '1' && !lobby.querySelector('.mention-badge');
    }, null, 'dev: 2 unread, @1; lobby: 1 unread');
    const dev = await sidebarState('dev');
    check(Number(dev.bold) >= 600, `an unread room is bold (${dev.bold})`);
    check(Number((await sidebarState('design')).bold) < 600, 'a read room is not');
    const title = await page.title();
    check(title.startsWith('(3)'), `the tab's title counts them (${title})`);
    if (screenshotPath) await page.screenshot({ path: screenshotPath });

    const readsBefore = pageFrames.filter((f) => f.type === 'read').length;
    await openRoom('dev');
    await inPage(() => {
      const li = document.querySelector('.room-item[data-room="dev"]');
      return !li.classList.contains('unread') && !li.querySelector('.badge') &&
        !li.querySelector('.mention-badge');
    }, null, 'dev\'s badges to go');
    await inPage(() => document.querySelector('#messages li.mention .text')?.textContent ===
      '@wendy 请看一下', null, 'the mention to be highlighted');
    // The page marks a room read at most once a second: the mark may follow a moment later.
    const u2 = dana.messages('dev').find((m) => m.id === 'dev-u2');
    await within(WAIT_MS, `a read of dev up to ${u2.seq}`, new Promise((resolve) => {
      const poll = () => (pageFrames.slice(readsBefore).some((f) => f.type === 'read' &&
        f.room === 'dev' && f.seq === u2.seq) ? resolve() : setTimeout(poll, 50));
      poll();
    }));
    await page.waitForTimeout(200); // the server has it before a second device asks
    // The server has it: a second device of wendy's sees dev read, the lobby not.
    const cookies = await context.cookies(origin);
    const token = cookies.find((c) => c.name === 'chat_token').value;
    const device = await new ProtocolClient(wsUrl, { headers: { Cookie: `chat_token=${token}`, Origin: origin } }).open();
    try {
      const welcome = await device.hello({ device: 'e2e check' });
      const devState = welcome.rooms.find((r) => r.name === 'dev');
      const lobbyState = welcome.rooms.find((r) => r.name === 'lobby');
      check(devState.unread === 0 && devState.mentions === 0 && devState.read === u2.seq,
        JSON.stringify(devState));
      check(lobbyState.unread === 1, JSON.stringify(lobbyState));
    } finally {
      device.close();
    }
    // A message into the room shown is read at once.
    dana.send({ type: 'send', id: 'dev-u3', room: 'dev', text: 'read while open' });
    await shown('read while open');
    await inPage(() => !document.querySelector('.room-item[data-room="dev"]').classList.contains('unread'),
      null, 'dev to stay read');
    const u3 = await dana.waitFor((f) => f.type === 'message' && f.id === 'dev-u3', 'dana\'s echo');
    await within(WAIT_MS, 'a read for it', new Promise((resolve) => {
      const poll = () => (pageFrames.some((f) => f.type === 'read' && f.seq === u3.seq) ? resolve()
        : setTimeout(poll, 50));
      poll();
    }));
  });

  await steps.run('drafts stay with their room', async () => {
    await page.fill('#text', 'a draft for dev');
    await openRoom('lobby');
    check(await page.inputValue('#text') === '', 'the lobby has no draft');
    await page.fill('#text', 'a draft for the lobby');
    await openRoom('dev');
    check(await page.inputValue('#text') === 'a draft for dev', 'dev\'s draft is back');
    await openRoom('lobby');
    check(await page.inputValue('#text') === 'a draft for the lobby', 'the lobby\'s draft is back');
    await page.fill('#text', '');
  });

  let directRoom = '';
  await steps.run('发消息 on a member opens a direct conversation; the first message makes the room', async () => {
    await page.click('#users li[data-name="dana"] .dm');
    await inPage(() => document.querySelector('#room-title').textContent === '与 dana 的私信' &&
      document.querySelector('#dm-list .room-item[data-room="to:dana"]'), null,
    'a direct conversation with dana to open');
    const danaFrom = dana.frames.length;
    await page.fill('#text', '私下说一句');
    await page.press('#text', 'Enter');
    const frame = sendFrames[sendFrames.length - 1];
    check(frame.to === 'dana' && !('room' in frame) && frame.text === '私下说一句',
      `sent with to (${JSON.stringify(frame)})`);
    const got = await dana.waitFor((f) => f.type === 'message' && f.text === '私下说一句',
      'dana to get it', WAIT_MS, danaFrom);
    directRoom = got.room;
    check(/^@\d+-\d+$/.test(directRoom), `a direct room (${directRoom})`);
    const state = dana.frames.slice(danaFrom).find((f) => f.type === 'room' && f.room.name === directRoom);
    check(state && state.room.direct && state.room.with === 'wendy', JSON.stringify(state));
    await inPage((room) => !document.querySelector('.room-item[data-room="to:dana"]') &&
      document.querySelector(`#dm-list .room-item[data-room="${room}"]`)
        ?.getAttribute('aria-current') === 'true', directRoom, 'the real direct room to take over');
    await shown('私下说一句');
    dana.send({ type: 'send', id: 'dm-answer', room: directRoom, text: '收到' });
    await shown('收到');
    // Again from another room: the same direct room, sent by its name.
    await openRoom('dev');
    await page.click('#users li[data-name="dana"] .dm');
    await inPage((room) => document.querySelector(`.room-item[data-room="${room}"]`)
      ?.getAttribute('aria-current') === 'true', directRoom, 'the existing direct room');
    await page.fill('#text', '第二条');
    await page.press('#text', 'Enter');
    const second = sendFrames[sendFrames.length - 1];
    check(second.room === directRoom && !('to' in second), JSON.stringify(second));
    await shown('第二条');
  });

  await steps.run('notifications: a direct message and a mention notify, a plain message does not; the tab title counts', async () => {
    check(await page.evaluate(() => window.permissionRequests) === 0,
      'the page never asked for permission by itself');
    check(await page.isHidden('#enable-notifications'), 'no "enable" button once granted');
    await openRoom('lobby');
    const before = await page.evaluate(() => window.shownNotifications.length);
    const unreadBefore = await page.evaluate(() => Number(/^\((\d+)\) /.exec(document.title)?.[1] ?? 0));
    dana.send({ type: 'send', id: 'notify-dm', room: directRoom, text: '看到通知了吗' });
    await inPage(([n, room]) => window.shownNotifications.slice(n).some((x) =>
      x.tag === room && x.body === '看到通知了吗'), [before, directRoom], 'a notification for the DM');
    await inPage((n) => document.title.startsWith(`(${n}) `), unreadBefore + 1,
      'the unread count in the tab title');
    // dev is "mentions only": the plain message asks for nothing, the mention does.
    dana.send({ type: 'send', id: 'notify-plain', room: 'dev', text: '普通的一句' });
    dana.send({ type: 'send', id: 'notify-mention', room: 'dev', text: '@wendy 来一下' });
    await inPage(([n]) => window.shownNotifications.slice(n).some((x) => x.tag === 'dev' &&
      x.body.endsWith('@wendy 来一下')), [before], 'a notification for the mention');
    await inPage((n) => document.title.startsWith(`(${n}) `), unreadBefore + 3,
      'three more unread in the tab title');
    const notes = await page.evaluate((n) => window.shownNotifications.slice(n)
      .map((x) => ({ title: x.title, body: x.body, tag: x.tag })), before);
    check(notes.length === 2 && !notes.some((x) => x.body.endsWith('普通的一句')),
      `the plain message notified nothing (${JSON.stringify(notes)})`);
    check(notes[0].title === 'dana', `the DM's notification names dana (${notes[0].title})`);
    // None for the room shown while the tab is visible.
    dana.send({ type: 'send', id: 'notify-open', room: 'lobby', text: '@wendy 你正看着' });
    await shown('@wendy 你正看着');
    // Clicking the notification opens its room.
    await page.evaluate(([n, room]) => window.shownNotifications.slice(n)
      .find((x) => x.tag === room).shown.dispatchEvent(new Event('click')), [before, directRoom]);
    await inPage((room) => document.querySelector(`.room-item[data-room="${room}"]`)
      ?.getAttribute('aria-current') === 'true', directRoom, 'the clicked notification\'s room');
    check(await page.evaluate((n) => window.shownNotifications.length - n, before) === 2,
      'nothing for the room being looked at');
    // Set to "nothing", dev stays quiet even for a mention.
    await openRoom('dev');
    check(await page.inputValue('#notify-level') === 'mentions', 'a room defaults to mentions only');
    await page.selectOption('#notify-level', 'nothing');
    await openRoom('lobby');
    dana.send({ type: 'send', id: 'notify-muted', room: 'dev', text: '@wendy 静音了' });
    dana.send({ type: 'send', id: 'notify-after', room: directRoom, text: '最后一条' });
    await inPage(([n]) => window.shownNotifications.slice(n).some((x) => x.body === '最后一条'),
      [before], 'the DM after it');
    check(!(await page.evaluate((n) => window.shownNotifications.slice(n)
      .some((x) => x.body.endsWith('静音了')), before)), 'the muted room notified nothing');
    await openRoom(directRoom);
    await openRoom('dev');
    await page.selectOption('#notify-level', 'mentions');
  });

  await steps.run('scrolling up loads older messages: every one once, in order', async () => {
    const filler = await dana.request({ type: 'create_room', name: 'archive', title: '档案' });
    check(filler.type === 'done', JSON.stringify(filler));
    const total = 130;
    for (let i = 1; i <= total; i += 1) {
      dana.send({ type: 'send', id: `archive-${i}`, room: 'archive', text: `存档第 ${i} 条` });
    }
    await dana.waitFor((f) => f.type === 'message' && f.id === `archive-${total}`, 'the last echo', 20000);
    const expected = dana.messages('archive').map((m) => m.seq).sort((a, b) => a - b);
    check(expected.length === total + 1, `the created event and ${total} messages (${expected.length})`);
    const historyBefore = pageFrames.filter((f) => f.type === 'history').length;
    await page.click('#browse');
    await inPage(() => document.querySelector('#public-rooms li[data-room="archive"] button'), null,
      'archive in the list');
    await page.click('#public-rooms li[data-room="archive"] button');
    await shown(`存档第 ${total} 条`, 'the newest page of archive');
    check((await shownSeqs()).length < expected.length, 'only a page at first');
    for (let round = 0; round < 10; round += 1) {
      const seqs = await shownSeqs();
      if (seqs.length >= expected.length + 1) break; // + wendy's joined event
      await page.evaluate(() => { document.querySelector('#messages').scrollTop = 0; });
      await inPage((n) => document.querySelectorAll('#messages li[data-seq]').length > n ||
        document.querySelector('#messages').dataset.loading !== 'true', seqs.length,
      'the next page').catch(() => {});
      await page.waitForTimeout(150);
    }
    const seqs = await shownSeqs();
    check(seqs.every((s, i) => i === 0 || s > seqs[i - 1]), 'in sequence order, no duplicates');
    for (const seq of expected) check(seqs.includes(seq), `seq ${seq} is shown`);
    check(seqs.length === expected.length + 1, `all ${expected.length} and wendy's join (${seqs.length})`);
    const requests = pageFrames.filter((f) => f.type === 'history').slice(historyBefore);
    check(requests[0].before === 0 && requests.slice(1).every((r, i) => r.before > 0 &&
      (i === 0 || r.before < requests[i].before)), `pages asked before the oldest shown (${JSON.stringify(requests)})`);
    // Its scroll position stays when another room is looked at.
    await page.evaluate(() => { const l = document.querySelector('#messages'); l.scrollTop = 400; });
    await page.waitForTimeout(300); // a page may still come
    const position = await page.evaluate(() => document.querySelector('#messages').scrollTop);
    await openRoom('lobby');
    await openRoom('archive');
    const back = await page.evaluate(() => document.querySelector('#messages').scrollTop);
    check(Math.abs(back - position) < 2, `the scroll position is kept (${position} -> ${back})`);
  });

  await steps.run('invited to a private room it appears; removed, it goes with a note; leave asks first', async () => {
    const created = await dana.request({ type: 'create_room', name: 'secret', title: '机密',
      private: true });
    check(created.type === 'done', JSON.stringify(created));
    const invited = await dana.request({ type: 'invite', room: 'secret', name: 'wendy' });
    check(invited.type === 'done', JSON.stringify(invited));
    await inPage(() => document.querySelector('.room-item[data-room="secret"] .room-name')
      ?.textContent === '机密', null, 'the private room in the sidebar');
    await openRoom('secret');
    await inPage(() => [...document.querySelectorAll('#messages li.system')].some((li) =>
      li.textContent === 'dana 邀请 wendy 加入了房间'), null, 'the invited event');
    const removed = await dana.request({ type: 'remove', room: 'secret', name: 'wendy' });
    check(removed.type === 'done', JSON.stringify(removed));
    await inPage(() => !document.querySelector('.room-item[data-room="secret"]') &&
      document.querySelector('#composer-note').textContent.includes('机密') &&
      document.querySelector('.room-item[aria-current="true"]'), null,
    'the room to go, a note to say so, and another room to be shown');
    // Leaving asks first; dismissed, nothing happens; accepted, the room goes.
    await openRoom('design');
    const leavesBefore = pageFrames.filter((f) => f.type === 'leave').length;
    page.once('dialog', (dialog) => dialog.dismiss());
    await page.click('#leave');
    await page.waitForTimeout(200);
    check(pageFrames.filter((f) => f.type === 'leave').length === leavesBefore, 'dismissed: no leave');
    page.once('dialog', (dialog) => dialog.accept());
    await page.click('#leave');
    await inPage(() => !document.querySelector('.room-item[data-room="design"]'), null,
      'design to leave the sidebar');
    await page.evaluate(() => { document.querySelector('#composer-note').textContent = ''; });
  });

  await steps.run('at phone width the room list and the conversation are two views', async () => {
    await page.setViewportSize({ width: 380, height: 700 });
    await page.click('#back');
    await inPage(() => getComputedStyle(document.querySelector('.conversation')).display === 'none' &&
      getComputedStyle(document.querySelector('.sidebar')).display !== 'none', null,
    'the list alone');
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    check(width <= 380, `nothing wider than the phone (${width})`);
    await page.click('.room-item[data-room="dev"] .room-button');
    await inPage(() => getComputedStyle(document.querySelector('.sidebar')).display === 'none' &&
      getComputedStyle(document.querySelector('.conversation')).display !== 'none' &&
      document.querySelector('#room-title').textContent === '开发组', null, 'the conversation alone');
    await page.click('#show-members');
    await inPage(() => getComputedStyle(document.querySelector('#people')).display !== 'none', null,
      'the members to slide in');
    await page.click('#hide-members');
    const composer = await page.locator('#composer').boundingBox();
    check(composer && composer.x >= 0 && composer.x + composer.width <= 381,
      `the composer fits (${JSON.stringify(composer)})`);
    if (screenshotPath) await page.screenshot({ path: screenshotPath.replace(/\.png$/, '-phone.png') });
    await page.setViewportSize({ width: 1100, height: 640 });
    await openRoom('lobby');
  });

  await steps.run('the page reconnects and resumes after the server crashes and restarts', async () => {
    const firstWelcome = welcomeFrames[welcomeFrames.length - 1]; // since the reload
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
    const lastSeqSeen = Math.max(...[...dana.frames].filter((f) => f.type === 'message')
      .map((f) => f.seq));

    server = new ServerProcess(binary, [...serverArgs, '--port', String(port)]);
    await server.start();
    dana = await new ProtocolClient(wsUrl).open();
    await dana.hello({ token: danaWelcome.token, lastSeq: danaWelcome.seq,
      instance: danaWelcome.instance, session: danaWelcome.session });
    const away = ['sent while you were away (1)', 'sent while you were away (2)'];
    dana.send({ type: 'send', id: 'dana-away-1', room: 'lobby', text: away[0] });
    dana.send({ type: 'send', id: 'dana-away-2', room: 'lobby', text: away[1] });
    dana.send({ type: 'send', id: 'dana-away-dev', room: 'dev', text: 'dev while you were away' });
    await dana.waitFor((f) => f.type === 'message' && f.id === 'dana-away-dev', 'dana\'s own echo');
    check(await page.evaluate(() => document.querySelector('#status').dataset.state) === 'waiting',
      'the page was still away when the messages were sent');

    // By itself, on its backoff timer: at most 30 s + 20 % away, in practice 3 to 10 s.
    await inPage(() => document.querySelector('#status').dataset.state === 'connected', null,
      'the page to reconnect', 40000);
    await shown(offline, 'the offline message to be acknowledged');
    await dana.waitFor((f) => f.type === 'message' && f.text === offline, 'dana to get it');
    await shown(lost, 'the frozen-server message to be acknowledged');
    const lostSends = sendFrames.filter((f) => f.text === lost);
    check(lostSends.length === 2 && lostSends[1].id === lostSends[0].id,
      `resent once after the reconnect with the same id (${JSON.stringify(lostSends)})`);
    for (const text of away) await shown(text);
    for (const text of [...away, offline, lost]) {
      const count = await countText(text);
      check(count === 1, `"${text}" shows exactly once (${count})`);
    }
    for (const text of [offline, lost]) {
      check(dana.messages().filter((m) => m.text === text).length === 1, `"${text}" reached dana once`);
    }
    const seqs = await shownSeqs();
    check(new Set(seqs).size === seqs.length, 'no sequence number shows twice');
    check(seqs.every((s, i) => i === 0 || s > seqs[i - 1]), 'messages are in sequence order');
    // The room not shown got its missed message too, counted unread.
    await inPage(() => document.querySelector('.room-item[data-room="dev"] .badge')?.textContent === '1',
      null, 'dev to show 1 unread after the resume');

    const hello = helloFrames[helloFrames.length - 1];
    check(helloFrames.length === hellosBefore + 1, 'one new hello after the restart');
    check(Number.isInteger(hello.lastSeq) && hello.lastSeq >= lastSeqSeen,
      `the hello resumes from the newest seen (${hello.lastSeq})`);
    check(hello.instance === firstWelcome.instance, 'the hello names the instance');
    check(hello.session === firstWelcome.session, 'the hello carries the session');
    const welcome = welcomeFrames[welcomeFrames.length - 1];
    if (durable) {
      check(welcome.instance === firstWelcome.instance && welcome.resumed === true,
        `a durable history: the welcome resumes (${JSON.stringify(welcome).slice(0, 300)})`);
    }
  });

  await steps.run('logging out ends the cookie: the form is back, a new WebSocket is refused', async () => {
    await dana.request({ type: 'members', room: 'lobby' }); // dana is told who goes
    const danaFrom = dana.frames.length;
    await page.click('#logout');
    await page.locator('#auth').waitFor({ state: 'visible', timeout: WAIT_MS });
    await page.locator('#login-form').waitFor({ state: 'visible', timeout: WAIT_MS });
    const cookies = await context.cookies(origin);
    check(!cookies.some((c) => c.name === 'chat_token'), `the cookie is gone (${JSON.stringify(cookies)})`);
    const left = await page.evaluate(() => ({
      messages: document.querySelectorAll('#messages li').length,
      rooms: document.querySelectorAll('.room-item').length,
    }));
    check(left.messages === 0 && left.rooms === 0, `the conversation is cleared (${JSON.stringify(left)})`);
    await dana.waitFor((f) => f.type === 'presence' && f.left.includes('wendy'),
      'dana to see wendy leave', WAIT_MS, danaFrom);
    // What a script in the page gets when it tries anyway: token_invalid, then 1008.
    const refused = await page.evaluate(({ url, version }) => new Promise((resolve) => {
      const ws = new WebSocket(url);
      let error = null;
      ws.onopen = () => ws.send(JSON.stringify({ type: 'hello', version }));
      ws.onmessage = (event) => { error = JSON.parse(event.data); };
      ws.onclose = (event) => resolve({ code: event.code, error });
    }), { url: wsUrl, version: PROTOCOL_VERSION });
    check(refused.code === 1008 && refused.error?.code === 'token_invalid',
      `refused: ${JSON.stringify(refused)}`);
  });

  await steps.run('logging in again brings the rooms and the conversation back', async () => {
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
    for (const text of historyTexts) await shown(text, `the history to show "${text}"`);
    await inPage((room) => ['lobby', 'dev', 'archive', room].every((k) =>
      document.querySelector(`.room-item[data-room="${k}"]`)), directRoom, 'every room in the sidebar');
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
