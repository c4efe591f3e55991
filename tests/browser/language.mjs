#!/usr/bin/env node
// The browser page in its two languages (web/i18n.js), in headless Debian Chromium driven by
// playwright-core: an English browser (--lang=en-US, context locale en-US) gets an English page
// with no Chinese anywhere in its interface, hidden dialogs included; a Chinese one (zh-CN) gets
// Chinese; the first of the browser's languages that is one of the two decides, English when
// none is. A refusal from the server shows as a translated sentence in both (login_failed over
// HTTP, text_invalid over the WebSocket), followed by the server's own words where they say what
// exactly was wrong, and a code the page does not know as a plain "refused" with the server's
// words; those words show as text, markup and all. Every text the page names by key exists in
// both languages.
//
//   node tests/browser/language.mjs path/to/chat-server
//
// Exits 0 when every step passed, 1 on the first failure, 77 (CTest's SKIP_RETURN_CODE) when
// Chromium is not installed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { check, ProtocolClient, ServerProcess, startBrowserTest, Steps } from './support.mjs';

const WAIT_MS = 10000;
const TOTAL_MS = 120000;
const PASSWORD = 'correct horse battery';
// Han characters and CJK punctuation (，。：（）「」…): none of them belongs in the English page.
const CHINESE = /[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]/;

const { binary, chromium, executablePath, watchdog } =
  await startBrowserTest('language.mjs path/to/chat-server', TOTAL_MS);

// Its own history and accounts, not the default database of whoever runs the test.
const tempDir = mkdtempSync(path.join(tmpdir(), 'chat-language-'));
const server = new ServerProcess(binary, ['--host', '127.0.0.1', '--name', 'languages', '--port', '0',
  '--db', path.join(tempDir, 'history.sqlite')]);
const steps = new Steps();
const consoleProblems = [];
let browser;
let origin = '';
let wsUrl = '';

// A fresh browser context whose languages are `locale` (navigator.languages and
// Accept-Language), or the list `languages` put in place before any script of the page runs.
async function openPage(locale, languages) {
  const context = await browser.newContext({ locale, viewport: { width: 1100, height: 700 } });
  if (languages) {
    await context.addInitScript((list) => {
      Object.defineProperty(Navigator.prototype, 'languages', { get: () => list });
      Object.defineProperty(Navigator.prototype, 'language', { get: () => list[0] });
    }, languages);
  }
  const page = await context.newPage();
  page.on('console', (message) => {
    // The refused logins below answer 401 and 400; the first WebSocket has no cookie yet.
    if (message.type() === 'error' && !/status of 40[01]|WebSocket connection to .* failed/.test(message.text())) {
      consoleProblems.push(message.text());
    }
  });
  page.on('pageerror', (error) => consoleProblems.push(`uncaught: ${error.message}`));
  await page.goto(`${origin}/`, { timeout: WAIT_MS });
  await page.locator('#auth').waitFor({ state: 'visible', timeout: WAIT_MS });
  return page;
}

function inPage(page, fn, arg, what) {
  return page.waitForFunction(fn, arg, { timeout: WAIT_MS, polling: 50 })
    .catch((error) => { throw new Error(`${what}: ${error.message.split('\n')[0]}`); });
}

// What the page says by key: each [data-i18n*] element's text or attribute, as {key, text}.
function keyedTexts(page) {
  return page.evaluate(() => {
    const found = [];
    for (const node of document.querySelectorAll('[data-i18n]')) {
      found.push({ key: node.dataset.i18n, text: node.textContent });
    }
    for (const attribute of ['placeholder', 'title', 'aria-label']) {
      for (const node of document.querySelectorAll(`[data-i18n-${attribute}]`)) {
        found.push({ key: node.getAttribute(`data-i18n-${attribute}`), text: node.getAttribute(attribute) || '' });
      }
    }
    return found;
  });
}

// Every piece of interface text in the document, shown or hidden: text nodes outside the
// messages' own text, the title, placeholders, titles and accessible labels.
function interfaceTexts(page) {
  return page.evaluate(() => {
    const texts = [document.title];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.parentElement.closest('.msg .text, .msg .from, .msg .display')) continue;
      if (node.textContent.trim()) texts.push(node.textContent.trim());
    }
    for (const node of document.querySelectorAll('[placeholder], [title], [aria-label], [data-day]')) {
      for (const name of ['placeholder', 'title', 'aria-label', 'data-day']) {
        if (node.hasAttribute(name)) texts.push(node.getAttribute(name));
      }
    }
    return texts;
  });
}

