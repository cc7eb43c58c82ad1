// Runs end to end on Microsoft's sample set: POST runs/start (202 to the operation), the run and its
// activities, getStatistics equal to counts computed here from the CSV files and the directory, a
// second run over changed files (a student removed: inactive, membership inactive), matching by
// userPrincipalName, the throttle of start (429 + Retry-After), permissions, and the scheduled run
// (one pending per tenant with flows in effect, due 12 hours on, never doubled).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { ContainerClient } from '@azure/storage-blob';
import { parse } from 'csv-parse/sync';
import type { Db } from '../../../src/db/db.js';
import { importDirectory } from '../../../src/directory/index.js';
import type { HandlerContext } from '../../../src/engine/index.js';
import { Engine } from '../../../src/engine/index.js';
import { handlers } from '../../../src/families/industryData/handlers.js';
import { blobStoreOf } from '../../../src/families/industryData/index.js';
import { RUN_KIND } from '../../../src/families/industryData/model.js';
import { startScheduling } from '../../../src/families/industryData/runs.js';
import { backends, TENANT } from '../../support/backends.js';
import type { Json, Suite } from './support.js';
import { ALL_SCOPES, INBOUND_FLOWS, json, ROOT, SAMPLES, startSuite, YEARS } from './support.js';

const RUNS = `${ROOT}/runs`;
const FILES = ['orgs.csv', 'users.csv', 'roles.csv', 'classes.csv', 'enrollments.csv', 'academicSessions.csv', 'courses.csv', 'demographics.csv', 'userFlags.csv', 'relationships.csv'];
const csv = (text: string) => parse(text, { columns: true, skip_empty_lines: true }) as Record<string, string>[];
const sample = (name: string) => readFileSync(new URL(name, SAMPLES), 'utf8');

/** Directory users for some of the sample's people (their usernames as UPN), so matching has both outcomes. */
const MATCHED_USERNAMES = ['jcraig@classrmtest31.org', 'fhutch@classrmtest31.org'];

/** What a run over `files` must report, computed from the CSV text alone. */
function expectedTotals(files: Record<string, string>) {
  const users = csv(files['users.csv']!);
  const roles = csv(files['roles.csv']!);
  const matched = new Set(users.filter((u) => MATCHED_USERNAMES.includes(u.username!)).map((u) => u.sourcedId));
  const byRole = (want: boolean) => {
    const counts = new Map<string, Set<string>>();
    for (const r of roles) if (matched.has(r.userSourcedId!) === want) (counts.get(r.role!) ?? counts.set(r.role!, new Set()).get(r.role!)!).add(r.userSourcedId!);
    return [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([role, people]) => ({ role, count: people.size }));
  };
  return {
    errors: 0,
    groups: csv(files['classes.csv']!).length,
    matchedPeopleByRole: byRole(true),
    memberships: csv(files['enrollments.csv']!).length,
    organizations: csv(files['orgs.csv']!).length,
    people: users.length,
    unmatchedPeopleByRole: byRole(false),
    warnings: 0,
  };
}

/** An inbound flow from the connector, in effect since the sample's school year; its id. */
async function inboundFlow(s: Suite, connectorId: string, extra: Json = {}, token?: string): Promise<string> {
  const res = await s.call('POST', INBOUND_FLOWS, {
    token,
    body: {
      '@odata.type': '#microsoft.graph.industryData.inboundFileFlow',
      'dataConnector@odata.bind': `external/industryData/dataConnectors/${connectorId}`,
      displayName: 'Rostering',
      dataDomain: 'educationRostering',
      effectiveDateTime: '2021-08-01T00:00:00Z',
      ...extra,
    },
  });
  assert.equal(res.status, 201, await res.clone().text());
  return (await json(res)).id as string;
}

