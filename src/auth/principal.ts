// The caller as the routes see it, built from verified token claims (spec §6), and the
// permission check every route makes (spec §2.3).
import { forbidden, unauthenticated } from '../errors.js';
import { PERSONAL_ACCOUNT_TENANT_ID } from './entra.js';
import { isGuid } from './guid.js';

export interface Principal {
  /** `tid`, lower case. Every row the caller can see belongs to this tenant. */
  readonly tenantId: string;
  /** `oid`, lower case: the user or the service principal. */
  readonly objectId: string;
  /** `appid` (v1.0) or `azp` (v2.0): the calling client application. */
  readonly appId: string;
  readonly kind: 'delegated' | 'application';
  /** Delegated permissions (`scp`), as written in the token. Empty for application tokens. */
  readonly scopes: ReadonlySet<string>;
  /** Application permissions (`roles`), as written in the token. */
  readonly roles: ReadonlySet<string>;
  /** Directory role template ids (`wids`), lower case. */
  readonly wids: ReadonlySet<string>;
  readonly expiresAt: Date;
}

export interface Permission {
  /** Delegated permissions, any one of which suffices (`scp`). */
  readonly delegated: readonly string[];
  /** Application permissions, any one of which suffices (`roles`). */
  readonly application: readonly string[];
  /** Directory role template ids a delegated caller must hold one of (`wids`); none if absent. */
  readonly directoryRoles?: readonly string[];
}

/**
 * Builds the principal from claims whose signature, issuer, audience and lifetime are already
 * verified. Throws 401 when the claims cannot describe a caller.
 */
export function principalFromClaims(claims: Readonly<Record<string, unknown>>): Principal {
  const { tid, oid, scp, roles, wids, exp, idtyp } = claims;
  if (tid === undefined) throw unauthenticated('Access token validation failure. The token has no tenant id (tid).');
  if (!isGuid(tid)) throw unauthenticated('Access token validation failure. Invalid tenant id (tid).');
  if (!isGuid(oid)) throw unauthenticated('Access token validation failure. Invalid object id (oid).');
  if (typeof exp !== 'number') throw unauthenticated('Access token validation failure. The token has no expiry (exp).');
  if (scp !== undefined && typeof scp !== 'string') throw unauthenticated('Access token validation failure. Invalid scp claim.');
  if (roles !== undefined && !isStringArray(roles)) throw unauthenticated('Access token validation failure. Invalid roles claim.');
  if (wids !== undefined && !(isStringArray(wids) && wids.every(isGuid))) {
    throw unauthenticated('Access token validation failure. Invalid wids claim.');
  }
  let kind: Principal['kind'];
  if (typeof scp === 'string') kind = 'delegated';
  else if (roles !== undefined || idtyp === 'app') kind = 'application';
  // Graph's own answer to a token that grants nothing either way.
  else throw unauthenticated('Either scp or roles claim need to be present in the token.');

  const appId = typeof claims.appid === 'string' ? claims.appid : typeof claims.azp === 'string' ? claims.azp : '';
  return Object.freeze({
    tenantId: tid.toLowerCase(),
    objectId: oid.toLowerCase(),
    appId,
    kind,
    scopes: typeof scp === 'string' && scp !== '' ? new Set(scp.split(' ').filter(Boolean)) : new Set<string>(),
    roles: roles !== undefined && roles.length > 0 ? new Set(roles) : new Set<string>(),
    wids: wids !== undefined && wids.length > 0 ? new Set(wids.map((w) => w.toLowerCase())) : new Set<string>(),
    expiresAt: new Date(exp * 1000),
  });
}

/** Whether `principal` may act under `permission` (see authorize). */
export function isAuthorized(principal: Principal, permission: Permission): boolean {
  if (principal.tenantId === PERSONAL_ACCOUNT_TENANT_ID) return false;
  if (principal.kind === 'application') return hasAny(principal.roles, permission.application);
  if (!hasAny(principal.scopes, permission.delegated)) return false;
  return permission.directoryRoles === undefined || hasAny(principal.wids, permission.directoryRoles);
}

/**
 * Throws 403 unless the caller holds the permission: a delegated caller one of the delegated
 * scopes and, when the permission names directory roles, one of those roles; an application
 * caller one of the application permissions (no directory role needed). Names compare
 * case-insensitively, as Entra treats them. Personal Microsoft accounts are always refused.
 */
export function authorize(principal: Principal, permission: Permission): void {
  if (principal.tenantId === PERSONAL_ACCOUNT_TENANT_ID) {
    throw forbidden('Personal Microsoft accounts are not supported for this API.');
  }
  if (!isAuthorized(principal, permission)) throw forbidden();
}

/** Case-insensitive "does `held` contain one of `wanted`"; no allocation when the case matches. */
function hasAny(held: ReadonlySet<string>, wanted: readonly string[]): boolean {
  if (held.size === 0) return false;
  for (const name of wanted) if (held.has(name)) return true;
  for (const name of wanted) {
    const lower = name.toLowerCase();
    for (const h of held) if (h.length === name.length && h.toLowerCase() === lower) return true;
  }
  return false;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}
