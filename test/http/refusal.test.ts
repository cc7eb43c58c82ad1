// Nothing is read before it is allowed: a request the server refuses from its headers (no token,
// too few permissions, unknown URL, wrong method, declared too large) is answered while its body
// is still on the way, and the connection closes instead of reading the rest. Each request below
// declares 200 MB and sends 64 KiB: before these refusals moved ahead of the body, the answer
// came only after the whole body, so these tests would wait forever.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DirectoryRoles } from '../../src/auth/index.js';
import { JSON_BODY_LIMIT } from '../../src/http/app.js';
import { postgres } from '../support/backends.js';
import type { TestServer } from '../support/server.js';
import { startTestServer } from '../support/server.js';
import { RawConnection } from './raw.js';

const DECLARED = 200_000_000;
const SENT = Buffer.alloc(64 * 1024, 0x20);
const ALERTS = '/beta/identityGovernance/roleManagementAlerts/alerts';
const OPERATION = '/beta/identityGovernance/roleManagementAlerts/operations/x';

describe('refusals before the body is read', { timeout: 30_000 }, () => {
  let ts: TestServer;
  before(async () => (ts = await startTestServer(postgres)));
  after(() => ts.close());

  /** Sends the head and the first 64 KiB of a 200 MB body, and reads the answer. */
  async function refused(method: string, path: string, headers: Record<string, string> = {}) {
    const conn = await RawConnection.open(ts.url);
    const lines = Object.entries({ host: 'localhost', 'content-type': 'application/json', 'content-length': String(DECLARED), ...headers }).map(([k, v]) => `${k}: ${v}`);
    await conn.write(`${method} ${path} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`);
    await conn.write(SENT);
    const res = await conn.response();
    await conn.closed;
    return { ...res, error: (JSON.parse(res.body) as { error: { code: string; message: string } }).error };
  }

  const bearer = async (options: Parameters<TestServer['token']>[0]) => ({ authorization: `Bearer ${await ts.token(options)}` });

  test('the directory import without a token: 401, connection closed', async () => {
    const res = await refused('PUT', '/admin/directory');
    assert.equal(res.status, 401);
    assert.equal(res.error.code, 'InvalidAuthenticationToken');
    assert.equal(res.headers.connection, 'close');
  });

  test('the directory import with a token that may not import: 403, connection closed', async () => {
    const res = await refused('PUT', '/admin/directory', await bearer({ scopes: ['Directory.ReadWrite.All'], wids: [DirectoryRoles.globalReader] }));
    assert.equal(res.status, 403);
    assert.equal(res.error.code, 'Authorization_RequestDenied');
    assert.equal(res.headers.connection, 'close');
  });

  test('a Graph action without a token, and with a read-only one', async () => {
    assert.equal((await refused('POST', `${ALERTS}/refresh`)).status, 401);
    assert.equal((await refused('POST', `${ALERTS}/refresh`, await bearer({}))).status, 403);
  });

  test('a method the resource does not allow: 405 with Allow', async () => {
    const res = await refused('POST', OPERATION);
    assert.equal(res.status, 405);
    assert.equal(res.headers.allow, 'GET, HEAD');
  });

  test('an unknown URL: 400 for the segment', async () => {
    const res = await refused('POST', '/beta/nothing/here');
    assert.equal(res.status, 400);
    assert.match(res.error.message, /'here'/);
  });

  test('an authorised Graph body declared over the JSON limit: 413 from Content-Length', async () => {
    const res = await refused('POST', `${ALERTS}/refresh`, await bearer({ scopes: ['RoleManagementAlert.ReadWrite.Directory'], wids: [DirectoryRoles.privilegedRoleAdministrator] }));
    assert.equal(res.status, 413);
    assert.equal(res.error.code, 'RequestEntityTooLarge');
    assert.match(res.error.message, new RegExp(`${JSON_BODY_LIMIT} bytes`));
    assert.equal(res.headers.connection, 'close');
  });

  test('an authorised chunked body is cut at the JSON limit: 413 mid-stream, connection closed', async () => {
    const conn = await RawConnection.open(ts.url);
    const token = (await bearer({ scopes: ['RoleManagementAlert.ReadWrite.Directory'], wids: [DirectoryRoles.privilegedRoleAdministrator] })).authorization;
    await conn.write(`POST ${ALERTS}/refresh HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\nauthorization: ${token}\r\n\r\n`);
    // Chunks until the server answers; it must answer after the limit, long before 200 MB.
    let sent = 0;
    const answered = conn.response();
    let done = false;
    void answered.finally(() => (done = true)).catch(() => {});
    while (!done && sent < DECLARED) {
      if (!(await conn.write(`${SENT.length.toString(16)}\r\n${SENT.toString('latin1')}\r\n`))) break;
      sent += SENT.length;
    }
    const res = await answered;
    assert.equal(res.status, 413);
    assert.ok(sent > JSON_BODY_LIMIT, `answered after ${sent} bytes`);
    assert.ok(sent < DECLARED / 10, `answered after ${sent} bytes`);
    await conn.closed;
  });

  test('a small refused body keeps the connection for the next request', async () => {
    const conn = await RawConnection.open(ts.url);
    await conn.write(`POST ${ALERTS}/refresh HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}`);
    assert.equal((await conn.response()).status, 401);
    await conn.write(`GET /healthz HTTP/1.1\r\nhost: localhost\r\n\r\n`);
    assert.equal((await conn.response()).status, 200);
    conn.destroy();
  });
});