async function checkKeyed(page, chinese) {
  const keyed = await keyedTexts(page);
  check(keyed.length > 40, `the page names its texts by key (${keyed.length})`);
  for (const { key, text } of keyed) {
    check(text !== '' && text !== key, `"${key}" has a text (${text})`);
    check(CHINESE.test(text) === chinese, `"${key}" is ${chinese ? 'Chinese' : 'English'}: ${text}`);
  }
}

async function checkNoChinese(page, when) {
  const chinese = (await interfaceTexts(page)).filter((text) => CHINESE.test(text));
  check(chinese.length === 0, `${when}: no Chinese in the English page (${JSON.stringify(chinese)})`);
}

// The login form's error says `text`, as text: the server's words are never markup.
async function checkAuthError(page, text, what) {
  await inPage(page, (expected) => document.querySelector('#auth-error').textContent === expected,
    text, `${what}: "${text}"`);
  const elements = await page.evaluate(() => document.querySelector('#auth-error').children.length);
  check(elements === 0, `${what}: no element in the error (${elements})`);
  check(await page.evaluate(() => !window.pwned), `${what}: no script ran`);
}

// The login refused with `code` and `message` (the server's words), as a server would answer.
async function refuseLogin(page, code, message) {
  await page.route('**/api/login', (route) => route.fulfill({
    status: 400, contentType: 'application/json', body: JSON.stringify({ code, message }),
  }));
  await page.click('#login-button');
}

// A wrong password (a known code: its sentence alone); a known code whose words say what exactly
// was wrong (the sentence, then the words); a code this page cannot know (a plain "refused", then
// the words). The words hold markup and a line break: they show as text on one line.
async function checkLoginErrors(page, says) {
  await page.fill('#login-name', 'nobody');
  await page.fill('#login-password', 'not the password');
  await page.click('#login-button');
  await checkAuthError(page, says.wrongPassword, 'a known code');
  await refuseLogin(page, 'name_invalid',
    'The account name contains <img src=x onerror="window.pwned=1">\n(U+200B)');
  await checkAuthError(page, `${says.nameInvalid}The account name contains <img src=x onerror="window.pwned=1"> (U+200B).`,
    'a known code with the server\'s words');
  await page.unroute('**/api/login');
  await refuseLogin(page, 'from_a_newer_server', '<b>A newer</b> server says no');
  await checkAuthError(page, `${says.unknown}<b>A newer</b> server says no.`, 'an unknown code');
  await page.unroute('**/api/login');
}

// Signs `name` up in the page; the status says `connected`, and a message of `speaker`'s into the
// lobby shows under the day separator `today`.
async function signUpAndListen(page, name, speaker, { connected, today }) {
  await page.click('#show-register');
  await page.fill('#reg-name', name);
  await page.fill('#reg-password', PASSWORD);
  await page.click('#register-button');
  await inPage(page, () => document.querySelector('#status').dataset.state === 'connected', null,
    `${name} to connect`);
  await inPage(page, () => document.querySelector('.room-item[data-room="lobby"]')
    ?.getAttribute('aria-current') === 'true', null, 'the lobby to be shown');
  const status = await page.textContent('#status');
  check(status === connected, `the status says ${connected} (${status})`);
  const text = `hello ${name}`;
  speaker.send({ type: 'send', id: `to-${name}`, room: 'lobby', text });
  await inPage(page, (t) => [...document.querySelectorAll('#messages li')].some((li) =>
    li.querySelector('.text')?.textContent === t), text, `"${text}" to show`);
  const day = await page.evaluate(() => document.querySelector('#messages li[data-day]')?.dataset.day);
  check(day === today, `the day separator says ${today} (${day})`);
}

// A message with a control character: the server refuses it with text_invalid.
async function sendRefused(page, note) {
  await page.fill('#text', 'a bell \u0007 rings');
  await page.press('#text', 'Enter');
  await inPage(page, (text) => document.querySelector('#messages li[data-state="failed"] .state')
    ?.textContent === text, note, `the failed message to say "${note}"`);
}

