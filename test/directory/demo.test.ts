// The demo tenant: deterministic, imports cleanly, seeds the same rows as its snapshot, and has
// the subjects docs/directory.md promises on each side of each alert's boundary.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Db } from '../../src/db/db.js';
import {
  DEMO_CAST,
  DEMO_DOMAIN,
  demoEmployeeId,
  demoLayout,
  demoSnapshotJson,
  fillerKind,
  generateDemoSnapshot,
  importDirectory,
  seedDemoTenant,
} from '../../src/directory/index.js';
import { OTHER_TENANT, TENANT, backends, freshDatabase } from '../support/backends.js';
import { expectedIncidents } from './expectations.js';
import { directoryRows } from './fixtures.js';

const NOW = '2025-06-01T12:00:00.000Z';
const upn = (alias: string) => `${alias}@${DEMO_DOMAIN}`;

describe('demo tenant generator', () => {
  test('same options, same snapshot; another seed or moment, another one', () => {
    const a = generateDemoSnapshot({ tenantId: TENANT, users: 300, now: NOW });
    assert.deepEqual(generateDemoSnapshot({ tenantId: TENANT, users: 300, now: NOW }), a);
    const seeded = generateDemoSnapshot({ tenantId: TENANT, users: 300, now: NOW, seed: 2 });
    assert.notEqual(seeded.users[0]!.id, a.users[0]!.id);
    assert.notDeepEqual(seeded.users.map((u) => u.displayName), a.users.map((u) => u.displayName));
    const later = generateDemoSnapshot({ tenantId: TENANT, users: 300, now: '2025-06-02T12:00:00Z' });
    assert.equal(later.users[0]!.id, a.users[0]!.id, 'ids do not depend on the moment');
    assert.equal(Date.parse(later.users[0]!.signInActivity!.lastSignInDateTime!) - Date.parse(a.users[0]!.signInActivity!.lastSignInDateTime!), 86_400_000);
    assert.notEqual(generateDemoSnapshot({ tenantId: OTHER_TENANT, users: 300, now: NOW }).users[0]!.id, a.users[0]!.id);
    const fresh = generateDemoSnapshot({ tenantId: TENANT, users: 20 });
    assert.ok(Math.abs(Date.parse(fresh.users[1]!.signInActivity!.lastSignInDateTime!) + 3 * 3_600_000 - Date.now()) < 60_000, 'dates relative to now by default');
  });

  test('the JSON text, streamed in pieces, is the snapshot', () => {
    const options = { tenantId: TENANT, users: 25_000, now: NOW };
    const pieces = [...demoSnapshotJson(options)];
    assert.ok(pieces.length > 3, 'users come in chunks');
    assert.deepEqual(JSON.parse(pieces.join('')), generateDemoSnapshot(options));
  });

  test('layout: the cast, 2 % privileged role holders, 1 % unprivileged ones; 20 to 1,000,000 users', () => {
    assert.equal(DEMO_CAST.length, 19);
    assert.deepEqual(demoLayout(20), { users: 20, cast: 19, privilegedFillers: 0, unprivilegedFillers: 0 });
    assert.deepEqual(demoLayout(2_000), { users: 2_000, cast: 19, privilegedFillers: 22, unprivilegedFillers: 20 });
    assert.deepEqual(demoLayout(1_000_000), { users: 1_000_000, cast: 19, privilegedFillers: 19_982, unprivilegedFillers: 10_000 });
    for (const bad of [19, 1_000_001, 20.5, Number.NaN]) assert.throws(() => demoLayout(bad), RangeError);
    assert.throws(() => generateDemoSnapshot({ tenantId: 'contoso', users: 20 }), /not a tenant id/);
    assert.deepEqual(Array.from({ length: 40 }, (_, j) => fillerKind(j)).filter((k) => k === 'globalAdmin').length, 5);
    assert.deepEqual([4, 12, 20, 28, 36, 1, 2].map(fillerKind), ['outsidePim', 'stale', 'redundant', 'sequential', 'neverActivated', 'active', 'eligible']);
  });

  test('user principal names and employeeIds are unique, mail is the UPN; ids are GUIDs', () => {
    const { users } = generateDemoSnapshot({ tenantId: TENANT, users: 20_000, now: NOW });
    assert.equal(new Set(users.map((u) => u.userPrincipalName)).size, users.length);
    assert.ok(users.every((u) => u.mail === u.userPrincipalName));
    assert.deepEqual(users.slice(0, 2).map((u) => u.employeeId), ['E0000001', 'E0000002']);
    assert.equal(new Set(users.map((u) => u.employeeId)).size, users.length);
    assert.equal(demoEmployeeId(999_999), 'E1000000', 'the largest tenant stays within 16 characters');
    assert.equal(new Set(users.map((u) => u.id)).size, users.length);
    assert.ok(users.every((u) => /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(u.id)));
    assert.deepEqual(users.slice(0, DEMO_CAST.length).map((u) => u.userPrincipalName), DEMO_CAST.map((m) => upn(m.alias)));
  });
});

