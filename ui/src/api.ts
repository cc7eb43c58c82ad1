// The dashboard's one way to the service: its own Graph API, with the bearer token the user gave
// (from the link `graph-lro serve` prints, or pasted), kept in sessionStorage for this tab only.
import { signal } from './store';

const TOKEN_KEY = 'graph-lro.token';

export const ALERTS_ROOT = '/beta/identityGovernance/roleManagementAlerts';
export const INDUSTRY_ROOT = '/beta/external/industryData';
export const SCOPE_FILTER = "scopeId eq '/' and scopeType eq 'DirectoryRole'";

export type Json = Record<string, unknown>;

/** A Graph error answered by the service, or a network failure (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Why the token in use does not work (null: it works, or has not been refused yet). */
export const authProblem = signal<string | null>(null);
export const token = signal<string | null>(readStoredToken());

function readStoredToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

/** Takes `#token=…` out of the address (so it is neither bookmarked nor shared) and keeps it. */
export function adoptTokenFromFragment(): void {
  const match = /^#token=([^&]+)/.exec(location.hash);
  if (!match) return;
  setToken(decodeURIComponent(match[1]!));
  history.replaceState(null, '', `${location.pathname}${location.search}#/operations`);
}

export function setToken(value: string | null): void {
  const t = value?.trim().replace(/^Bearer\s+/i, '') || null;
  try {
    if (t) sessionStorage.setItem(TOKEN_KEY, t);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // Storage disabled: the token lives as long as the page.
  }
  token.value = t;
  authProblem.value = t ? tokenProblem(t) : 'No token yet.';
}

export interface TokenClaims {
  tid?: string;
  exp?: number;
  scp?: string;
  roles?: string[];
  name?: string;
  upn?: string;
}

/** The token's claims, read without verifying (the server verifies); undefined when it is not a JWT. */
export function claims(t: string | null = token.value): TokenClaims | undefined {
  const part = t?.split('.')[1];
  if (!part) return undefined;
  try {
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '='));
    return JSON.parse(json) as TokenClaims;
  } catch {
    return undefined;
  }
}

/** What is visibly wrong with a token before sending it, or null. */
export function tokenProblem(t: string): string | null {
  const c = claims(t);
  if (!c) return 'This is not a token: a bearer token is a JWT of three dot-separated parts.';
  if (typeof c.exp === 'number' && c.exp * 1000 < Date.now()) return `This token expired at ${new Date(c.exp * 1000).toLocaleString()}.`;
  return null;
}

export interface ApiResponse<T> {
  status: number;
  body: T;
  headers: Headers;
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** One request to the service's Graph API; a Graph error (or a network failure) throws ApiError. */
export async function api<T = Json>(path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
  const t = token.value;
  if (!t) throw new ApiError(401, 'NoToken', 'No token yet.');
  let res: Response;
  try {
    res = await fetch(path, {
      method: options.method ?? 'GET',
      headers: {
        authorization: `Bearer ${t}`,
        accept: 'application/json',
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...options.headers,
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
      cache: 'no-store',
    });
  } catch (err) {
    if (options.signal?.aborted) throw err;
    throw new ApiError(0, 'NetworkError', 'The service does not answer. Is graph-lro serve still running?');
  }
  const text = await res.text();
  let body: unknown = text;
  if ((res.headers.get('content-type') ?? '').includes('json') && text) body = JSON.parse(text);
  if (res.status >= 400) {
    const error = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
    const err = new ApiError(res.status, error?.code ?? `HTTP${res.status}`, error?.message ?? (text || res.statusText));
    if (res.status === 401 && t === token.value) authProblem.value = describe(err);
    throw err;
  }
  if (t === token.value) authProblem.value = null;
  return { status: res.status, body: body as T, headers: res.headers };
}

export const get = async <T = Json>(path: string, options?: RequestOptions) => (await api<T>(path, options)).body;

export interface Page<T> {
  value: T[];
  '@odata.nextLink'?: string;
  '@odata.count'?: number;
}

/** A collection, following @odata.nextLink up to `maxPages` pages. */
export async function list<T = Json>(path: string, options: RequestOptions & { maxPages?: number } = {}): Promise<T[]> {
  const out: T[] = [];
  let next: string | undefined = path;
  for (let page = 0; next && page < (options.maxPages ?? 10); page++) {
    const body: Page<T> = await get<Page<T>>(sameOrigin(next), options);
    out.push(...body.value);
    next = body['@odata.nextLink'];
  }
  return out;
}

/** A URL the service wrote (absolute, on the host it was called with) as a path on this origin. */
export function sameOrigin(url: string): string {
  if (!/^https?:/i.test(url)) return url;
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
}

/** A sentence for the user: what went wrong and what to do. */
export function describe(err: unknown): string {
  if (!(err instanceof ApiError)) return err instanceof Error ? err.message : String(err);
  if (err.code === 'NoToken') return 'No token yet: open the link graph-lro serve printed, or paste a token.';
  if (err.status === 401) return `The service refused the token (${err.message}) Open the link graph-lro serve printed at its last start, or mint one with graph-lro token and paste it.`;
  if (err.status === 403) return `This token may not do that: ${err.message} (${err.code})`;
  if (err.status === 0) return err.message;
  return `${err.message} (${err.status} ${err.code})`;
}

export const query = (params: Record<string, string | number | boolean | undefined>) =>
  Object.entries(params)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
    .join('&');
