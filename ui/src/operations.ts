// The operations of both families, kept current while a page shows them: the lists are read
// again every few seconds (new operations, and refreshes that reuse an id), and each operation that
// has not ended is followed with `Prefer: wait` long-polls, which the service answers as soon as
// its status or statusDetail changes.
import { ALERTS_ROOT, ApiError, INDUSTRY_ROOT, describe, get, list, query } from './api';
import type { Json } from './api';
import { FINAL } from './format';
import { signal } from './store';

export type Family = 'alerts' | 'industryData';

export const FAMILIES: Record<Family, { label: string; root: string }> = {
  alerts: { label: 'PIM alerts', root: ALERTS_ROOT },
  industryData: { label: 'Industry data', root: INDUSTRY_ROOT },
};

export interface Operation extends Json {
  id: string;
  status: string;
  statusDetail?: string | null;
  createdDateTime?: string;
  lastActionDateTime?: string;
  resourceLocation?: string | null;
  '@odata.type'?: string;
}

export interface Row {
  family: Family;
  op: Operation;
}

export const operationPath = (family: Family, id: string) => `${FAMILIES[family].root}/operations/${encodeURIComponent(id)}`;
export const operationRoute = (family: Family, id: string) => `#/operations/${family}/${encodeURIComponent(id)}`;

/** Browsers open 6 connections per origin: long-polls take at most this many of them. */
const MAX_LONG_POLLS = 3;
const LIST_EVERY_MS = 4000;
const LIST_SIZE = 100;
const WAIT_SECONDS = 25;
const LIST_SELECT = 'id,status,statusDetail,createdDateTime,lastActionDateTime,resourceLocation';

const key = (family: Family, id: string) => `${family}|${id}`;

class OperationsFeed {
  /** family|id → row; a new Map on every change. */
  readonly rows = signal<Map<string, Row>>(new Map());
  /** Per family: why its list could not be read (a 403 for a token without that permission…). */
  readonly problems = signal<Partial<Record<Family, string>>>({});
  readonly loaded = signal(false);
  private users = 0;
  private stop = new AbortController();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly polling = new Set<string>();

  /** Keeps the feed running while at least one page uses it; returns the release. */
  use(): () => void {
    if (this.users++ === 0) {
      this.stop = new AbortController();
      void this.reload();
    }
    return () => {
      if (--this.users > 0) return;
      this.stop.abort();
      clearTimeout(this.timer);
      this.polling.clear();
    };
  }

  /** Forgets everything (another token: maybe another tenant). */
  reset(): void {
    this.rows.value = new Map();
    this.problems.value = {};
    this.loaded.value = false;
  }

  /** An operation started here (a refresh…): shown and followed at once, before the next list. */
  add(family: Family, op: Operation): void {
    this.put(family, op);
    if (this.users > 0) this.pump();
  }

  async reload(): Promise<void> {
    const signal = this.stop.signal;
    clearTimeout(this.timer);
    const problems: Partial<Record<Family, string>> = {};
    let refused = false;
    await Promise.all(
      (Object.keys(FAMILIES) as Family[]).map(async (family) => {
        try {
          const ops = await list<Operation>(`${FAMILIES[family].root}/operations?${query({ $orderby: 'createdDateTime desc', $top: LIST_SIZE, $select: LIST_SELECT })}`, { signal, maxPages: 1 });
          const next = new Map(this.rows.value);
          for (const [k, row] of next) if (row.family === family && !this.polling.has(k)) next.delete(k);
          for (const op of ops) {
            const k = key(family, op.id);
            const known = next.get(k);
            // A long-poll may have seen a later state than the list did.
            if (!known || !this.polling.has(k) || (op.lastActionDateTime ?? '') >= (known.op.lastActionDateTime ?? '')) next.set(k, { family, op: { ...known?.op, ...op } });
          }
          this.rows.value = next;
        } catch (err) {
          if (signal.aborted) return;
          if (err instanceof ApiError && err.status === 401) refused = true;
          problems[family] = describe(err);
        }
      }),
    );
    if (signal.aborted) return;
    this.problems.value = problems;
    this.loaded.value = true;
    this.pump();
    // A refused token is not asked about again until another is given (the page then starts anew).
    if (!refused) this.timer = setTimeout(() => void this.reload(), LIST_EVERY_MS);
  }

  private put(family: Family, op: Operation): void {
    const next = new Map(this.rows.value);
    const k = key(family, op.id);
    next.set(k, { family, op: { ...next.get(k)?.op, ...op } });
    this.rows.value = next;
  }

  /** Starts long-polls on the newest operations that have not ended, up to MAX_LONG_POLLS. */
  private pump(): void {
    if (this.stop.signal.aborted) return;
    const waiting = [...this.rows.value.entries()]
      .filter(([k, row]) => !FINAL.has(row.op.status) && !this.polling.has(k))
      .sort(([, a], [, b]) => String(b.op.createdDateTime).localeCompare(String(a.op.createdDateTime)));
    for (const [k, row] of waiting) {
      if (this.polling.size >= MAX_LONG_POLLS) break;
      this.polling.add(k);
      void this.follow(k, row.family, row.op.id);
    }
  }

  private async follow(k: string, family: Family, id: string): Promise<void> {
    const signal = this.stop.signal;
    try {
      for (;;) {
        const op = await get<Operation>(operationPath(family, id), { signal, headers: { prefer: `wait=${WAIT_SECONDS}` } });
        if (signal.aborted) return;
        this.put(family, op);
        if (FINAL.has(op.status)) return;
      }
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) {
        // Purged (retention) meanwhile.
        const next = new Map(this.rows.value);
        next.delete(k);
        this.rows.value = next;
      }
    } finally {
      this.polling.delete(k);
      if (!signal.aborted) setTimeout(() => this.pump(), 500);
    }
  }
}

export const feed = new OperationsFeed();

/**
 * Follows one operation to its end, calling `onChange` with each state: its state now, then
 * long-polls (each answers when the state differs from the one at the time it was asked).
 */
export async function follow(url: string, onChange: (op: Operation) => void, signal: AbortSignal): Promise<Operation> {
  for (let first = true; ; first = false) {
    const op = await get<Operation>(url, { signal, headers: first ? {} : { prefer: `wait=${WAIT_SECONDS}` } });
    onChange(op);
    if (FINAL.has(op.status)) return op;
  }
}

/** Every operation of the family created since `since` (for the throughput chart). */
export async function operationsSince(family: Family, since: Date, signal?: AbortSignal): Promise<Operation[]> {
  const filter = `createdDateTime ge ${since.toISOString()}`;
  return list<Operation>(`${FAMILIES[family].root}/operations?${query({ $filter: filter, $orderby: 'createdDateTime desc', $top: 999, $select: LIST_SELECT })}`, { signal, maxPages: 20 });
}