async function main() {
  const port = await server.start();
  origin = `http://127.0.0.1:${port}`;
  wsUrl = `ws://127.0.0.1:${port}/`;
  browser = await chromium.launch({
    executablePath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--lang=en-US',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    timeout: 30000,
  });
  const paul = await new ProtocolClient(wsUrl).open();
  await paul.register('paul', PASSWORD);

  await steps.run('an English browser gets the page in English, hidden parts included', async () => {
    const page = await openPage('en-US');
    const view = await page.evaluate(() => ({
      lang: document.documentElement.lang, languages: navigator.languages,
      login: document.querySelector('#login-button').textContent,
      placeholder: document.querySelector('#text').placeholder,
    }));
    check(view.languages[0] === 'en-US', `the browser says en-US (${view.languages})`);
    check(view.lang === 'en', `<html lang> is en (${view.lang})`);
    check(view.login === 'Log in' && view.placeholder.startsWith('Write a message'), JSON.stringify(view));
    await checkKeyed(page, false);
    await checkNoChinese(page, 'the login form');
    await checkLoginErrors(page, { wrongPassword: 'Wrong account name or password.',
      nameInvalid: 'The account name cannot be used. The server says: ',
      unknown: 'The server refused the request: ' });

    await signUpAndListen(page, 'emma', paul, { connected: 'Connected', today: 'Today' });
    await inPage(page, () => document.querySelector('#users li[data-name="paul"]'), null, 'the members');
    await sendRefused(page, 'Not sent: The text is empty, too long or has control characters. '
      + 'The server says: The message text contains a control character (U+0007).');
    await page.click('#browse');
    await inPage(page, () => document.querySelector('#public-rooms li[data-room="lobby"]'), null, 'the rooms');
    const listed = await page.textContent('#public-rooms li[data-room="lobby"]');
    check(/#lobby · 2 members/.test(listed) && /Open/.test(listed), `the room list in English (${listed})`);
    await checkNoChinese(page, 'a conversation, its members and the rooms dialog');
    check(/^Chat · languages$/.test(await page.title()), `the tab title (${await page.title()})`);
    // The longer English words still fit a phone: the room header wraps instead of squeezing.
    await page.click('#close-rooms');
    await page.setViewportSize({ width: 380, height: 700 });
    await page.click('.room-item[data-room="lobby"] .room-button');
    const phone = await page.evaluate(() => ({ width: document.documentElement.scrollWidth,
      title: document.querySelector('#room-title').getBoundingClientRect().width }));
    check(phone.width <= 380 && phone.title >= 40, `the page fits 380 px (${JSON.stringify(phone)})`);
    await page.context().close();
  });

  await steps.run('a Chinese browser gets the page in Chinese', async () => {
    const page = await openPage('zh-CN');
    const view = await page.evaluate(() => ({
      lang: document.documentElement.lang,
      login: document.querySelector('#login-button').textContent,
      placeholder: document.querySelector('#text').placeholder,
    }));
    check(view.lang === 'zh-CN', `<html lang> is zh-CN (${view.lang})`);
    check(view.login === '登录' && view.placeholder.startsWith('输入消息'), JSON.stringify(view));
    await checkKeyed(page, true);
    await checkLoginErrors(page, { wrongPassword: '账号名或密码错误。',
      nameInvalid: '账号名不可用。服务器说明：', unknown: '服务器拒绝了请求：' });

    await signUpAndListen(page, 'zoe', paul, { connected: '已连接', today: '今天' });
    await sendRefused(page, '未发送：内容为空、太长或含有控制字符。'
      + '服务器说明：The message text contains a control character (U+0007).');
    check(await page.title() === '聊天 · languages', `the tab title (${await page.title()})`);
    await page.context().close();
  });

  await steps.run('the first of the browser\'s languages that the page has decides; else English', async () => {
    for (const [languages, lang, login] of [[['fr-FR', 'zh-TW', 'en'], 'zh-CN', '登录'],
      [['en-GB', 'zh-CN'], 'en', 'Log in'], [['de-DE', 'fr'], 'en', 'Log in']]) {
      const page = await openPage('en-US', languages);
      const view = await page.evaluate(() => ({ lang: document.documentElement.lang,
        login: document.querySelector('#login-button').textContent }));
      check(view.lang === lang && view.login === login, `${languages}: ${JSON.stringify(view)}`);
      await page.context().close();
    }
  });

  await steps.run('the pages caused no script errors and no CSP violations', async () => {
    check(consoleProblems.length === 0, consoleProblems.join('\n'));
  });
  paul.close();
}

let failed = false;
try {
  await main();
} catch (error) {
  failed = true;
  console.error(`FAIL: ${error.stack || error}`);
  if (server.stderr) console.error(`chat-server stderr (tail):\n${server.stderr.slice(-3000)}`);
} finally {
  if (browser) await browser.close().catch(() => {});
  await server.stop().catch(() => {});
  rmSync(tempDir, { recursive: true, force: true });
  clearTimeout(watchdog);
}
console.log(`${steps.passed} passed, ${failed ? 1 : 0} failed`);
process.exit(failed ? 1 : 0);
