// The harness's Graph client: every request goes to one of the servers (round robin) and, on a
// connection error, a timeout or a 5xx, is retried on the next one after a short pause, the way a
// Graph client retries 503s — so the load survives kills and outages. Every 5xx is recorded
// (status, route, Graph error code, server, moment) for the report, and every success can end a
// recovery timer.
import type { Clock } from './util.js';
import { sleep } from './util.js';

export interface Target {
  name: string;
  url: string;
}

export interface ServerError {
  status: number;
  route: string;
  method: string;
  code: string;
  retryAfter: string | null;
  server: string;
  atMs: number;
  phase: string;
}

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json: Record<string, unknown> | undefined;
  server: string;
}

export interface RequestOptions {
  body?: unknown;
  raw?: Buffer | string;
  headers?: Record<string, string>;
  /** Give up (throw) after this long of retrying; default 120 s. */
  deadlineMs?: number;
  /** Per-attempt timeout; default 30 s (long-polls add their wait). */
  timeoutMs?: number;
  /** Retry 5xx answers other than 503 too (default true). */
  retry5xx?: boolean;
  /** Send to this server only (still retried on errors). */
  only?: string;
  /** No bearer token (the blob endpoint authorizes by the URL's signature). */
  noAuth?: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A path with its ids replaced, so 5xx are counted per route. */
export function routeOf(method: string, url: string): string {
  const path = new URL(url, 'http://x').pathname;
  const parts = path.split('/').map((seg, i, all) => {
    const s = decodeURIComponent(seg);
    if (all[1] === 'blob' && i === 2) return '{container}';
    if (all[1] === 'blob' && i >= 3) return '{blob}';
    if (UUID.test(s)) return '{id}';
    if (s.startsWith('refresh:')) return '{operationId}';
    if (s.startsWith('DirectoryRole_')) return '{alertId}';
    if (/^[0-9a-f-]{20,}$/i.test(s)) return '{id}';
    return s;
  });
  return `${method} ${parts.join('/')}`;
}

/** What every client of a run shares: the 5xx seen, connection errors, recovery watchers. */
export class Recorder {
  readonly errors: ServerError[] = [];
  readonly connectionErrors = new Map<string, number>();
  requests = 0;
  private watchers: { since: number; server?: string; resolve: (ms: number) => void }[] = [];

  constructor(readonly clock: Clock) {}

  /** Resolves with the milliseconds from `since` (clock ms) to the first 2xx of a request sent after it. */
  firstSuccessAfter(since: number, server?: string): Promise<number> {
    return new Promise((resolve) => this.watchers.push({ since, server, resolve }));
  }

  success(sentAt: number, server: string): void {
    if (this.watchers.length === 0) return;
    const now = this.clock.ms();
    this.watchers = this.watchers.filter((w) => {
      if (sentAt < w.since || (w.server && w.server !== server)) return true;
      w.resolve(now - w.since);
      return false;
    });
  }
}

export class Api {
  private next = Math.floor(Math.random() * 100);
  private readonly clock: Clock;

  constructor(
    public targets: Target[],
    readonly token: string,
    readonly recorder: Recorder,
  ) {
    this.clock = recorder.clock;
  }

  private pick(only?: string): Target {
    if (only) return this.targets.find((t) => t.name === only)!;
    const t = this.targets[this.next++ % this.targets.length]!;
    return t;
  }

  async request(method: string, path: string, opts: RequestOptions = {}): Promise<Reply> {
    const deadline = this.clock.ms() + (opts.deadlineMs ?? 120_000);
    let pause = 100;
    for (let attempt = 0; ; attempt++) {
      const target = this.pick(opts.only);
      const url = path.startsWith('http') ? new URL(new URL(path).pathname + new URL(path).search, target.url).toString() : `${target.url}${path}`;
      const sentAt = this.clock.ms();
      let failure: string;
      try {
        this.recorder.requests++;
        const headers: Record<string, string> = { ...(opts.noAuth ? {} : { authorization: `Bearer ${this.token}` }), ...opts.headers };
        let body: Uint8Array | string | undefined;
        if (opts.raw !== undefined) body = typeof opts.raw === 'string' ? opts.raw : new Uint8Array(opts.raw.buffer, opts.raw.byteOffset, opts.raw.length);
        else if (opts.body !== undefined) {
          body = JSON.stringify(opts.body);
          headers['content-type'] = 'application/json';
        }
        const res = await fetch(url, { method, headers, body: body as BodyInit | undefined, signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000) });
        const text = await res.text();
        let json: Record<string, unknown> | undefined;
        if ((res.headers.get('content-type') ?? '').includes('json') && text) {
          try {
            json = JSON.parse(text) as Record<string, unknown>;
          } catch {
            json = undefined;
          }
        }
        if (res.status < 500) {
          if (res.status < 300) this.recorder.success(sentAt, target.name);
          return { status: res.status, headers: res.headers, text, json, server: target.name };
        }
        const code = ((json?.error as Record<string, unknown> | undefined)?.code as string | undefined) ?? (/<Code>([^<]*)<\/Code>/.exec(text)?.[1] ?? text.slice(0, 60));
        this.recorder.errors.push({ status: res.status, route: routeOf(method, url), method, code, retryAfter: res.headers.get('retry-after'), server: target.name, atMs: sentAt, phase: this.clock.phase() });
        if (res.status !== 503 && opts.retry5xx === false) return { status: res.status, headers: res.headers, text, json, server: target.name };
        failure = `${res.status} ${code}`;
      } catch (err) {
        const cause = (err as { cause?: { code?: string } }).cause;
        const code = (err as Error).name === 'TimeoutError' ? 'timeout' : (cause?.code ?? (err as Error).name);
        this.recorder.connectionErrors.set(code, (this.recorder.connectionErrors.get(code) ?? 0) + 1);
        failure = code;
      }
      if (this.clock.ms() > deadline) throw new Error(`${method} ${routeOf(method, url)}: still failing after ${attempt + 1} attempts (${failure})`);
      await sleep(pause);
      pause = Math.min(1000, pause * 2);
    }
  }

  /** A request whose status must be one of `ok`; otherwise throws with the body. */
  async expect(method: string, path: string, ok: number[], opts: RequestOptions = {}): Promise<Reply> {
    const reply = await this.request(method, path, opts);
    if (!ok.includes(reply.status)) throw new Error(`${method} ${routeOf(method, path)}: ${reply.status} ${reply.text.slice(0, 300)}`);
    return reply;
  }
}
