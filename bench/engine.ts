// The engine benchmark: end-to-end throughput of no-op operations and pickup latency on an idle
// engine, for graph-lro and, as baselines in the same run on the same PostgreSQL, graphile-worker
// and pg-boss. Systems run one after another, each in a fresh database of its own; before every
// run the job table is emptied and analyzed (an idle queue that receives a burst) and the workers
// get new connections. Prints JSON lines; `node dist/bench/engine.js graph-lro` runs one system.
import { cpus, loadavg } from 'node:os';
import pg from 'pg';
import { graphileWorker } from './support/graphile-worker.js';
import { graphLro } from './support/graph-lro.js';
import { pgBoss } from './support/pg-boss.js';
import type { QueueSystem, RunningWorkers, Settings } from './support/queue-system.js';
import type { ScratchDb } from './support/scratch-db.js';
import { createScratchDb, percentile, round, serverUrl, sleep } from './support/scratch-db.js';

const OPS = 20_000;
const BATCH = 1_000;
const RUNS = 2; // the machine is shared and noisy: each throughput figure is the better of two runs
const RUN_LIMIT_MS = 25_000; // a throughput run still going then (< 800 ops/s) is cut off
const PICKUP_LIMIT_MS = 30_000;

interface Plan {
  system: QueueSystem;
  throughput: Settings[];
  pickup: Settings;
  samples: number;
  /** Longest random pause between pickup samples. For a poller it spans the whole polling
   *  interval, so samples land at every phase of the poll and the figure is not flattered. */
  pauseMs: number;
}

const plans: Plan[] = [
  {
    system: graphLro(),
    // The engine's defaults first (concurrency 32, claimBatch 100), then wider ones.
    throughput: [{ concurrency: 32, claimBatch: 100 }, { concurrency: 100, claimBatch: 100 }, { concurrency: 200, claimBatch: 200 }],
    pickup: { concurrency: 32, claimBatch: 100 },
    samples: 200,
    pauseMs: 10,
  },
  {
    system: graphileWorker(),
    // Concurrency 10 did worse than 24 in every trial (one fetch and one completion per job).
    throughput: [{ concurrency: 24, pollInterval: 2000 }],
    pickup: { concurrency: 10, pollInterval: 2000 },
    samples: 200,
    pauseMs: 10,
  },
  {
    system: pgBoss(),
    // Its default polling (2 s): throughput then rests on the batch a worker fetches per poll.
    // Fewer, larger batches did best in trials (4 × 1000: ~1,900/s; 8 × 1000 at 0.5 s: ~2,100/s).
    throughput: [{ workers: 2, batchSize: 5000 }],
    // Each sample waits a whole poll on average: fewer samples keep the run under three minutes.
    pickup: { workers: 1, batchSize: 1, pollingIntervalSeconds: 2 },
    samples: 20,
    pauseMs: 2000,
  },
];

const print = (line: Record<string, unknown>) => console.log(JSON.stringify({ bench: 'engine', ...line }));

async function count(client: pg.Client, sql: string): Promise<number> {
  const { rows } = await client.query<{ n: number }>(sql);
  return rows[0]?.n ?? 0;
}

