// Small helpers shared by the chaos harness's files.
import { createHash } from 'node:crypto';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Nearest-rank percentile of unsorted samples. */
export function percentile(samples: readonly number[], p: number): number | null {
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Seconds since the harness started, and the phase it is in: what every record is stamped with. */
export class Clock {
  private readonly t0 = performance.now();
  private current = 'setup';
  sec(): number {
    return round((performance.now() - this.t0) / 1000, 1);
  }
  ms(): number {
    return performance.now() - this.t0;
  }
  phase(): string {
    return this.current;
  }
  setPhase(phase: string): void {
    this.current = phase;
  }
}

/** A deterministic pseudo-random generator (mulberry32), so a run's choices follow its seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** JSON with object keys sorted, for comparing results whatever the key order. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

export const digest = (value: unknown) => createHash('sha256').update(canonical(value)).digest('hex').slice(0, 16);

/** Counts by key, as a plain object sorted by count. */
export function tally(keys: Iterable<string>): Record<string, number> {
  const counts = new Map<string, number>();
  for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
  return Object.fromEntries([...counts].sort((a, b) => b[1] - a[1]));
}
