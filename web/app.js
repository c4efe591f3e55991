// The browser client: speaks docs/protocol.md (version 3: rooms, direct messages, unread counts,
// older history, typing) over a WebSocket to the server that served this page. It logs in over
// HTTP (POST /api/login, /api/register): the server keeps the token in an HttpOnly cookie this
// script cannot read, and the WebSocket upgrade carries it, so the hello names no credentials at
// all. Text from the network reaches the page only through textContent, never as markup.
'use strict';

(() => {
  const PROTOCOL_VERSION = 3;
  const MAX_TEXT_CHARS = 4000; // code points, as the server counts them
  const MAX_NAME_CHARS = 32; // a mention's name, as common/mentions.h reads it
  const BACKOFF_FIRST_MS = 1000;
  const BACKOFF_MAX_MS = 30000;
  const BACKOFF_JITTER = 0.2; // ±20 %
  const STABLE_AFTER_MS = 10000; // a connection up this long resets the backoff
  const OPEN_TIMEOUT_MS = 10000; // TCP + upgrade + welcome
  const PING_EVERY_MS = 25000;
  const PONG_TIMEOUT_MS = 10000;
  const RESEND_AFTER_MS = 2000; // a send refused as rate_limited or internal is tried again
  const TYPING_EVERY_MS = 3000; // at most one typing notice per room this often
  const TYPING_SHOWN_MS = 5000; // "X is typing…" stays this long after X's last notice
  const READ_EVERY_MS = 1000; // at most one read mark per room this often
  const PAGE_SIZE = 50; // messages per history request
  const MEMBERS_PAGE = 200; // members per members request
  const ROOMS_PAGE = 50; // public rooms per rooms request
  const LOAD_OLDER_PX = 40; // this close to the top, older messages are asked for
  const GROUP_MS = 5 * 60 * 1000; // one sender's messages this close together show one header
  const INPUT_MAX_LINES = 6; // the input grows to this many lines, then scrolls
  const MAX_UNREAD = 1000; // the server's cap: 1000 means "1000 or more"
  const DEFAULT_ROOM = 'lobby';
  const DIRECT_PREFIX = 'to:'; // the key of a direct room that does not exist yet
  const PHONE = window.matchMedia('(max-width: 640px)');
  // The cookie is missing, ended or expired, or the account is disabled: log in again.
  const LOGIN_AGAIN_CODES = new Set(['token_invalid', 'account_disabled', 'login_failed']);
  // Hello refusals that no retry can help.
  const FATAL_HELLO_CODES = new Set(['unsupported_version', 'bad_message', 'forbidden']);
  const RETRYABLE_SEND_CODES = new Set(['rate_limited', 'internal']);

  // The page's language, and the error codes it knows (i18n.js).
  const { t, describeError, knownErrorCodes } = window.ChatI18n;
  const $ = (id) => document.getElementById(id);
  const ui = {
    status: $('status'), retry: $('retry'), logout: $('logout'), me: $('me'), server: $('server'),
    layout: $('layout'), people: $('people'), roomList: $('room-list'), dmList: $('dm-list'),
    dmEmpty: $('dm-empty'), browse: $('browse'), create: $('create'), back: $('back'),
    roomTitle: $('room-title'), roomTopic: $('room-topic'), leave: $('leave'),
    showMembers: $('show-members'), hideMembers: $('hide-members'), moreMembers: $('more-members'),
    messageArea: $('message-area'), empty: $('empty'), typing: $('typing'),
    composer: $('composer'), text: $('text'), send: $('send'), note: $('composer-note'),
    users: $('users'), count: $('online-count'),
    roomsDialog: $('rooms-dialog'), closeRooms: $('close-rooms'), publicRooms: $('public-rooms'),
    publicEmpty: $('public-empty'), moreRooms: $('more-rooms'), createForm: $('create-form'),
    createName: $('create-name'), createTitle: $('create-title'), createTopic: $('create-topic'),
    createPrivate: $('create-private'), createButton: $('create-button'), roomsError: $('rooms-error'),
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
    lastSeq: null, // the newest seq seen in any room, null before the first welcome
    ws: null, // the current attempt or connection
    joined: false,
    stopped: true, // no reconnecting: not started, logged out, or refused
    attempt: 0, // failed attempts in a row, for the backoff
    timers: { open: 0, retry: 0, countdown: 0, stable: 0, ping: 0, pong: 0 },
    retryAt: 0,
    counter: 0, // for request ids
    outbox: [], // {id, key, room, to, text}: not acknowledged yet, in the order typed
    pending: new Map(), // id -> <li> of a message not acknowledged yet
    rooms: new Map(), // key (the room's name, or "to:NAME" for a direct room to come) -> room
    current: '', // the key of the room shown
    requests: new Map(), // id -> {kind, key, ...}: room requests waiting for their answer
    openWhenKnown: '', // a room created or joined here: shown once the server tells of it
    members: { key: '', list: [], next: '', online: 0 }, // the member list shown
    publicNext: '', // the rooms dialog's next page
    busy: false, // a login or sign-up request is on its way
  };

  // --- small helpers ------------------------------------------------------------------------

  // crypto.randomUUID() needs a secure context; getRandomValues() does not (plain http on a LAN).
  function newId() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  }

  function requestId(kind) {
    state.counter += 1;
    return `${kind}-${state.counter}`;
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

  function int(value) {
    return Number.isSafeInteger(value) ? value : 0;
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
    return browser ? t('device.browser', { browser }) : t('device.plain');
  }

  function setStatus(kind, text) {
    ui.status.dataset.state = kind;
    ui.status.textContent = text;
    ui.retry.hidden = kind !== 'waiting';
  }

  // "爱丽丝 alice" in one element: a display name beside the account name, or the name alone.
  function nameParts(name, display) {
    const parts = [];
    if (display && display !== name) parts.push(el('span', 'display', display));
    parts.push(el('span', 'from', name));
    return parts;
  }

  // Account names compare as the server's do, near enough: NFKC and case folded (the server's
  // look-alike rules only make more names equal, and it is the server that decides).
  function nameKey(name) {
    return name.normalize('NFKC').toLowerCase();
  }

  // The names a text mentions with "@name", as common/mentions.h reads them: an '@' at the start
  // or after white space or punctuation (not inside a word: bob@example.org), the name up to the
  // next white space or punctuation, at most MAX_NAME_CHARS code points.
  const NAME_END = /[\s,.:;!?()[\]{}<>"'，。：；！？（）、]/u;
  function mentionedNames(text) {
    const names = [];
    const chars = [...text];
    for (let i = 0; i < chars.length; i += 1) {
      if (chars[i] !== '@') continue;
      if (i > 0 && !NAME_END.test(chars[i - 1])) continue;
      let j = i + 1;
      while (j < chars.length && !NAME_END.test(chars[j])) j += 1;
      const name = chars.slice(i + 1, j).join('');
      if (name && j - i - 1 <= MAX_NAME_CHARS && !names.includes(name)) names.push(name);
      i = j - 1;
    }
    return names;
  }

  function mentionsMe(text) {
    if (!state.account) return false;
    const me = nameKey(state.account);
    return mentionedNames(text).some((name) => nameKey(name) === me);
  }

  function isPhone() {
    return PHONE.matches;
  }

  // --- rooms --------------------------------------------------------------------------------

  function newRoom(key) {
    const list = el('ol', 'messages');
    const room = {
      key,
      name: key, // what requests name it by; empty for a direct room that does not exist yet
      title: '', topic: '', isPrivate: false, direct: false, with: '', role: 'member',
      memberCount: 0, read: 0, unread: 0, mentions: 0, last: null,
      list, // its messages, shown when it is the current room
      confirmed: new Map(), // seq -> <li>
      highest: 0, // the highest seq in the list
      newest: 0, // the newest seq known of the room (the list's, or the welcome's `last`)
      loaded: false, // its newest page was asked for since the last (re)load
      loading: false, // a history request is on its way
      more: true, // older messages exist before the oldest shown
      draft: '',
      scrollTop: 0,
      atBottom: true,
      unseen: 0, // others' messages that came in below while scrolled up
      typing: new Map(), // account name -> {display, timer}
      typingSentAt: 0,
      readSentAt: 0, // when the last read mark went out
      readTimer: 0, // a read mark waiting for its turn
    };
    list.addEventListener('scroll', () => onListScroll(room));
    return room;
  }

  function roomLabel(room) {
    if (room.direct) return room.with || room.name;
    return room.title || room.name;
  }

  function isDirectKey(key) {
    return key.startsWith(DIRECT_PREFIX);
  }

  function applyRoomState(room, s) {
    room.name = str(s.name) || room.name;
    room.title = str(s.title);
    room.topic = str(s.topic);
    room.isPrivate = s.private === true;
    room.direct = s.direct === true;
    room.with = str(s.with);
    room.role = str(s.role) || 'member';
    room.memberCount = int(s.members);
    room.read = int(s.read);
    room.unread = int(s.unread);
    room.mentions = int(s.mentions);
    if (s.last && isMessage(s.last)) {
      room.last = s.last;
      room.newest = Math.max(room.newest, s.last.seq);
    }
  }

  function readRoomState(s) {
    return s && typeof s === 'object' && typeof s.name === 'string' && s.name.length > 0;
  }

  // The room the server told of (welcome or `room`): added, or its state replaced. A direct
  // room that was waiting for its first message here takes over that one's list and draft.
  function upsertRoom(s) {
    let room = state.rooms.get(s.name);
    if (!room && s.direct === true && typeof s.with === 'string') {
      const waiting = state.rooms.get(DIRECT_PREFIX + s.with) ||
        [...state.rooms.values()].find((r) => isDirectKey(r.key) && nameKey(r.with) === nameKey(s.with));
      if (waiting) {
        state.rooms.delete(waiting.key);
        const oldKey = waiting.key;
        waiting.key = s.name;
        waiting.loaded = false;
        waiting.more = true;
        state.rooms.set(s.name, waiting);
        for (const entry of state.outbox) if (entry.key === oldKey) entry.key = s.name;
        if (state.current === oldKey) state.current = s.name;
        room = waiting; // its members are asked for when it is shown again
      }
    }
    if (!room) {
      room = newRoom(s.name);
      state.rooms.set(s.name, room);
    }
    applyRoomState(room, s);
    return room;
  }

  function removeRoom(key, reshow = true) {
    const room = state.rooms.get(key);
    if (!room) return;
    for (const entry of [...state.outbox]) {
      if (entry.key === key) failPending(entry.id, t('message.leftRoom'));
    }
    for (const typing of room.typing.values()) clearTimeout(typing.timer);
    state.rooms.delete(key);
    if (state.current === key) {
      room.list.remove();
      state.current = '';
      if (reshow) showRoom(fallbackRoom());
    }
  }

  function fallbackRoom() {
    if (state.rooms.has(DEFAULT_ROOM)) return DEFAULT_ROOM;
    const first = sortedRooms(false)[0] || sortedRooms(true)[0];
    return first ? first.key : '';
  }

  function sortedRooms(direct) {
    return [...state.rooms.values()].filter((r) => r.direct === direct)
      .sort((a, b) => (b.newest - a.newest) || roomLabel(a).localeCompare(roomLabel(b)));
  }

  function sidebarItem(room) {
    const li = el('li', 'room-item');
    li.dataset.room = room.key;
    if (room.key === state.current) li.setAttribute('aria-current', 'true');
    if (room.unread > 0) li.classList.add('unread');
    const button = el('button', 'room-button');
    button.type = 'button';
    const label = el('span', 'room-name', roomLabel(room));
    if (!room.direct && room.isPrivate) label.classList.add('private');
    button.append(label);
    const preview = previewText(room);
    if (preview) button.append(el('span', 'preview', preview));
    if (room.mentions > 0) {
      const badge = el('span', 'mention-badge', `@${room.mentions}`);
      badge.title = t('badge.mentions', { n: room.mentions });
      button.append(badge);
    }
    if (room.unread > 0) {
      const badge = el('span', 'badge', room.unread >= MAX_UNREAD ? '999+' : String(room.unread));
      badge.title = t('badge.unread', { n: room.unread });
      button.append(badge);
    }
    button.addEventListener('click', () => showRoom(room.key, { user: true }));
    li.append(button);
    return li;
  }

  function previewText(room) {
    const m = room.last;
    if (!m) return '';
    if (m.event) return eventText(m);
    const who = m.from === state.account ? t('preview.me') : (str(m.display) || m.from);
    return t('preview.line', { who, text: window.ChatFormat.plainText(m.text) }).slice(0, 80);
  }

  function renderSidebar() {
    ui.roomList.replaceChildren(...sortedRooms(false).map(sidebarItem));
    const direct = sortedRooms(true);
    ui.dmList.replaceChildren(...direct.map(sidebarItem));
    ui.dmEmpty.hidden = direct.length > 0;
    const unread = [...state.rooms.values()].reduce((n, r) => n + Math.min(r.unread, MAX_UNREAD), 0);
    const base = ui.server.textContent ? t('app.titleWithServer', { server: ui.server.textContent })
      : t('app.title');
    document.title = unread > 0 ? `(${unread}) ${base}` : base;
  }

  // Shows the room `key`: its messages, draft, scroll position, members, and marks it read.
  // Called again for the room shown, it only brings the header, members and history up to date.
  function showRoom(key, options = {}) {
    const room = state.rooms.get(key) || null;
    const old = currentRoom();
    const switched = old !== room;
    if (old && switched) {
      old.draft = ui.text.value;
      old.scrollTop = old.list.scrollTop;
      old.atBottom = isNearBottom(old.list);
      old.list.removeAttribute('id');
      old.list.removeAttribute('aria-live');
    }
    if (options.user) ui.layout.dataset.view = 'chat';
    if (!room) {
      state.current = '';
      ui.messageArea.replaceChildren();
      ui.roomTitle.textContent = '';
      ui.roomTopic.textContent = '';
      ui.leave.hidden = true;
      window.chatNotify?.showLevel(null, false);
      ui.empty.hidden = true;
      state.members = { key: '', list: [], next: '', online: 0 };
      renderMembers();
      renderTyping();
      renderSidebar();
      return;
    }
    state.current = key;
    room.list.id = 'messages';
    room.list.setAttribute('aria-live', 'polite');
    // Taking the list out and back would lose its scroll position.
    if (ui.messageArea.firstElementChild !== room.list) {
      ui.messageArea.replaceChildren(room.list, newMessagesButton);
    }
    if (switched) {
      setText(room.draft);
      room.list.scrollTop = room.atBottom ? room.list.scrollHeight : room.scrollTop;
    } else {
      fitText(); // it may have been hidden (the phone's room list) when its text was set
    }
    try {
      localStorage.setItem('chat.room', key);
    } catch { /* storage may be off */ }
    renderHeader(room);
    afterInsert(room, false);
    renderNewMessages(room);
    renderTyping();
    if (!room.loaded && !isDirectKey(key)) loadHistory(room, true);
    if (state.members.key !== key) requestMembers(room);
    markRead(room);
    renderSidebar();
    if (options.user && !isPhone()) ui.text.focus();
  }

  function renderHeader(room) {
    window.chatNotify?.showLevel(room.key, room.direct);
    ui.roomTitle.textContent = room.direct ? t('room.direct', { name: roomLabel(room) })
      : roomLabel(room);
    const parts = [];
    if (!room.direct && room.title && room.title !== room.name) parts.push(`#${room.name}`);
    if (room.isPrivate && !room.direct) parts.push(t('room.private'));
    if (room.topic) parts.push(room.topic);
    ui.roomTopic.textContent = parts.join(' · ');
    ui.leave.hidden = room.direct || isDirectKey(room.key);
  }

  // --- messages -----------------------------------------------------------------------------

  function isNearBottom(list) {
    return list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  }

  function currentRoom() {
    return state.rooms.get(state.current) || null;
  }

  function afterInsert(room, stick) {
    decorate(room);
    if (room !== currentRoom()) return;
    ui.empty.hidden = room.list.childElementCount > 0 || room.loading;
    if (stick) room.list.scrollTop = room.list.scrollHeight;
  }

  // Dates and times in the page's language (i18n.js): zh-CN, or the browser's English.
  const shortTime = new Intl.DateTimeFormat(window.ChatI18n.locale, { hour: '2-digit', minute: '2-digit' });
  const fullTime = new Intl.DateTimeFormat(window.ChatI18n.locale, { dateStyle: 'full', timeStyle: 'medium' });
  const longDate = new Intl.DateTimeFormat(window.ChatI18n.locale, { dateStyle: 'long' });

  function formatTime(iso) {
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return { short: '', full: '' };
    return { short: shortTime.format(date), full: fullTime.format(date) };
  }

  // A change of the room as a line of text (the server's event messages).
  function eventText(m) {
    const who = str(m.display) || m.from;
    const target = str(m.target);
    switch (m.event) {
      case 'created': case 'joined': case 'left': case 'invited': case 'removed': case 'owner':
        return t(`event.${m.event}`, { who, target });
      case 'topic': case 'title':
        return m.text ? t(`event.${m.event}`, { who, text: m.text }) : t(`event.${m.event}Cleared`, { who });
      default: return t('event.other', { who, event: m.event });
    }
  }

  function messageItem(from, display, text, mine) {
    const li = el('li', mine ? 'msg mine' : 'msg');
    const meta = el('div', 'meta');
    meta.append(...nameParts(from, display), el('time', 'time'), el('span', 'state'));
    const body = el('div', 'text');
    body.append(...window.ChatFormat.render(text)); // elements and textContent only
    li.append(meta, body);
    return li;
  }

  function renderConfirmed(message) {
    let li;
    if (message.event) {
      li = el('li', 'msg system');
      li.append(el('div', 'text', eventText(message)));
      li.dataset.event = message.event;
    } else {
      const mine = message.from === state.account;
      li = messageItem(message.from, str(message.display), message.text, mine);
      if (!mine && mentionsMe(message.text)) li.classList.add('mention');
      const time = formatTime(message.time);
      const timeNode = li.querySelector('time');
      timeNode.textContent = time.short;
      timeNode.title = time.full;
      timeNode.dateTime = message.time;
    }
    li.dataset.seq = String(message.seq);
    li.dataset.id = message.id;
    li.dataset.state = 'acked';
    li.dataset.time = str(message.time);
    li.dataset.from = message.event ? '' : nameKey(message.from);
    return li;
  }

  // Confirmed messages in seq order, then the pending ones in the order they were typed.
  function insertConfirmed(room, li, seq) {
    let before = null;
    if (seq < room.highest) { // older than the newest shown: find the next higher seq
      let best = Infinity;
      for (const [otherSeq, other] of room.confirmed) {
        if (otherSeq > seq && otherSeq < best) {
          best = otherSeq;
          before = other;
        }
      }
    } else {
      room.highest = seq;
    }
    if (!before) before = room.list.querySelector('li[data-state="pending"], li[data-state="failed"]');
    room.list.insertBefore(li, before);
  }

  function roomFor(name) {
    let room = state.rooms.get(name);
    if (!room) { // a room the server has not described yet: it will
      room = newRoom(name);
      state.rooms.set(name, room);
    }
    return room;
  }

  function isOpen(room) {
    return room === currentRoom() && document.visibilityState === 'visible' &&
      !(isPhone() && ui.layout.dataset.view !== 'chat');
  }

  // A message of one of our rooms: live (`counted` false: it changes the unread counts) or from
  // a welcome's history (the welcome's counts include it).
  function onMessage(message, counted) {
    if (state.lastSeq === null || message.seq > state.lastSeq) state.lastSeq = message.seq;
    const room = roomFor(str(message.room) || DEFAULT_ROOM);
    const ours = message.from === state.account && message.id !== '' && acknowledge(message.id);
    if (room.confirmed.has(message.seq)) return; // a second acknowledgement, or a replay
    const stick = ours || isNearBottom(room.list);
    const li = renderConfirmed(message);
    room.confirmed.set(message.seq, li);
    insertConfirmed(room, li, message.seq);
    if (message.seq >= room.newest) {
      room.newest = message.seq;
      room.last = message;
    }
    stopTyping(room, message.from);
    if (!counted && !message.event) {
      // Desktop notifications (notify.js): before markRead, while "looking" still means it.
      window.chatNotify?.message({ key: room.key, direct: room.direct, title: roomLabel(room) }, {
        from: message.from, display: str(message.display), text: str(message.text),
        fromUs: message.from === state.account, mentionsUs: mentionsMe(message.text),
        looking: isOpen(room),
      });
    }
    if (!counted && !message.event && message.from !== state.account) {
      if (isOpen(room)) {
        markRead(room);
      } else {
        room.unread = Math.min(MAX_UNREAD, room.unread + 1);
        if (mentionsMe(message.text)) room.mentions = Math.min(MAX_UNREAD, room.mentions + 1);
      }
    }
    if (message.event && room.key === state.members.key &&
        ['joined', 'left', 'invited', 'removed', 'owner'].includes(message.event)) {
      requestMembers(room);
    }
    afterInsert(room, stick);
    if (!stick && !message.event && room === currentRoom()) {
      room.unseen += 1;
      renderNewMessages(room);
    }
    renderSidebar();
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

  function addPending(room, entry) {
    const li = messageItem(state.account, state.display, entry.text, true);
    li.dataset.id = entry.id;
    li.dataset.state = 'pending';
    li.dataset.time = entry.typed || new Date().toISOString();
    li.dataset.from = nameKey(state.account);
    const typed = formatTime(li.dataset.time);
    li.querySelector('time').textContent = typed.short;
    li.querySelector('time').title = typed.full;
    li.querySelector('.state').textContent = t('message.sending');
    state.pending.set(entry.id, li);
    room.list.append(li);
    afterInsert(room, true);
  }

  function failPending(id, reason) {
    const index = state.outbox.findIndex((entry) => entry.id === id);
    if (index >= 0) state.outbox.splice(index, 1);
    const li = state.pending.get(id);
    if (!li) return;
    state.pending.delete(id);
    li.dataset.state = 'failed';
    li.querySelector('.state').textContent = t('message.failed', { reason });
  }

  // Forgets a room's messages (a history that was replaced): it is loaded again when shown.
  function resetRoom(room) {
    for (const li of room.confirmed.values()) li.remove();
    room.confirmed.clear();
    room.highest = 0;
    room.loaded = false;
    room.loading = false;
    room.more = true;
    room.atBottom = true;
  }

  // --- days and groups ----------------------------------------------------------------------

  function localDayKey(date) {
    return `${date.getFullYear()}-${date.getMonth()}-${date.getDate()}`;
  }

  // 今天 / Today, 昨天 / Yesterday, then the date in the page's language.
  function dayLabel(date) {
    const today = new Date();
    const yesterday = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 1);
    if (localDayKey(date) === localDayKey(today)) return t('day.today');
    if (localDayKey(date) === localDayKey(yesterday)) return t('day.yesterday');
    return longDate.format(date);
  }

  // The same rules as the desktop's MessageDelegate: a separator where the local day changes; a
  // message of the sender of the one before, within GROUP_MS, shows no name and time of its own
  // (the full time stays on hover).
  function decorate(room) {
    let previous = null;
    for (const li of room.list.children) {
      const date = new Date(li.dataset.time || '');
      const valid = !Number.isNaN(date.getTime());
      const before = previous && new Date(previous.dataset.time || '');
      const newDay = valid && (!before || localDayKey(before) !== localDayKey(date));
      if (newDay) li.dataset.day = dayLabel(date);
      else delete li.dataset.day;
      const grouped = !newDay && valid && before && li.dataset.from && !li.dataset.event &&
        !previous.dataset.event && previous.dataset.from === li.dataset.from &&
        date - before >= 0 && date - before <= GROUP_MS;
      li.classList.toggle('grouped', Boolean(grouped));
      if (valid) li.title = formatTime(li.dataset.time).full;
      previous = li;
    }
  }

  // The "N new messages" button over the bottom of the conversation: jumps down.
  const newMessagesButton = el('button', 'new-messages');
  newMessagesButton.type = 'button';
  newMessagesButton.id = 'new-messages';
  newMessagesButton.hidden = true;
  newMessagesButton.addEventListener('click', () => {
    const room = currentRoom();
    if (!room) return;
    room.list.scrollTop = room.list.scrollHeight;
    room.unseen = 0;
    renderNewMessages(room);
    ui.text.focus();
  });

  function renderNewMessages(room) {
    newMessagesButton.hidden = room.unseen === 0;
    newMessagesButton.textContent = t('newMessages', { n: room.unseen });
  }

  // --- older messages -----------------------------------------------------------------------

  function oldestShown(room) {
    let oldest = 0;
    for (const seq of room.confirmed.keys()) if (oldest === 0 || seq < oldest) oldest = seq;
    return oldest;
  }

  // The newest page (`fresh`), or the page before the oldest message shown.
  function loadHistory(room, fresh) {
    if (!state.joined || room.loading || isDirectKey(room.key)) return;
    if (!fresh && !room.more) return;
    const before = fresh ? 0 : oldestShown(room);
    if (!fresh && before === 0) return;
    const id = requestId('history');
    if (!sendFrame({ type: 'history', id, room: room.name, before, limit: PAGE_SIZE })) return;
    state.requests.set(id, { kind: 'history', key: room.key, fresh });
    room.loading = true;
    room.loaded = true;
    room.list.dataset.loading = 'true';
  }

  function onListScroll(room) {
    if (room === currentRoom() && room.list.scrollTop < LOAD_OLDER_PX) loadHistory(room, false);
    if (room.unseen > 0 && isNearBottom(room.list)) {
      room.unseen = 0;
      if (room === currentRoom()) renderNewMessages(room);
    }
  }

  function onHistory(page, request) {
    const room = state.rooms.get(request.key);
    if (!room) return;
    room.loading = false;
    delete room.list.dataset.loading;
    const messages = Array.isArray(page.messages) ? page.messages.filter(isMessage) : [];
    // `more` tells of what is older than this page; a newest page that overlaps what is
    // already shown says nothing about what is older than that.
    const oldestBefore = oldestShown(room);
    const pageOldest = messages.length ? messages[0].seq : 0;
    if (!request.fresh || oldestBefore === 0 || (pageOldest !== 0 && pageOldest <= oldestBefore)) {
      room.more = page.more === true;
    }
    const list = room.list;
    const fromBottom = list.scrollHeight - list.scrollTop;
    const wasAtBottom = isNearBottom(list);
    for (const message of messages) {
      if (room.confirmed.has(message.seq)) continue;
      const li = renderConfirmed(message);
      room.confirmed.set(message.seq, li);
      insertConfirmed(room, li, message.seq);
      if (message.seq >= room.newest) {
        room.newest = message.seq;
        room.last = message;
      }
    }
    if (request.fresh || wasAtBottom) list.scrollTop = list.scrollHeight;
    else list.scrollTop = list.scrollHeight - fromBottom; // the same messages stay in view
    afterInsert(room, false);
    // Too few to scroll: the scroll event that asks for more would never come.
    if (room === currentRoom() && room.more && list.scrollHeight <= list.clientHeight + LOAD_OLDER_PX) {
      loadHistory(room, false);
    }
    markRead(room);
    renderSidebar();
  }

  // --- reading ------------------------------------------------------------------------------

  // The shown room is read up to its newest message while the page is visible. At most one read
  // mark a second goes out (the rest of a busy room's messages are marked by the next), so a
  // chatty room never spends the connection's rate limit.
  function markRead(room) {
    if (!room || !state.joined || isDirectKey(room.key) || !isOpen(room)) return;
    const seq = Math.max(room.newest, room.highest);
    if (seq <= 0 || (seq <= room.read && room.unread === 0 && room.mentions === 0)) return;
    room.unread = 0;
    room.mentions = 0;
    renderSidebar();
    const wait = room.readSentAt + READ_EVERY_MS - Date.now();
    if (wait > 0) {
      if (!room.readTimer) {
        room.readTimer = setTimeout(() => {
          room.readTimer = 0;
          markRead(room);
        }, wait);
      }
      return;
    }
    if (!sendFrame({ type: 'read', room: room.name, seq })) return;
    room.readSentAt = Date.now();
    room.read = Math.max(room.read, seq);
  }

  function onUnread(frame) {
    const room = state.rooms.get(str(frame.room));
    if (!room) return;
    room.read = int(frame.read);
    room.unread = int(frame.unread);
    room.mentions = int(frame.mentions);
    renderSidebar();
  }

  document.addEventListener('visibilitychange', () => markRead(currentRoom()));
  window.addEventListener('focus', () => markRead(currentRoom()));

  // --- typing -------------------------------------------------------------------------------

  function onTyping(frame) {
    const room = state.rooms.get(str(frame.room));
    const from = str(frame.from);
    if (!room || !from || from === state.account) return;
    const old = room.typing.get(from);
    if (old) clearTimeout(old.timer);
    const entry = { display: str(frame.display), timer: 0 };
    entry.timer = setTimeout(() => stopTyping(room, from), TYPING_SHOWN_MS);
    room.typing.set(from, entry);
    if (room === currentRoom()) renderTyping();
  }

  function stopTyping(room, from) {
    const entry = room.typing.get(from);
    if (!entry) return;
    clearTimeout(entry.timer);
    room.typing.delete(from);
    if (room === currentRoom()) renderTyping();
  }

  function renderTyping() {
    const room = currentRoom();
    const names = room ? [...room.typing.entries()].map(([name, typing]) => typing.display || name) : [];
    ui.typing.hidden = names.length === 0;
    ui.typing.textContent = names.length === 0 ? ''
      : names.length <= 3 ? t('typing.names', { names: names.join(t('typing.separator')), n: names.length })
        : t('typing.many', { n: names.length });
  }

  function onInput() {
    const room = currentRoom();
    if (!room || !state.joined || isDirectKey(room.key) || ui.text.value.trim() === '') return;
    const now = Date.now();
    if (now - room.typingSentAt < TYPING_EVERY_MS) return;
    if (sendFrame({ type: 'typing', room: room.name })) room.typingSentAt = now;
  }

  // --- members ------------------------------------------------------------------------------

  function requestMembers(room, after = '') {
    if (!after) {
      state.members = { key: room.key, list: [], next: '', online: 0 };
      if (isDirectKey(room.key)) { // no room yet: the two of us
        state.members.list = [
          { name: state.account, display: state.display, role: 'member', online: true },
          { name: room.with, display: '', role: 'member', online: false },
        ];
      }
      renderMembers();
    }
    if (!state.joined || isDirectKey(room.key)) return;
    const id = requestId('members');
    const frame = { type: 'members', id, room: room.name, limit: MEMBERS_PAGE };
    if (after) frame.after = after;
    if (sendFrame(frame)) state.requests.set(id, { kind: 'members', key: room.key, after });
  }

  function onMembers(answer, request) {
    if (request.key !== state.members.key) return; // another room is shown by now
    const list = Array.isArray(answer.members) ? answer.members : [];
    const members = list.filter((m) => m && typeof m.name === 'string').map((m) => ({
      name: m.name, display: str(m.display), role: str(m.role), online: m.online === true,
    }));
    if (!request.after) state.members.list = [];
    for (const member of members) {
      const known = state.members.list.findIndex((m) => m.name === member.name);
      if (known >= 0) state.members.list[known] = member;
      else state.members.list.push(member);
    }
    state.members.next = str(answer.next);
    state.members.online = int(answer.online);
    ui.people.classList.remove('stale');
    renderMembers();
  }

  // Members of the room shown who came online (or changed their display name) or went offline.
  function onPresence(presence) {
    const room = state.rooms.get(str(presence.room));
    if (!room || room.key !== state.members.key) return;
    const left = new Set(Array.isArray(presence.left)
      ? presence.left.filter((n) => typeof n === 'string') : []);
    for (const member of state.members.list) if (left.has(member.name)) member.online = false;
    const joined = Array.isArray(presence.joined) ? presence.joined : [];
    for (const user of joined) {
      if (!user || typeof user.name !== 'string') continue;
      const member = state.members.list.find((m) => m.name === user.name);
      if (member) {
        member.online = true;
        member.display = str(user.display);
      } else if (!state.members.next) { // a new member, or one past the pages shown
        state.members.list.push({ name: user.name, display: str(user.display), role: 'member',
          online: true });
      }
      if (user.name === state.account && str(user.display) !== state.display) {
        state.display = str(user.display);
        showMe();
      }
    }
    if (Number.isSafeInteger(presence.online)) state.members.online = presence.online;
    renderMembers();
  }

  function renderMembers() {
    const sorted = [...state.members.list].sort((a, b) => (Number(b.online) - Number(a.online)) ||
      a.name.localeCompare(b.name, undefined, { sensitivity: 'base' }));
    const items = sorted.map((member) => {
      const me = member.name === state.account;
      const li = el('li', me ? 'user me' : 'user');
      li.dataset.name = member.name;
      li.dataset.online = String(member.online);
      const who = el('span', 'who');
      who.append(...nameParts(member.name, member.display));
      if (me) who.append(el('span', 'you', t('member.me')));
      if (member.role === 'owner') who.append(el('span', 'role', t('member.owner')));
      li.append(who);
      if (!me) {
        const dm = el('button', 'link dm', t('member.message'));
        dm.type = 'button';
        dm.title = t('member.messageTitle', { name: member.name });
        dm.addEventListener('click', () => openDirect(member.name));
        li.append(dm);
      }
      return li;
    });
    ui.users.replaceChildren(...items);
    ui.count.textContent = String(state.members.online);
    ui.moreMembers.hidden = !state.members.next;
  }

  // A direct conversation with `name`: the existing direct room, or one that the first message
  // (sent with `to`) makes.
  function openDirect(name) {
    const key = nameKey(name);
    const existing = [...state.rooms.values()].find((r) => r.direct && nameKey(r.with) === key);
    if (existing) {
      showRoom(existing.key, { user: true });
    } else {
      const waitingKey = DIRECT_PREFIX + name;
      if (!state.rooms.has(waitingKey)) {
        const room = newRoom(waitingKey);
        room.name = '';
        room.direct = true;
        room.with = name;
        room.loaded = true;
        room.more = false;
        room.memberCount = 2;
        state.rooms.set(waitingKey, room);
      }
      showRoom(waitingKey, { user: true });
    }
    ui.layout.classList.remove('show-members');
  }

  // --- the rooms dialog ---------------------------------------------------------------------

  function openRoomsDialog(focusCreate) {
    ui.roomsDialog.hidden = false;
    ui.roomsError.textContent = '';
    ui.publicRooms.replaceChildren();
    ui.publicEmpty.hidden = true;
    state.publicNext = '';
    requestPublicRooms('');
    (focusCreate ? ui.createName : ui.closeRooms).focus();
  }

  function requestPublicRooms(after) {
    const id = requestId('rooms');
    const frame = { type: 'rooms', id, limit: ROOMS_PAGE };
    if (after) frame.after = after;
    if (sendFrame(frame)) state.requests.set(id, { kind: 'rooms', after });
    else ui.roomsError.textContent = t('rooms.notConnected');
  }

  function onRoomList(answer, request) {
    if (ui.roomsDialog.hidden) return;
    if (!request.after) ui.publicRooms.replaceChildren();
    const rooms = Array.isArray(answer.rooms) ? answer.rooms : [];
    for (const r of rooms) {
      if (!r || typeof r.name !== 'string') continue;
      const li = el('li', 'public-room');
      li.dataset.room = r.name;
      const text = el('div', 'public-text');
      const title = el('span', 'room-name', str(r.title) || r.name);
      text.append(title, el('span', 'room-id', `#${r.name} · ${t('rooms.memberCount', { n: int(r.members) })}`));
      if (str(r.topic)) text.append(el('span', 'room-topic', str(r.topic)));
      const joined = r.joined === true || state.rooms.has(r.name);
      const button = el('button', joined ? 'link open' : 'join', t(joined ? 'rooms.open' : 'rooms.join'));
      button.type = 'button';
      button.addEventListener('click', () => {
        if (state.rooms.has(r.name)) {
          closeRoomsDialog();
          showRoom(r.name, { user: true });
        } else {
          joinRoom(r.name);
        }
      });
      li.append(text, button);
      ui.publicRooms.append(li);
    }
    ui.publicEmpty.hidden = ui.publicRooms.childElementCount > 0;
    state.publicNext = str(answer.next);
    ui.moreRooms.hidden = !state.publicNext;
  }

  function closeRoomsDialog() {
    ui.roomsDialog.hidden = true;
  }

  function joinRoom(name) {
    const id = requestId('join');
    ui.roomsError.textContent = '';
    if (sendFrame({ type: 'join', id, room: name })) {
      state.requests.set(id, { kind: 'join', key: name });
      state.openWhenKnown = name;
    }
  }

  function createRoom() {
    const name = ui.createName.value.trim();
    if (!name) return;
    const id = requestId('create');
    const frame = { type: 'create_room', id, name };
    if (ui.createTitle.value.trim()) frame.title = ui.createTitle.value.trim();
    if (ui.createTopic.value.trim()) frame.topic = ui.createTopic.value.trim();
    if (ui.createPrivate.checked) frame.private = true;
    ui.roomsError.textContent = '';
    if (!sendFrame(frame)) {
      ui.roomsError.textContent = t('rooms.notConnected');
      return;
    }
    state.requests.set(id, { kind: 'create', key: name });
    state.openWhenKnown = name;
    ui.createButton.disabled = true;
  }

  function leaveRoom() {
    const room = currentRoom();
    if (!room || room.direct || isDirectKey(room.key)) return;
    if (!window.confirm(t('room.leaveConfirm', { room: roomLabel(room) }))) return;
    const id = requestId('leave');
    if (sendFrame({ type: 'leave', id, room: room.name })) {
      state.requests.set(id, { kind: 'leave', key: room.key });
    }
  }

  function onDone(done, request) {
    if (request.kind === 'create' || request.kind === 'join') {
      if (request.kind === 'create') {
        ui.createButton.disabled = false;
        ui.createForm.reset();
      }
      closeRoomsDialog();
      const name = str(done.room) || request.key;
      if (state.rooms.has(name)) {
        state.openWhenKnown = '';
        showRoom(name, { user: true });
      } else {
        state.openWhenKnown = name;
      }
    }
  }

  function onRoomUpdate(frame) {
    if (!readRoomState(frame.room)) return;
    const room = upsertRoom(frame.room);
    if (state.openWhenKnown === room.key) {
      state.openWhenKnown = '';
      showRoom(room.key, { user: true });
    } else if (room === currentRoom()) {
      showRoom(room.key); // its header; a direct room that became real gets members and history
    }
    renderSidebar();
  }

  function onRoomGone(frame) {
    const key = str(frame.room);
    const room = state.rooms.get(key);
    if (!room) return;
    if (frame.reason === 'removed') ui.note.textContent = t('room.removed', { room: roomLabel(room) });
    removeRoom(key);
    renderSidebar();
  }

  // --- the connection -----------------------------------------------------------------------

  function sendFrame(object) {
    if (!state.ws || state.ws.readyState !== WebSocket.OPEN || (!state.joined && object.type !== 'hello')) {
      return false;
    }
    state.ws.send(JSON.stringify(object));
    return true;
  }

  function sendChat(entry) {
    if (!state.joined) return;
    const frame = { type: 'send', id: entry.id, text: entry.text };
    const room = state.rooms.get(entry.key);
    if (room && room.name && !isDirectKey(room.key)) frame.room = room.name;
    else if (entry.to) frame.to = entry.to;
    else frame.room = entry.room;
    sendFrame(frame);
  }

  function connect() {
    for (const name of Object.keys(state.timers)) clearTimer(name);
    state.stopped = false;
    setStatus('connecting', t('status.connecting'));
    const ws = new WebSocket(socketUrl());
    state.ws = ws;
    state.joined = false;
    state.timers.open = setTimeout(() => dropped(ws, t('status.noAnswer')), OPEN_TIMEOUT_MS);
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
    ws.onclose = (event) => dropped(ws, event.reason || t('status.closed'));
    ws.onerror = () => { /* a close event follows */ };
  }

  // The connection (or the attempt) is gone; the next attempt follows the backoff.
  function dropped(ws, reason) {
    if (ws !== state.ws) return; // an old socket reporting late
    state.ws = null;
    state.joined = false;
    for (const name of ['open', 'stable', 'ping', 'pong']) clearTimer(name);
    ui.people.classList.add('stale'); // who was online, until the next welcome says again
    for (const room of state.rooms.values()) {
      room.loading = false;
      delete room.list.dataset.loading;
      for (const from of [...room.typing.keys()]) stopTyping(room, from);
    }
    state.requests.clear();
    ui.createButton.disabled = false;
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
      setStatus('waiting', t('status.waiting', { reason, n: seconds }));
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
    const request = typeof frame.ref === 'string' ? state.requests.get(frame.ref) : undefined;
    if (request && frame.type !== 'error') state.requests.delete(frame.ref);
    switch (frame.type) {
      case 'welcome': onWelcome(frame); break;
      case 'message': if (isMessage(frame)) onMessage(frame, false); break;
      case 'presence': onPresence(frame); break;
      case 'typing': onTyping(frame); break;
      case 'room': onRoomUpdate(frame); break;
      case 'room_gone': onRoomGone(frame); break;
      case 'unread': onUnread(frame); break;
      case 'history': if (request && request.kind === 'history') onHistory(frame, request); break;
      case 'members': if (request && request.kind === 'members') onMembers(frame, request); break;
      case 'rooms': if (request && request.kind === 'rooms') onRoomList(frame, request); break;
      case 'done': if (request) onDone(frame, request); break;
      case 'error': onError(frame); break;
      case 'pong': clearTimer('pong'); break;
      default: break; // a newer server's kind: ignored, as the protocol says
    }
  }

  function isMessage(m) {
    return !!m && Number.isSafeInteger(m.seq) && typeof m.id === 'string' &&
      typeof m.from === 'string' && typeof m.text === 'string' && typeof m.time === 'string';
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
    const sameHistory = state.lastSeq !== null && str(welcome.instance) === state.instance;
    state.instance = str(welcome.instance);
    if (!sameHistory) state.lastSeq = null;

    // The rooms as they are now: gone ones go, the others get their new state.
    const states = Array.isArray(welcome.rooms) ? welcome.rooms.filter(readRoomState) : [];
    const names = new Set(states.map((s) => s.name));
    for (const key of [...state.rooms.keys()]) {
      if (!names.has(key) && !isDirectKey(key)) removeRoom(key, false);
    }
    for (const s of states) {
      const room = upsertRoom(s);
      if (!sameHistory) resetRoom(room);
    }
    const reload = Array.isArray(welcome.reload) ? welcome.reload : [];
    for (const name of reload) {
      const room = state.rooms.get(name);
      if (room) resetRoom(room);
    }
    const history = Array.isArray(welcome.history) ? welcome.history.filter(isMessage) : [];
    // What was missed, after what each room shows: no gap (the welcome's counts include it).
    for (const message of history) onMessage(message, true);
    if (Number.isSafeInteger(welcome.seq) &&
        (state.lastSeq === null || welcome.seq > state.lastSeq)) state.lastSeq = welcome.seq;

    for (const li of state.pending.values()) {
      li.querySelector('.meta').replaceChildren(...nameParts(state.account, state.display),
        el('time', 'time'), el('span', 'state', t('message.sending')));
    }
    setStatus('connected', t('status.connected'));
    showMe();
    ui.auth.hidden = true;
    ui.logout.hidden = false;
    ui.text.disabled = false;
    ui.send.disabled = false;
    ui.server.textContent = str(welcome.server);

    let key = state.current;
    if (!state.rooms.has(key)) {
      let saved = '';
      try {
        saved = localStorage.getItem('chat.room') || '';
      } catch { /* storage may be off */ }
      key = state.rooms.has(saved) ? saved : fallbackRoom();
    }
    state.members.key = ''; // asked again: this connection's presence follows the request
    showRoom(key);
    renderSidebar();
    // Everything not acknowledged goes again, in order, with the same ids.
    for (const entry of state.outbox) sendChat(entry);
    state.timers.stable = setTimeout(() => { state.attempt = 0; }, STABLE_AFTER_MS);
    state.timers.ping = setInterval(() => ping(ws), PING_EVERY_MS);
  }

  function ping(ws) {
    if (ws !== state.ws || state.timers.pong) return;
    state.counter += 1;
    sendFrame({ type: 'ping', id: `p${state.counter}` });
    state.timers.pong = setTimeout(() => dropped(ws, t('status.stoppedAnswering')), PONG_TIMEOUT_MS);
  }

  function onError(error) {
    const code = typeof error.code === 'string' ? error.code : 'internal';
    const message = str(error.message);
    const ref = str(error.ref);
    // The cookie is missing, ended (logged out here or elsewhere) or expired: log in again.
    if (!ref && LOGIN_AGAIN_CODES.has(code)) {
      const wasJoined = state.joined;
      stop(t('status.notLoggedIn'));
      askLogin(wasJoined || code !== 'token_invalid' ? describeError(code, message) : '');
      return;
    }
    if (!state.joined && FATAL_HELLO_CODES.has(code)) {
      stop(describeError(code, message));
      return;
    }
    if (!state.joined) {
      // busy, too_many_attempts, internal: the server closes, the backoff tries again.
      ui.note.textContent = describeError(code, message);
      return;
    }
    const entry = state.outbox.find((e) => e.id === ref);
    if (entry) {
      if (RETRYABLE_SEND_CODES.has(code) || !knownErrorCodes.has(code)) {
        setTimeout(() => { if (state.outbox.includes(entry)) sendChat(entry); }, RESEND_AFTER_MS);
      } else {
        failPending(ref, describeError(code, message));
      }
      return;
    }
    if (!ref && code === 'rate_limited') {
      // A request refused for now: which one is not said, so whatever waits may be asked again.
      for (const [id, waiting] of [...state.requests]) {
        if (waiting.kind !== 'history') continue;
        state.requests.delete(id);
        const room = state.rooms.get(waiting.key);
        if (room) {
          room.loading = false;
          delete room.list.dataset.loading;
        }
      }
    }
    const request = state.requests.get(ref);
    if (request) {
      state.requests.delete(ref);
      if (request.kind === 'create' || request.kind === 'join' || request.kind === 'rooms') {
        if (request.kind === 'create') ui.createButton.disabled = false;
        if (state.openWhenKnown === request.key) state.openWhenKnown = '';
        ui.roomsError.textContent = describeError(code, message);
        if (!ui.roomsDialog.hidden) return;
      }
      if (request.kind === 'history') {
        const room = state.rooms.get(request.key);
        if (room) {
          room.loading = false;
          room.more = false;
          delete room.list.dataset.loading;
        }
      }
      // A room that went meanwhile (left, removed): its room_gone said so already.
      if ((request.kind === 'history' || request.kind === 'members') &&
          !state.rooms.has(request.key)) return;
    }
    ui.note.textContent = describeError(code, message);
  }

  // Everything of the account that was logged in: another one may log in next.
  function forgetAccount() {
    state.account = '';
    state.display = '';
    state.session = '';
    state.instance = '';
    state.lastSeq = null;
    state.outbox = [];
    state.pending.clear();
    for (const room of state.rooms.values()) {
      for (const typing of room.typing.values()) clearTimeout(typing.timer);
    }
    state.rooms.clear();
    state.current = '';
    state.requests.clear();
    state.openWhenKnown = '';
    state.members = { key: '', list: [], next: '', online: 0 };
    ui.messageArea.replaceChildren();
    setText('');
    renderMembers();
    renderSidebar();
    renderTyping();
    ui.roomTitle.textContent = '';
    ui.roomTopic.textContent = '';
    ui.empty.hidden = true;
    ui.me.hidden = true;
    ui.logout.hidden = true;
    try {
      localStorage.removeItem('chat.room');
    } catch { /* storage may be off */ }
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
      return { ok: false, code: 'network', message: t('error.network') };
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
        : describeError(result.code, result.message);
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
    stop(t('status.loggedOut'));
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

  // The input is as tall as its text, up to INPUT_MAX_LINES lines; past that it scrolls. A
  // hidden input (the phone's room list) has no height to measure: it is fitted when shown.
  function fitText() {
    const box = ui.text;
    if (!box.offsetParent) return;
    const style = getComputedStyle(box);
    const px = (name) => parseFloat(style[name]) || 0;
    const borders = px('borderTopWidth') + px('borderBottomWidth');
    const tallest = px('lineHeight') * INPUT_MAX_LINES + px('paddingTop') + px('paddingBottom') + borders;
    box.style.height = 'auto';
    const wanted = box.scrollHeight + borders; // border-box: the height counts the borders too
    box.style.height = `${Math.min(wanted, tallest)}px`;
    box.style.overflowY = wanted > tallest ? 'auto' : 'hidden';
  }

  function setText(text) {
    ui.text.value = text;
    fitText();
  }

  function submitText() {
    const room = currentRoom();
    const text = ui.text.value;
    if (!room || text.trim().length === 0) return;
    const length = [...text].length;
    if (length > MAX_TEXT_CHARS) {
      ui.note.textContent = t('message.tooLong', { length, max: MAX_TEXT_CHARS });
      return;
    }
    ui.note.textContent = '';
    const entry = { id: newId(), key: room.key, room: room.name, to: room.direct ? room.with : '', text,
      typed: new Date().toISOString() };
    state.outbox.push(entry);
    addPending(room, entry);
    sendChat(entry);
    setText('');
    room.draft = '';
    room.typingSentAt = 0; // the message ends the notice; the next words start a new one
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
  ui.text.addEventListener('input', () => {
    fitText();
    onInput();
  });
  window.addEventListener('resize', fitText); // the same text may take more or fewer lines
  ui.retry.addEventListener('click', retryNow);
  window.addEventListener('online', retryNow);

  // --- rooms, members and the phone layout --------------------------------------------------

  ui.browse.addEventListener('click', () => openRoomsDialog(false));
  ui.create.addEventListener('click', () => openRoomsDialog(true));
  ui.closeRooms.addEventListener('click', closeRoomsDialog);
  ui.roomsDialog.addEventListener('click', (event) => {
    if (event.target === ui.roomsDialog) closeRoomsDialog();
  });
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && !ui.roomsDialog.hidden) closeRoomsDialog();
  });
  ui.moreRooms.addEventListener('click', () => {
    if (state.publicNext) requestPublicRooms(state.publicNext);
  });
  ui.createForm.addEventListener('submit', (event) => {
    event.preventDefault();
    createRoom();
  });
  ui.moreMembers.addEventListener('click', () => {
    const room = state.rooms.get(state.members.key);
    if (room && state.members.next) requestMembers(room, state.members.next);
  });
  ui.leave.addEventListener('click', leaveRoom);
  ui.back.addEventListener('click', () => {
    const room = currentRoom();
    if (room) {
      room.draft = ui.text.value;
      room.scrollTop = room.list.scrollTop;
      room.atBottom = isNearBottom(room.list);
    }
    ui.layout.dataset.view = 'list';
    ui.layout.classList.remove('show-members');
  });
  ui.showMembers.addEventListener('click', () => ui.layout.classList.toggle('show-members'));
  ui.hideMembers.addEventListener('click', () => ui.layout.classList.remove('show-members'));

  window.chatNotify?.setup({
    enableButton: $('enable-notifications'), levelSelect: $('notify-level'),
    onOpen: (key) => { if (state.rooms.has(key)) showRoom(key, { user: true }); },
    currentAccount: () => state.account,
  });

  // The cookie may already be here (a reload): try the WebSocket first; a token_invalid
  // refusal brings up the login form.
  connect();
  renderSidebar();
})();
