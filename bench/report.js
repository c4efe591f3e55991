// Turns the JSON lines of a scripts/bench.sh run into the table of docs/performance.md (between
// its bench.sh markers) and the data and gnuplot script for docs/performance.png.
// Usage: node report.js RESULTS.jsonl PERFORMANCE.md PLOT_DIR   (machine facts in BENCH_* vars)
'use strict';
const fs = require('fs');
const path = require('path');

const [resultsPath, docPath, plotDir] = process.argv.slice(2);
const env = process.env;
const runs = fs.readFileSync(resultsPath, 'utf8').split('\n').filter((l) => l.trim())
  .map((l) => { try { return JSON.parse(l); } catch { return { label: 'unreadable' }; } });

const byLabel = new Map();
for (const run of runs) {
  if (!byLabel.has(run.label)) byLabel.set(run.label, []);
  byLabel.get(run.label).push(run);
}
// The median over the rounds of one field of one label; null when there is no such run.
function median(label, field) {
  const values = (byLabel.get(label) || []).map((r) => r[field])
    .filter((v) => typeof v === 'number' && v >= 0).sort((a, b) => a - b);
  if (!values.length) return null;
  const mid = values.length >> 1;
  return values.length % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}
function sum(label, field) {
  return (byLabel.get(label) || []).reduce((s, r) => s + (Number(r[field]) || 0), 0);
}
function fmt(value, digits = 0) {
  if (value === null || value === undefined || Number.isNaN(value)) return 'n/a';
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}
function met(ok) { return ok === null ? 'n/a' : ok ? 'yes' : '**no**'; }
function ratio(a, b) { return a === null || b === null || b === 0 ? null : a / b; }

const peers = ['ours', 'relay', 'node'];
const rows = [];
function row(scenario, measure, field, digits, target = '', ok = null, labels = null) {
  const cells = (labels || peers.map((p) => `${scenario}/${p}`))
    .map((l) => (typeof field === 'function' ? field(l) : fmt(median(l, field), digits)));
  rows.push(`| ${scenario} | ${measure} | ${cells.join(' | ')} | ${target} | ${met(ok)} |`);
}

// (a) throughput
const aOurs = median('a/ours', 'deliveries_per_s');
const aRelay = median('a/relay', 'deliveries_per_s');
const aNode = median('a/node', 'deliveries_per_s');
row('a', 'deliveries/s', 'deliveries_per_s', 0, '≥ 1.5× relay, ≥ 10× Node',
  aOurs === null ? null : aOurs >= 1.5 * aRelay && aOurs >= 10 * aNode);
row('a', '… chat-server ÷ this', (l) => (l === 'a/ours' ? '–'
  : fmt(ratio(aOurs, median(l, 'deliveries_per_s')), 2)));
row('a', 'server CPU µs/delivery', 'server_cpu_us_per_delivery', 3);
row('a', 'load generator CPU µs/delivery', (l) => {
  const cpu = median(l, 'bench_cpu_s');
  const n = median(l, 'deliveries');
  return fmt(cpu === null || !n ? null : (cpu * 1e6) / n, 3);
});
row('a', 'latency p99 ms', 'latency_p99_ms', 1);
row('a', 'not received / duplicated', (l) => `${fmt(sum(l, 'lost'))} / ${fmt(sum(l, 'duplicated'))}`);
// (b) latency at a steady rate
const bOursP99 = median('b/ours', 'latency_p99_ms');
const bNodeP99 = median('b/node', 'latency_p99_ms');
const bOursCpu = median('b/ours', 'server_cpu_us_per_delivery');
const bRelayCpu = median('b/relay', 'server_cpu_us_per_delivery');
row('b', 'latency p50 ms', 'latency_p50_ms', 2);
row('b', 'latency p99 ms', 'latency_p99_ms', 2, '≤ Node p99',
  bOursP99 === null || bNodeP99 === null ? null : bOursP99 <= bNodeP99);
row('b', 'latency max ms', 'latency_max_ms', 1);
row('b', 'server CPU µs/delivery', 'server_cpu_us_per_delivery', 3, '≤ 0.7× relay',
  bOursCpu === null || bRelayCpu === null ? null : bOursCpu <= 0.7 * bRelayCpu);
row('b', 'not received / duplicated', (l) => `${fmt(sum(l, 'lost'))} / ${fmt(sum(l, 'duplicated'))}`);
// (c) idle connections
const cOursMem = median('c/ours', 'server_bytes_per_conn');
const cRelayMem = median('c/relay', 'server_bytes_per_conn');
const cOursSetup = median('c/ours', 'setup_s');
row('c', 'connected', (l) => `${fmt(median(l, 'joined'))} of ${fmt(median(l, 'clients'))}`);
row('c', 'server bytes/connection', 'server_bytes_per_conn', 0, '≤ relay + 1 KB',
  cOursMem === null || cRelayMem === null ? null : cOursMem <= cRelayMem + 1024);
row('c', 'set-up s', 'setup_s', 2, '< 1 s', cOursSetup === null ? null : cOursSetup < 1);
row('c', 'dropped attempts', (l) => fmt(sum(l, 'failed')), 0, 'none',
  byLabel.has('c/ours') ? sum('c/ours', 'failed') === 0 : null);
