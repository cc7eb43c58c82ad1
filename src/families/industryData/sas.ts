// Upload URLs signed like an Azure Storage service SAS for a container: `sv`, `se`, `sr=c`, `sp`
// and `sig`, an HMAC-SHA256 (base64) under the service's key over the permissions, the expiry,
// the container (the upload session's id), the version, and the tenant and connector the session
// belongs to. Tenant and connector are not in the URL: the blob endpoint finds them through the
// session, so a URL outlives neither its session (resetSession, deletion, expiry) nor the key.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Db } from '../../db/db.js';
import { BLOB_PREFIX } from './model.js';
import { signingKey } from './store.js';

/** The signed version written in `sv`: the Azure storage service version whose SAS layout this follows. */
export const SAS_VERSION = '2021-12-02';
/** What an upload URL allows: read, add, create, write, delete, list (Azure's letters and order). */
export const SAS_PERMISSIONS = 'racwdl';

export interface SasGrant {
  containerId: string;
  tenantId: string;
  connectorId: string;
  permissions: string;
  expiresAt: Date;
}

/** `2024-05-01T12:34:56Z`: Azure's SAS time format (seconds, UTC). */
export const sasTime = (date: Date) => `${date.toISOString().slice(0, 19)}Z`;

function signature(key: Buffer, grant: SasGrant, version: string, expiry: string): Buffer {
  const text = [grant.permissions, expiry, `${BLOB_PREFIX}/${grant.containerId}`, 'c', version, grant.tenantId, grant.connectorId].join('\n');
  return createHmac('sha256', key).update(text, 'utf8').digest();
}

/** The SAS query string (without `?`), parameters in Azure's order. */
export function signSas(key: Buffer, grant: SasGrant): string {
  const expiry = sasTime(grant.expiresAt);
  const params = new URLSearchParams({ sv: SAS_VERSION, se: expiry, sr: 'c', sp: grant.permissions });
  params.set('sig', signature(key, grant, SAS_VERSION, expiry).toString('base64'));
  return params.toString();
}

export type SasCheck = { ok: true; permissions: string; expiresAt: Date } | { ok: false; detail: string };

const SAS_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,7})?)?Z$/;

/**
 * Checks the SAS parameters of a request to container `session.id`. The details are Azure's
 * `AuthenticationErrorDetail` texts.
 */
export function verifySas(key: Buffer, query: URLSearchParams, session: { id: string; tenant_id: string; connector_id: string }, now = new Date()): SasCheck {
  const sig = query.get('sig');
  const sv = query.get('sv');
  const se = query.get('se');
  const sr = query.get('sr');
  const sp = query.get('sp');
  if (!sig) return { ok: false, detail: 'sig is mandatory. Either it is not present or it is empty.' };
  if (!sv) return { ok: false, detail: 'sv is mandatory. Either it is not present or it is empty.' };
  if (sv !== SAS_VERSION) return { ok: false, detail: `Signed version ${sv} is not supported; this service signs ${SAS_VERSION}.` };
  if (!se || !SAS_TIME.test(se) || Number.isNaN(Date.parse(se))) return { ok: false, detail: 'Signed expiry time (se) must be in ISO 8601 format, for example 2024-05-01T12:34:56Z.' };
  if (sr !== 'c') return { ok: false, detail: "Signed resource (sr) must be 'c' (container)." };
  if (!sp || !/^r?a?c?w?d?l?$/.test(sp)) return { ok: false, detail: 'Signed permission (sp) must be a subsequence of racwdl.' };
  if (query.has('st') || query.has('si') || query.has('spr') || query.has('sip')) {
    return { ok: false, detail: 'Signature fields not well formed: this service signs only sv, se, sr and sp.' };
  }
  const expected = signature(key, { containerId: session.id, tenantId: session.tenant_id, connectorId: session.connector_id, permissions: sp, expiresAt: new Date(se) }, sv, se);
  const given = Buffer.from(sig, 'base64');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, detail: 'Signature did not match. The URL is not one this service issued for this container, or it was altered.' };
  }
  const expiresAt = new Date(se);
  if (now.getTime() >= expiresAt.getTime()) {
    return { ok: false, detail: `Signature not valid in the specified time frame: Expiry [${expiresAt.toUTCString()}] - Current [${now.toUTCString()}]` };
  }
  return { ok: true, permissions: sp, expiresAt };
}

const keys = new WeakMap<Db, Promise<Buffer>>();

/** The database's signing key, read once per process (it never changes while the service runs). */
export function keyOf(db: Db): Promise<Buffer> {
  let key = keys.get(db);
  if (!key) {
    key = signingKey(db);
    keys.set(db, key);
    key.catch(() => keys.delete(db));
  }
  return key;
}
