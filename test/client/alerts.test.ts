// The client against a real server: role management alert refreshes end to end, long-polling,
// failures, aborts, resuming from the URL, fallback polling, and (PostgreSQL) a second server
// process doing the work while the client long-polls the first.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { seedDemoTenant } from '../../src/directory/index.js';
import type { AnyOperation } from '../../packages/client/src/index.js';
import { GraphError, GraphLroClient, OperationFailedError, pollOperation } from '../../packages/client/src/index.js';
import { backends, sleep, TENANT } from '../support/backends.js';
import type { TestServer } from '../support/server.js';
import { startTestServer } from '../support/server.js';
import { finish, fixtureOperation, recordingFetch, writeToken } from './support.js';

const ALERT_ID = `DirectoryRole_${TENANT}_StaleSignInAlert`;

for (const backend of backends) {
  describe(`client: role management alerts on ${backend.name}`, () => {
    let ts: TestServer;
    let token: string;

    before(async () => {
      ts = await startTestServer(backend);
      await seedDemoTenant(ts.server.db, TENANT, { users: 50 });
      token = await writeToken(ts);
    });
    after(() => ts.close());

    test('refresh one alert: long-polls (Preference-Applied seen, few requests) and ends on the alert', async () => {
      const rec = recordingFetch();
      const client = new GraphLroClient({ baseUrl: ts.url, token: () => token, fetch: rec.fetch });
      const seen: AnyOperation[] = [];
      const op = await client.alerts.refresh(ALERT_ID, { onProgress: (o) => seen.push(o) });
      assert.equal(op.status, 'succeeded');
      assert.equal(op.id, `refresh:${ALERT_ID}`);
      assert.equal(op.resourceLocation, `${ts.url}/beta/identityGovernance/roleManagementAlerts/alerts/${ALERT_ID}`);
      assert.ok(seen.length >= 1 && seen.at(-1)!.status === 'succeeded');
      const gets = rec.gets();
      assert.ok(gets.length >= 1 && gets.length <= 6, `${gets.length} GETs`);
      assert.ok(gets.every((g) => g.prefer === 'wait=30'));
      // The last GET answered the final state; every earlier one was a long-poll the server applied.
      assert.ok(gets.slice(0, -1).every((g) => g.preferenceApplied === 'wait=30'), JSON.stringify(gets));

      const alert = await client.alerts.get(ALERT_ID, { expand: ['alertIncidents'] });
      assert.equal(alert.id, ALERT_ID);
      assert.ok(alert.lastScannedDateTime, 'the refresh scanned the alert');
      assert.ok(Array.isArray(alert.alertIncidents));
      assert.equal(alert.incidentCount, alert.alertIncidents!.length);
    });

    test('refresh all alerts, then list them with the scope filter the client adds', async () => {
      const rec = recordingFetch();
      const client = new GraphLroClient({ baseUrl: `${ts.url}/beta/`, token: async () => token, fetch: rec.fetch });
      const op = await client.alerts.refreshAll();
      assert.equal(op.status, 'succeeded');
      assert.equal(op.id, `refresh:DirectoryRole_${TENANT}`);
      assert.match(op.statusDetail ?? '', /Scanned \d of 7 alerts/);
      assert.ok(rec.gets().length <= 8, `${rec.gets().length} GETs`);
      const alerts = await client.alerts.list();
      assert.equal(alerts.length, 7);
      assert.ok(alerts.every((a) => a.scopeId === '/' && a.scopeType === 'DirectoryRole' && a.lastScannedDateTime));
    });

    test('a 202 Response is followed from its Operation-Location; operations.get reads by id or URL', async () => {
      const res = await fetch(`${ts.url}/beta/identityGovernance/roleManagementAlerts/alerts/${ALERT_ID}/refresh`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(res.status, 202);
      const op = await pollOperation(res, { token: () => token });
      assert.equal(op.status, 'succeeded');
      const client = new GraphLroClient({ baseUrl: ts.url, token: () => token });
      assert.equal((await client.operations.get(op.id)).status, 'succeeded');
      assert.equal((await client.operations.get(res.headers.get('operation-location')!)).id, op.id);
    });

    test('a failed operation rejects with OperationFailedError carrying statusDetail', async () => {
      const url = await fixtureOperation(ts, 'client-fails');
      const seen: string[] = [];
      // The handler is attached at once: the rejection may come while the test is still updating.
      const polling = pollOperation(url, { token: () => token, onProgress: (o) => seen.push(o.status) }).then(
        () => assert.fail('resolved'),
        (e: unknown) => e,
      );
      await sleep(150);
      await finish(ts, 'client-fails', 'running', 'working');
      await sleep(100);
      await finish(ts, 'client-fails', 'failed', 'The scan broke.');
      const error = await polling;
      assert.ok(error instanceof OperationFailedError);
      assert.equal(error.statusDetail, 'The scan broke.');
      assert.equal(error.operation.status, 'failed');
      assert.deepEqual(error.errors, []);
      // The first GET is a long-poll held until the first change, so `notStarted` is never reported.
      assert.deepEqual(seen, ['running', 'failed']);
    });

    test('error answers reject with GraphError: code, status, request id', async () => {
      const client = new GraphLroClient({ baseUrl: ts.url, token: () => token });
      const notFound = await client.alerts.refresh('NoSuchAlert').catch((e: unknown) => e);
      assert.ok(notFound instanceof GraphError, String(notFound));
      assert.ok(notFound.status === 404 || notFound.status === 400, String(notFound.status));
      assert.ok(notFound.requestId);
      const reader = new GraphLroClient({ baseUrl: ts.url, token: () => ts.token() });
      const denied = await reader.alerts.refresh(ALERT_ID).catch((e: unknown) => e);
      assert.ok(denied instanceof GraphError);
      assert.equal(denied.status, 403);
      assert.equal(denied.code, 'Authorization_RequestDenied');
    });

    test('abort: the signal ends a long-poll at once with its reason; a new poller resumes from the URL alone', async () => {
      const url = await fixtureOperation(ts, 'client-resume');
      const controller = new AbortController();
      const started = Date.now();
      const polling = pollOperation(url, { token: () => token, signal: controller.signal });
      setTimeout(() => controller.abort(), 100);
      const error = await polling.catch((e: unknown) => e);
      assert.ok(error instanceof Error && error.name === 'AbortError', String(error));
      assert.ok(Date.now() - started < 2000, 'the held request was cancelled');

      const reason = new Error('custom reason');
      const error2 = await pollOperation(url, { token: () => token, signal: AbortSignal.abort(reason) }).catch((e: unknown) => e);
      assert.equal(error2, reason);

      const rec = recordingFetch();
      const resumed = pollOperation(url, { token: () => token, fetch: rec.fetch });
      await sleep(200);
      const done = Date.now();
      await finish(ts, 'client-resume', 'succeeded', 'done');
      const op = await resumed;
      assert.equal(op.status, 'succeeded');
      assert.equal(op.statusDetail, 'done');
      assert.ok(Date.now() - done < 1000, 'seen within the long-poll, not at the next Retry-After');
      assert.equal(rec.gets().length, 1, 'one held request saw the completion');
    });

    test('without long-polling (waitSeconds: 0) the poller follows Retry-After', async () => {
      const url = await fixtureOperation(ts, 'client-retry-after');
      const rec = recordingFetch();
      const state = { requests: 0, longPolling: false };
      const polling = pollOperation(url, { token: () => token, fetch: rec.fetch, waitSeconds: 0 }, state);
      await sleep(300);
      await finish(ts, 'client-retry-after', 'succeeded', '');
      await polling;
      assert.equal(state.longPolling, false);
      const gets = rec.gets();
      assert.ok(gets.every((g) => g.prefer === undefined && g.preferenceApplied === null));
      assert.equal(gets.length, 2, 'one poll, then one after Retry-After: 1');
      assert.ok(gets[1]!.sentAt - gets[0]!.sentAt >= 990, 'waited for Retry-After');
    });

    if (backend.name === 'postgres') {
      test('a second server process runs the refresh while the client long-polls the first', async () => {
        const first = await startTestServer(backend, { workers: false });
        const child = spawn(process.execPath, ['dist/src/cli/main.js', 'serve', '--port', '0', '--data-dir', first.dataDir, '--no-demo'], {
          env: { ...process.env, DATABASE_URL: first.database.url },
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        try {
          await seedDemoTenant(first.server.db, TENANT, { users: 50 });
          const lines = createInterface({ input: child.stdout! });
          let secondUrl = '';
          for await (const line of lines) {
            const m = /graph-lro listening on (\S+)/.exec(line);
            if (m) {
              secondUrl = m[1]!;
              break;
            }
          }
          assert.ok(secondUrl && secondUrl !== first.url);
          child.stdout!.resume();
          const t = await writeToken(first);
          const rec = recordingFetch();
          const client = new GraphLroClient({ baseUrl: first.url, token: () => t, fetch: rec.fetch });
          const seen: string[] = [];
          const op = await client.alerts.refresh(ALERT_ID, { onProgress: (o) => seen.push(o.status) });
          assert.equal(op.status, 'succeeded');
          assert.equal(op.resourceLocation, `${first.url}/beta/identityGovernance/roleManagementAlerts/alerts/${ALERT_ID}`);
          assert.ok(rec.calls.every((c) => c.url.startsWith(first.url)), 'only the first server was asked');
          assert.ok(rec.gets().length <= 6, `${rec.gets().length} GETs`);
          assert.ok(rec.gets().some((g) => g.preferenceApplied === 'wait=30'));
        } finally {
          child.kill('SIGTERM');
          if (child.exitCode === null) await once(child, 'exit');
          await first.close();
        }
      });
    }
  });
}
