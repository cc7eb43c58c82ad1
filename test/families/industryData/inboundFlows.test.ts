// Inbound flows beyond create and delete: PATCH (204, checked like create, bindings included),
// their year (yearTimePeriodDefinition, a collection of its own) and the GETs of both navigation
// properties with their context URLs.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { backends } from '../../support/backends.js';
import type { Json, Suite } from './support.js';
import { INBOUND_FLOWS, json, startSuite, YEARS } from './support.js';

for (const backend of backends) {
  describe(`inbound flows and years on ${backend.name}`, () => {
    let s: Suite;
    let root: string;
    let connectorId: string;
    before(async () => {
      s = await startSuite(backend);
      root = `${s.ts.url}/beta`;
      connectorId = (await s.connector((await s.sourceSystem()).id as string)).id as string;
    });
    after(() => s.close());

    const created = async (path: string, body: Json) => {
      const res = await s.call('POST', path, { body });
      assert.equal(res.status, 201, await res.clone().text());
      return json(res);
    };
    const year = (displayName = '2024-25') => created(YEARS, { displayName, startDate: '2024-09-01', endDate: '2025-06-30', year: { code: '2025' } });
    const flow = (body: Json = {}) =>
      created(INBOUND_FLOWS, {
        '@odata.type': '#microsoft.graph.industryData.inboundFileFlow',
        'dataConnector@odata.bind': `external/industryData/dataConnectors('${connectorId}')`,
        displayName: 'Flow',
        dataDomain: 'educationRostering',
        effectiveDateTime: '2024-09-01T00:00:00Z',
        ...body,
      });

    test('years: create (201 + Location), get, list, PATCH, strict bodies, DELETE; one in use is kept', async () => {
      const res = await s.call('POST', YEARS, { body: { displayName: '2023-24', startDate: '2023-09-01', endDate: '2024-06-30', year: { code: '2024' } } });
      assert.equal(res.status, 201);
      const y = await json(res);
      assert.equal(res.headers.get('location'), `${root}/external/industryData/years/${y.id as string}`);
      assert.deepEqual(y, {
        '@odata.context': `${root}/$metadata#external/industryData/years/$entity`,
        id: y.id,
        displayName: '2023-24',
        startDate: '2023-09-01',
        endDate: '2024-06-30',
        year: { code: '2024' },
      });
      const path = `${YEARS}/${y.id as string}`;
      assert.equal((await s.call('PATCH', path, { body: { displayName: 'School year 2023-24', year: { code: '2024-S' } } })).status, 204);
      assert.deepEqual(await s.get(`${path}?$select=displayName,year`), {
        '@odata.context': `${root}/$metadata#external/industryData/years(displayName,year)/$entity`,
        displayName: 'School year 2023-24',
        year: { code: '2024-S' },
      });
      const listed = await s.get(`${YEARS}?$filter=displayName eq 'School year 2023-24'&$count=true`);
      assert.equal(listed['@odata.count'], 1);
      for (const [body, target] of [
        [{ displayName: 'x', startDate: '2024-13-01', endDate: '2025-06-30', year: { code: '1' } }, 'startDate'],
        [{ displayName: 'x', startDate: '2024-09-01', endDate: '2024-08-31', year: { code: '1' } }, 'endDate'],
        [{ displayName: 'x', startDate: '2024-09-01', endDate: '2025-06-30' }, 'year'],
        [{ displayName: 'x', startDate: '2024-09-01', endDate: '2025-06-30', year: {} }, 'year.code'],
      ] as const) {
        await s.expectError(await s.call('POST', YEARS, { body }), 400, 'BadRequest', undefined, target);
      }
      const used = await year('Used');
      const f = await flow({ 'year@odata.bind': `external/industryData/years/${used.id as string}` });
      await s.expectError(await s.call('DELETE', `${YEARS}/${used.id as string}`), 409, 'Conflict', f.id as string);
      assert.equal((await s.call('DELETE', path)).status, 204);
      await s.expectError(await s.call('GET', path), 404, 'ResourceNotFound');
    });

    test('PATCH an inbound flow: 204, changes what it names, bindings re-bound, strict like create', async () => {
      const f = await flow({ expirationDateTime: '2099-01-01T00:00:00Z' });
      const path = `${INBOUND_FLOWS}/${f.id as string}`;
      const y = await year();
      const res = await s.call('PATCH', path, {
        body: { '@odata.type': '#microsoft.graph.industryData.inboundFileFlow', displayName: 'Renamed', expirationDateTime: null, 'year@odata.bind': `${root}/external/industryData/years('${y.id as string}')` },
      });
      assert.equal(res.status, 204, await res.clone().text());
      assert.equal(await res.text(), '');
      const after = await s.get(path);
      assert.deepEqual([after.displayName, after.expirationDateTime, after.effectiveDateTime, after.dataDomain], ['Renamed', null, '2024-09-01T00:00:00Z', 'educationRostering']);
      for (const [body, message, target] of [
        [{}, 'sets nothing', undefined],
        [{ readinessStatus: 'ready' }, 'read-only', 'readinessStatus'],
        [{ expirationDateTime: '2024-01-01T00:00:00Z' }, 'after', 'expirationDateTime'],
        [{ dataDomain: 'finance' }, 'educationRostering', 'dataDomain'],
        [{ displayName: null }, 'cannot be null', 'displayName'],
        [{ '@odata.type': '#microsoft.graph.industryData.inboundApiFlow', displayName: 'x' }, 'inboundFileFlow', '@odata.type'],
        [{ dataConnector: { id: connectorId } }, 'dataConnector@odata.bind', 'dataConnector'],
        [{ 'dataConnector@odata.bind': 'external/industryData/dataConnectors/00000000-0000-4000-8000-000000000000' }, 'does not exist', 'dataConnector@odata.bind'],
      ] as const) {
        await s.expectError(await s.call('PATCH', path, { body }), 400, 'BadRequest', message, target);
      }
      await s.expectError(await s.call('PATCH', `${INBOUND_FLOWS}/00000000-0000-4000-8000-000000000000`, { body: { displayName: 'x' } }), 404, 'ResourceNotFound');
      const other = await s.token({ tenantId: '5b2d0c3e-9f4a-4c1e-8a7b-6d5e4f3a2b1c' });
      await s.expectError(await s.call('PATCH', path, { token: other, body: { displayName: 'theirs' } }), 404, 'ResourceNotFound');
    });

    test('GET …/inboundFlows/{id}/year and …/dataConnector: the entity, in the navigation’s context; 404 when none is bound', async () => {
      const y = await year('Navigated');
      const bound = await flow({ 'year@odata.bind': `external/industryData/years/${y.id as string}` });
      const unbound = await flow();
      assert.deepEqual(await s.get(`${INBOUND_FLOWS}/${bound.id as string}/year`), {
        '@odata.context': `${root}/$metadata#external/industryData/inboundFlows('${bound.id as string}')/year/$entity`,
        id: y.id,
        displayName: 'Navigated',
        startDate: '2024-09-01',
        endDate: '2025-06-30',
        year: { code: '2025' },
      });
      const connector = await s.get(`${INBOUND_FLOWS}/${bound.id as string}/dataConnector?$select=displayName`);
      assert.equal(connector['@odata.context'], `${root}/$metadata#external/industryData/inboundFlows('${bound.id as string}')/dataConnector(displayName)/$entity`);
      await s.expectError(await s.call('GET', `${INBOUND_FLOWS}/${unbound.id as string}/year`), 404, 'ResourceNotFound');
      const expanded = await s.get(`${INBOUND_FLOWS}/${bound.id as string}?$select=id&$expand=year($select=displayName)`);
      assert.deepEqual(expanded.year, { displayName: 'Navigated' });
      assert.equal(expanded['@odata.context'], `${root}/$metadata#external/industryData/inboundFlows(id,year(displayName))/$entity`);
    });
  });
}
