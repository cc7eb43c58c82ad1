// Importing a snapshot into each backend: every table lands as docs/directory.md says; a new
// import replaces the old one atomically, keeping what provisioners made; a rejected or failing
// import changes nothing; tenants do not touch each other.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Db } from '../../src/db/db.js';
import { BUILT_IN_ROLES, DirectoryImportError, hasDirectory, importDirectory, lockDirectory } from '../../src/directory/index.js';
import { replaceDirectory } from '../../src/directory/store.js';
import { OTHER_TENANT, TENANT, backends, freshDatabase, type TestDatabase } from '../support/backends.js';
import { ALICE, BOB, CAROL, CUSTOM_ROLE, GA, INTUNE_ADMIN, NORTH_SCHOOL, PRIVILEGED_ROLE_ADMIN, SECURITY_READER, STAFF, TEACHERS, USER_ADMIN, directoryRows, smallSnapshot } from './fixtures.js';

// Tenants of the tests with provisioned rows, which outlive imports.
const SCHOOLS = ['5c4f0e2a-7b1d-4e3f-9a8b-0c1d2e3f4a51', '5c4f0e2a-7b1d-4e3f-9a8b-0c1d2e3f4a52'] as const;

for (const backend of backends) {
  describe(`directory import on ${backend.name}`, () => {
    let database: TestDatabase;
    let db: Db;
    freshDatabase(backend, (opened, fresh) => {
      db = opened;
      database = fresh;
    });

    test('a small snapshot lands in every table as the mapping says', async () => {
      assert.equal(await hasDirectory(db, TENANT), false);
      const summary = await importDirectory(db, TENANT, smallSnapshot());
      assert.deepEqual({ ...summary, importedAt: undefined }, {
        tenantId: TENANT, importedAt: undefined, users: 3, roles: BUILT_IN_ROLES.length + 1, assignments: 5, eligibilities: 2, activations: 3, policies: 3, licenses: 4,
        groups: 2, groupMembers: 3, administrativeUnits: 1, administrativeUnitMembers: 2,
      });
      assert.match(summary.importedAt, /^\d{4}-\d\d-\d\dT.*Z$/);
      assert.equal(await hasDirectory(db, TENANT), true);
      const rows = await directoryRows(db, TENANT);

      const imported = { provisioned_by: null, source_key: null };
      assert.deepEqual(rows.users, [
        { id: ALICE, display_name: 'Alice', user_principal_name: 'alice@contoso.example', account_enabled: true, last_sign_in_at: '2025-05-30T08:00:00Z', created_at: '2024-01-02T03:04:05Z', mail: 'Alice.Smith@contoso.example', employee_id: 'T-0001', ...imported },
        { id: BOB, display_name: 'Bob', user_principal_name: 'bob@contoso.example', account_enabled: true, last_sign_in_at: null, created_at: null, mail: null, employee_id: null, ...imported },
        { id: CAROL, display_name: 'Carol', user_principal_name: 'carol@contoso.example', account_enabled: false, last_sign_in_at: null, created_at: null, mail: null, employee_id: '1234567890123456', ...imported },
      ]);

      assert.deepEqual(rows.groups, [
        { id: TEACHERS, display_name: 'Teachers', description: 'All teachers', mail_nickname: 'teachers', security_enabled: true, mail_enabled: true, group_types: ['Unified'], created_at: '2024-08-01T00:00:00Z', ...imported },
        { id: STAFF, display_name: 'Staff', description: null, mail_nickname: 'staff', security_enabled: true, mail_enabled: false, group_types: [], created_at: null, ...imported },
      ]);
      assert.deepEqual(rows.groupMembers, [
        { group_id: TEACHERS, member_id: ALICE, role: 'member', provisioned_by: null },
        { group_id: TEACHERS, member_id: ALICE, role: 'owner', provisioned_by: null },
        { group_id: TEACHERS, member_id: BOB, role: 'member', provisioned_by: null },
      ]);
      assert.deepEqual(rows.administrativeUnits, [{ id: NORTH_SCHOOL, display_name: 'North School', description: 'Grades 1-6', created_at: null, ...imported }]);
      assert.deepEqual(rows.administrativeUnitMembers, [
        { unit_id: NORTH_SCHOOL, member_id: BOB, provisioned_by: null },
        { unit_id: NORTH_SCHOOL, member_id: CAROL, provisioned_by: null },
      ]);

      const roles = new Map(rows.roles!.map((r) => [(r as { id: string }).id, r]));
      assert.deepEqual(roles.get(CUSTOM_ROLE), { id: CUSTOM_ROLE, template_id: CUSTOM_ROLE, display_name: 'Tier 1 Support', is_built_in: false, is_privileged: true });
      assert.deepEqual(roles.get(GA), { id: GA, template_id: GA, display_name: 'Global Administrator', is_built_in: true, is_privileged: true });
      assert.equal((roles.get('4a5d8f65-41da-4de4-8968-e035b65339cf') as { is_privileged: boolean }).is_privileged, false, 'Reports Reader');

      const assignment = (id: string, principal_id: string, role_id: string, created_at: string, via_pim: boolean, activated: boolean, end_at: string | null) =>
        ({ id, principal_id, role_id, directory_scope_id: '/', created_at, via_pim, activated, end_at });
      assert.deepEqual(rows.assignments, [
        assignment('a1', ALICE, GA, '2025-01-01T00:00:00Z', false, false, null),
        assignment('a2', BOB, USER_ADMIN, '2025-02-01T00:00:00Z', true, false, null),
        assignment('a3', ALICE, INTUNE_ADMIN, '2025-05-31T10:00:00Z', true, true, '2025-05-31T12:00:00Z'),
        assignment('i4', CAROL, SECURITY_READER, '2025-03-01T00:00:00Z', false, false, null),
        assignment('i5', BOB, PRIVILEGED_ROLE_ADMIN, '2025-05-20T09:00:00.123457Z', true, true, '2025-05-20T17:00:00Z'),
      ]);

      assert.deepEqual(rows.eligibilities, [
        { id: 'e1', principal_id: ALICE, role_id: INTUNE_ADMIN, directory_scope_id: '/', created_at: '2024-06-01T00:00:00Z', start_at: '2024-06-01T00:00:00Z', end_at: '2025-06-01T00:00:00Z' },
        { id: 'e2', principal_id: BOB, role_id: CUSTOM_ROLE, directory_scope_id: '/', created_at: '2025-04-01T00:00:00Z', start_at: '2025-04-01T00:00:00Z', end_at: '2026-04-01T00:00:00Z' },
      ]);

      assert.deepEqual(rows.activations, [
        { id: 'i5', principal_id: BOB, role_id: PRIVILEGED_ROLE_ADMIN, activated_at: '2025-05-20T09:00:00.123457Z', end_at: '2025-05-20T17:00:00Z' },
        { id: 'r2', principal_id: ALICE, role_id: INTUNE_ADMIN, activated_at: '2025-05-31T10:00:00Z', end_at: '2025-05-31T12:00:00Z' },
        { id: 'r4', principal_id: BOB, role_id: CUSTOM_ROLE, activated_at: '2025-05-10T05:00:00Z', end_at: '2025-05-10T07:00:00Z' },
      ]);

      assert.deepEqual(rows.policies, [
        { role_id: INTUNE_ADMIN, mfa_required_on_activation: false },
        { role_id: GA, mfa_required_on_activation: true },
        { role_id: CUSTOM_ROLE, mfa_required_on_activation: false },
      ]);

      assert.deepEqual(rows.licenses, [
        { sku_id: '00000000-0000-4000-8000-0000000000e5', sku_part_number: 'TEST_SUITE', capability_status: 'Enabled', grants_pim: false },
        { sku_id: '078d2b04-f1bd-4111-bbd4-b4b1b354cef4', sku_part_number: 'AAD_PREMIUM', capability_status: 'Enabled', grants_pim: false },
        { sku_id: '84a661c4-e949-4bd2-a560-ed7766fcaf2b', sku_part_number: 'AAD_PREMIUM_P2', capability_status: 'Warning', grants_pim: true },
        { sku_id: 'cf6b0d46-4093-4546-a0ab-0b1546dcc10e', sku_part_number: 'Microsoft_Entra_ID_Governance', capability_status: 'Suspended', grants_pim: true },
      ]);
    });

    test('a new import replaces the whole directory; a rejected one leaves it as it was', async () => {
      await importDirectory(db, TENANT, smallSnapshot());
      const smaller = { users: [{ id: 'dave', displayName: 'Dave', userPrincipalName: 'dave@contoso.example' }], roleAssignments: [{ id: 'd1', principalId: 'dave', roleDefinitionId: GA, createdDateTime: '2025-01-01T00:00:00Z' }] };
      const summary = await importDirectory(db, TENANT, smaller);
      const rows = await directoryRows(db, TENANT);
      assert.deepEqual(rows.users!.map((u) => (u as { id: string }).id), ['dave']);
      assert.deepEqual(rows.assignments!.map((a) => (a as { id: string }).id), ['d1']);
      assert.deepEqual([rows.eligibilities, rows.activations, rows.policies, rows.licenses, rows.groups, rows.groupMembers, rows.administrativeUnits], [[], [], [], [], [], [], []]);
      assert.equal(rows.roles!.length, BUILT_IN_ROLES.length, 'the custom role went too');

      const bad = { ...smaller, users: [...smaller.users, { id: 'erin', displayName: 'Erin', userPrincipalName: 7 }] };
      await assert.rejects(importDirectory(db, TENANT, bad), (err: DirectoryImportError) => {
        assert.ok(err instanceof DirectoryImportError);
        assert.deepEqual(err.problems, ['users[1].userPrincipalName: expected a string, got a number']);
        return true;
      });
      assert.deepEqual(await directoryRows(db, TENANT), rows);
      const [stamp] = await db.query<{ imported_at: string }>('SELECT imported_at FROM directory_tenants WHERE tenant_id = $1', [TENANT]);
      assert.equal(stamp!.imported_at, summary.importedAt, 'not even the time of the last import changed');
    });

    test("a new import replaces the imported users, groups and units and keeps a provisioner's", async () => {
      const tenant = SCHOOLS[0];
      await importDirectory(db, tenant, smallSnapshot());
      await provision(db, tenant);
      // The next snapshot: Bob is gone, so is the Staff group; Teachers is there again.
      const { users, groups, administrativeUnits } = smallSnapshot();
      await importDirectory(db, tenant, {
        users: users.filter((u) => u.id !== BOB),
        groups: [{ ...groups[0], displayName: 'All Teachers', members: [ALICE], owners: [] }],
        administrativeUnits: [{ ...administrativeUnits.value[0], members: [CAROL] }],
      });

      const rows = await directoryRows(db, tenant);
      const pick = (table: string, ...columns: string[]) => rows[table]!.map((r) => columns.map((c) => (r as Record<string, unknown>)[c]).join(' '));
      assert.deepEqual(pick('users', 'id', 'provisioned_by', 'source_key'), [`${ALICE}  `, `${CAROL}  `, 'p-student flow-1 student:42']);
      assert.deepEqual(pick('groups', 'id', 'display_name', 'provisioned_by', 'source_key'), [`${TEACHERS} All Teachers  `, 'p-class Class 7b flow-1 class:7b']);
      assert.deepEqual(pick('groupMembers', 'group_id', 'member_id', 'role', 'provisioned_by'), [
        `${TEACHERS} ${ALICE} member `,
        `${TEACHERS} p-student member flow-1`, // the provisioner's, in an imported group that is back
        `p-class ${ALICE} owner flow-1`,
        `p-class p-student member flow-1`,
        // gone: Bob's memberships (he left), and the provisioner's one in Staff (Staff left)
      ]);
      assert.deepEqual(pick('administrativeUnits', 'id', 'provisioned_by'), [`${NORTH_SCHOOL} `, 'p-school flow-1']);
      assert.deepEqual(pick('administrativeUnitMembers', 'unit_id', 'member_id', 'provisioned_by'), [
        `${NORTH_SCHOOL} ${CAROL} `,
        `${NORTH_SCHOOL} p-student flow-1`,
        `p-school ${CAROL} flow-1`,
        `p-school p-student flow-1`,
      ]);
    });

    test("an import may not take a provisioned object's id or user principal name", async () => {
      const tenant = SCHOOLS[1];
      await importDirectory(db, tenant, smallSnapshot());
      await provision(db, tenant);
      const before = await directoryRows(db, tenant);
      const snapshot = smallSnapshot();
      const clashing = {
        ...snapshot,
        users: [...snapshot.users.slice(0, 2), { ...snapshot.users[2], userPrincipalName: 'STUDENT.42@contoso.example' }, { id: 'p-student', displayName: 'Imposter', userPrincipalName: 'imposter@contoso.example' }],
        groups: [...snapshot.groups, { id: 'p-class', displayName: 'Class', mailNickname: 'class', securityEnabled: true, mailEnabled: false }],
      };
      await assert.rejects(importDirectory(db, tenant, clashing), (err: DirectoryImportError) => {
        assert.deepEqual(err.problems, [
          "users[2].userPrincipalName: 'STUDENT.42@contoso.example' is the user principal name of user 'p-student', provisioned by 'flow-1', which an import keeps",
          "users[3].id: 'p-student' is a user provisioned by 'flow-1', which an import keeps",
          "groups[2].id: 'p-class' is a group provisioned by 'flow-1', which an import keeps",
        ]);
        return true;
      });
      assert.deepEqual(await directoryRows(db, tenant), before);
    });

    test('a write that fails half-way rolls back to the previous directory', async () => {
      await importDirectory(db, TENANT, smallSnapshot());
      const before = await directoryRows(db, TENANT);
      await assert.rejects(
        replaceDirectory(db, TENANT, async (writer) => {
          await writer.insert('users', [{ id: 'x', displayName: 'X', userPrincipalName: 'x@x', mail: null, employeeId: null, accountEnabled: true, lastSignInAt: null, createdAt: null }]);
          throw new Error('disk full');
        }),
        /disk full/,
      );
      assert.deepEqual(await directoryRows(db, TENANT), before);
    });

    test("importing one tenant's directory leaves another's alone", async () => {
      await importDirectory(db, TENANT, smallSnapshot());
      const mine = await directoryRows(db, TENANT);
      await importDirectory(db, OTHER_TENANT, { users: [{ id: ALICE, displayName: 'Other Alice', userPrincipalName: 'alice@fabrikam.example' }] });
      await importDirectory(db, OTHER_TENANT.toUpperCase(), { users: [{ id: ALICE, displayName: 'Other Alice', userPrincipalName: 'alice@fabrikam.example' }] });
      assert.deepEqual(await directoryRows(db, TENANT), mine);
      const other = await directoryRows(db, OTHER_TENANT);
      assert.deepEqual(other.users, [
        { id: ALICE, display_name: 'Other Alice', user_principal_name: 'alice@fabrikam.example', account_enabled: true, last_sign_in_at: null, created_at: null, mail: null, employee_id: null, provisioned_by: null, source_key: null },
      ]);
      assert.equal(other.assignments!.length, 0);
    });

    test('imports of one tenant at the same time queue: the result is one of them, whole', async () => {
      const snapshot = (n: number) => ({ users: Array.from({ length: 50 }, (_, i) => ({ id: `u${i}`, displayName: `Import ${n}`, userPrincipalName: `u${i}@contoso.example` })) });
      const others = await Promise.all([1, 2, 3, 4].map((n) => database.open().then((d) => importDirectory(d, TENANT, snapshot(n)))));
      assert.equal(others.length, 4);
      const names = new Set((await directoryRows(db, TENANT)).users!.map((u) => (u as { display_name: string }).display_name));
      assert.equal(names.size, 1, `one import's users only, got ${[...names].join(', ')}`);
    });
  });
}

