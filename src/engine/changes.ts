// Wakes long-polls (Prefer: wait) when an operation's status or statusDetail changes, in this
// process or any other on the same database: the table's trigger sends NOTIFY with the keys.
import type { Db } from '../db/db.js';
import { operationKey } from './store.js';

export class Subscription {
  private pending = false;
  private wake: (() => void) | undefined;

  constructor(private readonly onClose: (s: Subscription) => void) {}

  /** Called by the feed; remembered if nobody waits yet, so a change between read and wait is not lost. */
  notify(): void {
    if (this.wake) this.wake();
    else this.pending = true;
  }

  /** True when a change arrived (or may have), false after `timeoutMs` or when `signal` aborts. */
  changed(timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve(true);
    }
    if (signal?.aborted || timeoutMs <= 0) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (value: boolean) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.wake = undefined;
        resolve(value);
      };
      const onAbort = () => done(false);
      const timer = setTimeout(() => done(false), timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.wake = () => done(true);
    });
  }

  close(): void {
    this.onClose(this);
  }
}

export class ChangeFeed {
  private readonly subscribers = new Map<string, Set<Subscription>>();
  private unlisten: (() => Promise<void>) | undefined;

  constructor(private readonly db: Db) {}

  async start(): Promise<void> {
    this.unlisten ??= await this.db.listen('graph_lro_changed', (payload) => this.dispatch(payload));
  }

  async stop(): Promise<void> {
    await this.unlisten?.();
    this.unlisten = undefined;
  }

  subscribe(tenantId: string, id: string): Subscription {
    const key = operationKey(tenantId, id);
    let set = this.subscribers.get(key);
    if (!set) this.subscribers.set(key, (set = new Set()));
    const sub = new Subscription((s) => {
      set.delete(s);
      if (set.size === 0 && this.subscribers.get(key) === set) this.subscribers.delete(key);
    });
    set.add(sub);
    return sub;
  }

  private dispatch(payload: string): void {
    // An empty payload follows a reconnect: anything may have changed meanwhile.
    if (payload === '') {
      for (const set of this.subscribers.values()) for (const sub of set) sub.notify();
      return;
    }
    for (const key of payload.split('\n')) {
      const set = this.subscribers.get(key);
      if (set) for (const sub of set) sub.notify();
    }
  }
}
