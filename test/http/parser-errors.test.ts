// Requests node's HTTP parser refuses (not HTTP, bad headers, headers too large) are answered as
// Graph errors, or in Azure's XML under the blob endpoint, and a HEAD never gets a body: not from
// the parser's refusals, not from Graph routes, not from the 404 and 405 answers.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { postgres, TENANT } from '../support/backends.js';
import type { TestServer } from '../support/server.js';
import { startTestServer } from '../support/server.js';
import { RawConnection } from './raw.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const OPERATION = `/beta/identityGovernance/roleManagementAlerts/operations/refresh:DirectoryRole_${TENANT}_StaleSignInAlert`;

describe('parser errors and HEAD', { timeout: 30_000 }, () => {
  let ts: TestServer;
  before(async () => (ts = await startTestServer(postgres)));
  after(() => ts.close());

  /** Writes `raw`, reads the one answer, and what came after it until the server closed. */
  async function refused(raw: string, head = false) {
    const conn = await RawConnection.open(ts.url);
    await conn.write(raw);
    const res = await conn.response({ head });
    return { ...res, after: await conn.rest() };
  }

  const graphError = (body: string) => (JSON.parse(body) as { error: { code: string; message: string; innerError: Record<string, string> } }).error;

  test('not HTTP: 400 BadRequest as a Graph error, connection closed', async () => {
    const res = await refused('HELLO\r\n\r\n');
    assert.equal(res.status, 400);
    assert.match(res.headers['content-type']!, /^application\/json/);
    assert.equal(res.headers.connection, 'close');
    const error = graphError(res.body);
    assert.equal(error.code, 'BadRequest');
    assert.match(error.innerError['request-id']!, GUID);
    assert.equal(res.headers['request-id'], error.innerError['request-id']);
    assert.equal(res.after, '');
  });

  test('a malformed header line: 400 BadRequest', async () => {
    const res = await refused(`GET ${OPERATION} HTTP/1.1\r\nhost: localhost\r\nno colon here\r\n\r\n`);
    assert.equal(res.status, 400);
    assert.equal(graphError(res.body).code, 'BadRequest');
  });

  test('headers over the size limit: 431', async () => {
    const res = await refused(`GET ${OPERATION} HTTP/1.1\r\nhost: localhost\r\nx-large: ${'a'.repeat(20_000)}\r\n\r\n`);
    assert.equal(res.status, 431);
    assert.equal(graphError(res.body).code, 'RequestHeaderFieldsTooLarge');
  });

  test('under the blob endpoint: Azure XML with x-ms-error-code', async () => {
    const res = await refused('PUT /blob/abc/file.csv?sig=x HTTP/1.1\r\nhost: localhost\r\nno colon here\r\n\r\n');
    assert.equal(res.status, 400);
    assert.match(res.headers['content-type']!, /^application\/xml/);
    assert.equal(res.headers['x-ms-error-code'], 'InvalidInput');
    assert.match(res.headers['x-ms-request-id']!, GUID);
    assert.match(res.body, /^<\?xml version="1.0" encoding="utf-8"\?><Error><Code>InvalidInput<\/Code><Message>[^<]+<\/Message><\/Error>$/);
  });

  test('a refused HEAD gets the status and headers, no body', async () => {
    const res = await refused(`HEAD ${OPERATION} HTTP/1.1\r\nhost: localhost\r\nno colon here\r\n\r\n`, true);
    assert.equal(res.status, 400);
    assert.ok(Number(res.headers['content-length']) > 0);
    assert.equal(res.after, '', 'nothing follows the head');
  });

  test('HEAD on Graph routes, unknown URLs and POST-only URLs: no body, the connection stays usable', async () => {
    const conn = await RawConnection.open(ts.url);
    const token = await ts.token();
    const cases: [string, string, number][] = [
      [OPERATION, `authorization: Bearer ${token}\r\n`, 404],
      [OPERATION, '', 401],
      ['/beta/identityGovernance/roleManagementAlerts/operations', `authorization: Bearer ${token}\r\n`, 200],
      ['/beta/nothing', '', 400],
      ['/beta/identityGovernance/roleManagementAlerts/alerts/refresh', '', 405],
    ];
    for (const [path, auth, status] of cases) {
      await conn.write(`HEAD ${path} HTTP/1.1\r\nhost: localhost\r\n${auth}\r\n`);
      const res = await conn.response({ head: true });
      assert.equal(res.status, status, path);
    }
    // Had any HEAD answer carried a body, it would be read here as the start of this response.
    await conn.write('GET /healthz HTTP/1.1\r\nhost: localhost\r\n\r\n');
    const health = await conn.response();
    assert.equal(health.status, 200);
    assert.deepEqual(JSON.parse(health.body), { status: 'ok' });
    conn.destroy();
  });
});
