#!/usr/bin/env node
// What one attacker can make a real chat-server hold (RSS) and compute (CPU), under the attacks
// of issue 9 items 2 and 3, at default settings unless a row says otherwise. Loopback only
// (127.0.0.x); every loop is bounded in count and time; the whole run takes about 5 minutes.
//
//   1  one address, 5,000 connections that send half a request head (once; then re-opening)
//   2  1,000 joined clients that never read (a) after a history of 200 × 12 KB, (c) while
//      talkers go on talking within the byte rates; (b) the same clients reading, to compare
//   3  resume storms: 4 at a time, 250 back (refused by the byte bound), 20 back (answered),
//      and 950 back in small messages from SQLite
//   4  floods of empty fragments, one-byte fragments and pings from 4 connections
//   5  8 connections sending 16 KB messages at the message rate; an honest 4 Mbit/s reader
//   6  1,000 non-readers that reset their connections while the server is busy sending
//
//   ulimit -n 20000   # scenario 1 opens 5,000 sockets at once
//   node bench/attacks.mjs build/server/chat-server [--only 123456]
//
// Each scenario starts its own server (--host 127.0.0.1 --port 0 --db :memory: unless said),
// reads its RSS from /proc/PID/status and its CPU time from /proc/PID/stat while the attack
// runs, and has "the others" (a normal client that joins, or sends and times its echo, or an
// honest slow reader) run in a separate Node process (`--probe`), so the attacker's own event
// loop does not distort what they see. Results: a Markdown table at the end, and one JSON line
// per scenario before it (the figures belong in docs/security.md).
//
// Only Node's `net` and the `ws` package that tests/browser/node_modules holds (npm ci there).
// The exit status is 1 when the server misbehaved (died, stalled, held more than its caps, cut
// the honest reader off); the findings are listed under the table.
//
// For digging into one scenario: ATTACKS_SERVER_LOG=FILE appends every server's stderr to FILE,
// ATTACKS_PIDFILE=FILE writes each server's pid there as it starts (to attach gdb),
// ATTACKS_DEBUG=S prints progress in scenario 2c and waits S seconds before taking the server
// down, ATTACKS_NONREADERS=N changes the 1,000 of scenario 2, ATTACKS_S2_ARGS="--opt value"
// adds options to scenario 2's first server.
import net from 'node:net';
import crypto from 'node:crypto';
import os from 'node:os';
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const require = createRequire(import.meta.url);
const SCRIPT = fileURLToPath(import.meta.url);
let WebSocket;
try {
  WebSocket = require('../tests/browser/node_modules/ws');
} catch (error) {
  console.error(`the ws package is missing: run "npm ci" in tests/browser.\n${error}`);
  process.exit(1);
}

const HOST = '127.0.0.1';
const CLK_TCK = 100; // getconf CLK_TCK on Linux
const now = () => performance.now();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const MiB = (kb) => (kb / 1024).toFixed(1);
const T0 = now();
const progress = (text) => console.error(`[${((now() - T0) / 1000).toFixed(1)} s] ${text}`);

function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * (sorted.length - 1) + 0.5))];
}

function within(ms, what, promise) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms); }),
  ]).finally(() => clearTimeout(timer));
}

// 12 KB and 16 KB texts within the protocol's 4,000 characters: 3- and 4-byte characters.
const TEXT_12K = '你'.repeat(4000); // 12,000 bytes of UTF-8
const TEXT_16K = '😀'.repeat(4000); // 16,000 bytes of UTF-8

// ---------------------------------------------------------------------------------------------
// A raw WebSocket client over `net`: full control over frames, pausing and reading.

const EMPTY = Buffer.alloc(0);

// One masked client frame. The mask key is zero (valid: the server cannot tell), so the payload
// goes as it is.
function frame(opcode, payload = EMPTY, fin = true) {
  const len = payload.length;
  let header;
  if (len < 126) {
    header = Buffer.alloc(6);
    header[1] = 0x80 | len;
  } else if (len < 65536) {
    header = Buffer.alloc(8);
    header[1] = 0x80 | 126;
    header.writeUInt16BE(len, 2);
  } else {
    header = Buffer.alloc(14);
    header[1] = 0x80 | 127;
    header.writeBigUInt64BE(BigInt(len), 2);
  }
  header[0] = (fin ? 0x80 : 0) | opcode;
  return len ? Buffer.concat([header, payload]) : header;
}

class RawWs {
  // parse: decode the server's frames (off: only count bytes, as a reader that discards).
  constructor(port, localAddress, { parse = true } = {}) {
    this.port = port;
    this.localAddress = localAddress;
    this.parse = parse;
    this.socket = null;
    this.upgraded = false;
    this.bytesIn = 0;
    this.chunks = [];
    this.buffered = 0;
    this.need = 0;
    this.closeFrame = null; // {code, reason, ms}
    this.error = null;
    this.onText = null; // (payload Buffer) => void
    this.waiters = [];
    this.closed = new Promise((resolve) => { this.resolveClosed = resolve; });
    this.isClosed = false;
  }

