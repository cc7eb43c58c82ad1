// A small hand-built snapshot in Graph's shapes with one object for each mapping rule of
// src/directory/mapping.ts; the comments say which row each one should give.
import type { Db } from '../../src/db/db.js';

export const GA = '62e90394-69f5-4237-9190-012177145e10';
export const USER_ADMIN = 'fe930be7-5e62-47db-91af-98c3a49a38b1';
export const INTUNE_ADMIN = '3a2c62db-5318-420d-8d74-23affee5d9d5';
export const SECURITY_READER = '5d6b6bb7-de71-4623-b4af-96380a352509';
export const PRIVILEGED_ROLE_ADMIN = 'e8611ab8-c189-46e8-94e1-60213ab1f814';
export const REPORTS_READER = '4a5d8f65-41da-4de4-8968-e035b65339cf';
export const CUSTOM_ROLE = 'c0ffee00-0000-4000-8000-000000000001';

export const ALICE = '11111111-1111-4111-8111-111111111111';
export const BOB = '22222222-2222-4222-8222-222222222222';
export const CAROL = '33333333-3333-4333-8333-333333333333';

export const TEACHERS = '44444444-4444-4444-8444-444444444444';
export const STAFF = '55555555-5555-4555-8555-555555555555';
export const NORTH_SCHOOL = '66666666-6666-4666-8666-666666666666';

const enablement = (enabledRules: string[]) => ({
  '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyEnablementRule',
  id: 'Enablement_EndUser_Assignment',
  enabledRules,
  target: { caller: 'EndUser', operations: ['All'], level: 'Assignment' },
});

