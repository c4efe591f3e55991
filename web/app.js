// The browser client: speaks docs/protocol.md over a WebSocket to the server that served this
// page. Text from the network reaches the page only through textContent, never as markup.
'use strict';

(() => {
  const PROTOCOL_VERSION = 1;
  const MAX_TEXT_CHARS = 4000; // code points, as the server counts them
  const BACKOFF_FIRST_MS = 1000;
  const BACKOFF_MAX_MS = 30000;
  const BACKOFF_JITTER = 0.2; // ±20 %
  const STABLE_AFTER_MS = 10000; // a connection up this long resets the backoff
  const OPEN_TIMEOUT_MS = 10000; // TCP + upgrade + welcome
  const PING_EVERY_MS = 25000;
  const PONG_TIMEOUT_MS = 10000;
  const RESEND_AFTER_MS = 2000; // a send refused as rate_limited or internal is tried again
  // Hello refusals: the server closes; trying again with the same hello cannot help.
  const FATAL_HELLO_CODES = new Set(['nick_invalid', 'nick_taken', 'unsupported_version',
    'unauthorized']);
  const RETRYABLE_SEND_CODES = new Set(['rate_limited', 'internal']);

  const $ = (id) => document.getElementById(id);
  const ui = {
    status: $('status'), retry: $('retry'), changeNick: $('change-nick'), server: $('server'),
    people: document.querySelector('.people'),
    messages: $('messages'), empty: $('empty'), composer: $('composer'), text: $('text'),
    send: $('send'), note: $('composer-note'), users: $('users'), count: $('online-count'),
    join: $('join'), joinForm: $('join-form'), nick: $('nick'), tokenRow: $('token-row'),
    token: $('token'), joinError: $('join-error'),
  };

  const store = {
    get(key) { try { return localStorage.getItem(key) || ''; } catch { return ''; } },
    set(key, value) { try { localStorage.setItem(key, value); } catch { /* private mode */ } },
  };

  const state = {
    nick: store.get('chat.nick'), // what we ask for; the welcome says what we got
    token: '',
    joinedNick: '',
    session: '', // from the last welcome, to take our nick back after a drop
    instance: '', // the history lastSeq counts in
    lastSeq: null, // the newest seq seen, null before the first welcome
    ws: null, // the current attempt or connection
    joined: false,
    stopped: true, // no reconnecting: not started, or refused
    attempt: 0, // failed attempts in a row, for the backoff
    timers: { open: 0, retry: 0, countdown: 0, stable: 0, ping: 0, pong: 0 },
    retryAt: 0,
    pingCounter: 0,
    outbox: [], // {id, text}: not acknowledged yet, in the order typed
    confirmed: new Map(), // seq -> <li>
    highestShown: 0,
    pending: new Map(), // id -> <li>
    users: [],
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

  function sameNick(a, b) {
    return typeof a === 'string' && typeof b === 'string' && a.toLowerCase() === b.toLowerCase();
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

  function setStatus(kind, text) {
    ui.status.dataset.state = kind;
    ui.status.textContent = text;
    ui.retry.hidden = kind !== 'waiting';
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

  function messageItem(from, text, mine) {
    const li = el('li', mine ? 'msg mine' : 'msg');
    const meta = el('div', 'meta');
    meta.append(el('span', 'from', from), el('time', 'time'), el('span', 'state'));
    li.append(meta, el('div', 'text', text));
    return li;
  }

  function renderConfirmed(message) {
    const mine = sameNick(message.from, state.joinedNick);
    const li = messageItem(message.from, message.text, mine);
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
    const ours = sameNick(message.from, state.joinedNick) && acknowledge(message.id);
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
    const li = messageItem(state.joinedNick || state.nick, entry.text, true);
    li.dataset.id = entry.id;
    li.dataset.state = 'pending';
    li.querySelector('.state').textContent = 'sending…';
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
    li.querySelector('.state').textContent = `not sent: ${reason}`;
  }

  // --- people -------------------------------------------------------------------------------

  function renderUsers() {
    const sorted = [...state.users].sort((a, b) => a.localeCompare(b, undefined,
      { sensitivity: 'base' }));
    const items = sorted.map((nick) => {
      const li = el('li', sameNick(nick, state.joinedNick) ? 'user me' : 'user', nick);
      li.dataset.nick = nick;
      if (sameNick(nick, state.joinedNick)) li.append(el('span', 'you', ' (you)'));
      return li;
    });
    ui.users.replaceChildren(...items);
    ui.count.textContent = String(sorted.length);
  }

  // Who came and went since the last presence: left first, then joined (someone who came back
  // under another letter case is in both).
  function onPresence(presence) {
    const names = (list) => (Array.isArray(list) ? list.filter((n) => typeof n === 'string') : []);
    const left = new Set(names(presence.left).map((nick) => nick.toLowerCase()));
    state.users = state.users.filter((nick) => !left.has(nick.toLowerCase()));
    addUsers(names(presence.joined));
    renderUsers();
  }

  function addUsers(nicks) {
    const known = new Set(state.users.map((nick) => nick.toLowerCase()));
    for (const nick of nicks) {
      if (!known.has(nick.toLowerCase())) state.users.push(nick);
      known.add(nick.toLowerCase());
    }
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
    setStatus('connecting', 'Connecting…');
    const ws = new WebSocket(socketUrl());
    state.ws = ws;
    state.joined = false;
    state.timers.open = setTimeout(() => dropped(ws, 'the server did not answer in time'),
      OPEN_TIMEOUT_MS);
    ws.onopen = () => {
      const hello = { type: 'hello', version: PROTOCOL_VERSION, nick: state.nick };
      if (state.lastSeq !== null) {
        hello.lastSeq = state.lastSeq;
        hello.instance = state.instance;
      }
      if (state.session && sameNick(state.nick, state.joinedNick)) hello.session = state.session;
      if (state.token) hello.token = state.token;
      sendFrame(hello);
    };
    ws.onmessage = (event) => {
      if (ws === state.ws) onFrame(event.data);
    };
    ws.onclose = (event) => dropped(ws, event.reason || 'the connection closed');
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
      setStatus('waiting', `Offline (${reason}). Reconnecting in ${seconds} s…`);
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

  function onWelcome(welcome) {
    const ws = state.ws;
    clearTimer('open');
    state.joined = true;
    state.joinedNick = welcome.nick;
    state.nick = welcome.nick;
    store.set('chat.nick', welcome.nick);
    state.session = welcome.session;
    const history = Array.isArray(welcome.history) ? welcome.history.filter(isMessage) : [];
    if (welcome.resumed && welcome.instance === state.instance) {
      for (const message of history) showMessage(message);
    } else {
      state.instance = welcome.instance;
      state.lastSeq = null;
      replaceHistory(history);
    }
    if (Number.isSafeInteger(welcome.seq) &&
        (state.lastSeq === null || welcome.seq > state.lastSeq)) state.lastSeq = welcome.seq;
    // The list is as of the server's last presence, which may not have told of us yet.
    state.users = [];
    addUsers(Array.isArray(welcome.users) ? welcome.users.filter((n) => typeof n === 'string') : []);
    addUsers([state.joinedNick]);
    renderUsers();
    ui.people.classList.remove('stale');
    for (const li of state.pending.values()) li.querySelector('.from').textContent = state.joinedNick;
    setStatus('connected', `Connected as ${state.joinedNick}`);
    ui.changeNick.hidden = false;
    ui.server.textContent = typeof welcome.server === 'string' ? welcome.server : '';
    document.title = ui.server.textContent ? `Chat · ${ui.server.textContent}` : 'Chat';
    // Everything not acknowledged goes again, in order, with the same ids.
    for (const entry of state.outbox) sendChat(entry);
    state.timers.stable = setTimeout(() => { state.attempt = 0; }, STABLE_AFTER_MS);
    state.timers.ping = setInterval(() => ping(ws), PING_EVERY_MS);
  }

  function ping(ws) {
    if (ws !== state.ws || state.timers.pong) return;
    state.pingCounter += 1;
    sendFrame({ type: 'ping', id: `p${state.pingCounter}` });
    state.timers.pong = setTimeout(() => dropped(ws, 'the server stopped answering'),
      PONG_TIMEOUT_MS);
  }

  function onError(error) {
    const code = typeof error.code === 'string' ? error.code : 'internal';
    const text = typeof error.message === 'string' ? error.message : 'The server refused.';
    if (!state.joined && FATAL_HELLO_CODES.has(code)) {
      stop(text);
      askNick(text, code === 'unauthorized');
      return;
    }
    const ref = typeof error.ref === 'string' ? error.ref : '';
    const entry = state.outbox.find((e) => e.id === ref);
    if (entry) {
      if (RETRYABLE_SEND_CODES.has(code) || !knownCode(code)) {
        setTimeout(() => { if (state.outbox.includes(entry)) sendChat(entry); }, RESEND_AFTER_MS);
      } else {
        failPending(ref, text);
      }
      return;
    }
    ui.note.textContent = text;
  }

  function knownCode(code) {
    return ['bad_json', 'bad_message', 'unknown_type', 'unsupported_version', 'nick_invalid',
      'nick_taken', 'not_joined', 'already_joined', 'text_invalid', 'binary_frame', 'too_large',
      'rate_limited', 'unauthorized', 'internal'].includes(code);
  }

  // --- the forms ----------------------------------------------------------------------------

  function askNick(error, needToken) {
    ui.join.hidden = false;
    ui.nick.value = state.nick;
    ui.joinError.textContent = error || '';
    if (needToken) ui.tokenRow.hidden = false;
    ui.nick.focus();
    ui.nick.select();
  }

  function startChat(nick) {
    if (!sameNick(nick, state.joinedNick)) state.session = '';
    state.nick = nick;
    store.set('chat.nick', nick);
    ui.join.hidden = true;
    ui.text.disabled = false;
    ui.send.disabled = false;
    state.attempt = 0;
    connect();
    ui.text.focus();
  }

  ui.joinForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const nick = ui.nick.value.trim();
    if (nick.length === 0 || [...nick].length > 32) {
      ui.joinError.textContent = 'A nickname has 1 to 32 characters.';
      return;
    }
    state.token = ui.token.value;
    startChat(nick);
  });

  function submitText() {
    const text = ui.text.value;
    if (text.trim().length === 0) return;
    const length = [...text].length;
    if (length > MAX_TEXT_CHARS) {
      ui.note.textContent = `Too long: ${length} of at most ${MAX_TEXT_CHARS} characters.`;
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
  ui.changeNick.addEventListener('click', () => {
    stop('Not connected');
    askNick('', !ui.tokenRow.hidden);
  });
  window.addEventListener('online', retryNow);

  if (state.nick) startChat(state.nick);
  else askNick('', false);
  afterInsert(false);
})();
