// Claims due operations in batches, runs their handlers, renews leases by heartbeat and writes
// outcomes in batches. One Runner per process; any number of processes share one database.
import type { Db } from '../db/db.js';
import { isDatabaseUnavailable } from '../db/unavailable.js';
import type { Logger } from './logger.js';
import type { HandlerDefinition, HandlerResult, Operation } from './model.js';
import { PermanentError } from './model.js';
import type { OperationFaults } from './faults.js';
import { failAttempt, holdAttempt } from './faults.js';
import type { EngineObserver } from './observer.js';
import { notify } from './observer.js';
import type { Completion, Lease } from './store.js';
import { claimOperations, completeOperations, operationKey, releaseLeases, renewLeases, reportProgress, storable } from './store.js';

export interface RunnerOptions {
  owner: string;
  concurrency: number;
  /** Most rows one claim statement takes. */
  claimBatch: number;
  leaseMs: number;
  /** Interrupted attempts (lost leases, hand-backs) after which an operation fails as poison. */
  maxInterruptions: number;
  /** Fallback wake-up when no NOTIFY arrives (expired leases of dead workers, retries elsewhere). */
  pollIntervalMs: number;
  retentionMs: number;
  defaultTimeoutMs: number;
  /** Delay before attempt `attempt + 1` after attempt `attempt` failed. */
  backoffMs(attempt: number): number;
  /** The faults set on this process (faults.ts), read at each attempt. */
  faults(): OperationFaults | undefined;
  logger: Logger;
  observer?: EngineObserver;
}

class TimeoutError extends Error {
  override name = 'TimeoutError';
}
class LeaseLostError extends Error {
  override name = 'LeaseLostError';
}
class ShutdownError extends Error {
  override name = 'ShutdownError';
}

interface Job {
  key: string;
  operation: Operation;
  lease: Lease;
  controller: AbortController;
  timer: NodeJS.Timeout;
  /** performance.now() when the attempt began. */
  startedAt: number;
  done: boolean;
  pendingDetail?: string;
  progressWrite?: Promise<void>;
}

const MAX_DETAIL = 1000;
const INTERRUPTED = 'Interrupted by a database outage; it resumes now that the database answers again.';
const clip = (s: string) => storable(s.length > MAX_DETAIL ? `${s.slice(0, MAX_DETAIL - 1)}…` : s);
const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

export class Runner {
  private readonly jobs = new Map<string, Job>();
  private readonly completions: Completion[] = [];
  /** Leases of outcomes not yet written: renewed like running jobs, so a slow write never lets them expire. */
  private readonly unwritten = new Map<string, Lease>();
  /** Leases of attempts a database outage cut short, handed back once the database answers. */
  private readonly interrupted = new Map<string, Lease>();
  private flushing: Promise<void> | undefined;
  private loopDone: Promise<void> | undefined;
  private stopping = false;
  private poked = false;
  /** The loop waits for a free slot, which a job's end gives it. */
  private full = false;
  /** Slots held for operations this process is creating already claimed (see `reserve`). */
  private reserved = 0;
  private wake: (() => void) | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private lastRenewal = Date.now();
  private unlisten: (() => Promise<void>) | undefined;
  private readonly idleJobs: Array<() => void> = [];

  constructor(
    private readonly db: Db,
    private readonly handlers: ReadonlyMap<string, HandlerDefinition>,
    private readonly options: RunnerOptions,
  ) {}

  get active(): number {
    return this.jobs.size;
  }

  async start(): Promise<void> {
    this.unlisten = await this.db.listen('graph_lro_ready', () => this.poke());
    const beat = Math.max(50, Math.floor(this.options.leaseMs / 3));
    this.heartbeat = setInterval(() => void this.renew(), beat);
    this.heartbeat.unref();
    this.loopDone = this.loop();
  }

