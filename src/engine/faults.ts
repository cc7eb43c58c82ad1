// Faults on demand for the operations the engine runs (off unless set): so a poller under test
// sees `notStarted`, `running`, retried attempts and failures. Set per process (Engine.setFaults).
import { PermanentError } from './model.js';

export interface OperationFaults {
  /** Per kind, `*` for every other kind: how long a new operation stays notStarted before a worker may take it. */
  startDelayMs?: Readonly<Record<string, number>>;
  /** Per kind, `*` for every other kind: the least time an attempt runs (its outcome is held back until then). */
  minRunMs?: Readonly<Record<string, number>>;
  /** Fraction (0–1) of attempts that fail before their handler runs; the engine retries them as any failed attempt. */
  attemptFailureRate?: number;
  /** Fraction (0–1) of attempts that fail permanently: the operation ends failed. */
  failureRate?: number;
}

export const INJECTED = 'Injected fault';

const forKind = (table: Readonly<Record<string, number>> | undefined, kind: string) => table?.[kind] ?? table?.['*'] ?? 0;

export const startDelayMs = (faults: OperationFaults | undefined, kind: string): number => forKind(faults?.startDelayMs, kind);

/** Before an attempt's handler: throws the failure the faults draw, if any. */
export function failAttempt(faults: OperationFaults | undefined): void {
  if (!faults) return;
  if (Math.random() < (faults.failureRate ?? 0)) throw new PermanentError(`${INJECTED}: the operation fails (failureRate).`);
  if (Math.random() < (faults.attemptFailureRate ?? 0)) throw new Error(`${INJECTED}: this attempt fails (attemptFailureRate)`);
}

/** After an attempt's handler: waits out the rest of the kind's minimum run time (ended early by `signal`). */
export async function holdAttempt(faults: OperationFaults | undefined, kind: string, startedAt: number, signal: AbortSignal): Promise<void> {
  const left = forKind(faults?.minRunMs, kind) - (performance.now() - startedAt);
  if (left <= 0 || signal.aborted) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, left);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
}
