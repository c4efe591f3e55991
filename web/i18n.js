// The page's two languages, as the desktop client's (translations/): Simplified Chinese and
// English. The browser's preferred languages decide: the first that is Chinese (any zh*) or
// English wins, and English when none is. Every user-visible string of the page comes from TEXT:
// index.html names its keys in data-i18n (text), data-i18n-placeholder, data-i18n-title and
// data-i18n-aria-label; the scripts call t(). Server error codes become sentences here, followed
// by the server's own (English) words where they say what exactly was wrong, and those words
// after a plain "refused" for codes this page does not know. Loaded before app.js and notify.js;
// it only sets text, never markup.
'use strict';

window.ChatI18n = (() => {
  const NOT_UNDERSTOOD = { zh: '服务器无法理解这个请求。', en: 'The server could not understand the request.' };
  const NOT_EXPECTED = { zh: '服务器没有预料到这个请求。', en: 'The server did not expect this request.' };

  // The server's error codes (common/errorcode.cpp) -> {zh, en}: the desktop's sentences
  // (client/errortext.cpp) in both languages. The codes this page knows are exactly these.
  const ERROR_TEXT = {
    bad_json: NOT_UNDERSTOOD,
    bad_message: NOT_UNDERSTOOD,
    unknown_type: NOT_UNDERSTOOD,
    binary_frame: NOT_UNDERSTOOD,
    not_joined: NOT_EXPECTED,
    already_joined: NOT_EXPECTED,
    unsupported_version: { zh: '服务器使用另一版本的聊天协议，请刷新页面。',
      en: 'The server speaks another version of the chat protocol; reload the page.' },
    nick_invalid: { zh: '昵称不可用。', en: 'The nickname cannot be used.' },
    nick_taken: { zh: '昵称已被占用。', en: 'The nickname is taken.' },
    text_invalid: { zh: '内容为空、太长或含有控制字符。',
      en: 'The text is empty, too long or has control characters.' },
    too_large: { zh: '消息太大。', en: 'The message is too large.' },
    rate_limited: { zh: '发送得太快了，请慢一点。', en: 'Too much sent too fast; slow down.' },
    unauthorized: { zh: '此服务器不允许这样做。', en: 'This server does not allow that.' },
    internal: { zh: '服务器出现问题，请再试一次。', en: 'The server had a problem; try again.' },
    login_failed: { zh: '账号名或密码错误。', en: 'Wrong account name or password.' },
    token_invalid: { zh: '登录已结束或已过期，请用密码重新登录。',
      en: 'This login has ended or expired; log in with your password again.' },
    name_invalid: { zh: '账号名不可用。', en: 'The account name cannot be used.' },
    name_taken: { zh: '账号名已被占用（或与已有的账号名看起来相同）。',
      en: 'The account name is taken (or looks the same as one that is).' },
    password_invalid: { zh: '密码太短或太长。', en: 'The password is too short or too long.' },
    registration_closed: { zh: '此服务器不开放注册：账号由管理员创建。',
      en: 'Registration is closed on this server: an administrator creates the accounts.' },
    invite_invalid: { zh: '邀请码缺失、无效、已用完或已过期。',
      en: 'The invite code is missing, unknown, used up or expired.' },
    too_many_attempts: { zh: '尝试次数过多，请稍后再试。', en: 'Too many attempts; try again later.' },
    busy: { zh: '服务器正忙，请稍后再试。', en: 'The server is busy; try again in a moment.' },
    account_disabled: { zh: '此账号已被停用。', en: 'This account is disabled.' },
    display_invalid: { zh: '显示名不可用。', en: 'The display name cannot be used.' },
    forbidden: { zh: '不允许这样做。', en: 'That is not allowed.' },
    room_not_found: { zh: '没有这个房间，或你不在其中。',
      en: 'There is no such room, or you are not in it.' },
    not_member: { zh: '请先加入这个房间。', en: 'Join the room first.' },
    not_owner: { zh: '只有房主可以这样做。', en: 'Only the room\'s owner may do that.' },
    room_exists: { zh: '已有同名的房间。', en: 'A room with this name exists.' },
    invite_only: { zh: '这是私密房间：需要成员邀请你。',
      en: 'The room is private: a member must invite you.' },
    user_not_found: { zh: '没有这个账号，或对方不在这个房间里。',
      en: 'There is no such account, or it is not in this room.' },
    not_allowed: { zh: '这个房间里不能这样做。', en: 'That is not possible in this room.' },
    too_many_rooms: { zh: '已达到此服务器允许的房间数上限。',
      en: 'The limit of rooms this server allows is reached.' },
    title_invalid: { zh: '标题或话题太长或含有控制字符。',
      en: 'The title or topic is too long or has control characters.' },
  };

  // Codes whose sentence is general while the server's words say exactly what was wrong (which
  // field, limit, character or name): those words follow the sentence, as the desktop's
  // detailHelps() (client/errortext.cpp) has it.
  const DETAIL_HELPS = new Set(['bad_json', 'bad_message', 'unknown_type', 'text_invalid',
    'too_large', 'name_invalid', 'name_taken', 'password_invalid', 'invite_invalid',
    'display_invalid', 'title_invalid', 'forbidden', 'user_not_found', 'not_allowed',
    'too_many_rooms']);

  // key -> {zh, en}; a value with {one, other} is chosen by the count {n} (Intl.PluralRules).
  const TEXT = {
    // index.html
    'app.title': { zh: '聊天', en: 'Chat' },
    'status.idle': { zh: '未连接', en: 'Not connected' },
    'top.retry': { zh: '立即重试', en: 'Retry now' },
    'top.enableNotifications': { zh: '开启桌面通知', en: 'Enable desktop notifications' },
    'top.logout': { zh: '退出登录', en: 'Log out' },
    'sidebar.label': { zh: '房间和私信', en: 'Rooms and direct messages' },
    'sidebar.browse': { zh: '浏览房间', en: 'Browse rooms' },
    'sidebar.create': { zh: '创建房间', en: 'Create a room' },
    'sidebar.rooms': { zh: '房间', en: 'Rooms' },
    'sidebar.direct': { zh: '私信', en: 'Direct messages' },
    'sidebar.directEmpty': { zh: '在成员列表里点“发消息”开始私信。',
      en: 'Click “Message” beside a member to start a direct conversation.' },
    'conversation.label': { zh: '对话', en: 'Conversation' },
    'conversation.back': { zh: '‹ 房间', en: '‹ Rooms' },
    'conversation.backLabel': { zh: '返回房间列表', en: 'Back to the room list' },
    'conversation.leave': { zh: '退出房间', en: 'Leave room' },
    'conversation.members': { zh: '成员', en: 'Members' },
    'conversation.empty': { zh: '还没有消息。打个招呼吧！', en: 'No messages yet. Say hello!' },
    'notify.label': { zh: '通知', en: 'Notifications' },
    'notify.title': { zh: '这个房间的桌面通知', en: 'Desktop notifications for this room' },
    'notify.all': { zh: '通知：所有消息', en: 'Notify: all messages' },
    'notify.mentions': { zh: '通知：仅提到我', en: 'Notify: mentions only' },
    'notify.nothing': { zh: '通知：关闭', en: 'Notify: off' },
    'composer.placeholder': { zh: '输入消息…（Enter 发送，Shift+Enter 换行）',
      en: 'Write a message… (Enter sends, Shift+Enter starts a new line)' },
    'composer.label': { zh: '消息', en: 'Message' },
    'composer.send': { zh: '发送', en: 'Send' },
    'people.label': { zh: '成员', en: 'Members' },
    'people.online': { zh: '在线', en: 'online' },
    'people.close': { zh: '关闭', en: 'Close' },
    'people.more': { zh: '显示更多成员', en: 'Show more members' },
    'rooms.title': { zh: '房间', en: 'Rooms' },
    'rooms.close': { zh: '关闭', en: 'Close' },
    'rooms.public': { zh: '公开房间', en: 'Public rooms' },
    'rooms.publicEmpty': { zh: '还没有公开房间。', en: 'No public rooms yet.' },
    'rooms.more': { zh: '加载更多', en: 'Load more' },
    'create.heading': { zh: '创建房间', en: 'Create a room' },
    'create.name': { zh: '房间名', en: 'Room name' },
    'create.nameRule': { zh: '（a–z、0–9、- 和 _，最多 32 个字符）',
      en: '(a–z, 0–9, - and _, at most 32 characters)' },
    'create.title': { zh: '标题', en: 'Title' },
    'create.topic': { zh: '话题', en: 'Topic' },
    'form.optional': { zh: '（可选）', en: '(optional)' },
    'create.private': { zh: '私密房间（只能受邀加入）', en: 'Private room (by invitation only)' },
    'create.submit': { zh: '创建', en: 'Create' },
    'auth.login': { zh: '登录', en: 'Log in' },
    'auth.register': { zh: '注册', en: 'Sign up' },
    'auth.name': { zh: '账号名', en: 'Account name' },
    'auth.password': { zh: '密码', en: 'Password' },
    'auth.invite': { zh: '邀请码', en: 'Invite code' },
    'auth.display': { zh: '显示名', en: 'Display name' },
    'auth.rules': { zh: '账号名 1–32 个字符，注册后不能更改；密码至少 8 个字符。',
      en: 'Account names are 1–32 characters and cannot be changed later; passwords at least 8.' },

    // app.js
    'app.titleWithServer': { zh: '聊天 · {server}', en: 'Chat · {server}' },
    'status.connecting': { zh: '连接中…', en: 'Connecting…' },
    'status.connected': { zh: '已连接', en: 'Connected' },
    'status.waiting': { zh: '离线（{reason}），{n} 秒后重连…',
      en: { one: 'Offline ({reason}); reconnecting in {n} second…',
        other: 'Offline ({reason}); reconnecting in {n} seconds…' } },
    'status.noAnswer': { zh: '服务器没有及时回应', en: 'the server did not answer in time' },
    'status.stoppedAnswering': { zh: '服务器不再回应', en: 'the server stopped answering' },
    'status.closed': { zh: '连接已断开', en: 'the connection was closed' },
    'status.notLoggedIn': { zh: '未登录', en: 'Not logged in' },
    'status.loggedOut': { zh: '已退出登录', en: 'Logged out' },
    'device.browser': { zh: '浏览器 · {browser}', en: 'Browser · {browser}' },
    'device.plain': { zh: '浏览器', en: 'Browser' },
    'badge.mentions': { zh: '{n} 条提到你的消息',
      en: { one: '{n} message mentions you', other: '{n} messages mention you' } },
    'badge.unread': { zh: '{n} 条未读消息',
      en: { one: '{n} unread message', other: '{n} unread messages' } },
    'preview.me': { zh: '我', en: 'Me' },
    'preview.line': { zh: '{who}：{text}', en: '{who}: {text}' },
    'room.direct': { zh: '与 {name} 的私信', en: 'Direct messages with {name}' },
    'room.private': { zh: '私密', en: 'Private' },
    'room.removed': { zh: '你已被移出房间“{room}”。', en: 'You were removed from “{room}”.' },
    'room.leaveConfirm': { zh: '退出房间“{room}”？', en: 'Leave “{room}”?' },
    'event.created': { zh: '{who} 创建了房间', en: '{who} created the room' },
    'event.joined': { zh: '{who} 加入了房间', en: '{who} joined the room' },
    'event.left': { zh: '{who} 离开了房间', en: '{who} left the room' },
    'event.invited': { zh: '{who} 邀请 {target} 加入了房间', en: '{who} invited {target} to the room' },
    'event.removed': { zh: '{who} 将 {target} 移出了房间', en: '{who} removed {target} from the room' },
    'event.topic': { zh: '{who} 将话题改为「{text}」', en: '{who} changed the topic to “{text}”' },
    'event.topicCleared': { zh: '{who} 清除了话题', en: '{who} cleared the topic' },
    'event.title': { zh: '{who} 将房间名称改为「{text}」', en: '{who} changed the title to “{text}”' },
    'event.titleCleared': { zh: '{who} 清除了房间名称', en: '{who} cleared the title' },
    'event.owner': { zh: '{who} 将房主转交给了 {target}', en: '{who} made {target} the owner' },
    'event.other': { zh: '{who}：{event}', en: '{who}: {event}' },
    'message.sending': { zh: '发送中…', en: 'sending…' },
    'message.failed': { zh: '未发送：{reason}', en: 'Not sent: {reason}' },
    'message.leftRoom': { zh: '已不在这个房间', en: 'no longer in this room' },
    'message.tooLong': { zh: '太长了：{length} 个字符，最多 {max} 个。',
      en: 'Too long: {length} characters, at most {max}.' },
    'day.today': { zh: '今天', en: 'Today' },
    'day.yesterday': { zh: '昨天', en: 'Yesterday' },
    'newMessages': { zh: '{n} 条新消息 ↓', en: { one: '{n} new message ↓', other: '{n} new messages ↓' } },
    'typing.names': { zh: '{names} 正在输入…',
      en: { one: '{names} is typing…', other: '{names} are typing…' } },
    'typing.separator': { zh: '、', en: ', ' },
    'typing.many': { zh: '{n} 个人正在输入…', en: '{n} people are typing…' },
    'member.me': { zh: '（我）', en: ' (me)' },
    'member.owner': { zh: '房主', en: 'owner' },
    'member.message': { zh: '发消息', en: 'Message' },
    'member.messageTitle': { zh: '给 {name} 发私信', en: 'Send {name} a direct message' },
    'rooms.memberCount': { zh: '{n} 人', en: { one: '{n} member', other: '{n} members' } },
    'rooms.open': { zh: '打开', en: 'Open' },
    'rooms.join': { zh: '加入', en: 'Join' },
    'rooms.notConnected': { zh: '未连接到服务器。', en: 'Not connected to the server.' },
    'error.network': { zh: '无法连接服务器。', en: 'The server cannot be reached.' },
    'error.generic': { zh: '服务器拒绝了请求。', en: 'The server refused the request.' },
    'error.genericDetail': { zh: '服务器拒绝了请求：{detail}', en: 'The server refused the request: {detail}' },
    'error.withDetail': { zh: '{sentence}服务器说明：{detail}', en: '{sentence} The server says: {detail}' },
    'error.too_many_attempts_wait': { zh: '尝试次数过多，请 {n} 秒后再试。',
      en: { one: 'Too many attempts; try again in {n} second.',
        other: 'Too many attempts; try again in {n} seconds.' } },
    ...Object.fromEntries(Object.entries(ERROR_TEXT).map(([code, text]) => [`error.${code}`, text])),
  };

  const MAX_WAIT_SECONDS = 60 * 60;
  const MAX_DETAIL_CHARS = 200; // the server's words are data: keep them short

  // 'zh' or 'en': the first of the browser's languages that is one of the two.
  function pickLanguage(languages) {
    for (const tag of languages) {
      const primary = String(tag).toLowerCase().split('-')[0];
      if (primary === 'zh' || primary === 'en') return primary;
    }
    return 'en';
  }

  const preferred = (navigator.languages && navigator.languages.length)
    ? [...navigator.languages] : [navigator.language || ''];
  const language = pickLanguage(preferred);
  // Dates and times in the page's language: Simplified Chinese, or the browser's own English
  // (en-GB writes 2 December 2026) when it has one.
  const locale = language === 'zh' ? 'zh-CN'
    : preferred.find((tag) => /^en(-|$)/i.test(tag)) || 'en';
  const plurals = new Intl.PluralRules(locale);
  document.documentElement.lang = language === 'zh' ? 'zh-CN' : 'en';

  // The text of `key` with {name} placeholders filled from `params` (one pass: a value that
  // contains braces stays as it is). An unknown key shows itself, so a missing one is seen.
  function t(key, params = {}) {
    const entry = TEXT[key];
    if (!entry) return key;
    let text = entry[language];
    if (typeof text === 'object') text = text[plurals.select(Number(params.n))] || text.other;
    return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
  }

  // Every element under `root` that names a key gets its text and attributes in this language.
  function apply(root) {
    for (const node of root.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
    for (const attribute of ['placeholder', 'title', 'aria-label']) {
      const data = `data-i18n-${attribute}`;
      for (const node of root.querySelectorAll(`[${data}]`)) {
        node.setAttribute(attribute, t(node.getAttribute(data)));
      }
    }
  }

  // The wait a too_many_attempts names ("retry in 30 s"), in seconds, as the desktop's
  // waitNamedIn() reads it; 0 when it names none.
  function waitSeconds(message) {
    const match = /(\d+)\s*(ms|milliseconds?|s|secs?|seconds?|秒|min|mins|minutes?|分钟|h|hours?|小时)(?![a-z])/iu
      .exec(message || '');
    if (!match) return 0;
    const amount = Number(match[1].slice(0, 9));
    const unit = match[2].toLowerCase();
    let seconds = amount;
    if (unit.startsWith('ms') || unit.startsWith('milli')) seconds = amount / 1000;
    else if (unit.startsWith('min') || unit === '分钟') seconds = amount * 60;
    else if (unit.startsWith('h') || unit === '小时') seconds = amount * 3600;
    return Math.min(MAX_WAIT_SECONDS, Math.ceil(seconds));
  }

  // The server's own words on one short line: control characters (newlines too) become spaces,
  // at most MAX_DETAIL_CHARS code points, ending in a full stop. Text, never markup.
  function serverDetail(message) {
    let text = String(message || '').replace(/[\u0000-\u001f\u007f-\u009f\s]+/g, ' ').trim();
    const chars = [...text];
    if (chars.length > MAX_DETAIL_CHARS) text = `${chars.slice(0, MAX_DETAIL_CHARS - 1).join('')}…`;
    return text && !/[.。!?！？…]$/.test(text) ? `${text}.` : text;
  }

  // A refusal as a sentence in the page's language, followed by the server's words where they
  // say what exactly was wrong; for a code this page does not know (a newer server's) a plain
  // "refused" with the server's words, as the desktop's describeServerError() words it.
  function describeError(code, message) {
    const detail = serverDetail(message);
    if (!Object.hasOwn(ERROR_TEXT, code)) {
      return detail ? t('error.genericDetail', { detail }) : t('error.generic');
    }
    if (code === 'too_many_attempts') {
      const wait = waitSeconds(message);
      return wait > 0 ? t('error.too_many_attempts_wait', { n: wait }) : t('error.too_many_attempts');
    }
    const sentence = t(`error.${code}`);
    if (!DETAIL_HELPS.has(code) || !detail || sentence.toLowerCase() === detail.toLowerCase()) {
      return sentence;
    }
    return t('error.withDetail', { sentence, detail });
  }

  apply(document);

  // The error codes this page has a sentence for (app.js: a send refused with another is tried
  // again, as protocol.md asks of an unknown code).
  const knownErrorCodes = new Set(Object.keys(ERROR_TEXT));

  return { language, locale, t, apply, describeError, knownErrorCodes };
})();