  // Upgrade; `firstText` (a hello) goes out right after the 101. Resolves once upgraded.
  open(firstText = null, timeoutMs = 5000) {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: HOST, port: this.port, localAddress: this.localAddress });
      this.socket = socket;
      socket.setNoDelay(true);
      let head = EMPTY;
      let settled = false;
      const timer = setTimeout(() => {
        if (!settled) { settled = true; socket.destroy(); reject(new Error('upgrade timed out')); }
      }, timeoutMs);
      socket.on('connect', () => {
        const key = crypto.randomBytes(16).toString('base64');
        socket.write(`GET / HTTP/1.1\r\nHost: ${HOST}:${this.port}\r\nUpgrade: websocket\r\n` +
          `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
      });
      socket.on('data', (chunk) => {
        if (this.upgraded) { this.onData(chunk); return; }
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        const status = head.subarray(0, head.indexOf('\r\n')).toString();
        if (!status.startsWith('HTTP/1.1 101')) {
          settled = true;
          clearTimeout(timer);
          socket.destroy();
          reject(new Error(`upgrade refused: ${status}`));
          return;
        }
        this.upgraded = true;
        settled = true;
        clearTimeout(timer);
        if (firstText !== null) this.sendText(firstText);
        resolve(this);
        const rest = head.subarray(end + 4);
        if (rest.length) this.onData(rest);
      });
      socket.on('error', (error) => { this.error = error.code || String(error); });
      socket.on('close', () => {
        this.isClosed = true;
        this.closedAt = now();
        clearTimeout(timer);
        if (!settled) { settled = true; reject(new Error(`closed before the upgrade (${this.error})`)); }
        for (const w of this.waiters) w.reject(new Error('closed'));
        this.waiters = [];
        this.resolveClosed();
      });
    });
  }

  write(buffer) { return !this.isClosed && this.socket.write(buffer); }
  sendText(text) { return this.write(frame(1, Buffer.from(text))); }
  pause() { this.socket.pause(); }
  resume() { this.socket.resume(); }
  destroy() { this.socket?.destroy(); }

  take(n) {
    let all;
    if (this.chunks[0].length >= n) {
      all = this.chunks[0];
    } else {
      all = Buffer.concat(this.chunks, this.buffered);
      this.chunks = [all];
    }
    const out = all.subarray(0, n);
    if (all.length === n) this.chunks.shift(); else this.chunks[0] = all.subarray(n);
    this.buffered -= n;
    return out;
  }

  onData(chunk) {
    this.bytesIn += chunk.length;
    if (!this.parse) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    for (;;) {
      if (this.need === 0) {
        if (this.buffered < 2) return;
        if (this.chunks[0].length < 10 && this.chunks.length > 1) {
          const merged = Buffer.concat(this.chunks, this.buffered);
          this.chunks = [merged];
        }
        const h = this.chunks[0];
        let len = h[1] & 0x7f;
        let off = 2;
        if (len === 126) {
          if (h.length < 4) return;
          len = h.readUInt16BE(2);
          off = 4;
        } else if (len === 127) {
          if (h.length < 10) return;
          len = Number(h.readBigUInt64BE(2));
          off = 10;
        }
        this.op = h[0] & 0x0f;
        this.headLen = off;
        this.need = off + len;
      }
      if (this.buffered < this.need) return;
      const whole = this.take(this.need);
      this.need = 0;
      this.onFrame(this.op, whole.subarray(this.headLen));
    }
  }

  onFrame(op, payload) {
    if (op === 1) {
      if (this.onText) this.onText(payload);
      if (this.waiters.length) {
        const text = payload.toString();
        this.waiters = this.waiters.filter((w) => {
          if (!w.match(text)) return true;
          w.resolve(text);
          return false;
        });
      }
    } else if (op === 8) {
      const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
      this.closeFrame = { code, reason: payload.subarray(2).toString(), ms: now() };
      if (!this.isClosed) {
        this.socket.write(frame(8, payload.subarray(0, 2)));
        this.socket.end();
      }
    } else if (op === 9) {
      this.write(frame(10, payload));
    }
  }

  // The next text frame for which match(text) holds.
  next(match, timeoutMs = 5000) {
    return new Promise((resolve, reject) => {
      const w = { match, resolve, reject };
      this.waiters.push(w);
      setTimeout(() => {
        const i = this.waiters.indexOf(w);
        if (i >= 0) { this.waiters.splice(i, 1); reject(new Error('no such frame in time')); }
      }, timeoutMs);
    });
  }
}

const isWelcome = (text) => text.includes('"type":"welcome"');
const hello = (nick, extra = {}) => JSON.stringify({ type: 'hello', version: 1, nick, ...extra });

// ---------------------------------------------------------------------------------------------
// The server under test and what /proc says about it.

class Server {
  constructor(binary, args) {
    this.binary = binary;
    this.args = args;
    this.stderrTail = '';
    this.stderrLines = 0;
    this.log = { doesNotRead: 0, maxUnsent: 0, silent: 0, closeTimeouts: 0 };
  }

  async start() {
    const child = spawn(this.binary, ['--host', HOST, '--port', '0', '--name', 'attacks', ...this.args],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.pid = child.pid;
    this.exit = null;
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => {
      this.exit = { code, signal };
      resolve(this.exit);
    }));
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => {
      for (let i = chunk.indexOf('\n'); i >= 0; i = chunk.indexOf('\n', i + 1)) this.stderrLines++;
      this.stderrTail = (this.stderrTail + chunk).slice(-4000);
      for (const m of chunk.matchAll(/does not read: (\d+) bytes unsent/g)) {
        this.log.doesNotRead++;
        this.log.maxUnsent = Math.max(this.log.maxUnsent, Number(m[1]));
      }
      for (const _ of chunk.matchAll(/despite pings; closing/g)) this.log.silent++;
      for (const _ of chunk.matchAll(/did not take its close in time/g)) this.log.closeTimeouts++;
      if (process.env.ATTACKS_SERVER_LOG) appendFileSync(process.env.ATTACKS_SERVER_LOG, chunk);
    });
    child.stdout.setEncoding('utf8');
    const listening = new Promise((resolve, reject) => {
      let buffered = '';
      child.stdout.on('data', (chunk) => {
        buffered += chunk;
        const match = /^listening on wss?:\/\/[^\s:]+:(\d+)\/$/m.exec(buffered);
        if (match) resolve(Number(match[1]));
      });
      child.once('exit', (code) => reject(new Error(`chat-server exited (${code}) before listening:\n${this.stderrTail}`)));
    });
    this.port = await within(10000, 'chat-server to listen', listening);
    if (process.env.ATTACKS_DEBUG) progress(`server pid ${this.pid} port ${this.port}`);
    if (process.env.ATTACKS_PIDFILE) appendFileSync(process.env.ATTACKS_PIDFILE, `${this.pid}\n`);
    await sleep(300);
    return this;
  }

  alive() { return this.exit === null; }

  status() {
    let text = '';
    try { text = readFileSync(`/proc/${this.pid}/status`, 'utf8'); } catch { /* gone */ }
    const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
    return { rssKb: kb('VmRSS'), hwmKb: kb('VmHWM'), threads: Number(/^Threads:\s+(\d+)/m.exec(text)?.[1]) };
  }

  cpuTicks() {
    let stat;
    try { stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8'); } catch { return NaN; }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime + stime (fields 14 and 15)
  }

  fds() {
    try { return readdirSync(`/proc/${this.pid}/fd`).length; } catch { return NaN; }
  }

  // Bytes the kernel holds for the server's side of its connections: queued to send, not yet
  // acknowledged (tx_queue) and received, not yet read (rx_queue), from /proc/net/tcp.
  kernelQueues() {
    const portHex = this.port.toString(16).toUpperCase().padStart(4, '0');
    let tx = 0;
    let rx = 0;
    let sockets = 0;
    let orphans = 0;
    let orphanTx = 0;
    for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || !f[1].endsWith(`:${portHex}`) || f[3] === '0A') continue; // 0A: listening
      const [t, r] = f[4].split(':');
      tx += parseInt(t, 16);
      rx += parseInt(r, 16);
      sockets++;
      // Inode 0: no process holds the socket any more (closed by the server, still in the kernel).
      if (f[9] === '0' && f[3] !== '06') {
        orphans++;
        orphanTx += parseInt(t, 16);
      }
    }
    return { txBytes: tx, rxBytes: rx, sockets, orphans, orphanTxBytes: orphanTx };
  }

  // GET /metrics over a plain socket; returns {"name{labels}": value}.
  metrics() {
    return within(5000, '/metrics', new Promise((resolve, reject) => {
      const socket = net.connect({ host: HOST, port: this.port, localAddress: HOST });
      let text = '';
      socket.setEncoding('utf8');
      socket.on('connect', () => socket.write('GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
      socket.on('data', (chunk) => { text += chunk; });
      socket.on('error', reject);
      socket.on('close', () => {
        const out = {};
        for (const line of text.split('\r\n\r\n').slice(1).join('').split('\n')) {
          const m = /^([a-z_]+(?:\{[^}]*\})?) (\S+)$/.exec(line);
          if (m) out[m[1]] = Number(m[2]);
        }
        resolve(out);
      });
    }));
  }

  // /metrics, or {} (and a finding) when the server does not answer in 5 s.
  async safeMetrics(when) {
    const t0 = now();
    try {
      return await this.metrics();
    } catch (error) {
      findings.push(`${when}: chat-server did not answer GET /metrics within ${Math.round(now() - t0)} ms (${error.message})`);
      return {};
    }
  }

  async stop() {
    if (!this.alive()) return this.exit;
    const t0 = now();
    this.child.kill('SIGTERM');
    try {
      await within(8000, 'chat-server to exit', this.exited);
    } catch {
      findings.push(`chat-server did not exit within 8 s of SIGTERM; killed (SIGKILL)`);
      this.child.kill('SIGKILL');
      await within(5000, 'chat-server to die', this.exited);
    }
    this.stopMs = now() - t0;
    return this.exit;
  }
}

// Samples the server's RSS (and optionally /metrics and kernel queues) while an attack runs.
class Sampler {
  constructor(server, { everyMs = 100, metrics = false, kernel = false } = {}) {
    this.server = server;
    this.everyMs = everyMs;
    this.withMetrics = metrics;
    this.withKernel = kernel;
  }

  start() {
    const s = this.server;
    this.t0 = now();
    this.cpu0 = s.cpuTicks();
    this.mine0 = process.cpuUsage();
    this.rssBeforeKb = s.status().rssKb;
    this.rssPeakKb = this.rssBeforeKb;
    this.fdsBefore = s.fds();
    this.fdsPeak = this.fdsBefore;
    this.metricPeaks = {};
    this.kernelPeak = { txBytes: 0, rxBytes: 0 };
    this.timer = setInterval(() => {
      if (!s.alive()) return;
      try {
        this.rssPeakKb = Math.max(this.rssPeakKb, s.status().rssKb);
        this.fdsPeak = Math.max(this.fdsPeak, s.fds());
      } catch { /* gone */ }
    }, this.everyMs);
    if (this.withMetrics) {
      this.metricsTimer = setInterval(async () => {
        if (this.metricsBusy || !s.alive()) return;
        this.metricsBusy = true;
        try {
          const m = await s.metrics();
          for (const [k, v] of Object.entries(m)) this.metricPeaks[k] = Math.max(this.metricPeaks[k] ?? -Infinity, v);
        } catch { /* counted as a miss */ }
        this.metricsBusy = false;
      }, 250);
    }
    if (this.withKernel) {
      this.kernelTimer = setInterval(() => {
        try {
          const q = s.kernelQueues();
          this.kernelPeak.txBytes = Math.max(this.kernelPeak.txBytes, q.txBytes);
          this.kernelPeak.rxBytes = Math.max(this.kernelPeak.rxBytes, q.rxBytes);
        } catch { /* ignore */ }
      }, 1000);
    }
  }

  stop() {
    clearInterval(this.timer);
    clearInterval(this.metricsTimer);
    clearInterval(this.kernelTimer);
    const s = this.server;
    const seconds = (now() - this.t0) / 1000;
    const alive = s.alive();
    const cpu = alive ? s.cpuTicks() : this.cpu0;
    const mine = process.cpuUsage(this.mine0);
    const st = alive ? s.status() : { rssKb: NaN, hwmKb: NaN };
    return {
      seconds: +seconds.toFixed(1),
      cpuPct: +(((cpu - this.cpu0) / CLK_TCK / seconds) * 100).toFixed(1),
      cpuSeconds: +((cpu - this.cpu0) / CLK_TCK).toFixed(2),
      attackerCpuPct: +(((mine.user + mine.system) / 1e6 / seconds) * 100).toFixed(1),
      rssBeforeKb: this.rssBeforeKb,
      rssPeakKb: Math.max(this.rssPeakKb, alive ? st.rssKb : 0),
      rssAfterKb: st.rssKb,
      hwmKb: st.hwmKb,
      fdsBefore: this.fdsBefore,
      fdsPeak: this.fdsPeak,
      metricPeaks: this.metricPeaks,
      kernelPeak: this.kernelPeak,
    };
  }
}

// ---------------------------------------------------------------------------------------------
// "The others": probes in their own Node process.

function runProbe(mode, args, timeoutMs) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [SCRIPT, '--probe', mode, ...args.map(String)],
      { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => { out += chunk; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', () => {
      clearTimeout(timer);
      const line = out.trim().split('\n').pop();
      try { resolve(JSON.parse(line)); } catch { resolve({ error: `probe ${mode} gave no result: ${out.slice(-300)}` }); }
    });
  });
}

// A normal client from 127.0.0.1 joins `count` times, `gapMs` apart: ms from connect to welcome.
async function probeJoins(port, count, gapMs) {
  const times = [];
  const failures = [];
  for (let i = 0; i < count; i++) {
    const t0 = now();
    const ws = new WebSocket(`ws://${HOST}:${port}/`, { localAddress: HOST, perMessageDeflate: false });
    try {
      await within(5000, 'join', new Promise((resolve, reject) => {
        ws.on('open', () => ws.send(hello(`joiner${process.pid}x${i}`)));
        ws.on('message', (data) => { if (data.includes('"type":"welcome"')) resolve(); });
        ws.on('error', reject);
        ws.on('close', (code) => reject(new Error(`closed ${code}`)));
      }));
      times.push(+(now() - t0).toFixed(1));
    } catch (error) {
      failures.push(String(error.message || error));
    }
    ws.terminate();
    await sleep(gapMs);
  }
  return { joins: times.length, failures, p50Ms: percentile(times, 0.5), maxMs: Math.max(...times), times };
}

// A normal client from 127.0.0.1 sends a short message every `everyMs` and times its echo.
async function probeRtt(port, durationMs, everyMs) {
  const nick = `observer${process.pid}`;
  const ws = new WebSocket(`ws://${HOST}:${port}/`, { localAddress: HOST, perMessageDeflate: false });
  const pending = new Map();
  const rtts = [];
  let refused = 0;
  let closeCode = null;
  await within(5000, 'observer join', new Promise((resolve, reject) => {
    ws.on('open', () => ws.send(hello(nick)));
    ws.on('message', (data) => { if (data.includes('"type":"welcome"')) resolve(); });
    ws.on('error', reject);
  }));
  ws.on('message', (data) => {
    if (!data.includes(`"obs-`)) return;
    const m = JSON.parse(data);
    if (m.type === 'message' && pending.has(m.id)) {
      rtts.push(now() - pending.get(m.id));
      pending.delete(m.id);
    } else if (m.type === 'error' && pending.has(m.ref)) {
      refused++;
      pending.delete(m.ref);
    }
  });
  ws.on('close', (code) => { closeCode = code; });
  const end = now() + durationMs;
  let n = 0;
  while (now() < end && closeCode === null) {
    const id = `obs-${n++}`;
    pending.set(id, now());
    ws.send(JSON.stringify({ type: 'send', id, text: 'are you there?' }));
    await sleep(everyMs);
  }
  const worst = rtts.length ? Math.max(...rtts) : 0;
  await sleep(Math.min(3000, 500 + worst)); // the last echoes
  const lost = pending.size;
  ws.terminate();
  return {
    sent: n, echoed: rtts.length, refused, lost, closeCode,
    p50Ms: +percentile(rtts, 0.5).toFixed(1), maxMs: +Math.max(...rtts).toFixed(1),
  };
}

// An honest reader from 127.0.0.9 that reads at `bytesPerSecond` (pausing its socket) for
// `durationMs`: is it still connected at the end, and how far behind did it fall?
async function probeReader(port, durationMs, bytesPerSecond) {
  const c = new RawWs(port, '127.0.0.9');
  let messages = 0;
  let maxLagMs = 0;
  let lastLagMs = 0;
  c.onText = (payload) => {
    if (payload.length < 1000 || !payload.includes('"type":"message"')) return;
    const m = /"time":"([^"]+)"/.exec(payload.toString());
    messages++;
    if (m) {
      lastLagMs = Date.now() - Date.parse(m[1]);
      maxLagMs = Math.max(maxLagMs, lastLagMs);
    }
  };
  await c.open(hello('reader'));
  await c.next(isWelcome);
  const t0 = now();
  let paused = false;
  // Throttle: at most bytesPerSecond × elapsed (plus one 64 KiB read) taken from the socket.
  c.socket.on('data', () => {
    const allowed = ((now() - t0) / 1000) * bytesPerSecond + 65536;
    if (c.bytesIn > allowed && !paused) {
      paused = true;
      c.pause();
      setTimeout(() => { paused = false; if (!c.isClosed) c.resume(); }, ((c.bytesIn - allowed) / bytesPerSecond) * 1000 + 5);
    }
  });
  await Promise.race([c.closed, sleep(durationMs)]);
  const connectedMs = (c.isClosed ? c.closedAt : now()) - t0;
  const result = {
    stillConnected: !c.isClosed,
    connectedMs: Math.round(connectedMs),
    closeCode: c.closeFrame?.code ?? null,
    closeReason: c.closeFrame?.reason ?? null,
    socketError: c.error,
    bytes: c.bytesIn,
    kbitPerS: Math.round((c.bytesIn * 8) / (connectedMs / 1000) / 1000),
    messages,
    maxLagMs,
    lastLagMs,
  };
  c.destroy();
  return result;
}

