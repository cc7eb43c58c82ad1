// Reference definitions (the education catalogue, and what a tenant adds or changes), role
// groups, and the reference values that point into them by `code` or `value@odata.bind`: on
// connectors (an optional fileFormat, as Graph's own examples create them), source systems'
// matching settings and years; and an inbound flow's year binding, checked.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { backends, OTHER_TENANT } from '../../support/backends.js';
import type { Json, Suite } from './support.js';
import { CONNECTORS, INBOUND_FLOWS, json, ROOT, SOURCE_SYSTEMS, startSuite, YEARS } from './support.js';

const DEFINITIONS = `${ROOT}/referenceDefinitions`;
const ROLE_GROUPS = `${ROOT}/roleGroups`;
const WRITE = 'IndustryData-ReferenceDefinition.ReadWrite.All';
const SEEDED = '0001-01-01T00:00:00Z';

/** Every page of a list. */
async function all(s: Suite, path: string): Promise<Json[]> {
  const items: Json[] = [];
  for (let next: string | undefined = path; next; ) {
    const page = await s.get(next);
    items.push(...(page.value as Json[]));
    next = page['@odata.nextLink'] as string | undefined;
  }
  return items;
}

for (const backend of backends) {
  describe(`reference definitions and role groups on ${backend.name}`, () => {
    let s: Suite;
    let root: string;
    let writer: string;
    before(async () => {
      s = await startSuite(backend);
      root = `${s.ts.url}/beta`;
      writer = await s.token({ scopes: [WRITE, 'IndustryData-SourceSystem.ReadWrite.All', 'IndustryData-DataConnector.ReadWrite.All'] });
    });
    after(() => s.close());

    test('the catalogue: ids {referenceType}-{code}, seeded timestamps, $filter on referenceType, every type the service checks', async () => {
      assert.deepEqual(await s.get(`${DEFINITIONS}/RefGradeLevel-01`), {
        '@odata.context': `${root}/$metadata#external/industryData/referenceDefinitions/$entity`,
        id: 'RefGradeLevel-01',
        code: '01',
        createdDateTime: SEEDED,
        displayName: 'First grade',
        isDisabled: false,
        lastModifiedDateTime: SEEDED,
        referenceType: 'RefGradeLevel',
        sortIndex: 60,
        source: 'CEDS',
      });
      const identifiers = await all(s, `${DEFINITIONS}?$filter=referenceType eq 'RefIdentifierType'&$orderby=sortIndex&$select=code,sortIndex`);
      assert.deepEqual(identifiers.map((d) => [d.code, d.sortIndex]), [['sourcedId', 10], ['activeDirectoryMatchId', 20], ['email', 30], ['username', 40]]);
      const types = new Set((await all(s, `${DEFINITIONS}?$select=referenceType`)).map((d) => d.referenceType));
      for (const type of ['RefRole', 'RefOrgType', 'RefGradeLevel', 'RefSessionType', 'RefAcademicSubject', 'RefUserMatchTarget', 'RefFileFormat', 'RefSectionRole']) assert.ok(types.has(type), type);
      const count = await (await s.call('GET', `${DEFINITIONS}/$count?$filter=referenceType eq 'RefRole'`)).text();
      assert.equal(count, '31');
      await s.expectError(await s.call('GET', `${DEFINITIONS}/RefGradeLevel-99`), 404, 'ResourceNotFound');
    });

    test("role groups: staff and students with their RefRole codes; a source system's roleGroup binding must name one", async () => {
      const groups = await s.get(ROLE_GROUPS);
      assert.deepEqual((groups.value as Json[]).map((g) => [g.id, g.displayName]), [['staff', 'Staff'], ['students', 'Students']]);
      const staff = await s.get(`${ROLE_GROUPS}/staff`);
      assert.equal((staff.roles as Json[]).length, 29);
      assert.ok((staff.roles as Json[]).some((r) => r.code === 'teacher'));
      assert.deepEqual((await s.get(`${ROLE_GROUPS}/students`)).roles, [{ code: 'student' }]);
      await s.expectError(await s.call('GET', `${ROLE_GROUPS}/parents`), 404, 'ResourceNotFound');
      await s.expectError(await s.call('POST', ROLE_GROUPS, { body: { displayName: 'x' } }), 405, 'MethodNotAllowed');
      const res = await s.call('POST', SOURCE_SYSTEMS, {
        body: { displayName: 'x', userMatchingSettings: [{ 'roleGroup@odata.bind': `external/industryData/roleGroups('parents')`, matchTarget: { code: 'mail' } }] },
      });
      await s.expectError(res, 400, 'BadRequest', "The role group 'parents'", 'userMatchingSettings[0].roleGroup@odata.bind');
    });

    test('a tenant adds codes to the extendable types (201, source "Tenant Defined"), changes any (204), and DELETE disables', async () => {
      const body = { referenceType: 'RefGradeLevel', code: 'Y14', displayName: 'Year 14', isDisabled: false, sortIndex: 400 };
      const res = await s.call('POST', DEFINITIONS, { token: writer, body });
      assert.equal(res.status, 201, await res.clone().text());
      assert.equal(res.headers.get('location'), `${root}/external/industryData/referenceDefinitions/RefGradeLevel-Y14`);
      const created = await json(res);
      assert.equal(created.id, 'RefGradeLevel-Y14');
      assert.equal(created.source, 'Tenant Defined');
      assert.notEqual(created.createdDateTime, SEEDED);
      await s.expectError(await s.call('POST', DEFINITIONS, { token: writer, body }), 409, 'Conflict', 'RefGradeLevel-Y14');
      await s.expectError(await s.call('POST', DEFINITIONS, { token: writer, body: { ...body, code: '01' } }), 409, 'Conflict', 'RefGradeLevel-01');
      for (const [bad, target] of [
        [{ ...body, referenceType: 'RefRole', code: 'janitor' }, 'referenceType'],
        [{ ...body, sortIndex: undefined }, 'sortIndex'],
        [{ ...body, isDisabled: 'no' }, 'isDisabled'],
        [{ ...body, code: '' }, 'code'],
        [{ ...body, source: 'Me' }, 'source'],
      ] as const) {
        await s.expectError(await s.call('POST', DEFINITIONS, { token: writer, body: bad }), 400, 'BadRequest', undefined, target);
      }
      // A built-in: the tenant's change is its own, the catalogue's source and seeded creation stay.
      assert.equal((await s.call('PATCH', `${DEFINITIONS}/RefGradeLevel-KG`, { token: writer, body: { displayName: 'Reception', sortIndex: 55 } })).status, 204);
      const kg = await s.get(`${DEFINITIONS}/RefGradeLevel-KG`);
      assert.deepEqual([kg.displayName, kg.sortIndex, kg.source, kg.createdDateTime, kg.isDisabled], ['Reception', 55, 'CEDS', SEEDED, false]);
      assert.notEqual(kg.lastModifiedDateTime, SEEDED);
      await s.expectError(await s.call('PATCH', `${DEFINITIONS}/RefGradeLevel-KG`, { token: writer, body: { code: 'K' } }), 400, 'BadRequest', 'cannot be changed', 'code');
      assert.equal((await s.call('DELETE', `${DEFINITIONS}/RefGradeLevel-Y14`, { token: writer })).status, 204);
      const gone = await s.get(`${DEFINITIONS}/RefGradeLevel-Y14`);
      assert.equal(gone.isDisabled, true, 'a soft delete');
      assert.equal(gone.displayName, 'Year 14');
      // Another tenant sees the catalogue, not this tenant's changes.
      const other = await s.token({ tenantId: OTHER_TENANT });
      await s.expectError(await s.call('GET', `${DEFINITIONS}/RefGradeLevel-Y14`, { token: other }), 404, 'ResourceNotFound');
      assert.equal((await s.get(`${DEFINITIONS}/RefGradeLevel-KG`, other)).displayName, 'Kindergarten');
    });

    test('permissions: ReadBasic and Read list and read, only ReadWrite writes; delegated and application alike', async () => {
      for (const app of [false, true]) {
        const as = (permission: string) => s.token(app ? { app: true, roles: [permission], scopes: undefined } : { scopes: [permission] });
        for (const permission of ['IndustryData.ReadBasic.All', 'IndustryData-ReferenceDefinition.Read.All', WRITE]) {
          const token = await as(permission);
          assert.equal((await s.call('GET', `${DEFINITIONS}?$top=1`, { token })).status, 200, permission);
          assert.equal((await s.call('GET', `${ROLE_GROUPS}/staff`, { token })).status, 200, permission);
          const patch = await s.call('PATCH', `${DEFINITIONS}/RefOrgType-region`, { token, body: { sortIndex: 65 } });
          assert.equal(patch.status, permission === WRITE ? 204 : 403, permission);
        }
        const unrelated = await as('IndustryData-DataConnector.Read.All');
        await s.expectError(await s.call('GET', DEFINITIONS, { token: unrelated }), 403, 'Authorization_RequestDenied');
      }
    });

    test('reference values by code or by value@odata.bind: checked against the definitions of their type', async () => {
      const system = await s.sourceSystem({
        displayName: 'Bound settings',
        userMatchingSettings: [
          {
            matchTarget: { 'value@odata.bind': `${root}/external/industryData/referenceDefinitions/RefUserMatchTarget-mail` },
            sourceIdentifier: { 'value@odata.bind': `external/industryData/referenceDefinitions('RefIdentifierType-email')` },
            priorityOrder: 0,
            'roleGroup@odata.bind': `external/industryData/roleGroups('students')`,
          },
        ],
      });
      assert.deepEqual(system.userMatchingSettings, [{ matchTarget: { code: 'mail' }, priorityOrder: 0, sourceIdentifier: { code: 'email' } }]);
      const setting = (ref: Json) => ({ displayName: 'x', userMatchingSettings: [{ matchTarget: ref }] });
      const cases: [Json, string, string][] = [
        [setting({ code: 'nickname' }), "'nickname' is not a RefUserMatchTarget code", 'userMatchingSettings[0].matchTarget.code'],
        [setting({ 'value@odata.bind': 'external/industryData/referenceDefinitions/RefRole-teacher' }), 'takes a RefUserMatchTarget definition', 'userMatchingSettings[0].matchTarget.value@odata.bind'],
        [setting({ 'value@odata.bind': 'external/industryData/referenceDefinitions/RefUserMatchTarget-nickname' }), "'RefUserMatchTarget-nickname' bound by", 'userMatchingSettings[0].matchTarget.value@odata.bind'],
        [setting({ 'value@odata.bind': 'external/industryData/sourceSystems/x' }), 'external/industryData/referenceDefinitions', 'userMatchingSettings[0].matchTarget.value@odata.bind'],
        [setting({ code: 'userPrincipalName', 'value@odata.bind': 'external/industryData/referenceDefinitions/RefUserMatchTarget-mail' }), "binds 'RefUserMatchTarget-mail'", 'userMatchingSettings[0].matchTarget.code'],
      ];
      for (const [body, message, target] of cases) await s.expectError(await s.call('POST', SOURCE_SYSTEMS, { body }), 400, 'BadRequest', message, target);

      // Graph's own connector example has no fileFormat: it is optional (and validated as SDS v2.1).
      const bare = await s.connector(system.id as string, { fileFormat: undefined });
      assert.equal(bare.fileFormat, null);
      const byValue = await s.connector(system.id as string, { fileFormat: { 'value@odata.bind': 'external/industryData/referenceDefinitions/RefFileFormat-schoolDataSyncV1' } });
      assert.deepEqual(byValue.fileFormat, { '@odata.type': '#microsoft.graph.industryData.fileFormatReferenceValue', code: 'schoolDataSyncV1' });
      assert.equal((await s.call('PATCH', `${CONNECTORS}/${bare.id as string}`, { body: { fileFormat: null } })).status, 204);
      // A code the tenant disabled is refused.
      assert.equal((await s.call('PATCH', `${DEFINITIONS}/RefUserMatchTarget-employeeId`, { token: writer, body: { isDisabled: true } })).status, 204);
      await s.expectError(await s.call('POST', SOURCE_SYSTEMS, { body: setting({ code: 'employeeId' }) }), 400, 'BadRequest', 'disabled', 'userMatchingSettings[0].matchTarget.code');

      // A year's code is free-form; bound by value it must be a RefAcademicYear.
      const year = await s.call('POST', YEARS, {
        body: { displayName: '2025-26', startDate: '2025-09-01', endDate: '2026-06-30', year: { 'value@odata.bind': 'external/industryData/referenceDefinitions/RefAcademicYear-2026' } },
      });
      assert.equal(year.status, 201, await year.clone().text());
      assert.deepEqual((await json(year)).year, { code: '2026' });
    });

    test("an inbound flow's year@odata.bind names a year of the tenant, or it is a 400 naming it (create and PATCH)", async () => {
      const connector = await s.connector((await s.sourceSystem()).id as string);
      const missing = '00000000-0000-4000-8000-00000000a11e';
      const body = {
        '@odata.type': '#microsoft.graph.industryData.inboundFileFlow',
        'dataConnector@odata.bind': `external/industryData/dataConnectors('${connector.id as string}')`,
        'year@odata.bind': `https://graph.microsoft.com/beta/external/industryData/years/${missing}`,
        displayName: 'Flow',
        dataDomain: 'educationRostering',
        effectiveDateTime: '2024-09-01T00:00:00Z',
      };
      await s.expectError(await s.call('POST', INBOUND_FLOWS, { body }), 400, 'BadRequest', `The year '${missing}' bound by 'year@odata.bind' does not exist`, 'year@odata.bind');
      const created = await s.call('POST', INBOUND_FLOWS, { body: { ...body, 'year@odata.bind': undefined } });
      assert.equal(created.status, 201);
      const flow = `${INBOUND_FLOWS}/${(await json(created)).id as string}`;
      await s.expectError(await s.call('PATCH', flow, { body: { 'year@odata.bind': body['year@odata.bind'] } }), 400, 'BadRequest', `The year '${missing}'`, 'year@odata.bind');
      // Another tenant's year is a year that does not exist.
      const other = await s.token({ tenantId: OTHER_TENANT });
      const theirs = await s.call('POST', YEARS, { token: other, body: { displayName: 'x', startDate: '2025-09-01', endDate: '2026-06-30', year: { code: '2026' } } });
      const theirYear = (await json(theirs)).id as string;
      await s.expectError(await s.call('PATCH', flow, { body: { 'year@odata.bind': `external/industryData/years/${theirYear}` } }), 400, 'BadRequest', theirYear, 'year@odata.bind');
    });
  });
}
