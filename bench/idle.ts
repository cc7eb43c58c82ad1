// bench/idle: the footprint of an idle `graph-lro serve` on embedded PGlite. Each case starts the
// server as a child process on a fresh data directory, waits until it is ready (and, with the
// demo, until the demo refresh has ended), then samples the child every second for --seconds:
// resident memory (VmRSS, and VmHWM for the peak since the process started, start included) and
// CPU time (utime + stime) from /proc. One JSON line per case:
//   - baseline: a bare `node -e` process holding an idle http server, measured the same way in the
//     same run, so `vsBaseline` shows what graph-lro adds to Node itself;
//   - demo:     `serve` as it starts by default (seeds the 1,000-user demo tenant, refreshes its alerts);
//   - restart:  a second start on the demo's data directory (nothing seeded; the refresh runs again);
//   - no-demo:  `serve --no-demo` on a fresh data directory (nothing seeded, nothing refreshed).
// Each line: readySec (spawn to sampling), startCpuSec (CPU the server spent starting; a new data
// directory's initdb runs in a child process of its own and is not in it), rssMb over the samples
// (min, median, max, first, last), anonMb and fileMb (RssAnon, RssFile medians), wasmHeapMb (the
// part of anonMb in PGlite's WebAssembly heap, at the end), peakMb (VmHWM), cpuSec and cpuPct
// (of one core) over the sampled seconds, and vsBaseline. Linux only (/proc).
//
//   npx tsc -b && node dist/bench/idle.js [--seconds 60] [--cases baseline,demo,restart,no-demo]
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const CASES = ['baseline', 'demo', 'restart', 'no-demo'] as const;
type Case = (typeof CASES)[number];

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    cases: { type: 'string', default: CASES.join(',') },
  },
});
const seconds = Number(args.seconds);
if (!Number.isFinite(seconds) || seconds < 1) throw new Error('--seconds is a number of at least 1.');
const cases = args.cases.split(',').map((c) => c.trim()) as Case[];
for (const c of cases) if (!CASES.includes(c)) throw new Error(`Unknown case ${c}; the cases are ${CASES.join(', ')}.`);
if (cases.includes('restart') && !cases.includes('demo')) throw new Error('restart starts again on the demo case\'s data directory: list demo before it.');

const CLI = new URL('../src/cli/main.js', import.meta.url).pathname;
const READY_TIMEOUT_MS = 300_000;
const clockTicks = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
const mb = (kb: number) => round(kb / 1024);

interface Sample {
  rssKb: number;
  hwmKb: number;
  anonKb: number;
  fileKb: number;
  cpuTicks: number;
}

function sample(pid: number): Sample {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  // /proc/<pid>/stat: the command may hold spaces; the fields after its closing ')' are fixed.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of stat, 12 and 13 after the command.
  return { rssKb: field('VmRSS'), hwmKb: field('VmHWM'), anonKb: field('RssAnon'), fileKb: field('RssFile'), cpuTicks: Number(fields[11]) + Number(fields[12]) };
}

/**
 * Resident kB of the child's WebAssembly heaps (PGlite's PostgreSQL), from /proc/<pid>/smaps: V8
 * reserves each WebAssembly memory as the accessible part followed by an inaccessible reservation
 * of several GB, so an anonymous read-write mapping directly followed by an anonymous `---p` one
 * above 4 GB is taken for one. A heuristic for the breakdown, not an exact figure.
 */
function wasmHeapKb(pid: number): number {
  let total = 0;
  let last: { rw: boolean; rssKb: number } | undefined;
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const mapping = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (mapping) {
      const anonymous = mapping[4] === '';
      const sizeKb = (parseInt(mapping[2]!, 16) - parseInt(mapping[1]!, 16)) / 1024;
      if (last?.rw && anonymous && mapping[3] === '---p' && sizeKb > 4 * 1024 * 1024) total += last.rssKb;
      last = { rw: anonymous && mapping[3] === 'rw-p', rssKb: 0 };
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss && last) last.rssKb = Number(rss[1]);
  }
  return total;
}

const median = (sorted: number[]) => (sorted.length % 2 ? sorted[(sorted.length - 1) / 2]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2);

interface Child {
  process: ChildProcess;
  /** stdout so far (the start banner is what is looked for). */
  output(): string;
  exited(): boolean;
}

function start(argv: string[]): Child {
  const env = { ...process.env };
  delete env.DATABASE_URL; // embedded PGlite, whatever the shell says
  const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'], env });
  let out = '';
  let err = '';
  // Kept until the banner is in (a few kB), then the logs are only drained.
  child.stdout!.on('data', (chunk: Buffer) => {
    if (out.length < 64 * 1024) out += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    if (err.length < 16 * 1024) err += chunk.toString();
  });
  return {
    process: child,
    output: () => out,
    exited: () => {
      if (child.exitCode === null && child.signalCode === null) return false;
      process.stderr.write(`child exited (${child.exitCode ?? child.signalCode}):\n${out.slice(-2000)}\n${err.slice(-2000)}\n`);
      return true;
    },
  };
}

async function waitFor<T>(what: string, child: Child, probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const deadline = performance.now() + READY_TIMEOUT_MS;
  while (performance.now() < deadline) {
    if (child.exited()) throw new Error(`The child exited while waiting for ${what}.`);
    const found = await probe();
    if (found !== undefined) return found;
    await sleep(100);
  }
  throw new Error(`Timed out waiting for ${what}.`);
}