// ---------------------------------------------------------------------------------------------
// Filling the history, within the default limits: 16 talkers on 127.0.0.50-53, 4 per address,
// each sending its share at once (a 12 KB message is well inside the 20-message burst and the
// 256 KiB per connection, 1 MiB per address byte bursts) or paced when there are many.

async function openTalkers(port, count = 16, prefix = 'talker') {
  const talkers = [];
  for (let k = 0; k < count; k++) {
    const c = new RawWs(port, `127.0.0.${50 + (k % 4)}`);
    c.nick = `${prefix}${k}`;
    c.refused = 0;
    c.onText = (payload) => {
      if (payload.length < 2000 && payload.includes('"rate_limited"')) c.refused++;
    };
    await c.open(hello(c.nick));
    await c.next(isWelcome, 10000);
    talkers.push(c);
  }
  return talkers;
}

let msgCounter = 0;
function sendMessage(c, text) {
  const id = `m${c.nick}_${msgCounter++}`;
  c.sendText(JSON.stringify({ type: 'send', id, text }));
  return id;
}

// Each talker sends its share of `total` messages; those within the burst (20, the hello took
// one) go at once, the rest `paceMs` apart. Resolves once /metrics counts them all received.
async function fillHistory(server, talkers, total, text, { atOnce = 19, paceMs = 110 } = {}) {
  const per = Math.ceil(total / talkers.length);
  const before = (await server.metrics()).chat_messages_received_total ?? 0;
  await Promise.all(talkers.map(async (c) => {
    for (let i = 0; i < per; i++) {
      sendMessage(c, text);
      if (i + 1 >= atOnce) await sleep(paceMs);
    }
  }));
  // Wait until the server has taken them all (or says it refused some).
  const deadline = now() + 30000;
  let received = 0;
  while (now() < deadline) {
    const m = await server.metrics();
    received = (m.chat_messages_received_total ?? 0) - before;
    if (received >= per * talkers.length) break;
    await sleep(200);
  }
  const refused = talkers.reduce((n, c) => n + c.refused, 0);
  return { sent: per * talkers.length, received, refused };
}

