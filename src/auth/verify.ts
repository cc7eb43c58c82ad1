// Bearer token verification (spec §6) with jose, and the cache that keeps the hot path cheap.
//
// Two sources of keys:
// - `local`: the server's own signing key (keys.ts), for tokens minted by `graph-lro token`;
// - `jwks`: a JWKS endpoint, in production Entra's
//   (`https://login.microsoftonline.com/common/discovery/v2.0/keys` serves v1.0 and v2.0 tokens).
//
// Checks, in order: `Authorization: Bearer <compact JWS>`; an asymmetric `alg`; signature (key by
// `kid`); audience; lifetime (`nbf`, `exp`, with clock tolerance); `tid` is a GUID; issuer (for the
// token's own `tid`); then the claims must describe a caller (principal.ts).
//
// A verified token is cached until it expires, keyed by the Authorization header value itself (it
// contains the whole token, so equal headers are equal tokens), in a bounded map that evicts the
// oldest entry. A cache hit costs one Map lookup and one clock read, and `cached()` offers it
// synchronously.
import { createLocalJWKSet, createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify, type JWK, type JWTVerifyGetKey } from 'jose';
import { GraphError, unauthenticated } from '../errors.js';
import { ENTRA_ISSUERS, GRAPH_APP_ID, GRAPH_RESOURCE_URI, issuerFor } from './entra.js';
import { isGuid } from './guid.js';
import type { SigningKey } from './keys.js';
import { principalFromClaims, type Principal } from './principal.js';

/** Microsoft.IdentityModel's default clock skew, which is what Graph itself allows. */
export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 300;
export const DEFAULT_CACHE_SIZE = 10_000;
/** Only asymmetric signatures: `none` and HMAC (HS*) are refused. */
export const ACCEPTED_ALGORITHMS: readonly string[] = Object.freeze([
  'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519',
]);

export const MESSAGES = Object.freeze({
  empty: 'Access token is empty.',
  malformed: 'CompactToken parsing failed with error code: 80049217',
  expired: 'Access token has expired or is not yet valid.',
  algorithm: 'Access token validation failure. Unsupported signing algorithm.',
  signature: 'Access token validation failure. Invalid signature.',
  unknownKey: 'Access token validation failure. Signing key not found.',
  audience: 'Access token validation failure. Invalid audience.',
  issuer: 'Access token validation failure. Invalid issuer.',
  noExpiry: 'Access token validation failure. The token has no expiry (exp).',
  noTenant: 'Access token validation failure. The token has no tenant id (tid).',
  badTenant: 'Access token validation failure. Invalid tenant id (tid).',
  invalid: 'Access token validation failure.',
});

interface CommonConfig {
  /** Accepted issuers; each may contain `{tenantid}`. Default: ENTRA_ISSUERS. */
  issuer?: string | readonly string[];
  /** Default DEFAULT_CLOCK_TOLERANCE_SECONDS (300). */
  clockToleranceSeconds?: number;
  /** Most tokens kept verified at once; default 10,000. 0 disables the cache. */
  cacheSize?: number;
  /** Current time in epoch milliseconds (tests); default Date.now. */
  clock?: () => number;
}

export interface LocalVerifierConfig extends CommonConfig {
  mode: 'local';
  /** The local signing key, or just its public JWK. */
  key: SigningKey | JWK;
  /** Default: `https://graph.microsoft.com` and `00000003-0000-0000-c000-000000000000`. */
  audience?: string | readonly string[];
}

export interface JwksVerifierConfig extends CommonConfig {
  mode: 'jwks';
  jwksUrl: string | URL;
  audience: string | readonly string[];
  /** How long after a fetch a token with an unknown `kid` may trigger another one; default 30 s. */
  jwksCooldownMs?: number;
  /** How long a fetched JWKS is used before it is fetched again; default 10 min. */
  jwksMaxAgeMs?: number;
  /** Default 5 s. */
  jwksTimeoutMs?: number;
}

export type VerifierConfig = LocalVerifierConfig | JwksVerifierConfig;

export interface Verifier {
  /** The caller of `Authorization: <header>`; throws 401 GraphError (503 when the JWKS is unreachable). */
  verify(authorization: string | undefined): Promise<Principal>;
  /** Synchronous fast path: the principal when this header's token is cached and unexpired, else undefined. */
  cached(authorization: string | undefined): Principal | undefined;
  readonly cacheSize: number;
  clearCache(): void;
}

interface CacheEntry {
  readonly principal: Principal;
  /** exp + clock tolerance, epoch ms: the instant the uncached path would refuse the token too. */
  readonly validUntilMs: number;
}

/** Marks a failure to obtain keys (network, bad JWKS document): the server's problem, not the caller's. */
class KeySourceError extends Error {}

