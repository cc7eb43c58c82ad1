// pollOperation: follows a long-running operation to its end. It long-polls with `Prefer: wait`
// when the server applies it (Preference-Applied), and otherwise honours Retry-After (clamped)
// or backs off exponentially with jitter. Resumable from nothing but the operation URL.
import { abortReason, GraphError, OperationFailedError, parseRetryAfter } from './errors.js';
import type { AnyOperation } from './models.js';

export type TokenProvider = () => Promise<string> | string;
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface PollOptions {
  /** A bearer token for each request (called every time: cache in the provider, as SDK credentials do). */
  token: TokenProvider;
  /** The fetch to use (default: globalThis.fetch). */
  fetch?: FetchLike;
  signal?: AbortSignal;
  /** Called with the first state seen and on every change of status, statusDetail or lastActionDateTime. */
  onProgress?: (operation: AnyOperation) => void;
  /** `Prefer: wait=N` seconds (0 turns long-polling off). Default 30; at most 60. */
  waitSeconds?: number;
  /** Lower bound of any pause between polls (also the start of the backoff). Default 100 ms. */
  minDelayMs?: number;
  /** Upper bound of any pause between polls, Retry-After included. Default 30 s. */
  maxDelayMs?: number;
  /** Consecutive network failures or 5xx answers tolerated before giving up. Default 5. */
  maxRetries?: number;
  /** Extra headers on every GET (client-request-id, …). */
  headers?: Record<string, string>;
}

export interface PollState {
  /** Requests sent. */
  requests: number;
  /** Whether the server applied `Prefer: wait` on the last answer. */
  longPolling: boolean;
}

const TRANSIENT = new Set([408, 429, 500, 502, 503, 504]);

/** The operation URL of a 202 answer: Operation-Location, else Location. */
export function operationUrlOf(res: Response): string {
  const url = res.headers.get('operation-location') ?? res.headers.get('location');
  if (!url) throw new TypeError(`The response (HTTP ${res.status}) has no Operation-Location or Location header.`);
  return new URL(url, res.url || undefined).toString();
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));

/** Equal jitter: half the step fixed, half random, so pollers started together spread out. */
const jittered = (ms: number) => ms / 2 + Math.random() * (ms / 2);

/**
 * Follows the operation at `target` (its URL, or the 202 Response of the action) until it is
 * `succeeded` (resolves with it) or `failed` (rejects with OperationFailedError). Error answers
 * reject with GraphError; an abort rejects with the signal's reason.
 */
export async function pollOperation<T extends AnyOperation = AnyOperation>(target: string | Response, options: PollOptions, state?: PollState): Promise<T> {
  const doFetch: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const waitSeconds = clamp(Math.floor(options.waitSeconds ?? 30), 0, 60);
  const minDelay = Math.max(0, options.minDelayMs ?? 100);
  const maxDelay = Math.max(minDelay, options.maxDelayMs ?? 30_000);
  const maxRetries = options.maxRetries ?? 5;
  const { signal } = options;
  const stats: PollState = state ?? { requests: 0, longPolling: false };

  let url: string;
  let delay = 0;
  if (typeof target === 'string') {
    url = target;
  } else {
    if (!target.ok) throw await GraphError.fromResponse(target);
    url = operationUrlOf(target);
    const hinted = parseRetryAfter(target.headers.get('retry-after'));
    // A long-polling client asks at once: the server answers when something changes.
    delay = waitSeconds > 0 ? 0 : clamp(hinted ?? minDelay, minDelay, maxDelay);
  }

  let last: AnyOperation | undefined;
  let backoff = minDelay;
  let failures = 0;
  for (;;) {
    if (delay > 0) await sleep(delay, signal);
    if (signal?.aborted) throw abortReason(signal);
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers, authorization: `Bearer ${await options.token()}` };
    if (waitSeconds > 0) headers.prefer = `wait=${waitSeconds}`;
    const sent = Date.now();
    let res: Response;
    try {
      stats.requests++;
      res = await doFetch(url, { method: 'GET', headers, signal });
    } catch (err) {
      if (signal?.aborted) throw abortReason(signal);
      if (++failures > maxRetries) throw err;
      delay = clamp(jittered(backoff), minDelay, maxDelay);
      backoff = Math.min(maxDelay, backoff * 2);
      continue;
    }
    const retryAfter = parseRetryAfter(res.headers.get('retry-after'));
    if (!res.ok) {
      const error = await GraphError.fromResponse(res);
      if (!TRANSIENT.has(res.status) || ++failures > maxRetries) throw error;
      delay = clamp(retryAfter ?? jittered(backoff), minDelay, maxDelay);
      backoff = Math.min(maxDelay, backoff * 2);
      continue;
    }
    failures = 0;
    const operation = (await res.json()) as AnyOperation;
    const changed =
      !last || last.status !== operation.status || last.statusDetail !== operation.statusDetail || last.lastActionDateTime !== operation.lastActionDateTime;
    last = operation;
    if (changed) options.onProgress?.(operation);
    if (operation.status === 'succeeded') return operation as T;
    if (operation.status === 'failed') throw new OperationFailedError(operation);

    stats.longPolling = /(^|[,;\s])wait=/i.test(res.headers.get('preference-applied') ?? '');
    if (stats.longPolling) {
      // The server held the request until a change or its wait ran out: ask again at once. An
      // answer that came back early with nothing new (a server waking spuriously) gets a pause.
      const held = Date.now() - sent;
      delay = changed || held >= waitSeconds * 500 ? 0 : minDelay;
      backoff = minDelay;
    } else if (retryAfter !== undefined) {
      delay = clamp(retryAfter, minDelay, maxDelay);
    } else {
      delay = clamp(jittered(backoff), minDelay, maxDelay);
      backoff = Math.min(maxDelay, backoff * 2);
    }
  }
}