// A fresh client's welcome: instance, newest seq, size.
async function probeWelcome(port, nick) {
  const c = new RawWs(port, HOST);
  await c.open(hello(nick));
  const text = await c.next(isWelcome, 10000);
  c.destroy();
  const w = JSON.parse(text);
  return { instance: w.instance, seq: w.seq, historyCount: w.history.length, bytes: Buffer.byteLength(text) };
}

// ---------------------------------------------------------------------------------------------
// The scenarios. Each returns one or more result rows.

const rows = [];
const findings = [];

function checkServer(server, what) {
  if (!server.alive()) {
    const tail = server.stderrTail.trim();
    findings.push(`${what}: chat-server DIED (${JSON.stringify(server.exit)})${tail ? `; its last log lines:\n${tail}` : ''}`);
    return false;
  }
  return true;
}

async function withServer(binary, args, body) {
  const server = await new Server(binary, ['--db', ':memory:', ...args]).start();
  try {
    return await body(server);
  } finally {
    const exit = await server.stop();
    if (exit.signal && exit.signal !== 'SIGTERM') findings.push(`server ended by ${exit.signal}`);
  }
}

// 1. One address opens 5,000 connections that send half a request head and never finish.
async function scenario1(binary, { reopen }) {
  return withServer(binary, [], async (server) => {
    const ATTACK_MS = 10000;
    const MAX_ATTEMPTS = reopen ? 60000 : 5000;
    const sampler = new Sampler(server, { metrics: true });
    const lines0 = server.stderrLines;
    sampler.start();
    const joins = runProbe('joins', [server.port, 10, 900], 60000);
    const live = new Set();
    let attempts = 0;
    let connected = 0;
    let closedByServer = 0;
    let connectErrors = 0;
    const liveSamples = [];
    const deadline = now() + ATTACK_MS;
    const openOne = () => {
      if (now() > deadline || attempts >= MAX_ATTEMPTS) return;
      attempts++;
      const s = net.connect({ host: HOST, port: server.port, localAddress: '127.0.0.2' });
      live.add(s);
      s.on('connect', () => {
        connected++;
        s.connectedAt = now();
        s.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: webs'); // half a head, never more
      });
      s.on('data', () => {});
      s.on('error', () => { if (!s.connectedAt) connectErrors++; });
      s.on('close', () => {
        live.delete(s);
        if (s.connectedAt && !s.destroyedByUs) closedByServer++;
        if (reopen && !s.destroyedByUs) setTimeout(openOne, 1000);
      });
    };
    for (let i = 0; i < 5000; i++) {
      openOne();
      if (i % 250 === 249) await new Promise((r) => setImmediate(r));
    }
    const openLongerThan = (ms) => [...live].filter((s) => s.connectedAt && now() - s.connectedAt > ms).length;
    while (now() < deadline) {
      await sleep(500);
      liveSamples.push(openLongerThan(1000));
    }
    const joinResult = await joins;
    const stats = sampler.stop();
    const logLines = server.stderrLines - lines0;
    for (const s of live) { s.destroyedByUs = true; s.destroy(); }
    const m = await server.metrics();
    checkServer(server, 'scenario 1');
    return {
      scenario: reopen ? '1b' : '1a',
      attack: reopen
        ? '5,000 half request heads from 127.0.0.2, each refused one re-opened after 1 s (10 s)'
        : '5,000 half request heads from 127.0.0.2, once (10 s)',
      setting: 'defaults (--max-per-ip 64, --handshake-timeout 5)',
      attempts, connected, closedByServer, connectErrors,
      attackerOpenOver1sMax: Math.max(...liveSamples),
      serverPendingHandshakesPeak: stats.metricPeaks.chat_pending_handshakes,
      serverConnectionsPeak: stats.metricPeaks.chat_connections,
      serverFdsBefore: stats.fdsBefore, serverFdsPeak: stats.fdsPeak,
      refusedOverAddressLimit: Object.entries(m).filter(([k]) => k.startsWith('chat_connections_refused_total') && k.includes('address')).reduce((n, [, v]) => n + v, 0),
      logLines, logLinesPerS: +(logLines / stats.seconds).toFixed(1),
      ...stats, metricPeaks: undefined, kernelPeak: undefined,
      others: joinResult,
      othersText: `10 joins from 127.0.0.1: ${joinResult.joins}/10 ok, p50 ${joinResult.p50Ms} ms, max ${joinResult.maxMs} ms`,
    };
  });
}

