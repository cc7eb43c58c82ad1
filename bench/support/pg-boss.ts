// pg-boss (12) as a benchmarked system: insert() for batches, send() for one job, work() with a
// batch handler, in the fastest configuration its documentation describes. pg-boss publishes no
// single performance preset (graphile-worker does); these are the options its documentation gives
// for throughput and wake-up latency, each on:
// - useListenNotify: true (constructor) and notify: true (createQueue): "workers on
//   notify-enabled queues are woken the moment a job is created, instead of waiting out their
//   polling interval" (https://timgit.github.io/pg-boss/api/constructor; the ConstructorOptions
//   and Queue.notify docs in pg-boss's types.d.ts). Off by default, when workers poll every 2 s.
// - batchSize (work(), https://timgit.github.io/pg-boss/api/workers): jobs fetched per round
//   trip and completed together by a batch handler.
// - burstWhenBatchFull: true: "while each fetch returns a full batchSize batch there is clearly
//   more work, so the worker keeps fetching continuously with no delay" (JobPollingOptions in
//   types.d.ts); without it a worker waits out its polling interval after every batch.
// - localConcurrency (work()): polling workers per process, each fetching and running its own batch.
// Values: pg-boss names none, so they come from a sweep on this machine (Node 22, one instance,
// the drain below: 20,000 jobs in batches of 1,000, three or four rounds each, mean jobs/s):
//   batchSize × localConcurrency  50×4 ~14,000 (what the issue measured with)  200×2 ~21,300
//   200×4 ~23,000  500×2 ~25,900  500×4 ~23,400  1000×2 ~26,200  1000×4 ~23,600  (×8: slower)
// 500×2 is the fastest within the noise and steadier than 1000×2, and as large a batch as
// graphile-worker's local queue. The pool stays at its default (max 10): two workers, the
// listener and a producer do not exhaust it.
import { PgBoss } from 'pg-boss';
import type { QueueSystem } from './queue-system.js';
import { createScratchDb, dropScratchDb, packageVersion, sqlMonitor } from './scratch-db.js';

const QUEUE = 'noop';
const FASTEST = { useListenNotify: true, notify: true, batchSize: 500, burstWhenBatchFull: true, localConcurrency: 2 };

function instance(url: string, options: Partial<ConstructorParameters<typeof PgBoss>[0] & object> = {}): PgBoss {
  const boss = new PgBoss({ connectionString: url, ...options });
  boss.on('error', (err) => console.error(`pg-boss: ${err.message}`));
  return boss;
}

export function pgBoss(): QueueSystem {
  return {
    name: 'pg-boss',
    version: packageVersion('pg-boss'),
    store: 'PostgreSQL',
    settings: FASTEST,
    async prepare() {
      const db = await createScratchDb('pg-boss');
      const boss = instance(db.url);
      await boss.start();
      await boss.createQueue(QUEUE, { notify: FASTEST.notify });
      await boss.stop({ graceful: false });
      return db.url;
    },
    async start(url, role, onJob) {
      // A producer alone supervises nothing (maintenance and scheduling are the workers'
      // instance's), as pg-boss's constructor docs suggest for an instance that only sends.
      const boss =
        role === 'producer' ? instance(url, { supervise: false, schedule: false }) : instance(url, { useListenNotify: FASTEST.useListenNotify });
      await boss.start();
      if (role !== 'producer') {
        const { batchSize, burstWhenBatchFull, localConcurrency } = FASTEST;
        await boss.work(QUEUE, { batchSize, burstWhenBatchFull, localConcurrency }, async (jobs) => {
          for (let j = 0; j < jobs.length; j++) onJob();
        });
      }
      return {
        enqueueBatch: async (n) => void (await boss.insert(QUEUE, Array.from({ length: n }, () => ({ data: {} })))),
        enqueueOne: async () => void (await boss.send(QUEUE, {})),
        stop: () => boss.stop({ graceful: true, timeout: 5_000 }),
      };
    },
    monitor: (url) =>
      sqlMonitor(url, {
        unfinished: `SELECT count(*)::int AS n FROM pgboss.job WHERE name = '${QUEUE}' AND state < 'completed'`,
        succeeded: `SELECT count(*)::int AS n FROM pgboss.job WHERE name = '${QUEUE}' AND state = 'completed'`,
        reset: 'TRUNCATE pgboss.job; ANALYZE pgboss.job',
      }),
    dispose: dropScratchDb,
  };
}