row('c', 'slowest attempt ms', 'slowest_attempt_ms', 0);
// (d) many connections held
function allWithin(l) {
  const r = byLabel.get(l);
  if (!r) return null;
  return r.every((x) => x.joined === x.clients && x.lost === 0 && x.sent > 0 &&
    x.latency_max_ms <= 1000);
}
row('d', 'connected', (l) => `${fmt(median(l, 'joined'))} of ${fmt(median(l, 'clients'))}`);
row('d', 'set-up s', 'setup_s', 1);
row('d', 'latency p99 / max ms', (l) => `${fmt(median(l, 'latency_p99_ms'))} / ${fmt(median(l, 'latency_max_ms'))}`);
row('d', 'deliveries not received', (l) => fmt(sum(l, 'lost')));
row('d', 'all receive within 1 s', (l) => met(allWithin(l)), 0, 'yes', allWithin('d/ours'));
// (e) resume, ours only
const e = byLabel.get('e/ours');
if (e) {
  row('e', `catch up on ${fmt(median('e/ours', 'resume_missed'))} missed: ms`,
    (l) => (l === 'e/ours' ? fmt(median(l, 'resume_ms'), 1) : '–'), 0, '', null);
  row('e', '… bytes received', (l) => (l === 'e/ours' ? fmt(median(l, 'resume_bytes')) : '–'));
  row('e', '… messages in the welcome', (l) => (l === 'e/ours'
    ? `${fmt(median(l, 'resume_messages'))} (resumed: ${e.every((x) => x.resumed)})` : '–'));
}
// (f) durable store against memory, ours only
const fDurable = median('a/durable', 'deliveries_per_s');
if (fDurable !== null) {
  rows.push(`| f | deliveries/s, --db FILE vs :memory: | ${fmt(fDurable)} vs ${fmt(aOurs)} ` +
    `(${fmt(ratio(fDurable, aOurs), 2)}×) | – | – | ≥ 0.5× | ${met(aOurs ? fDurable >= 0.5 * aOurs : null)} |`);
}

// (i) a join storm: every connection logs in at once (Node: bare upgrades), then one message
if (byLabel.has('i/ours') || byLabel.has('i/node')) {
  // The Qt relay is not measured here: '–' rather than 'n/a'.
  const measured = (f) => (l) => (byLabel.has(l) ? f(l) : '–');
  const iJoined = median('i/ours', 'joined');
  const iSetup = median('i/ours', 'setup_s');
  const iNodeSetup = median('i/node', 'setup_s');
  const iToAll = median('i/ours', 'message_to_all_ms');
  row('i', 'connected', measured((l) => `${fmt(median(l, 'joined'))} of ${fmt(median(l, 'clients'))}`),
    0, 'every one', iJoined === null ? null : iJoined === median('i/ours', 'clients'));
  row('i', 'every welcome (upgrade) in s', measured((l) => fmt(median(l, 'setup_s'), 1)), 1,
    '< Node', iSetup === null || iNodeSetup === null ? null : iSetup < iNodeSetup);
  row('i', 'slowest attempt ms', measured((l) => fmt(median(l, 'slowest_attempt_ms'))));
  row('i', 'one message reaches all, ms', measured((l) => fmt(median(l, 'message_to_all_ms'))), 0,
    '≤ 1,000', iToAll === null ? null : iToAll <= 1000);
  row('i', 'deliveries not received', measured((l) => fmt(sum(l, 'lost'))));
}
// (j) rooms: the clients spread over rooms, each message to its room only (ours alone)
if (byLabel.has('j/ours')) {
  const only = (f) => (l) => (l === 'j/ours' ? f(l) : '–');
  row('j', `${fmt(median('j/ours', 'rooms'))} rooms of ` +
    `${fmt(median('j/ours', 'clients') / Math.max(1, median('j/ours', 'rooms')))}: joined`,
  only((l) => `${fmt(median(l, 'joined'))} of ${fmt(median(l, 'clients'))}`));
  row('j', 'set-up (welcome + join) s', only((l) => fmt(median(l, 'setup_s'), 1)));
  const jOurs = median('j/ours', 'deliveries_per_s');
  row('j', 'deliveries/s', only((l) => fmt(median(l, 'deliveries_per_s'))), 0, '≥ 0.8× (a)',
    jOurs === null || aOurs === null ? null : jOurs >= 0.8 * aOurs);
  row('j', '… ÷ (a)', only(() => fmt(ratio(jOurs, aOurs), 2)));
  row('j', 'latency p50 / p99 ms', only((l) =>
    `${fmt(median(l, 'latency_p50_ms'), 1)} / ${fmt(median(l, 'latency_p99_ms'), 1)}`));
  row('j', 'server CPU µs/delivery', only((l) => fmt(median(l, 'server_cpu_us_per_delivery'), 3)));
  row('j', 'not received / expected', only((l) => `${fmt(sum(l, 'lost'))} / ${fmt(sum(l, 'expected'))}`));
}