// 2. 1,000 joined clients that never read after the upgrade, after a history of 200 × 12 KB;
//    then the talkers keep talking within the limits for 10 s (every non-reader's backlog grows
//    to the outbox cap and is cut). And the same 1,000 clients reading, for comparison.
const NON_READERS = Number(process.env.ATTACKS_NONREADERS ?? 1000);
const ATTACK_ADDRESSES = Array.from({ length: 31 }, (_, i) => `127.0.0.${10 + i}`);

async function joinMany(port, count, { read }) {
  const clients = [];
  const failures = [];
  for (let start = 0; start < count; start += 50) {
    const batch = [];
    for (let i = start; i < Math.min(count, start + 50); i++) {
      const c = new RawWs(port, ATTACK_ADDRESSES[i % ATTACK_ADDRESSES.length], { parse: false });
      batch.push(c.open(hello(`${read ? 'rd' : 'nr'}${i}`)).then(() => {
        if (!read) c.pause(); // never reads again: the welcome stays in the buffers
        clients.push(c);
      }, (error) => failures.push(error.message)));
    }
    await Promise.all(batch);
  }
  return { clients, failures };
}

async function waitOnline(server, target, timeoutMs) {
  const deadline = now() + timeoutMs;
  let m = {};
  while (now() < deadline) {
    m = await server.metrics();
    if ((m.chat_online_users ?? 0) >= target) break;
    await sleep(250);
  }
  return m.chat_online_users ?? 0;
}

async function scenario2(binary) {
  const out = [];
  // 2a + 2c: non-readers.
  const extra = process.env.ATTACKS_S2_ARGS ? process.env.ATTACKS_S2_ARGS.split(' ') : [];
  out.push(...await withServer(binary, extra, async (server) => {
    const rss0 = server.status().rssKb;
    const talkers = await openTalkers(server.port);
    progress('2a: talkers joined');
    const fill = await fillHistory(server, talkers, 200, TEXT_12K);
    progress(`2a: history filled ${JSON.stringify(fill)}`);
    await sleep(500);
    const welcome = await probeWelcome(server.port, 'sizer');
    const rssHistory = server.status().rssKb;
    const cpu0 = server.cpuTicks();
    const sampler = new Sampler(server, { kernel: true });
    sampler.start();
    const t0 = now();
    const { clients, failures } = await joinMany(server.port, NON_READERS, { read: false });
    progress(`2a: ${clients.length} non-readers upgraded, ${failures.length} failed`);
    const online = await waitOnline(server, NON_READERS + talkers.length, 20000);
    progress(`2a: ${online} online`);
    const joinSeconds = (now() - t0) / 1000;
    await sleep(2000);
    const joined = sampler.stop();
    const kernel = server.kernelQueues();
    const attackerRx = clients.reduce((n, c) => n + (c.bytesIn), 0);
    const row2a = {
      scenario: '2a',
      attack: '1,000 joined clients (127.0.0.10-40, ≤ 33 per address) that never read after the upgrade',
      setting: `defaults; history 200 × 12 KB (welcome ${Math.round(welcome.bytes / 1024)} KiB, ${welcome.historyCount} messages)`,
      historyFill: fill,
      rssEmptyKb: rss0, rssWithHistoryKb: rssHistory,
      joinedOk: clients.length, joinFailures: failures.length, onlineAfter: online,
      joinSeconds: +joinSeconds.toFixed(1),
      cpuSecondsForJoins: +((server.cpuTicks() - cpu0) / CLK_TCK).toFixed(2),
      ...joined, metricPeaks: undefined,
      perConnectionKb: +((joined.rssAfterKb - joined.rssBeforeKb) / clients.length).toFixed(1),
      serverKernelTxMiB: +(kernel.txBytes / 1048576).toFixed(1),
      serverKernelTxPerConnKb: +(kernel.txBytes / 1024 / clients.length).toFixed(1),
      welcomeBytes: welcome.bytes,
    };
    checkServer(server, 'scenario 2a');

    // 2c: the talkers go on, each one 12 KB message every 400 ms (30.8 KB/s: under 32 KiB/s per
    // connection and 128 KiB/s per address), 10 s: 40 messages/s to 1,000 non-readers.
    const observer = runProbe('rtt', [server.port, 10000, 250], 40000);
    const talk = new Sampler(server, { kernel: true });
    talk.start();
    const end = now() + 10000;
    let talked = 0;
    let lastCpu = server.cpuTicks();
    const watch = process.env.ATTACKS_DEBUG ? setInterval(() => {
      const cpu = server.cpuTicks();
      const q = server.kernelQueues();
      progress(`2c: talked ${talked}, server RSS ${MiB(server.status().rssKb)} MiB, CPU ${cpu - lastCpu}%, kernel tx ${(q.txBytes / 1048576).toFixed(1)} MiB over ${q.sockets} sockets, ${server.stderrLines} log lines`);
      lastCpu = cpu;
    }, 1000) : null;
    await Promise.all(talkers.map(async (c, k) => {
      await sleep(k * 25);
      while (now() < end && !c.isClosed) {
        sendMessage(c, TEXT_12K);
        talked++;
        await sleep(400);
      }
    }));
    const obs = await observer;
    const talkEnded = now();
    // Until every non-reader is gone (cut at the outbox cap, or closed for not answering pings),
    // at most 25 s: how long it takes, and what the kernel still holds for them afterwards.
    let m = {};
    let allGoneMs = null;
    while (now() - talkEnded < 25000) {
      m = await server.safeMetrics('scenario 2c, after the talk');
      if (!server.alive()) break;
      if (m.chat_connections !== undefined && m.chat_connections <= talkers.length + 1) {
        allGoneMs = Math.round(now() - talkEnded);
        break;
      }
      await sleep(1000);
    }
    if (process.env.ATTACKS_DEBUG) { progress(`server pid ${server.pid}`); await sleep(Number(process.env.ATTACKS_DEBUG) * 1000); }
    clearInterval(watch);
    const talkStats = talk.stop();
    const kernelAfter = server.kernelQueues();
    server.orphanCheck = { at: now(), ...kernelAfter };
    const row2c = {
      scenario: '2c',
      attack: 'the same 1,000 non-readers while 16 talkers (127.0.0.50-53) send 12 KB messages within the byte rates, 10 s',
      setting: 'defaults (--max-outbox-bytes 1 MiB)',
      talked, refusedTalkers: talkers.reduce((n, c) => n + c.refused, 0),
      connectionsLeft: m.chat_connections, onlineLeft: m.chat_online_users,
      nonReadersGoneMsAfterTalk: allGoneMs,
      cutForNotReading: server.log.doesNotRead, maxUnsentAtCut: server.log.maxUnsent,
      closedForPings: server.log.silent,
      ...talkStats, metricPeaks: undefined,
      peakPerConnectionKb: +((talkStats.rssPeakKb - joined.rssBeforeKb) / clients.length).toFixed(1),
      serverKernelTxPeakMiB: +(talkStats.kernelPeak.txBytes / 1048576).toFixed(1),
      kernelAfterCut: { sockets: kernelAfter.sockets, orphans: kernelAfter.orphans, orphanTxMiB: +(kernelAfter.orphanTxBytes / 1048576).toFixed(1) },
      others: obs,
      othersText: `observer (127.0.0.1) send→echo: ${obs.echoed}/${obs.sent}, p50 ${obs.p50Ms} ms, max ${obs.maxMs} ms${obs.closeCode ? `, closed ${obs.closeCode}` : ''}`,
    };
    row2a.othersText = '(see 2c)';
    if (checkServer(server, 'scenario 2c')) {
      const capKb = (1048576 + 256 * 1024) / 1024;
      if (row2c.peakPerConnectionKb > capKb)
        findings.push(`scenario 2c: server RSS grew by ${row2c.peakPerConnectionKb} KiB per non-reading connection (peak ${MiB(talkStats.rssPeakKb)} MiB for ${clients.length}), above the 1 MiB outbox cap + one 256 KiB batch; ${server.log.doesNotRead} were cut for not reading, with up to ${server.log.maxUnsent} bytes unsent at the cut`);
      if (obs.lost > 0 || obs.maxMs > 1000)
        findings.push(`scenario 2c: a normal client's send→echo took up to ${obs.maxMs} ms (p50 ${obs.p50Ms} ms), ${obs.lost} of ${obs.sent} not echoed`);
    }
    // The non-readers keep their ends open (their kernels still answer the server's zero-window
    // probes): does the server's kernel let go of what it queued for them?
    await sleep(10000);
    const later = server.kernelQueues();
    row2c.kernelLater = {
      secondsAfter: Math.round((now() - server.orphanCheck.at) / 1000),
      orphans: later.orphans, orphanTxMiB: +(later.orphanTxBytes / 1048576).toFixed(1),
    };
    if (later.orphans > 0)
      findings.push(`scenario 2c: ${row2c.kernelLater.secondsAfter} s after the server let go of them, the kernel still held ${later.orphans} of its connections with ${row2c.kernelLater.orphanTxMiB} MiB of unsent data, uncounted by --max-connections and --max-per-ip`);
    for (const c of [...clients, ...talkers]) c.destroy();
    return [row2a, row2c];
  }));

  // 2b: the same 1,000 clients, reading: what a joined connection costs when it does read.
  out.push(await withServer(binary, [], async (server) => {
    const talkers = await openTalkers(server.port);
    await fillHistory(server, talkers, 200, TEXT_12K);
    await sleep(500);
    const sampler = new Sampler(server);
    sampler.start();
    const { clients, failures } = await joinMany(server.port, 1000, { read: true });
    const online = await waitOnline(server, 1000 + talkers.length, 20000);
    await sleep(2000);
    const stats = sampler.stop();
    checkServer(server, 'scenario 2b');
    for (const c of [...clients, ...talkers]) c.destroy();
    return {
      scenario: '2b',
      attack: 'for comparison: the same 1,000 joins, clients that read their welcome',
      setting: 'defaults; history 200 × 12 KB',
      joinedOk: clients.length, joinFailures: failures.length, onlineAfter: online,
      ...stats, metricPeaks: undefined, kernelPeak: undefined,
      perConnectionKb: +((stats.rssAfterKb - stats.rssBeforeKb) / clients.length).toFixed(1),
      othersText: '',
    };
  }));
  return out;
}

