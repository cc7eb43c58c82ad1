// The PIM alerts API over real HTTP with real tokens (spec §3.5), on PGlite and PostgreSQL: every
// endpoint, query options with their context URLs, paging, body validation, permissions, tenant
// isolation, refresh as a long-running operation, dismissal, disabled configurations, remediation.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DirectoryRoles } from '../../../src/auth/index.js';
import { ALERT_NAMES } from '../../../src/families/roleManagementAlerts/model.js';
import { backends, OTHER_TENANT, TENANT } from '../../support/backends.js';
import type { TestServer } from '../../support/server.js';
import { startTestServer } from '../../support/server.js';
import { instant } from '../../support/time.js';
import { DAY, Directory, ROLES } from './directory.js';

const ROOT = '/beta/identityGovernance/roleManagementAlerts';
const SCOPE = `$filter=${encodeURIComponent("scopeId eq '/' and scopeType eq 'DirectoryRole'")}`;
const id = (name: string, tenant = TENANT) => `DirectoryRole_${tenant}_${name}`;
const NEVER = '0001-01-01T08:00:00Z';
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,7})?Z$/;

type Json = Record<string, unknown>;
const json = async (res: Response) => (await res.json()) as Json;
const values = (body: Json) => body.value as Json[];

interface Call {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** The directory the API tests share: one incident set per alert, as the comments say. */
async function buildDirectory(ts: TestServer) {
  const d = await Directory.create(ts.server.db, { tenantId: TENANT, now: new Date().toISOString() });
  const adele = await d.user({ displayName: 'Adele Stale', upn: 'adele@contoso.test', lastSignIn: null });
  const ben = await d.user({ displayName: 'Ben Active' });
  const cara = await d.user({ displayName: 'Cara Direct' });
  const dan = await d.user({ displayName: 'Dan Dormant', lastSignIn: d.ago(40 * DAY) });
  const eve = await d.user({ displayName: 'Eve Renewer' });
  const adeleGa = await d.assign(adele, 'globalAdministrator'); // StaleSignIn, TooManyGlobalAdmins
  await d.assign(ben, 'globalAdministrator'); // TooManyGlobalAdmins
  const caraGa = await d.assign(cara, 'globalAdministrator', { viaPim: false, createdAt: d.ago(5 * DAY) }); // RolesAssignedOutsidePim, TooMany
  await d.eligible(dan, 'userAdministrator'); // RedundantAssignment, StaleSignIn
  await d.eligible(eve, 'privilegedRoleAdministrator');
  for (const minutes of [0, 10, 20]) await d.activation(eve, 'privilegedRoleAdministrator', d.ago(2 * DAY - minutes * 60_000)); // SequentialActivationRenewals
  await d.policy('globalAdministrator', false); // NoMfaOnRoleActivation
  await d.license('Suspended'); // InvalidLicense
  return { d, adele, ben, cara, dan, eve, adeleGa, caraGa };
}

const EXPECTED_COUNTS: Record<string, number> = {
  InvalidLicenseAlert: 1,
  NoMfaOnRoleActivationAlert: 1,
  RedundantAssignmentAlert: 1,
  RolesAssignedOutsidePimAlert: 1,
  SequentialActivationRenewalsAlert: 1,
  StaleSignInAlert: 2,
  TooManyGlobalAdminsAssignedToTenantAlert: 3,
};

for (const backend of backends) {
  describe(`role management alerts API on ${backend.name}`, () => {
    let ts: TestServer;
    let writer: string;
    let cast: Awaited<ReturnType<typeof buildDirectory>>;

    const call = (method: string, path: string, options: Call = {}) =>
      fetch(path.startsWith('http') ? path : `${ts.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${options.token ?? writer}`,
          ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...options.headers,
        },
        body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
      });
    const get = async (path: string, token?: string) => {
      const res = await call('GET', path, { token });
      assert.equal(res.status, 200, `${path}: ${res.status} ${await res.clone().text()}`);
      return json(res);
    };
    const expectError = async (res: Response, status: number, code: string, mentions?: string) => {
      const text = await res.text();
      assert.equal(res.status, status, text);
      const error = (JSON.parse(text) as { error: { code: string; message: string } }).error;
      assert.equal(error.code, code);
      if (mentions) assert.ok(error.message.includes(mentions), `'${error.message}' mentions '${mentions}'`);
      return error;
    };
    /** Polls an operation with Prefer: wait until it is final. */
    const finish = async (location: string, token?: string) => {
      for (let i = 0; i < 50; i++) {
        const op = await json(await call('GET', location, { token, headers: { prefer: 'wait=10' } }));
        if (op.status === 'succeeded' || op.status === 'failed') return op;
      }
      throw new Error(`operation ${location} did not finish`);
    };
    const refresh = async (name: string) => {
      const res = await call('POST', `${ROOT}/alerts/${id(name)}/refresh`);
      assert.equal(res.status, 202, await res.clone().text());
      return finish(res.headers.get('location')!);
    };
    const alert = (name: string) => get(`${ROOT}/alerts/${id(name)}`);

    before(async () => {
      ts = await startTestServer(backend);
      writer = await ts.token({ scopes: ['RoleManagementAlert.ReadWrite.Directory'], wids: [DirectoryRoles.privilegedRoleAdministrator] });
      cast = await buildDirectory(ts);
    });
    after(() => ts.close());

    test('alertDefinitions: the seven, with the service’s ids, severities and flags, in Graph’s property order', async () => {
      const body = await get(`${ROOT}/alertDefinitions?${SCOPE}`);
      assert.equal(body['@odata.context'], `${ts.url}/beta/$metadata#identityGovernance/roleManagementAlerts/alertDefinitions`);
      const defs = values(body);
      assert.deepEqual(defs.map((d) => d.id), ALERT_NAMES.map((n) => id(n)));
      assert.deepEqual(
        defs.map((d) => [String(d.id).split('_').at(-1), d.severityLevel, d.isConfigurable, d.isRemediatable]),
        [
          ['InvalidLicenseAlert', 'high', false, false],
          ['NoMfaOnRoleActivationAlert', 'medium', false, true],
          ['RedundantAssignmentAlert', 'low', true, true],
          ['RolesAssignedOutsidePimAlert', 'high', false, true],
          ['SequentialActivationRenewalsAlert', 'medium', true, false],
          ['StaleSignInAlert', 'medium', true, true],
          ['TooManyGlobalAdminsAssignedToTenantAlert', 'low', true, true],
        ],
      );
      assert.deepEqual(Object.keys(defs[0]!), [
        'id', 'displayName', 'scopeType', 'scopeId', 'description', 'severityLevel', 'securityImpact', 'mitigationSteps', 'howToPrevent', 'isRemediatable', 'isConfigurable',
      ]);
      for (const d of defs) {
        assert.equal(d.scopeId, '/');
        assert.equal(d.scopeType, 'DirectoryRole');
        for (const p of ['displayName', 'description', 'securityImpact', 'mitigationSteps', 'howToPrevent']) assert.ok((d[p] as string).length > 20, `${String(d.id)} ${p}`);
      }
      const high = await get(`${ROOT}/alertDefinitions?$filter=${encodeURIComponent("scopeId eq '/' and scopeType eq 'DirectoryRole' and severityLevel eq 'high'")}&$select=id,severityLevel`);
      assert.equal(high['@odata.context'], `${ts.url}/beta/$metadata#identityGovernance/roleManagementAlerts/alertDefinitions(id,severityLevel)`);
      assert.deepEqual(values(high), [
        { id: id('InvalidLicenseAlert'), severityLevel: 'high' },
        { id: id('RolesAssignedOutsidePimAlert'), severityLevel: 'high' },
      ]);
      const bySeverity = await get(`${ROOT}/alertDefinitions?${SCOPE}&$orderby=severityLevel desc&$select=id&$count=true`);
      assert.equal(bySeverity['@odata.count'], 7);
      // Enums sort by value; ties by id in the last direction asked for.
      assert.deepEqual(values(bySeverity).map((d) => d.id), [
        'RolesAssignedOutsidePimAlert', 'InvalidLicenseAlert', 'StaleSignInAlert', 'SequentialActivationRenewalsAlert', 'NoMfaOnRoleActivationAlert',
        'TooManyGlobalAdminsAssignedToTenantAlert', 'RedundantAssignmentAlert',
      ].map((n) => id(n)));

      const one = await get(`${ROOT}/alertDefinitions('${id('StaleSignInAlert')}')?$select=displayName,isRemediatable`);
      assert.deepEqual(Object.keys(one), ['@odata.context', 'displayName', 'isRemediatable']);
      assert.equal(one['@odata.context'], `${ts.url}/beta/$metadata#identityGovernance/roleManagementAlerts/alertDefinitions(displayName,isRemediatable)/$entity`);
      assert.deepEqual(await get(`${ROOT}/alertDefinitions/${id('StaleSignInAlert')}`), { '@odata.context': `${ts.url}/beta/$metadata#identityGovernance/roleManagementAlerts/alertDefinitions/$entity`, ...defs[5] });
    });

    test('lists of alerts, definitions and configurations need the scope filter (400 without it)', async () => {
      for (const collection of ['alerts', 'alertDefinitions', 'alertConfigurations']) {
        for (const query of ['', `?$filter=${encodeURIComponent("scopeId eq '/'")}`, `?$filter=${encodeURIComponent("scopeId eq '/' or scopeType eq 'DirectoryRole'")}`, `?$filter=${encodeURIComponent("scopeId eq '/x' and scopeType eq 'DirectoryRole'")}`]) {
          const error = await expectError(await call('GET', `${ROOT}/${collection}${query}`), 400, 'BadRequest', "scopeId eq '/' and scopeType eq 'DirectoryRole'");
          assert.equal((error as unknown as Json).target, '$filter');
        }
        // The scope can be written in another order and with other conditions and-ed.
        const body = await get(`${ROOT}/${collection}?$filter=${encodeURIComponent("scopeType eq 'DirectoryRole' and (scopeId eq '/' and startswith(id,'DirectoryRole'))")}`);
        assert.equal(values(body).length, 7, collection);
      }
      await expectError(await call('GET', `${ROOT}/alerts?${SCOPE}&$select=nope`), 400, 'BadRequest', 'nope');
      // /$count: text/plain, with the same scope rule.
      for (const [path, expected] of [
        [`${ROOT}/alerts/$count?${SCOPE}`, '7'],
        [`${ROOT}/alertConfigurations/$count?${SCOPE}`, '7'],
        [`${ROOT}/alertDefinitions/$count?$filter=${encodeURIComponent("scopeId eq '/' and scopeType eq 'DirectoryRole' and severityLevel eq 'high'")}`, '2'],
      ] as const) {
        const res = await call('GET', path);
        assert.equal(res.status, 200, path);
        assert.match(res.headers.get('content-type')!, /^text\/plain/);
        assert.equal(await res.text(), expected, path);
      }
      await expectError(await call('GET', `${ROOT}/alerts/$count`), 400, 'BadRequest', 'scopeId');
    });

    test('alertConfigurations: typed, with the documented defaults; $select and $expand=alertDefinition with their context URLs', async () => {
      const body = await get(`${ROOT}/alertConfigurations?${SCOPE}`);
      assert.equal(body['@odata.context'], `${ts.url}/beta/$metadata#identityGovernance/roleManagementAlerts/alertConfigurations`);
      const byName = Object.fromEntries(values(body).map((c) => [String(c.id).split('_').at(-1), c]));
      const base = (name: string) => ({ id: id(name), alertDefinitionId: id(name), scopeType: 'DirectoryRole', scopeId: '/', isEnabled: true });
      assert.deepEqual(byName.StaleSignInAlert, { '@odata.type': '#microsoft.graph.staleSignInAlertConfiguration', ...base('StaleSignInAlert'), duration: 'P30D' });
      assert.deepEqual(byName.RedundantAssignmentAlert, { '@odata.type': '#microsoft.graph.redundantAssignmentAlertConfiguration', ...base('RedundantAssignmentAlert'), duration: 'P30D' });
      assert.deepEqual(byName.TooManyGlobalAdminsAssignedToTenantAlert, {
        '@odata.type': '#microsoft.graph.tooManyGlobalAdminsAssignedToTenantAlertConfiguration',
        ...base('TooManyGlobalAdminsAssignedToTenantAlert'),
        globalAdminCountThreshold: 3,
        percentageOfGlobalAdminsOutOfRolesThreshold: 10,
      });
      assert.deepEqual(byName.SequentialActivationRenewalsAlert, {
        '@odata.type': '#microsoft.graph.sequentialActivationRenewalsAlertConfiguration',
        ...base('SequentialActivationRenewalsAlert'),
        sequentialActivationCounterThreshold: 3,
        timeIntervalBetweenActivations: 'PT1H',
      });
      assert.deepEqual(byName.RolesAssignedOutsidePimAlert, {
        '@odata.type': '#microsoft.graph.rolesAssignedOutsidePrivilegedIdentityManagementAlertConfiguration',
        ...base('RolesAssignedOutsidePimAlert'),
      });
      assert.equal(byName.InvalidLicenseAlert!['@odata.type'], '#microsoft.graph.invalidLicenseAlertConfiguration');
      assert.equal(byName.NoMfaOnRoleActivationAlert!['@odata.type'], '#microsoft.graph.noMfaOnRoleActivationAlertConfiguration');

      const expanded = await get(`${ROOT}/alertConfigurations/${id('StaleSignInAlert')}?$select=isEnabled&$expand=alertDefinition($select=displayName)`);
      assert.equal(expanded['@odata.context'], `${ts.url}/beta/$metadata#identityGovernance/roleManagementAlerts/alertConfigurations(isEnabled,alertDefinition(displayName))/$entity`);
      assert.deepEqual(Object.keys(expanded), ['@odata.context', '@odata.type', 'isEnabled', 'alertDefinition']);
      assert.deepEqual(Object.keys(expanded.alertDefinition as Json), ['displayName']);
      const list = await get(`${ROOT}/alertConfigurations?${SCOPE}&$expand=alertDefinition&$top=2`);
      assert.equal(list['@odata.context'], `${ts.url}/beta/$metadata#identityGovernance/roleManagementAlerts/alertConfigurations(alertDefinition())`);
      assert.equal(values(list).length, 2);
      assert.equal((values(list)[0]!.alertDefinition as Json).severityLevel, 'high');
      assert.match(list['@odata.nextLink'] as string, /\$skiptoken=/);
      const rest = await get(list['@odata.nextLink'] as string);
      assert.equal(values(rest).length, 2);
      assert.ok(values(rest).every((c) => (c.alertDefinition as Json).id === c.id));
    });

    test('PATCH alertConfigurations: @odata.type required and matching, only that subtype’s properties, values in range', async () => {
      const path = `${ROOT}/alertConfigurations/${id('StaleSignInAlert')}`;
      const type = '#microsoft.graph.staleSignInAlertConfiguration';
      const cases: [unknown, string][] = [
        [{ duration: 'P10D' }, '@odata.type'],
        [{ '@odata.type': '#microsoft.graph.redundantAssignmentAlertConfiguration', duration: 'P10D' }, 'staleSignInAlertConfiguration'],
        [{ '@odata.type': type, globalAdminCountThreshold: 4 }, 'globalAdminCountThreshold'],
        [{ '@odata.type': type, duration: 'P0D' }, 'duration'],
        [{ '@odata.type': type, duration: 'P366D' }, 'duration'],
        [{ '@odata.type': type, duration: 'PT36H' }, 'whole number of days'],
        [{ '@odata.type': type, duration: 'P1M' }, 'duration'],
        [{ '@odata.type': type, duration: 30 }, 'duration'],
        [{ '@odata.type': type, duration: null }, 'duration'],
        [{ '@odata.type': type, isEnabled: 'yes' }, 'isEnabled'],
        [{ '@odata.type': type, scopeId: '/' }, 'read-only'],
        [{ '@odata.type': type, colour: 'blue' }, 'colour'],
        [{ '@odata.type': type }, 'sets nothing'],
        [[], 'JSON object'],
        ['{"@odata.type": ', ''],
      ];
      for (const [body, mentions] of cases) await expectError(await call('PATCH', path, { body }), 400, 'BadRequest', mentions);
      const gaPath = `${ROOT}/alertConfigurations/${id('TooManyGlobalAdminsAssignedToTenantAlert')}`;
      const gaType = 'microsoft.graph.tooManyGlobalAdminsAssignedToTenantAlertConfiguration';
      for (const [body, mentions] of [
        [{ '@odata.type': gaType, globalAdminCountThreshold: 1 }, 'from 2 to 100'],
        [{ '@odata.type': gaType, globalAdminCountThreshold: 2.5 }, 'globalAdminCountThreshold'],
        [{ '@odata.type': gaType, percentageOfGlobalAdminsOutOfRolesThreshold: 101 }, 'from 0 to 100'],
        [{ '@odata.type': gaType, percentageOfGlobalAdminsOutOfRolesThreshold: '50' }, 'percentageOfGlobalAdminsOutOfRolesThreshold'],
      ] as const) {
        await expectError(await call('PATCH', gaPath, { body }), 400, 'BadRequest', mentions);
      }
      const seqPath = `${ROOT}/alertConfigurations/${id('SequentialActivationRenewalsAlert')}`;
      const seqType = '#microsoft.graph.sequentialActivationRenewalsAlertConfiguration';
      await expectError(await call('PATCH', seqPath, { body: { '@odata.type': seqType, timeIntervalBetweenActivations: 'PT0S' } }), 400, 'BadRequest', 'timeIntervalBetweenActivations');
      await expectError(await call('PATCH', seqPath, { body: { '@odata.type': seqType, sequentialActivationCounterThreshold: 101 } }), 400, 'BadRequest', 'from 2 to 100');

      // Accepted: with or without '#', isEnabled also as the string of Graph's doc example.
      const before = await alert('TooManyGlobalAdminsAssignedToTenantAlert');
      let res = await call('PATCH', gaPath, { body: { '@odata.type': gaType, globalAdminCountThreshold: 7, percentageOfGlobalAdminsOutOfRolesThreshold: 70, isEnabled: 'true' } });
      assert.equal(res.status, 204, await res.clone().text());
      assert.equal(await res.text(), '');
      let config = await get(gaPath);
      assert.deepEqual([config.globalAdminCountThreshold, config.percentageOfGlobalAdminsOutOfRolesThreshold, config.isEnabled], [7, 70, true]);
      const afterPatch = await alert('TooManyGlobalAdminsAssignedToTenantAlert');
      assert.equal(before.lastModifiedDateTime, NEVER);
      assert.match(afterPatch.lastModifiedDateTime as string, ISO);
      assert.notEqual(afterPatch.lastModifiedDateTime, NEVER, 'a configuration change modifies the alert');
      res = await call('PATCH', seqPath, { body: { '@odata.type': seqType, timeIntervalBetweenActivations: 'PT90M' } });
      assert.equal(res.status, 204);
      config = await get(seqPath);
      assert.deepEqual([config.timeIntervalBetweenActivations, config.sequentialActivationCounterThreshold], ['PT1H30M', 3], 'normalized; the other threshold keeps its default');
      res = await call('PATCH', gaPath, { body: { '@odata.type': `#${gaType}`, globalAdminCountThreshold: 3, percentageOfGlobalAdminsOutOfRolesThreshold: 10 } });
      assert.equal(res.status, 204);
      await expectError(await call('PATCH', `${ROOT}/alertConfigurations/${id('NoSuchAlert')}`, { body: { '@odata.type': gaType, isEnabled: true } }), 404, 'ResourceNotFound');
    });

    test('alerts before any scan: defaults and the never-set date sentinel', async () => {
      const body = await get(`${ROOT}/alerts?${SCOPE}`);
      assert.equal(body['@odata.context'], `${ts.url}/beta/$metadata#identityGovernance/roleManagementAlerts/alerts`);
      const first = values(body)[0]!;
      assert.deepEqual(first, {
        id: id('InvalidLicenseAlert'),
        alertDefinitionId: id('InvalidLicenseAlert'),
        scopeId: '/',
        scopeType: 'DirectoryRole',
        incidentCount: 0,
        isActive: false,
        lastModifiedDateTime: NEVER,
        lastScannedDateTime: NEVER,
      });
    });

    test('refresh one alert: 202 with Location, Operation-Location and Retry-After, no body; the operation succeeds with resourceLocation = the alert', async () => {
      const res = await call('POST', `${ROOT}/alerts/${id('StaleSignInAlert')}/refresh`);
      assert.equal(res.status, 202);
      const location = `${ts.url}${ROOT}/operations/refresh:${id('StaleSignInAlert')}`;
      assert.equal(res.headers.get('location'), location);
      assert.equal(res.headers.get('operation-location'), location);
      assert.match(res.headers.get('retry-after')!, /^\d+$/);
      assert.equal(res.headers.get('content-length'), '0');
      assert.equal(await res.text(), '');
      const op = await finish(location);
      assert.equal(op.status, 'succeeded', String(op.statusDetail));
      assert.equal(op.id, `refresh:${id('StaleSignInAlert')}`);
      assert.equal(op.resourceLocation, `${ts.url}${ROOT}/alerts/${id('StaleSignInAlert')}`);
      assert.equal(op.statusDetail, 'StaleSignInAlert: 2 incidents (2 new, 0 resolved).');
      assert.equal(op['@odata.type'], undefined);

      const a = await get(op.resourceLocation as string);
      assert.equal(a.incidentCount, 2);
      assert.equal(a.isActive, true);
      assert.match(a.lastScannedDateTime as string, ISO);
      assert.equal(a.lastModifiedDateTime, a.lastScannedDateTime);
      // Refreshing again finds the same incidents: scanned again, not modified.
      await refresh('StaleSignInAlert');
      const again = await alert('StaleSignInAlert');
      assert.equal(again.lastModifiedDateTime, a.lastModifiedDateTime);
      assert.ok(instant(again.lastScannedDateTime as string) > instant(a.lastScannedDateTime as string));
      assert.equal(again.incidentCount, 2);

      // As the Graph SDKs send it: a JSON content type and no body.
      const sdkStyle = await call('POST', `${ROOT}/alerts/${id('StaleSignInAlert')}/refresh`, { headers: { 'content-type': 'application/json' } });
      assert.equal(sdkStyle.status, 202);
      assert.equal(sdkStyle.headers.get('location'), location);
      assert.equal((await finish(location)).status, 'succeeded');
    });

    test('refresh every alert: body validated; one operation refresh:DirectoryRole_{tenant}; every alert scanned', async () => {
      const path = `${ROOT}/alerts/refresh`;
      for (const [body, mentions] of [
        [undefined, 'request body'],
        [{ scopeId: '/' }, 'scopeType'],
        [{ scopeId: '/', scopeType: 'DirectoryRole', extra: 1 }, 'extra'],
        [{ scopeId: '/admin', scopeType: 'DirectoryRole' }, 'scopeId'],
        [{ scopeId: '/', scopeType: 'AzureResource' }, 'scopeType'],
        [{ scopeId: null, scopeType: 'DirectoryRole' }, 'scopeId'],
        [{ scopeId: 1, scopeType: 'DirectoryRole' }, 'scopeId'],
      ] as const) {
        await expectError(await call('POST', path, { body }), 400, 'BadRequest', mentions);
      }
      const res = await call('POST', path, { body: { scopeId: '/', scopeType: 'DirectoryRole' } });
      assert.equal(res.status, 202);
      const location = `${ts.url}${ROOT}/operations/refresh:DirectoryRole_${TENANT}`;
      assert.equal(res.headers.get('location'), location);
      assert.equal(res.headers.get('operation-location'), location);
      const op = await finish(location);
      assert.equal(op.status, 'succeeded', String(op.statusDetail));
      assert.equal(op.statusDetail, 'Scanned 7 of 7 alerts: 10 incidents.');
      assert.equal(op.resourceLocation, `${ts.url}${ROOT}/alerts?${SCOPE}`);
      const alerts = values(await get(op.resourceLocation as string));
      assert.deepEqual(Object.fromEntries(alerts.map((a) => [String(a.id).split('_').at(-1), a.incidentCount])), EXPECTED_COUNTS);
      assert.ok(alerts.every((a) => a.isActive === true && a.lastScannedDateTime !== NEVER));
      const firing = await get(`${ROOT}/alerts?$filter=${encodeURIComponent("scopeId eq '/' and scopeType eq 'DirectoryRole' and incidentCount ge 2")}&$orderby=incidentCount desc&$select=id,incidentCount`);
      assert.deepEqual(values(firing), [
        { id: id('TooManyGlobalAdminsAssignedToTenantAlert'), incidentCount: 3 },
        { id: id('StaleSignInAlert'), incidentCount: 2 },
      ]);
      assert.equal(firing['@odata.context'], `${ts.url}/beta/$metadata#identityGovernance/roleManagementAlerts/alerts(id,incidentCount)`);
    });

    test('alertIncidents: typed, paged through nextLink, by id; context URLs under the keyed alert', async () => {
      await refresh('TooManyGlobalAdminsAssignedToTenantAlert');
      const alertId = id('TooManyGlobalAdminsAssignedToTenantAlert');
      const path = `${ROOT}/alerts/${alertId}/alertIncidents`;
      const page1 = await get(`${path}?$top=2&$count=true`);
      assert.equal(page1['@odata.context'], `${ts.url}/beta/$metadata#identityGovernance/roleManagementAlerts/alerts('${alertId}')/alertIncidents`);
      assert.equal(page1['@odata.count'], 3);
      assert.equal(values(page1).length, 2);
      assert.ok((page1['@odata.nextLink'] as string).startsWith(`${ts.url}${path}?`));
      const page2 = await get(page1['@odata.nextLink'] as string);
      assert.equal(page2['@odata.nextLink'], undefined);
      const all = [...values(page1), ...values(page2)];
      assert.deepEqual(all.map((i) => i.assigneeId).sort(), [cast.adele, cast.ben, cast.cara].sort());
      for (const incident of all) {
        assert.deepEqual(Object.keys(incident), ['@odata.type', 'id', 'assigneeId', 'assigneeDisplayName', 'assigneeUserPrincipalName']);
        assert.equal(incident['@odata.type'], '#microsoft.graph.tooManyGlobalAdminsAssignedToTenantAlertIncident');
        assert.equal(incident.id, incident.assigneeId);
      }
      const adele = await get(`${path}/${cast.adele}`);
      assert.deepEqual(adele, {
        '@odata.context': `${ts.url}/beta/$metadata#identityGovernance/roleManagementAlerts/alerts('${alertId}')/alertIncidents/$entity`,
        '@odata.type': '#microsoft.graph.tooManyGlobalAdminsAssignedToTenantAlertIncident',
        id: cast.adele,
        assigneeId: cast.adele,
        assigneeDisplayName: 'Adele Stale',
        assigneeUserPrincipalName: 'adele@contoso.test',
      });
      assert.deepEqual(await get(`${ROOT}/alerts('${alertId}')/alertIncidents('${cast.adele}')`), adele, 'OData key syntax');
      const filtered = await get(`${path}?$filter=${encodeURIComponent("assigneeDisplayName eq 'ben active'")}&$select=assigneeId`);
      assert.deepEqual(values(filtered), [{ '@odata.type': '#microsoft.graph.tooManyGlobalAdminsAssignedToTenantAlertIncident', assigneeId: cast.ben }]);
      await expectError(await call('GET', `${path}?$filter=${encodeURIComponent('activationCount gt 1')}`), 400, 'BadRequest', 'activationCount');
      await expectError(await call('GET', `${path}/no-such-incident`), 404, 'ResourceNotFound');
      const counted = await call('GET', `${path}/$count?$filter=${encodeURIComponent("startswith(assigneeDisplayName,'a') or startswith(assigneeDisplayName,'b')")}`);
      assert.equal(await counted.text(), '2');

      const stale = values(await get(`${ROOT}/alerts/${id('StaleSignInAlert')}/alertIncidents?$orderby=assigneeDisplayName`));
      assert.deepEqual(stale.map((i) => [i.assigneeDisplayName, i.roleDisplayName]), [['Adele Stale', 'Global Administrator'], ['Dan Dormant', 'User Administrator']]);
      assert.deepEqual(Object.keys(stale[0]!), [
        '@odata.type', 'id', 'assigneeId', 'assigneeDisplayName', 'assigneeUserPrincipalName', 'roleDefinitionId', 'roleDisplayName', 'roleTemplateId', 'assignmentCreatedDateTime', 'lastSignInDateTime',
      ]);
      assert.equal(stale[0]!.id, cast.adeleGa);
      assert.equal(stale[0]!.lastSignInDateTime, null);
      assert.match(stale[1]!.lastSignInDateTime as string, ISO);
    });

    test('$expand on one alert and on the list: *, nested $top and $select, exact context URLs, nested nextLink', async () => {
      await refresh('TooManyGlobalAdminsAssignedToTenantAlert');
      const alertId = id('TooManyGlobalAdminsAssignedToTenantAlert');
      const all = await get(`${ROOT}/alerts/${alertId}?$expand=*`);
      assert.equal(all['@odata.context'], `${ts.url}/beta/$metadata#identityGovernance/roleManagementAlerts/alerts(alertConfiguration(),alertDefinition(),alertIncidents())/$entity`);
      assert.deepEqual(Object.keys(all), [
        '@odata.context', 'id', 'alertDefinitionId', 'scopeId', 'scopeType', 'incidentCount', 'isActive', 'lastModifiedDateTime', 'lastScannedDateTime',
        'alertConfiguration', 'alertDefinition', 'alertIncidents@odata.context', 'alertIncidents',
      ]);
      assert.equal((all.alertConfiguration as Json)['@odata.type'], '#microsoft.graph.tooManyGlobalAdminsAssignedToTenantAlertConfiguration');
      assert.equal((all.alertDefinition as Json).id, alertId);
      assert.equal(all['alertIncidents@odata.context'], `${ts.url}/beta/$metadata#identityGovernance/roleManagementAlerts/alerts('${alertId}')/alertIncidents`);
      assert.equal((all.alertIncidents as Json[]).length, 3);

      const nested = await get(`${ROOT}/alerts/${alertId}?$select=incidentCount&$expand=alertIncidents($top=2;$select=assigneeDisplayName;$orderby=assigneeDisplayName;$count=true),alertDefinition($select=severityLevel)`);
      assert.equal(nested['@odata.context'], `${ts.url}/beta/$metadata#identityGovernance/roleManagementAlerts/alerts(incidentCount,alertIncidents(assigneeDisplayName),alertDefinition(severityLevel))/$entity`);
      assert.deepEqual(nested.alertDefinition, { severityLevel: 'low' });
      assert.equal(nested['alertIncidents@odata.count'], 3);
      assert.deepEqual((nested.alertIncidents as Json[]).map((i) => i.assigneeDisplayName), ['Adele Stale', 'Ben Active']);
      const next = nested['alertIncidents@odata.nextLink'] as string;
      assert.ok(next.startsWith(`${ts.url}${ROOT}/alerts/${alertId}/alertIncidents?`), next);
      const rest = await get(next);
      assert.deepEqual(values(rest).map((i) => i.assigneeDisplayName), ['Cara Direct']);
      assert.deepEqual(Object.keys(values(rest)[0]!), ['@odata.type', 'assigneeDisplayName']);

      const list = await get(`${ROOT}/alerts?${SCOPE}&$expand=alertIncidents($top=1),alertConfiguration&$select=id`);
      assert.equal(list['@odata.context'], `${ts.url}/beta/$metadata#identityGovernance/roleManagementAlerts/alerts(id,alertIncidents(),alertConfiguration())`);
      for (const a of values(list)) {
        assert.ok(Array.isArray(a.alertIncidents));
        assert.ok((a.alertIncidents as Json[]).length <= 1);
        assert.equal((a.alertConfiguration as Json).id, a.id);
      }
      const ga = values(list).find((a) => a.id === alertId)!;
      assert.ok(typeof ga['alertIncidents@odata.nextLink'] === 'string', 'more incidents than the nested $top');
      await expectError(await call('GET', `${ROOT}/alerts/${alertId}?$expand=alertIncidents($top=1;$filter=activationCount gt 1)`), 400, 'BadRequest', 'activationCount');
      await expectError(await call('GET', `${ROOT}/alerts/${alertId}?$expand=incidents`), 400, 'BadRequest', 'incidents');
    });

    test('dismiss (PATCH isActive false): incidents stay readable; a refresh re-activates the alert', async () => {
      const name = 'RolesAssignedOutsidePimAlert';
      await refresh(name);
      const path = `${ROOT}/alerts/${id(name)}`;
      for (const [body, mentions] of [
        [{}, 'isActive'],
        [{ isActive: 'false' }, 'isActive'],
        [{ isActive: false, incidentCount: 0 }, 'incidentCount'],
        [{ isActive: false, note: 'x' }, 'note'],
        [{ '@odata.type': '#microsoft.graph.staleSignInAlertConfiguration', isActive: false }, '@odata.type'],
        [null, 'JSON object'],
      ] as const) {
        await expectError(await call('PATCH', path, { body }), 400, 'BadRequest', mentions);
      }
      const res = await call('PATCH', path, { body: { isActive: false } });
      assert.equal(res.status, 204);
      const dismissed = await get(path);
      assert.equal(dismissed.isActive, false);
      assert.equal(dismissed.incidentCount, 1);
      assert.equal(values(await get(`${path}/alertIncidents`)).length, 1, 'incidents remain readable');
      const filtered = await get(`${ROOT}/alerts?$filter=${encodeURIComponent("scopeId eq '/' and scopeType eq 'DirectoryRole' and isActive eq false")}&$select=id`);
      assert.ok(values(filtered).some((a) => a.id === id(name)));
      await refresh(name);
      assert.equal((await get(path)).isActive, true);
      // Re-activating by PATCH works as well.
      assert.equal((await call('PATCH', path, { body: { '@odata.type': 'microsoft.graph.unifiedRoleManagementAlert', isActive: false } })).status, 204);
      assert.equal((await call('PATCH', path, { body: { isActive: true } })).status, 204);
      assert.equal((await get(path)).isActive, true);
    });

    test('a disabled configuration is not scanned; the refresh still succeeds and says so; the filter on alertConfiguration/isEnabled finds it', async () => {
      const name = 'SequentialActivationRenewalsAlert';
      await refresh(name);
      const before = await alert(name);
      assert.equal(before.incidentCount, 1);
      const configPath = `${ROOT}/alertConfigurations/${id(name)}`;
      assert.equal((await call('PATCH', configPath, { body: { '@odata.type': 'microsoft.graph.sequentialActivationRenewalsAlertConfiguration', isEnabled: false } })).status, 204);
      await ts.server.db.query('DELETE FROM directory_role_activations WHERE tenant_id = $1', [TENANT]);
      const op = await refresh(name);
      assert.equal(op.status, 'succeeded');
      assert.equal(op.statusDetail, `${name} was not scanned: its configuration is disabled (isEnabled is false).`);
      assert.equal(op.resourceLocation, `${ts.url}${ROOT}/alerts/${id(name)}`);
      const after = await alert(name);
      assert.equal(after.incidentCount, 1, 'not scanned: the incidents are those of the last scan');
      assert.equal(after.lastScannedDateTime, before.lastScannedDateTime);
      const disabled = await get(`${ROOT}/alerts?$filter=${encodeURIComponent("scopeId eq '/' and scopeType eq 'DirectoryRole' and alertConfiguration/isEnabled eq false")}&$select=id`);
      assert.deepEqual(values(disabled), [{ id: id(name) }]);
      const all = await finish((await call('POST', `${ROOT}/alerts/refresh`, { body: { scopeId: '/', scopeType: 'DirectoryRole' } })).headers.get('location')!);
      assert.match(all.statusDetail as string, /^Scanned 6 of 7 alerts: \d+ incidents\. Not scanned, configuration disabled: SequentialActivationRenewalsAlert\.$/);
      assert.equal((await call('PATCH', configPath, { body: { '@odata.type': 'microsoft.graph.sequentialActivationRenewalsAlertConfiguration', isEnabled: true } })).status, 204);
      await refresh(name);
      assert.equal((await alert(name)).incidentCount, 0, 'enabled again and scanned: the activations are gone');
    });

    test('remediate: applies the mitigation to the directory and removes the incident; 400 where the definition is not remediatable', async () => {
      await refresh('RolesAssignedOutsidePimAlert');
      const outside = `${ROOT}/alerts/${id('RolesAssignedOutsidePimAlert')}/alertIncidents/${cast.caraGa}`;
      let res = await call('POST', `${outside}/remediate`);
      assert.equal(res.status, 200, await res.clone().text());
      assert.equal(await res.text(), '');
      const left = await ts.server.db.query('SELECT 1 FROM directory_role_assignments WHERE tenant_id = $1 AND id = $2', [TENANT, cast.caraGa]);
      assert.equal(left.length, 0, 'the direct assignment is removed');
      await expectError(await call('GET', outside), 404, 'ResourceNotFound');
      await expectError(await call('POST', `${outside}/remediate`), 404, 'ResourceNotFound');
      const a = await alert('RolesAssignedOutsidePimAlert');
      assert.deepEqual([a.incidentCount, a.isActive], [0, false]);

      await refresh('NoMfaOnRoleActivationAlert');
      res = await call('POST', `${ROOT}/alerts/${id('NoMfaOnRoleActivationAlert')}/alertIncidents/${ROLES.globalAdministrator.id}/remediate`);
      assert.equal(res.status, 200);
      const [policy] = await ts.server.db.query<{ mfa: boolean }>('SELECT mfa_required_on_activation AS mfa FROM directory_role_policies WHERE tenant_id = $1 AND role_id = $2', [TENANT, ROLES.globalAdministrator.id]);
      assert.equal(policy!.mfa, true);
      await refresh('NoMfaOnRoleActivationAlert');
      assert.equal((await alert('NoMfaOnRoleActivationAlert')).incidentCount, 0, 'the next scan agrees');

      await refresh('StaleSignInAlert');
      res = await call('POST', `${ROOT}/alerts/${id('StaleSignInAlert')}/alertIncidents/${cast.adeleGa}/remediate`);
      assert.equal(res.status, 200);
      const held = await ts.server.db.query('SELECT 1 FROM directory_role_assignments WHERE tenant_id = $1 AND principal_id = $2', [TENANT, cast.adele]);
      assert.equal(held.length, 0, 'the stale account is removed from the role');

      await refresh('InvalidLicenseAlert');
      const license = values(await get(`${ROOT}/alerts/${id('InvalidLicenseAlert')}/alertIncidents`));
      assert.deepEqual(license.map((i) => [i['@odata.type'], i.id, i.tenantLicenseStatus]), [['#microsoft.graph.invalidLicenseAlertIncident', TENANT, 'Suspended']]);
      await expectError(await call('POST', `${ROOT}/alerts/${id('InvalidLicenseAlert')}/alertIncidents/${TENANT}/remediate`), 400, 'BadRequest', 'not remediatable');
      await expectError(await call('POST', `${ROOT}/alerts/${id('StaleSignInAlert')}/alertIncidents/${cast.adeleGa}/remediate`, { body: { force: true } }), 400, 'BadRequest', 'no parameters');
    });

    test('permissions: reads need Read or ReadWrite (delegated also a reader role); writes need ReadWrite (delegated also Privileged Role Administrator or Global Administrator)', async () => {
      const reader = await ts.token();
      const app = (roles: string[]) => ts.token({ app: true, roles });
      const delegated = (scopes: string[], wids: string[]) => ts.token({ scopes, wids });
      const readPaths = [
        `${ROOT}/alerts?${SCOPE}`,
        `${ROOT}/alerts/${id('StaleSignInAlert')}`,
        `${ROOT}/alerts/${id('StaleSignInAlert')}/alertIncidents`,
        `${ROOT}/alertDefinitions?${SCOPE}`,
        `${ROOT}/alertConfigurations/${id('StaleSignInAlert')}`,
        `${ROOT}/operations/refresh:${id('StaleSignInAlert')}`,
      ];
      const readers = [
        reader,
        await app(['RoleManagementAlert.Read.Directory']),
        await app(['RoleManagementAlert.ReadWrite.Directory']),
        await delegated(['RoleManagementAlert.ReadWrite.Directory'], [DirectoryRoles.securityReader]),
        await delegated(['RoleManagementAlert.Read.Directory'], [DirectoryRoles.globalAdministrator]),
      ];
      for (const token of readers) for (const path of readPaths) assert.equal((await call('GET', path, { token })).status, 200, path);
      const nobody = [
        await delegated(['RoleManagementAlert.Read.Directory'], [DirectoryRoles.userAdministrator]),
        await delegated(['User.Read'], [DirectoryRoles.globalAdministrator]),
        await app(['IndustryData.ReadBasic.All']),
      ];
      for (const token of nobody) for (const path of readPaths) await expectError(await call('GET', path, { token }), 403, 'Authorization_RequestDenied');

      const writes: [string, string, unknown][] = [
        ['PATCH', `${ROOT}/alerts/${id('StaleSignInAlert')}`, { isActive: true }],
        ['POST', `${ROOT}/alerts/${id('StaleSignInAlert')}/refresh`, undefined],
        ['POST', `${ROOT}/alerts/refresh`, { scopeId: '/', scopeType: 'DirectoryRole' }],
        ['PATCH', `${ROOT}/alertConfigurations/${id('StaleSignInAlert')}`, { '@odata.type': '#microsoft.graph.staleSignInAlertConfiguration', isEnabled: true }],
        ['POST', `${ROOT}/alerts/${id('StaleSignInAlert')}/alertIncidents/x/remediate`, undefined],
      ];
      const cannotWrite = [
        reader,
        await app(['RoleManagementAlert.Read.Directory']),
        await delegated(['RoleManagementAlert.ReadWrite.Directory'], [DirectoryRoles.securityAdministrator]),
        await delegated(['RoleManagementAlert.Read.Directory'], [DirectoryRoles.privilegedRoleAdministrator]),
      ];
      for (const token of cannotWrite) for (const [method, path, body] of writes) await expectError(await call(method, path, { token, body }), 403, 'Authorization_RequestDenied');
      const canWrite = [
        writer,
        await app(['RoleManagementAlert.ReadWrite.Directory']),
        await delegated(['RoleManagementAlert.ReadWrite.Directory'], [DirectoryRoles.globalAdministrator]),
      ];
      for (const token of canWrite) {
        for (const [method, path, body] of writes) {
          const res = await call(method, path, { token, body });
          assert.ok([200, 202, 204, 404].includes(res.status), `${method} ${path}: ${res.status} ${await res.text()}`);
        }
      }
      await expectError(await call('GET', `${ROOT}/alerts?${SCOPE}`, { token: 'not-a-token' }), 401, 'InvalidAuthenticationToken');
      await expectError(await call('DELETE', `${ROOT}/alerts/${id('StaleSignInAlert')}`), 405, 'MethodNotAllowed');
    });

    test('tenants are isolated: another tenant’s ids are 404 like unknown ids, and its caller sees only its own alerts', async () => {
      const foreign = (name: string) => id(name, OTHER_TENANT);
      for (const [method, path, body] of [
        ['GET', `${ROOT}/alerts/${foreign('StaleSignInAlert')}`, undefined],
        ['GET', `${ROOT}/alerts/${id('StaleSignInAlert').toUpperCase()}`, undefined],
        ['GET', `${ROOT}/alerts/${foreign('StaleSignInAlert')}/alertIncidents`, undefined],
        ['GET', `${ROOT}/alertDefinitions/${foreign('StaleSignInAlert')}`, undefined],
        ['GET', `${ROOT}/alertConfigurations/${foreign('StaleSignInAlert')}`, undefined],
        ['GET', `${ROOT}/alerts/DirectoryRole_${TENANT}_NoSuchAlert`, undefined],
        ['PATCH', `${ROOT}/alerts/${foreign('StaleSignInAlert')}`, { isActive: false }],
        ['POST', `${ROOT}/alerts/${foreign('StaleSignInAlert')}/refresh`, undefined],
        ['POST', `${ROOT}/alerts/${foreign('StaleSignInAlert')}/alertIncidents/x/remediate`, undefined],
      ] as const) {
        await expectError(await call(method, path, { body }), 404, 'ResourceNotFound');
      }
      const other = await ts.token({ tenantId: OTHER_TENANT, scopes: ['RoleManagementAlert.ReadWrite.Directory'], wids: [DirectoryRoles.globalAdministrator] });
      const theirs = values(await get(`${ROOT}/alerts?${SCOPE}`, other));
      assert.deepEqual(theirs.map((a) => a.id), ALERT_NAMES.map((n) => foreign(n)));
      assert.ok(theirs.every((a) => a.incidentCount === 0 && a.lastScannedDateTime === NEVER));
      await expectError(await call('GET', `${ROOT}/alerts/${id('StaleSignInAlert')}/alertIncidents`, { token: other }), 404, 'ResourceNotFound');
      await expectError(await call('GET', `${ROOT}/operations/refresh:${id('StaleSignInAlert')}`, { token: other }), 404, 'ResourceNotFound');
      // No directory for that tenant: the refresh succeeds and says nothing was scanned.
      const res = await call('POST', `${ROOT}/alerts/${foreign('StaleSignInAlert')}/refresh`, { token: other });
      assert.equal(res.status, 202);
      const final = await finish(res.headers.get('location')!, other);
      assert.equal(final.status, 'succeeded');
      assert.equal(final.statusDetail, 'No directory has been imported for this tenant; nothing was scanned.');
    });
  });

  describe(`refresh deduplication on ${backend.name} (no workers: operations stay pending)`, () => {
    let ts: TestServer;
    let writer: string;
    before(async () => {
      ts = await startTestServer(backend, { workers: false });
      writer = await ts.token({ app: true, roles: ['RoleManagementAlert.ReadWrite.Directory'] });
    });
    after(() => ts.close());

    const post = (path: string, body?: unknown) =>
      fetch(`${ts.url}${ROOT}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${writer}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });

    test('concurrent refreshes of one alert return the same pending operation; refresh-all likewise', async () => {
      const responses = await Promise.all(Array.from({ length: 5 }, () => post(`/alerts/${id('StaleSignInAlert')}/refresh`)));
      assert.deepEqual(responses.map((r) => r.status), [202, 202, 202, 202, 202]);
      const locations = new Set(responses.map((r) => r.headers.get('location')));
      assert.deepEqual([...locations], [`${ts.url}${ROOT}/operations/refresh:${id('StaleSignInAlert')}`]);
      const rows = await ts.server.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM operations WHERE tenant_id = $1`, [TENANT]);
      assert.equal(rows[0]!.n, 1);
      const op = await (await fetch(responses[0]!.headers.get('location')!, { headers: { authorization: `Bearer ${writer}` } })).json() as Json;
      assert.deepEqual([op.status, op.resourceLocation, op.statusDetail], ['notStarted', '', '']);
      const later = await post(`/alerts/${id('StaleSignInAlert')}/refresh`);
      const again = await (await fetch(later.headers.get('location')!, { headers: { authorization: `Bearer ${writer}` } })).json() as Json;
      assert.equal(again.createdDateTime, op.createdDateTime, 'the same operation, not a new one');

      const all = await Promise.all([1, 2, 3].map(() => post('/alerts/refresh', { scopeId: '/', scopeType: 'DirectoryRole' })));
      assert.deepEqual([...new Set(all.map((r) => r.headers.get('location')))], [`${ts.url}${ROOT}/operations/refresh:DirectoryRole_${TENANT}`]);
      const other = await post(`/alerts/${id('RedundantAssignmentAlert')}/refresh`);
      assert.equal(other.headers.get('location'), `${ts.url}${ROOT}/operations/refresh:${id('RedundantAssignmentAlert')}`, 'other alerts get their own');
    });
  });
}
