// The last hour of this process's operations, minute by minute: what the dashboard's Throughput
// page charts (GET /metrics/recent, beside /metrics). Prometheus keeps history for a scraper; this
// keeps just enough for a page opened without one. Fed by the same engine observer as the metrics.

const MINUTES = 60;
const MINUTE_MS = 60_000;

export type Outcome = 'created' | 'started' | 'retried' | 'succeeded' | 'failed';

interface Minute {
  /** Minutes since the epoch. */
  index: number;
  counts: Record<Outcome, number>;
  /** Pickup latencies (seconds) of the minute's first attempts, counted per bucket of `buckets`. */
  pickupCounts: number[];
  pickupSum: number;
}

export interface RecentMinute {
  start: string;
  created: number;
  started: number;
  retried: number;
  succeeded: number;
  failed: number;
  pickup: { count: number; meanSeconds: number | null; p95Seconds: number | null };
}

export class RecentActivity {
  private readonly minutes: Minute[] = [];

  /** `buckets`: upper bounds in seconds, ascending; a p95 is reported as the bound of its bucket. */
  constructor(
    private readonly buckets: readonly number[],
    private readonly now: () => number = Date.now,
  ) {}

  count(outcome: Outcome): void {
    this.current().counts[outcome]++;
  }

  pickup(seconds: number): void {
    const minute = this.current();
    const i = this.buckets.findIndex((b) => seconds <= b);
    minute.pickupCounts[i < 0 ? this.buckets.length : i]!++;
    minute.pickupSum += seconds;
  }

  /** The last hour, oldest minute first, the current one last; minutes with nothing are zeros. */
  recent(): RecentMinute[] {
    const last = Math.floor(this.now() / MINUTE_MS);
    return Array.from({ length: MINUTES }, (_, i) => {
      const index = last - MINUTES + 1 + i;
      const m = this.minutes.find((x) => x.index === index);
      const count = m ? m.pickupCounts.reduce((a, b) => a + b, 0) : 0;
      return {
        start: new Date(index * MINUTE_MS).toISOString(),
        created: m?.counts.created ?? 0,
        started: m?.counts.started ?? 0,
        retried: m?.counts.retried ?? 0,
        succeeded: m?.counts.succeeded ?? 0,
        failed: m?.counts.failed ?? 0,
        pickup: { count, meanSeconds: count ? m!.pickupSum / count : null, p95Seconds: count ? this.quantile(m!.pickupCounts, count, 0.95) : null },
      };
    });
  }

  private quantile(counts: number[], total: number, q: number): number {
    let seen = 0;
    for (const [i, n] of counts.entries()) {
      seen += n;
      if (seen >= q * total) return this.buckets[i] ?? Infinity;
    }
    return Infinity;
  }

  private current(): Minute {
    const index = Math.floor(this.now() / MINUTE_MS);
    let minute = this.minutes.at(-1);
    if (minute?.index !== index) {
      minute = { index, counts: { created: 0, started: 0, retried: 0, succeeded: 0, failed: 0 }, pickupCounts: new Array<number>(this.buckets.length + 1).fill(0), pickupSum: 0 };
      this.minutes.push(minute);
      while (this.minutes.length > MINUTES) this.minutes.shift();
    }
    return minute;
  }
}
