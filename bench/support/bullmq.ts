// BullMQ (6) on the local Redis, as a reference line: not a PostgreSQL system, so not a peer in the
// ratios' sense (nothing it does is durable in PostgreSQL), but the figure a Node.js team compares
// a job queue with. Queue.addBulk for batches, Queue.add for one job, a Worker with a no-op processor.
//
// Its throughput settings, from its documentation:
// - concurrency (https://docs.bullmq.io/guide/workers/concurrency): jobs one Worker runs at once;
//   the page's example uses 50, BullMQ's own benchmark (taskforcesh/bullmq-bench,
//   src/bullmq-suite.ts, "worker-concurrent") 10. A sweep on this machine (Node 22, the drain
//   below, one instance, three rounds, jobs/s): 10 ~14,900, 50 ~14,500, 100 ~14,900, 200 ~16,300,
//   500 ~14,900 (medians); so 200.
// - removeOnComplete: true (https://docs.bullmq.io/guide/queues/auto-removal, and "Going to
//   production"): completed jobs are deleted, so Redis keeps no history to grow, as
//   graphile-worker's table keeps none.
// Queue and Worker each get their own ioredis client, as when BullMQ is given connection options
// (https://docs.bullmq.io/guide/connections); in one process, that is the one-instance deployment:
// sharing one client would queue the producer's commands behind the Worker's.
import { randomBytes } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { QueueSystem } from './queue-system.js';
import { packageVersion } from './scratch-db.js';

const QUEUE = 'noop';
const SETTINGS = { concurrency: 200, removeOnComplete: true };
const jobOptions = { removeOnComplete: SETTINGS.removeOnComplete };

const redisUrl = () => process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** An address is the Redis URL and a key prefix of this run's own: `redis://…#bench_bullmq_…`. */
function parse(address: string): { url: string; prefix: string } {
  const at = address.lastIndexOf('#');
  return { url: address.slice(0, at), prefix: address.slice(at + 1) };
}

function client(url: string): Redis {
  // maxRetriesPerRequest null: what BullMQ requires of a Worker's connection.
  const redis = new Redis(url, { maxRetriesPerRequest: null });
  redis.on('error', () => undefined);
  return redis;
}

export function bullmq(): QueueSystem {
  return {
    name: 'bullmq',
    version: packageVersion('bullmq'),
    store: 'Redis',
    settings: SETTINGS,
    async prepare() {
      return `${redisUrl()}#bench_bullmq_${randomBytes(4).toString('hex')}`;
    },
    async start(address, role, onJob) {
      const { url, prefix } = parse(address);
      const clients: Redis[] = [];
      const connection = () => clients[clients.push(client(url)) - 1]!;
      const queue = role === 'workers' ? undefined : new Queue(QUEUE, { connection: connection(), prefix, defaultJobOptions: jobOptions });
      const worker =
        role === 'producer'
          ? undefined
          : new Worker(QUEUE, async () => void onJob(), { connection: connection(), prefix, concurrency: SETTINGS.concurrency });
      await Promise.all([queue?.waitUntilReady(), worker?.waitUntilReady()]);
      return {
        enqueueBatch: async (n) => void (await queue!.addBulk(Array.from({ length: n }, () => ({ name: QUEUE, data: {} })))),
        enqueueOne: async () => void (await queue!.add(QUEUE, {})),
        async stop() {
          await worker?.close();
          await queue?.close();
          await Promise.all(clients.map((c) => c.quit().catch(() => undefined)));
        },
      };
    },
    async monitor(address) {
      const { url, prefix } = parse(address);
      const redis = client(url);
      const queue = new Queue(QUEUE, { connection: redis, prefix });
      return {
        async unfinished() {
          const counts = await queue.getJobCounts('wait', 'active', 'delayed', 'prioritized', 'waiting-children');
          return Object.values(counts).reduce((a, b) => a + b, 0);
        },
        succeeded: async () => null, // completed jobs are removed
        reset: () => queue.obliterate({ force: true }),
        async close() {
          await queue.close();
          await redis.quit().catch(() => undefined);
        },
      };
    },
    async dispose(address) {
      const { url, prefix } = parse(address);
      const redis = client(url);
      try {
        // Every key of this run's prefix, whatever an interrupted run left behind.
        for (let cursor = '0'; ; ) {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
          if (keys.length) await redis.del(...keys);
          if ((cursor = next) === '0') break;
        }
      } finally {
        await redis.quit().catch(() => undefined);
      }
    },
  };
}
