// Faults on demand (off unless set), for testing how a Graph client copes with Graph's behaviour:
// throttling (a request budget per tenant or per app and window, answered 429 with Retry-After and
// Graph's error body), a random fraction of 429, 503 and 504 answers, added latency per path, and
// the engine's operation faults (engine/faults.ts). Set at start (`serve --faults <file>`) and
// while the server runs (`/admin/faults`); each process keeps its own, in memory.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Engine } from '../engine/index.js';
import type { OperationFaults } from '../engine/faults.js';
import type { GraphErrorDetail } from '../errors.js';
import { GraphError } from '../errors.js';

export interface Faults {
  /** A budget of `requests` per `windowSeconds` for each tenant (default) or each calling app; beyond it, 429. */
  throttle?: { requests: number; windowSeconds: number; per?: 'tenant' | 'app' };
  /** A fraction (`rate`, 0–1) of requests answered with one of `statuses` (429, 503, 504; default all three). */
  errors?: { rate: number; statuses?: number[]; retryAfterSeconds?: number };
  /** Delay added to requests whose path matches `path` (a regular expression; default every path): the first rule that matches. */
  latency?: { path?: string; minMs: number; maxMs?: number }[];
  operations?: OperationFaults;
}

/** A fault configuration that cannot be used: every problem, with the path to its value. */
export class FaultsError extends Error {
  constructor(readonly problems: GraphErrorDetail[]) {
    super(`Invalid faults: ${problems.map((p) => `${p.target}: ${p.message}`).join('; ')}`);
  }
}

const ERROR_STATUSES = [429, 503, 504];
const MAX_DELAY_MS = 10 * 60_000;

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks a fault configuration as JSON gives it: unknown keys, types and ranges are problems. */
export function parseFaults(value: unknown): Faults {
  const problems: GraphErrorDetail[] = [];
  const problem = (target: string, message: string) => problems.push({ code: 'InvalidFaults', message, target });
  const keys = (v: unknown, at: string, allowed: string[]): v is Obj => {
    if (!isObject(v)) return problem(at || '(root)', 'must be an object'), false;
    for (const key of Object.keys(v)) if (!allowed.includes(key)) problem(at ? `${at}.${key}` : key, `unknown key; expected one of ${allowed.join(', ')}`);
    return true;
  };
  const number = (v: Obj, key: string, at: string, min: number, max: number, required = false) => {
    if (v[key] === undefined) return required ? problem(`${at}.${key}`, 'is required') : undefined;
    if (typeof v[key] !== 'number' || !Number.isFinite(v[key]) || (v[key] as number) < min || (v[key] as number) > max) problem(`${at}.${key}`, `must be a number from ${min} to ${max}`);
  };
  if (keys(value, '', ['throttle', 'errors', 'latency', 'operations'])) {
    const { throttle, errors, latency, operations } = value;
    if (throttle !== undefined && keys(throttle, 'throttle', ['requests', 'windowSeconds', 'per'])) {
      number(throttle, 'requests', 'throttle', 1, 1e9, true);
      number(throttle, 'windowSeconds', 'throttle', 1, 86_400, true);
      if (throttle.per !== undefined && throttle.per !== 'tenant' && throttle.per !== 'app') problem('throttle.per', "must be 'tenant' or 'app'");
    }
    if (errors !== undefined && keys(errors, 'errors', ['rate', 'statuses', 'retryAfterSeconds'])) {
      number(errors, 'rate', 'errors', 0, 1, true);
      number(errors, 'retryAfterSeconds', 'errors', 0, 3600);
      const statuses = errors.statuses;
      if (statuses !== undefined && (!Array.isArray(statuses) || !statuses.length || statuses.some((s) => !ERROR_STATUSES.includes(s as number)))) {
        problem('errors.statuses', `must be a non-empty list of ${ERROR_STATUSES.join(', ')}`);
      }
    }
    if (latency !== undefined) {
      if (!Array.isArray(latency)) problem('latency', 'must be a list of { path, minMs, maxMs }');
      else {
        latency.forEach((rule, i) => {
          const at = `latency[${i}]`;
          if (!keys(rule, at, ['path', 'minMs', 'maxMs'])) return;
          number(rule, 'minMs', at, 0, MAX_DELAY_MS, true);
          number(rule, 'maxMs', at, 0, MAX_DELAY_MS);
          if (typeof rule.maxMs === 'number' && typeof rule.minMs === 'number' && rule.maxMs < rule.minMs) problem(`${at}.maxMs`, 'must not be less than minMs');
          if (rule.path !== undefined) {
            try {
              new RegExp(String(rule.path));
              if (typeof rule.path !== 'string') problem(`${at}.path`, 'must be a string');
            } catch {
              problem(`${at}.path`, 'is not a valid regular expression');
            }
          }
        });
      }
    }
    if (operations !== undefined && keys(operations, 'operations', ['startDelayMs', 'minRunMs', 'attemptFailureRate', 'failureRate'])) {
      for (const table of ['startDelayMs', 'minRunMs']) {
        const kinds = operations[table];
        if (kinds === undefined) continue;
        if (!isObject(kinds)) problem(`operations.${table}`, "must map operation kinds (or '*') to milliseconds");
        else for (const kind of Object.keys(kinds)) number(kinds, kind, `operations.${table}`, 0, MAX_DELAY_MS);
      }
      number(operations, 'attemptFailureRate', 'operations', 0, 1);
      number(operations, 'failureRate', 'operations', 0, 1);
    }
  }
  if (problems.length) throw new FaultsError(problems);
  return value as Faults;
}