export function createVerifier(config: VerifierConfig): Verifier {
  const clock = config.clock ?? Date.now;
  const toleranceSeconds = config.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS;
  if (!(toleranceSeconds >= 0)) throw new Error('clockToleranceSeconds must be 0 or more');
  const maxEntries = config.cacheSize ?? DEFAULT_CACHE_SIZE;
  if (!(Number.isInteger(maxEntries) && maxEntries >= 0)) throw new Error('cacheSize must be an integer, 0 or more');
  const issuers = toList(config.issuer ?? ENTRA_ISSUERS, 'issuer');
  const audience = toList(config.mode === 'local' ? (config.audience ?? [GRAPH_RESOURCE_URI, GRAPH_APP_ID]) : config.audience, 'audience');
  const getKey = keySource(config);
  const algorithms = [...ACCEPTED_ALGORITHMS];
  const accepted = new Set(ACCEPTED_ALGORITHMS);

  const cache = new Map<string, CacheEntry>();
  const inflight = new Map<string, Promise<Principal>>();

  async function verifyUncached(header: string | undefined): Promise<Principal> {
    const token = bearerToken(header);
    let alg: unknown;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      throw unauthenticated(MESSAGES.malformed);
    }
    if (typeof alg !== 'string' || !accepted.has(alg)) throw unauthenticated(MESSAGES.algorithm);

    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, getKey, {
        algorithms,
        audience,
        clockTolerance: toleranceSeconds,
        currentDate: new Date(clock()),
        requiredClaims: ['exp'],
      }));
    } catch (err) {
      throw translate(err);
    }

    const tid = payload.tid;
    if (tid === undefined) throw unauthenticated(MESSAGES.noTenant);
    if (!isGuid(tid)) throw unauthenticated(MESSAGES.badTenant);
    if (!issuers.some((i) => issuerFor(i, tid) === payload.iss)) throw unauthenticated(MESSAGES.issuer);
    const principal = principalFromClaims(payload);

    const validUntilMs = ((payload.exp as number) + toleranceSeconds) * 1000;
    if (maxEntries > 0 && header !== undefined && clock() < validUntilMs) {
      if (cache.size >= maxEntries) {
        for (const oldest of cache.keys()) {
          cache.delete(oldest);
          break;
        }
      }
      cache.set(header, { principal, validUntilMs });
    }
    return principal;
  }

  return {
    cached(header) {
      if (header === undefined) return undefined;
      const entry = cache.get(header);
      if (entry === undefined) return undefined;
      if (clock() < entry.validUntilMs) return entry.principal;
      cache.delete(header);
      return undefined;
    },

    async verify(header) {
      if (header === undefined) throw unauthenticated(MESSAGES.empty);
      const entry = cache.get(header);
      if (entry !== undefined) {
        if (clock() < entry.validUntilMs) return entry.principal;
        cache.delete(header);
        throw unauthenticated(MESSAGES.expired);
      }
      // Concurrent first requests with the same token share one verification.
      let pending = inflight.get(header);
      if (pending === undefined) {
        pending = verifyUncached(header).finally(() => inflight.delete(header));
        inflight.set(header, pending);
      }
      return pending;
    },

    get cacheSize() {
      return cache.size;
    },

    clearCache() {
      cache.clear();
    },
  };
}

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** The token of `Bearer <token>` (scheme case-insensitive), or 401. */
function bearerToken(header: string | undefined): string {
  const value = header?.trim() ?? '';
  if (value === '') throw unauthenticated(MESSAGES.empty);
  const space = value.search(/\s/);
  const scheme = space === -1 ? value : value.slice(0, space);
  if (scheme.toLowerCase() !== 'bearer') throw unauthenticated(MESSAGES.malformed);
  const token = space === -1 ? '' : value.slice(space).trim();
  if (token === '') throw unauthenticated(MESSAGES.empty);
  if (!COMPACT_JWS.test(token)) throw unauthenticated(MESSAGES.malformed);
  return token;
}

function keySource(config: VerifierConfig): JWTVerifyGetKey {
  if (config.mode === 'local') {
    const jwk: JWK = 'publicJwk' in config.key ? { ...config.key.publicJwk } : { ...config.key };
    if (jwk.d !== undefined) throw new Error('a local verifier takes the public key, not the private JWK');
    return createLocalJWKSet({ keys: [jwk] });
  }
  if (config.mode !== 'jwks') throw new Error(`unknown verifier mode "${String((config as { mode: unknown }).mode)}"`);
  const remote = createRemoteJWKSet(new URL(config.jwksUrl), {
    cooldownDuration: config.jwksCooldownMs ?? 30_000,
    cacheMaxAge: config.jwksMaxAgeMs ?? 600_000,
    timeoutDuration: config.jwksTimeoutMs ?? 5_000,
  });
  return async (header, token) => {
    try {
      return await remote(header, token);
    } catch (err) {
      if (err instanceof errors.JWKSNoMatchingKey) throw err;
      throw new KeySourceError('signing keys unavailable', { cause: err });
    }
  };
}

function translate(err: unknown): unknown {
  if (err instanceof KeySourceError || err instanceof errors.JWKInvalid || err instanceof errors.JWKSInvalid) {
    return new GraphError(503, 'serviceNotAvailable', 'The token signing keys could not be obtained. Retry later.', {
      headers: { 'retry-after': '10' },
    });
  }
  if (err instanceof errors.JWTExpired) return unauthenticated(MESSAGES.expired);
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'aud') return unauthenticated(MESSAGES.audience);
    if (err.claim === 'exp' && err.reason === 'missing') return unauthenticated(MESSAGES.noExpiry);
    if (err.claim === 'nbf' && err.reason === 'check_failed') return unauthenticated(MESSAGES.expired);
    return unauthenticated(MESSAGES.invalid);
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) return unauthenticated(MESSAGES.signature);
  if (err instanceof errors.JWKSNoMatchingKey) return unauthenticated(MESSAGES.unknownKey);
  if (err instanceof errors.JOSEAlgNotAllowed || err instanceof errors.JOSENotSupported) return unauthenticated(MESSAGES.algorithm);
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid) return unauthenticated(MESSAGES.malformed);
  if (err instanceof errors.JOSEError) return unauthenticated(MESSAGES.invalid);
  return err;
}

function toList(value: string | readonly string[] | undefined, what: string): string[] {
  const list = typeof value === 'string' ? [value] : Array.isArray(value) ? [...(value as readonly string[])] : [];
  if (list.length === 0 || list.some((v) => typeof v !== 'string' || v === '')) throw new Error(`${what}: at least one non-empty value`);
  return list;
}
