// What the Node tests share: the real chat-server binary started and stopped, bounded waits, and
// a small protocol client on the `ws` package (docs/protocol.md) that keeps every frame it got;
// for the browser tests, Chromium and playwright-core found.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import WebSocket from 'ws';

export { WebSocket };

export const PROTOCOL_VERSION = 3;

// Every wait in these tests is bounded: a promise that has not settled in `ms` rejects.
export function within(ms, what, promise) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// What a browser test starts with: the chat-server binary named first on its command line,
// Debian's Chromium (exit 77, CTest's SKIP_RETURN_CODE, when it is missing) and playwright-core;
// a watchdog fails the whole run after `totalMs` whatever happens. `usage` is the command line.
export async function startBrowserTest(usage, totalMs) {
  const binary = process.argv[2];
  if (!binary || !existsSync(binary)) {
    console.error(`usage: ${usage}`);
    process.exit(2);
  }
  const executablePath = process.env.CHAT_CHROMIUM || '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    console.log(`SKIP: ${executablePath} is missing (Debian package chromium; scripts/test.sh installs it)`);
    process.exit(77);
  }
  let chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch (error) {
    console.error(`playwright-core is missing: run "npm ci" in tests/browser (scripts/test.sh does).\n${error}`);
    process.exit(1);
  }
  const watchdog = setTimeout(() => {
    console.error(`FAIL: the whole test took over ${totalMs} ms`);
    process.exit(1);
  }, totalMs);
  return { binary, chromium, executablePath, watchdog };
}

// A running chat-server. `start` resolves once it printed its `listening on` line.
export class ServerProcess {
  constructor(binary, args) {
    this.binary = binary;
    this.args = args;
    this.stderr = '';
    this.child = null;
    this.port = 0;
  }

  async start() {
    const child = spawn(this.binary, this.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => { this.stderr = (this.stderr + chunk).slice(-20000); });
    child.stdout.setEncoding('utf8');
    const listening = new Promise((resolve, reject) => {
      let buffered = '';
      child.stdout.on('data', (chunk) => {
        buffered += chunk;
        const match = /^listening on (wss?):\/\/[^\s:]+:(\d+)\/$/m.exec(buffered);
        if (match) resolve(Number(match[2]));
      });
      child.once('exit', (code) => reject(new Error(`chat-server exited (${code}) before listening:\n${this.stderr}`)));
      child.once('error', reject);
    });
    this.port = await within(10000, 'chat-server to listen', listening);
    return this.port;
  }

  // Sends a signal (SIGSTOP freezes it, SIGKILL is a crash); resolves once a killed one is gone.
  async signal(name) {
    this.child.kill(name);
    if (name === 'SIGKILL') await within(5000, 'chat-server to die', this.exited);
  }

  // SIGTERM (the server closes every client with 1001), then SIGKILL if it hangs.
  async stop() {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    try {
      await within(5000, 'chat-server to exit', this.exited);
    } catch {
      this.child.kill('SIGKILL');
      await within(5000, 'chat-server to die', this.exited);
    }
  }
}

// True when this build's chat-server has the option (some options arrive with other features).
export async function serverHasOption(binary, option) {
  const child = spawn(binary, ['--help'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let text = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => { text += chunk; });
  await within(5000, 'chat-server --help', new Promise((resolve) => child.once('exit', resolve)));
  return text.includes(option);
}

// One WebSocket speaking the chat protocol; `frames` holds every decoded server frame in order.
export class ProtocolClient {
  // `options` go to the ws package: {headers: {Cookie: 'chat_token=…', Origin: …}}.
  constructor(url, options = {}) {
    this.url = url;
    this.options = options;
    this.frames = [];
    this.closed = null; // {code, reason} once closed
    this.listeners = new Set();
  }

  async open() {
    this.ws = new WebSocket(this.url, this.options);
    this.ws.on('message', (data, isBinary) => {
      const frame = isBinary ? { type: '(binary)' } : JSON.parse(data.toString('utf8'));
      this.frames.push(frame);
      this.notify();
    });
    this.ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString('utf8') };
      this.notify();
    });
    await within(5000, `WebSocket open to ${this.url}`, new Promise((resolve, reject) => {
      this.ws.once('open', resolve);
      this.ws.once('error', reject);
    }));
    this.ws.on('error', () => { /* a close event follows */ });
    return this;
  }

  notify() {
    for (const listener of this.listeners) listener();
  }

  send(object) {
    this.ws.send(typeof object === 'string' ? object : JSON.stringify(object));
  }

  // Resolves with the first frame (from index `from` on) that `predicate` accepts.
  waitFor(predicate, what, ms = 10000, from = 0) {
    return within(ms, what, new Promise((resolve) => {
      const check = () => {
        const found = this.frames.slice(from).find(predicate);
        if (found) {
          this.listeners.delete(check);
          resolve(found);
        }
      };
      this.listeners.add(check);
      check();
    }));
  }

  waitClosed(ms = 10000) {
    return within(ms, 'the connection to close', new Promise((resolve) => {
      const check = () => {
        if (this.closed) {
          this.listeners.delete(check);
          resolve(this.closed);
        }
      };
      this.listeners.add(check);
      check();
    }));
  }

  // A version-3 hello with these fields (register, login or token, device, lastSeq, …);
  // resolves with the welcome, rejects on a refusal.
  async hello(fields) {
    const from = this.frames.length;
    this.send({ type: 'hello', version: PROTOCOL_VERSION, ...fields });
    const who = fields.register?.name ?? fields.login?.name ?? (fields.token ? 'a token' : 'a cookie');
    const reply = await this.waitFor((f) => f.type === 'welcome' || f.type === 'error',
      `welcome for ${who}`, 10000, from);
    if (reply.type !== 'welcome') throw new Error(`hello refused: ${JSON.stringify(reply)}`);
    return reply;
  }

  // Creates the account and logs in; the welcome carries the token for later hellos.
  register(name, password, extra = {}) {
    const { display, invite, ...rest } = extra;
    const register = { name, password };
    if (display !== undefined) register.display = display;
    if (invite !== undefined) register.invite = invite;
    return this.hello({ register, ...rest });
  }

  messages(room) {
    return this.frames.filter((f) => f.type === 'message' && (room === undefined || f.room === room));
  }

  // Sends a request with a fresh id and resolves with the answer whose ref is that id: its own
  // kind (done, rooms, members, history) or an error, whichever comes.
  async request(fields, what, ms = 10000) {
    this.requests = (this.requests || 0) + 1;
    const id = `${fields.type}-${this.requests}`;
    const from = this.frames.length;
    this.send({ ...fields, id });
    return this.waitFor((f) => f.ref === id, what || `the answer to ${fields.type}`, ms, from);
  }

  close() {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.close(1000);
  }
}

// Steps print as they pass; the last line is the plain "N passed, N failed" CTest logs show.
export class Steps {
  constructor() {
    this.passed = 0;
  }

  async run(name, body) {
    const started = Date.now();
    await body();
    this.passed += 1;
    console.log(`ok ${this.passed} - ${name} (${Date.now() - started} ms)`);
  }
}

export function check(condition, message) {
  if (!condition) throw new Error(`check failed: ${message}`);
}
