// The browser client: speaks docs/protocol.md (version 2) over a WebSocket to the server that
// served this page. It logs in over HTTP (POST /api/login, /api/register): the server keeps the
// token in an HttpOnly cookie this script cannot read, and the WebSocket upgrade carries it, so
// the hello names no credentials at all. Text from the network reaches the page only through
// textContent, never as markup.
'use strict';

(() => {
  const PROTOCOL_VERSION = 2;
  const MAX_TEXT_CHARS = 4000; // code points, as the server counts them
  const BACKOFF_FIRST_MS = 1000;
  const BACKOFF_MAX_MS = 30000;
  const BACKOFF_JITTER = 0.2; // ±20 %
  const STABLE_AFTER_MS = 10000; // a connection up this long resets the backoff
  const OPEN_TIMEOUT_MS = 10000; // TCP + upgrade + welcome
  const PING_EVERY_MS = 25000;
  const PONG_TIMEOUT_MS = 10000;
  const RESEND_AFTER_MS = 2000; // a send refused as rate_limited or internal is tried again
  // The cookie is missing, ended or expired, or the account is disabled: log in again.
  const LOGIN_AGAIN_CODES = new Set(['token_invalid', 'account_disabled', 'login_failed']);
  // Hello refusals that no retry can help.
  const FATAL_HELLO_CODES = new Set(['unsupported_version', 'bad_message', 'forbidden']);
  const RETRYABLE_SEND_CODES = new Set(['rate_limited', 'internal']);
  const KNOWN_CODES = new Set(['bad_json', 'bad_message', 'unknown_type', 'unsupported_version',
    'not_joined', 'already_joined', 'text_invalid', 'binary_frame', 'too_large', 'rate_limited',
    'internal', 'login_failed', 'token_invalid', 'name_invalid', 'name_taken', 'password_invalid',
    'registration_closed', 'invite_invalid', 'too_many_attempts', 'busy', 'account_disabled',
    'display_invalid', 'forbidden']);
  // What the login and sign-up forms say for each refusal; the server's sentence follows.
  const ERROR_TEXT = {
    login_failed: '账号名或密码错误。',
    token_invalid: '登录已失效，请重新登录。',
    name_invalid: '账号名不符合规则。',
    name_taken: '这个账号名已被注册。',
    password_invalid: '密码不符合规则（8–256 个字符，不能含控制字符）。',
    registration_closed: '本服务器不开放注册。',
    invite_invalid: '邀请码无效、已用完或已过期。',
    too_many_attempts: '尝试次数过多，请稍后再试。',
    busy: '服务器正忙，请稍后再试。',
    account_disabled: '账号已被停用。',
    display_invalid: '显示名不符合规则。',
    forbidden: '请求被拒绝。',
    unsupported_version: '协议版本不兼容，请刷新页面。',
  };

  const $ = (id) => document.getElementById(id);
  const ui = {
    status: $('status'), retry: $('retry'), logout: $('logout'), me: $('me'), server: $('server'),
    people: document.querySelector('.people'),
    messages: $('messages'), empty: $('empty'), composer: $('composer'), text: $('text'),
    send: $('send'), note: $('composer-note'), users: $('users'), count: $('online-count'),
    auth: $('auth'), showLogin: $('show-login'), showRegister: $('show-register'),
    loginForm: $('login-form'), loginName: $('login-name'), loginPassword: $('login-password'),
    registerForm: $('register-form'), regName: $('reg-name'), regPassword: $('reg-password'),
    regInvite: $('reg-invite'), regDisplay: $('reg-display'), authError: $('auth-error'),
  };

  const state = {
    account: '', // from the welcome: the name as registered
    display: '',
    session: '', // from the last welcome, to replace our connection after a drop
    instance: '', // the history lastSeq counts in
    lastSeq: null, // the newest seq seen, null before the first welcome
    ws: null, // the current attempt or connection
    joined: false,
    stopped: true, // no reconnecting: not started, logged out, or refused
    attempt: 0, // failed attempts in a row, for the backoff
    timers: { open: 0, retry: 0, countdown: 0, stable: 0, ping: 0, pong: 0 },
    retryAt: 0,
    pingCounter: 0,
    outbox: [], // {id, text}: not acknowledged yet, in the order typed
    confirmed: new Map(), // seq -> <li>
    highestShown: 0,
    pending: new Map(), // id -> <li>
    users: [], // {name, display}
    busy: false, // a login or sign-up request is on its way
  };

  // --- small helpers ------------------------------------------------------------------------

  // crypto.randomUUID() needs a secure context; getRandomValues() does not (plain http on a LAN).
  function newId() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function str(value) {
    return typeof value === 'string' ? value : '';
  }

  function clearTimer(name) {
    clearTimeout(state.timers[name]);
    clearInterval(state.timers[name]);
    state.timers[name] = 0;
  }

  function socketUrl() {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    return `${scheme}//${location.host}/`;
  }

  // This browser's name in the account's device list.
  function deviceName() {
    const ua = navigator.userAgent;
    const browser = /Edg\//.test(ua) ? 'Edge' : /Firefox\//.test(ua) ? 'Firefox'
      : /Chrom(e|ium)\//.test(ua) ? 'Chromium' : /Safari\//.test(ua) ? 'Safari' : '';
    return browser ? `浏览器 · ${browser}` : '浏览器';
  }

  function setStatus(kind, text) {
    ui.status.dataset.state = kind;
    ui.status.textContent = text;
    ui.retry.hidden = kind !== 'waiting';
  }

  // "爱丽丝 (alice)" in one element: a display name beside the account name, or the name alone.
  function nameParts(name, display) {
    const parts = [];
    if (display && display !== name) parts.push(el('span', 'display', display));
    parts.push(el('span', 'from', name));
    return parts;
  }

  // --- messages -----------------------------------------------------------------------------

  function isNearBottom() {
    const list = ui.messages;
    return list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  }

  function afterInsert(stick) {
    ui.empty.hidden = ui.messages.childElementCount > 0;
    if (stick) ui.messages.scrollTop = ui.messages.scrollHeight;
  }

  function formatTime(iso) {
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return { short: '', full: '' };
    return {
      short: date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }),
      full: date.toLocaleString(),
    };
  }

  function messageItem(from, display, text, mine) {
    const li = el('li', mine ? 'msg mine' : 'msg');
    const meta = el('div', 'meta');
    meta.append(...nameParts(from, display), el('time', 'time'), el('span', 'state'));
    li.append(meta, el('div', 'text', text));
    return li;
  }

  function renderConfirmed(message) {
    const mine = message.from === state.account;
    const li = messageItem(message.from, str(message.display), message.text, mine);
    li.dataset.seq = String(message.seq);
    li.dataset.id = message.id;
    li.dataset.state = 'acked';
    const time = formatTime(message.time);
    const timeNode = li.querySelector('time');
    timeNode.textContent = time.short;
    timeNode.title = time.full;
    timeNode.dateTime = message.time;
    if (message.room && message.room !== 'lobby') {
      li.querySelector('.meta').append(el('span', 'room', `#${message.room}`));
    }
    return li;
  }

  // Confirmed messages in seq order, then the pending ones in the order they were typed.
  function insertConfirmed(li, seq) {
    let before = null;
    if (seq < state.highestShown) { // rare: a gap filled late; find the next higher seq
      for (const [otherSeq, other] of state.confirmed) {
        if (otherSeq > seq && (!before || otherSeq < Number(before.dataset.seq))) before = other;
      }
    } else {
      state.highestShown = seq;
    }
    if (!before) before = ui.messages.querySelector('li[data-state="pending"], li[data-state="failed"]');
    ui.messages.insertBefore(li, before);
  }

  function showMessage(message) {
    if (state.lastSeq === null || message.seq > state.lastSeq) state.lastSeq = message.seq;
    const ours = message.from === state.account && acknowledge(message.id);
    if (state.confirmed.has(message.seq)) return; // a second acknowledgement, or a replay
    const stick = ours || isNearBottom();
    const li = renderConfirmed(message);
    state.confirmed.set(message.seq, li);
    insertConfirmed(li, message.seq);
    afterInsert(stick);
  }

  // The server's copy of our own message arrived: it leaves the outbox.
  function acknowledge(id) {
    const index = state.outbox.findIndex((entry) => entry.id === id);
    if (index < 0) return false;
    state.outbox.splice(index, 1);
    const li = state.pending.get(id);
    state.pending.delete(id);
    if (li) li.remove();
    return true;
  }

  function replaceHistory(messages) {
    for (const li of state.confirmed.values()) li.remove();
    state.confirmed.clear();
    state.highestShown = 0;
    for (const message of messages) showMessage(message);
    afterInsert(true);
  }

  function addPending(entry) {
    const li = messageItem(state.account, state.display, entry.text, true);
    li.dataset.id = entry.id;
    li.dataset.state = 'pending';
    li.querySelector('.state').textContent = '发送中…';
    state.pending.set(entry.id, li);
    ui.messages.append(li);
    afterInsert(true);
  }

  function failPending(id, reason) {
    const index = state.outbox.findIndex((entry) => entry.id === id);
    if (index >= 0) state.outbox.splice(index, 1);
    const li = state.pending.get(id);
    if (!li) return;
    state.pending.delete(id);
    li.dataset.state = 'failed';
    li.querySelector('.state').textContent = `未发送：${reason}`;
  }

  // Everything of the account that was logged in: another one may log in next.
  function forgetAccount() {
    state.account = '';
    state.display = '';
    state.session = '';
    state.instance = '';
    state.lastSeq = null;
    state.outbox = [];
    for (const li of state.pending.values()) li.remove();
    state.pending.clear();
    replaceHistory([]);
    state.users = [];
    renderUsers();
    ui.me.hidden = true;
    ui.logout.hidden = true;
  }

  // --- people -------------------------------------------------------------------------------

  function renderUsers() {
    const sorted = [...state.users].sort((a, b) => a.name.localeCompare(b.name, undefined,
      { sensitivity: 'base' }));
    const items = sorted.map((user) => {
      const me = user.name === state.account;
      const li = el('li', me ? 'user me' : 'user');
      li.dataset.name = user.name;
      li.append(...nameParts(user.name, user.display));
      if (me) li.append(el('span', 'you', '（我）'));
      return li;
    });
    ui.users.replaceChildren(...items);
    ui.count.textContent = String(sorted.length);
  }

  function readUsers(list) {
    if (!Array.isArray(list)) return [];
    return list.filter((u) => u && typeof u.name === 'string')
      .map((u) => ({ name: u.name, display: str(u.display) }));
  }

  // Adds accounts, or updates the display name of one already listed.
  function addUsers(users) {
    for (const user of users) {
      const known = state.users.find((u) => u.name === user.name);
      if (known) known.display = user.display;
      else state.users.push(user);
    }
  }

  // Who came and went since the last presence: left first, then joined (an account whose
  // display name changed comes in `joined` again).
  function onPresence(presence) {
    const left = new Set(Array.isArray(presence.left)
      ? presence.left.filter((n) => typeof n === 'string') : []);
    state.users = state.users.filter((u) => !left.has(u.name));
    addUsers(readUsers(presence.joined));
    const me = state.users.find((u) => u.name === state.account);
    if (me && me.display !== state.display) {
      state.display = me.display;
      showMe();
    }
    renderUsers();
  }

  // --- the connection -----------------------------------------------------------------------

  function sendFrame(object) {
    if (!state.ws || state.ws.readyState !== WebSocket.OPEN) return false;
    state.ws.send(JSON.stringify(object));
    return true;
  }

  function sendChat(entry) {
    if (state.joined) sendFrame({ type: 'send', id: entry.id, text: entry.text });
  }

  function connect() {
    for (const name of Object.keys(state.timers)) clearTimer(name);
    state.stopped = false;
    setStatus('connecting', '连接中…');
    const ws = new WebSocket(socketUrl());
    state.ws = ws;
    state.joined = false;
    state.timers.open = setTimeout(() => dropped(ws, '服务器没有及时回应'), OPEN_TIMEOUT_MS);
    ws.onopen = () => {
      // No token, login or register: the upgrade carried the chat_token cookie.
      const hello = { type: 'hello', version: PROTOCOL_VERSION, device: deviceName() };
      if (state.lastSeq !== null) {
        hello.lastSeq = state.lastSeq;
        hello.instance = state.instance;
      }
      if (state.session) hello.session = state.session;
      sendFrame(hello);
    };
    ws.onmessage = (event) => {
      if (ws === state.ws) onFrame(event.data);
    };
    ws.onclose = (event) => dropped(ws, event.reason || '连接已断开');
    ws.onerror = () => { /* a close event follows */ };
  }

  // The connection (or the attempt) is gone; the next attempt follows the backoff.
  function dropped(ws, reason) {
    if (ws !== state.ws) return; // an old socket reporting late
    state.ws = null;
    state.joined = false;
    for (const name of ['open', 'stable', 'ping', 'pong']) clearTimer(name);
    ui.people.classList.add('stale'); // who was online, until the next welcome says again
    ws.onopen = ws.onmessage = ws.onclose = null;
    if (ws.readyState === WebSocket.CONNECTING || ws.readyState === WebSocket.OPEN) ws.close();
    if (state.stopped) return;
    scheduleRetry(reason);
  }

  function backoffDelay(attempt) {
    const base = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** Math.min(attempt, 16));
    return Math.round(base * (1 + BACKOFF_JITTER * (2 * Math.random() - 1)));
  }

  function scheduleRetry(reason) {
    const delay = backoffDelay(state.attempt);
    state.attempt += 1;
    state.retryAt = Date.now() + delay;
    ui.status.dataset.delayMs = String(delay);
    const tick = () => {
      const seconds = Math.max(1, Math.ceil((state.retryAt - Date.now()) / 1000));
      setStatus('waiting', `离线（${reason}），${seconds} 秒后重连…`);
    };
    tick();
    state.timers.countdown = setInterval(tick, 1000);
    state.timers.retry = setTimeout(connect, delay);
  }

  function retryNow() {
    if (!state.stopped && !state.ws) {
      state.attempt = 0;
      connect();
    }
  }

  function stop(reason) {
    state.stopped = true;
    const ws = state.ws;
    if (ws) dropped(ws, reason);
    for (const name of Object.keys(state.timers)) clearTimer(name);
    setStatus('offline', reason);
  }

  function onFrame(data) {
    let frame;
    try {
      frame = JSON.parse(data);
    } catch {
      return; // not ours to judge; the server only sends JSON
    }
    if (!frame || typeof frame !== 'object') return;
    switch (frame.type) {
      case 'welcome': onWelcome(frame); break;
      case 'message': if (isMessage(frame)) showMessage(frame); break;
      case 'presence': onPresence(frame); break;
      case 'error': onError(frame); break;
      case 'pong': clearTimer('pong'); break;
      default: break; // a newer server's kind: ignored, as the protocol says
    }
  }

  function isMessage(m) {
    return Number.isSafeInteger(m.seq) && typeof m.id === 'string' && typeof m.from === 'string' &&
      typeof m.text === 'string' && typeof m.time === 'string';
  }

  function showMe() {
    ui.me.replaceChildren(...nameParts(state.account, state.display));
    ui.me.hidden = false;
  }

  function onWelcome(welcome) {
    const ws = state.ws;
    clearTimer('open');
    const account = str(welcome.account);
    if (state.account && account !== state.account) forgetAccount(); // not who was here before
    state.joined = true;
    state.account = account;
    state.display = str(welcome.display);
    state.session = str(welcome.session);
    const history = Array.isArray(welcome.history) ? welcome.history.filter(isMessage) : [];
    if (welcome.resumed && welcome.instance === state.instance) {
      for (const message of history) showMessage(message);
    } else {
      state.instance = str(welcome.instance);
      state.lastSeq = null;
      replaceHistory(history);
    }
    if (Number.isSafeInteger(welcome.seq) &&
        (state.lastSeq === null || welcome.seq > state.lastSeq)) state.lastSeq = welcome.seq;
    // The list is as of the server's last presence, which may not have told of us yet.
    state.users = [];
    addUsers(readUsers(welcome.users));
    if (!state.users.some((u) => u.name === state.account)) {
      addUsers([{ name: state.account, display: state.display }]);
    }
    renderUsers();
    ui.people.classList.remove('stale');
    for (const li of state.pending.values()) {
      li.querySelector('.meta').replaceChildren(...nameParts(state.account, state.display),
        el('time', 'time'), el('span', 'state', '发送中…'));
    }
    setStatus('connected', '已连接');
    showMe();
    ui.auth.hidden = true;
    ui.logout.hidden = false;
    ui.text.disabled = false;
    ui.send.disabled = false;
    ui.server.textContent = str(welcome.server);
    document.title = ui.server.textContent ? `聊天 · ${ui.server.textContent}` : '聊天';
    // Everything not acknowledged goes again, in order, with the same ids.
    for (const entry of state.outbox) sendChat(entry);
    state.timers.stable = setTimeout(() => { state.attempt = 0; }, STABLE_AFTER_MS);
    state.timers.ping = setInterval(() => ping(ws), PING_EVERY_MS);
  }

  function ping(ws) {
    if (ws !== state.ws || state.timers.pong) return;
    state.pingCounter += 1;
    sendFrame({ type: 'ping', id: `p${state.pingCounter}` });
    state.timers.pong = setTimeout(() => dropped(ws, '服务器不再回应'), PONG_TIMEOUT_MS);
  }

  function describe(code, message) {
    const text = ERROR_TEXT[code];
    if (text && message) return `${text}（${message}）`;
    return text || message || '服务器拒绝了请求。';
  }

  function onError(error) {
    const code = typeof error.code === 'string' ? error.code : 'internal';
    const message = str(error.message);
    const ref = str(error.ref);
    // The cookie is missing, ended (logged out here or elsewhere) or expired: log in again.
    if (!ref && LOGIN_AGAIN_CODES.has(code)) {
      const wasJoined = state.joined;
      stop('未登录');
      askLogin(wasJoined || code !== 'token_invalid' ? describe(code, message) : '');
      return;
    }
    if (!state.joined && FATAL_HELLO_CODES.has(code)) {
      stop(describe(code, message));
      return;
    }
    if (!state.joined) {
      // busy, too_many_attempts, internal: the server closes, the backoff tries again.
      ui.note.textContent = describe(code, message);
      return;
    }
    const entry = state.outbox.find((e) => e.id === ref);
    if (entry) {
      if (RETRYABLE_SEND_CODES.has(code) || !KNOWN_CODES.has(code)) {
        setTimeout(() => { if (state.outbox.includes(entry)) sendChat(entry); }, RESEND_AFTER_MS);
      } else {
        failPending(ref, message || describe(code, ''));
      }
      return;
    }
    ui.note.textContent = describe(code, message);
  }

  // --- logging in ---------------------------------------------------------------------------

  function showTab(register) {
    ui.loginForm.hidden = register;
    ui.registerForm.hidden = !register;
    ui.showLogin.setAttribute('aria-selected', String(!register));
    ui.showRegister.setAttribute('aria-selected', String(register));
    ui.authError.textContent = '';
    (register ? ui.regName : ui.loginName).focus();
  }

  function askLogin(error) {
    ui.auth.hidden = false;
    ui.text.disabled = true;
    ui.send.disabled = true;
    ui.logout.hidden = true;
    showTab(false);
    ui.authError.textContent = error || '';
  }

  // POSTs JSON to /api/...; resolves with {ok, code, message}. Same origin: the answer's
  // Set-Cookie is kept by the browser, out of this script's reach.
  async function post(path, body) {
    let response;
    try {
      response = await fetch(path, {
        method: 'POST',
        credentials: 'same-origin',
        cache: 'no-store',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    } catch {
      return { ok: false, code: 'network', message: '无法连接服务器。' };
    }
    let answer = {};
    try {
      answer = await response.json();
    } catch { /* an empty or non-JSON body */ }
    if (response.ok) return { ok: true, account: str(answer && answer.account) };
    return { ok: false, code: str(answer && answer.code), message: str(answer && answer.message) };
  }

  async function submitAuth(register) {
    if (state.busy) return;
    const body = register
      ? { name: ui.regName.value, password: ui.regPassword.value, device: deviceName() }
      : { name: ui.loginName.value, password: ui.loginPassword.value, device: deviceName() };
    if (register) {
      if (ui.regInvite.value.trim()) body.invite = ui.regInvite.value.trim();
      if (ui.regDisplay.value.trim()) body.display = ui.regDisplay.value;
    }
    state.busy = true;
    ui.authError.textContent = '';
    for (const button of [$('login-button'), $('register-button')]) button.disabled = true;
    const result = await post(register ? '/api/register' : '/api/login', body);
    state.busy = false;
    for (const button of [$('login-button'), $('register-button')]) button.disabled = false;
    if (!result.ok) {
      ui.authError.textContent = result.code === 'network' ? result.message
        : describe(result.code, result.message);
      return;
    }
    ui.loginPassword.value = '';
    ui.regPassword.value = '';
    if (state.account && result.account !== state.account) forgetAccount();
    ui.auth.hidden = true;
    ui.note.textContent = '';
    state.attempt = 0;
    state.session = '';
    connect();
    ui.text.focus();
  }

  async function logout() {
    stop('已退出登录');
    forgetAccount();
    await post('/api/logout', {});
    askLogin('');
  }

  ui.loginForm.addEventListener('submit', (event) => {
    event.preventDefault();
    submitAuth(false);
  });
  ui.registerForm.addEventListener('submit', (event) => {
    event.preventDefault();
    submitAuth(true);
  });
  ui.showLogin.addEventListener('click', () => showTab(false));
  ui.showRegister.addEventListener('click', () => showTab(true));
  ui.logout.addEventListener('click', logout);

  // --- writing ------------------------------------------------------------------------------

  function submitText() {
    const text = ui.text.value;
    if (text.trim().length === 0) return;
    const length = [...text].length;
    if (length > MAX_TEXT_CHARS) {
      ui.note.textContent = `太长了：${length} 个字符，最多 ${MAX_TEXT_CHARS} 个。`;
      return;
    }
    ui.note.textContent = '';
    const entry = { id: newId(), text };
    state.outbox.push(entry);
    addPending(entry);
    sendChat(entry);
    ui.text.value = '';
  }

  ui.composer.addEventListener('submit', (event) => {
    event.preventDefault();
    submitText();
  });
  ui.text.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submitText();
    }
  });
  ui.retry.addEventListener('click', retryNow);
  window.addEventListener('online', retryNow);

  // The cookie may already be here (a reload): try the WebSocket first; a token_invalid
  // refusal brings up the login form.
  connect();
  afterInsert(false);
})();
