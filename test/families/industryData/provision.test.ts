// Outbound provisioning by runs, end to end on Microsoft's sample set: the directory a run leaves
// (created users, class groups with owners and members, administrative units per organization,
// security groups per role group) equal to what the CSV files say, computed here; the same files
// again change nothing; a student removed loses their memberships and a student added is created
// and enrolled; a set's org filter; `reset` removes what a flow made and the next run makes it again.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { ContainerClient } from '@azure/storage-blob';
import { parse } from 'csv-parse/sync';
import { importDirectory } from '../../../src/directory/index.js';
import { backends, TENANT } from '../../support/backends.js';
import type { Json, Suite } from './support.js';
import { ALL_SCOPES, INBOUND_FLOWS, json, ROOT, SAMPLES, startSuite } from './support.js';

const FILES = ['orgs.csv', 'users.csv', 'roles.csv', 'classes.csv', 'enrollments.csv', 'academicSessions.csv', 'courses.csv'];
const SETS = `${ROOT}/outboundProvisioningFlowSets`;
type Files = Record<string, string>;
const csv = (text: string) => parse(text, { columns: true, skip_empty_lines: true }) as Record<string, string>[];
const sample = (name: string) => readFileSync(new URL(name, SAMPLES), 'utf8');
const MATCHED = { upn: 'jcraig@classrmtest31.org', id: '00000000-0000-4000-8000-0000000000aa' };

/** The directory as the test reads it: objects by name with their members' user principal names. */
interface Directory {
  users: string[];
  disabled: string[];
  groups: Record<string, { members: string[]; owners: string[]; security: boolean; unified: boolean }>;
  units: Record<string, string[]>;
}

async function directory(s: Suite): Promise<Directory> {
  const db = s.ts.server.db;
  const users = await db.query<{ upn: string; enabled: boolean }>(
    `SELECT user_principal_name AS upn, account_enabled AS enabled FROM directory_users WHERE tenant_id = $1 AND provisioned_by IS NOT NULL ORDER BY 1`,
    [TENANT],
  );
  const members = await db.query<{ name: string; role: string; upn: string; security: boolean; types: string[] }>(
    `SELECT g.display_name AS name, m.role, u.user_principal_name AS upn, g.security_enabled AS security, g.group_types AS types
     FROM directory_groups g LEFT JOIN directory_group_members m ON m.tenant_id = g.tenant_id AND m.group_id = g.id
     LEFT JOIN directory_users u ON u.tenant_id = m.tenant_id AND u.id = m.member_id
     WHERE g.tenant_id = $1 AND g.provisioned_by IS NOT NULL ORDER BY 1, 3`,
    [TENANT],
  );
  const unitMembers = await db.query<{ name: string; upn: string | null }>(
    `SELECT a.display_name AS name, u.user_principal_name AS upn FROM directory_administrative_units a
     LEFT JOIN directory_administrative_unit_members m ON m.tenant_id = a.tenant_id AND m.unit_id = a.id
     LEFT JOIN directory_users u ON u.tenant_id = m.tenant_id AND u.id = m.member_id
     WHERE a.tenant_id = $1 AND a.provisioned_by IS NOT NULL ORDER BY 1, 2`,
    [TENANT],
  );
  const groups: Directory['groups'] = {};
  for (const m of members) {
    const g = (groups[m.name] ??= { members: [], owners: [], security: m.security, unified: m.types.includes('Unified') });
    if (m.upn) (m.role === 'owner' ? g.owners : g.members).push(m.upn);
  }
  const units: Directory['units'] = {};
  for (const m of unitMembers) (units[m.name] ??= []).push(...(m.upn ? [m.upn] : []));
  return { users: users.filter((u) => u.enabled).map((u) => u.upn), disabled: users.filter((u) => !u.enabled).map((u) => u.upn), groups, units };
}

