// The formatting both clients show in a message (docs/formatting.md): **bold**, *italic*,
// `code`, ``` fenced blocks ``` and http(s) links found in the text. The same rules, step by
// step, as client/messageformat.cpp; tests/data/formatting.json holds the examples both are
// checked against. The DOM is built with createElement and textContent only: nothing in a
// message is ever parsed as HTML.
'use strict';

window.ChatFormat = (() => {
  const FENCE = '```';
  const BLANKS = new Set([' ', '\t', '\n', '\r', '\f', '\v', '\u00a0', '\u3000']);
  const isBlank = (c) => BLANKS.has(c);
  const isAsciiAlnum = (c) => /^[0-9A-Za-z]$/.test(c);
  const isUrlChar = (c) => {
    const u = c.charCodeAt(0);
    return u > 0x20 && u < 0x7f && c !== '<' && c !== '>' && c !== '"' && c !== '`';
  };
  const count = (s, c) => s.split(c).length - 1;

  function builder() {
    const spans = [];
    return {
      add(kind, text) {
        if (kind === 'text' && text === '') return;
        const last = spans[spans.length - 1];
        if (kind === 'text' && last && last.kind === 'text') {
          last.text += text;
          return;
        }
        spans.push(kind === 'link' ? { kind, text, href: text } : { kind, text });
      },
      spans,
    };
  }

  // The end of a link starting at `start`, or -1 when there is none there.
  function linkEnd(s, start) {
    if (start > 0 && isAsciiAlnum(s[start - 1])) return -1;
    let scheme = 0;
    if (s.substr(start, 8).toLowerCase() === 'https://') scheme = 8;
    else if (s.substr(start, 7).toLowerCase() === 'http://') scheme = 7;
    else return -1;
    let end = start + scheme;
    while (end < s.length && isUrlChar(s[end])) end += 1;
    // Punctuation after a link belongs to the sentence; a closing bracket only when unmatched.
    while (end > start + scheme) {
      const last = s[end - 1];
      const url = s.slice(start, end);
      if (".,:;!?'*".includes(last)) end -= 1;
      else if (last === ')' && count(url, ')') > count(url, '(')) end -= 1;
      else if (last === ']' && count(url, ']') > count(url, '[')) end -= 1;
      else break;
    }
    return end > start + scheme ? end : -1;
  }

  // The index of the delimiter closing an emphasis opened at `start`, or -1.
  function emphasisEnd(s, start, delimiter) {
    const inner = start + delimiter.length;
    if (inner >= s.length || isBlank(s[inner]) || s[inner] === '*') return -1;
    const close = s.indexOf(delimiter, inner + 1);
    if (close < 0 || isBlank(s[close - 1])) return -1;
    if (s.slice(inner, close).includes('\n')) return -1;
    return close;
  }

  function parseInline(s, out) {
    let text = '';
    const flush = () => {
      out.add('text', text);
      text = '';
    };
    let i = 0;
    while (i < s.length) {
      const c = s[i];
      if (c === '`') {
        const close = s.indexOf('`', i + 1);
        const inner = close > i + 1 ? s.slice(i + 1, close) : '';
        if (inner !== '' && !inner.includes('\n')) {
          flush();
          out.add('code', inner);
          i = close + 1;
          continue;
        }
      } else if (c === '*') {
        const delimiter = s[i + 1] === '*' ? '**' : '*';
        const close = emphasisEnd(s, i, delimiter);
        if (close < 0) {
          text += delimiter; // both stars of a failed ** are text
          i += delimiter.length;
          continue;
        }
        flush();
        out.add(delimiter === '**' ? 'bold' : 'italic', s.slice(i + delimiter.length, close));
        i = close + delimiter.length;
        continue;
      } else if (c === 'h' || c === 'H') {
        const end = linkEnd(s, i);
        if (end > 0) {
          flush();
          out.add('link', s.slice(i, end));
          i = end;
          continue;
        }
      }
      text += c;
      i += 1;
    }
    flush();
  }

  const opensFence = (line) => line.startsWith(FENCE) && !line.slice(3).includes('`');
  const closesFence = (line) => line.startsWith(FENCE) && /^[ \t]*$/.test(line.slice(3));

  // The message as a flat list of {kind, text, href}; adjacent text is one span.
  function parse(text) {
    const out = builder();
    const lines = text.split('\n');
    let plain = [];
    const flushPlain = () => {
      if (plain.length) parseInline(plain.join('\n'), out);
      plain = [];
    };
    let i = 0;
    while (i < lines.length) {
      let close = -1;
      if (opensFence(lines[i])) {
        for (let j = i + 1; j < lines.length && close < 0; j += 1) if (closesFence(lines[j])) close = j;
      }
      if (close < 0) {
        plain.push(lines[i]);
        i += 1;
        continue;
      }
      flushPlain();
      // The line breaks around a block belong to it: it is shown on lines of its own.
      out.add('codeblock', lines.slice(i + 1, close).join('\n'));
      i = close + 1;
    }
    flushPlain();
    return out.spans;
  }

  // Whether a link target may be opened: http and https only.
  function isOpenable(href) {
    try {
      const url = new URL(href);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
    } catch {
      return false;
    }
  }

  // The message's nodes: each span one element (or text node) with data-kind, text as text.
  function render(text) {
    return parse(text).map((span) => {
      let node;
      switch (span.kind) {
        case 'bold': node = document.createElement('strong'); break;
        case 'italic': node = document.createElement('em'); break;
        case 'code': node = document.createElement('code'); break;
        case 'codeblock': node = document.createElement('pre'); break;
        case 'link':
          if (!isOpenable(span.href)) {
            node = document.createElement('span');
            break;
          }
          node = document.createElement('a');
          node.href = span.href;
          node.target = '_blank';
          node.rel = 'noopener noreferrer';
          break;
        default: node = document.createElement('span');
      }
      node.dataset.kind = span.kind;
      node.textContent = span.text;
      return node;
    });
  }

  // What the message says without its marks, on one line (a preview, a notification): as
  // format::plainText in client/messageformat.cpp.
  function plainText(text) {
    return parse(text).map((span) => span.text).join('').replace(/\s+/g, ' ').trim();
  }

  return { parse, render, isOpenable, plainText };
})();
