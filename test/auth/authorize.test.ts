import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  authorize,
  createSigningKey,
  createVerifier,
  DirectoryRoles as R,
  isAuthorized,
  mintToken,
  PERSONAL_ACCOUNT_TENANT_ID,
  PIM_ALERTS_READ_ROLES,
  PIM_ALERTS_WRITE_ROLES,
  principalFromClaims,
  type Permission,
  type Principal,
} from '../../src/auth/index.js';
import { operationsRead as industryDataOperationsRead } from '../../src/families/industryData/permissions.js';
import { roleManagementAlertsRead, roleManagementAlertsWrite } from '../../src/families/roleManagementAlerts/permissions.js';
import { rejects401, TENANT, throws403, USER_OID } from './helpers.js';

const READ = 'RoleManagementAlert.Read.Directory';
const READ_WRITE = 'RoleManagementAlert.ReadWrite.Directory';
const INDUSTRY = 'IndustryData.ReadBasic.All';
const exp = Math.floor(Date.now() / 1000) + 3600;

function user(scopes: string[], wids: string[] = [R.defaultMember], tid = TENANT): Principal {
  return principalFromClaims({ tid, oid: USER_OID, exp, scp: scopes.join(' '), wids });
}
function app(roles: string[] | undefined, tid = TENANT): Principal {
  return principalFromClaims({ tid, oid: USER_OID, exp, idtyp: 'app', ...(roles ? { roles } : {}) });
}
function allowed(p: Principal, permission: Permission): boolean {
  const yes = isAuthorized(p, permission);
  if (yes) authorize(p, permission);
  else throws403(() => authorize(p, permission));
  return yes;
}

test('the role sets of spec §6', () => {
  assert.deepEqual(
    [...PIM_ALERTS_READ_ROLES].sort(),
    [R.globalAdministrator, R.privilegedRoleAdministrator, R.globalReader, R.securityAdministrator, R.securityReader].sort(),
  );
  assert.deepEqual([...PIM_ALERTS_WRITE_ROLES].sort(), [R.globalAdministrator, R.privilegedRoleAdministrator].sort());
  assert.equal(R.globalAdministrator, '62e90394-69f5-4237-9190-012177145e10');
  assert.equal(R.privilegedRoleAdministrator, 'e8611ab8-c189-46e8-94e1-60213ab1f814');
  assert.equal(roleManagementAlertsRead.directoryRoles, PIM_ALERTS_READ_ROLES);
  assert.equal(roleManagementAlertsWrite.directoryRoles, PIM_ALERTS_WRITE_ROLES);
  assert.equal(industryDataOperationsRead.directoryRoles, undefined);
});

test('delegated: needs the scope AND one of the directory roles', () => {
  for (const role of PIM_ALERTS_READ_ROLES) {
    assert.equal(allowed(user([READ], [role, R.defaultMember]), roleManagementAlertsRead), true, role);
    assert.equal(allowed(user([READ_WRITE], [role]), roleManagementAlertsRead), true, role);
  }
  assert.equal(allowed(user([READ]), roleManagementAlertsRead), false, 'scope without role');
  assert.equal(allowed(user([READ], []), roleManagementAlertsRead), false, 'scope, no wids at all');
  assert.equal(allowed(user([READ], [R.userAdministrator]), roleManagementAlertsRead), false, 'scope with an unrelated role');
  assert.equal(allowed(user(['User.Read'], [R.globalAdministrator]), roleManagementAlertsRead), false, 'role without scope');
  assert.equal(allowed(user(['User.Read', 'Directory.Read.All'], [R.globalAdministrator]), roleManagementAlertsRead), false);
});

test('delegated writes: ReadWrite scope and GA or Privileged Role Administrator', () => {
  assert.equal(allowed(user([READ_WRITE], [R.globalAdministrator]), roleManagementAlertsWrite), true);
  assert.equal(allowed(user([READ_WRITE], [R.privilegedRoleAdministrator]), roleManagementAlertsWrite), true);
  for (const role of [R.globalReader, R.securityAdministrator, R.securityReader]) {
    assert.equal(allowed(user([READ_WRITE], [role]), roleManagementAlertsWrite), false, role);
  }
  assert.equal(allowed(user([READ], [R.globalAdministrator]), roleManagementAlertsWrite), false, 'read scope cannot write');
  assert.equal(allowed(user([READ_WRITE]), roleManagementAlertsWrite), false, 'scope without role');
});

test('delegated with no role requirement: the scope is enough', () => {
  assert.equal(allowed(user([INDUSTRY]), industryDataOperationsRead), true);
  assert.equal(allowed(user([INDUSTRY], []), industryDataOperationsRead), true);
  assert.equal(allowed(user([READ], [R.globalAdministrator]), industryDataOperationsRead), false);
});