/** The directory the files call for, computed from the CSV text alone (student: Students; any other role: Staff). */
function expected(files: Files, removedUpns: string[] = []): Directory {
  const users = new Map(csv(files['users.csv']!).map((u) => [u.sourcedId!, u.username!]));
  const orgs = new Map(csv(files['orgs.csv']!).map((o) => [o.sourcedId!, o.name!]));
  const roles = csv(files['roles.csv']!);
  const upn = (id: string) => users.get(id)!;
  const sorted = (ids: Iterable<string>) => [...new Set([...ids].map(upn))].sort();
  const groupOf = (role: string) => (role === 'student' ? 'Students' : 'Staff');
  const people = new Set(roles.map((r) => r.userSourcedId!));
  const groups: Directory['groups'] = {};
  for (const c of csv(files['classes.csv']!)) {
    const enrolled = csv(files['enrollments.csv']!).filter((e) => e.classSourcedId === c.sourcedId);
    groups[c.title!] = {
      members: sorted(enrolled.filter((e) => e.role === 'student').map((e) => e.userSourcedId!)),
      owners: sorted(enrolled.filter((e) => e.role === 'teacher').map((e) => e.userSourcedId!)),
      security: false,
      unified: true,
    };
  }
  for (const group of new Set(roles.map((r) => groupOf(r.role!)))) {
    groups[`All ${group}`] = { members: sorted(roles.filter((r) => groupOf(r.role!) === group).map((r) => r.userSourcedId!)), owners: [], security: true, unified: false };
  }
  const units: Directory['units'] = {};
  for (const [id, name] of orgs) units[name] = sorted(roles.filter((r) => r.orgSourcedId === id).map((r) => r.userSourcedId!));
  return { users: sorted([...people].filter((id) => upn(id) !== MATCHED.upn)), disabled: removedUpns, groups, units };
}