/** A fresh copy each call, so a test may spoil it. */
export const smallSnapshot = () => ({
  '@odata.context': 'https://graph.microsoft.com/beta/$metadata', // annotations are ignored
  users: [
    { id: ALICE, displayName: 'Alice', userPrincipalName: 'alice@contoso.example', mail: 'Alice.Smith@contoso.example', employeeId: 'T-0001', accountEnabled: true, createdDateTime: '2024-01-02T03:04:05Z', signInActivity: { lastSignInDateTime: '2025-05-30T08:00:00Z' } },
    { id: BOB, displayName: 'Bob', userPrincipalName: 'bob@contoso.example' },
    { id: CAROL, displayName: 'Carol', userPrincipalName: 'carol@contoso.example', mail: null, employeeId: '1234567890123456', accountEnabled: false, signInActivity: { lastSignInDateTime: null } },
  ],
  groups: [
    // members and owners as plain ids or as Graph lists them (directory objects with an id)
    { id: TEACHERS, displayName: 'Teachers', description: 'All teachers', mailNickname: 'teachers', securityEnabled: true, mailEnabled: true, groupTypes: ['Unified'], createdDateTime: '2024-08-01T00:00:00Z',
      members: [ALICE, { '@odata.type': '#microsoft.graph.user', id: BOB }], owners: [ALICE] },
    { id: STAFF, displayName: 'Staff', mailNickname: 'staff', securityEnabled: true, mailEnabled: false },
  ],
  administrativeUnits: { value: [{ id: NORTH_SCHOOL, displayName: 'North School', description: 'Grades 1-6', visibility: 'HiddenMembership', members: [BOB, CAROL] }] },
  roleDefinitions: { value: [{ id: CUSTOM_ROLE, displayName: 'Tier 1 Support', isBuiltIn: false, isPrivileged: true, templateId: CUSTOM_ROLE }] },
  roleAssignments: [
    // a1: direct, its own createdDateTime -> via_pim false
    { id: 'a1', principalId: ALICE, roleDefinitionId: GA, directoryScopeId: '/', createdDateTime: '2025-01-01T00:00:00Z' },
    // a2: instance (by origin id) + adminAssign request -> via_pim, created at the instance's start
    { id: 'a2', principalId: BOB, roleDefinitionId: USER_ADMIN, directoryScopeId: '/' },
    // a3: Activated instance -> activated, via_pim, ends with the instance
    { id: 'a3', principalId: ALICE, roleDefinitionId: INTUNE_ADMIN },
  ],
  roleAssignmentScheduleInstances: [
    { id: 'i2', principalId: BOB, roleDefinitionId: USER_ADMIN, directoryScopeId: '/', assignmentType: 'Assigned', memberType: 'Direct', startDateTime: '2025-02-01T00:00:00Z', endDateTime: null, roleAssignmentOriginId: 'a2' },
    { id: 'i3', principalId: ALICE, roleDefinitionId: INTUNE_ADMIN, directoryScopeId: '/', assignmentType: 'Activated', memberType: 'Direct', startDateTime: '2025-05-31T10:00:00Z', endDateTime: '2025-05-31T12:00:00Z', roleAssignmentOriginId: 'a3' },
    // i4: no roleAssignment, no request -> an assignment of its own, outside PIM
    { id: 'i4', principalId: CAROL, roleDefinitionId: SECURITY_READER, directoryScopeId: '/', assignmentType: 'Assigned', startDateTime: '2025-03-01T00:00:00Z' },
    // i5: Activated, no request -> an activated assignment and an activation
    { id: 'i5', principalId: BOB, roleDefinitionId: PRIVILEGED_ROLE_ADMIN, assignmentType: 'Activated', startDateTime: '2025-05-20T09:00:00.1234567Z', endDateTime: '2025-05-20T17:00:00Z' },
  ],
  roleAssignmentScheduleRequests: [
    { id: 'r1', action: 'adminAssign', status: 'Provisioned', principalId: BOB, roleDefinitionId: USER_ADMIN, directoryScopeId: '/', createdDateTime: '2025-02-01T00:00:00Z', scheduleInfo: { startDateTime: '2025-02-01T00:00:00Z', expiration: { type: 'noExpiration' } } },
    // r2: granted selfActivate -> the activation behind i3 (so i3 adds none)
    { id: 'r2', action: 'selfActivate', status: 'Provisioned', principalId: ALICE, roleDefinitionId: INTUNE_ADMIN, directoryScopeId: '/', createdDateTime: '2025-05-31T09:59:58Z', scheduleInfo: { startDateTime: '2025-05-31T10:00:00Z', expiration: { type: 'afterDuration', duration: 'PT2H' } } },
    // r3: denied -> nothing
    { id: 'r3', action: 'selfActivate', status: 'Denied', principalId: ALICE, roleDefinitionId: INTUNE_ADMIN, createdDateTime: '2025-05-29T10:00:00Z' },
    // r4: granted, no start -> activated at createdDateTime, ends at endDateTime
    { id: 'r4', action: 'selfActivate', status: 'Granted', principalId: BOB, roleDefinitionId: CUSTOM_ROLE, createdDateTime: '2025-05-10T07:00:00+02:00', scheduleInfo: { expiration: { type: 'afterDateTime', endDateTime: '2025-05-10T09:00:00+02:00' } } },
  ],
  roleEligibilitySchedules: [
    { id: 'e1', principalId: ALICE, roleDefinitionId: INTUNE_ADMIN, directoryScopeId: '/', memberType: 'Direct', createdDateTime: '2024-06-01T00:00:00Z', scheduleInfo: { startDateTime: '2024-06-01T00:00:00Z', expiration: { type: 'afterDuration', duration: 'P365D' } } },
    // e2: no createdDateTime -> created at its start
    { id: 'e2', principalId: BOB, roleDefinitionId: CUSTOM_ROLE, scheduleInfo: { startDateTime: '2025-04-01T00:00:00Z', expiration: { type: 'afterDateTime', endDateTime: '2026-04-01T00:00:00Z' } } },
  ],
  roleManagementPolicies: [
    { id: 'p-mfa', scopeId: '/', scopeType: 'DirectoryRole', rules: [enablement(['MultiFactorAuthentication', 'Justification'])] },
    { id: 'p-no-mfa', scopeId: '/', scopeType: 'DirectoryRole', rules: [enablement(['Justification']), { '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyExpirationRule', id: 'Expiration_EndUser_Assignment', maximumDuration: 'PT8H' }] },
    { id: 'p-no-rule', rules: [] },
  ],
  roleManagementPolicyAssignments: [
    { id: 'pa1', policyId: 'p-mfa', roleDefinitionId: GA, scopeId: '/', scopeType: 'DirectoryRole' },
    { id: 'pa2', policyId: 'p-no-mfa', roleDefinitionId: CUSTOM_ROLE, scopeId: '/', scopeType: 'DirectoryRole' },
    { id: 'pa3', policyId: 'p-no-rule', roleDefinitionId: INTUNE_ADMIN },
    // scoped to an administrative unit: not read
    { id: 'pa4', policyId: 'p-no-mfa', roleDefinitionId: USER_ADMIN, scopeId: '/administrativeUnits/x', scopeType: 'DirectoryRole' },
  ],
  subscribedSkus: [
    { skuId: '84a661c4-e949-4bd2-a560-ed7766fcaf2b', skuPartNumber: 'AAD_PREMIUM_P2', capabilityStatus: 'Warning', servicePlans: [{ servicePlanId: 'eec0eb4f-6444-4f95-aba0-50c24d67f998', servicePlanName: 'AAD_PREMIUM_P2', provisioningStatus: 'Success' }] },
    { skuId: '078d2b04-f1bd-4111-bbd4-b4b1b354cef4', skuPartNumber: 'AAD_PREMIUM', capabilityStatus: 'Enabled', servicePlans: [{ servicePlanId: '41781fb2-bc02-4b7c-bd55-b576c07bb09d', servicePlanName: 'AAD_PREMIUM', provisioningStatus: 'Success' }] },
    // plan ids compare case-insensitively
    { skuId: 'cf6b0d46-4093-4546-a0ab-0b1546dcc10e', skuPartNumber: 'Microsoft_Entra_ID_Governance', capabilityStatus: 'Suspended', servicePlans: [{ servicePlanId: 'E866A266-3CFF-43A3-ACCA-0C90A7E00C8B', servicePlanName: 'Entra_Identity_Governance', provisioningStatus: 'Success' }] },
    // a P2 plan switched off does not license PIM
    { skuId: '00000000-0000-4000-8000-0000000000e5', skuPartNumber: 'TEST_SUITE', capabilityStatus: 'Enabled', servicePlans: [{ servicePlanId: 'eec0eb4f-6444-4f95-aba0-50c24d67f998', servicePlanName: 'AAD_PREMIUM_P2', provisioningStatus: 'Disabled' }] },
  ],
});

