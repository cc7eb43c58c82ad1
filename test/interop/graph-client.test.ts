// @microsoft/microsoft-graph-client (v3) pointed at the service: custom base URL and host, an
// auth provider that hands out our token; it lists alerts, pages incidents with PageIterator,
// starts a refresh, reads the operation and then the alert at resourceLocation, and surfaces
// Graph errors as GraphError. The client only sends the token over https:// (see tls.ts), which
// the first test shows against plain http.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { PageCollection } from '@microsoft/microsoft-graph-client';
import { Client, GraphError, PageIterator, ResponseType } from '@microsoft/microsoft-graph-client';
import { backends } from '../support/backends.js';
import type { ClientSuite, Json } from './support.js';
import { alertId, refreshAll, startClientSuite } from './support.js';
import type { TlsFront } from './tls.js';
import { graphClient, startTlsFront } from './tls.js';

// The front's certificate is self-signed; this process (one test file) trusts it.
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

const PIM = '/identityGovernance/roleManagementAlerts';
const SCOPE_FILTER = "scopeId eq '/' and scopeType eq 'DirectoryRole'";

for (const backend of backends) {
  describe(`@microsoft/microsoft-graph-client against the service on ${backend.name}`, () => {
    let s: ClientSuite;
    let front: TlsFront;
    let client: Client;

    before(async () => {
      s = await startClientSuite(backend, { config: { trustProxy: true } });
      await refreshAll(s);
      front = await startTlsFront(s.ts.url);
      client = graphClient(front, s.writer);
    });
    after(async () => {
      await front.close();
      await s.close();
    });

    test('over plain http the client drops the token (its AuthenticationHandler only serves https hosts): 401 as a GraphError', async () => {
      const plain = Client.initWithMiddleware({
        authProvider: { getAccessToken: async () => s.writer },
        baseUrl: s.ts.url,
        defaultVersion: 'beta',
        customHosts: new Set(['127.0.0.1']),
      });
      await assert.rejects(plain.api(`${PIM}/alerts`).filter(SCOPE_FILTER).get(), (e: unknown) => {
        assert.ok(e instanceof GraphError, String(e));
        assert.equal(e.statusCode, 401);
        assert.equal(e.code, 'InvalidAuthenticationToken');
        return true;
      });
    });

    test('lists the alerts with $filter/$expand/$select, and pages incidents with PageIterator', async () => {
      const list = (await client.api(`${PIM}/alerts`).filter(SCOPE_FILTER).expand('alertConfiguration').select('id,incidentCount,isActive').get()) as Json;
      assert.equal(list['@odata.context'], `${front.url}/beta/$metadata#identityGovernance/roleManagementAlerts/alerts(id,incidentCount,isActive,alertConfiguration())`);
      const alerts = list.value as Json[];
      assert.equal(alerts.length, 7);
      for (const a of alerts) {
        assert.equal(typeof a.incidentCount, 'number');
        assert.ok((a.incidentCount as number) > 0, `${String(a.id)} has incidents in the demo tenant`);
        assert.match(String((a.alertConfiguration as Json)['@odata.type']), /^#microsoft\.graph\.\w+AlertConfiguration$/);
      }
      const busiest = alerts.reduce((a, b) => ((b.incidentCount as number) > (a.incidentCount as number) ? b : a));
      assert.ok((busiest.incidentCount as number) >= 2, 'an alert with several incidents to page');
      const first = (await client.api(`${PIM}/alerts/${String(busiest.id)}/alertIncidents`).top(1).get()) as PageCollection;
      assert.equal(first.value.length, 1);
      assert.ok(first['@odata.nextLink']?.startsWith(`${front.url}/beta/`), String(first['@odata.nextLink']));
      const ids: string[] = [];
      await new PageIterator(client, first, (incident: Json) => {
        ids.push(String(incident.id));
        return true;
      }).iterate();
      assert.equal(ids.length, busiest.incidentCount);
      assert.equal(new Set(ids).size, ids.length, 'no incident twice across pages');
    });

    test('starts a refresh (202, Location on the https front), reads the operation with Prefer: wait, then the alert at resourceLocation', async () => {
      const name = 'TooManyGlobalAdminsAssignedToTenantAlert';
      const raw = (await client.api(`${PIM}/alerts/${alertId(name)}/refresh`).responseType(ResponseType.RAW).post(undefined)) as Response;
      assert.equal(raw.status, 202);
      const location = raw.headers.get('location')!;
      assert.equal(location, `${front.url}/beta${PIM}/operations/refresh:${alertId(name)}`);
      assert.equal(raw.headers.get('operation-location'), location);
      let op: Json = {};
      for (let i = 0; i < 30 && op.status !== 'succeeded' && op.status !== 'failed'; i++) {
        op = (await client.api(location).header('Prefer', 'wait=10').get()) as Json;
      }
      assert.equal(op['@odata.context'], `${front.url}/beta/$metadata#identityGovernance/roleManagementAlerts/operations/$entity`);
      assert.equal(op.id, `refresh:${alertId(name)}`);
      assert.equal(op.status, 'succeeded');
      assert.equal(op.resourceLocation, `${front.url}/beta${PIM}/alerts/${alertId(name)}`);
      const alert = (await client.api(String(op.resourceLocation)).expand('alertIncidents').get()) as Json;
      assert.equal(alert.id, alertId(name));
      assert.equal(alert.isActive, true);
      assert.equal((alert.alertIncidents as Json[]).length, alert.incidentCount);

      // The refresh-all action with its body, through the client's JSON serialization.
      const all = (await client.api(`${PIM}/alerts/refresh`).responseType(ResponseType.RAW).post({ scopeId: '/', scopeType: 'DirectoryRole' })) as Response;
      assert.equal(all.status, 202);
      assert.ok(all.headers.get('location')?.startsWith(`${front.url}/beta${PIM}/operations/`));
      const final = await s.finish(all.headers.get('location')!.replace(front.url, s.ts.url));
      assert.equal(final.status, 'succeeded');
    });

    test('errors arrive as GraphError with the Graph code, status and request-id', async () => {
      await assert.rejects(client.api(`${PIM}/operations/refresh:nope`).get(), (e: unknown) => {
        assert.ok(e instanceof GraphError, String(e));
        assert.equal(e.statusCode, 404);
        assert.equal(e.code, 'ResourceNotFound');
        assert.ok(e.requestId, 'request-id read from the body’s innerError');
        return true;
      });
      await assert.rejects(client.api(`${PIM}/alerts`).get(), (e: unknown) => {
        assert.ok(e instanceof GraphError);
        assert.equal(e.statusCode, 400, 'the scope filter is required');
        return true;
      });
    });
  });
}
