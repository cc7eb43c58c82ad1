// graphile-worker 0.16 as a benchmarked system: run() with a no-op task; batches go through its
// documented SQL function graphile_worker.add_jobs (WorkerUtils has no addJobs in 0.16).
import { Logger, run, runMigrations } from 'graphile-worker';
import pg from 'pg';
import type { QueueSystem } from './queue-system.js';

const logger = new Logger(() => () => undefined);

export function graphileWorker(): QueueSystem {
  let url = '';
  let pool: pg.Pool | undefined;
  return {
    name: 'graphile-worker',
    async setup(databaseUrl) {
      url = databaseUrl;
      await runMigrations({ connectionString: url, logger });
      pool = new pg.Pool({ connectionString: url, max: 2 });
    },
    async start(settings, onJob) {
      const runner = await run({
        connectionString: url,
        concurrency: settings.concurrency,
        // One connection per concurrent job plus its LISTEN client.
        maxPoolSize: (settings.concurrency ?? 1) + 2,
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
        stop: () => runner.stop(),
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
