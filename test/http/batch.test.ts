// POST /beta/$batch (Graph's JSON batching) over real HTTP with real tokens, on PGlite and
// PostgreSQL: inner requests answered exactly as alone (202 + Location for an action, 403 and
// other-tenant 404 inside), dependsOn and 424, the 400s that refuse a whole batch and those that
// refuse one request, 401 before the body, the 4 MiB limit; and the absolute URLs inner answers
// write: the host the client called, behind a trusted proxy, and over the server's own TLS.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { after, before, describe, test } from 'node:test';
import { DirectoryRoles } from '../../src/auth/index.js';
import { backends, OTHER_TENANT, pglite, TENANT } from '../support/backends.js';
import type { TestServer } from '../support/server.js';
import { startTestServer } from '../support/server.js';

const INDUSTRY = '/external/industryData';
const ALERTS = '/identityGovernance/roleManagementAlerts';
const ALERT_ID = `DirectoryRole_${TENANT}_StaleSignInAlert`;
const JSON_HEADERS = { 'Content-Type': 'application/json' };

type Json = Record<string, unknown>;
interface Inner {
  id: string;
  status: number;
  headers: Record<string, string>;
  body?: unknown;
}
interface GraphErrorBody {
  error: { code: string; message: string; innerError: { date: string; 'request-id': string; 'client-request-id': string } };
}

/** A Graph error body with the code, and a message that mentions `mentions`. */
function assertGraphError(body: unknown, code: string, mentions?: string) {
  const { error } = body as GraphErrorBody;
  assert.equal(error.code, code, JSON.stringify(body));
  assert.equal(typeof error.innerError['request-id'], 'string');
  if (mentions) assert.ok(error.message.includes(mentions), `'${error.message}' mentions '${mentions}'`);
  return error;
}