for (const backend of backends) {
  describe(`demo tenant on ${backend.name}`, () => {
    let db: Db;
    freshDatabase(backend, (opened) => (db = opened));

    test('its snapshot imports cleanly, and seeding stores the very same rows', async () => {
      const imported = await importDirectory(db, TENANT, generateDemoSnapshot({ tenantId: TENANT, users: 2_000, now: NOW }));
      const rows = await directoryRows(db, TENANT);
      const seeded = await seedDemoTenant(db, TENANT, { users: 2_000, now: NOW });
      assert.deepEqual({ ...seeded, importedAt: '' }, { ...imported, importedAt: '' });
      assert.deepEqual(await directoryRows(db, TENANT), rows);
      assert.equal((await seedDemoTenant(db, OTHER_TENANT)).users, 1_000, 'serve seeds 1,000 users');
    });

    test("people are matched by userPrincipalName, mail or employeeId set-based, each through its index", async () => {
      await seedDemoTenant(db, TENANT, { users: 2_000, now: NOW });
      const matches = {
        directory_users_upn: ['lower(u.user_principal_name) = lower(k.key)', [upn('GA.PIM.1'), upn('nobody')]],
        directory_users_mail: ['lower(u.mail) = lower(k.key)', [upn('Never.Signed.In')]],
        directory_users_employee_id: ['u.employee_id = k.key', ['E0000001', 'E0000009', 'E9999999']],
      } as const;
      for (const [index, [on, keys]] of Object.entries(matches)) {
        const sql = `SELECT split_part(u.user_principal_name, '@', 1) AS alias FROM unnest($2::text[]) AS k(key) JOIN directory_users u ON u.tenant_id = $1 AND ${on} ORDER BY 1`;
        const found = await db.query<{ alias: string }>(sql, [TENANT, keys]);
        const plan = await db.transaction(async (tx) => {
          await tx.query('SET LOCAL enable_seqscan = off');
          return tx.query(`EXPLAIN ${sql}`, [TENANT, keys]);
        });
        assert.match(JSON.stringify(plan), new RegExp(`\\b${index}\\b`), `${on}: ${JSON.stringify(plan)}`);
        assert.deepEqual(found.map((r) => r.alias), index === 'directory_users_employee_id' ? ['ga.pim.1', 'never.signed.in'] : [keys[0].split('@')[0]!.toLowerCase()], on);
      }
    });

    test('20 users: the cast, and exactly the incidents docs/directory.md lists', async () => {
      await seedDemoTenant(db, TENANT, { users: 20, now: NOW });
      assert.deepEqual(await expectedIncidents(db, TENANT, NOW), {
        staleSignIn: ['never.signed.in', 'stale.30.days.1.hour'].map(upn).sort(),
        redundantAssignment: ['activated.30.days.1.hour', 'never.activated'].map(upn).sort(),
        rolesAssignedOutsidePim: ['ga.outside.pim'].map(upn),
        sequentialActivationRenewals: ['three.activations.60.min'].map(upn),
        tooManyGlobalAdmins: ['ga.outside.pim', 'ga.pim.1', 'ga.pim.2'].map(upn).sort(),
        noMfaOnRoleActivation: ['Helpdesk Administrator'],
        invalidLicense: ['Suspended'],
      });
      // A sign-in or activation exactly 30 days before the scan still counts as recent: the two
      // subjects on the boundary are incidents only at a later scan.
      const later = await expectedIncidents(db, TENANT, '2025-06-01T12:00:01.000Z');
      assert.deepEqual(later.staleSignIn, ['never.signed.in', 'signed.in.30.days', 'stale.30.days.1.hour'].map(upn).sort());
      assert.deepEqual(later.redundantAssignment, ['activated.30.days', 'activated.30.days.1.hour', 'never.activated'].map(upn).sort());
    });

    test('20 users: each cast member holds what it is documented to hold', async () => {
      await seedDemoTenant(db, TENANT, { users: 20, now: NOW });
      const ago = (iso: string | null) => (iso === null ? null : (Date.parse(NOW) - Date.parse(iso)) / 60_000);
      const rows = await db.query<{ alias: string; enabled: boolean; sign_in: string | null; holds: string; activations: string | null }>(
        `SELECT split_part(u.user_principal_name, '@', 1) AS alias, u.account_enabled AS enabled, u.last_sign_in_at AS sign_in,
           coalesce((SELECT string_agg(r.display_name || CASE WHEN a.activated THEN ' activated' WHEN a.via_pim THEN ' via PIM' ELSE ' direct' END
                      || ' ' || extract(epoch FROM $2::timestamptz - a.created_at)::bigint / 86400 || 'd', ', ' ORDER BY r.display_name)
                     FROM directory_role_assignments a JOIN directory_roles r ON r.tenant_id = a.tenant_id AND r.id = a.role_id
                     WHERE a.tenant_id = u.tenant_id AND a.principal_id = u.id), '')
           || coalesce((SELECT string_agg('; eligible ' || r.display_name || ' ' || extract(epoch FROM $2::timestamptz - e.created_at)::bigint / 86400 || 'd', '' ORDER BY r.display_name)
                     FROM directory_role_eligibilities e JOIN directory_roles r ON r.tenant_id = e.tenant_id AND r.id = e.role_id
                     WHERE e.tenant_id = u.tenant_id AND e.principal_id = u.id), '') AS holds,
           (SELECT string_agg((extract(epoch FROM $2::timestamptz - a.activated_at) / 60)::bigint::text, ' ' ORDER BY a.activated_at DESC)
              FROM directory_role_activations a WHERE a.tenant_id = u.tenant_id AND a.principal_id = u.id) AS activations
         FROM directory_users u WHERE u.tenant_id = $1 ORDER BY u.user_principal_name`,
        [TENANT, NOW],
      );
      const byAlias = new Map(rows.map((r) => [r.alias, { ...r, sign_in: ago(r.sign_in) }]));
      const DAY = 1440;
      const expected: Record<string, [signInMinutesAgo: number | null, holds: string, activationsMinutesAgo: string | null, enabled?: false]> = {
        'ga.pim.1': [1 * DAY, 'Global Administrator via PIM 400d', null],
        'ga.pim.2': [180, 'Global Administrator via PIM 200d', null],
        'ga.outside.pim': [120, 'Global Administrator direct 2d', null],
        'direct.400.days': [5 * DAY, 'Password Administrator direct 400d', null],
        'reader.outside.pim': [60 * DAY, 'Reports Reader direct 20d; eligible Message Center Reader 90d', null],
        'stale.30.days.1.hour': [30 * DAY + 60, 'User Administrator via PIM 300d', null],
        'signed.in.30.days': [30 * DAY, 'Security Administrator via PIM 300d', null],
        'signed.in.29.days': [29 * DAY, 'Security Reader via PIM 300d', null],
        'never.signed.in': [null, 'Helpdesk Administrator via PIM 45d', null],
        'new.admin': [null, 'Authentication Administrator via PIM 10d; eligible Cloud Device Administrator 10d', null],
        'disabled.admin': [90 * DAY, 'User Administrator via PIM 300d', null, false],
        'activated.30.days.1.hour': [1 * DAY, '; eligible Privileged Role Administrator 180d', `${30 * DAY + 60} ${75 * DAY + 60}`],
        'activated.30.days': [1 * DAY, '; eligible Hybrid Identity Administrator 180d', `${30 * DAY}`],
        'activated.29.days': [1 * DAY, '; eligible Authentication Administrator 180d', `${29 * DAY}`],
        'never.activated': [240, '; eligible Application Administrator 90d', null],
        'three.activations.60.min': [2 * DAY, '; eligible Security Operator 120d', `${2 * DAY} ${2 * DAY + 30} ${2 * DAY + 60}`],
        'three.activations.61.min': [3 * DAY, '; eligible Conditional Access Administrator 120d', `${3 * DAY} ${3 * DAY + 30} ${3 * DAY + 61}`],
        'two.activations.10.min': [4 * DAY, '; eligible Cloud Application Administrator 120d', `${4 * DAY} ${4 * DAY + 10}`],
        'active.now': [60, 'Intune Administrator activated 0d; eligible Intune Administrator 200d', '60'],
      };
      for (const [alias, [signIn, holds, activations, enabled]] of Object.entries(expected)) {
        const row = byAlias.get(alias);
        assert.ok(row, alias);
        assert.deepEqual([row.sign_in, row.holds, row.activations, row.enabled], [signIn, holds, activations, enabled ?? true], alias);
      }
      assert.equal(byAlias.size, 20, 'the cast and one more user');
    });

    test('2,000 users: the cast plus fillers, every alert still firing', async () => {
      await seedDemoTenant(db, TENANT, { users: 2_000, now: NOW });
      const found = await expectedIncidents(db, TENANT, NOW);
      const counts = Object.fromEntries(Object.entries(found).map(([alert, subjects]) => [alert, subjects.length]));
      // 22 privileged fillers: j = 0, 8, 16 Global Administrators, 4 outside PIM, 12 stale, 20 redundant.
      assert.deepEqual(counts, {
        staleSignIn: 3, redundantAssignment: 3, rolesAssignedOutsidePim: 2, sequentialActivationRenewals: 1,
        tooManyGlobalAdmins: 6, noMfaOnRoleActivation: 1, invalidLicense: 1,
      });
      for (const alias of ['stale.30.days.1.hour', 'never.signed.in']) assert.ok(found.staleSignIn.includes(upn(alias)), alias);
      const [holders] = await db.query<{ privileged: number; unprivileged: number }>(
        `SELECT count(DISTINCT x.principal_id) FILTER (WHERE r.is_privileged)::int AS privileged, count(DISTINCT x.principal_id) FILTER (WHERE NOT r.is_privileged)::int AS unprivileged
         FROM (SELECT tenant_id, principal_id, role_id FROM directory_role_assignments UNION ALL SELECT tenant_id, principal_id, role_id FROM directory_role_eligibilities) x
         JOIN directory_roles r ON r.tenant_id = x.tenant_id AND r.id = x.role_id WHERE x.tenant_id = $1`,
        [TENANT],
      );
      assert.deepEqual(holders, { privileged: 40, unprivileged: 21 }, '2 % privileged; 1 % unprivileged plus the cast reader');
    });
  });
}