class TimedOut extends Error {}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimedOut(`${what} took longer than ${Math.round(ms) / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

interface Run {
  seconds: number;
  /** Handler runs beyond one per job: a job run again (e.g. after its lease expired). */
  extraRuns: number;
}

/** Seconds from the first insert until all OPS jobs are terminal in the database. */
async function throughputRun(system: QueueSystem, db: ScratchDb, client: pg.Client, settings: Settings): Promise<Run> {
  await client.query(system.resetSql);
  let handled = 0;
  let allHandled!: () => void;
  const handledAll = new Promise<void>((resolve) => (allHandled = resolve));
  const workers = await system.start(settings, () => {
    if (++handled === OPS) allHandled();
  });
  try {
    const began = performance.now();
    for (let i = 0; i < OPS; i += BATCH) await workers.enqueueBatch(BATCH);
    // Counting handler runs first keeps the count query from loading the database meanwhile;
    // then the outcomes must reach the table.
    const done = (async () => {
      await handledAll;
      while ((await count(client, system.unfinishedSql)) > 0) await sleep(20);
    })();
    await withTimeout(done, RUN_LIMIT_MS - (performance.now() - began), system.name).catch(async (err: unknown) => {
      if (!(err instanceof TimedOut)) throw err;
      const unfinished = await count(client, system.unfinishedSql);
      err.message = `not done after ${RUN_LIMIT_MS / 1000} s: ${unfinished} jobs unfinished, ${handled} handler runs`;
      // Draining could take minutes: the workers stop once their connections are cut.
      done.catch(() => undefined);
      await db.drop();
      throw err;
    });
    const seconds = (performance.now() - began) / 1000;
    const succeeded = system.succeededSql ? await count(client, system.succeededSql) : OPS;
    if (succeeded !== OPS) throw new Error(`${system.name}: ${succeeded} of ${OPS} jobs succeeded`);
    return { seconds, extraRuns: handled - OPS };
  } finally {
    await workers.stop();
  }
}

type Enqueue = (workers: RunningWorkers) => (() => Promise<void>) | undefined;

/** Milliseconds from the start of one create until its handler starts, on idle workers; null
 *  when the system has no such way to enqueue. */
async function pickupRun(system: QueueSystem, client: pg.Client, plan: Plan, how: Enqueue): Promise<number[] | null> {
  await client.query(system.resetSql);
  let started: ((at: number) => void) | undefined;
  const workers = await system.start(plan.pickup, () => started?.(performance.now()));
  try {
    const enqueue = how(workers);
    if (!enqueue) return null;
    const samples: number[] = [];
    // Three warm-up samples (connections, prepared statements) are not counted.
    for (let i = -3; i < plan.samples; i++) {
      await sleep(Math.random() * plan.pauseMs);
      const handlerStarted = new Promise<number>((resolve) => (started = resolve));
      const began = performance.now();
      await enqueue();
      const at = await withTimeout(handlerStarted, PICKUP_LIMIT_MS, `${system.name} pickup`);
      if (i >= 0) samples.push(at - began);
    }
    return samples;
  } finally {
    started = undefined;
    await workers.stop();
  }
}

interface Figures {
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
}

async function measure(plan: Plan): Promise<Figures> {
  const { system } = plan;
  const db = await createScratchDb(system.name);
  const client = new pg.Client({ connectionString: db.url });
  client.on('error', () => undefined); // the database is dropped under it after a cut-off run
  try {
    await system.setup(db.url);
    await client.connect();
    // Pickup first, on a fresh idle database, so a throughput run that has to be cut off
    // (which ends this system's measurements) cannot cost it its latency figures.
    const samples = (await pickupRun(system, client, plan, (w) => () => w.enqueueOne()))!;
    const p50Ms = round(percentile(samples, 50));
    const p99Ms = round(percentile(samples, 99));
    print({ system: system.name, metric: 'pickup', samples: samples.length, p50Ms, p99Ms, maxMs: round(Math.max(...samples)), ...plan.pickup });
    const inTransaction = await pickupRun(system, client, plan, (w) => w.enqueueOneInTransaction?.bind(w));
    if (inTransaction) {
      print({
        system: system.name, metric: 'pickup', path: 'created in a transaction', samples: inTransaction.length, p50Ms: round(percentile(inTransaction, 50)),
        p99Ms: round(percentile(inTransaction, 99)), maxMs: round(Math.max(...inTransaction)), ...plan.pickup,
      });
    }
    let best = 0;
    for (const settings of plan.throughput) {
      const runs: Run[] = [];
      try {
        for (let r = 0; r < RUNS; r++) runs.push(await throughputRun(system, db, client, settings));
      } catch (err) {
        if (!(err instanceof TimedOut)) throw err;
        print({ system: system.name, metric: 'throughput', ops: OPS, ...settings, opsPerSec: null, error: err.message, note: 'cut off; the remaining settings of this system are skipped' });
        break;
      }
      const seconds = Math.min(...runs.map((r) => r.seconds));
      best = Math.max(best, OPS / seconds);
      print({
        system: system.name, metric: 'throughput', ops: OPS, batch: BATCH, seconds: round(seconds, 3), opsPerSec: Math.round(OPS / seconds),
        ...settings, of: `best of ${RUNS}`, secondsPerRun: runs.map((r) => round(r.seconds, 3)), extraRunsPerRun: runs.map((r) => r.extraRuns),
      });
    }
    return { opsPerSec: best, p50Ms, p99Ms };
  } finally {
    await client.end().catch(() => undefined);
    await system.teardown().catch(() => undefined);
    await db.drop();
  }
}

// The machine is shared: the load when the bench starts tells how far to trust the figures.
{
  const client = new pg.Client({ connectionString: serverUrl() });
  await client.connect();
  const { rows } = await client.query<{ v: string }>(`SELECT current_setting('server_version') AS v`);
  await client.end();
  print({ metric: 'environment', cpus: cpus().length, loadAvg1m: round(loadavg()[0] ?? 0), node: process.version, postgres: rows[0]?.v });
}

const only = process.argv.slice(2);
const results = new Map<string, Figures>();
for (const plan of plans) if (only.length === 0 || only.includes(plan.system.name)) results.set(plan.system.name, await measure(plan));

const ours = results.get('graph-lro');
for (const [name, other] of results) {
  if (!ours || name === 'graph-lro') continue;
  print({
    metric: 'ratio', of: `graph-lro/${name}`,
    // Best configuration of each; throughput > 1 and pickup < 1 favour graph-lro.
    throughput: ours.opsPerSec && other.opsPerSec ? round(ours.opsPerSec / other.opsPerSec) : null,
    pickupP50: round(ours.p50Ms / other.p50Ms, 3),
    pickupP99: round(ours.p99Ms / other.p99Ms, 3),
  });
}
