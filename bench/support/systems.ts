// The systems the engine bench measures, by name: the bench's own process and its worker
// processes (worker-process.ts) build them from here alike.
import { bullmq } from './bullmq.js';
import { graphLro } from './graph-lro.js';
import { graphileWorker } from './graphile-worker.js';
import { pgBoss } from './pg-boss.js';
import type { QueueSystem } from './queue-system.js';

export const systems: Record<string, () => QueueSystem> = {
  'graph-lro': graphLro,
  'graphile-worker': graphileWorker,
  'pg-boss': pgBoss,
  bullmq,
};
