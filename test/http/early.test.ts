// Requests refused before any route runs are answered as Graph errors (Azure XML under the blob
// endpoint): OPTIONS outside a CORS preflight, URLs the router cannot decode or whose segments are
// too long, CONNECT; a NUL in a key is a 404; and the blob endpoint sends `100 Continue` only once
// the signature is checked.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { postgres } from '../support/backends.js';
import type { Suite } from '../families/industryData/support.js';
import { CONNECTORS, OPERATIONS, startSuite } from '../families/industryData/support.js';
import { RawConnection } from './raw.js';

const graphError = (body: string) => (JSON.parse(body) as { error: { code: string; message: string; innerError: object } }).error;
const azureCode = (body: string) => /^<\?xml[^>]*\?><Error><Code>([^<]+)<\/Code><Message>/.exec(body)?.[1];

describe('refused before routing', { timeout: 30_000 }, () => {
  let suite: Suite;
  let upload: URL;
  before(async () => {
    suite = await startSuite(postgres);
    const connector = await suite.connector((await suite.sourceSystem()).id as string);
    upload = new URL((await suite.session(connector.id as string)).sessionUrl as string);
  });
  after(() => suite.close());

  const blobPath = (name: string, search = upload.search) => `${upload.pathname}/${name}${search}`;

  /** Writes `raw` on a connection of its own; the first answer and whether the server then closed. */
  async function rawRequest(raw: string) {
    const conn = await RawConnection.open(suite.ts.url);
    await conn.write(raw);
    return { conn, res: await conn.response() };
  }

  test('OPTIONS without Origin on a Graph URL: 405 MethodNotAllowed as a Graph error', async () => {
    const res = await suite.call('OPTIONS', OPERATIONS);
    assert.equal(res.status, 405);
    assert.match(res.headers.get('content-type')!, /^application\/json/);
    assert.equal(graphError(await res.text()).code, 'MethodNotAllowed');
  });

  test('a CORS preflight is still answered 204 with the CORS headers', async () => {
    const res = await suite.call('OPTIONS', OPERATIONS, { token: '', headers: { origin: 'https://app.example', 'access-control-request-method': 'GET' } });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
  });

  test('OPTIONS without Origin on the blob endpoint: 400 MissingRequiredHeader in Azure XML', async () => {
    const res = await fetch(`${suite.ts.url}${upload.pathname}${upload.search}`, { method: 'OPTIONS' });
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('x-ms-error-code'), 'MissingRequiredHeader');
    assert.equal(azureCode(await res.text()), 'MissingRequiredHeader');
  });

  test('a malformed percent-encoding: a Graph 400; under the blob endpoint Azure 400 InvalidUri', async () => {
    const graph = await rawRequest(`GET /beta/% HTTP/1.1\r\nhost: localhost\r\nauthorization: Bearer ${suite.admin}\r\n\r\n`);
    assert.equal(graph.res.status, 400);
    assert.equal(graphError(graph.res.body).code, 'BadRequest');
    assert.equal(graph.res.headers['request-id'], (graphError(graph.res.body).innerError as Record<string, string>)['request-id']);
    const blob = await rawRequest(`GET ${blobPath('%C3%28')} HTTP/1.1\r\nhost: localhost\r\n\r\n`);
    assert.equal(blob.res.status, 400);
    assert.equal(blob.res.headers['x-ms-error-code'], 'InvalidUri');
    assert.equal(azureCode(blob.res.body), 'InvalidUri');
  });

  test('a key segment over 512 characters: a Graph 400', async () => {
    const res = await suite.call('GET', `${CONNECTORS}/${'a'.repeat(600)}`);
    await suite.expectError(res, 400, 'BadRequest', '512 characters');
  });

  test('CONNECT: 405 MethodNotAllowed as a Graph error, and the connection closes', async () => {
    const { conn, res } = await rawRequest('CONNECT 127.0.0.1:1 HTTP/1.1\r\nhost: 127.0.0.1:1\r\n\r\n');
    assert.equal(res.status, 405);
    assert.equal(res.headers.connection, 'close');
    assert.equal(graphError(res.body).code, 'MethodNotAllowed');
    assert.equal(await conn.rest(), '');
  });

  test('a NUL in a key (%00): 404 ResourceNotFound, as for any id that does not exist', async () => {
    await suite.expectError(await suite.call('GET', `${OPERATIONS}/%00`), 404, 'ResourceNotFound');
    await suite.expectError(await suite.call('PATCH', `${CONNECTORS}/a%00b`, { body: { displayName: 'x' } }), 404, 'ResourceNotFound');
  });

  const putBlob = (path: string) =>
    `PUT ${path} HTTP/1.1\r\nhost: localhost\r\nx-ms-blob-type: BlockBlob\r\ncontent-length: 5\r\nexpect: 100-continue\r\n\r\n`;

  test('Expect: 100-continue with a bad signature: 403 without a 100 Continue first', async () => {
    const bad = new URLSearchParams(upload.search);
    bad.set('sig', Buffer.from('forged').toString('base64'));
    const { conn, res } = await rawRequest(putBlob(blobPath('students.csv', `?${bad}`)));
    assert.equal(res.status, 403);
    assert.equal(res.headers['x-ms-error-code'], 'AuthenticationFailed');
    conn.destroy();
  });

  test('Expect: 100-continue with a good signature: 100 Continue, then the body, then 201', async () => {
    const { conn, res } = await rawRequest(putBlob(blobPath('students.csv')));
    assert.equal(res.status, 100);
    await conn.write('a,b\r\n');
    assert.equal((await conn.response()).status, 201);
    conn.destroy();
  });

  test('Expect: 100-continue on a Graph URL: 100 Continue at once, as node sends it', async () => {
    const body = JSON.stringify({ displayName: 'Continued', vendor: 'Contoso SIS' });
    const { conn, res } = await rawRequest(`POST /beta/external/industryData/sourceSystems HTTP/1.1\r\nhost: localhost\r\nauthorization: Bearer ${suite.admin}\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nexpect: 100-continue\r\n\r\n`);
    assert.equal(res.status, 100);
    await conn.write(body);
    assert.equal((await conn.response()).status, 201);
    conn.destroy();
  });
});
