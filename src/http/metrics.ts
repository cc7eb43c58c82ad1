// Prometheus metrics (docs/metrics.md): one registry per server, so several servers in one process
// never share counters; process metrics once per process. Labels are bounded sets: never ids.
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { PoolStats } from '../db/db.js';
import type { EngineObserver, QueueDepth } from '../engine/index.js';
import type { Outcome } from './recentActivity.js';
import { RecentActivity } from './recentActivity.js';

const PREFIX = 'graph_lro_';
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
/** Up to the longest Prefer: wait (60 s): long-polls are requests too. */
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const PICKUP_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
const RUN_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900];

/** Where scrape-time values come from. */
export interface MetricSources {
  /** Operations not ended, by status, from the database (one query per scrape). */
  queueDepth(): Promise<QueueDepth>;
  /** The database's connection pools; undefined or absent on PGlite (one connection, no pool). */
  pools?(): PoolStats[] | undefined;
}

let processRegistry: Registry | undefined;
/** Process metrics (CPU, memory, event loop, GC) are the process's: collected once, whatever the number of servers. */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry, prefix: PREFIX });
  }
  return processRegistry;
}

export class Metrics {
  readonly registry = new Registry();
  /** The last hour minute by minute, for the dashboard (GET /metrics/recent). */
  readonly recent = new RecentActivity(PICKUP_BUCKETS);
  readonly observer: EngineObserver;
  private readonly httpRequests: Counter<'route' | 'method' | 'status_code'>;
  private readonly httpDuration: Histogram<'route' | 'method'>;
  private readonly longPolls: Gauge;

  constructor(sources: MetricSources) {
    const registers = [this.registry];
    const byKind = ['family', 'kind'] as const;
    const counter = (what: string, help: string) => new Counter({ name: `${PREFIX}operations_${what}_total`, help, labelNames: byKind, registers });
    const created = counter('created', 'Operations created by this process (deduplicated requests not counted).');
    const started = counter('started', 'Attempts begun by this process (first attempts, retries and resumptions).');
    const retried = counter('retried', 'Attempts that failed in this process and will run again.');
    const succeeded = counter('succeeded', 'Operations that succeeded in this process.');
    const failed = counter('failed', 'Operations that failed in this process (handler failures, timeouts, attempts used up).');
    const pickup = new Histogram({
      name: `${PREFIX}operation_pickup_seconds`,
      help: 'From creation to the claim by a worker, first attempts only (an operation scheduled to start later counts its delay).',
      labelNames: byKind,
      buckets: PICKUP_BUCKETS,
      registers,
    });
    const run = new Histogram({ name: `${PREFIX}operation_run_seconds`, help: 'Duration of an attempt that ended with an outcome (succeeded, failed or retried).', labelNames: byKind, buckets: RUN_BUCKETS, registers });
    const labels = (op: { family: string; kind: string }) => ({ family: op.family, kind: op.kind });
    const recent = this.recent;
    const ended = (c: Counter<'family' | 'kind'>, outcome: Outcome) => (op: { family: string; kind: string }, runMs: number) => {
      c.inc(labels(op));
      run.observe(labels(op), runMs / 1000);
      recent.count(outcome);
    };
    this.observer = {
      created(op) {
        created.inc(labels(op));
        recent.count('created');
      },
      started(op, pickupMs) {
        started.inc(labels(op));
        recent.count('started');
        if (pickupMs !== undefined) {
          pickup.observe(labels(op), pickupMs / 1000);
          recent.pickup(pickupMs / 1000);
        }
      },
      retried: ended(retried, 'retried'),
      succeeded: ended(succeeded, 'succeeded'),
      failed: ended(failed, 'failed'),
    };

    new Gauge({
      name: `${PREFIX}operations_queue_depth`,
      help: 'Operations not ended in the database (every process and tenant), by status; absent when the database does not answer.',
      labelNames: ['status'],
      registers,
      async collect() {
        try {
          const depth = await sources.queueDepth();
          for (const [status, n] of Object.entries(depth)) this.set({ status }, n);
        } catch {
          this.reset();
        }
      },
    });
    this.longPolls = new Gauge({ name: `${PREFIX}long_polls_waiting`, help: 'GET requests for an operation held now by Prefer: wait.', registers });
    this.httpRequests = new Counter({
      name: `${PREFIX}http_requests_total`,
      help: 'HTTP requests answered, by route template (unmatched: no route), method and status code.',
      labelNames: ['route', 'method', 'status_code'],
      registers,
    });
    this.httpDuration = new Histogram({
      name: `${PREFIX}http_request_duration_seconds`,
      help: 'Time to answer an HTTP request (long-polls included), by route template and method.',
      labelNames: ['route', 'method'],
      buckets: HTTP_BUCKETS,
      registers,
    });
    if (sources.pools?.()) {
      const pool = (name: string, help: string, value: (p: PoolStats) => number) =>
        new Gauge({
          name: `${PREFIX}db_pool_${name}`,
          help,
          labelNames: ['pool'],
          registers,
          collect() {
            for (const p of sources.pools?.() ?? []) this.set({ pool: p.name }, value(p));
          },
        });
      pool('connections_in_use', 'PostgreSQL connections lent out now (main: queries; control: lease renewals).', (p) => p.total - p.idle);
      pool('connections_idle', 'PostgreSQL connections open and idle.', (p) => p.idle);
      pool('waiting_requests', 'Queries waiting for a PostgreSQL connection.', (p) => p.waiting);
    }
  }

