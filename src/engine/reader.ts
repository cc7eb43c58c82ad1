// Reads of single operations, coalesced: every GET that arrives while the event loop turns joins
// one `WHERE (tenant_id, id) IN (…)` query. Each read still starts after its request arrived, so
// an answer is never older than the request (no cache), at a fraction of the round trips.
import type { Db } from '../db/db.js';
import type { Operation } from './model.js';
import { operationKey, selectByKeys } from './store.js';

interface Pending {
  tenantId: string;
  id: string;
  resolve: Array<(op: Operation | null) => void>;
  reject: Array<(err: unknown) => void>;
}

export class OperationReader {
  private pending = new Map<string, Pending>();
  private scheduled = false;
  private inFlight = 0;

  constructor(
    private readonly db: Db,
    /** Batches under way at once; more requests wait for the next batch (bigger, fewer round trips). */
    private readonly maxInFlight = 4,
  ) {}

  get(tenantId: string, id: string): Promise<Operation | null> {
    const key = operationKey(tenantId, id);
    let entry = this.pending.get(key);
    if (!entry) this.pending.set(key, (entry = { tenantId, id, resolve: [], reject: [] }));
    const waiting = entry;
    const promise = new Promise<Operation | null>((resolve, reject) => {
      waiting.resolve.push(resolve);
      waiting.reject.push(reject);
    });
    this.schedule();
    return promise;
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.maxInFlight || this.pending.size === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    if (batch.size === 0) return;
    this.pending = new Map();
    this.inFlight++;
    try {
      const entries = [...batch.values()];
      const found = await selectByKeys(this.db, entries.map((e) => e.tenantId), entries.map((e) => e.id));
      const byKey = new Map(found.map((op) => [operationKey(op.tenantId, op.id), op]));
      for (const [key, entry] of batch) for (const resolve of entry.resolve) resolve(byKey.get(key) ?? null);
    } catch (err) {
      for (const entry of batch.values()) for (const reject of entry.reject) reject(err);
    } finally {
      this.inFlight--;
      this.schedule();
    }
  }
}