/** Sends `body` (an object is JSON) with the headers given to `url`'s host over node's http/https: fetch cannot set Host. */
function rawPost(url: string, body: string, headers: Record<string, string>, ca?: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const request = (url.startsWith('https:') ? https : http).request(url, { method: 'POST', headers, ...(ca ? { ca } : {}) }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

for (const backend of backends) {
  describe(`POST /beta/$batch on ${backend.name}`, () => {
    let ts: TestServer;
    let reader: string;
    let writer: string;
    let ownOperation: string;
    let otherOperation: string;

    const send = (body: unknown, options: { token?: string | null; headers?: Record<string, string> } = {}) =>
      fetch(`${ts.url}/beta/$batch`, {
        method: 'POST',
        headers: {
          ...(options.token === null ? {} : { authorization: `Bearer ${options.token ?? writer}` }),
          'content-type': 'application/json',
          ...options.headers,
        },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
    /** A batch that must answer 200: its responses, in order. */
    const batch = async (requests: unknown[], options: { token?: string; headers?: Record<string, string> } = {}) => {
      const res = await send({ requests }, options);
      const text = await res.text();
      assert.equal(res.status, 200, text);
      assert.match(res.headers.get('content-type')!, /^application\/json/);
      const { responses } = JSON.parse(text) as { responses: Inner[] };
      assert.equal(responses.length, requests.length);
      return responses;
    };
    const byId = (responses: Inner[], id: string) => responses.find((r) => r.id === id)!;
    const refused = async (body: unknown, mentions: string, options: { headers?: Record<string, string> } = {}) => {
      const res = await send(body, options);
      const text = await res.text();
      assert.equal(res.status, 400, `${mentions}: ${text}`);
      assert.match(res.headers.get('content-type')!, /^application\/json/);
      return assertGraphError(JSON.parse(text), 'BadRequest', mentions);
    };
    const sourceSystemNamed = async (name: string) => {
      const res = await fetch(`${ts.url}/beta${INDUSTRY}/sourceSystems?$filter=${encodeURIComponent(`displayName eq '${name}'`)}`, { headers: { authorization: `Bearer ${writer}` } });
      assert.equal(res.status, 200);
      return ((await res.json()) as { value: Json[] }).value;
    };
    const fixture = (tenantId: string) =>
      ts.server.engine.create({
        tenantId,
        family: 'industryData',
        kind: 'test.fixture', // no handler: it stays as created
        odataType: 'microsoft.graph.industryData.fileValidateOperation',
        resourceLocation: '',
        result: { validatedFiles: [], errors: [], warnings: [] },
      });

    before(async () => {
      ts = await startTestServer(backend);
      reader = await ts.token();
      writer = await ts.token({
        scopes: ['RoleManagementAlert.ReadWrite.Directory', 'IndustryData.ReadBasic.All', 'IndustryData-SourceSystem.ReadWrite.All'],
        wids: [DirectoryRoles.privilegedRoleAdministrator],
      });
      ownOperation = (await fixture(TENANT)).operation.id;
      otherOperation = (await fixture(OTHER_TENANT)).operation.id;
    });
    after(() => ts.close());

    test('GETs and an action in one batch: each answered as alone, 202 + Location inside, in order', async () => {
      const direct = await ts.get(`/beta${INDUSTRY}/operations`);
      const started = Date.now();
      const responses = await batch([
        { id: '1', method: 'GET', url: `${INDUSTRY}/operations` },
        { id: '2', method: 'POST', url: `${ALERTS.slice(1)}/alerts/${ALERT_ID}/refresh`, headers: JSON_HEADERS, body: {}, dependsOn: ['1'] },
        // A long-poll inside a batch would hold every answer back: the wait preference is dropped.
        { id: '3', method: 'get', url: `${ALERTS}/operations/refresh:${ALERT_ID}?$select=id,status`, headers: { Prefer: 'wait=30' }, dependsOn: ['2'] },
        { id: '4', method: 'GET', url: `${INDUSTRY}/operations?$filter=status eq 'notStarted'&$count=true`, dependsOn: ['3'] },
      ]);
      assert.ok(Date.now() - started < 10_000, 'Prefer: wait is not applied inside a batch');
      assert.deepEqual(
        responses.map((r) => r.id),
        ['1', '2', '3', '4'],
      );

      const [list, refresh, operation, filtered] = responses as [Inner, Inner, Inner, Inner];
      assert.equal(list.status, 200);
      assert.deepEqual(list.body, await direct.json());
      assert.equal(list.headers['Content-Type'], direct.headers.get('content-type'));
      assert.equal(list.headers['OData-Version'], '4.0');
      assert.equal(list.headers['Cache-Control'], 'no-store');
      // Graph's spelling, and nothing of the connection or of the inner request's own ids.
      for (const r of responses) for (const name of Object.keys(r.headers)) assert.ok(!/^(content-length|connection|date|request-id|client-request-id|keep-alive|vary)$/i.test(name), `${r.id}: ${name}`);

      const location = `${ts.url}/beta${ALERTS}/operations/refresh:${ALERT_ID}`;
      assert.equal(refresh.status, 202, JSON.stringify(refresh));
      assert.equal(refresh.headers.Location, location);
      assert.equal(refresh.headers['Operation-Location'], location);
      assert.match(refresh.headers['Retry-After']!, /^\d+$/);
      assert.equal(refresh.body, undefined);

      assert.equal(operation.status, 200, JSON.stringify(operation));
      assert.equal(operation.headers['Preference-Applied'], undefined);
      const op = operation.body as Json;
      assert.equal(op.id, `refresh:${ALERT_ID}`);
      assert.equal(op['@odata.context'], `${ts.url}/beta/$metadata#identityGovernance/roleManagementAlerts/operations(id,status)/$entity`);

      assert.equal(filtered.status, 200, JSON.stringify(filtered));
      assert.equal(typeof (filtered.body as Json)['@odata.count'], 'number');

      // The action really ran: its operation is there outside the batch too.
      const res = await fetch(location, { headers: { authorization: `Bearer ${writer}` } });
      assert.equal(res.status, 200);
    });

    test('dependsOn runs in order; a failed dependency answers 424, and so does what depends on a 424', async () => {
      const name = `Batch source ${backend.name}`;
      const responses = await batch([
        { id: 'create', method: 'POST', url: `${INDUSTRY}/sourceSystems`, headers: JSON_HEADERS, body: { displayName: name, vendor: 'Contoso SIS' } },
        { id: 'list', method: 'GET', url: `${INDUSTRY}/sourceSystems?$filter=displayName eq '${name}'&$select=id,displayName`, dependsOn: ['create'] },
        // Ids compare case-insensitively, in dependsOn too.
        { id: 'missing', method: 'GET', url: `${INDUSTRY}/operations/9b2f0c1e-8d4a-4c3b-9e5f-1a2b3c4d5e6f`, dependsOn: ['LIST'] },
        { id: 'after', method: 'GET', url: `${INDUSTRY}/operations`, dependsOn: ['missing'] },
        { id: 'chain', method: 'GET', url: `${INDUSTRY}/operations`, dependsOn: ['create', 'after'] },
      ]);
      const created = byId(responses, 'create');
      assert.equal(created.status, 201, JSON.stringify(created));
      const id = (created.body as Json).id as string;
      assert.equal(created.headers.Location, `${ts.url}/beta${INDUSTRY}/sourceSystems/${id}`);
      // The list ran after the create: it finds it.
      const list = byId(responses, 'list');
      assert.equal(list.status, 200);
      assert.deepEqual(((list.body as Json).value as Json[]).map((s) => s.id), [id]);

      const missing = byId(responses, 'missing');
      assert.equal(missing.status, 404);
      assertGraphError(missing.body, 'ResourceNotFound');
      for (const [dependent, failed] of [
        ['after', 'missing'],
        ['chain', 'after'],
      ] as const) {
        const r = byId(responses, dependent);
        assert.equal(r.status, 424, JSON.stringify(r));
        assert.match(r.headers['Content-Type']!, /^application\/json/);
        assertGraphError(r.body, 'FailedDependency', `request id ${failed}`);
      }
    });

    test('each request is authorised on its own, with the batch token: 403 and another tenant’s 404 inside, the rest answered', async () => {
      const name = `Forbidden source ${backend.name}`;
      const responses = await batch(
        [
          { id: '1', method: 'GET', url: `${INDUSTRY}/operations/${ownOperation}` },
          // An Authorization header of the request's own is ignored: the batch's token is used.
          { id: '2', method: 'POST', url: `${INDUSTRY}/sourceSystems`, headers: { ...JSON_HEADERS, Authorization: `Bearer ${writer}` }, body: { displayName: name, vendor: 'V' } },
          { id: '3', method: 'GET', url: `${INDUSTRY}/operations/${otherOperation}` },
          { id: '4', method: 'DELETE', url: `${INDUSTRY}/operations/${ownOperation}` },
          { id: '5', method: 'GET', url: `${ALERTS}/operations` },
        ],
        { token: reader, headers: { 'client-request-id': 'batch-client-1' } },
      );
      const [own, post, other, del, alerts] = responses as [Inner, Inner, Inner, Inner, Inner];
      assert.equal(own.status, 200);
      assert.equal((own.body as Json).id, ownOperation);
      assert.equal(post.status, 403);
      const denied = assertGraphError(post.body, 'Authorization_RequestDenied');
      assert.equal(denied.innerError['client-request-id'], 'batch-client-1');
      assert.deepEqual(await sourceSystemNamed(name), []);
      assert.equal(other.status, 404, 'another tenant’s operation is as absent as one that never existed');
      assertGraphError(other.body, 'ResourceNotFound');
      assert.equal(del.status, 405);
      assert.match(del.headers.Allow!, /GET/);
      assert.equal(alerts.status, 200);

      // A token without industry data permissions: 403 for those, the alerts answered.
      const alertsOnly = await ts.token({ scopes: ['RoleManagementAlert.Read.Directory'], wids: [DirectoryRoles.globalReader] });
      const mixed = await batch(
        [
          { id: 'a', method: 'GET', url: `${INDUSTRY}/operations` },
          { id: 'b', method: 'GET', url: `${ALERTS}/operations` },
        ],
        { token: alertsOnly },
      );
      assert.deepEqual(
        mixed.map((r) => r.status),
        [403, 200],
      );
    });

    test('a batch that breaks Graph’s rules is refused whole with 400, and none of it runs', async () => {
      const get = (id: string, extra: Json = {}) => ({ id, method: 'GET', url: `${INDUSTRY}/operations`, ...extra });
      await refused('requests=1', 'Invalid batch payload format.');
      await refused('', 'Invalid batch payload format.');
      await refused('[]', 'Invalid batch payload format.');
      await refused({}, 'Invalid batch payload format.');
      await refused({ requests: {} }, 'Invalid batch payload format.');
      await refused({ requests: [] }, 'Invalid batch payload format.');
      await refused({ requests: ['GET /x'] }, 'Invalid batch payload format.');
      await refused({ requests: Array.from({ length: 21 }, (_, i) => get(String(i + 1))) }, 'Number of requests inside batch exceed the limit.');
      await refused({ requests: [{ method: 'GET', url: '/x' }] }, 'Invalid batch payload format.');
      await refused({ requests: [get('1', { id: 1 })] }, 'Invalid batch payload format.');
      await refused({ requests: [get('1', { method: 'FETCH' })] }, 'Invalid batch payload format.');
      await refused({ requests: [get('1', { url: undefined })] }, 'Invalid batch payload format.');
      await refused({ requests: [get('a'), get('A')] }, 'Request Id A has to be unique in a batch.');
      await refused({ requests: [get('1'), get('2', { dependsOn: ['3'] })] }, 'Invalid dependency for request Id 2');
      await refused({ requests: [get('1', { dependsOn: ['2'] }), get('2', { dependsOn: ['1'] })] }, 'Invalid dependency for request Id 1');
      await refused({ requests: [get('1'), get('2', { dependsOn: ['2'] })] }, 'Invalid dependency for request Id 2');
      await refused({ requests: [get('1'), get('2', { dependsOn: '1' })] }, 'Invalid batch payload format.');
      await refused({ requests: [get('1'), get('2', { dependsOn: ['1'] }), get('3')] }, 'Batch should be either fully sequential or fully parallel.');
      await refused({ requests: [get('1', { url: `https://graph.microsoft.com/beta${INDUSTRY}/operations` })] }, 'absolute');
      await refused({ requests: [get('1', { url: `//graph.microsoft.com/beta${INDUSTRY}/operations` })] }, 'absolute');
      await refused({ requests: [get('1', { method: 'POST', body: { displayName: 'x' } })] }, 'Write request id : 1 does not contain Content-Type header or body.');
      await refused({ requests: [get('1', { method: 'POST', headers: JSON_HEADERS })] }, 'Write request id : 1 does not contain Content-Type header or body.');
      await refused({ requests: [get('1', { body: { a: 1 } })] }, 'has a body but no Content-Type header');
      await refused({ requests: [get('1', { headers: ['x'] })] }, 'Invalid batch payload format.');
      await refused({ requests: [get('1', { headers: { 'client-request-id': 7 } })] }, 'Invalid batch payload format.');
      await refused({ requests: [get('1', { headers: { 'x-a': 'b\r\nx-b: c' } })] }, 'Invalid batch payload format.');
      await refused({ requests: [get('1', { method: 'POST', headers: { 'Content-Type': 'text/csv' }, body: { a: 1 } })] }, 'base64');

      // A valid write ahead of an invalid request did not run.
      const name = `Never created ${backend.name}`;
      await refused(
        {
          requests: [
            { id: '1', method: 'POST', url: `${INDUSTRY}/sourceSystems`, headers: JSON_HEADERS, body: { displayName: name, vendor: 'V' } },
            get('2', { url: 'https://graph.microsoft.com/beta/me' }),
          ],
        },
        'absolute',
      );
      assert.deepEqual(await sourceSystemNamed(name), []);

      // Twenty is the limit, not more than it.
      const twenty = await batch(Array.from({ length: 20 }, (_, i) => get(String(i + 1))));
      assert.ok(twenty.every((r) => r.status === 200));
    });

    test('a nested $batch, a URL that leaves /beta, and what is not Graph (admin, blob, health) answer 400 for that request only', async () => {
      const responses = await batch([
        { id: 'nested', method: 'POST', url: '/$batch', headers: JSON_HEADERS, body: { requests: [{ id: '1', method: 'GET', url: `${INDUSTRY}/operations` }] } },
        { id: 'encoded', method: 'POST', url: '/%24batch', headers: JSON_HEADERS, body: { requests: [{ id: '1', method: 'GET', url: `${INDUSTRY}/operations` }] } },
        { id: 'dots', method: 'GET', url: '/../admin/directory' },
        { id: 'encodedDots', method: 'GET', url: '/%2e%2e/admin/directory' },
        { id: 'backslash', method: 'GET', url: '..\\healthz' },
        { id: 'admin', method: 'PUT', url: '/admin/directory', headers: JSON_HEADERS, body: { users: [] } },
        { id: 'blob', method: 'GET', url: '/blob/container/users.csv' },
        { id: 'health', method: 'GET', url: '/healthz' },
        { id: 'fine', method: 'GET', url: 'external/industryData/operations' },
      ]);
      for (const [id, mentions] of [
        ['nested', 'another batch'],
        // Percent-encoded, the segment is not the $batch route: an unknown segment, as it is outside a batch.
        ['encoded', "'$batch'"],
        ['dots', 'outside the service root'],
        ['encodedDots', 'outside the service root'],
        ['backslash', 'outside the service root'],
        ['admin', "'directory'"],
        ['blob', "'users.csv'"],
        ['health', "'healthz'"],
      ] as const) {
        const r = byId(responses, id);
        assert.equal(r.status, 400, `${id}: ${JSON.stringify(r)}`);
        assertGraphError(r.body, 'BadRequest', mentions);
      }
      assert.equal(byId(responses, 'fine').status, 200);
    });

    test('401 without a valid token, before the body is read; 405 on other methods; 413 over 4 MiB, which is more than other requests may send', async () => {
      const body = { requests: [{ id: '1', method: 'GET', url: `${INDUSTRY}/operations` }] };
      for (const token of [null, 'not-a-jwt']) {
        const res = await send(body, { token });
        assert.equal(res.status, 401);
        assert.match(res.headers.get('www-authenticate')!, /^Bearer/);
        assertGraphError(await res.json(), 'InvalidAuthenticationToken');
      }
      const large = (bytes: number) => JSON.stringify({ ...body, padding: 'x'.repeat(bytes) });
      // No token: 401, not 413 — the body was never read.
      const anonymous = await send(large(5 * 1024 * 1024), { token: null });
      assert.equal(anonymous.status, 401);
      await anonymous.body?.cancel();
      const tooLarge = await send(large(4 * 1024 * 1024));
      assert.equal(tooLarge.status, 413);
      assertGraphError(await tooLarge.json(), 'RequestEntityTooLarge', String(4 * 1024 * 1024));
      const two = await send(large(2 * 1024 * 1024));
      assert.equal(two.status, 200, 'a batch may carry more than the 1 MiB of a single request');
      await two.body?.cancel();

      const getBatch = await ts.get('/beta/$batch');
      assert.equal(getBatch.status, 405);
      assert.equal(getBatch.headers.get('allow'), 'POST');
      assertGraphError(await getBatch.json(), 'MethodNotAllowed');
    });

    test('URLs inside use the host the client called; X-Forwarded-* are not trusted here, not even from inside the batch', async () => {
      const res = await rawPost(
        `${ts.url}/beta/$batch`,
        JSON.stringify({ requests: [{ id: '1', method: 'GET', url: `${INDUSTRY}/operations`, headers: { 'X-Forwarded-Host': 'inner.example.test', 'X-Forwarded-Proto': 'https' } }] }),
        { host: 'graph.example.test:8443', authorization: `Bearer ${writer}`, 'content-type': 'application/json', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'outer.example.test' },
      );
      assert.equal(res.status, 200, res.body);
      const [inner] = (JSON.parse(res.body) as { responses: Inner[] }).responses;
      assert.equal((inner!.body as Json)['@odata.context'], 'http://graph.example.test:8443/beta/$metadata#external/industryData/operations');
    });
  });
}

describe('POST /beta/$batch: absolute URLs behind a trusted proxy and over TLS', () => {
  let proxied: TestServer;
  let tls: TestServer;
  before(async () => {
    proxied = await startTestServer(pglite, { trustProxy: true });
    tls = await startTestServer(pglite, { tls: { local: true } });
  });
  after(async () => {
    await proxied.close();
    await tls.close();
  });

  const body = JSON.stringify({ requests: [{ id: '1', method: 'GET', url: `${INDUSTRY}/operations`, headers: { 'X-Forwarded-Host': 'inner.example.test' } }] });
  const contextOf = (res: { status: number; body: string }) => {
    assert.equal(res.status, 200, res.body);
    return ((JSON.parse(res.body) as { responses: Inner[] }).responses[0]!.body as Json)['@odata.context'];
  };

  test('behind a trusted proxy: the forwarded protocol and host of the batch, not ones a request inside names', async () => {
    const res = await rawPost(`${proxied.url}/beta/$batch`, body, {
      authorization: `Bearer ${await proxied.token()}`,
      'content-type': 'application/json',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'lro.example.test',
    });
    assert.equal(contextOf(res), 'https://lro.example.test/beta/$metadata#external/industryData/operations');
  });

  test('over the server’s own TLS: https', async () => {
    assert.match(tls.url, /^https:/);
    const res = await rawPost(`${tls.url}/beta/$batch`, body, { authorization: `Bearer ${await tls.token()}`, 'content-type': 'application/json' }, readFileSync(tls.server.tls!.caFile!, 'utf8'));
    assert.equal(contextOf(res), `${tls.url}/beta/$metadata#external/industryData/operations`);
  });
});