// 6. Non-readers that reset (RST) their connections while the server still holds bytes for
//    them and is busy: the talkers of 2c, 1,000 clients (127.0.0.10-40) that never read, all
//    reset at once 7 s into the talk. The server must notice and drop them, and live.
async function scenario6(binary) {
  return withServer(binary, [], async (server) => {
    const talkers = await openTalkers(server.port);
    const { clients: victims } = await joinMany(server.port, 1000, { read: false });
    await waitOnline(server, 1000 + talkers.length, 20000);
    const sampler = new Sampler(server, { kernel: true });
    sampler.start();
    const end = now() + 12000;
    let talked = 0;
    const talking = Promise.all(talkers.map(async (c, k) => {
      await sleep(k * 25);
      while (now() < end && !c.isClosed && server.alive()) {
        sendMessage(c, TEXT_12K);
        talked++;
        await sleep(400);
      }
    }));
    await sleep(7000);
    const before = server.kernelQueues();
    const rssAtReset = server.status().rssKb;
    for (const c of victims) c.socket.resetAndDestroy();
    await talking;
    await sleep(2000);
    const m = server.alive() ? await server.safeMetrics('scenario 6') : {};
    const stats = sampler.stop();
    const alive = checkServer(server, 'scenario 6 (non-readers that reset)');
    for (const c of talkers) c.destroy();
    return {
      scenario: '6',
      attack: '1,000 joined non-readers (127.0.0.10-40) reset (RST) all at once, 7 s into 2c\'s talk (16 talkers, 12 KB messages within the byte rates, 12 s)',
      setting: 'defaults',
      talked, reset: victims.length,
      kernelTxAtResetMiB: +(before.txBytes / 1048576).toFixed(1), rssAtResetMiB: +MiB(rssAtReset),
      connectionsAfter: m.chat_connections,
      serverAlive: alive, exit: server.exit,
      ...stats, metricPeaks: undefined, kernelPeak: undefined,
      othersText: alive ? 'server survived' : `SERVER CRASHED (${JSON.stringify(server.exit)})`,
    };
  });
}

// 3. Resume storm: 4 connections at a time from 127.0.0.6, each hello asking to resume from
//    `back` messages ago; the moment its welcome is in, it drops and the next one comes.
async function resumeStorm(server, back, seconds, welcomeInfo) {
  const results = { resumedTrue: 0, resumedFalse: 0, failed: 0, bytes: [], ms: [] };
  const end = now() + seconds * 1000;
  let n = 0;
  const observer = runProbe('rtt', [server.port, seconds * 1000, 250], seconds * 1000 + 30000);
  const sampler = new Sampler(server);
  sampler.start();
  await Promise.all([0, 1, 2, 3].map(async () => {
    while (now() < end) {
      const c = new RawWs(server.port, '127.0.0.6');
      const t0 = now();
      try {
        await c.open(hello(`resumer${n++}`, { lastSeq: welcomeInfo.seq - back, instance: welcomeInfo.instance }));
        const text = await c.next(isWelcome, 5000);
        results.ms.push(now() - t0);
        results.bytes.push(Buffer.byteLength(text));
        if (text.includes('"resumed":true')) results.resumedTrue++; else results.resumedFalse++;
      } catch {
        results.failed++;
        await sleep(50);
      }
      c.destroy();
    }
  }));
  const obs = await observer;
  const stats = sampler.stop();
  return {
    resumes: results.resumedTrue + results.resumedFalse,
    resumesPerS: +((results.resumedTrue + results.resumedFalse) / stats.seconds).toFixed(0),
    resumedTrue: results.resumedTrue, resumedFalse: results.resumedFalse, failed: results.failed,
    welcomeKiBAvg: +(results.bytes.reduce((a, b) => a + b, 0) / Math.max(1, results.bytes.length) / 1024).toFixed(0),
    answerP50Ms: +percentile(results.ms, 0.5).toFixed(1), answerMaxMs: +Math.max(...results.ms).toFixed(1),
    cpuMsPerResume: +((stats.cpuSeconds * 1000) / Math.max(1, results.resumedTrue + results.resumedFalse)).toFixed(2),
    ...stats, metricPeaks: undefined, kernelPeak: undefined,
    others: obs,
    othersText: `observer send→echo: ${obs.echoed}/${obs.sent}, p50 ${obs.p50Ms} ms, max ${obs.maxMs} ms`,
  };
}

