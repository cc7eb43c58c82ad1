// What the engine tells an observer (metrics) as operations move. Calls are synchronous and must
// not throw; an observer sees only this process's creates and attempts.
import type { Operation } from './model.js';

export interface EngineObserver {
  /** A new operation was inserted (not a deduplicated one), when the insert returns. */
  created(op: Operation): void;
  /**
   * An attempt begins in this process. `pickupMs`: from creation to the claim (database clock), for
   * an operation's first attempt only; undefined for retries and resumed attempts.
   */
  started(op: Operation, pickupMs: number | undefined): void;
  /** The attempt failed and the operation will run again. */
  retried(op: Operation, runMs: number): void;
  succeeded(op: Operation, runMs: number): void;
  failed(op: Operation, runMs: number): void;
}

/** Calls `fn` on the observer, if any; an observer's error never reaches the engine. */
export function notify(observer: EngineObserver | undefined, fn: (o: EngineObserver) => void): void {
  if (!observer) return;
  try {
    fn(observer);
  } catch {
    // Metrics are best effort.
  }
}
