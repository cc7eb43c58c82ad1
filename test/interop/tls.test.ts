// The Graph JS client, the beta SDK (Kiota) and @azure/storage-blob against `serve --tls`, each
// trusting nothing but the local CA, the way a user sets it up: NODE_EXTRA_CA_CERTS=<ca.pem> in
// the environment of a new process (node reads it only when a process starts), and never
// NODE_TLS_REJECT_UNAUTHORIZED. The calls run in test/fixtures/tls-clients.ts; this file judges
// what they saw.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { DirectoryRoles } from '../../src/auth/index.js';
import { seedDemoTenant } from '../../src/directory/index.js';
import { postgres, TENANT } from '../support/backends.js';
import type { TestServer } from '../support/server.js';
import { startTestServer } from '../support/server.js';

const run = promisify(execFile);
const PIM = '/identityGovernance/roleManagementAlerts';
type Json = Record<string, unknown>;

describe('clients against the HTTPS server, trusting only the local CA', { timeout: 180_000 }, () => {
  let ts: TestServer;
  let token: string;
  let root: string;

  before(async () => {
    ts = await startTestServer(postgres, { tls: { local: true } });
    root = `${ts.url}/beta`;
    await seedDemoTenant(ts.server.db, TENANT, { users: 30 });
    token = await ts.token({
      scopes: [
        'RoleManagementAlert.ReadWrite.Directory',
        'IndustryData-SourceSystem.ReadWrite.All',
        'IndustryData-DataConnector.ReadWrite.All',
        'IndustryData.ReadBasic.All',
      ],
      wids: [DirectoryRoles.privilegedRoleAdministrator],
    });
  });
  after(() => ts?.close());

  /** Runs one scenario in a new node process; `trust: false` leaves the CA out of its environment. */
  async function client(scenario: string, alert: string, trust = true): Promise<Json> {
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.NODE_TLS_REJECT_UNAUTHORIZED;
    delete env.NODE_EXTRA_CA_CERTS;
    if (trust) env.NODE_EXTRA_CA_CERTS = ts.server.tls!.caFile;
    const args = JSON.stringify({ scenario, url: ts.url, token, alertId: `DirectoryRole_${TENANT}_${alert}` });
    let stdout: string;
    try {
      ({ stdout } = await run(process.execPath, ['dist/test/fixtures/tls-clients.js', args], { env, timeout: 120_000 }));
    } catch (err) {
      assert.fail(`${scenario}: ${String((err as { stdout?: string }).stdout ?? err)}`);
    }
    const out = JSON.parse(stdout.trim().split('\n').pop()!) as { env: Json; result: Json };
    assert.deepEqual(out.env, { extraCa: trust ? ts.server.tls!.caFile : null, rejectUnauthorized: null }, 'the client process trusts the CA only through NODE_EXTRA_CA_CERTS');
    return out.result;
  }

  test('without the CA a client refuses the server; with NODE_EXTRA_CA_CERTS it connects', async () => {
    const refused = await client('probe', 'StaleSignInAlert', false);
    assert.match(String(refused.error), /UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY/);
    assert.deepEqual(await client('probe', 'StaleSignInAlert'), { status: 200 });
  });

  test('@microsoft/microsoft-graph-client: lists, pages, starts a refresh, follows Location and resourceLocation over https', async () => {
    const name = 'TooManyGlobalAdminsAssignedToTenantAlert';
    const r = await client('graph-client', name);
    assert.equal(r.context, `${root}/$metadata#identityGovernance/roleManagementAlerts/alerts`);
    assert.equal(r.count, 1);
    assert.ok(String(r.nextLink).startsWith(`${root}${PIM}/alerts?`), String(r.nextLink));
    assert.equal(r.status, 202);
    assert.equal(r.location, `${root}${PIM}/operations/refresh:DirectoryRole_${TENANT}_${name}`);
    const op = r.operation as Json;
    assert.equal(op.status, 'succeeded', JSON.stringify(op));
    assert.equal(op['@odata.context'], `${root}/$metadata#identityGovernance/roleManagementAlerts/operations/$entity`);
    assert.equal(op.resourceLocation, `${root}${PIM}/alerts/DirectoryRole_${TENANT}_${name}`);
    assert.equal(r.alertId, `DirectoryRole_${TENANT}_${name}`);
  });

  test('the beta SDK (Kiota request adapter): reads an alert, refreshes it, reads the operation', async () => {
    const name = 'StaleSignInAlert';
    const r = await client('kiota', name);
    assert.equal(r.alertId, `DirectoryRole_${TENANT}_${name}`);
    assert.equal(typeof r.incidentCount, 'number');
    assert.deepEqual(r.operation, { id: `refresh:DirectoryRole_${TENANT}_${name}`, status: 'succeeded', resourceLocation: `${root}${PIM}/alerts/DirectoryRole_${TENANT}_${name}` });
  });

  test('@azure/storage-blob uploads the sample set to the https sessionUrl; the connector validates it', async () => {
    const r = await client('storage-blob', 'StaleSignInAlert');
    assert.ok(String(r.sessionUrl).startsWith(`${ts.url}/`), String(r.sessionUrl));
    assert.ok((r.uploaded as string[]).length > 3);
    assert.deepEqual(r.listed, r.uploaded);
    assert.equal(r.validateStatus, 202);
    assert.ok(String(r.location).startsWith(`${root}/external/industryData/operations/`), String(r.location));
    const op = r.operation as Json;
    assert.equal(op.status, 'succeeded', JSON.stringify(op));
    assert.deepEqual(op.errors, [], JSON.stringify(op.errors));
  });
});