  /** Counts a long-poll as waiting until the returned function is called (once). */
  holdLongPoll = (): (() => void) => {
    this.longPolls.inc();
    let held = true;
    return () => {
      if (held) this.longPolls.dec();
      held = false;
    };
  };

  /** Counts and times every request `app` answers. */
  instrument(app: FastifyInstance): void {
    app.addHook('onResponse', (request, reply, done) => {
      const route = request.is404 ? 'unmatched' : (request.routeOptions.url ?? 'unmatched');
      const method = METHODS.has(request.method) ? request.method : 'other';
      this.httpRequests.inc({ route, method, status_code: String(reply.statusCode) });
      this.httpDuration.observe({ route, method }, reply.elapsedTime / 1000);
      done();
    });
  }

  /** The text exposition: process metrics, then this server's. */
  async scrape(): Promise<string> {
    const [own, proc] = await Promise.all([this.registry.metrics(), processMetrics().metrics()]);
    return `${proc.trimEnd()}\n${own}`;
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

/** GET /metrics, with no token: scrapers do not carry Graph tokens. */
export function registerMetricsRoute(app: FastifyInstance, metrics: Metrics): void {
  app.get('/metrics', async (_request, reply) => reply.type(metrics.contentType).header('cache-control', 'no-store').send(await metrics.scrape()));
}

/**
 * GET /metrics/recent on the main port, wherever /metrics is: this process's last hour by minute
 * (counts only, nothing of any tenant) for the dashboard, which can only ask its own origin.
 * `{ "minutes": null }` when metrics are off.
 */
export function registerRecentRoute(app: FastifyInstance, metrics: Metrics | undefined): void {
  app.get('/metrics/recent', async (_request, reply) => reply.header('cache-control', 'no-store').send({ minutes: metrics ? metrics.recent.recent() : null }));
}

/** /metrics alone on a port of its own (plain HTTP), e.g. reachable by the scraper only. */
export async function startMetricsServer(metrics: Metrics, host: string, port: number): Promise<{ url: string; close(): Promise<void> }> {
  const app = Fastify({ logger: false });
  registerMetricsRoute(app, metrics);
  await app.listen({ host, port });
  const address = app.server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  const name = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  return { url: `http://${name.includes(':') ? `[${name}]` : name}:${bound}/metrics`, close: () => app.close() };
}
