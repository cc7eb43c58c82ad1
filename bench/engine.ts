// The engine benchmark: graph-lro against the PostgreSQL job queues at their current releases and
// in their best published configurations (graphile-worker, pg-boss), plus BullMQ on Redis as a
// reference line, in one run on the same PostgreSQL and Node.js. Each system is measured in two
// deployments (support/deploy.ts): producer and workers as one instance in one process, and as
// separate instances (the workers in a process of their own, each side with its own pool). For
// every system and deployment:
// - pickup: one create on idle workers until its handler starts (p50/p99 of 200 samples, at
//   random pauses of up to 10 ms, after 3 warm-up samples);
// - creates: one-at-a-time creates per second, 1,000 sequential calls of the system's
//   single-create API while its workers run (after 20 warm-up creates); the better of two runs;
// - drain: 20,000 no-op jobs enqueued in batches of 1,000 through its batch API while its workers
//   already run, from the first enqueue until every outcome is stored; the better of two runs.
// Then graph-lro/peer ratios per deployment. graph-lro's eager same-process create (a create
// inserted already claimed by its own process's free worker) has lines of its own, path 'eager';
// its headline creates go through NOTIFY and a claim like everyone else's.
//
// Every measurement starts on an emptied, analyzed job table (an idle queue that receives a burst)
// with a new instance (new connections, no plan cached from an earlier run). The systems take turns
// within each round (pickup, creates, each drain run) so that the machine's load, which drifts,
// falls on all of them alike. Prints JSON lines (bench: 'engine'), each system's settings in every
// line of it.
//
//   node dist/bench/engine.js [--quick] [--node=current] [system …]
//   --quick: 50 pickup samples, one run of 500 creates, one drain run (a smoke test, not figures to quote)
//   system: graph-lro, graphile-worker, pg-boss, bullmq (default: all)
//   On Node < 22.18 the run is handed to Node 22 from the npm registry (support/node22.ts).
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { deploy, WorkerProcess, type Deployment } from './support/deploy.js';
import { handedToNode22 } from './support/node22.js';
import type { Monitor, QueueSystem } from './support/queue-system.js';
import { percentile, round, serverUrl, sleep } from './support/scratch-db.js';

const args = process.argv.slice(2);
const QUICK = args.includes('--quick');
const OPS = 20_000;
const BATCH = 1_000;
// The machine is shared and noisy: a throughput figure is the better of two runs.
const DRAIN_RUNS = QUICK ? 1 : 2;
const CREATES_RUNS = QUICK ? 1 : 2;
const PICKUP_SAMPLES = QUICK ? 50 : 200;
const PICKUP_PAUSE_MS = 10;
const CREATES = QUICK ? 500 : 1_000;
const CREATES_WARMUP = 20;
const RUN_LIMIT_MS = 25_000; // a drain still going then (< 800 jobs/s) is cut off
const PICKUP_LIMIT_MS = 10_000;
const DEPLOYMENTS: Deployment[] = ['one instance', 'separate instances'];

const print = (line: Record<string, unknown>) => console.log(JSON.stringify({ bench: 'engine', ...line }));