test('application: needs one of the application permissions, no directory role', () => {
  assert.equal(allowed(app([READ]), roleManagementAlertsRead), true);
  assert.equal(allowed(app([READ_WRITE]), roleManagementAlertsRead), true);
  assert.equal(allowed(app([READ]), roleManagementAlertsWrite), false);
  assert.equal(allowed(app([READ_WRITE]), roleManagementAlertsWrite), true);
  assert.equal(allowed(app([INDUSTRY]), industryDataOperationsRead), true);
  assert.equal(allowed(app([INDUSTRY]), roleManagementAlertsRead), false);
  assert.equal(allowed(app([]), industryDataOperationsRead), false);
  assert.equal(allowed(app(undefined), industryDataOperationsRead), false);
  // A delegated scope name in an application's roles is not a delegated grant, and vice versa.
  const both: Permission = { delegated: ['Only.Delegated'], application: ['Only.Application'] };
  assert.equal(allowed(app(['Only.Delegated']), both), false);
  assert.equal(allowed(user(['Only.Application']), both), false);
});

test('permission names and role ids compare case-insensitively', () => {
  assert.equal(allowed(user([READ.toLowerCase()], [R.globalReader.toUpperCase()]), roleManagementAlertsRead), true);
  assert.equal(allowed(user(['ROLEMANAGEMENTALERT.READWRITE.DIRECTORY'], [R.privilegedRoleAdministrator]), roleManagementAlertsWrite), true);
  assert.equal(allowed(app(['industrydata.readbasic.all']), industryDataOperationsRead), true);
  assert.equal(allowed(user([`${READ}x`], [R.globalReader]), roleManagementAlertsRead), false, 'only case is ignored');
  const upperPermission: Permission = { delegated: [READ.toUpperCase()], application: [], directoryRoles: [R.globalReader.toUpperCase()] };
  assert.equal(allowed(user([READ], [R.globalReader]), upperPermission), true);
});

test('personal Microsoft accounts are refused with a clear message', () => {
  const msg = 'Personal Microsoft accounts are not supported for this API.';
  const msa = user([READ_WRITE, INDUSTRY], [R.globalAdministrator], PERSONAL_ACCOUNT_TENANT_ID);
  assert.equal(isAuthorized(msa, industryDataOperationsRead), false);
  throws403(() => authorize(msa, industryDataOperationsRead), msg);
  throws403(() => authorize(msa, roleManagementAlertsRead), msg);
  throws403(() => authorize(app([INDUSTRY], PERSONAL_ACCOUNT_TENANT_ID), industryDataOperationsRead), msg);
  throws403(() => authorize(user([INDUSTRY]), roleManagementAlertsRead), 'Insufficient privileges to complete the operation.');
});

test('end to end: minted tokens, verified, then authorized', async () => {
  const key = await createSigningKey();
  const verifier = createVerifier({ mode: 'local', key });
  const principal = async (o: Partial<Parameters<typeof mintToken>[0]>) =>
    verifier.verify(`Bearer ${await mintToken({ key, tenantId: TENANT, ...o })}`);

  const reader = await principal({ scopes: [READ], wids: [R.securityReader] });
  authorize(reader, roleManagementAlertsRead);
  throws403(() => authorize(reader, roleManagementAlertsWrite));
  const member = await principal({ scopes: [READ_WRITE] });
  throws403(() => authorize(member, roleManagementAlertsRead));
  const daemon = await principal({ app: true, roles: [READ_WRITE] });
  authorize(daemon, roleManagementAlertsRead);
  authorize(daemon, roleManagementAlertsWrite);
  throws403(() => authorize(daemon, industryDataOperationsRead));
  const msa = await verifier.verify(`Bearer ${await mintToken({ key, tenantId: PERSONAL_ACCOUNT_TENANT_ID, scopes: [INDUSTRY] })}`);
  throws403(() => authorize(msa, industryDataOperationsRead), 'Personal Microsoft accounts are not supported for this API.');
});

test('claims → principal: kind from scp / roles / idtyp', async () => {
  assert.equal(principalFromClaims({ tid: TENANT, oid: USER_OID, exp, scp: READ }).kind, 'delegated');
  assert.equal(principalFromClaims({ tid: TENANT, oid: USER_OID, exp, roles: [READ] }).kind, 'application');
  assert.equal(principalFromClaims({ tid: TENANT, oid: USER_OID, exp, idtyp: 'app' }).kind, 'application');
  const mixed = principalFromClaims({ tid: TENANT.toUpperCase(), oid: USER_OID.toUpperCase(), exp, scp: `${READ}  User.Read`, roles: ['X'] });
  assert.equal(mixed.kind, 'delegated', 'scp makes a token delegated');
  assert.deepEqual([...mixed.scopes], [READ, 'User.Read']);
  assert.equal(mixed.tenantId, TENANT);
  assert.equal(mixed.objectId, USER_OID);
  assert.equal(mixed.expiresAt.getTime(), exp * 1000);
  await rejects401(
    Promise.resolve().then(() => principalFromClaims({ tid: TENANT, oid: USER_OID, exp, idtyp: 'user' })),
    'Either scp or roles claim need to be present in the token.',
  );
});
