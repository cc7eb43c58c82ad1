// graph-lro's engine as a benchmarked system: the Engine facade with a no-op handler, at its
// defaults (concurrency 32, claimBatch 100; src/engine/engine.ts), on the pool openDb gives it.
//
// Its single-create API is Engine.create. Created outside a transaction in a process whose
// workers have a free slot, an operation is inserted already claimed by that process and its
// handler starts as the insert returns (docs/engine.md, Lifecycle 1): the eager same-process
// path, which no peer has. It is measured as a path of its own ('eager'); the headline create
// (`enqueueOne`) passes the pool as the transaction, one autocommit INSERT like any other
// create, so the operation reaches a worker the way it does from another process: NOTIFY, claim.
import { randomUUID } from 'node:crypto';
import { openDb } from '../../src/db/open.js';
import { Engine } from '../../src/engine/index.js';
import { migrations } from '../../src/families/index.js';
import type { QueueSystem } from './queue-system.js';
import { createScratchDb, dropScratchDb, sqlMonitor } from './scratch-db.js';

const TENANT = '00000000-0000-4000-8000-00000000be7c';
const KIND = 'bench.noop';
const spec = { tenantId: TENANT, family: 'bench', kind: KIND };

// The Engine has no batch create: one multi-row INSERT with the columns an operation needs (the
// others take their defaults); the table's statement trigger sends the NOTIFY that wakes workers.
const insertBatch = {
  name: 'bench_insert_batch',
  text: `INSERT INTO operations (tenant_id, id, family, kind, max_attempts)
         SELECT $1, id, 'bench', $2, 3 FROM unnest($3::text[]) AS id`,
};

export function graphLro(): QueueSystem {
  const settings = { concurrency: 32, claimBatch: 100 }; // the Engine's defaults
  return {
    name: 'graph-lro',
    version: 'this repository',
    store: 'PostgreSQL',
    settings,
    async prepare() {
      const db = await createScratchDb('graph-lro');
      await (await openDb({ databaseUrl: db.url, migrations })).close();
      return db.url;
    },
    async start(url, role, onJob) {
      // New connections per run, as the other systems get: no plan cached from an earlier run.
      const db = await openDb({ databaseUrl: url, migrations });
      const engine = new Engine(db, settings);
      // A producer is an API-only process (`graph-lro serve --no-workers`): it creates and
      // listens for changes, and runs no handlers.
      if (role !== 'producer') engine.register(KIND, { handle: async () => void onJob() });
      await engine.start({ workers: role !== 'producer' });
      return {
        enqueueBatch: async (n) => void (await db.query(insertBatch, [TENANT, KIND, Array.from({ length: n }, () => randomUUID())])),
        enqueueOne: async () => void (await engine.create(spec, db)),
        ...(role === 'both' ? { paths: { eager: async () => void (await engine.create(spec)) } } : {}),
        async stop() {
          await engine.stop();
          await db.close();
        },
      };
    },
    monitor: (url) =>
      sqlMonitor(url, {
        unfinished: `SELECT count(*)::int AS n FROM operations WHERE status IN ('notStarted', 'running')`,
        succeeded: `SELECT count(*)::int AS n FROM operations WHERE status = 'succeeded'`,
        reset: 'TRUNCATE operations; ANALYZE operations',
      }),
    dispose: dropScratchDb,
  };
}