class TimedOut extends Error {}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimedOut(`${what} took longer than ${Math.round(ms) / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** One system in one deployment: its store, the bench's view of it, its worker process if any. */
interface Subject {
  system: QueueSystem;
  deployment: Deployment;
  address: string;
  monitor: Monitor;
  workers: WorkerProcess | null;
  /** Why its remaining measurements are skipped (a drain was cut off and its store dropped). */
  cut?: string;
  drainOpsPerSec?: number;
  pickup?: { p50Ms: number; p99Ms: number };
  createsPerSec?: number;
}

function line(s: Subject, metric: string, fields: Record<string, unknown>, path?: string): void {
  const { name, version, store, settings } = s.system;
  print({
    system: name, version, store, ...(store === 'PostgreSQL' ? {} : { reference: `${store}, not PostgreSQL` }),
    deployment: s.deployment, metric, ...(name === 'graph-lro' ? { path: path ?? 'NOTIFY → claim' } : {}),
    ...fields, settings,
  });
}

const createOf = (d: Awaited<ReturnType<typeof deploy>>, path?: string) => (path ? d.producer.paths?.[path] : () => d.producer.enqueueOne());

/** Milliseconds from the start of one create until its handler starts, on idle workers. */
async function pickup(s: Subject, path?: string): Promise<void> {
  await s.monitor.reset();
  const d = await deploy(s.system, s.address, s.workers, 'each');
  try {
    const create = createOf(d, path)!;
    const samples: number[] = [];
    for (let i = -3; i < PICKUP_SAMPLES; i++) {
      await sleep(Math.random() * PICKUP_PAUSE_MS);
      const started = d.nextStart();
      const began = performance.now();
      await create();
      const at = await withTimeout(started, PICKUP_LIMIT_MS, `${s.system.name} pickup`);
      if (i >= 0) samples.push(at - began);
    }
    const figures = { p50Ms: round(percentile(samples, 50)), p99Ms: round(percentile(samples, 99)) };
    if (!path) s.pickup = figures;
    line(s, 'pickup', {
      samples: samples.length, ...figures, maxMs: round(Math.max(...samples)),
      ...(s.workers ? { clockOffsetMs: round(s.workers.offsetMs, 3) } : {}),
    }, path);
  } finally {
    await d.stop();
  }
}

/** Seconds for CREATES sequential single creates while the workers run (and take what is created). */
async function creates(s: Subject, path?: string): Promise<number> {
  await s.monitor.reset();
  const d = await deploy(s.system, s.address, s.workers, 'count');
  try {
    const create = createOf(d, path)!;
    for (let i = 0; i < CREATES_WARMUP; i++) await create();
    const began = performance.now();
    for (let i = 0; i < CREATES; i++) await create();
    return (performance.now() - began) / 1000;
  } finally {
    await d.stop();
  }
}

interface Run {
  seconds: number;
  /** Handler runs beyond one per job: a job run again (e.g. after its lease expired). */
  extraRuns: number;
}

/** Seconds from the first batch enqueued until all OPS jobs are terminal in the store. */
async function drain(s: Subject): Promise<Run> {
  await s.monitor.reset();
  const d = await deploy(s.system, s.address, s.workers, 'count');
  let stopped = false;
  try {
    const { handled } = await d.countTo(OPS);
    const began = performance.now();
    for (let i = 0; i < OPS; i += BATCH) await d.producer.enqueueBatch(BATCH);
    // Counting handler runs first keeps the count query from loading the store meanwhile; then
    // the outcomes must reach it.
    const done = (async () => {
      await handled;
      while ((await s.monitor.unfinished()) > 0) await sleep(20);
    })();
    await withTimeout(done, RUN_LIMIT_MS - (performance.now() - began), s.system.name).catch(async (err: unknown) => {
      if (!(err instanceof TimedOut)) throw err;
      const unfinished = await s.monitor.unfinished().catch(() => NaN);
      err.message = `not done after ${RUN_LIMIT_MS / 1000} s: ${unfinished} jobs unfinished`;
      // Draining could take minutes: the workers stop once their store is gone (and their process).
      done.catch(() => undefined);
      s.workers?.kill();
      await s.system.dispose(s.address);
      throw err;
    });
    const seconds = (performance.now() - began) / 1000;
    const succeeded = await s.monitor.succeeded();
    if (succeeded !== null && succeeded !== OPS) throw new Error(`${s.system.name}: ${succeeded} of ${OPS} jobs succeeded`);
    stopped = true;
    return { seconds, extraRuns: (await d.stop()) - OPS };
  } finally {
    if (!stopped) await d.stop().catch(() => undefined);
  }
}

/** Runs one measurement of a subject, reporting a failure as a line instead of ending the bench. */
async function attempt(s: Subject, metric: string, measure: () => Promise<void>, path?: string): Promise<void> {
  if (s.cut) return;
  try {
    await measure();
  } catch (err) {
    line(s, metric, { error: err instanceof Error ? err.message : String(err) }, path);
  }
}

async function measureDeployment(chosen: QueueSystem[], deployment: Deployment): Promise<Subject[]> {
  const subjects: Subject[] = [];
  try {
    for (const system of chosen) {
      const address = await system.prepare();
      const subject: Subject = { system, deployment, address, monitor: await system.monitor(address), workers: null };
      subjects.push(subject);
      if (deployment === 'separate instances') subject.workers = await WorkerProcess.fork();
    }
    const eager = (s: Subject) => deployment === 'one instance' && s.system.name === 'graph-lro';
    for (const s of subjects) {
      await attempt(s, 'pickup', () => pickup(s));
      if (eager(s)) await attempt(s, 'pickup', () => pickup(s, 'eager'), 'eager');
    }
    const createRuns = new Map<string, number[]>();
    const timeCreates = (s: Subject, path?: string) =>
      attempt(s, 'creates', async () => {
        const key = `${s.system.name}/${path ?? ''}`;
        createRuns.set(key, [...(createRuns.get(key) ?? []), await creates(s, path)]);
      }, path);
    for (let r = 0; r < CREATES_RUNS; r++) {
      for (const s of subjects) {
        await timeCreates(s);
        if (eager(s)) await timeCreates(s, 'eager');
      }
    }
    for (const s of subjects) {
      for (const path of eager(s) ? [undefined, 'eager'] : [undefined]) {
        const done = createRuns.get(`${s.system.name}/${path ?? ''}`);
        if (!done) continue;
        const seconds = Math.min(...done);
        const perSec = Math.round(CREATES / seconds);
        if (!path) s.createsPerSec = perSec;
        line(s, 'creates', { creates: CREATES, seconds: round(seconds, 3), perSec, of: `best of ${done.length}`, perSecPerRun: done.map((t) => Math.round(CREATES / t)) }, path);
      }
    }
    const runs = new Map<Subject, Run[]>(subjects.map((s) => [s, []]));
    for (let r = 0; r < DRAIN_RUNS; r++) {
      for (const s of subjects) {
        await attempt(s, 'drain', async () => {
          try {
            runs.get(s)!.push(await drain(s));
          } catch (err) {
            if (err instanceof TimedOut) s.cut = err.message;
            throw err;
          }
        });
      }
    }
    for (const s of subjects) {
      const done = runs.get(s)!;
      if (!done.length) continue;
      const seconds = Math.min(...done.map((r) => r.seconds));
      s.drainOpsPerSec = Math.round(OPS / seconds);
      line(s, 'drain', {
        ops: OPS, batch: BATCH, seconds: round(seconds, 3), opsPerSec: s.drainOpsPerSec, of: `best of ${done.length}`,
        secondsPerRun: done.map((r) => round(r.seconds, 3)), extraRunsPerRun: done.map((r) => r.extraRuns),
      });
    }
  } finally {
    for (const s of subjects) {
      await s.monitor.close().catch(() => undefined);
      await s.workers?.close().catch(() => undefined);
      await s.system.dispose(s.address).catch(() => undefined);
    }
  }
  return subjects;
}

const ratio = (a: number | undefined, b: number | undefined, digits = 2) => (a && b ? round(a / b, digits) : null);

function printRatios(subjects: Subject[]): void {
  const ours = subjects.find((s) => s.system.name === 'graph-lro');
  if (!ours) return;
  for (const peer of subjects) {
    if (peer === ours) continue;
    print({
      metric: 'ratio', deployment: ours.deployment, of: `graph-lro/${peer.system.name}`, version: peer.system.version,
      ...(peer.system.store === 'PostgreSQL' ? {} : { reference: `${peer.system.store}, not PostgreSQL` }),
      // drain and creates > 1, pickup < 1 favour graph-lro
      drain: ratio(ours.drainOpsPerSec, peer.drainOpsPerSec),
      pickupP50: ratio(ours.pickup?.p50Ms, peer.pickup?.p50Ms, 3),
      pickupP99: ratio(ours.pickup?.p99Ms, peer.pickup?.p99Ms, 3),
      creates: ratio(ours.createsPerSec, peer.createsPerSec),
    });
  }
}

async function environment(chosen: QueueSystem[]): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl() });
  await client.connect();
  const { rows } = await client.query<{ v: string }>(`SELECT current_setting('server_version') AS v`);
  await client.end();
  let redis: string | undefined;
  if (chosen.some((s) => s.store === 'Redis')) {
    const { Redis } = await import('ioredis');
    const conn = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    redis = /redis_version:(\S+)/.exec(await conn.info('server'))?.[1];
    await conn.quit();
  }
  print({
    metric: 'environment', cpus: cpus().length, loadAvg1m: round(loadavg()[0] ?? 0), node: process.version, postgres: rows[0]?.v,
    ...(redis ? { redis } : {}), quick: QUICK, ops: OPS, batch: BATCH, drainRuns: DRAIN_RUNS, pickupSamples: PICKUP_SAMPLES, creates: CREATES, createsRuns: CREATES_RUNS,
    systems: Object.fromEntries(chosen.map((s) => [s.name, s.version])),
  });
}

async function main(): Promise<void> {
  // Loaded after the Node check: the peers' packages are for the Node the run ends up on.
  const { systems } = await import('./support/systems.js');
  const only = args.filter((a) => !a.startsWith('--'));
  const unknown = only.filter((name) => !systems[name]);
  if (unknown.length) throw new Error(`unknown system ${unknown.join(', ')}; known: ${Object.keys(systems).join(', ')}`);
  const chosen = Object.entries(systems)
    .filter(([name]) => only.length === 0 || only.includes(name))
    .map(([, make]) => make());
  const began = performance.now();
  // The machine is shared: the load when the bench starts tells how far to trust the figures.
  await environment(chosen);
  for (const deployment of DEPLOYMENTS) printRatios(await measureDeployment(chosen, deployment));
  print({ metric: 'done', seconds: round((performance.now() - began) / 1000, 1), loadAvg1m: round(loadavg()[0] ?? 0) });
}

if (!handedToNode22(fileURLToPath(import.meta.url))) await main();
