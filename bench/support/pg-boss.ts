// pg-boss 10 as a benchmarked system: insert() for batches, send() for one job, work() with
// batchSize. pg-boss polls: a worker fetches, runs the batch, then waits out the rest of
// pollingIntervalSeconds (default 2, minimum 0.5) before fetching again.
import PgBoss from 'pg-boss';
import type { QueueSystem } from './queue-system.js';

const QUEUE = 'noop';

export function pgBoss(): QueueSystem {
  let url = '';
  return {
    name: 'pg-boss',
    async setup(databaseUrl) {
      url = databaseUrl;
      const boss = new PgBoss(url);
      boss.on('error', (err) => console.error('pg-boss:', err));
      await boss.start();
      await boss.createQueue(QUEUE);
      await boss.stop({ graceful: false });
    },
    async start(settings, onJob) {
      const boss = new PgBoss({ connectionString: url });
      boss.on('error', (err) => console.error('pg-boss:', err));
      await boss.start();
      const { workers = 1, batchSize = 1, pollingIntervalSeconds } = settings;
      // work() starts one polling loop; several calls give several loops (v10 dropped teamSize).
      for (let i = 0; i < workers; i++) {
        await boss.work(QUEUE, { batchSize, ...(pollingIntervalSeconds ? { pollingIntervalSeconds } : {}) }, async (jobs) => {
          for (let j = 0; j < jobs.length; j++) onJob();
        });
      }
      return {
        enqueueBatch: async (n) => void (await boss.insert(Array.from({ length: n }, () => ({ name: QUEUE, data: {} })))),
        enqueueOne: async () => void (await boss.send(QUEUE, {})),
        stop: () => boss.stop({ graceful: true, wait: true, timeout: 5_000 }),
      };
    },
    unfinishedSql: `SELECT count(*)::int AS n FROM pgboss.job WHERE name = '${QUEUE}' AND state < 'completed'`,
    succeededSql: `SELECT count(*)::int AS n FROM pgboss.job WHERE name = '${QUEUE}' AND state = 'completed'`,
    resetSql: 'TRUNCATE pgboss.job, pgboss.archive; ANALYZE pgboss.job',
    async teardown() {},
  };
}
