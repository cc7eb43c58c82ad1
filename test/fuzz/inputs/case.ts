// What a generator makes: one request (or raw bytes for what node:http will not send), with the
// scale of the run and the ids it may aim at.
import type { FuzzRequest } from '../client.js';
import type { Fixtures } from '../fixtures.js';
import type { Rng } from '../rng.js';
import { uriEncode, uriEncodeLoose } from '../rng.js';

export interface Case {
  kind: string;
  request?: FuzzRequest;
  raw?: Buffer;
}

export interface Scale {
  /** Largest generated body or value, bytes. */
  maxBytes: number;
}

export type Generator = (rng: Rng, fx: Fixtures, scale: Scale) => Case;

/** The admin token mostly; sometimes a reader, an app, another tenant, or none. */
export function authorization(rng: Rng, fx: Fixtures): Record<string, string> {
  const t = fx.tokens;
  const token = rng.chance(0.85) ? t.admin : rng.pick([t.reader, t.app, t.otherTenant, '']);
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** A query string from [name, value] pairs, each encoded one of several ways. */
export function queryString(rng: Rng, pairs: [string, string][]): string {
  if (!pairs.length) return '';
  const encode = rng.pick([uriEncode, uriEncodeLoose, (s: string) => s.replace(/ /g, '%20'), (s: string) => s.replace(/ /g, '+'), (s: string) => s]);
  return `?${pairs.map(([k, v]) => `${encode(k)}=${encode(v)}`).join(rng.chance(0.95) ? '&' : rng.pick(['&&', ';', '&amp;']))}`;
}

/** `value` repeated to about `bytes`. */
export const huge = (value: string, bytes: number) => value.repeat(Math.max(1, Math.ceil(bytes / Math.max(1, value.length))));
