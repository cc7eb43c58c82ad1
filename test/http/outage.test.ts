// A database outage is answered 503 serviceNotAvailable with Retry-After, never 500: the server
// reaches PostgreSQL through a TCP proxy the test cuts (every connection reset, the port refusing
// new ones) and restores. Meanwhile /healthz stays 200 and /readyz is 503; once the database is
// back, requests succeed again without a restart.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo, Server, Socket } from 'node:net';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DirectoryRoles, mintToken } from '../../src/auth/index.js';
import type { RunningServer } from '../../src/http/server.js';
import { startServer } from '../../src/http/server.js';
import type { TestDatabase } from '../support/backends.js';
import { eventually, postgres, TENANT } from '../support/backends.js';

/** Forwards a loopback port to `target`; `cut()` resets every connection and stops listening. */
async function tcpProxy(target: URL) {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const listen = async () => {
    server = createServer((client) => {
      const upstream = connect(Number(target.port || 5432), target.hostname);
      for (const [socket, other] of [[client, upstream], [upstream, client]] as const) {
        sockets.add(socket);
        socket.on('error', () => {});
        socket.on('close', () => {
          sockets.delete(socket);
          other.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  };
  await listen();
  return {
    port: () => port,
    async cut() {
      const closed = new Promise((resolve) => server!.close(resolve));
      for (const socket of sockets) socket.resetAndDestroy();
      await closed;
    },
    restore: listen,
  };
}

const ALERTS = '/beta/identityGovernance/roleManagementAlerts';
const ALERT_ID = `DirectoryRole_${TENANT}_StaleSignInAlert`;
const REFRESH_ID = `refresh:${ALERT_ID}`;

describe('database outage', { timeout: 60_000 }, () => {
  let database: TestDatabase;
  let proxy: Awaited<ReturnType<typeof tcpProxy>>;
  let server: RunningServer;
  let dataDir: string;
  let reader: string;
  let writer: string;

  before(async () => {
    database = await postgres.create();
    const direct = new URL(database.url!);
    proxy = await tcpProxy(direct);
    const viaProxy = new URL(direct);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port());
    dataDir = mkdtempSync(join(tmpdir(), 'graph-lro-outage-'));
    server = await startServer({ port: 0, host: '127.0.0.1', dataDir, databaseUrl: viaProxy.toString(), workers: false, shutdownGraceMs: 500 });
    await server.engine.create({ tenantId: TENANT, family: 'roleManagementAlerts', kind: 'roleManagementAlerts.refresh', id: REFRESH_ID, resourceLocation: '', statusDetail: '' });
    const mint = (scopes: string[], wids: string[]) => mintToken({ key: server.signingKey!, tenantId: TENANT, scopes, wids });
    reader = await mint(['RoleManagementAlert.Read.Directory'], [DirectoryRoles.globalReader]);
    writer = await mint(['RoleManagementAlert.ReadWrite.Directory'], [DirectoryRoles.privilegedRoleAdministrator]);
  });
  after(async () => {
    await server.close();
    await proxy.cut();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const call = (path: string, token?: string, method = 'GET') =>
    fetch(`${server.url}${path}`, { method, headers: token ? { authorization: `Bearer ${token}` } : {} });

  test('while the database is away: 503 with Retry-After and a Graph error; /healthz 200, /readyz 503', async () => {
    assert.equal((await call(`${ALERTS}/operations/${REFRESH_ID}`, reader)).status, 200);
    await proxy.cut();
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
    assert.equal((await call('/healthz')).status, 200);
    const ready = await call('/readyz');
    assert.equal(ready.status, 503);
    assert.match(ready.headers.get('retry-after') ?? '', /^\d+$/);
  });

  test('when the database is back, requests succeed without a restart', async () => {
    await proxy.restore();
    await eventually(async () => ((await call(`${ALERTS}/operations/${REFRESH_ID}`, reader)).status === 200 ? true : undefined), 30_000, 'a 200 after the outage');
    assert.equal((await call('/readyz')).status, 200);
  });
});