  /** Stops claiming, lets running handlers finish within `graceMs`, then hands their leases back. */
  async stop(graceMs: number): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.poke();
    await this.loopDone;
    await this.unlisten?.();
    if (this.jobs.size) await Promise.race([this.drained(), new Promise((r) => setTimeout(r, graceMs))]);
    const left = [...this.jobs.values()];
    for (const job of left) this.end(job, new ShutdownError('The worker is shutting down.'));
    clearInterval(this.heartbeat);
    await this.flush();
    if (this.interrupted.size) await this.handBackInterrupted();
    if (left.length) {
      await releaseLeases(this.db, this.options.owner, left.map((j) => j.lease)).catch((err: unknown) =>
        this.options.logger.error({ err }, 'could not hand leases back; they expire instead'),
      );
    }
  }

  /**
   * Holds a slot for an operation of `kind` that this process is about to create: the create then
   * inserts it claimed by this worker and `adopt` runs it, with no NOTIFY and no claim between.
   * False when no slot is free, the kind has no handler here, or the runner is stopping.
   */
  reserve(kind: string): boolean {
    if (this.stopping || !this.handlers.has(kind) || this.freeSlots() <= 0) return false;
    this.reserved++;
    return true;
  }

  /** Runs the operation created on a reserved slot; undefined gives the slot back (nothing was created). */
  adopt(operation: Operation | undefined): void {
    this.reserved--;
    if (operation && this.stopping) {
      const lease = { tenantId: operation.tenantId, id: operation.id, attempt: operation.attempts };
      void releaseLeases(this.db, this.options.owner, [lease]).catch((err: unknown) =>
        this.options.logger.error({ err }, 'could not hand a new lease back; it expires instead'),
      );
    } else if (operation) this.run(operation);
    else if (this.full) this.poke();
  }

  private freeSlots(): number {
    return this.options.concurrency - this.jobs.size - this.reserved;
  }

  private drained(): Promise<void> {
    return this.jobs.size === 0 ? Promise.resolve() : new Promise((resolve) => this.idleJobs.push(resolve));
  }

  private poke(): void {
    this.poked = true;
    this.wake?.();
  }

  private idle(ms: number): Promise<void> {
    if (this.poked || this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.wake?.(), ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
    });
  }

  private async loop(): Promise<void> {
    const kinds = [...this.handlers.keys()];
    const { claimBatch, pollIntervalMs } = this.options;
    while (!this.stopping) {
      const free = this.freeSlots();
      if (free <= 0) {
        this.full = true;
        await this.idle(pollIntervalMs);
        this.full = false;
        this.poked = false;
        continue;
      }
      const limit = Math.min(free, claimBatch);
      this.poked = false;
      let claimed: Operation[];
      try {
        claimed = await claimOperations(this.db, { ...this.options, kinds, limit });
      } catch (err) {
        if (this.stopping) break;
        this.options.logger.error({ err }, 'claiming operations failed');
        await this.idle(pollIntervalMs);
        continue;
      }
      for (const op of claimed) this.run(op);
      if (claimed.length < limit) await this.idle(pollIntervalMs);
    }
  }

  private run(operation: Operation): void {
    const key = operationKey(operation.tenantId, operation.id);
    const handler = this.handlers.get(operation.kind);
    const controller = new AbortController();
    const timeoutMs = handler?.timeoutMs ?? this.options.defaultTimeoutMs;
    const job: Job = {
      key,
      operation,
      lease: { tenantId: operation.tenantId, id: operation.id, attempt: operation.attempts },
      controller,
      timer: setTimeout(() => this.end(job, new TimeoutError(`Timed out after ${seconds(timeoutMs)}.`)), timeoutMs),
      startedAt: performance.now(),
      done: false,
    };
    this.jobs.set(key, job);
    // First attempts only: a retry's or resumption's due time is not on the claimed row.
    const first = operation.attempts === 1 && operation.interruptions === 0;
    notify(this.options.observer, (o) => o.started(operation, first ? Math.max(0, Date.parse(operation.lastActionAt) - Date.parse(operation.createdAt)) : undefined));
    if (!handler) {
      this.end(job, new PermanentError(`No handler is registered for operations of kind '${operation.kind}'.`));
      return;
    }
    const ctx = {
      operation,
      attempt: operation.attempts,
      signal: controller.signal,
      progress: (detail: string) => this.progress(job, detail),
      db: this.db,
    };
    const faults = this.options.faults();
    const startedAt = performance.now();
    Promise.resolve()
      .then(() => failAttempt(faults))
      .then(() => handler.handle(ctx))
      .then(async (result) => (faults ? (await holdAttempt(faults, operation.kind, startedAt, controller.signal), result) : result))
      .then(
        (result) => this.end(job, undefined, result ?? undefined),
        (err: unknown) => this.end(job, err),
      );
  }

  /** Ends a job once: records its outcome and frees its slot. Later calls are ignored. */
  private end(job: Job, error: unknown, result?: HandlerResult): void {
    if (job.done) return;
    job.done = true;
    clearTimeout(job.timer);
    this.jobs.delete(job.key);
    if (error !== undefined && !job.controller.signal.aborted) job.controller.abort(error);
    const completion = this.outcome(job, error, result);
    if (completion) {
      const runMs = performance.now() - job.startedAt;
      const op = job.operation;
      notify(this.options.observer, (o) =>
        completion.status === 'succeeded' ? o.succeeded(op, runMs) : completion.status === 'failed' ? o.failed(op, runMs) : o.retried(op, runMs),
      );
      this.completions.push(completion);
      this.unwritten.set(job.key, job.lease);
      this.flushing ??= this.flush();
    }
    if (this.jobs.size === 0) for (const resolve of this.idleJobs.splice(0)) resolve();
    // Only a loop that waits for a slot claims again now: otherwise the last claim found every due
    // operation, and a new one comes with a NOTIFY (an empty claim here would delay its pickup).
    if (this.full) this.poke();
  }

  private outcome(job: Job, error: unknown, result?: HandlerResult): Completion | undefined {
    const { tenantId, id, attempt } = job.lease;
    const base = { tenantId, id, attempt };
    if (error === undefined) {
      return {
        ...base,
        status: 'succeeded',
        statusDetail: result?.statusDetail ?? job.operation.statusDetail,
        ...(result?.resourceLocation !== undefined ? { resourceLocation: result.resourceLocation } : {}),
        result: result?.result ?? null,
      };
    }
    if (error instanceof LeaseLostError || error instanceof ShutdownError) return undefined;
    if (isDatabaseUnavailable(error)) {
      // The handler's reads or writes met a database outage: not the operation's failure.
      this.interrupted.set(job.key, job.lease);
      return undefined;
    }
    const message = clip(error instanceof Error ? error.message : String(error));
    const failures = attempt - job.operation.interruptions;
    if (error instanceof TimeoutError || error instanceof PermanentError || failures >= job.operation.maxAttempts) {
      const detail = error instanceof TimeoutError || failures <= 1 ? message : `Failed after ${failures} attempts: ${message}`;
      return { ...base, status: 'failed', statusDetail: detail };
    }
    const delay = Math.max(0, Math.round(this.options.backoffMs(failures)));
    setTimeout(() => this.poke(), delay + 5).unref();
    return {
      ...base,
      status: 'running',
      statusDetail: clip(`Attempt ${failures} of ${job.operation.maxAttempts} failed (${message}); retrying in ${seconds(delay)}.`),
      retryInMs: delay,
    };
  }

  /**
   * Writes outcomes in batches; outcomes that finish while a batch is written go in the next. A
   * batch waits out a database outage for as long as its leases can still be valid; past that the
   * operations run again elsewhere, so nothing is retried forever.
   */
  private async flush(): Promise<void> {
    try {
      await new Promise((resolve) => setImmediate(resolve));
      let wait = 250;
      while (this.completions.length) {
        const batch = this.completions.splice(0, 500);
        try {
          await this.write(batch);
          wait = 250;
        } catch (err) {
          if (Date.now() - this.lastRenewal > this.options.leaseMs) {
            this.options.logger.error({ err, count: batch.length }, 'operation outcomes were not written before their leases expired; they run again');
            for (const c of batch) this.unwritten.delete(operationKey(c.tenantId, c.id));
            continue;
          }
          this.options.logger.warn({ err, count: batch.length }, 'writing operation outcomes failed; retrying');
          this.completions.unshift(...batch);
          await new Promise((resolve) => setTimeout(resolve, wait));
          wait = Math.min(wait * 2, 2_000);
        }
      }
    } finally {
      this.flushing = undefined;
    }
  }

  /**
   * Writes a batch in one statement. When the statement fails for anything but an outage, its
   * outcomes are written one by one, so an outcome the database refuses fails its own operation
   * and never holds up the others. Throws only for an outage.
   */
  private async write(batch: readonly Completion[]): Promise<void> {
    const { owner, retentionMs } = this.options;
    try {
      await completeOperations(this.db, owner, retentionMs, batch);
    } catch (err) {
      if (isDatabaseUnavailable(err)) throw err;
      if (batch.length > 1) {
        for (const c of batch) await this.write([c]);
        return;
      }
      const c = batch[0]!;
      this.options.logger.error({ err, id: c.id }, 'an operation outcome could not be stored; the operation fails');
      const detail = clip(`The operation's outcome could not be stored: ${err instanceof Error ? err.message : String(err)}`);
      try {
        await completeOperations(this.db, owner, retentionMs, [{ tenantId: c.tenantId, id: c.id, attempt: c.attempt, status: 'failed', statusDetail: detail }]);
      } catch (again) {
        if (isDatabaseUnavailable(again)) throw again;
        this.options.logger.error({ err: again, id: c.id }, 'not even the failure could be stored; the lease expires instead');
      }
    }
    for (const c of batch) this.unwritten.delete(operationKey(c.tenantId, c.id));
  }

  private progress(job: Job, detail: string): Promise<void> {
    if (job.done) return Promise.reject(job.controller.signal.reason ?? new LeaseLostError('The operation is no longer running here.'));
    job.pendingDetail = clip(detail);
    job.progressWrite ??= (async () => {
      try {
        while (job.pendingDetail !== undefined && !job.done) {
          const next = job.pendingDetail;
          job.pendingDetail = undefined;
          if (!(await reportProgress(this.db, this.options.owner, job.lease, next))) {
            this.end(job, new LeaseLostError('The lease on this operation was lost to another worker.'));
            throw job.controller.signal.reason;
          }
        }
      } finally {
        job.progressWrite = undefined;
      }
    })();
    return job.progressWrite;
  }

  private async renew(): Promise<void> {
    if (this.interrupted.size) await this.handBackInterrupted();
    const jobs = [...this.jobs.values()];
    const leases = [...jobs.map((j) => j.lease), ...this.unwritten.values()];
    if (leases.length === 0) {
      this.lastRenewal = Date.now();
      return;
    }
    try {
      const renewed = await renewLeases(this.db.control, this.options.owner, this.options.leaseMs, leases);
      const late = Date.now() - this.lastRenewal;
      this.lastRenewal = Date.now();
      for (const job of jobs) {
        if (renewed.has(job.key)) continue;
        this.options.logger.warn({ id: job.operation.id, attempt: job.lease.attempt, sinceLastRenewalMs: late }, 'lost the lease of a running operation; it stops here');
        this.end(job, new LeaseLostError('The lease on this operation was lost to another worker.'));
      }
    } catch (err) {
      this.options.logger.warn({ err }, 'renewing leases failed');
      // Past the lease time without a renewal, another worker may have taken the work over.
      if (Date.now() - this.lastRenewal > this.options.leaseMs) {
        for (const job of jobs) {
          this.interrupted.set(job.key, job.lease);
          this.end(job, new LeaseLostError('The lease could not be renewed in time.'));
        }
      }
    }
  }

  /**
   * Hands back the leases of attempts an outage cut short, once the database answers: claimable at
   * once rather than when the lease expires. A lease another worker took meanwhile is fenced out.
   */
  private async handBackInterrupted(): Promise<void> {
    const leases = [...this.interrupted.entries()];
    try {
      await releaseLeases(this.db, this.options.owner, leases.map(([, lease]) => lease), INTERRUPTED);
    } catch (err) {
      if (isDatabaseUnavailable(err)) return;
      this.options.logger.error({ err }, 'could not hand interrupted leases back; they expire instead');
    }
    for (const [key] of leases) this.interrupted.delete(key);
  }
}
