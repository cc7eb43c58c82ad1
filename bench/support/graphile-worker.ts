// graphile-worker (0.18) as a benchmarked system: run() with a no-op task, in the configuration its
// documentation publishes for performance. Batches go through WorkerUtils.addJobs (the
// graphile_worker.add_jobs function), single jobs through addJob.
import { Logger, makeWorkerUtils, run, runMigrations } from 'graphile-worker';
import pg from 'pg';
import type { QueueSystem } from './queue-system.js';
import { createScratchDb, dropScratchDb, packageVersion, sqlMonitor } from './scratch-db.js';

const logger = new Logger(() => () => undefined);

// https://worker.graphile.org/docs/performance, "Quick stats": the configuration its published
// figures were achieved with (183,000 jobs/s, 4.16 ms average add_job → start):
//   concurrentJobs: 24, maxPoolSize: 25, localQueue: { size: 500 }, completeJobBatchDelay: 0,
//   failJobBatchDelay: 0
// The same values are in the repository's perfTest/graphile.config.js (CONCURRENT_JOBS = 24,
// maxPoolSize CONCURRENT_JOBS + 1, plus localQueue.refetchDelay.durationMs 10, which only spaces
// out fetches that came back empty and is left at its default here as on the docs page). The
// options' own documentation (localQueue, completeJobBatchDelay in its index.d.ts) links to the
// same page's #batching section.
const PERFORMANCE = { concurrentJobs: 24, maxPoolSize: 25, localQueueSize: 500, completeJobBatchDelay: 0, failJobBatchDelay: 0 };

function quietPool(connectionString: string, max: number): pg.Pool {
  const pool = new pg.Pool({ connectionString, max });
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

export function graphileWorker(): QueueSystem {
  return {
    name: 'graphile-worker',
    version: packageVersion('graphile-worker'),
    store: 'PostgreSQL',
    settings: PERFORMANCE,
    async prepare() {
      const db = await createScratchDb('graphile-worker');
      await runMigrations({ connectionString: db.url, logger });
      return db.url;
    },
    async start(url, role, onJob) {
      // The instance's pool, maxPoolSize connections. Our own pool rather than one run() makes
      // from maxPoolSize, so it has an error listener to the end: run() removes its listener at
      // stop(), and a client that pg-pool ends without waiting can still be closing when the
      // scratch database is dropped with FORCE. A producer alone is WorkerUtils on a pool of its own.
      const pool = quietPool(url, PERFORMANCE.maxPoolSize);
      const runner =
        role === 'producer'
          ? undefined
          : await run({
              pgPool: pool,
              noHandleSignals: true,
              logger,
              taskList: { noop: async () => void onJob() },
              preset: {
                worker: {
                  concurrentJobs: PERFORMANCE.concurrentJobs,
                  maxPoolSize: PERFORMANCE.maxPoolSize,
                  localQueue: { size: PERFORMANCE.localQueueSize },
                  completeJobBatchDelay: PERFORMANCE.completeJobBatchDelay,
                  failJobBatchDelay: PERFORMANCE.failJobBatchDelay,
                },
              },
            });
      const utils = role === 'workers' ? undefined : await makeWorkerUtils({ pgPool: pool, logger });
      return {
        enqueueBatch: async (n) => void (await utils!.addJobs(Array.from({ length: n }, () => ({ identifier: 'noop', payload: {} })))),
        enqueueOne: async () => void (await utils!.addJob('noop', {})),
        async stop() {
          await runner?.stop();
          await utils?.release();
          await pool.end();
        },
      };
    },
    // Finished jobs are deleted.
    monitor: (url) =>
      sqlMonitor(url, {
        unfinished: 'SELECT count(*)::int AS n FROM graphile_worker._private_jobs',
        succeeded: null,
        reset: 'TRUNCATE graphile_worker._private_jobs CASCADE; ANALYZE graphile_worker._private_jobs',
      }),
    dispose: dropScratchDb,
  };
}
