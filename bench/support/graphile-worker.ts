// graphile-worker 0.16 as a benchmarked system: run() with a no-op task; batches go through its
// documented SQL function graphile_worker.add_jobs (WorkerUtils has no addJobs in 0.16).
import { Logger, run, runMigrations } from 'graphile-worker';
import pg from 'pg';
import type { QueueSystem } from './queue-system.js';

const logger = new Logger(() => () => undefined);

function quietPool(connectionString: string, max: number): pg.Pool {
  const pool = new pg.Pool({ connectionString, max });
  pool.on('error', () => undefined);
  return pool;
}

export function graphileWorker(): QueueSystem {
  let url = '';
  let pool: pg.Pool | undefined;
  return {
    name: 'graphile-worker',
    async setup(databaseUrl) {
      url = databaseUrl;
      await runMigrations({ connectionString: url, logger });
      pool = quietPool(url, 2);
    },
    async start(settings, onJob) {
      // One connection per concurrent job plus its LISTEN client. Our own pool, so it has an error
      // listener to the end: run() removes its listener at stop(), and a client that pg-pool ends
      // without waiting can still be closing when the scratch database is dropped with FORCE.
      const workerPool = quietPool(url, (settings.concurrency ?? 1) + 2);
      const runner = await run({
        pgPool: workerPool,
        concurrency: settings.concurrency,
        pollInterval: settings.pollInterval,
        noHandleSignals: true,
        logger,
        taskList: { noop: async () => void onJob() },
      });
      const p = pool!;
      return {
        enqueueBatch: async (n) =>
          void (await p.query(
            `SELECT count(*) FROM graphile_worker.add_jobs(array(SELECT json_populate_recordset(null::graphile_worker.job_spec, $1::json)))`,
            [JSON.stringify(Array.from({ length: n }, () => ({ identifier: 'noop', payload: {} })))],
          )),
        enqueueOne: async () => void (await runner.addJob('noop', {})),
        stop: async () => {
          await runner.stop();
          await workerPool.end();
        },
      };
    },
    // Finished jobs are deleted.
    unfinishedSql: 'SELECT count(*)::int AS n FROM graphile_worker._private_jobs',
    succeededSql: null,
    resetSql: 'TRUNCATE graphile_worker._private_jobs CASCADE; ANALYZE graphile_worker._private_jobs',
    async teardown() {
      await pool?.end();
    },
  };
}
