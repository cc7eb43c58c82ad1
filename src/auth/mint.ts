// Minting access tokens for the local signing key (the `graph-lro token` command). The tokens
// are shaped like the Entra access tokens Graph receives (spec §6), so that the same verifier
// and the same authorization code serve both.
import { createHash, randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { GRAPH_APP_ID, GRAPH_RESOURCE_URI, ISSUER_V1, ISSUER_V2, issuerFor } from './entra.js';
import { guidFromName, isGuid } from './guid.js';
import { SIGNING_ALG, type SigningKey } from './keys.js';
import { DirectoryRoles } from './roles.js';

/** `appid` of tokens minted by the CLI when no client application is named. */
export const CLI_APP_ID = guidFromName('graph-lro/cli');

export const DEFAULT_TOKEN_LIFETIME_SECONDS = 3600;
export const MAX_TOKEN_LIFETIME_SECONDS = 24 * 3600;

export interface MintOptions {
  key: SigningKey;
  tenantId: string;
  /** Delegated permissions (`scp`); a delegated token needs at least one. */
  scopes?: readonly string[];
  /** Application permissions (`roles`); only with `app: true`. */
  roles?: readonly string[];
  /** Directory role template ids (`wids`). Delegated tokens always also carry the default member role. */
  wids?: readonly string[];
  /** An app-only token (client credentials) instead of a delegated (user) token. */
  app?: boolean;
  /** Default: derived from tenant, kind and appId, so the same inputs name the same caller. */
  oid?: string;
  /** Default: CLI_APP_ID. */
  appId?: string;
  /** Default: `https://graph.microsoft.com` (v1.0) or Graph's app id (v2.0). */
  audience?: string;
  /** Default 3600, at most 86400. */
  lifetimeSeconds?: number;
  /** Token format: `1.0` (what Graph receives, the default) or `2.0`. */
  version?: '1.0' | '2.0';
  /** Issue time (iat, nbf); default now. */
  now?: Date;
}

/** Signs an Entra-shaped access token with the local key. Throws on invalid input. */
export async function mintToken(options: MintOptions): Promise<string> {
  const { key, app = false, version = '1.0' } = options;
  const tenantId = requireGuid(options.tenantId, 'tenantId');
  if (version !== '1.0' && version !== '2.0') throw new Error(`version must be "1.0" or "2.0", not "${String(version)}"`);
  const scopes = names(options.scopes ?? [], 'scope');
  const roles = names(options.roles ?? [], 'role');
  const wids = dedupe((options.wids ?? []).map((w) => requireGuid(w, 'wids entry')));
  if (app && scopes.length > 0) throw new Error('an application token carries roles, not scopes');
  if (!app && roles.length > 0) throw new Error('roles are application permissions: mint an application token (app) to carry them');
  if (!app && scopes.length === 0) throw new Error('a delegated token needs at least one scope');

  const lifetime = options.lifetimeSeconds ?? DEFAULT_TOKEN_LIFETIME_SECONDS;
  if (!Number.isInteger(lifetime) || lifetime < 1 || lifetime > MAX_TOKEN_LIFETIME_SECONDS) {
    throw new Error(`lifetimeSeconds must be an integer from 1 to ${MAX_TOKEN_LIFETIME_SECONDS}`);
  }
  const audience = options.audience ?? (version === '1.0' ? GRAPH_RESOURCE_URI : GRAPH_APP_ID);
  if (audience === '') throw new Error('audience must not be empty');
  const appId = options.appId === undefined ? CLI_APP_ID : requireGuid(options.appId, 'appId');
  const kind = app ? 'app' : 'user';
  const oid = options.oid === undefined ? guidFromName(`graph-lro/oid/${tenantId}/${kind}/${appId}`) : requireGuid(options.oid, 'oid');
  const now = Math.floor((options.now?.getTime() ?? Date.now()) / 1000);

  const claims: Record<string, unknown> = {
    aud: audience,
    iss: issuerFor(version === '1.0' ? ISSUER_V1 : ISSUER_V2, tenantId),
    iat: now,
    nbf: now,
    exp: now + lifetime,
  };
  // appidacr/azpacr: 0 = public client (a user signing in), 1 = client secret (app-only).
  if (version === '1.0') Object.assign(claims, { appid: appId, appidacr: app ? '1' : '0' });
  else Object.assign(claims, { azp: appId, azpacr: app ? '1' : '0' });
  claims.idtyp = kind;
  claims.oid = oid;
  if (app) {
    if (roles.length > 0) claims.roles = roles;
  } else {
    claims.scp = scopes.join(' ');
  }
  // Entra's `sub` is the oid for app-only tokens and a pairwise (per client) opaque value for users.
  claims.sub = app ? oid : createHash('sha256').update(`${oid}|${appId}`).digest('base64url');
  claims.tid = tenantId;
  claims.uti = randomBytes(16).toString('base64url');
  claims.ver = version;
  if (!app) claims.wids = dedupe([...wids, DirectoryRoles.defaultMember]);
  else if (wids.length > 0) claims.wids = wids;

  return new SignJWT(claims).setProtectedHeader({ alg: SIGNING_ALG, typ: 'JWT', kid: key.kid }).sign(key.privateKey);
}

/**
 * Splits a CLI list into its values: space- or comma-separated (`"A B,C"` → `['A','B','C']`),
 * given once or repeated (an array of such strings); empty values dropped, duplicates removed.
 */
export function parseList(input: string | readonly string[] | undefined): string[] {
  if (input === undefined) return [];
  const parts = typeof input === 'string' ? [input] : input;
  return dedupe(parts.flatMap((p) => p.split(/[\s,]+/)).filter((v) => v !== ''));
}

const PERMISSION_NAME = /^[A-Za-z0-9_.-]+$/;

function names(values: readonly string[], what: string): string[] {
  for (const v of values) {
    if (!PERMISSION_NAME.test(v)) throw new Error(`invalid ${what} "${v}": letters, digits, ".", "-" and "_" only`);
  }
  return dedupe(values);
}

function requireGuid(value: string, what: string): string {
  if (!isGuid(value)) throw new Error(`${what} must be a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx), not "${String(value)}"`);
  return value.toLowerCase();
}

function dedupe<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}