/**
 * What a provisioning flow writes into an imported directory (smallSnapshot's), under the
 * directory's lock: a user, a group and a unit of its own with members, and memberships of the
 * imported Teachers, Staff and North School.
 */
async function provision(db: Db, tenantId: string): Promise<void> {
  await db.transaction(async (tx) => {
    await lockDirectory(tx, tenantId);
    const by = 'flow-1';
    await tx.query(
      `INSERT INTO directory_users (tenant_id, id, display_name, user_principal_name, mail, employee_id, provisioned_by, source_key)
       VALUES ($1, 'p-student', 'Student 42', 'student.42@contoso.example', 'student.42@contoso.example', 'S42', $2, 'student:42')`,
      [tenantId, by],
    );
    await tx.query(
      `INSERT INTO directory_groups (tenant_id, id, display_name, mail_nickname, security_enabled, mail_enabled, created_at, provisioned_by, source_key)
       VALUES ($1, 'p-class', 'Class 7b', 'class7b', true, false, now(), $2, 'class:7b')`,
      [tenantId, by],
    );
    await tx.query(`INSERT INTO directory_administrative_units (tenant_id, id, display_name, created_at, provisioned_by, source_key) VALUES ($1, 'p-school', 'South School', now(), $2, 'school:south')`, [tenantId, by]);
    await tx.query(
      `INSERT INTO directory_group_members (tenant_id, group_id, member_id, role, provisioned_by)
       VALUES ($1, 'p-class', 'p-student', 'member', $2), ($1, 'p-class', $3, 'owner', $2), ($1, 'p-class', $4, 'member', $2),
              ($1, $5, 'p-student', 'member', $2), ($1, $6, 'p-student', 'member', $2)`,
      [tenantId, by, ALICE, BOB, TEACHERS, STAFF],
    );
    await tx.query(
      `INSERT INTO directory_administrative_unit_members (tenant_id, unit_id, member_id, provisioned_by)
       VALUES ($1, 'p-school', 'p-student', $2), ($1, 'p-school', $3, $2), ($1, $4, 'p-student', $2)`,
      [tenantId, by, CAROL, NORTH_SCHOOL],
    );
  });
}
