// Watches the chaos database from outside the servers: operations due but unclaimed long past
// their lease (stuck), running far longer than any attempt should take, and how long the
// operations a killed process held took to be taken over.
import type { PgCluster } from './cluster.js';
import type { Clock } from './util.js';
import { round, sleep } from './util.js';

export interface StuckOp {
  key: string;
  kind: string;
  status: string;
  attempts: number;
  why: 'unclaimedPastLease' | 'runningTooLong';
  maxOverdueSec: number;
  firstSeenSec: number;
  phase: string;
  statusDetail: string | null;
}

interface Row {
  tenant_id: string;
  id: string;
  kind: string;
  status: string;
  attempts: number;
  status_detail: string | null;
  overdue: number;
  age: number;
}

export class StuckMonitor {
  readonly stuck = new Map<string, StuckOp>();
  samples = 0;
  skipped = 0;
  private running = false;
  private loop: Promise<void> | undefined;
  /** Clock ms before which the system is not expected to make progress (a fault and its aftermath). */
  quietUntil = 0;

  constructor(
    private readonly cluster: PgCluster,
    private readonly database: string,
    private readonly clock: Clock,
    private readonly graceSec: number,
    private readonly maxRunSec: number,
    private readonly healthy: () => boolean,
  ) {}

  start(): void {
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        await sleep(2000);
        if (!this.running) break;
        if (!this.cluster.isRunning || !this.healthy() || this.clock.ms() < this.quietUntil) {
          this.skipped++;
          continue;
        }
        try {
          await this.sample();
          this.samples++;
        } catch {
          this.skipped++;
        }
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async sample(): Promise<void> {
    const rows = await this.cluster.query<Row>(
      this.database,
      `SELECT tenant_id, id, kind, status, attempts, status_detail,
              extract(epoch FROM now() - run_after)::float8 AS overdue,
              extract(epoch FROM now() - created_at)::float8 AS age
         FROM operations
        WHERE status IN ('notStarted', 'running')
          AND (run_after < now() - make_interval(secs => $1) OR (status = 'running' AND created_at < now() - make_interval(secs => $2)))`,
      [this.graceSec, this.maxRunSec],
    );
    for (const r of rows) {
      const key = `${r.tenant_id}/${r.id}`;
      const why = r.overdue > this.graceSec ? 'unclaimedPastLease' : 'runningTooLong';
      const seen = this.stuck.get(key);
      if (seen) {
        seen.maxOverdueSec = Math.max(seen.maxOverdueSec, round(why === 'unclaimedPastLease' ? r.overdue : r.age, 1));
        seen.attempts = r.attempts;
        seen.statusDetail = r.status_detail;
        continue;
      }
      this.stuck.set(key, {
        key,
        kind: r.kind,
        status: r.status,
        attempts: r.attempts,
        why,
        maxOverdueSec: round(why === 'unclaimedPastLease' ? r.overdue : r.age, 1),
        firstSeenSec: this.clock.sec(),
        phase: this.clock.phase(),
        statusDetail: r.status_detail,
      });
    }
  }
}

export interface Held {
  tenant_id: string;
  id: string;
  attempts: number;
}

/** The running operations whose lease `pid`'s engine holds. */
export async function heldBy(cluster: PgCluster, database: string, pid: number): Promise<Held[]> {
  return cluster
    .query<Held>(database, `SELECT tenant_id, id, attempts FROM operations WHERE status = 'running' AND lease_owner LIKE $1`, [`%:${pid}:%`])
    .catch(() => []);
}

/**
 * Milliseconds from `sinceMs` until each held operation was taken over (claimed by another
 * worker, or final); null for those not taken over within `limitMs`.
 */
export async function takeover(cluster: PgCluster, database: string, clock: Clock, pid: number, held: Held[], sinceMs: number, limitMs: number): Promise<(number | null)[]> {
  const done = new Map<string, number>();
  const deadline = sinceMs + limitMs;
  while (done.size < held.length && clock.ms() < deadline) {
    try {
      const rows = await cluster.query<{ tenant_id: string; id: string; status: string; attempts: number; lease_owner: string | null }>(
        database,
        `SELECT tenant_id, id, status, attempts, lease_owner FROM operations WHERE (tenant_id, id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
        [held.map((h) => h.tenant_id), held.map((h) => h.id)],
      );
      const now = clock.ms();
      for (const h of held) {
        const key = `${h.tenant_id}/${h.id}`;
        if (done.has(key)) continue;
        const r = rows.find((x) => x.tenant_id === h.tenant_id && x.id === h.id);
        const gone = !r || r.status === 'succeeded' || r.status === 'failed' || r.attempts > h.attempts || (r.lease_owner !== null && !r.lease_owner.includes(`:${pid}:`));
        if (gone) done.set(key, now - sinceMs);
      }
    } catch {
      // the database is away: try again
    }
    await sleep(250);
  }
  return held.map((h) => done.get(`${h.tenant_id}/${h.id}`) ?? null);
}
