// graph-lro's engine as a benchmarked system: the Engine facade with a no-op handler.
import { randomUUID } from 'node:crypto';
import { openDb } from '../../src/db/open.js';
import { Engine } from '../../src/engine/index.js';
import type { QueueSystem } from './queue-system.js';
import { migrations } from '../../src/families/index.js';

const TENANT = '00000000-0000-4000-8000-00000000be7c';
const KIND = 'bench.noop';

// The Engine has no batch create: one multi-row INSERT with the columns an operation needs (the
// others take their defaults); the table's statement trigger sends the NOTIFY that wakes workers.
const insertBatch = {
  name: 'bench_insert_batch',
  text: `INSERT INTO operations (tenant_id, id, family, kind, max_attempts)
         SELECT $1, id, 'bench', $2, 3 FROM unnest($3::text[]) AS id`,
};

export function graphLro(): QueueSystem {
  let url = '';
  return {
    name: 'graph-lro',
    async setup(databaseUrl) {
      url = databaseUrl;
      await (await openDb({ databaseUrl: url, migrations })).close();
    },
    async start(settings, onJob) {
      // New connections per run, as the other systems get: no plan cached from an earlier run.
      const db = await openDb({ databaseUrl: url, migrations });
      const engine = new Engine(db, { concurrency: settings.concurrency, claimBatch: settings.claimBatch });
      engine.register(KIND, { handle: async () => void onJob() });
      await engine.start();
      return {
        enqueueBatch: async (n) =>
          void (await db.query(insertBatch, [TENANT, KIND, Array.from({ length: n }, () => randomUUID())])),
        enqueueOne: async () => void (await engine.create({ tenantId: TENANT, family: 'bench', kind: KIND })),
        enqueueOneInTransaction: () => db.transaction(async (tx) => void (await engine.create({ tenantId: TENANT, family: 'bench', kind: KIND }, tx))),
        async stop() {
          await engine.stop();
          await db.close();
        },
      };
    },
    unfinishedSql: `SELECT count(*)::int AS n FROM operations WHERE status IN ('notStarted', 'running')`,
    succeededSql: `SELECT count(*)::int AS n FROM operations WHERE status = 'succeeded'`,
    resetSql: 'TRUNCATE operations; ANALYZE operations',
    async teardown() {},
  };
}
