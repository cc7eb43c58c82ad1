// The navigation properties of alerts and configurations, GET as Graph serves them: the entity
// behind each, in the navigation's context, with $select; 404 for another tenant's alert.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { backends, TENANT } from '../../support/backends.js';
import type { TestServer } from '../../support/server.js';
import { startTestServer } from '../../support/server.js';

const ROOT = '/beta/identityGovernance/roleManagementAlerts';
const id = (name: string, tenant = TENANT) => `DirectoryRole_${tenant}_${name}`;
type Json = Record<string, unknown>;

for (const backend of backends) {
  describe(`alert navigation properties on ${backend.name}`, () => {
    let ts: TestServer;
    let root: string;
    before(async () => {
      ts = await startTestServer(backend);
      root = `${ts.url}/beta`;
    });
    after(() => ts.close());

    const get = async (path: string) => {
      const res = await ts.get(path);
      assert.equal(res.status, 200, `${path}: ${await res.clone().text()}`);
      return (await res.json()) as Json;
    };

    test('alerts/{id}/alertDefinition', async () => {
      const alert = id('StaleSignInAlert');
      const body = await get(`${ROOT}/alerts/${alert}/alertDefinition`);
      assert.equal(body['@odata.context'], `${root}/$metadata#identityGovernance/roleManagementAlerts/alerts('${alert}')/alertDefinition/$entity`);
      assert.equal(body.id, alert);
      assert.equal(body.severityLevel, 'medium');
      assert.equal(body['@odata.type'], undefined, 'the declared type, untyped');
      assert.deepEqual(Object.keys(body).slice(0, 4), ['@odata.context', 'id', 'displayName', 'scopeType']);
      assert.deepEqual(await get(`${ROOT}/alerts/${alert}/alertDefinition?$select=isRemediatable`), {
        '@odata.context': `${root}/$metadata#identityGovernance/roleManagementAlerts/alerts('${alert}')/alertDefinition(isRemediatable)/$entity`,
        isRemediatable: true,
      });
    });

    test('alerts/{id}/alertConfiguration: typed with its subtype, thresholds included', async () => {
      const alert = id('TooManyGlobalAdminsAssignedToTenantAlert');
      assert.deepEqual(await get(`${ROOT}/alerts/${alert}/alertConfiguration`), {
        '@odata.context': `${root}/$metadata#identityGovernance/roleManagementAlerts/alerts('${alert}')/alertConfiguration/$entity`,
        '@odata.type': '#microsoft.graph.tooManyGlobalAdminsAssignedToTenantAlertConfiguration',
        id: alert,
        alertDefinitionId: alert,
        scopeType: 'DirectoryRole',
        scopeId: '/',
        isEnabled: true,
        globalAdminCountThreshold: 3,
        percentageOfGlobalAdminsOutOfRolesThreshold: 10,
      });
    });

    test('alertConfigurations/{id}/alertDefinition', async () => {
      const alert = id('RedundantAssignmentAlert');
      const body = await get(`${ROOT}/alertConfigurations/${alert}/alertDefinition?$select=id,isConfigurable`);
      assert.deepEqual(body, {
        '@odata.context': `${root}/$metadata#identityGovernance/roleManagementAlerts/alertConfigurations('${alert}')/alertDefinition(id,isConfigurable)/$entity`,
        id: alert,
        isConfigurable: true,
      });
    });

    test("another tenant's alert, an unknown one and a bad option", async () => {
      const foreign = id('StaleSignInAlert', '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d');
      for (const path of [`${ROOT}/alerts/${foreign}/alertDefinition`, `${ROOT}/alerts/${id('NoSuchAlert')}/alertConfiguration`, `${ROOT}/alertConfigurations/${foreign}/alertDefinition`]) {
        const res = await ts.get(path);
        assert.equal(res.status, 404, path);
        assert.equal(((await res.json()) as { error: Json }).error.code, 'ResourceNotFound');
      }
      const res = await ts.get(`${ROOT}/alerts/${id('StaleSignInAlert')}/alertDefinition?$top=1`);
      assert.equal(res.status, 400);
      const write = await fetch(`${ts.url}${ROOT}/alerts/${id('StaleSignInAlert')}/alertDefinition`, { method: 'PATCH', headers: { authorization: `Bearer ${await ts.token()}` } });
      assert.equal(write.status, 405);
    });
  });
}
