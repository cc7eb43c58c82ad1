// The industry data API over real HTTP with real tokens (spec §4), on PGlite and PostgreSQL:
// source systems, data connectors, inbound flows, getUploadSession and validate — bodies, query
// options with their context URLs, paging, permissions and tenant isolation.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { backends, OTHER_TENANT } from '../../support/backends.js';
import type { Json, Suite } from './support.js';
import { CAST, CONNECTOR_TYPE, CONNECTORS, INBOUND_FLOWS, json, OPERATIONS, SOURCE_SYSTEMS, startSuite } from './support.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,7})?Z$/;
const FILE_FORMAT = { '@odata.type': '#microsoft.graph.industryData.fileFormatReferenceValue', code: 'schoolDataSyncV2Rev1' };

for (const backend of backends) {
  describe(`industry data API on ${backend.name}`, () => {
    let s: Suite;
    let root: string;
    before(async () => {
      s = await startSuite(backend);
      root = `${s.ts.url}/beta`;
    });
    after(() => s.close());

    /** Follows @odata.nextLink to the end; every page's context must be `context`. */
    async function all(path: string, context: string, token?: string): Promise<Json[]> {
      const items: Json[] = [];
      let next: string | undefined = path;
      while (next) {
        const page = await s.get(next, token);
        assert.equal(page['@odata.context'], context);
        items.push(...(page.value as Json[]));
        next = page['@odata.nextLink'] as string | undefined;
      }
      return items;
    }

    describe('source systems', () => {
      test('create: 201 with Location, the entity and its context (spec §4.5)', async () => {
        const res = await s.call('POST', SOURCE_SYSTEMS, {
          body: {
            displayName: 'Rostering source',
            vendor: 'Vendor Name',
            userMatchingSettings: [
              {
                matchTarget: { '@odata.type': '#microsoft.graph.industryData.userMatchTargetReferenceValue', code: 'userPrincipalName' },
                priorityOrder: 0,
                'roleGroup@odata.bind': "https://graph.microsoft.com/beta/external/industryData/roleGroups('staff')",
                sourceIdentifier: { code: 'username' },
              },
              { matchTarget: { code: 'userPrincipalName' }, priorityOrder: 1, 'roleGroup@odata.bind': 'external/industryData/roleGroups/students', sourceIdentifier: { code: 'username' } },
            ],
          },
        });
        assert.equal(res.status, 201);
        const body = await json(res);
        assert.match(body.id as string, GUID);
        assert.equal(res.headers.get('location'), `${root}/external/industryData/sourceSystems/${body.id as string}`);
        assert.deepEqual(body, {
          '@odata.context': `${root}/$metadata#external/industryData/sourceSystems/$entity`,
          id: body.id,
          displayName: 'Rostering source',
          vendor: 'Vendor Name',
          userMatchingSettings: [
            { matchTarget: { code: 'userPrincipalName' }, priorityOrder: 0, sourceIdentifier: { code: 'username' } },
            { matchTarget: { code: 'userPrincipalName' }, priorityOrder: 1, sourceIdentifier: { code: 'username' } },
          ],
        });
        assert.deepEqual(await s.get(`${SOURCE_SYSTEMS}/${body.id as string}`), body);
        assert.deepEqual(await s.get(`${SOURCE_SYSTEMS}('${body.id as string}')`), body, 'OData key syntax');
      });

      test('$select on one and on the list, with their context URLs', async () => {
        const created = await s.sourceSystem({ displayName: 'Selected', vendor: null });
        const one = await s.get(`${SOURCE_SYSTEMS}/${created.id as string}?$select=displayName,vendor`);
        assert.deepEqual(one, {
          '@odata.context': `${root}/$metadata#external/industryData/sourceSystems(displayName,vendor)/$entity`,
          displayName: 'Selected',
          vendor: null,
        });
        const list = await s.get(`${SOURCE_SYSTEMS}?$select=id&$filter=displayName eq 'Selected'`);
        assert.deepEqual(list, { '@odata.context': `${root}/$metadata#external/industryData/sourceSystems(id)`, value: [{ id: created.id }] });
      });

      test('paging with $top and @odata.nextLink, $count, and /$count', async () => {
        for (let i = 0; i < 5; i++) await s.sourceSystem({ displayName: `Paged ${i}` });
        const filter = `$filter=startswith(displayName,'Paged')`;
        const first = await s.get(`${SOURCE_SYSTEMS}?${filter}&$top=2&$count=true`);
        assert.equal(first['@odata.count'], 5);
        assert.equal((first.value as Json[]).length, 2);
        assert.match(first['@odata.nextLink'] as string, /^http:\/\/127\.0\.0\.1:\d+\/beta\/external\/industryData\/sourceSystems\?.*\$skiptoken=/);
        const items = await all(`${SOURCE_SYSTEMS}?${filter}&$top=2&$orderby=displayName desc`, `${root}/$metadata#external/industryData/sourceSystems`);
        assert.deepEqual(items.map((i) => i.displayName), ['Paged 4', 'Paged 3', 'Paged 2', 'Paged 1', 'Paged 0']);
        const count = await s.call('GET', `${SOURCE_SYSTEMS}/$count?${filter}`);
        assert.equal(await count.text(), '5');
      });

      test('PATCH: 204, changes what it names and nothing else', async () => {
        const created = await s.sourceSystem({ displayName: 'Before', vendor: 'V1', userMatchingSettings: [{ matchTarget: { code: 'mail' }, priorityOrder: 3, sourceIdentifier: { code: 'email' } }] });
        const res = await s.call('PATCH', `${SOURCE_SYSTEMS}/${created.id as string}`, { body: { displayName: 'After', vendor: null } });
        assert.equal(res.status, 204);
        const after = await s.get(`${SOURCE_SYSTEMS}/${created.id as string}`);
        assert.equal(after.displayName, 'After');
        assert.equal(after.vendor, null);
        assert.deepEqual(after.userMatchingSettings, created.userMatchingSettings);
        await s.expectError(await s.call('PATCH', `${SOURCE_SYSTEMS}/${created.id as string}`, { body: {} }), 400, 'BadRequest', 'sets nothing');
        await s.expectError(await s.call('PATCH', `${SOURCE_SYSTEMS}/00000000-0000-4000-8000-000000000000`, { body: { displayName: 'x' } }), 404, 'ResourceNotFound');
      });

      test('strict bodies: each mistake is a 400 naming the property', async () => {
        const cases: [unknown, string | RegExp, string?][] = [
          [undefined, 'A request body is required'],
          [[], 'must be a JSON object'],
          [{}, "The property 'displayName' is required", 'displayName'],
          [{ displayName: '' }, "'displayName' cannot be empty", 'displayName'],
          [{ displayName: 'x'.repeat(101) }, 'longer than 100 characters', 'displayName'],
          [{ displayName: 7 }, "property 'displayName': expected a string", 'displayName'],
          [{ displayName: 'x', vendor: 'y'.repeat(101) }, 'longer than 100', 'vendor'],
          [{ displayName: 'x', color: 'red' }, "The property 'color' does not exist on type 'microsoft.graph.industryData.sourceSystemDefinition'", 'color'],
          [{ displayName: 'x', id: 'mine' }, "The property 'id' is read-only", 'id'],
          [{ displayName: 'x', '@odata.type': '#microsoft.graph.user' }, "'@odata.type' is '#microsoft.graph.user'", '@odata.type'],
          [{ displayName: 'x', userMatchingSettings: {} }, 'expected an array', 'userMatchingSettings'],
          [{ displayName: 'x', userMatchingSettings: [{ priorityOrder: -1 }] }, 'whole number', 'userMatchingSettings[0].priorityOrder'],
          [{ displayName: 'x', userMatchingSettings: [{ matchTarget: { kode: 'a' } }] }, "'userMatchingSettings[0].matchTarget.kode' does not exist", 'userMatchingSettings[0].matchTarget.kode'],
          [{ displayName: 'x', userMatchingSettings: [{ matchTarget: {} }] }, "'userMatchingSettings[0].matchTarget' needs 'code' or 'value@odata.bind'", 'userMatchingSettings[0].matchTarget.code'],
          [{ displayName: 'x', userMatchingSettings: [{ roleGroup: {} }] }, 'roleGroup@odata.bind', 'userMatchingSettings[0].roleGroup'],
          [{ displayName: 'x', userMatchingSettings: [{ 'roleGroup@odata.bind': 'https://graph.microsoft.com/beta/users/1' }] }, 'external/industryData/roleGroups', 'userMatchingSettings[0].roleGroup@odata.bind'],
        ];
        for (const [body, message, target] of cases) {
          await s.expectError(await s.call('POST', SOURCE_SYSTEMS, { body }), 400, 'BadRequest', message, target);
        }
        await s.expectError(await s.call('POST', SOURCE_SYSTEMS, { body: '{"displayName": ', headers: { 'content-type': 'application/json' } }), 400, 'BadRequest');
      });

      test('DELETE: 204, then 404; a source system a connector uses is kept: 409 Conflict naming the connector', async () => {
        const lonely = await s.sourceSystem();
        assert.equal((await s.call('DELETE', `${SOURCE_SYSTEMS}/${lonely.id as string}`)).status, 204);
        await s.expectError(await s.call('GET', `${SOURCE_SYSTEMS}/${lonely.id as string}`), 404, 'ResourceNotFound');
        await s.expectError(await s.call('DELETE', `${SOURCE_SYSTEMS}/${lonely.id as string}`), 404, 'ResourceNotFound');
        const used = await s.sourceSystem();
        const connector = await s.connector(used.id as string);
        await s.expectError(await s.call('DELETE', `${SOURCE_SYSTEMS}/${used.id as string}`), 409, 'Conflict', connector.id as string);
        assert.equal((await s.call('DELETE', `${CONNECTORS}/${connector.id as string}`)).status, 204);
        assert.equal((await s.call('DELETE', `${SOURCE_SYSTEMS}/${used.id as string}`)).status, 204);
      });
    });

    describe('data connectors', () => {
      let system: Json;
      before(async () => {
        system = await s.sourceSystem({ displayName: 'Connector source', vendor: 'Contoso' });
      });

      test("create: the documented request gives the documented 201 (spec §4.2)", async () => {
        const res = await s.call('POST', CONNECTORS, {
          body: {
            '@odata.type': '#microsoft.graph.industryData.azureDataLakeConnector',
            displayName: 'CSV connector',
            'sourceSystem@odata.bind': `https://graph.microsoft.com/beta/external/industryData/sourceSystems('${system.id as string}')`,
            fileFormat: { '@odata.type': 'microsoft.graph.industryData.fileFormatReferenceValue', code: 'schoolDataSyncV1' },
          },
        });
        assert.equal(res.status, 201);
        const body = await json(res);
        assert.equal(res.headers.get('location'), `${root}/external/industryData/dataConnectors/${body.id as string}`);
        assert.deepEqual(body, {
          '@odata.context': `${root}/$metadata#external/industryData/dataConnectors/$entity`,
          '@odata.type': CONNECTOR_TYPE,
          id: body.id,
          displayName: 'CSV connector',
          fileFormat: { ...FILE_FORMAT, code: 'schoolDataSyncV1' },
        });
      });

      test('sourceSystem@odata.bind: absolute or relative, key as (\'id\'), (id) or /id; @odata.type with or without #', async () => {
        const id = system.id as string;
        for (const bind of [
          `${root}/external/industryData/sourceSystems/${id}`,
          `https://graph.microsoft.com/beta/external/industryData/sourceSystems(${id})`,
          `external/industryData/sourceSystems('${id}')`,
          `/beta/external/industryData/sourceSystems/${id}`,
          `/external/industryData/sourceSystems(%27${id}%27)`,
        ]) {
          const connector = await s.connector(id, { 'sourceSystem@odata.bind': bind, '@odata.type': CAST });
          const expanded = await s.get(`${CONNECTORS}/${connector.id as string}?$expand=sourceSystem($select=id)`);
          assert.deepEqual(expanded.sourceSystem, { id }, bind);
        }
      });

      test('create: each mistake is a 400 naming the property; an unknown source system is a 400 that says so', async () => {
        const bind = `https://graph.microsoft.com/beta/external/industryData/sourceSystems('${system.id as string}')`;
        const good = { '@odata.type': CONNECTOR_TYPE, displayName: 'x', 'sourceSystem@odata.bind': bind, fileFormat: { code: 'schoolDataSyncV2Rev1' } };
        const without = (name: string) => Object.fromEntries(Object.entries(good).filter(([k]) => k !== name));
        const cases: [Json, string | RegExp, string][] = [
          [without('@odata.type'), "must contain '@odata.type'", '@odata.type'],
          [{ ...good, '@odata.type': '#microsoft.graph.industryData.oneRosterApiDataConnector' }, 'not supported by this service', '@odata.type'],
          [{ ...good, '@odata.type': 'microsoft.graph.user' }, 'not a data connector type', '@odata.type'],
          [without('displayName'), "'displayName' is required", 'displayName'],
          [without('sourceSystem@odata.bind'), "'sourceSystem@odata.bind' is required", 'sourceSystem@odata.bind'],
          [{ ...good, fileFormat: { code: 'csv' } }, "'csv' is not a RefFileFormat code", 'fileFormat.code'],
          [{ ...good, fileFormat: 'schoolDataSyncV2Rev1' }, 'expected an object', 'fileFormat'],
          [{ ...good, fileFormat: { '@odata.type': '#microsoft.graph.industryData.yearReferenceValue', code: 'schoolDataSyncV1' } }, "'fileFormat' is of type", 'fileFormat'],
          [{ ...good, 'sourceSystem@odata.bind': 'https://graph.microsoft.com/beta/users/abc' }, "Invalid value for 'sourceSystem@odata.bind'", 'sourceSystem@odata.bind'],
          [{ ...good, 'sourceSystem@odata.bind': 42 }, "Invalid value for 'sourceSystem@odata.bind'", 'sourceSystem@odata.bind'],
          [{ ...good, sourceSystem: { id: system.id } }, "bind it with 'sourceSystem@odata.bind'", 'sourceSystem'],
          [{ ...good, apiFormat: 'oneRoster' }, "The property 'apiFormat' does not exist", 'apiFormat'],
          [{ ...good, id: 'x' }, 'read-only', 'id'],
          [{ ...good, 'sourceSystem@odata.bind': `external/industryData/sourceSystems('00000000-0000-4000-8000-000000000000')` }, "The source system '00000000-0000-4000-8000-000000000000' bound by 'sourceSystem@odata.bind' does not exist", 'sourceSystem@odata.bind'],
        ];
        for (const [body, message, target] of cases) await s.expectError(await s.call('POST', CONNECTORS, { body }), 400, 'BadRequest', message, target);
      });

      test('$select, $expand=sourceSystem (with nested $select) on one and on the list, with their context URLs', async () => {
        const connector = await s.connector(system.id as string, { displayName: 'Expanded' });
        const id = connector.id as string;
        const expected = {
          id: system.id,
          displayName: 'Connector source',
          vendor: 'Contoso',
          userMatchingSettings: [],
        };
        assert.deepEqual(await s.get(`${CONNECTORS}/${id}?$expand=sourceSystem`), {
          '@odata.context': `${root}/$metadata#external/industryData/dataConnectors(sourceSystem())/$entity`,
          '@odata.type': CONNECTOR_TYPE,
          id,
          displayName: 'Expanded',
          fileFormat: FILE_FORMAT,
          sourceSystem: expected,
        });
        assert.deepEqual(await s.get(`${CONNECTORS}/${id}?$select=displayName&$expand=sourceSystem($select=displayName)`), {
          '@odata.context': `${root}/$metadata#external/industryData/dataConnectors(displayName,sourceSystem(displayName))/$entity`,
          '@odata.type': CONNECTOR_TYPE,
          displayName: 'Expanded',
          sourceSystem: { displayName: 'Connector source' },
        });
        const list = await s.get(`${CONNECTORS}?$filter=displayName eq 'Expanded'&$expand=sourceSystem($select=vendor)&$select=id`);
        assert.deepEqual(list, {
          '@odata.context': `${root}/$metadata#external/industryData/dataConnectors(id,sourceSystem(vendor))`,
          value: [{ '@odata.type': CONNECTOR_TYPE, id, sourceSystem: { vendor: 'Contoso' } }],
        });
        assert.deepEqual(await s.get(`${CONNECTORS}/${id}/sourceSystem?$select=vendor`), {
          '@odata.context': `${root}/$metadata#external/industryData/dataConnectors('${id}')/sourceSystem(vendor)/$entity`,
          vendor: 'Contoso',
        });
        await s.expectError(await s.call('GET', `${CONNECTORS}/${id}?$expand=owner`), 400, 'BadRequest', "Could not find a property named 'owner'");
        await s.expectError(await s.call('GET', `${CONNECTORS}/${id}?$select=sourceSystem`), 400, 'BadRequest', 'use $expand');
        await s.expectError(await s.call('GET', `${CONNECTORS}/${id}?$top=1`), 400, 'BadRequest', '$top');
      });

      test('the list pages through every connector, with $filter on fileFormat/code and $count', async () => {
        const other = await s.sourceSystem({ displayName: 'Paging source' });
        const made = new Set<string>();
        for (let i = 0; i < 5; i++) made.add((await s.connector(other.id as string, { displayName: `Page ${i}` })).id as string);
        const v1 = await s.connector(other.id as string, { displayName: 'Page v1', fileFormat: { code: 'schoolDataSyncV1' } });
        const seen = await all(`${CONNECTORS}?$filter=startswith(displayName,'Page ') and fileFormat/code eq 'schoolDataSyncV2Rev1'&$top=2`, `${root}/$metadata#external/industryData/dataConnectors`);
        assert.deepEqual(new Set(seen.map((c) => c.id)), made);
        assert.equal(seen.length, 5, 'no repeats');
        assert.equal(await (await s.call('GET', `${CONNECTORS}/$count?$filter=fileFormat/code eq 'schoolDataSyncV1' and id eq '${v1.id as string}'`)).text(), '1');
        const withExpand = await all(`${CONNECTORS}?$filter=startswith(displayName,'Page ')&$top=4&$expand=sourceSystem($select=displayName)`, `${root}/$metadata#external/industryData/dataConnectors(sourceSystem(displayName))`);
        assert.equal(withExpand.length, 6);
        for (const c of withExpand) assert.deepEqual(c.sourceSystem, { displayName: 'Paging source' });
      });

      test('PATCH: displayName, fileFormat and a new source system binding; strict like create', async () => {
        const connector = await s.connector(system.id as string, { displayName: 'Old name' });
        const id = connector.id as string;
        const other = await s.sourceSystem({ displayName: 'Rebound' });
        const res = await s.call('PATCH', `${CONNECTORS}/${id}`, {
          body: { '@odata.type': CONNECTOR_TYPE, displayName: 'New name', fileFormat: { code: 'schoolDataSyncV1' }, 'sourceSystem@odata.bind': `external/industryData/sourceSystems/${other.id as string}` },
        });
        assert.equal(res.status, 204, await res.clone().text());
        const after = await s.get(`${CONNECTORS}/${id}?$expand=sourceSystem($select=displayName)`);
        assert.equal(after.displayName, 'New name');
        assert.deepEqual(after.fileFormat, { ...FILE_FORMAT, code: 'schoolDataSyncV1' });
        assert.deepEqual(after.sourceSystem, { displayName: 'Rebound' });
        await s.expectError(await s.call('PATCH', `${CONNECTORS}/${id}`, { body: { '@odata.type': '#microsoft.graph.industryData.apiDataConnector', displayName: 'x' } }), 400, 'BadRequest', undefined, '@odata.type');
        await s.expectError(await s.call('PATCH', `${CONNECTORS}/${id}`, { body: { displayName: '' } }), 400, 'BadRequest', undefined, 'displayName');
        await s.expectError(await s.call('PATCH', `${CONNECTORS}/${id}`, { body: { baseUrl: 'https://x' } }), 400, 'BadRequest', undefined, 'baseUrl');
        await s.expectError(
          await s.call('PATCH', `${CONNECTORS}/${id}`, { body: { 'sourceSystem@odata.bind': 'external/industryData/sourceSystems/00000000-0000-4000-8000-000000000000' } }),
          400,
          'BadRequest',
          'does not exist',
          'sourceSystem@odata.bind',
        );
        await s.expectError(await s.call('PATCH', `${CONNECTORS}/00000000-0000-4000-8000-000000000000`, { body: { displayName: 'x' } }), 404, 'ResourceNotFound');
      });

      test('DELETE: 204, then 404; its upload URL stops working; PUT on the collection is a 405', async () => {
        const connector = await s.connector(system.id as string);
        const id = connector.id as string;
        const session = await s.session(id);
        const url = new URL(session.sessionUrl as string);
        const blob = `${url.origin}${url.pathname}/orgs.csv${url.search}`;
        const put = await fetch(blob, { method: 'PUT', headers: { 'x-ms-blob-type': 'BlockBlob' }, body: 'sourcedId,name,type\n' });
        assert.equal(put.status, 201);
        assert.equal((await s.call('DELETE', `${CONNECTORS}/${id}`)).status, 204);
        await s.expectError(await s.call('GET', `${CONNECTORS}/${id}`), 404, 'ResourceNotFound');
        await s.expectError(await s.call('DELETE', `${CONNECTORS}/${id}`), 404, 'ResourceNotFound');
        const after = await fetch(blob);
        assert.equal(after.status, 403);
        assert.equal(after.headers.get('x-ms-error-code'), 'AuthenticationFailed');
        const store = (await s.ts.server.db.query<{ n: number }>('SELECT count(*)::int AS n FROM industry_data_upload_sessions WHERE connector_id = $1', [id]))[0]!;
        assert.equal(store.n, 0);
        const res = await s.call('PUT', CONNECTORS, { body: {} });
        assert.equal(res.status, 405);
        assert.match(res.headers.get('allow')!, /GET/);
      });
    });

    describe('getUploadSession', () => {
      let connectorId: string;
      before(async () => {
        const system = await s.sourceSystem();
        connectorId = (await s.connector(system.id as string)).id as string;
      });

      test('a fileUploadSession: a container URL on this service, signed, expiring (spec §4.3)', async () => {
        const before = Date.now();
        const session = await s.session(connectorId);
        assert.deepEqual(Object.keys(session), ['@odata.context', 'containerExpirationDateTime', 'containerId', 'sessionExpirationDateTime', 'sessionUrl']);
        assert.equal(session['@odata.context'], `${root}/$metadata#microsoft.graph.industryData.fileUploadSession`);
        assert.match(session.containerId as string, GUID);
        assert.match(session.containerExpirationDateTime as string, ISO);
        assert.match(session.sessionExpirationDateTime as string, ISO);
        const container = Date.parse(session.containerExpirationDateTime as string);
        const expiry = Date.parse(session.sessionExpirationDateTime as string);
        assert.ok(Math.abs(container - before - 48 * 3600_000) < 60_000, 'the container lives two days');
        assert.ok(Math.abs(expiry - before - 14 * 3600_000) < 60_000, 'the URL lives 14 hours');
        const url = new URL(session.sessionUrl as string);
        assert.equal(`${url.origin}${url.pathname}`, `${s.ts.url}/blob/${session.containerId as string}`);
        assert.deepEqual([...url.searchParams.keys()], ['sv', 'se', 'sr', 'sp', 'sig']);
        assert.equal(url.searchParams.get('sr'), 'c');
        assert.equal(url.searchParams.get('sp'), 'racwdl');
        assert.equal(Date.parse(url.searchParams.get('se')!), expiry);
      });

      test('every call form of spec §4.2 answers the same session; resetSession=true a new one', async () => {
        const first = await s.session(connectorId);
        for (const form of [
          `${CAST}/getUploadSession`,
          `${CAST}/getUploadSession()`,
          `${CAST}/GetUploadSession`,
          `${CAST.toLowerCase()}/getuploadsession()`,
          'getUploadSession',
          `${CAST}/getUploadSession(resetSession=false)`,
          `${CAST}/getUploadSession?resetSession=false`,
        ]) {
          assert.equal((await s.session(connectorId, form)).containerId, first.containerId, form);
        }
        let previous = first.containerId;
        for (const form of [
          `${CAST}/getUploadSession(resetSession=true)`,
          `${CAST}/getUploadSession?resetSession=true`,
          `${CAST}/getUploadSession()?resetSession=TRUE`,
          'getUploadSession(resetSession=true)',
        ]) {
          const next = await s.session(connectorId, form);
          assert.notEqual(next.containerId, previous, form);
          previous = next.containerId;
        }
      });

      test('bad parameters are 400s; an unknown function or connector is not found', async () => {
        await s.expectError(await s.call('GET', `${CONNECTORS}/${connectorId}/${CAST}/getUploadSession(resetSession=maybe)`), 400, 'BadRequest', "'resetSession'");
        await s.expectError(await s.call('GET', `${CONNECTORS}/${connectorId}/${CAST}/getUploadSession?resetSession=1`), 400, 'BadRequest', "'resetSession'");
        await s.expectError(await s.call('GET', `${CONNECTORS}/${connectorId}/${CAST}/getUploadSession(reset=true)`), 400, 'BadRequest', "no parameter 'reset'");
        await s.expectError(await s.call('GET', `${CONNECTORS}/${connectorId}/${CAST}/getUploadSession(resetSession=true)?resetSession=false`), 400, 'BadRequest', 'different values');
        await s.expectError(await s.call('GET', `${CONNECTORS}/${connectorId}/${CAST}/getDownloadSession`), 400, 'BadRequest', "segment 'getDownloadSession'");
        await s.expectError(await s.call('GET', `${CONNECTORS}/${connectorId}/microsoft.graph.user/getUploadSession`), 400, 'BadRequest');
        await s.expectError(await s.call('GET', `${CONNECTORS}/00000000-0000-4000-8000-000000000000/${CAST}/getUploadSession`), 404, 'ResourceNotFound');
      });
    });

    describe('validate', () => {
      let connectorId: string;
      before(async () => {
        const system = await s.sourceSystem();
        connectorId = (await s.connector(system.id as string)).id as string;
      });

      test('202 Accepted, Location = Operation-Location (absolute), Retry-After, no body; the operation is in …/operations', async () => {
        const res = await s.call('POST', `${CONNECTORS}/${connectorId}/validate`);
        assert.equal(res.status, 202);
        assert.equal(await res.text(), '');
        const location = res.headers.get('location')!;
        assert.match(location, new RegExp(`^${root.replace(/[.]/g, '\\.')}/external/industryData/operations/[0-9a-f-]{36}$`));
        assert.equal(res.headers.get('operation-location'), location);
        assert.match(res.headers.get('retry-after')!, /^\d+$/);
        const operation = await s.get(location.slice(s.ts.url.length));
        assert.equal(operation['@odata.type'], '#microsoft.graph.industryData.fileValidateOperation');
        const listed = await s.get(`${OPERATIONS}?$filter=id eq '${operation.id as string}'`);
        assert.equal((listed.value as Json[]).length, 1);
        // `{}` is no parameters too; anything else is a 400.
        assert.equal((await s.call('POST', `${CONNECTORS}/${connectorId}/microsoft.graph.industryData.validate`, { body: {} })).status, 202);
        await s.expectError(await s.call('POST', `${CONNECTORS}/${connectorId}/validate`, { body: { force: true } }), 400, 'BadRequest', 'takes no parameters');
        await s.expectError(await s.call('POST', `${CONNECTORS}/00000000-0000-4000-8000-000000000000/validate`), 404, 'ResourceNotFound');
        await s.expectError(await s.call('GET', `${CONNECTORS}/${connectorId}/validate`), 405, 'MethodNotAllowed');
      });

      test('through an inbound flow: …/inboundFlows/{id}/dataConnector/validate (spec §4.2)', async () => {
        const created = await s.call('POST', INBOUND_FLOWS, {
          body: {
            '@odata.type': '#microsoft.graph.industryData.inboundFileFlow',
            'dataConnector@odata.bind': `https://graph.microsoft.com/beta/external/industryData/dataConnectors/${connectorId}`,
            displayName: 'Inbound rostering flow',
            dataDomain: 'educationRostering',
            effectiveDateTime: '2023-03-12T16:40:46.924769+05:30',
            expirationDateTime: '2099-03-13T16:40:46.924769+05:30',
          },
        });
        assert.equal(created.status, 201, await created.clone().text());
        const flow = await json(created);
        assert.deepEqual(flow, {
          '@odata.context': `${root}/$metadata#external/industryData/inboundFlows/$entity`,
          '@odata.type': '#microsoft.graph.industryData.inboundFileFlow',
          id: flow.id,
          displayName: 'Inbound rostering flow',
          readinessStatus: 'ready',
          dataDomain: 'educationRostering',
          effectiveDateTime: '2023-03-12T11:10:46.924769Z',
          expirationDateTime: '2099-03-13T11:10:46.924769Z',
        });
        const flowId = flow.id as string;
        const connector = await s.get(`${INBOUND_FLOWS}/${flowId}/dataConnector?$select=id`);
        assert.deepEqual(connector, {
          '@odata.context': `${root}/$metadata#external/industryData/inboundFlows('${flowId}')/dataConnector(id)/$entity`,
          '@odata.type': CONNECTOR_TYPE,
          id: connectorId,
        });
        const expanded = await s.get(`${INBOUND_FLOWS}?$expand=dataConnector($select=displayName)&$select=displayName`);
        assert.deepEqual(expanded.value, [{ '@odata.type': '#microsoft.graph.industryData.inboundFileFlow', displayName: 'Inbound rostering flow', dataConnector: { '@odata.type': CONNECTOR_TYPE, displayName: 'CSV connector' } }]);
        const res = await s.call('POST', `${INBOUND_FLOWS}/${flowId}/dataConnector/validate`);
        assert.equal(res.status, 202);
        assert.equal(res.headers.get('operation-location'), res.headers.get('location'));
        const operation = await s.get(res.headers.get('location')!.slice(s.ts.url.length), undefined);
        assert.equal(operation['@odata.type'], '#microsoft.graph.industryData.fileValidateOperation');
        // A connector an inbound flow uses is kept.
        await s.expectError(await s.call('DELETE', `${CONNECTORS}/${connectorId}`), 409, 'Conflict', flowId);
        await s.expectError(await s.call('POST', `${INBOUND_FLOWS}/00000000-0000-4000-8000-000000000000/dataConnector/validate`), 404, 'ResourceNotFound');
        assert.equal((await s.call('DELETE', `${INBOUND_FLOWS}/${flowId}`)).status, 204);
        await s.expectError(await s.call('GET', `${INBOUND_FLOWS}/${flowId}`), 404, 'ResourceNotFound');
      });

      test('inbound flow bodies are strict too', async () => {
        const good = {
          '@odata.type': '#microsoft.graph.industryData.inboundFileFlow',
          'dataConnector@odata.bind': `external/industryData/dataConnectors('${connectorId}')`,
          displayName: 'Flow',
          dataDomain: 'educationRostering',
          effectiveDateTime: '2024-01-01T00:00:00Z',
        };
        const cases: [Json, string, string][] = [
          [{ ...good, '@odata.type': '#microsoft.graph.industryData.inboundApiFlow' }, 'not supported', '@odata.type'],
          [{ ...good, dataDomain: 'finance' }, 'educationRostering', 'dataDomain'],
          [{ ...good, effectiveDateTime: 'yesterday' }, 'DateTimeOffset', 'effectiveDateTime'],
          [{ ...good, expirationDateTime: '2023-01-01T00:00:00Z' }, 'after', 'expirationDateTime'],
          [{ ...good, 'dataConnector@odata.bind': 'external/industryData/dataConnectors/00000000-0000-4000-8000-000000000000' }, 'does not exist', 'dataConnector@odata.bind'],
          [{ ...good, readinessStatus: 'ready' }, 'read-only', 'readinessStatus'],
        ];
        for (const [body, message, target] of cases) await s.expectError(await s.call('POST', INBOUND_FLOWS, { body }), 400, 'BadRequest', message, target);
        await s.expectError(await s.call('PATCH', `${INBOUND_FLOWS}/x`, { body: {} }), 404, 'ResourceNotFound');
      });
    });

    describe('permissions (spec §4.2, §4.5) and tenants', () => {
      test('each endpoint asks for its permission, delegated or application', async () => {
        const system = await s.sourceSystem();
        const connector = await s.connector(system.id as string);
        const c = connector.id as string;
        const upload = `${CONNECTORS}/${c}/${CAST}/getUploadSession`;
        const cases: { method: string; path: string; body?: unknown; allowed: string[] }[] = [
          { method: 'GET', path: SOURCE_SYSTEMS, allowed: ['IndustryData-SourceSystem.Read.All', 'IndustryData-SourceSystem.ReadWrite.All'] },
          { method: 'POST', path: SOURCE_SYSTEMS, body: { displayName: 'p' }, allowed: ['IndustryData-SourceSystem.ReadWrite.All'] },
          { method: 'GET', path: CONNECTORS, allowed: ['IndustryData-DataConnector.Read.All', 'IndustryData-DataConnector.ReadWrite.All'] },
          { method: 'GET', path: `${CONNECTORS}/${c}`, allowed: ['IndustryData-DataConnector.Read.All', 'IndustryData-DataConnector.ReadWrite.All'] },
          { method: 'PATCH', path: `${CONNECTORS}/${c}`, body: { displayName: 'p' }, allowed: ['IndustryData-DataConnector.ReadWrite.All'] },
          { method: 'GET', path: upload, allowed: ['IndustryData-DataConnector.Upload', 'IndustryData-DataConnector.ReadWrite.All'] },
          { method: 'POST', path: `${CONNECTORS}/${c}/validate`, allowed: ['IndustryData-DataConnector.Upload', 'IndustryData-DataConnector.ReadWrite.All'] },
          { method: 'GET', path: OPERATIONS, allowed: ['IndustryData.ReadBasic.All'] },
          { method: 'GET', path: INBOUND_FLOWS, allowed: ['IndustryData-InboundFlow.Read.All', 'IndustryData-InboundFlow.ReadWrite.All'] },
        ];
        const every = [
          'IndustryData-SourceSystem.Read.All',
          'IndustryData-SourceSystem.ReadWrite.All',
          'IndustryData-DataConnector.Read.All',
          'IndustryData-DataConnector.ReadWrite.All',
          'IndustryData-DataConnector.Upload',
          'IndustryData.ReadBasic.All',
          'IndustryData-InboundFlow.Read.All',
          'IndustryData-InboundFlow.ReadWrite.All',
        ];
        for (const { method, path, body, allowed } of cases) {
          for (const permission of every) {
            for (const app of [false, true]) {
              const token = await s.token(app ? { app: true, roles: [permission], scopes: undefined } : { scopes: [permission] });
              const res = await s.call(method, path, { token, body });
              const expected = allowed.includes(permission);
              assert.equal(res.status === 403, !expected, `${method} ${path} with ${app ? 'role' : 'scope'} ${permission}: ${res.status}`);
              if (!expected) assert.equal(((await json(res)).error as Json).code, 'Authorization_RequestDenied');
            }
          }
        }
        await s.expectError(await s.call('GET', CONNECTORS, { token: '' }), 401, 'InvalidAuthenticationToken');
      });

      test("another tenant's objects are 404s, exactly like missing ones; its lists are empty", async () => {
        const system = await s.sourceSystem();
        const connector = await s.connector(system.id as string);
        const c = connector.id as string;
        const other = await s.token({ tenantId: OTHER_TENANT });
        const missing = async (method: string, path: string, body?: unknown) => {
          const theirs = await s.call(method, path, { token: other, body });
          await s.expectError(theirs, 404, 'ResourceNotFound');
        };
        await missing('GET', `${SOURCE_SYSTEMS}/${system.id as string}`);
        await missing('PATCH', `${SOURCE_SYSTEMS}/${system.id as string}`, { displayName: 'mine' });
        await missing('DELETE', `${SOURCE_SYSTEMS}/${system.id as string}`);
        await missing('GET', `${CONNECTORS}/${c}`);
        await missing('GET', `${CONNECTORS}/${c}/sourceSystem`);
        await missing('PATCH', `${CONNECTORS}/${c}`, { displayName: 'mine' });
        await missing('DELETE', `${CONNECTORS}/${c}`);
        await missing('GET', `${CONNECTORS}/${c}/${CAST}/getUploadSession`);
        await missing('POST', `${CONNECTORS}/${c}/validate`);
        const mine = await s.get(`${CONNECTORS}/${c}`);
        assert.equal(mine.displayName, 'CSV connector', 'unchanged');
        assert.deepEqual((await s.get(SOURCE_SYSTEMS, other)).value, []);
        assert.deepEqual((await s.get(CONNECTORS, other)).value, []);
        assert.deepEqual((await s.get(OPERATIONS, other)).value, []);
        // Binding another tenant's source system is binding one that does not exist.
        await s.expectError(
          await s.call('POST', CONNECTORS, {
            token: other,
            body: { '@odata.type': CONNECTOR_TYPE, displayName: 'x', 'sourceSystem@odata.bind': `external/industryData/sourceSystems/${system.id as string}`, fileFormat: { code: 'schoolDataSyncV2Rev1' } },
          }),
          400,
          'BadRequest',
          'does not exist',
          'sourceSystem@odata.bind',
        );
      });
    });
  });
}