/** Every person of `files` unmatched, by role. */
function expectedUnmatchedAll(files: Record<string, string>) {
  const counts = new Map<string, Set<string>>();
  for (const r of csv(files['roles.csv']!)) (counts.get(r.role!) ?? counts.set(r.role!, new Set()).get(r.role!)!).add(r.userSourcedId!);
  return [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([role, people]) => ({ role, count: people.size }));
}

for (const backend of backends) {
  describe(`runs on ${backend.name}`, () => {
    let s: Suite;
    let root: string;
    let starter: string;
    let container: ContainerClient;
    let flowId: string;
    const original = Object.fromEntries(FILES.map((f) => [f, sample(f)]));

    before(async () => {
      // No schedule tick during the tests but the one they run.
      s = await startSuite(backend);
      root = `${s.ts.url}/beta`;
      starter = await s.token({ scopes: [...ALL_SCOPES, 'IndustryData-Run.Start', 'IndustryData-OutboundFlow.ReadWrite.All'] });
      await importDirectory(s.ts.server.db, TENANT, {
        users: MATCHED_USERNAMES.map((upn, i) => ({ id: `00000000-0000-4000-8000-00000000000${i}`, displayName: upn, userPrincipalName: upn })),
      });
      const system = await s.sourceSystem({
        displayName: 'SIS',
        userMatchingSettings: [
          { sourceIdentifier: { code: 'username' }, matchTarget: { code: 'userPrincipalName' }, priorityOrder: 0, 'roleGroup@odata.bind': 'external/industryData/roleGroups/students' },
          { sourceIdentifier: { code: 'username' }, matchTarget: { code: 'userPrincipalName' }, priorityOrder: 1, 'roleGroup@odata.bind': 'external/industryData/roleGroups/staff' },
        ],
      });
      const connector = await s.connector(system.id as string);
      container = new ContainerClient((await s.session(connector.id as string)).sessionUrl as string);
      for (const name of FILES) await container.getBlockBlobClient(name).uploadData(Buffer.from(original[name]!));
      const year = await json(await s.call('POST', YEARS, { body: { displayName: '2021-22', startDate: '2021-08-01', endDate: '2022-07-31', year: { code: '2022' } } }));
      flowId = await inboundFlow(s, connector.id as string, { 'year@odata.bind': `external/industryData/years/${year.id as string}` });
      const set = await json(await s.call('POST', `${ROOT}/outboundProvisioningFlowSets`, { token: starter, body: { displayName: 'Main' } }));
      const created = await s.call('POST', `${ROOT}/outboundProvisioningFlowSets/${set.id as string}/provisioningFlows`, {
        token: starter,
        body: { '@odata.type': '#microsoft.graph.industryData.securityGroupProvisioningFlow', creationOptions: { createBasedOnRoleGroup: true } },
      });
      assert.equal(created.status, 201);
    });
    after(() => s.close());

    /** POST runs/start, follow the operation to its end; the run. */
    async function startRun(): Promise<Json> {
      const res = await s.call('POST', `${RUNS}/start`, { token: starter });
      assert.equal(res.status, 202, await res.clone().text());
      const location = res.headers.get('location')!;
      assert.match(location, new RegExp(`^${root}/external/industryData/operations/[0-9a-f-]{36}$`));
      for (let i = 0; i < 60; i++) {
        const op = await json(await s.call('GET', location.slice(s.ts.url.length), { token: starter, headers: { prefer: 'wait=5' } }));
        if (op.status === 'failed') assert.fail(JSON.stringify(op));
        if (op.status === 'succeeded') {
          assert.equal(op.resourceLocation, `${root}/external/industryData/runs/${location.split('/').pop()!}`);
          return s.get((op.resourceLocation as string).slice(s.ts.url.length), starter);
        }
      }
      assert.fail('the run did not end');
    }

    test('a run over the sample set: completed, one activity per flow, statistics equal to the files and the directory', async () => {
      const run = await startRun();
      assert.equal(run['@odata.context'], `${root}/$metadata#external/industryData/runs/$entity`);
      assert.equal(run.status, 'completed');
      assert.match(run.displayName as string, /^Run \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/);
      assert.ok((run.endDateTime as string) >= (run.startDateTime as string));
      assert.equal(run.blockingError, null);
      const activities = ((await s.get(`${RUNS}/${run.id as string}/activities`, starter)).value as Json[]).sort((a, b) =>
        String(a['@odata.type']).localeCompare(String(b['@odata.type'])),
      );
      assert.deepEqual(
        activities.map((a) => [a['@odata.type'], a.displayName, a.status]),
        [
          ['#microsoft.graph.industryData.inboundFlowActivity', 'Rostering', 'completed'],
          ['#microsoft.graph.industryData.outboundFlowActivity', 'Main (securityGroupProvisioningFlow)', 'completed'],
        ],
      );
      const inbound = await s.get(`${RUNS}/${run.id as string}/activities/${activities[0]!.id as string}?$expand=activity($select=id,displayName)`, starter);
      assert.deepEqual(inbound.activity, { '@odata.type': '#microsoft.graph.industryData.inboundFileFlow', id: flowId, displayName: 'Rostering' });
      const flow = await s.get(`${RUNS}/${run.id as string}/activities/${activities[0]!.id as string}/activity`, starter);
      assert.deepEqual([flow['@odata.context'], flow.id], [`${root}/$metadata#external/industryData/runs('${run.id as string}')/activities('${activities[0]!.id as string}')/activity/$entity`, flowId]);
      await s.expectError(await s.call('GET', `${RUNS}/${run.id as string}/activities/${activities[1]!.id as string}/activity`, { token: starter }), 404, 'ResourceNotFound');

      const stats = await s.get(`${RUNS}/${run.id as string}/getStatistics`, starter);
      assert.equal(stats['@odata.context'], `${root}/$metadata#microsoft.graph.industryData.industryDataRunStatistics`);
      assert.equal(stats.runId, run.id);
      assert.equal(stats.status, 'completed');
      const expected = expectedTotals(original);
      assert.deepEqual(stats.inboundTotals, expected);
      const [results] = stats.activityStatistics as Json[];
      assert.equal(results!['@odata.type'], '#microsoft.graph.industryData.inboundActivityResults');
      assert.deepEqual(results!.people, { active: expected.people, inactive: 0, total: expected.people });
      assert.deepEqual(results!.memberships, { active: expected.memberships, inactive: 0, total: expected.memberships });
    });

    test('a second run over changed files: a removed student is inactive with their membership; the same files again change nothing', async () => {
      // 114001 leaves: their users, roles, enrollments and other rows go.
      const changed = Object.fromEntries(
        Object.entries(original).map(([name, text]) => [name, text.split('\n').filter((line) => !/(^|,)114001(,|$)/.test(line)).join('\n')]),
      );
      for (const name of FILES) await container.getBlockBlobClient(name).uploadData(Buffer.from(changed[name]!));
      const run = await startRun();
      const stats = await s.get(`${RUNS}/${run.id as string}/getStatistics`, starter);
      const expected = expectedTotals(changed);
      assert.deepEqual(stats.inboundTotals, expected);
      const [results] = stats.activityStatistics as Json[];
      assert.deepEqual(results!.people, { active: expected.people, inactive: 1, total: expected.people + 1 });
      const removedMemberships = csv(original['enrollments.csv']!).length - expected.memberships;
      assert.ok(removedMemberships > 0);
      assert.deepEqual(results!.memberships, { active: expected.memberships, inactive: removedMemberships, total: expected.memberships + removedMemberships });
      const records = await s.ts.server.db.query<{ active: boolean; first: string; last: string }>(
        `SELECT active, first_seen_at AS first, last_seen_at AS last FROM industry_data_records WHERE tenant_id = $1 AND flow_id = $2 AND file = 'users.csv' AND record_key = '114001'`,
        [TENANT, flowId],
      );
      // Last seen by the first run, where it was first seen.
      assert.deepEqual([records[0]!.active, records[0]!.last], [false, records[0]!.first]);
      // Back again: active, first seen kept.
      for (const name of FILES) await container.getBlockBlobClient(name).uploadData(Buffer.from(original[name]!));
      const again = await s.get(`${RUNS}/${(await startRun()).id as string}/getStatistics`, starter);
      assert.deepEqual((again.activityStatistics as Json[])[0]!.people, { active: 8, inactive: 0, total: 8 });
      const [back] = await s.ts.server.db.query<{ active: boolean; first: string; last: string }>(
        `SELECT active, first_seen_at AS first, last_seen_at AS last FROM industry_data_records WHERE tenant_id = $1 AND flow_id = $2 AND file = 'users.csv' AND record_key = '114001'`,
        [TENANT, flowId],
      );
      assert.deepEqual([back!.active, back!.first], [true, records[0]!.first]);
      assert.ok(back!.last > back!.first);
      // A record never changed was never rewritten: its flow's last load says it was seen.
      const [kept] = await s.ts.server.db.query<{ first: string; last: string; run: string; loaded: string }>(
        `SELECT r.first_seen_at AS first, r.last_seen_at AS last, r.last_run_id AS run, f.last_loaded_at AS loaded
         FROM industry_data_records r JOIN industry_data_inbound_flows f ON f.tenant_id = r.tenant_id AND f.id = r.flow_id
         WHERE r.tenant_id = $1 AND r.flow_id = $2 AND r.file = 'orgs.csv' AND r.record_key = '110001'`,
        [TENANT, flowId],
      );
      assert.equal(String(kept!.last), String(kept!.first));
      assert.ok(kept!.loaded > kept!.last, 'seen by every load since');
    });

    test('start is throttled as Graph says: five successful runs in 12 hours, then 429 TooManyRequests with Retry-After', async () => {
      // Three ran above; two more reach the limit.
      await startRun();
      await startRun();
      const res = await s.call('POST', `${RUNS}/start`, { token: starter });
      const error = await s.expectError(res, 429, 'TooManyRequests', 'At most 5 runs');
      assert.ok(error);
      const retryAfter = Number(res.headers.get('retry-after'));
      assert.ok(retryAfter > 11 * 3600 && retryAfter <= 12 * 3600, String(retryAfter));
    });

    test('permissions: Run.Read.All lists and reads, only Run.Start starts', async () => {
      const reader = await s.token({ scopes: ['IndustryData-Run.Read.All'] });
      const listed = await s.get(`${RUNS}?$orderby=startDateTime desc&$top=2`, reader);
      assert.equal((listed.value as Json[]).length, 2);
      await s.expectError(await s.call('POST', `${RUNS}/start`, { token: reader }), 403, 'Authorization_RequestDenied');
      await s.expectError(await s.call('GET', RUNS), 403, 'Authorization_RequestDenied');
    });

    test('the schedule: one pending run per tenant with flows in effect, due 12 hours after the last scheduled one, never doubled', async () => {
      const stops = [startScheduling(s.ts.server.db, s.ts.server.engine, null, undefined), startScheduling(s.ts.server.db, s.ts.server.engine, null, undefined)];
      try {
        let pending: { n: number; due: string }[] = [];
        for (let i = 0; i < 50 && !pending[0]?.n; i++) {
          await new Promise((r) => setTimeout(r, 100));
          pending = await s.ts.server.db.query<{ n: number; due: string }>(
            `SELECT count(*)::int AS n, max(run_after) AS due FROM operations WHERE tenant_id = $1 AND dedupe_key = 'run:scheduled' AND status = 'notStarted'`,
            [TENANT],
          );
        }
        assert.equal(pending[0]!.n, 1);
        const hours = (Date.parse(pending[0]!.due) - Date.now()) / 3_600_000;
        assert.ok(hours > 11.9 && hours <= 12, String(hours));
      } finally {
        for (const stop of stops) stop();
      }
    });
    test("matching by each matchTarget, in the settings' priority order, in the caller's tenant only", async () => {
      const tenant = '7a1c2e3d-4b5f-4a6b-8c7d-9e0f1a2b3c4d';
      const t = await s.token({ tenantId: tenant, scopes: [...ALL_SCOPES, 'IndustryData-Run.Start'] });
      const ids = { byMail: 'a0000000-0000-4000-8000-000000000001', byEmployeeId: 'a0000000-0000-4000-8000-000000000002', byUpn: 'a0000000-0000-4000-8000-000000000003', second: 'a0000000-0000-4000-8000-000000000004' };
      await importDirectory(s.ts.server.db, tenant, {
        users: [
          { id: ids.byMail, displayName: 'Jack', userPrincipalName: 'jack@district.example', mail: 'JCraig@classrmtest31.org' },
          { id: ids.byEmployeeId, displayName: 'Fred', userPrincipalName: 'fred@district.example', employeeId: '114003' },
          { id: ids.byUpn, displayName: 'Alice', userPrincipalName: 'asmithee@classrmtest31.org' },
          // Alice's employeeId too: the mail/employeeId settings come first, so she is matched by it.
          { id: ids.second, displayName: 'Alice (staff id)', userPrincipalName: 'alice2@district.example', employeeId: '114004' },
        ],
      });
      const system = await s.sourceSystem(
        {
          displayName: 'Matching',
          userMatchingSettings: [
            { sourceIdentifier: { code: 'username' }, matchTarget: { code: 'mail' }, priorityOrder: 0 },
            { sourceIdentifier: { code: 'sourcedId' }, matchTarget: { code: 'employeeId' }, priorityOrder: 1 },
            { sourceIdentifier: { code: 'username' }, matchTarget: { code: 'userPrincipalName' }, priorityOrder: 2 },
          ],
        },
        t,
      );
      const connector = await s.connector(system.id as string, {}, t);
      const c = new ContainerClient((await s.session(connector.id as string, undefined, t)).sessionUrl as string);
      for (const name of FILES) await c.getBlockBlobClient(name).uploadData(Buffer.from(original[name]!));
      await inboundFlow(s, connector.id as string, { displayName: 'Matching flow' }, t);
      const res = await s.call('POST', `${RUNS}/start`, { token: t });
      assert.equal(res.status, 202);
      const location = res.headers.get('location')!.slice(s.ts.url.length);
      let op: Json = {};
      for (let i = 0; i < 60 && op.status !== 'succeeded' && op.status !== 'failed'; i++) op = await json(await s.call('GET', location, { token: t, headers: { prefer: 'wait=5' } }));
      assert.equal(op.status, 'succeeded', JSON.stringify(op));
      const links = await s.ts.server.db.query<{ record_key: string; matched_user_id: string | null }>(
        `SELECT record_key, matched_user_id FROM industry_data_records WHERE tenant_id = $1 AND file = 'users.csv' AND matched_user_id IS NOT NULL ORDER BY record_key`,
        [tenant],
      );
      assert.deepEqual(links.map((l) => [l.record_key, l.matched_user_id]), [
        ['114001', ids.byMail],
        ['114003', ids.byEmployeeId],
        ['114004', ids.second],
      ]);
      // The default tenant's directory users were never candidates.
      const stats = await s.get(`${RUNS}/${location.split('/').at(-1)!}/getStatistics`, t);
      assert.deepEqual(stats.inboundTotals && (stats.inboundTotals as Json).matchedPeopleByRole, [{ role: 'student', count: 3 }]);
    });
  });

  describe(`a worker dying mid-run on ${backend.name}`, () => {
    let s: Suite;
    before(async () => {
      // No workers in the server: the test runs the engines (and kills one).
      s = await startSuite(backend, { workers: false });
    });
    after(() => s.close());

    test('the load committed, then the worker dies before recording it: the retry ends with the result of an uninterrupted run', async () => {
      const starter = await s.token({ scopes: [...ALL_SCOPES, 'IndustryData-Run.Start'] });
      const connector = await s.connector((await s.sourceSystem()).id as string);
      const container = new ContainerClient((await s.session(connector.id as string)).sessionUrl as string);
      const files = Object.fromEntries(FILES.map((f) => [f, sample(f)]));
      for (const name of FILES) await container.getBlockBlobClient(name).uploadData(Buffer.from(files[name]!));
      await inboundFlow(s, connector.id as string);
      const store = blobStoreOf(s.ts.server);
      let died!: () => void;
      const dead = new Promise<void>((resolve) => (died = resolve));
      // The first attempt hangs at the activity's write, after its load committed.
      const hangingDb = (db: Db): Db =>
        new Proxy(db, {
          get: (target, name) =>
            name === 'query'
              ? async (text: string, values?: unknown[]) => {
                  if (String(text).startsWith('UPDATE industry_data_run_activities')) {
                    died();
                    await new Promise(() => {});
                  }
                  return target.query(text as never, values as never);
                }
              : (Reflect.get(target, name) as unknown),
        });
      const dying = new Engine(s.ts.server.db, { pollIntervalMs: 20, leaseMs: 3000, concurrency: 1 });
      dying.register(RUN_KIND, { timeoutMs: 60_000, handle: (ctx: HandlerContext) => handlers(store)[RUN_KIND]!.handle({ ...ctx, db: hangingDb(ctx.db) }) });
      await dying.start();
      const healthy = new Engine(s.ts.server.db, { pollIntervalMs: 20 });
      try {
        const res = await s.call('POST', `${RUNS}/start`, { token: starter });
        assert.equal(res.status, 202);
        const location = res.headers.get('location')!.slice(s.ts.url.length);
        const runId = location.split('/').at(-1)!;
        await dead;
        const [loaded] = await s.ts.server.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM industry_data_records WHERE tenant_id = $1 AND last_run_id = $2`, [TENANT, runId]);
        assert.ok(loaded!.n > 0, 'the load had committed');
        assert.equal((await s.get(`${RUNS}/${runId}`, starter)).status, 'running');
        // The healthy worker polls before the lease lapses: it takes the run over at once, before the
        // dying one (whose slot frees only when its next heartbeat finds the lease gone) could claim it again.
        healthy.register(RUN_KIND, handlers(store)[RUN_KIND]!);
        await healthy.start();
        await s.ts.server.db.query(`UPDATE operations SET lease_expires_at = now(), run_after = now(), lease_owner = 'a-worker-that-died' WHERE tenant_id = $1 AND id = $2`, [TENANT, runId]);
        let op: Json = {};
        for (let i = 0; i < 60 && op.status !== 'succeeded' && op.status !== 'failed'; i++) op = await json(await s.call('GET', location, { token: starter, headers: { prefer: 'wait=5' } }));
        assert.equal(op.status, 'succeeded', JSON.stringify(op));
        const stats = await s.get(`${RUNS}/${runId}/getStatistics`, starter);
        assert.equal(stats.status, 'completed');
        // No directory users in this tenant: every person unmatched.
        assert.deepEqual(stats.inboundTotals, { ...expectedTotals(files), matchedPeopleByRole: [], unmatchedPeopleByRole: expectedUnmatchedAll(files) });
        const [records] = await s.ts.server.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM industry_data_records WHERE tenant_id = $1`, [TENANT]);
        const rows = FILES.reduce((n, f) => n + csv(files[f]!).length, 0);
        assert.equal(records!.n, rows, 'every record once');
      } finally {
        await healthy.stop(0);
        await dying.stop(0);
      }
    });
  });
}
