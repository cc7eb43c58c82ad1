// Importing a snapshot into each backend: every table lands as docs/directory.md says; a new
// import replaces the old one atomically; a rejected or failing import changes nothing; tenants
// do not touch each other.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Db } from '../../src/db/db.js';
import { BUILT_IN_ROLES, DirectoryImportError, hasDirectory, importDirectory } from '../../src/directory/index.js';
import { replaceDirectory } from '../../src/directory/store.js';
import { OTHER_TENANT, TENANT, backends, freshDatabase, type TestDatabase } from '../support/backends.js';
import { ALICE, BOB, CAROL, CUSTOM_ROLE, GA, INTUNE_ADMIN, PRIVILEGED_ROLE_ADMIN, SECURITY_READER, USER_ADMIN, directoryRows, smallSnapshot } from './fixtures.js';

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
      });
      assert.match(summary.importedAt, /^\d{4}-\d\d-\d\dT.*Z$/);
      assert.equal(await hasDirectory(db, TENANT), true);
      const rows = await directoryRows(db, TENANT);

      assert.deepEqual(rows.users, [
        { id: ALICE, display_name: 'Alice', user_principal_name: 'alice@contoso.example', account_enabled: true, last_sign_in_at: '2025-05-30T08:00:00Z', created_at: '2024-01-02T03:04:05Z' },
        { id: BOB, display_name: 'Bob', user_principal_name: 'bob@contoso.example', account_enabled: true, last_sign_in_at: null, created_at: null },
        { id: CAROL, display_name: 'Carol', user_principal_name: 'carol@contoso.example', account_enabled: false, last_sign_in_at: null, created_at: null },
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
      assert.deepEqual([rows.eligibilities, rows.activations, rows.policies, rows.licenses], [[], [], [], []]);
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

    test('a write that fails half-way rolls back to the previous directory', async () => {
      await importDirectory(db, TENANT, smallSnapshot());
      const before = await directoryRows(db, TENANT);
      await assert.rejects(
        replaceDirectory(db, TENANT, async (writer) => {
          await writer.insert('users', [{ id: 'x', displayName: 'X', userPrincipalName: 'x@x', accountEnabled: true, lastSignInAt: null, createdAt: null }]);
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
      assert.deepEqual(other.users, [{ id: ALICE, display_name: 'Other Alice', user_principal_name: 'alice@fabrikam.example', account_enabled: true, last_sign_in_at: null, created_at: null }]);
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
