// Faults on demand: a fault file checked key by key; /admin/faults read, replaced and cleared by an
// administrator only; throttling per tenant and per app (429, Retry-After, Graph's body), random
// 503s, latency on matching paths only; operations held notStarted, running a least time, attempts
// failed and retried, operations failed. Clients cope as their users rely on: the project's client,
// @azure/core-lro's poller and the Graph JS client's retry handler wait the Retry-After and succeed.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { createHttpPoller } from '@azure/core-lro';
import type { OperationResponse, OperationState, RunningOperation } from '@azure/core-lro';
import { createDefaultHttpClient, createHttpHeaders, createPipelineFromOptions, createPipelineRequest } from '@azure/core-rest-pipeline';
import { DirectoryRoles } from '../../src/auth/index.js';
import { FaultsError, parseFaults } from '../../src/http/faults.js';
import { pollOperation } from '../../packages/client/src/index.js';
import { pglite } from '../support/backends.js';
import type { ClientSuite, Json } from './support.js';
import { ALERTS_ROOT, startClientSuite } from './support.js';
import type { TlsFront } from './tls.js';
import { graphClient, startTlsFront } from './tls.js';

// The TLS front's certificate is self-signed; this process (one test file) trusts it.
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

const run = promisify(execFile);
const OPERATIONS = `${ALERTS_ROOT}/operations`;
const OTHER_TENANT = '7a1c2e3d-4b5f-4a6b-8c7d-9e0f1a2b3c4d';

test('a fault file is checked key by key: every problem named with its path', () => {
  const problems = (() => {
    try {
      parseFaults({
        throttle: { requests: 0, windowSeconds: 10, per: 'user' },
        errors: { rate: 1.5, statuses: [500] },
        latency: [{ path: '(', minMs: 50, maxMs: 10 }],
        operations: { minRunMs: { '*': -1 }, retries: 3 },
        chaos: true,
      });
    } catch (err) {
      assert.ok(err instanceof FaultsError);
      return err.problems.map((p) => p.target).sort();
    }
    return assert.fail('no problem found');
  })();
  assert.deepEqual(problems, [
    'chaos',
    'errors.rate',
    'errors.statuses',
    'latency[0].maxMs',
    'latency[0].path',
    'operations.minRunMs.*',
    'operations.retries',
    'throttle.per',
    'throttle.requests',
  ]);
  assert.deepEqual(parseFaults({}), {});
});

