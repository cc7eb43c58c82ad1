// The operation engine: create operations (inside the caller's transaction), read them, run them.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Db, Queryable } from '../db/db.js';
import { ChangeFeed } from './changes.js';
import type { Logger } from './logger.js';
import { silentLogger } from './logger.js';
import type { CreateOperation, CreateResult, HandlerDefinition, Operation } from './model.js';
import type { OperationFaults } from './faults.js';
import type { EngineObserver } from './observer.js';
import { notify } from './observer.js';
import { startDelayMs } from './faults.js';
import { Runner } from './runner.js';
import type { ListQuery } from './store.js';
import { OperationReader } from './reader.js';
import type { QueueDepth } from './store.js';
import { countOperations, createOperation, listOperations, purgeExpired, queueDepth, recoverLeases } from './store.js';

export interface EngineOptions {
  /** Names this process's leases; unique per process. */
  workerId?: string;
  /** Handlers running at once in this process (default 32). */
  concurrency?: number;
  claimBatch?: number;
  /** Lease length; a heartbeat renews it every third of it (default 30 s). */
  leaseMs?: number;
  pollIntervalMs?: number;
  /** How long terminal operations are kept (default 7 days). */
  retentionMs?: number;
  sweepIntervalMs?: number;
  defaultMaxAttempts?: number;
  /** Attempts that end without the handler's outcome (its worker died or stopped) before the operation fails as poison (default 10). */
  maxInterruptions?: number;
  defaultTimeoutMs?: number;
  /** First retry delay; doubles per attempt, with jitter, up to 5 minutes (default 1 s). */
  retryBaseMs?: number;
  logger?: Logger;
  /** Told of creates, attempts and outcomes in this process (metrics); none when absent. */
  observer?: EngineObserver;
}

export const DAY_MS = 24 * 60 * 60 * 1000;

export class Engine {
  readonly changes: ChangeFeed;
  readonly workerId: string;
  private readonly handlers = new Map<string, HandlerDefinition>();
  private readonly reader: OperationReader;
  private runner: Runner | undefined;
  private sweeper: NodeJS.Timeout | undefined;
  private readonly options: Required<Omit<EngineOptions, 'workerId' | 'observer'>>;
  private readonly observer: EngineObserver | undefined;
  private faults: OperationFaults | undefined;

  constructor(
    readonly db: Db,
    options: EngineOptions = {},
  ) {
    this.workerId = options.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.options = {
      concurrency: options.concurrency ?? 32,
      claimBatch: options.claimBatch ?? 100,
      leaseMs: options.leaseMs ?? 30_000,
      pollIntervalMs: options.pollIntervalMs ?? 1_000,
      retentionMs: options.retentionMs ?? 7 * DAY_MS,
      sweepIntervalMs: options.sweepIntervalMs ?? 60_000,
      defaultMaxAttempts: options.defaultMaxAttempts ?? 3,
      maxInterruptions: options.maxInterruptions ?? 10,
      defaultTimeoutMs: options.defaultTimeoutMs ?? 15 * 60_000,
      retryBaseMs: options.retryBaseMs ?? 1_000,
      logger: options.logger ?? silentLogger,
    };
    this.observer = options.observer;
    this.changes = new ChangeFeed(db);
    this.reader = new OperationReader(db);
  }

  /** Registers the handler for one kind of operation; call before `start`. */
  register(kind: string, handler: HandlerDefinition): void {
    if (this.runner) throw new Error('register handlers before the engine starts');
    this.handlers.set(kind, handler);
  }

  /** Sets (or, undefined, clears) the faults this process injects into the operations it creates and runs. */
  setFaults(faults: OperationFaults | undefined): void {
    this.faults = faults;
  }

  /**
   * Creates an operation in `tx` when given (the caller's transaction), else on its own. On its
   * own, when this process's workers run the kind and have a free slot, the operation is created
   * claimed by them and its handler starts as the insert returns: no NOTIFY and claim in between.
   * (In a caller's transaction the row only appears at its commit, so a claim picks it up.)
   */
  async create(spec: CreateOperation, tx?: Queryable): Promise<CreateResult> {
    const delayMs = Math.max(spec.delayMs ?? 0, startDelayMs(this.faults, spec.kind));
    if (delayMs) spec = { ...spec, delayMs };
    const maxAttempts = this.handlers.get(spec.kind)?.maxAttempts ?? this.options.defaultMaxAttempts;
    const runner = this.runner;
    if (tx || spec.delayMs || !runner?.reserve(spec.kind)) return this.observed(await createOperation(tx ?? this.db, spec, maxAttempts));
    let result: CreateResult | undefined;
    try {
      result = this.observed(await createOperation(this.db, spec, maxAttempts, { owner: this.workerId, leaseMs: this.options.leaseMs }));
    } finally {
      runner.adopt(result?.created ? result.operation : undefined);
    }
    return result;
  }

  private observed(result: CreateResult): CreateResult {
    if (result.created) notify(this.observer, (o) => o.created(result.operation));
    return result;
  }

  /** Operations not ended, by status, over the whole database (every tenant and process). */
  queueDepth(): Promise<QueueDepth> {
    return queueDepth(this.db);
  }

  /** One operation of a tenant and family, read fresh (concurrent reads share one query). */
  async get(tenantId: string, family: string, id: string): Promise<Operation | null> {
    const op = await this.reader.get(tenantId, id);
    return op?.family === family ? op : null;
  }

  list(query: ListQuery): Promise<Operation[]> {
    return listOperations(this.db, query);
  }

  count(query: Pick<ListQuery, 'tenantId' | 'family' | 'where'>): Promise<number> {
    return countOperations(this.db, query);
  }

  /** Starts listening for changes and, unless `workers` is false, running operations. */
  async start({ workers = true }: { workers?: boolean } = {}): Promise<void> {
    await this.changes.start();
    if (!workers) return;
    const { retryBaseMs, maxInterruptions, retentionMs } = this.options;
    // No other process can hold a lease in a database locked to this one: what is leased is the previous run's.
    if (this.db.lockedToProcess) {
      const recovered = await recoverLeases(this.db, maxInterruptions, retentionMs);
      if (recovered) this.options.logger.info({ recovered }, 'released the leases of the previous run; its operations resume now');
    }
    this.runner = new Runner(this.db, this.handlers, {
      ...this.options,
      owner: this.workerId,
      backoffMs: (attempt) => Math.min(retryBaseMs * 2 ** (attempt - 1), 300_000) * (0.75 + Math.random() / 2),
      faults: () => this.faults,
      observer: this.observer,
    });
    await this.runner.start();
    const sweepEvery = this.options.sweepIntervalMs;
    this.sweeper = setInterval(() => void this.sweep().catch((err: unknown) => this.options.logger.warn({ err }, 'retention sweep failed')), sweepEvery);
    this.sweeper.unref();
  }

  /** Graceful stop: no new claims; running handlers get `graceMs` to finish, then their leases go back. */
  async stop(graceMs = 10_000): Promise<void> {
    clearInterval(this.sweeper);
    await this.runner?.stop(graceMs);
    await this.changes.stop();
  }

  /** Deletes terminal operations past their retention; returns how many. */
  async sweep(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await purgeExpired(this.db, 1000);
      total += n;
      if (n < 1000) return total;
    }
  }
}