/** Waits for `serve`'s banner and, with the demo, for the refresh it started to end. */
async function serveReady(child: Child, demo: boolean): Promise<void> {
  const banner = await waitFor('the start banner', child, () => {
    const out = child.output();
    return /graph-lro listening on /.test(out) && /\n\n/.test(out.slice(out.indexOf('graph-lro listening on'))) ? out : undefined;
  });
  if (!demo) return;
  const token = /export TOKEN='([^']+)'/.exec(banner)?.[1];
  const operation = /curl -s '([^']+\/operations\/[^']+)'/.exec(banner)?.[1];
  if (!token || !operation) throw new Error(`No token or demo operation in the banner:\n${banner}`);
  const status = await waitFor('the demo refresh', child, async () => {
    const res = await fetch(operation, { headers: { authorization: `Bearer ${token}`, prefer: 'wait=10' } });
    const op = (await res.json()) as { status?: string };
    return op.status === 'succeeded' || op.status === 'failed' ? op.status : undefined;
  });
  if (status !== 'succeeded') throw new Error(`The demo refresh ended ${status}.`);
}

async function stop(child: Child): Promise<void> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.process.once('exit', () => resolve()));
  child.process.kill('SIGTERM');
  const timer = setTimeout(() => child.process.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

interface Figures {
  readySec: number;
  startCpuSec: number;
  rssMb: { min: number; median: number; max: number; first: number; last: number };
  anonMb: number;
  fileMb: number;
  /** At the end of the minute: the part of anonMb in WebAssembly memories (see wasmHeapKb). */
  wasmHeapMb: number;
  peakMb: number;
  cpuSec: number;
  cpuPct: number;
}

/** Samples `pid` once a second for `seconds` (the first sample at once). */
async function measureIdle(pid: number, readySec: number): Promise<Figures> {
  const samples: Sample[] = [];
  const began = performance.now();
  for (let i = 0; i <= seconds; i++) {
    const due = began + i * 1000;
    if (due > performance.now()) await sleep(due - performance.now());
    samples.push(sample(pid));
  }
  const wallSec = (performance.now() - began) / 1000;
  const wasmKb = wasmHeapKb(pid);
  const rss = samples.map((s) => s.rssKb).sort((a, b) => a - b);
  const cpuSec = (samples.at(-1)!.cpuTicks - samples[0]!.cpuTicks) / clockTicks;
  return {
    readySec: round(readySec, 2),
    startCpuSec: round(samples[0]!.cpuTicks / clockTicks, 2),
    rssMb: { min: mb(rss[0]!), median: mb(median(rss)), max: mb(rss.at(-1)!), first: mb(samples[0]!.rssKb), last: mb(samples.at(-1)!.rssKb) },
    anonMb: mb(median(samples.map((s) => s.anonKb).sort((a, b) => a - b))),
    fileMb: mb(median(samples.map((s) => s.fileKb).sort((a, b) => a - b))),
    wasmHeapMb: mb(wasmKb),
    peakMb: mb(samples.at(-1)!.hwmKb),
    cpuSec: round(cpuSec, 2),
    cpuPct: round((cpuSec / wallSec) * 100, 2),
  };
}

const BASELINE = "require('node:http').createServer((q, s) => s.end()).listen(0, '127.0.0.1', () => console.log('ready'))";

async function run(name: Case, argv: string[], ready: (child: Child) => Promise<void>): Promise<Figures> {
  const began = performance.now();
  const child = start(argv);
  try {
    await ready(child);
    return await measureIdle(child.process.pid!, (performance.now() - began) / 1000);
  } catch (err) {
    throw new Error(`case ${name}: ${(err as Error).message}`, { cause: err });
  } finally {
    await stop(child);
  }
}

const dirs: string[] = [];
const freshDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-idle-'));
  dirs.push(dir);
  return dir;
};
const serveArgs = (dataDir: string, extra: string[] = []) => [CLI, 'serve', '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir, ...extra];

let baseline: Figures | undefined;
let demoDir: string | undefined;
try {
  for (const name of cases) {
    let figures: Figures;
    let note: string;
    if (name === 'baseline') {
      figures = baseline = await run(name, ['-e', BASELINE], (child) => waitFor('ready', child, () => (child.output().includes('ready') ? true : undefined)).then(() => undefined));
      note = 'node -e: an http server listening, nothing else';
    } else if (name === 'demo') {
      demoDir = freshDir();
      figures = await run(name, serveArgs(demoDir), (child) => serveReady(child, true));
      note = 'serve on a fresh data directory: demo tenant seeded (1,000 users), its alerts refreshed; sampled after the refresh ended';
    } else if (name === 'restart') {
      figures = await run(name, serveArgs(demoDir!), (child) => serveReady(child, true));
      note = 'serve again on the demo case\'s data directory: nothing seeded, the demo refresh runs again; sampled after it ended';
    } else {
      figures = await run(name, serveArgs(freshDir(), ['--no-demo']), (child) => serveReady(child, false));
      note = 'serve --no-demo on a fresh data directory: nothing seeded or refreshed';
    }
    const vsBaseline = baseline && name !== 'baseline' ? { vsBaseline: { rssRatio: round(figures.rssMb.median / baseline.rssMb.median, 2), rssAddedMb: round(figures.rssMb.median - baseline.rssMb.median) } } : {};
    process.stdout.write(`${JSON.stringify({ bench: 'idle', case: name, seconds, ...figures, ...vsBaseline, node: process.version, note })}\n`);
  }
} finally {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}
