// PUT /admin/directory: a tenant's directory snapshot replaced through the running server.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DirectoryRoles } from '../../src/auth/index.js';
import { pglite, TENANT } from '../support/backends.js';
import type { TestServer } from '../support/server.js';
import { startTestServer } from '../support/server.js';
import { smallSnapshot } from '../directory/fixtures.js';

describe('directory admin endpoint', () => {
  let ts: TestServer;
  before(async () => (ts = await startTestServer(pglite)));
  after(() => ts.close());

  const put = async (body: unknown, token: string) =>
    fetch(`${ts.url}/admin/directory`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const admin = () => ts.token({ scopes: ['Directory.ReadWrite.All'], wids: [DirectoryRoles.privilegedRoleAdministrator] });

  test('imports into the caller’s tenant and answers the counts', async () => {
    const res = await put(smallSnapshot(), await admin());
    assert.equal(res.status, 200);
    const summary = (await res.json()) as Record<string, unknown>;
    assert.equal(summary.tenantId, TENANT);
    assert.equal(summary.users, smallSnapshot().users.length);
    const [row] = await ts.server.db.query<{ n: number }>('SELECT count(*) AS n FROM directory_users WHERE tenant_id = $1', [TENANT]);
    assert.equal(row!.n, smallSnapshot().users.length);
  });

  test('a bad snapshot is a 400 listing every problem with its path, and changes nothing', async () => {
    const snapshot = smallSnapshot();
    (snapshot.users[0] as Record<string, unknown>).accountEnabled = 'yes';
    (snapshot.users[1] as Record<string, unknown>).id = 42;
    const res = await put(snapshot, await admin());
    assert.equal(res.status, 400);
    const error = ((await res.json()) as { error: { code: string; message: string; details: { code: string; target: string; message: string }[] } }).error;
    assert.equal(error.code, 'BadRequest');
    assert.match(error.message, /nothing was imported/);
    assert.ok(error.details.some((d) => d.target === 'users[0].accountEnabled'), JSON.stringify(error.details));
    assert.ok(error.details.some((d) => d.target === 'users[1].id'), JSON.stringify(error.details));
    const [row] = await ts.server.db.query<{ n: number }>('SELECT count(*) AS n FROM directory_users WHERE tenant_id = $1', [TENANT]);
    assert.equal(row!.n, smallSnapshot().users.length, 'the previous directory stays');
  });

  test('a value PostgreSQL refuses (a NUL in a display name, SQLSTATE class 22) is a 400, not a 500', async () => {
    const snapshot = smallSnapshot();
    snapshot.users[0]!.displayName = 'a\u0000b';
    const res = await put(snapshot, await admin());
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'BadRequest');
  });

  test('needs Directory.ReadWrite.All and, delegated, an administrator role', async () => {
    assert.equal((await put(smallSnapshot(), await ts.token({ scopes: ['Directory.ReadWrite.All'], wids: [DirectoryRoles.globalReader] }))).status, 403);
    assert.equal((await put(smallSnapshot(), await ts.token())).status, 403);
    assert.equal((await put(smallSnapshot(), await ts.token({ app: true, roles: ['Directory.ReadWrite.All'] }))).status, 200);
    assert.equal((await fetch(`${ts.url}/admin/directory`, { method: 'PUT', body: '{}', headers: { 'content-type': 'application/json' } })).status, 401);
  });
});
