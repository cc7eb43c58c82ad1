// Every kind of bad input is reported, all at once, each with the path to the offending value.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DirectoryImportError } from '../../src/directory/index.js';
import { snapshotRows, tenantIdOf } from '../../src/directory/import.js';
import { durationMs, isDateTime } from '../../src/directory/problems.js';
import { ALICE, BOB, CAROL, GA, NORTH_SCHOOL, STAFF, smallSnapshot } from './fixtures.js';

/** The problems reported for `snapshot`, or [] when it is accepted. */
function problemsOf(snapshot: unknown): string[] {
  try {
    snapshotRows(snapshot);
    return [];
  } catch (err) {
    assert.ok(err instanceof DirectoryImportError, String(err));
    return err.problems;
  }
}

type Snapshot = ReturnType<typeof smallSnapshot>;
const spoiled = (spoil: (s: Snapshot) => void) => {
  const s = smallSnapshot();
  spoil(s);
  return problemsOf(s);
};

describe('directory snapshot validation', () => {
  test('the hand-built snapshot is accepted', () => {
    assert.deepEqual(problemsOf(smallSnapshot()), []);
  });

  test('unknown role, dangling principal, unknown policy', () => {
    assert.deepEqual(
      spoiled((s) => {
        s.roleAssignments[1]!.roleDefinitionId = 'x';
        s.roleAssignmentScheduleRequests[2]!.principalId = 'ghost';
        s.roleEligibilitySchedules[0]!.roleDefinitionId = 'not-a-role';
        s.roleManagementPolicyAssignments[0]!.policyId = 'p-missing';
      }),
      [
        "roleAssignments[1].roleDefinitionId: unknown role 'x'",
        "roleAssignmentScheduleRequests[2].principalId: unknown principal 'ghost' (not in users)",
        "roleEligibilitySchedules[0].roleDefinitionId: unknown role 'not-a-role'",
        "roleManagementPolicyAssignments[0].policyId: unknown policy 'p-missing'",
      ],
    );
  });

  test('malformed dates and durations', () => {
    assert.deepEqual(
      spoiled((s) => {
        s.users[0]!.signInActivity!.lastSignInDateTime = '2025-02-30T08:00:00Z';
        s.roleAssignments[0]!.createdDateTime = 'yesterday';
        s.roleAssignmentScheduleInstances[0]!.startDateTime = '2025-02-01 00:00:00';
        s.roleAssignmentScheduleRequests[1]!.scheduleInfo!.expiration!.duration = '8 hours';
        s.roleEligibilitySchedules[1]!.scheduleInfo!.expiration!.endDateTime = '2026-04-01T00:00:00';
      }),
      [
        "users[0].signInActivity.lastSignInDateTime: malformed date '2025-02-30T08:00:00Z' (expected ISO 8601 such as 2024-05-01T08:00:00Z)",
        "roleAssignments[0].createdDateTime: malformed date 'yesterday' (expected ISO 8601 such as 2024-05-01T08:00:00Z)",
        "roleAssignmentScheduleInstances[0].startDateTime: malformed date '2025-02-01 00:00:00' (expected ISO 8601 such as 2024-05-01T08:00:00Z)",
        "roleAssignmentScheduleRequests[1].scheduleInfo.expiration.duration: malformed duration '8 hours' (expected ISO 8601 in weeks, days, hours, minutes, seconds, e.g. PT8H)",
        "roleEligibilitySchedules[1].scheduleInfo.expiration.endDateTime: malformed date '2026-04-01T00:00:00' (expected ISO 8601 such as 2024-05-01T08:00:00Z)",
      ],
    );
  });

  test('wrong types, bad enum values, missing required properties', () => {
    assert.deepEqual(
      spoiled((s) => {
        const u = s.users[1] as Record<string, unknown>;
        u.accountEnabled = 'yes';
        delete u.displayName;
        (s.users[2] as Record<string, unknown>).id = '';
        (s.roleAssignmentScheduleInstances[3] as Record<string, unknown>).assignmentType = 'Eligible';
        (s.roleAssignmentScheduleRequests[0] as Record<string, unknown>).status = 'Approved';
        delete (s.roleAssignmentScheduleRequests[3] as Record<string, unknown>).createdDateTime;
        (s.roleManagementPolicies[0]!.rules[0] as Record<string, unknown>).enabledRules = 'MultiFactorAuthentication';
        (s.subscribedSkus[0] as Record<string, unknown>).servicePlans = [{ servicePlanId: 'eec0eb4f-6444-4f95-aba0-50c24d67f998' }];
        (s as Record<string, unknown>).roleEligibilitySchedules = { value: 'none' };
      }),
      [
        'users[1].displayName: required',
        'users[1].accountEnabled: expected true or false, got a string',
        'users[2].id: must not be empty',
        "roleAssignmentScheduleInstances[3].assignmentType: 'Eligible' is not one of Assigned, Activated",
        "roleAssignmentScheduleRequests[0].status: 'Approved' is not one of Canceled, Denied, Failed, Granted, PendingAdminDecision, PendingApproval, PendingProvisioning, PendingScheduleCreation, Provisioned, Revoked, ScheduleCreated",
        'roleAssignmentScheduleRequests[3].createdDateTime: required',
        'roleEligibilitySchedules: expected an array (or a Graph collection response with "value")',
        'roleManagementPolicies[0].rules[0].enabledRules: expected an array, got a string',
        'subscribedSkus[0].servicePlans[0].servicePlanName: required',
        'subscribedSkus[0].servicePlans[0].provisioningStatus: required',
        // Carol lost her id, so what refers to her refers to no one.
        `administrativeUnits[0].members: unknown user '${CAROL}' (not in users)`,
        `roleAssignmentScheduleInstances[2].principalId: unknown principal '${CAROL}' (not in users)`,
      ],
    );
  });

  test('duplicate ids, user principal names and role policies', () => {
    assert.deepEqual(
      spoiled((s) => {
        s.users.push({ id: ALICE, displayName: 'Alice again', userPrincipalName: 'ALICE@contoso.example' });
        s.roleAssignments.push({ id: 'a2', principalId: BOB, roleDefinitionId: GA, directoryScopeId: '/', createdDateTime: '2025-01-01T00:00:00Z' });
        s.roleManagementPolicyAssignments.push({ id: 'pa5', policyId: 'p-no-mfa', roleDefinitionId: GA, scopeId: '/', scopeType: 'DirectoryRole' });
      }),
      [
        `users[3].id: duplicate id '${ALICE}' (first at users[0])`,
        "users[3].userPrincipalName: duplicate userPrincipalName 'alice@contoso.example' (first at users[0])",
        "roleAssignments[3].id: duplicate id 'a2' (first at roleAssignments[1])",
        `roleManagementPolicyAssignments[4].roleDefinitionId: duplicate roleDefinitionId '${GA}' (first at roleManagementPolicyAssignments[0])`,
      ],
    );
  });

  test('the snapshot itself: not an object, no users, unknown collections, items that are not objects', () => {
    assert.deepEqual(problemsOf([]), ['(snapshot): expected a JSON object with "users" and the other collections']);
    assert.deepEqual(problemsOf({ roleAssignment: [], users: [3, null] }), [
      'roleAssignment: unknown collection (expected users, groups, administrativeUnits, roleDefinitions, roleAssignments, roleAssignmentScheduleInstances, roleAssignmentScheduleRequests, roleEligibilitySchedules, roleManagementPolicies, roleManagementPolicyAssignments, subscribedSkus)',
      'users[0]: expected an object',
      'users[1]: expected an object',
    ]);
    assert.deepEqual(problemsOf({}), ['users: required (an array)']);
  });

  test("users' mail and employeeId: an address of at most 254 characters, at most 16 characters", () => {
    assert.deepEqual(
      spoiled((s) => {
        const [alice, bob, carol] = s.users as Record<string, unknown>[];
        alice!.mail = 'alice at contoso';
        bob!.mail = `${'b'.repeat(243)}@contoso.example`;
        bob!.employeeId = '12345678901234567';
        carol!.mail = 42;
        carol!.employeeId = 7;
      }),
      [
        "users[0].mail: 'alice at contoso' is not an email address (expected name@domain)",
        'users[1].mail: longer than 254 characters',
        'users[1].employeeId: longer than 16 characters',
        'users[2].mail: expected a string, got a number',
        'users[2].employeeId: expected a string, got a number',
      ],
    );
  });

  test('groups: required properties, types, mail nickname, group types, members and owners', () => {
    assert.deepEqual(
      spoiled((s) => {
        s.groups.push({ ...s.groups[1]!, displayName: 'Staff again' });
        const [teachers, staff] = s.groups as Record<string, unknown>[];
        teachers!.mailNickname = 'all teachers';
        teachers!.groupTypes = ['Unified', 'Dynamic'];
        teachers!.members = [ALICE, 'ghost', { id: 'nobody' }, 7, ALICE];
        teachers!.owners = 'alice';
        delete staff!.securityEnabled;
        staff!.mailEnabled = 'no';
        delete staff!.mailNickname;
      }),
      [
        `groups[0].mailNickname: 'all teachers' is not a mail nickname (at most 64 ASCII characters, none of @ ( ) \\ [ ] " ; : < > , or spaces)`,
        'groups[0].groupTypes[1]: "Dynamic" is not one of Unified, DynamicMembership',
        'groups[0].members[3]: expected a user id (a string, or an object with "id")',
        'groups[0].owners: expected an array, got a string',
        'groups[1].mailNickname: required',
        'groups[1].securityEnabled: required',
        'groups[1].mailEnabled: expected true or false, got a string',
        `groups[2].id: duplicate id '${STAFF}' (first at groups[1])`,
        "groups[0].members: unknown users 'ghost', 'nobody' (not in users)",
        `groups[0].members: listed more than once: '${ALICE}'`,
      ],
    );
  });

  test('administrative units: members are users of the snapshot, each once', () => {
    assert.deepEqual(
      spoiled((s) => {
        const unit = s.administrativeUnits.value[0]!;
        unit.members = [BOB, ...Array.from({ length: 12 }, (_, i) => `ghost-${i}`), BOB];
        s.administrativeUnits.value.push({ ...unit, displayName: '' });
      }),
      [
        'administrativeUnits[1].displayName: must not be empty',
        `administrativeUnits[1].id: duplicate id '${NORTH_SCHOOL}' (first at administrativeUnits[0])`,
        "administrativeUnits[0].members: unknown users 'ghost-0', 'ghost-1', 'ghost-2', 'ghost-3', 'ghost-4', 'ghost-5', 'ghost-6', 'ghost-7', 'ghost-8', 'ghost-9' and 2 more (not in users)",
        `administrativeUnits[0].members: listed more than once: '${BOB}'`,
        "administrativeUnits[1].members: unknown users 'ghost-0', 'ghost-1', 'ghost-2', 'ghost-3', 'ghost-4', 'ghost-5', 'ghost-6', 'ghost-7', 'ghost-8', 'ghost-9' and 2 more (not in users)",
        `administrativeUnits[1].members: listed more than once: '${BOB}'`,
      ],
    );
  });

  test('an assignment and an eligibility need a creation time from somewhere', () => {
    assert.deepEqual(
      spoiled((s) => {
        delete (s.roleEligibilitySchedules[1]!.scheduleInfo as Record<string, unknown>).startDateTime;
      }),
      ['roleEligibilitySchedules[1].createdDateTime: required'],
    );
    assert.deepEqual(
      spoiled((s) => {
        delete s.roleAssignments[0]!.createdDateTime;
      }),
      ['roleAssignments[0]: no creation time: give createdDateTime, or a roleAssignmentScheduleInstance with startDateTime, or the request that made it'],
    );
  });

  test('all problems are found, the first 100 listed and the rest counted', () => {
    const users = Array.from({ length: 130 }, (_, i) => ({ id: `u${i}`, displayName: i, userPrincipalName: `u${i}@x` }));
    const problems = problemsOf({ users });
    assert.equal(problems.length, 101);
    assert.equal(problems[0], 'users[0].displayName: expected a string, got a number');
    assert.equal(problems[99], 'users[99].displayName: expected a string, got a number');
    assert.equal(problems[100], '… and 30 more problems');
  });

  test('tenant ids are GUIDs, kept in lower case', () => {
    assert.equal(tenantIdOf('0D3F7A4E-5C3B-4B8A-9A3E-2F1C6B7D8E90'), '0d3f7a4e-5c3b-4b8a-9a3e-2f1c6b7d8e90');
    assert.throws(() => tenantIdOf('contoso'), (err: DirectoryImportError) => err.problems[0] === "tenant: 'contoso' is not a tenant id (a GUID)");
  });

  test('dates and durations as Graph writes them', () => {
    for (const ok of ['2025-05-01T08:00:00Z', '2025-05-01T08:00:00.1234567Z', '2024-02-29T23:59:59+05:30', '2025-05-01T08:00:00-08:00']) assert.ok(isDateTime(ok), ok);
    for (const bad of ['2025-05-01', '2025-05-01T08:00Z', '2025-13-01T00:00:00Z', '2023-02-29T00:00:00Z', '2025-05-01T24:00:00Z', '2025-05-01T08:00:00+25:00']) assert.ok(!isDateTime(bad), bad);
    assert.equal(durationMs('PT8H'), 8 * 3_600_000);
    assert.equal(durationMs('P1DT30M'), 86_400_000 + 1_800_000);
    assert.equal(durationMs('P2W'), 14 * 86_400_000);
    assert.equal(durationMs('PT1.5S'), 1500);
    for (const bad of ['P', 'PT', 'P1Y', '8h', 'PT-1H']) assert.equal(durationMs(bad), undefined, bad);
  });
});
