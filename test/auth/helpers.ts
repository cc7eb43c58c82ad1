// Shared by the auth tests: temporary directories, hand-built tokens, 401/403 assertions.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, type JWTHeaderParameters } from 'jose';
import { GraphError } from '../../src/errors.js';
import type { SigningKey } from '../../src/auth/index.js';

export const TENANT = '0b7f9a52-5c3e-4f0a-9d3e-6a1f2b3c4d5e';
export const OTHER_TENANT = 'f1e2d3c4-b5a6-4978-8695-a4b3c2d1e0f9';
export const USER_OID = '3c2b1a09-8f7e-4d6c-b5a4-938271605f4e';
export const APP_ID = '7d1e8c2a-4b5f-4a6e-9c3d-2e1f0a9b8c7d';

export async function tempDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'graph-lro-auth-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A token assembled by hand, with whatever header and signature part it is given. */
export function handBuilt(header: Record<string, unknown>, claims: Record<string, unknown>, signature = ''): string {
  return `${b64(header)}.${b64(claims)}.${signature}`;
}

/** Claims of a valid delegated v1.0 token for TENANT, issued at `now` (epoch s), valid an hour. */
export function v1Claims(now = Math.floor(Date.now() / 1000), tid = TENANT): Record<string, unknown> {
  return {
    aud: 'https://graph.microsoft.com',
    iss: `https://sts.windows.net/${tid}/`,
    iat: now,
    nbf: now,
    exp: now + 3600,
    appid: APP_ID,
    oid: USER_OID,
    scp: 'RoleManagementAlert.Read.Directory',
    sub: 'pairwise-subject',
    tid,
    ver: '1.0',
  };
}

/** Signs arbitrary claims with a real key (RS256 unless the header says otherwise). */
export function signClaims(key: SigningKey, claims: Record<string, unknown>, header: Partial<JWTHeaderParameters> = {}): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: key.kid, ...header }).sign(key.privateKey);
}

/** Asserts a 401 InvalidAuthenticationToken GraphError with exactly `message`. */
export async function rejects401(promise: Promise<unknown>, message: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof GraphError, `expected a GraphError, got ${String(err)}`);
    assert.equal(err.status, 401);
    assert.equal(err.code, 'InvalidAuthenticationToken');
    assert.equal(err.message, message);
    assert.match(err.options.headers?.['www-authenticate'] ?? '', /^Bearer /);
    return true;
  });
}

/** Asserts that fn throws a 403 Authorization_RequestDenied GraphError (message optional). */
export function throws403(fn: () => void, message?: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof GraphError, `expected a GraphError, got ${String(err)}`);
    assert.equal(err.status, 403);
    assert.equal(err.code, 'Authorization_RequestDenied');
    if (message !== undefined) assert.equal(err.message, message);
    return true;
  });
}
