// A database outage is answered 503 serviceNotAvailable with Retry-After, never 500: the server
// reaches PostgreSQL through a TCP proxy the test cuts (every connection reset, the port refusing
// new ones) and restores. Meanwhile /healthz stays 200 and /readyz is 503; once the database is
// back, requests succeed again without a restart.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DirectoryRoles, mintToken } from '../../src/auth/index.js';
import type { RunningServer } from '../../src/http/server.js';
import { startServer } from '../../src/http/server.js';
import type { TestDatabase } from '../support/backends.js';
import { eventually, postgres, TENANT } from '../support/backends.js';
import type { DatabaseProxy } from '../support/proxy.js';
import { proxyDatabase } from '../support/proxy.js';
import { ALL_SCOPES, CAST, CONNECTOR_TYPE, CONNECTORS, SOURCE_SYSTEMS } from '../families/industryData/support.js';

const ALERTS = '/beta/identityGovernance/roleManagementAlerts';
const ALERT_ID = `DirectoryRole_${TENANT}_StaleSignInAlert`;
const REFRESH_ID = `refresh:${ALERT_ID}`;

describe('database outage', { timeout: 60_000 }, () => {
  let database: TestDatabase;
  let proxy: DatabaseProxy;
  let server: RunningServer;
  let dataDir: string;
  let reader: string;
  let writer: string;
  let blobUrl: URL;

  before(async () => {
    database = await postgres.create();
    proxy = await proxyDatabase(database.url!);
    dataDir = mkdtempSync(join(tmpdir(), 'graph-lro-outage-'));
    server = await startServer({ port: 0, host: '127.0.0.1', dataDir, databaseUrl: proxy.url, workers: false, shutdownGraceMs: 500 });
    await server.engine.create({ tenantId: TENANT, family: 'roleManagementAlerts', kind: 'roleManagementAlerts.refresh', id: REFRESH_ID, resourceLocation: '', statusDetail: '' });
    const mint = (scopes: string[], wids: string[]) => mintToken({ key: server.signingKey!, tenantId: TENANT, scopes, wids });
    reader = await mint(['RoleManagementAlert.Read.Directory'], [DirectoryRoles.globalReader]);
    writer = await mint(['RoleManagementAlert.ReadWrite.Directory'], [DirectoryRoles.privilegedRoleAdministrator]);
    // An upload session, to try the blob endpoint during the outage.
    const uploader = await mint(ALL_SCOPES, []);
    const post = async (path: string, body: unknown) =>
      (await (await fetch(`${server.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${uploader}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })).json()) as Record<string, string>;
    const source = await post(SOURCE_SYSTEMS, { displayName: 'SIS', vendor: 'Contoso' });
    const connector = await post(CONNECTORS, {
      '@odata.type': CONNECTOR_TYPE,
      displayName: 'CSV',
      'sourceSystem@odata.bind': `https://graph.microsoft.com/beta/external/industryData/sourceSystems('${source.id}')`,
      fileFormat: { '@odata.type': 'microsoft.graph.industryData.fileFormatReferenceValue', code: 'schoolDataSyncV2Rev1' },
    });
    const session = (await (await call(`${CONNECTORS}/${connector.id}/${CAST}/getUploadSession`, uploader)).json()) as { sessionUrl: string };
    blobUrl = new URL(session.sessionUrl);
    blobUrl.pathname += '/users.csv';
  });
  after(async () => {
    await server.close();
    await proxy.close();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  function call(path: string, token?: string, method = 'GET') {
    return fetch(`${server.url}${path}`, { method, headers: token ? { authorization: `Bearer ${token}` } : {} });
  }

  test('while the database is away: 503 with Retry-After and a Graph error; /healthz 200, /readyz 503', async () => {
    assert.equal((await call(`${ALERTS}/operations/${REFRESH_ID}`, reader)).status, 200);
    await proxy.down();
    const requests: [string, string, string?][] = [
      [`${ALERTS}/operations/${REFRESH_ID}`, reader],
      [`${ALERTS}/operations`, reader],
      [`${ALERTS}/alerts/${ALERT_ID}/refresh`, writer, 'POST'],
    ];
    for (const [path, token, method] of requests) {
      const res = await call(path, token, method);
      assert.equal(res.status, 503, `${method ?? 'GET'} ${path}`);
      assert.match(res.headers.get('retry-after') ?? '', /^\d+$/);
      const { error } = (await res.json()) as { error: { code: string; message: string; innerError: Record<string, string> } };
      assert.equal(error.code, 'serviceNotAvailable');
      assert.equal(error.innerError['request-id'], res.headers.get('request-id'));
    }
    // The upload endpoint answers as Azure Storage does when it cannot serve: 503 ServerBusy, in XML.
    const put = await fetch(blobUrl, { method: 'PUT', headers: { 'x-ms-blob-type': 'BlockBlob', 'content-type': 'text/csv' }, body: 'sourcedId\n1\n' });
    assert.equal(put.status, 503, await put.clone().text());
    assert.equal(put.headers.get('x-ms-error-code'), 'ServerBusy');
    assert.match(put.headers.get('retry-after') ?? '', /^\d+$/);
    assert.match(await put.text(), /<Code>ServerBusy<\/Code>/);
    assert.equal((await call('/healthz')).status, 200);
    const ready = await call('/readyz');
    assert.equal(ready.status, 503);
    assert.match(ready.headers.get('retry-after') ?? '', /^\d+$/);
  });

  test('when the database is back, requests succeed without a restart', async () => {
    await proxy.up();
    await eventually(async () => ((await call(`${ALERTS}/operations/${REFRESH_ID}`, reader)).status === 200 ? true : undefined), 30_000, 'a 200 after the outage');
    assert.equal((await call('/readyz')).status, 200);
  });
});
