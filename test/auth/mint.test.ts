import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import {
  CLI_APP_ID,
  createSigningKey,
  DirectoryRoles,
  mintToken,
  parseList,
  type SigningKey,
} from '../../src/auth/index.js';
import { APP_ID, OTHER_TENANT, TENANT, USER_OID } from './helpers.js';

let key: SigningKey;
before(async () => {
  key = await createSigningKey();
});

test('parseList splits on spaces and commas, drops empties and duplicates', () => {
  assert.deepEqual(parseList('A B,C'), ['A', 'B', 'C']);
  assert.deepEqual(parseList(' A,, B  ,C '), ['A', 'B', 'C']);
  assert.deepEqual(parseList(['A,B', 'C', 'A']), ['A', 'B', 'C']);
  assert.deepEqual(parseList(''), []);
  assert.deepEqual(parseList(undefined), []);
});

test('a delegated v1.0 token is shaped like the ones Graph receives', async () => {
  const now = new Date('2030-01-01T00:00:00Z');
  const token = await mintToken({
    key,
    tenantId: TENANT,
    scopes: ['RoleManagementAlert.Read.Directory', 'User.Read'],
    wids: [DirectoryRoles.globalReader],
    now,
  });
  assert.deepEqual(decodeProtectedHeader(token), { alg: 'RS256', typ: 'JWT', kid: key.kid });
  const c = decodeJwt(token);
  const iat = now.getTime() / 1000;
  assert.equal(c.aud, 'https://graph.microsoft.com');
  assert.equal(c.iss, `https://sts.windows.net/${TENANT}/`);
  assert.equal(c.iat, iat);
  assert.equal(c.nbf, iat);
  assert.equal(c.exp, iat + 3600);
  assert.equal(c.tid, TENANT);
  assert.equal(c.ver, '1.0');
  assert.equal(c.appid, CLI_APP_ID);
  assert.equal(c.appidacr, '0');
  assert.equal(c.azp, undefined);
  assert.equal(c.idtyp, 'user');
  assert.equal(c.scp, 'RoleManagementAlert.Read.Directory User.Read');
  assert.equal(c.roles, undefined);
  assert.deepEqual(c.wids, [DirectoryRoles.globalReader, DirectoryRoles.defaultMember]);
  assert.match(c.oid as string, /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.match(c.sub as string, /^[A-Za-z0-9_-]{43}$/);
  assert.notEqual(c.sub, c.oid);
  assert.match(c.uti as string, /^[A-Za-z0-9_-]{22}$/);
});

test('a delegated token always carries the default member role, once', async () => {
  const plain = decodeJwt(await mintToken({ key, tenantId: TENANT, scopes: ['User.Read'] }));
  assert.deepEqual(plain.wids, [DirectoryRoles.defaultMember]);
  const explicit = decodeJwt(
    await mintToken({ key, tenantId: TENANT, scopes: ['User.Read'], wids: [DirectoryRoles.defaultMember.toUpperCase(), DirectoryRoles.globalAdministrator] }),
  );
  assert.deepEqual(explicit.wids, [DirectoryRoles.defaultMember, DirectoryRoles.globalAdministrator]);
});

test('an application token carries roles and idtyp app, no scp', async () => {
  const c = decodeJwt(await mintToken({ key, tenantId: TENANT, app: true, roles: ['RoleManagementAlert.Read.Directory'], appId: APP_ID }));
  assert.deepEqual(c.roles, ['RoleManagementAlert.Read.Directory']);
  assert.equal(c.idtyp, 'app');
  assert.equal(c.scp, undefined);
  assert.equal(c.wids, undefined);
  assert.equal(c.appid, APP_ID);
  assert.equal(c.appidacr, '1');
  assert.equal(c.sub, c.oid, 'app-only tokens have sub = oid');

  const none = decodeJwt(await mintToken({ key, tenantId: TENANT, app: true }));
  assert.equal(none.roles, undefined, 'an application without permissions gets no roles claim, as from Entra');
  assert.equal(none.idtyp, 'app');
});

test('a v2.0 token has the v2.0 issuer, Graph app id audience and azp', async () => {
  const c = decodeJwt(await mintToken({ key, tenantId: TENANT, scopes: ['User.Read'], version: '2.0', appId: APP_ID }));
  assert.equal(c.iss, `https://login.microsoftonline.com/${TENANT}/v2.0`);
  assert.equal(c.aud, '00000003-0000-0000-c000-000000000000');
  assert.equal(c.ver, '2.0');
  assert.equal(c.azp, APP_ID);
  assert.equal(c.azpacr, '0');
  assert.equal(c.appid, undefined);
});

test('oid is deterministic unless given; audience and lifetime are honoured', async () => {
  const oid = async (o: Partial<Parameters<typeof mintToken>[0]>) =>
    decodeJwt(await mintToken({ key, tenantId: TENANT, scopes: ['User.Read'], ...o })).oid;
  assert.equal(await oid({}), await oid({}));
  assert.notEqual(await oid({}), await oid({ tenantId: OTHER_TENANT }));
  assert.notEqual(await oid({}), await oid({ appId: APP_ID }));
  assert.notEqual(await oid({}), await oid({ app: true, scopes: [] }));
  assert.equal(await oid({ oid: USER_OID.toUpperCase() }), USER_OID);

  const c = decodeJwt(await mintToken({ key, tenantId: TENANT.toUpperCase(), scopes: ['User.Read'], audience: 'api://graph-lro', lifetimeSeconds: 60 }));
  assert.equal(c.aud, 'api://graph-lro');
  assert.equal((c.exp as number) - (c.iat as number), 60);
  assert.equal(c.tid, TENANT, 'tenant id is written in lower case');
});

test('invalid input is refused with a clear message', async () => {
  const base = { key, tenantId: TENANT, scopes: ['User.Read'] };
  await assert.rejects(mintToken({ ...base, tenantId: 'contoso.onmicrosoft.com' }), /tenantId must be a GUID/);
  await assert.rejects(mintToken({ ...base, wids: ['Global Administrator'] }), /wids entry must be a GUID/);
  await assert.rejects(mintToken({ ...base, oid: 'me' }), /oid must be a GUID/);
  await assert.rejects(mintToken({ ...base, appId: 'cli' }), /appId must be a GUID/);
  await assert.rejects(mintToken({ ...base, app: true }), /carries roles, not scopes/);
  await assert.rejects(mintToken({ ...base, roles: ['X.Read.All'] }), /roles are application permissions/);
  await assert.rejects(mintToken({ ...base, scopes: [] }), /at least one scope/);
  await assert.rejects(mintToken({ ...base, scopes: ['User Read'] }), /invalid scope "User Read"/);
  await assert.rejects(mintToken({ key, tenantId: TENANT, app: true, roles: ['a"b'] }), /invalid role/);
  await assert.rejects(mintToken({ ...base, lifetimeSeconds: 0 }), /lifetimeSeconds/);
  await assert.rejects(mintToken({ ...base, lifetimeSeconds: 1.5 }), /lifetimeSeconds/);
  await assert.rejects(mintToken({ ...base, lifetimeSeconds: 86401 }), /lifetimeSeconds/);
  await assert.rejects(mintToken({ ...base, version: '3.0' as '2.0' }), /version/);
  await assert.rejects(mintToken({ ...base, audience: '' }), /audience/);
});