for (const backend of backends) {
  describe(`provisioning by runs on ${backend.name}`, () => {
    let s: Suite;
    let token: string;
    let container: ContainerClient;
    const flows: Record<string, string> = {};
    let setId: string;
    const original = Object.fromEntries(FILES.map((f) => [f, sample(f)]));

    before(async () => {
      s = await startSuite(backend);
      token = await s.token({ scopes: [...ALL_SCOPES, 'IndustryData-Run.Start', 'IndustryData-OutboundFlow.ReadWrite.All'] });
      await importDirectory(s.ts.server.db, TENANT, { users: [{ id: MATCHED.id, displayName: 'Jack Craig', userPrincipalName: MATCHED.upn }] });
      const connector = await s.connector((await s.sourceSystem()).id as string);
      container = new ContainerClient((await s.session(connector.id as string)).sessionUrl as string);
      await upload(original);
      const res = await s.call('POST', INBOUND_FLOWS, {
        body: {
          '@odata.type': '#microsoft.graph.industryData.inboundFileFlow',
          'dataConnector@odata.bind': `external/industryData/dataConnectors/${connector.id as string}`,
          displayName: 'Rostering',
          dataDomain: 'educationRostering',
          effectiveDateTime: '2021-08-01T00:00:00Z',
        },
      });
      assert.equal(res.status, 201);
      setId = (await json(await s.call('POST', SETS, { token, body: { displayName: 'Main' } }))).id as string;
      const bodies: Json[] = [
        {
          '@odata.type': '#microsoft.graph.industryData.userProvisioningFlow',
          createUnmatchedUsers: true,
          managementOptions: {},
          creationOptions: {
            configurations: ['students', 'staff'].map((g) => ({
              'roleGroup@odata.bind': `external/industryData/roleGroups/${g}`,
              defaultPasswordSettings: { '@odata.type': '#microsoft.graph.industryData.simplePasswordSettings', password: 'Secret-1234' },
            })),
          },
        },
        {
          '@odata.type': '#microsoft.graph.industryData.classGroupProvisioningFlow',
          configuration: { enrollmentMappings: { memberEnrollmentMappings: [{ code: 'student' }], ownerEnrollmentMappings: [{ code: 'teacher' }] } },
        },
        { '@odata.type': '#microsoft.graph.industryData.administrativeUnitProvisioningFlow', creationOptions: { createBasedOnOrg: true } },
        { '@odata.type': '#microsoft.graph.industryData.securityGroupProvisioningFlow', creationOptions: { createBasedOnRoleGroup: true } },
      ];
      for (const body of bodies) {
        const created = await json(await s.call('POST', `${SETS}/${setId}/provisioningFlows`, { token, body }));
        flows[String(body['@odata.type']).split('.').pop()!] = created.id as string;
      }
    });
    after(() => s.close());

    async function upload(files: Files): Promise<void> {
      for (const name of FILES) await container.getBlockBlobClient(name).uploadData(Buffer.from(files[name]!));
    }

    /** Starts a run and follows its operation to the end; the operation. */
    async function run(): Promise<Json> {
      // This suite runs more than start's five in 12 hours: the earlier runs are made older.
      await s.ts.server.db.query(`UPDATE industry_data_runs SET start_at = start_at - interval '13 hours' WHERE tenant_id = $1`, [TENANT]);
      const res = await s.call('POST', `${ROOT}/runs/start`, { token });
      assert.equal(res.status, 202, await res.clone().text());
      const location = res.headers.get('location')!.slice(s.ts.url.length);
      for (let i = 0; i < 60; i++) {
        const op = await json(await s.call('GET', location, { token, headers: { prefer: 'wait=5' } }));
        if (op.status === 'failed') assert.fail(JSON.stringify(op));
        if (op.status === 'succeeded') return op;
      }
      assert.fail('the run did not end');
    }

    test('a run provisions the directory the files call for; its activities say completed', async () => {
      const op = await run();
      assert.deepEqual(await directory(s), expected(original));
      const runId = String(op.resourceLocation).split('/').pop()!;
      const activities = (await s.get(`${ROOT}/runs/${runId}/activities`, token)).value as Json[];
      assert.deepEqual(
        activities.filter((a) => a['@odata.type'] === '#microsoft.graph.industryData.outboundFlowActivity').map((a) => a.status),
        ['completed', 'completed', 'completed', 'completed'],
      );
      const stats = await s.get(`${ROOT}/runs/${runId}/getStatistics`, token);
      const outbound = (stats.activityStatistics as Json[]).filter((a) => a['@odata.type'] === '#microsoft.graph.industryData.industryDataActivityStatistics');
      assert.deepEqual(outbound.map((a) => Object.keys(a).sort()), Array(4).fill(['@odata.type', 'activityId', 'displayName', 'status']));
      // The matched student is a member as the user matching found (Biology 10, All Students, the school's unit), not a created one.
      const [matched] = await s.ts.server.db.query<{ n: number }>(
        `SELECT (SELECT count(*) FROM directory_group_members WHERE tenant_id = $1 AND member_id = $2) + (SELECT count(*) FROM directory_administrative_unit_members WHERE tenant_id = $1 AND member_id = $2) AS n`,
        [TENANT, MATCHED.id],
      );
      assert.equal(Number(matched!.n), 3);
    });

    test('the same files again change nothing: same ids, no write counted', async () => {
      const ids = () => s.ts.server.db.query(`SELECT id, display_name FROM directory_groups WHERE tenant_id = $1 UNION ALL SELECT id, display_name FROM directory_users WHERE tenant_id = $1 ORDER BY 1`, [TENANT]);
      const before = await ids();
      const op = await run();
      assert.match(op.statusDetail as string, / Directory: 0 created, 0 updated, 0 removed or disabled, 0 memberships added, 0 removed\.$/);
      assert.deepEqual(await ids(), before);
    });

    test('a student removed loses every membership (a created one is disabled); a student added is created and enrolled', async () => {
      // 114003 (Fred, created by the first run) leaves; 114009 joins Biology 10 at 110003.
      const changed = Object.fromEntries(Object.entries(original).map(([name, text]) => [name, text.split('\n').filter((line) => !/(^|,)114003(,|$)/.test(line)).join('\n')]));
      const append = (name: string, line: string) => {
        const eol = changed[name]!.includes('\r\n') ? '\r\n' : '\n';
        changed[name] = `${changed[name]!.trimEnd()}${eol}${line}${eol}`;
      };
      append('users.csv', '114009,nnew@classrmtest31.org,Nora,New,,,,,');
      append('roles.csv', '114009,110003,student,SY2021K12,10,TRUE,2021-08-24,2022-06-11');
      append('enrollments.csv', '112002,114009,student');
      await upload(changed);
      const op = await run();
      assert.match(op.statusDetail as string, / Directory: 1 created, 0 updated, 1 removed or disabled, 3 memberships added, 3 removed\.$/);
      assert.deepEqual(await directory(s), expected(changed, ['fhutch@classrmtest31.org']));
      // Back as they were: Fred's user is enabled again, Nora's disabled.
      await upload(original);
      await run();
      assert.deepEqual(await directory(s), expected(original, ['nnew@classrmtest31.org']));
    });

    test("reset removes what the flow made, and only that; the next run makes it again with the same ids", async () => {
      const groups = () => s.ts.server.db.query<{ id: string; name: string }>(`SELECT id, display_name AS name FROM directory_groups WHERE tenant_id = $1 AND provisioned_by = $2 ORDER BY 1`, [TENANT, flows.classGroupProvisioningFlow]);
      const made = await groups();
      assert.equal(made.length, 2);
      const res = await s.call('POST', `${SETS}/${setId}/provisioningFlows/${flows.classGroupProvisioningFlow}/reset`, { token });
      assert.equal(res.status, 202);
      assert.deepEqual(await groups(), []);
      const left = await directory(s);
      assert.deepEqual(Object.keys(left.groups).sort(), ['All Staff', 'All Students']);
      assert.equal(Object.keys(left.units).length, 4);
      await run();
      assert.deepEqual(await groups(), made);
      assert.deepEqual(await directory(s), expected(original, ['nnew@classrmtest31.org']));
      // Reset of the user flow: its users go, with their memberships everywhere; matched users stay.
      assert.equal((await s.call('POST', `${SETS}/${setId}/provisioningFlows/${flows.userProvisioningFlow}/reset`, { token })).status, 202);
      const after = await directory(s);
      assert.deepEqual([after.users, after.disabled], [[], []]);
      assert.deepEqual(after.groups['Biology 10']!.members, [MATCHED.upn]);
      await s.expectError(await s.call('POST', `${SETS}/${setId}/provisioningFlows/00000000-0000-4000-8000-000000000000/reset`, { token }), 404, 'ResourceNotFound');
    });

    test("a set's filter provisions its organizations only; another tenant's directory is never touched", async () => {
      const filtered = (await json(
        await s.call('POST', SETS, {
          token,
          body: { displayName: 'School', filter: { '@odata.type': '#microsoft.graph.industryData.basicFilter', attribute: 'orgExternalId', in: ['110003'] } },
        }),
      )).id as string;
      const unitFlow = (await json(
        await s.call('POST', `${SETS}/${filtered}/provisioningFlows`, {
          token,
          body: { '@odata.type': '#microsoft.graph.industryData.administrativeUnitProvisioningFlow', creationOptions: { createBasedOnOrgPlusRoleGroup: true } },
        }),
      )).id as string;
      await run();
      const units = await s.ts.server.db.query<{ name: string; n: number }>(
        `SELECT a.display_name AS name, count(m.member_id)::int AS n FROM directory_administrative_units a
         LEFT JOIN directory_administrative_unit_members m ON m.tenant_id = a.tenant_id AND m.unit_id = a.id
         WHERE a.tenant_id = $1 AND a.provisioned_by = $2 GROUP BY 1 ORDER BY 1`,
        [TENANT, unitFlow],
      );
      const roles = csv(original['roles.csv']!).filter((r) => r.orgSourcedId === '110003');
      assert.deepEqual(units, [
        { name: 'School of TwoDotOne Staff', n: roles.filter((r) => r.role !== 'student').length },
        { name: 'School of TwoDotOne Students', n: roles.filter((r) => r.role === 'student').length },
      ]);
      const [other] = await s.ts.server.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM directory_groups WHERE tenant_id <> $1`, [TENANT]);
      assert.equal(other!.n, 0);
    });
  });
}
