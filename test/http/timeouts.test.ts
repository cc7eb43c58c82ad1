// Slow clients are cut off, on a server whose timeouts are set short for the test: headers and
// bodies that trickle in past their deadline are answered 408 and closed; a connection that goes
// silent or stays idle between requests is closed. What must not be cut: a long-poll that waits
// longer than the request timeout (a request is timed until it is received, not answered), and
// a body that keeps arriving for longer than the idle timeout.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DirectoryRoles } from '../../src/auth/index.js';
import { postgres, sleep, TENANT } from '../support/backends.js';
import type { TestServer } from '../support/server.js';
import { startTestServer } from '../support/server.js';
import { smallSnapshot } from '../directory/fixtures.js';
import { startSuite } from '../families/industryData/support.js';
import { RawConnection } from './raw.js';

const OPERATION = `/beta/identityGovernance/roleManagementAlerts/operations/refresh:DirectoryRole_${TENANT}_StaleSignInAlert`;

/** Writes `piece()` every `everyMs` until the server closes the connection; how many were written. */
async function trickle(conn: RawConnection, piece: () => string, everyMs: number, most: number): Promise<number> {
  let written = 0;
  while (written < most && (await conn.write(piece()))) {
    written++;
    await sleep(everyMs);
  }
  return written;
}

const graphError = (body: string) => (JSON.parse(body) as { error: { code: string; message: string } }).error;

describe('request deadlines', { timeout: 60_000 }, () => {
  let ts: TestServer;
  let admin: string;
  let upload: URL;
  before(async () => {
    const suite = await startSuite(postgres, { timeouts: { headersMs: 300, requestMs: 600, keepAliveMs: 300, idleMs: 30_000 } });
    ts = suite.ts;
    const connector = await suite.connector((await suite.sourceSystem()).id as string);
    upload = new URL((await suite.session(connector.id as string)).sessionUrl as string);
    admin = await ts.token({ scopes: ['Directory.ReadWrite.All'], wids: [DirectoryRoles.privilegedRoleAdministrator] });
    const id = `refresh:DirectoryRole_${TENANT}_StaleSignInAlert`;
    await ts.server.engine.create({ tenantId: TENANT, family: 'roleManagementAlerts', kind: 'roleManagementAlerts.refresh', id, resourceLocation: '', statusDetail: '' });
    await ts.server.db.query(`UPDATE operations SET status = 'running' WHERE id = $1`, [id]);
  });
  after(() => ts.close());

  test('headers that trickle in past the headers timeout: 408 as a Graph error, connection closed', async () => {
    const conn = await RawConnection.open(ts.url);
    await conn.write('GET /healthz HTTP/1.1\r\nhost: localhost\r\n');
    let n = 0;
    const written = await trickle(conn, () => `x-slow-${n++}: 1\r\n`, 50, 400);
    assert.ok(written < 400, 'the server closed the connection while headers kept coming');
    const res = await conn.response();
    assert.equal(res.status, 408);
    assert.equal(res.headers.connection, 'close');
    assert.equal(graphError(res.body).code, 'RequestTimeout');
  });

  test('a body that trickles in past the request timeout: 408, connection closed', async () => {
    const conn = await RawConnection.open(ts.url);
    await conn.write(`PUT /admin/directory HTTP/1.1\r\nhost: localhost\r\nauthorization: Bearer ${admin}\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n`);
    const written = await trickle(conn, () => ' ', 50, 400);
    assert.ok(written < 400, 'the server closed the connection while the body kept coming');
    const res = await conn.response();
    assert.equal(res.status, 408);
    assert.equal(graphError(res.body).code, 'RequestTimeout');
  });

  test('an upload to the blob endpoint that trickles past the request timeout: 408 in Azure XML', async () => {
    const conn = await RawConnection.open(ts.url);
    await conn.write(`PUT ${upload.pathname}/file.csv${upload.search} HTTP/1.1\r\nhost: localhost\r\nx-ms-blob-type: BlockBlob\r\ncontent-length: 100000\r\n\r\n`);
    const written = await trickle(conn, () => ' ', 50, 400);
    assert.ok(written < 400, 'the server closed the connection while the body kept coming');
    const res = await conn.response();
    assert.equal(res.status, 408);
    assert.equal(res.headers['x-ms-error-code'], 'OperationTimedOut');
    assert.match(res.body, /<Error><Code>OperationTimedOut<\/Code>/);
  });

  test('a connection that never sends a byte is closed', async () => {
    const conn = await RawConnection.open(ts.url);
    await conn.closed;
  });

  test('an idle kept-alive connection is closed after the keep-alive timeout', async () => {
    const conn = await RawConnection.open(ts.url);
    await conn.write('GET /healthz HTTP/1.1\r\nhost: localhost\r\n\r\n');
    assert.equal((await conn.response()).status, 200);
    await conn.closed;
  });

  test('a long-poll waits past the request timeout: it was received at once', async () => {
    const res = await ts.get(OPERATION, { headers: { prefer: 'wait=2' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('preference-applied'), 'wait=2');
    assert.equal(((await res.json()) as { status: string }).status, 'running');
  });
});

describe('idle deadline', { timeout: 60_000 }, () => {
  let ts: TestServer;
  let admin: string;
  before(async () => {
    ts = await startTestServer(postgres, { timeouts: { headersMs: 30_000, requestMs: 30_000, keepAliveMs: 30_000, idleMs: 500 } });
    admin = await ts.token({ scopes: ['Directory.ReadWrite.All'], wids: [DirectoryRoles.privilegedRoleAdministrator] });
  });
  after(() => ts.close());

  const head = (length: number) =>
    `PUT /admin/directory HTTP/1.1\r\nhost: localhost\r\nauthorization: Bearer ${admin}\r\ncontent-type: application/json\r\ncontent-length: ${length}\r\n\r\n`;

  test('a body that keeps arriving for longer than the idle timeout is received whole', async () => {
    const body = Buffer.from(JSON.stringify(smallSnapshot()));
    const conn = await RawConnection.open(ts.url);
    await conn.write(head(body.length));
    // 15 pieces 100 ms apart: 1.5 s in all, three times the idle timeout, never 500 ms silent.
    const size = Math.ceil(body.length / 15);
    for (let at = 0; at < body.length; at += size) {
      assert.ok(await conn.write(body.subarray(at, at + size)), 'the server closed a connection that kept sending');
      await sleep(100);
    }
    const res = await conn.response();
    assert.equal(res.status, 200, res.body);
    conn.destroy();
  });

  test('a connection that stops sending mid-body is closed after the idle timeout', async () => {
    const conn = await RawConnection.open(ts.url);
    await conn.write(`${head(1000)}{"users": [`);
    await conn.closed;
  });
});