/** Every directory row of the tenant, table by table, in a stable order (tenant_id left out). */
export async function directoryRows(db: Db, tenantId: string): Promise<Record<string, unknown[]>> {
  const tables = {
    users: 'directory_users ORDER BY id',
    groups: 'directory_groups ORDER BY id',
    groupMembers: 'directory_group_members ORDER BY group_id, member_id, role',
    administrativeUnits: 'directory_administrative_units ORDER BY id',
    administrativeUnitMembers: 'directory_administrative_unit_members ORDER BY unit_id, member_id',
    roles: 'directory_roles ORDER BY id',
    assignments: 'directory_role_assignments ORDER BY id',
    eligibilities: 'directory_role_eligibilities ORDER BY id',
    activations: 'directory_role_activations ORDER BY id',
    policies: 'directory_role_policies ORDER BY role_id',
    licenses: 'directory_licenses ORDER BY sku_id',
  };
  const out: Record<string, unknown[]> = {};
  for (const [name, from] of Object.entries(tables)) {
    const [table, order] = from.split(' ORDER BY ');
    const rows = await db.query(`SELECT * FROM ${table} WHERE tenant_id = $1 ORDER BY ${order}`, [tenantId]);
    out[name] = rows.map(({ tenant_id: _tenant, ...row }) => row);
  }
  return out;
}