const underLoad = Number(env.BENCH_LOAD_BEFORE) >= 1.0 || Number(env.BENCH_LOAD_AFTER) >= 1.0;
const section = [
  '<!-- bench.sh: begin (scripts/bench.sh rewrites this part; edit outside it) -->',
  `Measured ${env.BENCH_DATE || ''} by \`scripts/bench.sh${env.BENCH_QUICK === '1' ? ' --quick' : ''}\`` +
    ` on ${env.BENCH_CPU || '?'}, ${env.BENCH_CORES || '?'} cores, Qt ${env.BENCH_QT || '?'},` +
    ` Linux ${env.BENCH_KERNEL || '?'}, Node.js ${env.BENCH_NODE || '?'} with ws ${env.BENCH_WS || '?'}.` +
    ` ${env.BENCH_PINNING || ''} Median of ${env.BENCH_ROUNDS || '?'} round(s), the three servers alternating.` +
    ` Load average before: ${env.BENCH_LOAD_BEFORE || '?'}, after: ${env.BENCH_LOAD_AFTER || '?'}.` +
    (underLoad ? ' **Other work ran on the machine during the run (load average ≥ 1): the figures are' +
      ' disturbed; the raw results in build-bench/bench/results.jsonl show each round.**' : ''),
  '',
  '| scenario | measure | chat-server | bare Qt relay | Node ws | target | met |',
  '|---|---|--:|--:|--:|---|---|',
  ...rows,
  '',
  '![The four scenarios side by side](performance.png)',
  '<!-- bench.sh: end -->',
].join('\n');

let doc = fs.existsSync(docPath) ? fs.readFileSync(docPath, 'utf8') : '# Performance\n';
const begin = doc.indexOf('<!-- bench.sh: begin');
const endMarker = '<!-- bench.sh: end -->';
const end = doc.indexOf(endMarker);
if (begin >= 0 && end > begin) {
  doc = doc.slice(0, begin) + section + doc.slice(end + endMarker.length);
} else {
  doc = doc.replace(/\s*$/, '\n\n') + '## Load: measured figures\n\n' + section + '\n';
}
fs.writeFileSync(docPath, doc);

// The plot: one panel per measure, one bar per server.
const names = { ours: 'chat-server', relay: 'Qt relay', node: 'Node ws' };
function data(file, scenario, field, scale = 1, withJoined = false) {
  const lines = peers.map((p) => {
    const l = `${scenario}/${p}`;
    const v = median(l, field);
    const joined = withJoined ? `\\n${fmt(median(l, 'joined'))} joined` : '';
    return `"${names[p]}${joined}" ${v === null ? 0 : v * scale}`;
  });
  fs.writeFileSync(path.join(plotDir, file), lines.join('\n') + '\n');
}
data('a.dat', 'a', 'deliveries_per_s', 1e-6);
data('a-cpu.dat', 'a', 'server_cpu_us_per_delivery');
data('b.dat', 'b', 'latency_p99_ms');
data('c.dat', 'c', 'server_bytes_per_conn', 1 / 1024);
data('c-setup.dat', 'c', 'setup_s');
data('d.dat', 'd', 'latency_max_ms', 1, true);
const cClients = median('c/ours', 'clients') || median('c/relay', 'clients') || 0;
const dClients = median('d/ours', 'clients') || median('d/relay', 'clients') || 0;
const panel = (file, title, ylabel) => [
  `set title "${title}"`, `set ylabel "${ylabel}"`,
  `plot "${path.join(plotDir, file)}" using 2:xtic(1) with boxes notitle lc rgb "#3a6ea5",` +
    ` "" using 0:2:($2 >= 100 ? sprintf("%.0f", $2) : sprintf("%.3g", $2)) with labels offset 0,0.7 notitle`,
].join('\n');
const n = (v) => v.toLocaleString('en-US');
fs.writeFileSync(path.join(plotDir, 'plot.gp'), [
  'set terminal pngcairo size 1500,850 font "sans,10"',
  `set output "${env.BENCH_PNG || 'performance.png'}"`,
  'set multiplot layout 2,3 title "chat-server, a bare Qt relay and Node ws on one machine (loopback); ' +
    'higher deliveries, lower CPU, latency, memory and set-up time are better"',
  'set style fill solid 0.8 border -1', 'set boxwidth 0.6', 'set yrange [0:*]', 'set grid ytics',
  'set offsets 0.4, 0.4, graph 0.1, 0', 'set bmargin 4',
  panel('a.dat', '(a) 100 clients, 4 publishers: deliveries/s', 'million deliveries/s'),
  panel('a-cpu.dat', '(a) server CPU per delivery', 'µs'),
  panel('b.dat', '(b) 1,000 clients at 20 msg/s: latency p99', 'ms'),
  panel('c.dat', `(c) ${n(cClients)} idle connections: server memory each`, 'KiB'),
  panel('c-setup.dat', `(c) time to set up ${n(cClients)} connections`, 's'),
  panel('d.dat', `(d) ${n(dClients)} connections, 1 msg/s: slowest delivery`, 'ms'),
  'unset multiplot',
].join('\n') + '\n');