/** The faults this process injects now; setting them also sets the engine's. */
export class FaultSettings {
  private current: Faults = {};
  private compiled: { path: RegExp; minMs: number; maxMs: number }[] = [];
  /** Requests counted in the current window, per tenant or app. */
  private readonly windows = new Map<string, { endsAt: number; count: number }>();

  constructor(
    private readonly engine: Engine,
    initial?: Faults,
  ) {
    if (initial) this.set(initial);
  }

  get(): Faults {
    return this.current;
  }

  /** Whether any HTTP fault is set: when none is, requests pay nothing for them. */
  get http(): boolean {
    return Boolean(this.current.throttle || this.current.errors || this.compiled.length);
  }

  set(faults: Faults): void {
    this.current = faults;
    this.compiled = (faults.latency ?? []).map((r) => ({ path: new RegExp(r.path ?? ''), minMs: r.minMs, maxMs: r.maxMs ?? r.minMs }));
    this.windows.clear();
    this.engine.setFaults(faults.operations);
  }

  /** The delay to add to a request for `path`, in ms. */
  delay(path: string): number {
    const rule = this.compiled.find((r) => r.path.test(path));
    return rule ? rule.minMs + Math.random() * (rule.maxMs - rule.minMs) : 0;
  }

  /** The error a request answers instead, if any: throttled past its budget, or drawn at random. */
  refusal(request: FastifyRequest): GraphError | undefined {
    const { throttle, errors } = this.current;
    const principal = request.principal;
    if (throttle && principal) {
      const key = throttle.per === 'app' ? `app:${principal.appId}` : `tenant:${principal.tenantId}`;
      const now = Date.now();
      let window = this.windows.get(key);
      if (!window || window.endsAt <= now) {
        if (this.windows.size > 10_000) for (const [k, w] of this.windows) if (w.endsAt <= now) this.windows.delete(k);
        this.windows.set(key, (window = { endsAt: now + throttle.windowSeconds * 1000, count: 0 }));
      }
      if (++window.count > throttle.requests) return answer(429, Math.max(1, Math.ceil((window.endsAt - now) / 1000)));
    }
    if (errors && Math.random() < errors.rate) {
      const statuses = errors.statuses ?? ERROR_STATUSES;
      return answer(statuses[Math.floor(Math.random() * statuses.length)]!, errors.retryAfterSeconds ?? 5);
    }
    return undefined;
  }
}

/** The error Graph answers with this status, as its throttling and availability docs show it. */
function answer(status: number, retryAfter: number): GraphError {
  const headers = { 'retry-after': String(retryAfter) };
  if (status === 429) return new GraphError(429, 'TooManyRequests', `Too many requests. Please retry after ${retryAfter} seconds.`, { headers });
  if (status === 503) return new GraphError(503, 'serviceNotAvailable', `The service is temporarily unavailable. Please retry after ${retryAfter} seconds.`, { headers });
  return new GraphError(504, 'gatewayTimeout', `The gateway timed out. Please retry after ${retryAfter} seconds.`, { headers });
}

const GRAPH_PATH = /^\/(beta|v1\.0)\//;

/**
 * Applies the faults to Graph's paths (not /admin, health or the upload blob endpoint): after the
 * route's authentication (throttling counts per caller) and before the body is read.
 */
export function registerFaults(app: FastifyInstance, faults: FaultSettings): void {
  app.addHook('preParsing', async (request, _reply, payload) => {
    if (!faults.http) return payload;
    const path = request.url.split('?', 1)[0]!;
    if (!GRAPH_PATH.test(path)) return payload;
    const delay = faults.delay(path);
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    const refusal = faults.refusal(request);
    if (refusal) throw refusal;
    return payload;
  });
}