async function scenario3(binary) {
  const out = [];
  out.push(...await withServer(binary, ['--history', '1000'], async (server) => {
    const talkers = await openTalkers(server.port);
    const fill = await fillHistory(server, talkers, 272, TEXT_12K);
    for (const c of talkers) c.destroy();
    await sleep(500);
    const w = await probeWelcome(server.port, 'probe');
    const rows3 = [];
    const a = await resumeStorm(server, 250, 10, w);
    rows3.push({
      scenario: '3a',
      attack: 'resume storm: 4 at a time from 127.0.0.6, hello lastSeq 250 back (3 MB of 12 KB messages), 10 s',
      setting: `--history 1000, ${w.seq} messages of 12 KB held`,
      historyFill: fill, ...a,
    });
    checkServer(server, 'scenario 3a');
    const b = await resumeStorm(server, 20, 10, w);
    rows3.push({
      scenario: '3b',
      attack: 'the same, lastSeq 20 back (the largest gap that still fits in 256 KiB: answered resumed:true), 10 s',
      setting: `--history 1000, ${w.seq} messages of 12 KB held`, ...b,
    });
    checkServer(server, 'scenario 3b');
    return rows3;
  }));

  // 3c: the issue's "resume 950 messages back": small messages, so 950 of them fit in the byte
  // limit, with the default --history 200 and a SQLite file, so 750 are read back from disk.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'attacks-'));
  try {
    const server = await new Server(binary, ['--db', path.join(dir, 'h.sqlite')]).start();
    try {
      const talkers = await openTalkers(server.port);
      const fill = await fillHistory(server, talkers, 1008, 'x'.repeat(80));
      for (const c of talkers) c.destroy();
      await sleep(500);
      const w = await probeWelcome(server.port, 'probe');
      const c = await resumeStorm(server, 950, 10, w);
      out.push({
        scenario: '3c',
        attack: 'resume storm as 3a, lastSeq 950 back (750 of them read from SQLite), 10 s',
        setting: `--db FILE, --history 200 (default), ${w.seq} messages of 80 B`,
        historyFill: fill, ...c,
      });
      checkServer(server, 'scenario 3c');
    } finally {
      const exit = await server.stop();
      if (exit.signal && exit.signal !== 'SIGTERM') findings.push(`server ended by ${exit.signal}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

// 4. Frame floods from 4 connections on 127.0.0.7 for 10 s each kind; a flooder that is closed
//    comes back at once and floods again.
const FLOODS = {
  empty: { first: frame(1, EMPTY, false), unit: frame(0, EMPTY, false), what: 'empty non-final fragments' },
  onebyte: { first: frame(1, Buffer.from('a'), false), unit: frame(0, Buffer.from('a'), false), what: 'one-byte non-final fragments' },
  ping: { first: frame(9), unit: frame(9), what: 'empty WebSocket pings' },
};

async function flood(server, kind, seconds) {
  const f = FLOODS[kind];
  const chunk = Buffer.concat(Array(Math.floor(65536 / f.unit.length)).fill(f.unit));
  const end = now() + seconds * 1000;
  const lifetimes = [];
  const codes = {};
  let connections = 0;
  let joinFailures = 0;
  let bytesSent = 0;
  let n = 0;
  const observer = runProbe('rtt', [server.port, seconds * 1000, 250], seconds * 1000 + 30000);
  const sampler = new Sampler(server);
  sampler.start();
  await Promise.all([0, 1, 2, 3].map(async () => {
    while (now() < end) {
      const c = new RawWs(server.port, '127.0.0.7');
      try {
        await c.open(hello(`flood${kind}${n++}`));
        await c.next(isWelcome, 5000);
      } catch {
        joinFailures++; // refused (the address is over its byte budget) or too slow
        c.destroy();
        await sleep(100);
        continue;
      }
      connections++;
      const t0 = now();
      const written0 = c.socket.bytesWritten;
      c.write(f.first);
      while (!c.closeFrame && !c.isClosed && now() < end) {
        if (!c.write(chunk)) {
          await Promise.race([new Promise((r) => c.socket.once('drain', r)), c.closed, sleep(Math.max(0, end - now()))]);
        }
      }
      if (c.closeFrame || c.isClosed) {
        const at = c.closeFrame?.ms ?? c.closedAt;
        lifetimes.push(at - t0);
        const key = c.closeFrame ? `${c.closeFrame.code} "${c.closeFrame.reason}"` : `no close frame (${c.error ?? 'EOF'})`;
        codes[key] = (codes[key] ?? 0) + 1;
      }
      bytesSent += c.socket.bytesWritten - written0;
      await Promise.race([c.closed, sleep(200)]);
      c.destroy();
    }
  }));
  const obs = await observer;
  const stats = sampler.stop();
  return {
    scenario: `4-${kind}`,
    attack: `4 connections from 127.0.0.7 flooding ${f.what}, re-joining when closed, 10 s`,
    setting: 'defaults (32 KiB/s + 256 per data frame, 8 s bursts; 1,024 fragments)',
    connections, joinFailures,
    floodMiBWritten: +(bytesSent / 1048576).toFixed(1),
    closedP50Ms: +percentile(lifetimes, 0.5).toFixed(1), closedMaxMs: +Math.max(...lifetimes).toFixed(1),
    notClosedWithin10s: connections - lifetimes.length,
    closeCodes: codes,
    ...stats, metricPeaks: undefined, kernelPeak: undefined,
    others: obs,
    othersText: `observer send→echo: ${obs.echoed}/${obs.sent}, p50 ${obs.p50Ms} ms, max ${obs.maxMs} ms${obs.closeCode ? `, closed ${obs.closeCode}` : ''}`,
  };
}

async function scenario4(binary) {
  const out = [];
  for (const kind of Object.keys(FLOODS)) {
    out.push(await withServer(binary, [], async (server) => {
      const r = await flood(server, kind, 10);
      checkServer(server, `scenario 4 ${kind}`);
      return r;
    }));
  }
  return out;
}

// 5. 8 connections from 127.0.0.8 sending 16 KB messages at the message rate (10/s each) for
//    20 s, re-joining 1 s after a close, while an honest reader on 127.0.0.9 reads at 4 Mbit/s.
async function scenario5(binary) {
  return withServer(binary, [], async (server) => {
    const SECONDS = 20;
    const reader = runProbe('reader', [server.port, SECONDS * 1000 + 1000, 500000], SECONDS * 1000 + 40000);
    await sleep(700); // the reader has joined
    const sampler = new Sampler(server);
    sampler.start();
    const end = now() + SECONDS * 1000;
    const tally = { sent: 0, accepted: 0, refusedRateLimited: 0, refusedOther: 0, closes: {}, joins: 0 };
    let n = 0;
    await Promise.all(Array.from({ length: 8 }, async () => {
      while (now() < end) {
        const c = new RawWs(server.port, '127.0.0.8');
        c.nick = `sender${n++}`;
        const mine = new Set();
        c.onText = (payload) => {
          if (payload.length < 2000) {
            const text = payload.toString();
            if (text.includes('"type":"error"')) {
              if (text.includes('"rate_limited"')) tally.refusedRateLimited++; else tally.refusedOther++;
            }
            return;
          }
          const id = /"id":"([^"]+)"/.exec(payload.subarray(0, 200).toString() + payload.subarray(-300).toString());
          if (id && mine.delete(id[1])) tally.accepted++;
        };
        try {
          await c.open(hello(c.nick));
          await c.next(isWelcome, 5000);
        } catch {
          c.destroy();
          await sleep(1000);
          continue;
        }
        tally.joins++;
        while (!c.closeFrame && !c.isClosed && now() < end) {
          mine.add(sendMessage(c, TEXT_16K));
          tally.sent++;
          await sleep(100);
        }
        if (c.closeFrame) {
          const key = `${c.closeFrame.code} "${c.closeFrame.reason}"`;
          tally.closes[key] = (tally.closes[key] ?? 0) + 1;
          await Promise.race([c.closed, sleep(1000)]);
        } else if (c.isClosed) {
          tally.closes[`no close frame (${c.error})`] = (tally.closes[`no close frame (${c.error})`] ?? 0) + 1;
          await sleep(1000);
        } else {
          await sleep(300); // let the last echoes in
        }
        c.destroy();
      }
    }));
    const r = await reader;
    const stats = sampler.stop();
    checkServer(server, 'scenario 5');
    if (!r.stillConnected) findings.push(`scenario 5: the honest reader was cut off after ${r.connectedMs} ms (${JSON.stringify(r)})`);
    return {
      scenario: '5',
      attack: '8 connections from 127.0.0.8 sending 16 KB messages at 10/s each (the message rate), re-joining 1 s after a close, 20 s',
      setting: 'defaults; reader on 127.0.0.9 at 4 Mbit/s',
      ...tally,
      ...stats, metricPeaks: undefined, kernelPeak: undefined,
      others: r,
      othersText: `reader ${r.stillConnected ? 'stayed connected' : `CUT OFF after ${r.connectedMs} ms (${r.closeCode ?? r.socketError})`}, ${r.messages} messages at ${r.kbitPerS} kbit/s, lag max ${r.maxLagMs} ms`,
    };
  });
}

// ---------------------------------------------------------------------------------------------

function machine() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  return {
    date: new Date().toISOString(),
    nproc: os.cpus().length,
    cpu: /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? '?',
    kernel: os.release(),
    node: process.version,
    memGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
  };
}

function tableRow(r) {
  const mib = (kb) => (Number.isFinite(kb) && kb > 0 ? MiB(kb) : '—');
  const rss = `${mib(r.rssBeforeKb)} → ${mib(r.rssPeakKb)} → ${mib(r.rssAfterKb)}`;
  let per = '';
  if (r.perConnectionKb !== undefined) per = `${r.perConnectionKb} KiB/conn`;
  if (r.peakPerConnectionKb !== undefined) per = `peak ${r.peakPerConnectionKb} KiB/conn`;
  let detail = '';
  switch (r.scenario.slice(0, 1)) {
    case '1':
      detail = `${r.attempts} attempts; server held ≤ ${r.serverPendingHandshakesPeak} handshakes (fds ${r.serverFdsBefore} → ${r.serverFdsPeak}); ${r.logLines} log lines`;
      break;
    case '2':
      detail = r.scenario === '2c'
        ? `${r.talked} messages talked; ${r.cutForNotReading} cut for not reading (up to ${r.maxUnsentAtCut} B unsent at the cut), ${r.closedForPings} closed for pings, all gone ${r.nonReadersGoneMsAfterTalk ?? 'NOT'} ms after the talk; kernel send queues ≤ ${r.serverKernelTxPeakMiB} MiB; afterwards the kernel kept ${r.kernelAfterCut.orphans} closed connections with ${r.kernelAfterCut.orphanTxMiB} MiB${r.kernelLater ? ` (${r.kernelLater.orphans} with ${r.kernelLater.orphanTxMiB} MiB ${r.kernelLater.secondsAfter} s later)` : ''}`
        : `${r.joinedOk} joined${r.serverKernelTxMiB !== undefined ? `; kernel send queues ${r.serverKernelTxMiB} MiB (${r.serverKernelTxPerConnKb} KiB/conn)` : ''}`;
      break;
    case '3':
      detail = `${r.resumes} resumes (${r.resumesPerS}/s): ${r.resumedTrue} true, ${r.resumedFalse} false, ${r.failed} failed; ${r.welcomeKiBAvg} KiB each; ${r.cpuMsPerResume} ms CPU each`;
      break;
    case '4':
      detail = `${r.connections} connections (${r.joinFailures} joins refused), flooders wrote ${r.floodMiBWritten} MiB; closed after p50 ${r.closedP50Ms} / max ${r.closedMaxMs} ms: ${Object.entries(r.closeCodes).map(([k, v]) => `${v}× ${k}`).join(', ')}`;
      break;
    case '6':
      detail = `${r.talked} messages talked, ${r.reset} resets (server RSS ${r.rssAtResetMiB} MiB, kernel send queues ${r.kernelTxAtResetMiB} MiB at the reset)`;
      break;
    case '5':
      detail = `${r.sent} sent, ${r.accepted} accepted, ${r.refusedRateLimited} rate_limited; closes: ${Object.entries(r.closes).map(([k, v]) => `${v}× ${k}`).join(', ') || 'none'}`;
      break;
    default:
  }
  return `| ${r.scenario} | ${r.attack} | ${r.setting} | ${rss} | ${per} | ${r.cpuPct} | ${detail} | ${r.othersText} |`;
}

async function main() {
  const args = process.argv.slice(2);
  if (args[0] === '--probe') {
    const [, mode, ...rest] = args;
    const num = rest.map(Number);
    let result;
    try {
      if (mode === 'joins') result = await probeJoins(num[0], num[1], num[2]);
      else if (mode === 'rtt') result = await probeRtt(num[0], num[1], num[2]);
      else if (mode === 'reader') result = await probeReader(num[0], num[1], num[2]);
      else throw new Error(`unknown probe ${mode}`);
    } catch (error) {
      result = { error: String(error.message || error) };
    }
    console.log(JSON.stringify(result));
    process.exit(0);
  }

  const binary = args[0];
  if (!binary || !existsSync(binary)) {
    console.error('usage: node bench/attacks.mjs path/to/chat-server [--only 123456]');
    process.exit(2);
  }
  const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : '123456';
  const watchdog = setTimeout(() => {
    console.error('FAIL: the run took over 8 minutes');
    process.exit(1);
  }, 8 * 60 * 1000);
  watchdog.unref();

  const m = machine();
  console.log(`# chat-server attacks, ${m.date}: ${m.nproc} × ${m.cpu}, ${m.memGiB} GiB, Linux ${m.kernel}, Node ${m.node}`);
  const started = now();
  const scenarios = [
    ['1', async () => [await scenario1(binary, { reopen: false }), await scenario1(binary, { reopen: true })]],
    ['2', () => scenario2(binary)],
    ['3', () => scenario3(binary)],
    ['4', () => scenario4(binary)],
    ['5', async () => [await scenario5(binary)]],
    ['6', async () => [await scenario6(binary)]],
  ];
  for (const [key, run] of scenarios) {
    if (!only.includes(key)) continue;
    const t0 = now();
    const load = os.loadavg()[0];
    try {
      for (const r of await run()) {
        r.loadAvgAtStart = +load.toFixed(2);
        rows.push(r);
        console.log(JSON.stringify(r));
      }
    } catch (error) {
      findings.push(`scenario ${key} failed: ${error.stack || error}`);
      console.log(`scenario ${key} failed: ${error.stack || error}`);
    }
    console.error(`scenario ${key}: ${((now() - t0) / 1000).toFixed(0)} s`);
  }
  console.log(`\nTotal ${((now() - started) / 1000).toFixed(0)} s.\n`);
  console.log('| # | attack | setting | server RSS MiB before → peak → after | per connection | server CPU % of one core | what the server did | what others saw |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(tableRow(r));
  if (findings.length) {
    console.log('\n## Findings\n');
    for (const f of findings) console.log(`- ${f}`);
  }
  process.exit(findings.length ? 1 : 0);
}

await main();
