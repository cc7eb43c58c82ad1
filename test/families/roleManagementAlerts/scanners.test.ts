// Each scanner on hand-built directories, pinning its boundaries, on PGlite and PostgreSQL. The
// scan time is fixed (NOW), so "exactly n days" is exact to the millisecond.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Db } from '../../../src/db/db.js';
import type { AlertName } from '../../../src/families/roleManagementAlerts/model.js';
import type { ConfigurationChange, IncidentRow } from '../../../src/families/roleManagementAlerts/store.js';
import { scanAlert, updateConfiguration } from '../../../src/families/roleManagementAlerts/store.js';
import { backends, freshDatabase } from '../../support/backends.js';
import { at, DAY, daysAgo, Directory, HOUR, NOW, ROLES } from './directory.js';

for (const backend of backends) {
  describe(`role management alert scanners on ${backend.name}`, () => {
    let db: Db;
    freshDatabase(backend, (opened) => (db = opened));

    const scan = async (d: Directory, name: AlertName, change?: ConfigurationChange) => {
      if (change) await updateConfiguration(db, d.tenantId, name, change);
      const outcome = await scanAlert(db, d.tenantId, name, NOW);
      assert.equal(outcome.status, 'scanned');
      return db.query<IncidentRow>('SELECT * FROM role_alert_incidents WHERE tenant_id = $1 AND alert_name = $2 ORDER BY id', [d.tenantId, name]);
    };
    const assignees = (rows: IncidentRow[]) => rows.map((r) => r.assignee_id).sort();

    describe('StaleSignInAlert (duration P30D by default)', () => {
      test('a sign-in exactly 30 days ago is recent; one millisecond earlier is stale; never signed in is stale', async () => {
        const d = await Directory.create(db);
        const recent = await d.user({ lastSignIn: daysAgo(30) });
        const stale = await d.user({ displayName: 'Stale Admin', upn: 'stale@contoso.test', lastSignIn: daysAgo(30, 1) });
        const never = await d.user({ lastSignIn: null });
        await d.assign(recent, 'globalAdministrator');
        const staleAssignment = await d.assign(stale, 'globalAdministrator', { createdAt: daysAgo(100) });
        await d.assign(never, 'userAdministrator');
        const rows = await scan(d, 'StaleSignInAlert');
        assert.deepEqual(assignees(rows), [stale, never].sort());
        const row = rows.find((r) => r.assignee_id === stale)!;
        assert.equal(row.id, staleAssignment, 'the incident id is the assignment id');
        assert.equal(row.assignee_display_name, 'Stale Admin');
        assert.equal(row.assignee_user_principal_name, 'stale@contoso.test');
        assert.equal(row.role_definition_id, ROLES.globalAdministrator.id);
        assert.equal(row.role_template_id, ROLES.globalAdministrator.id);
        assert.equal(row.role_display_name, 'Global Administrator');
        assert.equal(Date.parse(row.assignment_created_at!), Date.parse(daysAgo(100)));
        assert.equal(Date.parse(row.last_sign_in_at!), Date.parse(daysAgo(30, 1)));
        assert.equal(rows.find((r) => r.assignee_id === never)!.last_sign_in_at, null);
      });

      test('an assignment made within the window is not judged yet (exactly 30 days: not yet; one millisecond more: stale)', async () => {
        const d = await Directory.create(db);
        const fresh = await d.user({ lastSignIn: null });
        const old = await d.user({ lastSignIn: null });
        await d.assign(fresh, 'globalAdministrator', { createdAt: daysAgo(30) });
        await d.assign(old, 'globalAdministrator', { createdAt: daysAgo(30, 1) });
        assert.deepEqual(assignees(await scan(d, 'StaleSignInAlert')), [old]);
      });

      test('disabled accounts, non-privileged roles, ended assignments and eligibilities not yet in effect are ignored; eligible holders count', async () => {
        const d = await Directory.create(db);
        const disabled = await d.user({ enabled: false, lastSignIn: null });
        const reader = await d.user({ lastSignIn: null });
        const endedNow = await d.user({ lastSignIn: null });
        const endsLater = await d.user({ lastSignIn: null });
        const future = await d.user({ lastSignIn: null });
        const eligible = await d.user({ lastSignIn: null });
        await d.assign(disabled, 'globalAdministrator');
        await d.assign(reader, 'securityReader');
        await d.assign(endedNow, 'globalAdministrator', { endAt: NOW });
        await d.assign(endsLater, 'globalAdministrator', { endAt: at(-1) });
        await d.eligible(future, 'globalAdministrator', { startAt: at(-DAY) });
        await d.eligible(eligible, 'userAdministrator', { startAt: daysAgo(90) });
        assert.deepEqual(assignees(await scan(d, 'StaleSignInAlert')), [endsLater, eligible].sort());
      });

      test('one incident per (user, role) held several ways, with the earliest assignment; the duration is configurable', async () => {
        const d = await Directory.create(db);
        const u = await d.user({ lastSignIn: daysAgo(45) });
        const first = await d.eligible(u, 'globalAdministrator', { createdAt: daysAgo(200), id: 'b-eligibility' });
        await d.assign(u, 'globalAdministrator', { createdAt: daysAgo(40), activated: true, endAt: at(-HOUR), id: 'a-activated' });
        await d.assign(u, 'userAdministrator', { createdAt: daysAgo(100) });
        let rows = await scan(d, 'StaleSignInAlert');
        assert.equal(rows.length, 2);
        const ga = rows.find((r) => r.role_definition_id === ROLES.globalAdministrator.id)!;
        assert.equal(ga.id, first);
        assert.equal(Date.parse(ga.assignment_created_at!), Date.parse(daysAgo(200)));
        rows = await scan(d, 'StaleSignInAlert', { columns: { duration_ms: 45 * DAY } });
        assert.equal(rows.length, 0, 'a sign-in exactly 45 days ago is within P45D');
        rows = await scan(d, 'StaleSignInAlert', { columns: { duration_ms: 44 * DAY } });
        assert.equal(rows.length, 2);
      });
    });

    describe('RedundantAssignmentAlert (duration P30D by default)', () => {
      test('an activation exactly 30 days ago is recent; one millisecond earlier is not; never activated is redundant', async () => {
        const d = await Directory.create(db);
        const recent = await d.user();
        const late = await d.user({ displayName: 'Late' });
        const never = await d.user();
        for (const u of [recent, late, never]) await d.eligible(u, 'globalAdministrator', { createdAt: daysAgo(100) });
        await d.activation(recent, 'globalAdministrator', daysAgo(30));
        await d.activation(late, 'globalAdministrator', daysAgo(60));
        await d.activation(late, 'globalAdministrator', daysAgo(30, 1));
        const rows = await scan(d, 'RedundantAssignmentAlert');
        assert.deepEqual(assignees(rows), [late, never].sort());
        const row = rows.find((r) => r.assignee_id === late)!;
        assert.equal(Date.parse(row.last_activation_at!), Date.parse(daysAgo(30, 1)), 'the last activation');
        assert.equal(row.assignee_display_name, 'Late');
        assert.equal(row.role_display_name, 'Global Administrator');
        assert.equal(rows.find((r) => r.assignee_id === never)!.last_activation_at, null);
      });

      test('eligible for exactly 30 days is not judged yet; activations of another role or after the scan do not count', async () => {
        const d = await Directory.create(db);
        const fresh = await d.user();
        const old = await d.user();
        const other = await d.user();
        const scheduled = await d.user();
        await d.eligible(fresh, 'globalAdministrator', { createdAt: daysAgo(60), startAt: daysAgo(30) });
        const oldId = await d.eligible(old, 'globalAdministrator', { createdAt: daysAgo(30, 1) });
        await d.eligible(other, 'globalAdministrator');
        await d.activation(other, 'userAdministrator', daysAgo(1));
        await d.eligible(scheduled, 'globalAdministrator');
        await d.activation(scheduled, 'globalAdministrator', at(-HOUR));
        const rows = await scan(d, 'RedundantAssignmentAlert');
        assert.deepEqual(assignees(rows), [old, other, scheduled].sort());
        assert.equal(rows.find((r) => r.assignee_id === old)!.id, oldId, 'the incident id is the eligibility id');
      });

      test('disabled accounts, expired eligibilities, active assignments and non-privileged roles are ignored; P0D flags any activation before now', async () => {
        const d = await Directory.create(db);
        const disabled = await d.user({ enabled: false });
        const expired = await d.user();
        const active = await d.user();
        const reader = await d.user();
        const activatedToday = await d.user();
        await d.eligible(disabled, 'globalAdministrator');
        await d.eligible(expired, 'globalAdministrator', { endAt: NOW });
        await d.assign(active, 'globalAdministrator');
        await d.eligible(reader, 'securityReader');
        await d.eligible(activatedToday, 'userAdministrator');
        await d.activation(activatedToday, 'userAdministrator', at(1));
        assert.deepEqual(assignees(await scan(d, 'RedundantAssignmentAlert')), []);
        assert.deepEqual(assignees(await scan(d, 'RedundantAssignmentAlert', { columns: { duration_ms: 0 } })), [activatedToday]);
      });
    });

    describe('RolesAssignedOutsidePimAlert (last 30 days)', () => {
      test('direct assignments of privileged roles made in the last 30 days, disabled accounts and non-users included', async () => {
        const d = await Directory.create(db);
        const direct = await d.user({ displayName: 'Direct' });
        const viaPim = await d.user();
        const disabled = await d.user({ enabled: false });
        const reader = await d.user();
        const edge = await d.user();
        const tooOld = await d.user();
        const ended = await d.user();
        const group = 'b7f3c0de-0000-4000-8000-000000000001';
        const directId = await d.assign(direct, 'privilegedRoleAdministrator', { viaPim: false, createdAt: daysAgo(10) });
        await d.assign(viaPim, 'globalAdministrator', { createdAt: daysAgo(10) });
        await d.assign(disabled, 'globalAdministrator', { viaPim: false, createdAt: daysAgo(1) });
        await d.assign(reader, 'securityReader', { viaPim: false, createdAt: daysAgo(1) });
        await d.assign(edge, 'globalAdministrator', { viaPim: false, createdAt: daysAgo(30) });
        await d.assign(tooOld, 'globalAdministrator', { viaPim: false, createdAt: daysAgo(30, 1) });
        await d.assign(ended, 'globalAdministrator', { viaPim: false, createdAt: daysAgo(2), endAt: NOW });
        await d.assign(group, 'userAdministrator', { viaPim: false, createdAt: daysAgo(3) });
        const rows = await scan(d, 'RolesAssignedOutsidePimAlert');
        assert.deepEqual(assignees(rows), [direct, disabled, edge, group].sort());
        const row = rows.find((r) => r.assignee_id === direct)!;
        assert.equal(row.id, directId);
        assert.equal(row.assignee_display_name, 'Direct');
        assert.equal(row.role_display_name, 'Privileged Role Administrator');
        assert.equal(Date.parse(row.assignment_created_at!), Date.parse(daysAgo(10)));
        assert.equal(rows.find((r) => r.assignee_id === group)!.assignee_display_name, null, 'a principal that is not a user has no names');
      });
    });

    describe('SequentialActivationRenewalsAlert (3 activations within PT1H by default, last 30 days)', () => {
      test('the third activation exactly one hour after the first fires; one millisecond later does not', async () => {
        const d = await Directory.create(db);
        const fires = await d.user({ displayName: 'Renewer' });
        const misses = await d.user();
        const t0 = Date.parse(daysAgo(2));
        const iso = (ms: number) => new Date(ms).toISOString();
        const first = await d.activation(fires, 'globalAdministrator', iso(t0));
        await d.activation(fires, 'globalAdministrator', iso(t0 + 30 * 60_000));
        await d.activation(fires, 'globalAdministrator', iso(t0 + HOUR));
        await d.activation(misses, 'globalAdministrator', iso(t0));
        await d.activation(misses, 'globalAdministrator', iso(t0 + 30 * 60_000));
        await d.activation(misses, 'globalAdministrator', iso(t0 + HOUR + 1));
        const rows = await scan(d, 'SequentialActivationRenewalsAlert');
        assert.deepEqual(assignees(rows), [fires]);
        const row = rows[0]!;
        assert.equal(row.id, first, 'the incident id is the first activation of the sequence');
        assert.equal(row.activation_count, 3);
        assert.equal(Date.parse(row.sequence_start_at!), t0);
        assert.equal(Date.parse(row.sequence_end_at!), t0 + HOUR);
        assert.equal(row.assignee_display_name, 'Renewer');
        assert.equal(row.role_template_id, ROLES.globalAdministrator.id);
      });

      test('overlapping bursts merge into one sequence; separate bursts are separate incidents; two activations are below the threshold', async () => {
        const d = await Directory.create(db);
        const long = await d.user();
        const twice = await d.user();
        const pair = await d.user();
        const t0 = Date.parse(daysAgo(5));
        const iso = (ms: number) => new Date(ms).toISOString();
        for (let i = 0; i < 5; i++) await d.activation(long, 'userAdministrator', iso(t0 + i * 20 * 60_000));
        for (const start of [t0, t0 + 5 * HOUR]) for (let i = 0; i < 3; i++) await d.activation(twice, 'globalAdministrator', iso(start + i * 5 * 60_000));
        await d.activation(pair, 'globalAdministrator', iso(t0));
        await d.activation(pair, 'globalAdministrator', iso(t0 + 60_000));
        const rows = await scan(d, 'SequentialActivationRenewalsAlert');
        const byUser = (u: string) => rows.filter((r) => r.assignee_id === u);
        assert.deepEqual(byUser(long).map((r) => r.activation_count), [5]);
        assert.equal(Date.parse(byUser(long)[0]!.sequence_end_at!), t0 + 80 * 60_000);
        assert.deepEqual(byUser(twice).map((r) => [r.activation_count, Date.parse(r.sequence_start_at!)]).sort(), [[3, t0], [3, t0 + 5 * HOUR]]);
        assert.equal(byUser(pair).length, 0);
        const again = await scan(d, 'SequentialActivationRenewalsAlert', { columns: { activation_count_threshold: 2 } });
        assert.deepEqual(again.filter((r) => r.assignee_id === pair).map((r) => r.activation_count), [2], 'with a threshold of 2 the pair fires');
      });

      test('activations of different roles, of non-privileged roles and older than 30 days do not count; the interval is configurable', async () => {
        const d = await Directory.create(db);
        const mixed = await d.user();
        const reader = await d.user();
        const old = await d.user();
        const slow = await d.user();
        const t0 = Date.parse(daysAgo(3));
        const iso = (ms: number) => new Date(ms).toISOString();
        await d.activation(mixed, 'globalAdministrator', iso(t0));
        await d.activation(mixed, 'userAdministrator', iso(t0 + 1000));
        await d.activation(mixed, 'privilegedRoleAdministrator', iso(t0 + 2000));
        for (let i = 0; i < 3; i++) await d.activation(reader, 'securityReader', iso(t0 + i * 1000));
        for (let i = 0; i < 3; i++) await d.activation(old, 'globalAdministrator', iso(Date.parse(daysAgo(30, 1)) - i * 1000));
        for (let i = 0; i < 3; i++) await d.activation(slow, 'globalAdministrator', iso(t0 + i * 3 * HOUR));
        assert.deepEqual(assignees(await scan(d, 'SequentialActivationRenewalsAlert')), []);
        const rows = await scan(d, 'SequentialActivationRenewalsAlert', { columns: { activation_interval_ms: 6 * HOUR } });
        assert.deepEqual(assignees(rows), [slow]);
      });
    });

    describe('TooManyGlobalAdminsAssignedToTenantAlert (3 and 10 % by default)', () => {
      /** `globalAdmins` GA users and `others` users holding User Administrator. */
      async function tenant(globalAdmins: number, others: number) {
        const d = await Directory.create(db);
        const gas: string[] = [];
        for (let i = 0; i < globalAdmins; i++) {
          const u = await d.user({ displayName: `GA ${i}` });
          await d.assign(u, 'globalAdministrator');
          gas.push(u);
        }
        for (let i = 0; i < others; i++) await d.eligible(await d.user(), 'userAdministrator');
        return { d, gas };
      }

      test('3 of 30 (exactly 10 %) fires, one incident per Global Administrator with id = assigneeId; 3 of 31 does not', async () => {
        const fires = await tenant(3, 27);
        const rows = await scan(fires.d, 'TooManyGlobalAdminsAssignedToTenantAlert');
        assert.deepEqual(assignees(rows), [...fires.gas].sort());
        for (const row of rows) assert.equal(row.id, row.assignee_id);
        assert.match(rows[0]!.assignee_display_name!, /^GA \d$/);
        const below = await tenant(3, 28);
        assert.deepEqual(await scan(below.d, 'TooManyGlobalAdminsAssignedToTenantAlert'), []);
      });

      test('both thresholds are needed: the count alone or the percentage alone does not fire', async () => {
        const countOnly = await tenant(3, 100);
        assert.equal((await scan(countOnly.d, 'TooManyGlobalAdminsAssignedToTenantAlert')).length, 0);
        const percentageOnly = await tenant(2, 0);
        assert.equal((await scan(percentageOnly.d, 'TooManyGlobalAdminsAssignedToTenantAlert')).length, 0, '100 % but only 2');
        const rows = await scan(percentageOnly.d, 'TooManyGlobalAdminsAssignedToTenantAlert', { columns: { global_admin_count_threshold: 2 } });
        assert.equal(rows.length, 2, 'with a count threshold of 2 it fires');
        const strict = await scan(countOnly.d, 'TooManyGlobalAdminsAssignedToTenantAlert', { columns: { global_admin_percentage_threshold: 0 } });
        assert.equal(strict.length, 3, 'with 0 % the count alone decides');
      });

      test('disabled, expired and doubly held Global Administrators: counted once when usable, not at all otherwise', async () => {
        const { d, gas } = await tenant(2, 10);
        const both = gas[0]!;
        await d.eligible(both, 'globalAdministrator');
        const disabled = await d.user({ enabled: false });
        await d.assign(disabled, 'globalAdministrator');
        const expired = await d.user();
        await d.assign(expired, 'globalAdministrator', { endAt: NOW });
        assert.equal((await scan(d, 'TooManyGlobalAdminsAssignedToTenantAlert')).length, 0, 'still 2 usable Global Administrators');
        const third = await d.user();
        await d.eligible(third, 'globalAdministrator');
        assert.deepEqual(assignees(await scan(d, 'TooManyGlobalAdminsAssignedToTenantAlert')), [...gas, third].sort(), '3 of 13 pairs');
      });
    });

    describe('NoMfaOnRoleActivationAlert', () => {
      test('one incident per privileged role whose policy does not require MFA; no policy means the default (required)', async () => {
        const d = await Directory.create(db);
        await d.policy('globalAdministrator', false);
        await d.policy('userAdministrator', true);
        await d.policy('securityReader', false);
        const rows = await scan(d, 'NoMfaOnRoleActivationAlert');
        assert.deepEqual(rows.map((r) => [r.id, r.role_display_name, r.role_template_id]), [
          [ROLES.globalAdministrator.id, 'Global Administrator', ROLES.globalAdministrator.id],
        ]);
      });
    });

    describe('InvalidLicenseAlert', () => {
      const status = async (licenses: [string, boolean][]) => {
        const d = await Directory.create(db);
        for (const [s, pim] of licenses) await d.license(s, pim);
        const rows = await scan(d, 'InvalidLicenseAlert');
        assert.ok(rows.every((r) => r.id === d.tenantId), 'the incident id is the tenant id');
        return rows.map((r) => r.tenant_license_status);
      };

      test('an Enabled or Warning PIM licence is valid; Suspended, Deleted, another product or none is not', async () => {
        assert.deepEqual(await status([['Enabled', true]]), []);
        assert.deepEqual(await status([['Warning', true], ['Suspended', true]]), []);
        assert.deepEqual(await status([['Deleted', true], ['Suspended', true]]), ['Suspended']);
        assert.deepEqual(await status([['Deleted', true]]), ['Deleted']);
        assert.deepEqual(await status([['Enabled', false]]), ['None']);
        assert.deepEqual(await status([]), ['None']);
      });
    });

    describe('a scan replaces the incidents and the alert state at once', () => {
      const state = (d: Directory, name: AlertName) =>
        db.query<{ is_active: boolean; incident_count: number; last_modified_at: string | null; last_scanned_at: string | null }>(
          'SELECT is_active, incident_count, last_modified_at, last_scanned_at FROM role_alert_states WHERE tenant_id = $1 AND alert_name = $2',
          [d.tenantId, name],
        ).then((rows) => rows[0]!);

      test('new, kept and resolved incidents; lastModified moves only when new incidents appear; isActive follows the count', async () => {
        const d = await Directory.create(db);
        const a = await d.user({ lastSignIn: null });
        const b = await d.user({ lastSignIn: null });
        await d.assign(a, 'globalAdministrator');
        let outcome = await scanAlert(db, d.tenantId, 'StaleSignInAlert', NOW);
        assert.deepEqual(outcome, { status: 'scanned', incidents: 1, added: 1, removed: 0 });
        let s = await state(d, 'StaleSignInAlert');
        assert.deepEqual([s.is_active, s.incident_count, Date.parse(s.last_modified_at!), Date.parse(s.last_scanned_at!)], [true, 1, Date.parse(NOW), Date.parse(NOW)]);

        outcome = await scanAlert(db, d.tenantId, 'StaleSignInAlert', at(-HOUR));
        assert.deepEqual(outcome, { status: 'scanned', incidents: 1, added: 0, removed: 0 });
        s = await state(d, 'StaleSignInAlert');
        assert.equal(Date.parse(s.last_modified_at!), Date.parse(NOW), 'the same incidents: not modified');
        assert.equal(Date.parse(s.last_scanned_at!), Date.parse(at(-HOUR)));

        await db.query('UPDATE directory_users SET last_sign_in_at = $3 WHERE tenant_id = $1 AND id = $2', [d.tenantId, a, NOW]);
        await d.assign(b, 'userAdministrator');
        outcome = await scanAlert(db, d.tenantId, 'StaleSignInAlert', at(-2 * HOUR));
        assert.deepEqual(outcome, { status: 'scanned', incidents: 1, added: 1, removed: 1 });
        const rows = await db.query<IncidentRow>('SELECT * FROM role_alert_incidents WHERE tenant_id = $1', [d.tenantId]);
        assert.deepEqual(rows.map((r) => r.assignee_id), [b]);

        await db.query('UPDATE directory_users SET last_sign_in_at = $2 WHERE tenant_id = $1', [d.tenantId, NOW]);
        outcome = await scanAlert(db, d.tenantId, 'StaleSignInAlert', at(-3 * HOUR));
        assert.deepEqual(outcome, { status: 'scanned', incidents: 0, added: 0, removed: 1 });
        s = await state(d, 'StaleSignInAlert');
        assert.deepEqual([s.is_active, s.incident_count, Date.parse(s.last_modified_at!)], [false, 0, Date.parse(at(-2 * HOUR))]);
      });

      test('a disabled configuration is not scanned; a tenant without a directory is not scanned', async () => {
        const d = await Directory.create(db);
        await d.assign(await d.user({ lastSignIn: null }), 'globalAdministrator');
        await updateConfiguration(db, d.tenantId, 'StaleSignInAlert', { isEnabled: false, columns: {} });
        assert.deepEqual(await scanAlert(db, d.tenantId, 'StaleSignInAlert', NOW), { status: 'disabled' });
        assert.equal((await db.query('SELECT 1 FROM role_alert_incidents WHERE tenant_id = $1', [d.tenantId])).length, 0);
        assert.deepEqual(await scanAlert(db, '3f1c2d4e-0000-4000-8000-00000000abcd', 'StaleSignInAlert', NOW), { status: 'noDirectory' });
      });

      test('a failed scan leaves the previous incidents and state untouched', async () => {
        const d = await Directory.create(db);
        await d.assign(await d.user({ lastSignIn: null }), 'globalAdministrator');
        await scanAlert(db, d.tenantId, 'StaleSignInAlert', NOW);
        const before = await state(d, 'StaleSignInAlert');
        await assert.rejects(scanAlert(db, d.tenantId, 'StaleSignInAlert', 'not a time'));
        assert.deepEqual(await state(d, 'StaleSignInAlert'), before);
        assert.equal((await db.query('SELECT 1 FROM role_alert_incidents WHERE tenant_id = $1', [d.tenantId])).length, 1);
      });
    });
  });
}