test('serve --faults with a bad file: a usage error naming each problem, exit status 2, nothing started', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'graph-lro-faults-'));
  try {
    const file = join(dir, 'faults.json');
    writeFileSync(file, JSON.stringify({ throttle: { requests: 5 }, latency: 'slow' }));
    const { DATABASE_URL: _embedded, ...env } = process.env;
    const failed = await run(process.execPath, ['dist/src/cli/main.js', 'serve', '--faults', file, '--port', '0', '--data-dir', dir], { env }).catch((err: { code: number; stderr: string }) => err);
    assert.equal((failed as { code: number }).code, 2);
    assert.match((failed as { stderr: string }).stderr, /throttle\.windowSeconds: is required; latency: must be a list/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('faults on demand', () => {
  let s: ClientSuite;
  let admin: string;

  before(async () => {
    s = await startClientSuite(pglite);
    admin = await s.ts.token({ scopes: ['Directory.ReadWrite.All'], wids: [DirectoryRoles.privilegedRoleAdministrator] });
  });
  after(() => s.close());

  const setFaults = async (faults: unknown, token = admin) =>
    fetch(`${s.ts.url}/admin/faults`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(faults) });
  const clear = async () => assert.equal((await fetch(`${s.ts.url}/admin/faults`, { method: 'DELETE', headers: { authorization: `Bearer ${admin}` } })).status, 204);

  test('/admin/faults: an administrator reads, replaces and clears them; a bad body changes nothing', async () => {
    const faults = { errors: { rate: 0.5, statuses: [503] } };
    assert.equal((await setFaults(faults, await s.ts.token())).status, 403);
    assert.equal((await fetch(`${s.ts.url}/admin/faults`)).status, 401);
    const set = await setFaults(faults);
    assert.equal(set.status, 200);
    assert.deepEqual(await set.json(), faults);
    const bad = await setFaults({ errors: { rate: 2 } });
    assert.equal(bad.status, 400);
    const error = ((await bad.json()) as { error: { code: string; details: { target: string }[] } }).error;
    assert.deepEqual([error.code, error.details.map((d) => d.target)], ['BadRequest', ['errors.rate']]);
    assert.deepEqual(await (await fetch(`${s.ts.url}/admin/faults`, { headers: { authorization: `Bearer ${admin}` } })).json(), faults);
    await clear();
    assert.deepEqual(await (await fetch(`${s.ts.url}/admin/faults`, { headers: { authorization: `Bearer ${admin}` } })).json(), {});
  });

  test('throttling per tenant: the budget, then 429 TooManyRequests with Retry-After; other tenants and /admin untouched', async () => {
    assert.equal((await setFaults({ throttle: { requests: 3, windowSeconds: 60 } })).status, 200);
    try {
      for (let i = 0; i < 3; i++) assert.equal((await s.call('GET', OPERATIONS)).status, 200);
      const throttled = await s.call('GET', OPERATIONS);
      assert.equal(throttled.status, 429);
      const retryAfter = Number(throttled.headers.get('retry-after'));
      assert.ok(retryAfter >= 1 && retryAfter <= 60, String(retryAfter));
      const body = (await throttled.json()) as { error: { code: string; message: string; innerError: Json } };
      assert.equal(body.error.code, 'TooManyRequests');
      assert.ok(body.error.innerError['request-id']);
      const other = await s.ts.token({ tenantId: OTHER_TENANT, scopes: ['RoleManagementAlert.Read.Directory'], wids: [DirectoryRoles.globalReader] });
      assert.equal((await fetch(`${s.ts.url}${OPERATIONS}`, { headers: { authorization: `Bearer ${other}` } })).status, 200);
      assert.equal((await fetch(`${s.ts.url}/admin/faults`, { headers: { authorization: `Bearer ${admin}` } })).status, 200);
    } finally {
      await clear();
    }
    assert.equal((await s.call('GET', OPERATIONS)).status, 200);
  });

  test('throttling per app: each calling application has its budget', async () => {
    assert.equal((await setFaults({ throttle: { requests: 1, windowSeconds: 60, per: 'app' } })).status, 200);
    try {
      const app = (appId: string) => s.ts.token({ app: true, appId, roles: ['RoleManagementAlert.Read.Directory'] });
      const [a, b] = [await app('11111111-1111-4111-8111-111111111111'), await app('22222222-2222-4222-8222-222222222222')];
      const get = (token: string) => fetch(`${s.ts.url}${OPERATIONS}`, { headers: { authorization: `Bearer ${token}` } });
      assert.deepEqual([(await get(a)).status, (await get(b)).status, (await get(a)).status, (await get(b)).status], [200, 200, 429, 429]);
    } finally {
      await clear();
    }
  });

  test('random errors: the statuses asked for, with Retry-After and a Graph body', async () => {
    assert.equal((await setFaults({ errors: { rate: 1, statuses: [503, 504], retryAfterSeconds: 7 } })).status, 200);
    try {
      for (let i = 0; i < 4; i++) {
        const res = await s.call('GET', OPERATIONS);
        assert.ok(res.status === 503 || res.status === 504, String(res.status));
        assert.equal(res.headers.get('retry-after'), '7');
        const { error } = (await res.json()) as { error: { code: string } };
        assert.equal(error.code, res.status === 503 ? 'serviceNotAvailable' : 'gatewayTimeout');
      }
      // $metadata is a Graph path too; /admin is not.
      assert.ok([503, 504].includes((await fetch(`${s.ts.url}/beta/$metadata`)).status));
    } finally {
      await clear();
    }
  });

  test('latency is added to the paths that match, not to the others', async () => {
    assert.equal((await setFaults({ latency: [{ path: '/operations$', minMs: 400, maxMs: 500 }] })).status, 200);
    try {
      let start = performance.now();
      assert.equal((await s.call('GET', OPERATIONS)).status, 200);
      assert.ok(performance.now() - start >= 400, 'the matching path waited');
      start = performance.now();
      assert.equal((await s.call('GET', `${ALERTS_ROOT}/alerts?$filter=scopeId eq '/' and scopeType eq 'DirectoryRole'`)).status, 200);
    } finally {
      await clear();
    }
  });

  /** POST refresh of the tenant's alerts; the operation URL. */
  const refresh = async () => {
    const res = await s.call('POST', `${ALERTS_ROOT}/alerts/refresh`, { body: { scopeId: '/', scopeType: 'DirectoryRole' } });
    assert.equal(res.status, 202, await res.clone().text());
    return res.headers.get('location')!;
  };

  test('operations: held notStarted, then running at least minRunMs, then succeeded', async () => {
    // Long enough that a poll every 100 ms sees each state even on a busy machine.
    assert.equal((await setFaults({ operations: { startDelayMs: { '*': 2500 }, minRunMs: { '*': 2500 } } })).status, 200);
    try {
      const location = await refresh();
      const seen = new Set<string>();
      let op: Json = {};
      for (let i = 0; i < 200 && op.status !== 'succeeded'; i++) {
        op = (await (await s.call('GET', location)).json()) as Json;
        seen.add(String(op.status));
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.deepEqual([...seen], ['notStarted', 'running', 'succeeded']);
      assert.ok(Date.parse(String(op.lastActionDateTime)) - Date.parse(String(op.createdDateTime)) >= 5000);
    } finally {
      await clear();
    }
  });

  test('operations: failed attempts are retried (statusDetail says so); failureRate ends them failed', async () => {
    assert.equal((await setFaults({ operations: { attemptFailureRate: 1 } })).status, 200);
    const location = await refresh();
    let op: Json = {};
    for (let i = 0; i < 50 && !String(op.statusDetail ?? '').startsWith('Attempt 1'); i++) op = (await (await s.call('GET', location)).json()) as Json;
    assert.equal(op.status, 'running');
    assert.match(String(op.statusDetail), /^Attempt 1 of \d+ failed \(Injected fault: this attempt fails/);
    await clear();
    assert.equal((await s.finish(location)).status, 'succeeded');

    assert.equal((await setFaults({ operations: { failureRate: 1 } })).status, 200);
    try {
      const failed = await s.finish(await refresh());
      assert.deepEqual([failed.status, failed.statusDetail], ['failed', 'Injected fault: the operation fails (failureRate).']);
    } finally {
      await clear();
    }
  });

  describe('clients wait the Retry-After and succeed', () => {
    let front: TlsFront;
    before(async () => (front = await startTlsFront(s.ts.url)));
    after(() => front.close());

    test('the project client and @azure/core-lro follow an operation through throttling', async () => {
      // The POST spends the window's one request: the first poll is throttled.
      await setFaults({ throttle: { requests: 1, windowSeconds: 3 } });
      const location = await refresh();
      try {
        const statuses: number[] = [];
        const op = await pollOperation(location, {
          token: () => s.writer,
          fetch: async (input: string, init: RequestInit) => {
            const res = await fetch(input, init);
            statuses.push(res.status);
            return res;
          },
        });
        assert.equal(op.status, 'succeeded');
        assert.ok(statuses.includes(429), `throttled at least once: ${statuses.join(',')}`);

        // core-lro as Azure SDKs run it: requests through core-rest-pipeline, whose retry policy
        // waits out 429 and 503 (Retry-After); a policy inside it sees every attempt.
        const attempts: number[] = [];
        const pipeline = createPipelineFromOptions({ retryOptions: { maxRetries: 10 } });
        pipeline.addPolicy({ name: 'record', sendRequest: async (request, next) => { const res = await next(request); attempts.push(res.status); return res; } }, { afterPhase: 'Retry' });
        const httpClient = createDefaultHttpClient();
        await setFaults({ throttle: { requests: 1, windowSeconds: 3 } });
        const send = async (method: 'GET' | 'POST', url: string, body?: unknown): Promise<OperationResponse<Json>> => {
          // Plain http on loopback, as a local emulator is reached (Azurite's documented setting).
          const request = createPipelineRequest({
            url,
            method,
            allowInsecureConnection: true,
            headers: createHttpHeaders({ authorization: `Bearer ${s.writer}`, ...(body ? { 'content-type': 'application/json' } : {}) }),
            ...(body ? { body: JSON.stringify(body) } : {}),
          });
          const res = await pipeline.sendRequest(httpClient, request);
          const parsed = (res.bodyAsText ? JSON.parse(res.bodyAsText) : {}) as Json;
          return { flatResponse: parsed, rawResponse: { statusCode: res.status, request: { method, url }, headers: res.headers.toJSON(), body: parsed } };
        };
        const lro: RunningOperation<Json> = {
          sendInitialRequest: () => send('POST', `${s.ts.url}${ALERTS_ROOT}/alerts/refresh`, { scopeId: '/', scopeType: 'DirectoryRole' }),
          sendPollRequest: (path) => send('GET', path),
        };
        const poller = createHttpPoller<Json, OperationState<Json>>(lro, { intervalInMs: 50 });
        const result = await poller.pollUntilDone();
        assert.ok(result, 'core-lro ended with the result');
        assert.equal(poller.operationState?.status, 'succeeded');
        assert.ok(attempts.includes(429), `throttled at least once: ${attempts.join(',')}`);
      } finally {
        await clear();
      }
    });

    test("the Graph JS client's retry handler waits out 429 and 503 and gets the answer", async () => {
      const client = graphClient(front, s.writer);
      const path = '/identityGovernance/roleManagementAlerts/operations';
      // How many answers of `status` the service gave so far (its own metrics, by route template).
      const answered = async (status: number) => {
        const text = await (await fetch(`${s.ts.url}/metrics`)).text();
        return text
          .split('\n')
          .filter((l) => l.startsWith('graph_lro_http_requests_total{') && l.includes(`route="/beta${path}"`) && l.includes(`status_code="${status}"`))
          .reduce((n, l) => n + Number(l.split(' ').at(-1)), 0);
      };

      // 429: the window's one request is spent by the first call; the second waits out Retry-After.
      await setFaults({ throttle: { requests: 1, windowSeconds: 3 } });
      try {
        const throttled = await answered(429);
        const first = (await client.api(path).get()) as { value: unknown[] };
        const second = (await client.api(path).get()) as { value: unknown[] };
        assert.equal(second.value.length, first.value.length);
        assert.equal((await answered(429)) - throttled, 1, 'the second call was throttled once, then retried');
      } finally {
        await clear();
      }

      // 503: every answer fails until the first 503 is seen; then the faults go, and the retry after Retry-After succeeds.
      await setFaults({ errors: { rate: 1, statuses: [503], retryAfterSeconds: 1 } });
      const unavailable = await answered(503);
      const pending = client.api(path).get() as Promise<{ value: unknown[] }>;
      try {
        for (let i = 0; i < 200 && (await answered(503)) === unavailable; i++) await new Promise((r) => setTimeout(r, 25));
        assert.equal((await answered(503)) - unavailable, 1);
      } finally {
        await clear();
      }
      assert.ok(Array.isArray((await pending).value));
    });
  });
});
