// The built-in role catalogue: well-formed, and in agreement with the roles the rest of the
// service names (spec §6).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DirectoryRoles } from '../../src/auth/roles.js';
import { BUILT_IN_ROLES, builtInRole, builtInRoleById } from '../../src/directory/index.js';

describe('built-in role catalogue', () => {
  test('template ids are lower-case GUIDs; ids and names are unique', () => {
    for (const r of BUILT_IN_ROLES) assert.match(r.templateId, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, r.displayName);
    assert.equal(new Set(BUILT_IN_ROLES.map((r) => r.templateId)).size, BUILT_IN_ROLES.length);
    assert.equal(new Set(BUILT_IN_ROLES.map((r) => r.displayName)).size, BUILT_IN_ROLES.length);
    assert.equal(BUILT_IN_ROLES.length, 123);
  });

  test('Entra marks 29 roles privileged, among them the readers Global Reader and Security Reader', () => {
    const privileged = BUILT_IN_ROLES.filter((r) => r.isPrivileged).map((r) => r.displayName);
    assert.equal(privileged.length, 29);
    for (const name of ['Global Administrator', 'Privileged Role Administrator', 'Privileged Authentication Administrator', 'Security Administrator',
      'User Administrator', 'Helpdesk Administrator', 'Password Administrator', 'Authentication Administrator', 'Application Administrator',
      'Cloud Application Administrator', 'Conditional Access Administrator', 'Intune Administrator', 'Global Reader', 'Security Reader', 'Security Operator']) {
      assert.ok(privileged.includes(name), name);
    }
    for (const name of ['Reports Reader', 'Message Center Reader', 'Directory Readers', 'Guest Inviter', 'Teams Administrator', 'Exchange Administrator']) {
      assert.equal(builtInRole(name).isPrivileged, false, name);
    }
  });

  test('the roles tokens and permissions use (spec §6) are in it, under the same ids', () => {
    const names: Record<string, string> = {
      globalAdministrator: 'Global Administrator', privilegedRoleAdministrator: 'Privileged Role Administrator', securityAdministrator: 'Security Administrator',
      securityReader: 'Security Reader', globalReader: 'Global Reader', authenticationAdministrator: 'Authentication Administrator',
      privilegedAuthenticationAdministrator: 'Privileged Authentication Administrator', userAdministrator: 'User Administrator',
      helpdeskAdministrator: 'Helpdesk Administrator', passwordAdministrator: 'Password Administrator',
    };
    for (const [key, name] of Object.entries(names)) assert.equal(builtInRole(name).templateId, DirectoryRoles[key as keyof typeof DirectoryRoles], name);
    assert.equal(builtInRoleById('62E90394-69F5-4237-9190-012177145E10')?.displayName, 'Global Administrator');
    assert.equal(builtInRoleById(DirectoryRoles.defaultMember), undefined, 'the default member role is not assignable');
    assert.throws(() => builtInRole('Global Admin'), /no built-in role named/);
  });
});
