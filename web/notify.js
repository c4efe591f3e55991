// Desktop notifications for the browser page, through the browser's Notification API: the same
// rules as the desktop client (client/notificationpolicy.cpp). A direct message or a mention
// notifies; each room can be set to "all" messages, "mentions" only (the default for rooms;
// direct conversations default to all) or "nothing", kept in localStorage per account and room;
// nothing while the tab is visible on that room. Permission is asked for only when the person
// clicks "Enable desktop notifications" (开启桌面通知). Clicking a notification focuses the tab
// and opens its room.
// app.js calls window.chatNotify; this file touches no other part of the page. Its words come
// from i18n.js (window.ChatI18n), in the page's language.
'use strict';

window.chatNotify = (() => {
  const LEVELS = ['all', 'mentions', 'nothing'];
  const BODY_CHARS = 200;
  let openRoom = () => {};
  let account = () => '';
  let button = null;
  let select = null;
  let shownRoom = null; // {key, direct} of the room whose level the select shows

  function supported() {
    return typeof window.Notification === 'function';
  }

  function storageKey(room) {
    return `chat.notify.${account()}.${room}`;
  }

  function defaultLevel(direct) {
    return direct ? 'all' : 'mentions';
  }

  function level(room, direct) {
    let stored = null;
    try {
      stored = localStorage.getItem(storageKey(room));
    } catch { /* storage may be off */ }
    return LEVELS.includes(stored) ? stored : defaultLevel(direct);
  }

  function setLevel(room, value) {
    try {
      localStorage.setItem(storageKey(room), value);
    } catch { /* storage may be off: the default stays */ }
  }

  // The decision, as the desktop's shouldNotify().
  function shouldNotify({ direct, mentionsUs, fromUs, looking, roomLevel }) {
    if (fromUs || looking) return false;
    if (roomLevel === 'all') return true;
    if (roomLevel === 'mentions') return mentionsUs || direct;
    return false;
  }

  function showButton() {
    if (!button) return;
    button.hidden = !supported() || Notification.permission !== 'default';
  }

  function showLevel(room, direct) {
    shownRoom = room ? { key: room, direct } : null;
    if (!select) return;
    select.hidden = !shownRoom || !supported();
    if (shownRoom) select.value = level(room, direct);
  }

  // elements: the "enable" button and the room's level <select>; onOpen(roomKey) shows a room;
  // currentAccount() names whose settings apply.
  function setup({ enableButton, levelSelect, onOpen, currentAccount }) {
    button = enableButton;
    select = levelSelect;
    openRoom = onOpen;
    account = currentAccount;
    if (button) {
      button.addEventListener('click', () => {
        // Asked for only here, after the person's click.
        Promise.resolve(Notification.requestPermission()).then(showButton, showButton);
      });
    }
    if (select) {
      select.addEventListener('change', () => {
        if (shownRoom) setLevel(shownRoom.key, select.value);
      });
    }
    showButton();
    showLevel(null, false);
  }

  // A live chat message arrived in `room` ({key, direct, title}).
  function message(room, { from, display, text, fromUs, mentionsUs, looking }) {
    if (!supported() || Notification.permission !== 'granted') return;
    if (!shouldNotify({ direct: room.direct, mentionsUs, fromUs, looking,
      roomLevel: level(room.key, room.direct) })) return;
    const who = display ? `${display} (${from})` : from;
    const plain = window.ChatFormat.plainText(text);
    const line = room.direct ? plain : window.ChatI18n.t('preview.line', { who, text: plain }); // 温迪 (wendy)：…
    let notification;
    try {
      // Shown as plain text by the browser: nothing here is markup.
      notification = new Notification(room.title, {
        body: line.length > BODY_CHARS ? `${line.slice(0, BODY_CHARS - 1)}…` : line,
        tag: room.key, // a room's newer notification replaces its older one
      });
    } catch {
      return; // some browsers only notify from a service worker
    }
    notification.addEventListener('click', () => {
      window.focus();
      openRoom(room.key);
      notification.close();
    });
  }

  return { setup, message, showLevel, shouldNotify, level };
})();
