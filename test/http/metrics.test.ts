// Prometheus metrics over real HTTP: /metrics scraped and read with a Prometheus text-format
// parser; operation counters and histograms after real refreshes; bounded label sets; the
// separate metrics port and metrics turned off.
import type { RecentMinute } from '../../src/http/recentActivity.js';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { seedDemoTenant } from '../../src/directory/index.js';
import { REFRESH_ALERT_KIND } from '../../src/families/roleManagementAlerts/model.js';
import { writeToken } from '../client/support.js';
import { backends, sleep, TENANT } from '../support/backends.js';
import { Scrape } from '../support/prometheus.js';
import type { TestServer } from '../support/server.js';
import { startTestServer } from '../support/server.js';

const ALERTS = '/beta/identityGovernance/roleManagementAlerts';
const OPERATION_ROUTE = `${ALERTS}/operations/:id`;
const ALERT_ID = `DirectoryRole_${TENANT}_StaleSignInAlert`;
const FAMILY = 'roleManagementAlerts';
const BY_KIND = { family: FAMILY, kind: REFRESH_ALERT_KIND };

async function scrape(url: string): Promise<Scrape> {
  const res = await fetch(url);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return new Scrape(await res.text());
}

/** Counter value, 0 when the series does not exist yet. */
const count = (s: Scrape, name: string, labels: Record<string, string> = BY_KIND) => s.value(name, labels) ?? 0;
const observations = (s: Scrape, name: string, labels: Record<string, string> = BY_KIND) => s.histogram(name, labels)?.count ?? 0;

function assertHistogram(s: Scrape, name: string, labels: Record<string, string>) {
  assert.equal(s.types.get(name), 'histogram');
  const h = s.histogram(name, labels);
  assert.ok(h, `${name} ${JSON.stringify(labels)}`);
  assert.ok(h.buckets.size >= 5, 'several buckets');
  assert.equal(h.buckets.get('+Inf'), h.count, '+Inf bucket holds every observation');
  const cumulative = [...h.buckets.entries()].sort(([a], [b]) => Number(a) - Number(b)).map(([, n]) => n);
  assert.deepEqual(cumulative, [...cumulative].sort((a, b) => a - b), 'buckets are cumulative');
  assert.ok(h.sum >= 0);
  return h;
}

/** Refreshes the alert and long-polls its operation until it ends. */
async function refresh(ts: TestServer, token: string): Promise<Record<string, unknown>> {
  const headers = { authorization: `Bearer ${token}` };
  const res = await fetch(`${ts.url}${ALERTS}/alerts/${ALERT_ID}/refresh`, { method: 'POST', headers });
  assert.equal(res.status, 202);
  const location = res.headers.get('location')!;
  for (let i = 0; i < 50; i++) {
    const op = (await (await fetch(location, { headers: { ...headers, prefer: 'wait=10' } })).json()) as Record<string, unknown>;
    if (op.status === 'succeeded' || op.status === 'failed') return op;
  }
  throw new Error('the refresh did not end');
}

/** What the service answers for a URL it does not serve: Graph's 400 naming the unknown segment (not 404). */
async function assertNotServed(url: string) {
  const res = await fetch(url);
  assert.equal(res.status, 400);
  const body = (await res.json()) as { error: { code: string; message: string } };
  assert.equal(body.error.code, 'BadRequest');
  assert.match(body.error.message, /Resource not found for the segment 'metrics'/);
}

/** Runs `fn` over `items`, `width` at a time. */
async function inBatches<T>(items: readonly T[], width: number, fn: (item: T) => Promise<void>) {
  for (let i = 0; i < items.length; i += width) await Promise.all(items.slice(i, i + width).map(fn));
}

for (const backend of backends) {
  /** GET /metrics/recent beside the scrape URL. */
  const recent = async (metricsUrl: string): Promise<RecentMinute[]> => {
    const res = await fetch(`${metricsUrl}/recent`);
    assert.equal(res.status, 200);
    return ((await res.json()) as { minutes: RecentMinute[] }).minutes;
  };

  describe(`metrics on ${backend.name}`, () => {
    let ts: TestServer;
    let token: string;
    let metricsUrl: string;

    before(async () => {
      ts = await startTestServer(backend, { engine: { retryBaseMs: 5 } });
      await seedDemoTenant(ts.server.db, TENANT, { users: 20 });
      token = await writeToken(ts);
      metricsUrl = `${ts.url}/metrics`;
    });
    after(() => ts.close());

    test('served at /metrics on the main port with no token', async () => {
      assert.equal(ts.server.metricsUrl, metricsUrl);
      const s = await scrape(metricsUrl);
      assert.ok(s.value('graph_lro_process_cpu_user_seconds_total') !== undefined, 'process metrics, prefixed');
      assert.equal(s.types.get('graph_lro_nodejs_eventloop_lag_seconds'), 'gauge');
      assert.equal(s.types.get('graph_lro_long_polls_waiting'), 'gauge');
      assert.equal(s.value('graph_lro_operations_queue_depth', { status: 'notStarted' }) !== undefined, true);
      assert.equal(s.value('graph_lro_operations_queue_depth', { status: 'running' }) !== undefined, true);
      if (backend.name === 'postgres') {
        for (const pool of ['main', 'control']) {
          assert.ok(s.value('graph_lro_db_pool_connections_in_use', { pool }) !== undefined, pool);
          assert.ok(s.value('graph_lro_db_pool_connections_idle', { pool }) !== undefined, pool);
          assert.ok(s.value('graph_lro_db_pool_waiting_requests', { pool })! >= 0, pool);
        }
      } else {
        assert.ok(![...s.types.keys()].some((name) => name.startsWith('graph_lro_db_pool_')), 'no pool on PGlite');
      }
    });

    test('N refreshes: created, started and succeeded say N; pickup and run histograms; requests by route template', async () => {
      const N = 5;
      const before = await scrape(metricsUrl);
      const recentBefore = await recent(metricsUrl);
      for (let i = 0; i < N; i++) assert.equal((await refresh(ts, token)).status, 'succeeded');
      const s = await scrape(metricsUrl);
      // The same events, minute by minute, for the dashboard: the last hour, current minute last.
      const minutes = await recent(metricsUrl);
      assert.equal(minutes.length, 60);
      assert.ok(Date.parse(minutes.at(-1)!.start) <= Date.now() && Date.now() - Date.parse(minutes.at(-1)!.start) < 60_000);
      const total = (list: RecentMinute[], of: (m: RecentMinute) => number) => list.reduce((n, m) => n + of(m), 0);
      for (const outcome of ['created', 'started', 'succeeded'] as const) assert.equal(total(minutes, (m) => m[outcome]) - total(recentBefore, (m) => m[outcome]), N, outcome);
      assert.equal(total(minutes, (m) => m.pickup.count) - total(recentBefore, (m) => m.pickup.count), N);
      assert.ok(minutes.some((m) => m.pickup.count > 0 && m.pickup.meanSeconds !== null && m.pickup.p95Seconds !== null && m.pickup.p95Seconds >= 0));
      for (const name of ['created', 'started', 'succeeded']) {
        const metric = `graph_lro_operations_${name}_total`;
        assert.equal(s.types.get(metric), 'counter');
        assert.equal(count(s, metric) - count(before, metric), N, metric);
      }
      assert.equal(count(s, 'graph_lro_operations_failed_total') - count(before, 'graph_lro_operations_failed_total'), 0);
      assert.equal(count(s, 'graph_lro_operations_retried_total') - count(before, 'graph_lro_operations_retried_total'), 0);
      const pickup = assertHistogram(s, 'graph_lro_operation_pickup_seconds', BY_KIND);
      assert.equal(pickup.count - observations(before, 'graph_lro_operation_pickup_seconds'), N);
      const run = assertHistogram(s, 'graph_lro_operation_run_seconds', BY_KIND);
      assert.equal(run.count - observations(before, 'graph_lro_operation_run_seconds'), N);
      assert.ok(run.sum > 0);

      const routes = s.labelValues('graph_lro_http_requests_total', 'route');
      assert.ok(routes.has(OPERATION_ROUTE), [...routes].join(', '));
      assert.ok([...routes].some((r) => r.startsWith(`${ALERTS}/alerts/`) && r.endsWith('/refresh') && r.includes(':')), 'the refresh action by template');
      assert.ok(![...routes].some((r) => r.includes(ALERT_ID)), 'no id in a route label');
      const polls = { route: OPERATION_ROUTE, method: 'GET', status_code: '200' };
      assert.ok(count(s, 'graph_lro_http_requests_total', polls) - count(before, 'graph_lro_http_requests_total', polls) >= N);
      assertHistogram(s, 'graph_lro_http_request_duration_seconds', { route: OPERATION_ROUTE, method: 'GET' });
      assert.equal(s.value('graph_lro_long_polls_waiting'), 0);
    });

    test('retried attempts and a failure are counted, each attempt timed', async () => {
      const before = await scrape(metricsUrl);
      ts.server.engine.setFaults({ attemptFailureRate: 1 });
      try {
        assert.equal((await refresh(ts, token)).status, 'failed');
      } finally {
        ts.server.engine.setFaults(undefined);
      }
      const s = await scrape(metricsUrl);
      const diff = (name: string) => count(s, name) - count(before, name);
      const attempts = diff('graph_lro_operations_started_total');
      assert.ok(attempts >= 2, `${attempts} attempts`);
      assert.equal(diff('graph_lro_operations_created_total'), 1);
      assert.equal(diff('graph_lro_operations_retried_total'), attempts - 1);
      assert.equal(diff('graph_lro_operations_failed_total'), 1);
      assert.equal(diff('graph_lro_operations_succeeded_total'), 0);
      assert.equal(observations(s, 'graph_lro_operation_run_seconds') - observations(before, 'graph_lro_operation_run_seconds'), attempts);
      assert.equal(observations(s, 'graph_lro_operation_pickup_seconds') - observations(before, 'graph_lro_operation_pickup_seconds'), 1, 'first attempts only');
    });

    test('a held long-poll is counted while it waits; queue depth comes from the database', async () => {
      const id = 'metrics-fixture';
      // No worker runs this kind: it stays notStarted.
      await ts.server.engine.create({ tenantId: TENANT, family: FAMILY, kind: 'test.metrics-fixture', id, resourceLocation: '', statusDetail: '' });
      const poll = fetch(`${ts.url}${ALERTS}/operations/${id}`, { headers: { authorization: `Bearer ${token}`, prefer: 'wait=2' } });
      let waiting = 0;
      for (let i = 0; i < 100 && waiting === 0; i++) {
        const s = await scrape(metricsUrl);
        waiting = s.value('graph_lro_long_polls_waiting') ?? 0;
        if (waiting === 0) await sleep(10);
        else assert.ok(s.value('graph_lro_operations_queue_depth', { status: 'notStarted' })! >= 1);
      }
      assert.equal(waiting, 1);
      const res = await poll;
      assert.equal(res.headers.get('preference-applied'), 'wait=2');
      assert.equal((await scrape(metricsUrl)).value('graph_lro_long_polls_waiting'), 0);
      await ts.server.db.query(`DELETE FROM operations WHERE tenant_id = $1 AND id = $2`, [TENANT, id]);
    });

    test('label sets stay bounded after 1,000 unknown operation ids and 1,000 unknown URLs', async () => {
      const before = await scrape(metricsUrl);
      const ids = Array.from({ length: 1000 }, (_, i) => `unknown-${i}`);
      const headers = { authorization: `Bearer ${token}` };
      await inBatches(ids, 50, async (id) => {
        const res = await fetch(`${ts.url}${ALERTS}/operations/${id}`, { headers });
        assert.equal(res.status, 404);
        await res.arrayBuffer();
      });
      await inBatches(ids, 50, async (id) => {
        const res = await fetch(`${ts.url}/nowhere/${id}?x=${id}`);
        assert.equal(res.status, 400, 'Graph answers an unknown URL 400');
        await res.arrayBuffer();
      });
      const s = await scrape(metricsUrl);
      assert.ok(!s.text.includes('unknown-'), 'no id or URL in any label');
      const routes = s.labelValues('graph_lro_http_requests_total', 'route');
      assert.ok(routes.has('unmatched'));
      const added = [...routes].filter((r) => !before.labelValues('graph_lro_http_requests_total', 'route').has(r));
      assert.ok(added.length <= 2, `new routes: ${added.join(', ')}`);
      const series = s.series('graph_lro_http_requests_total').length - before.series('graph_lro_http_requests_total').length;
      assert.ok(series <= 3, `${series} new request series`);
      const notFound = { route: OPERATION_ROUTE, method: 'GET', status_code: '404' };
      assert.equal(count(s, 'graph_lro_http_requests_total', notFound) - count(before, 'graph_lro_http_requests_total', notFound), 1000);
      assert.ok(count(s, 'graph_lro_http_requests_total', { route: 'unmatched', method: 'GET', status_code: '400' }) >= 1000);
      assert.ok(s.labelValues('graph_lro_operations_created_total', 'kind').size <= 4);
    });
  });

  describe(`metrics on a port of their own, and turned off, on ${backend.name}`, () => {
    test('--metrics-port: served there (plain HTTP), not at /metrics on the main port', async () => {
      const ts = await startTestServer(backend, { metrics: { port: 0 } });
      try {
        const url = ts.server.metricsUrl!;
        assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
        assert.notEqual(new URL(url).port, new URL(ts.url).port);
        await assertNotServed(`${ts.url}/metrics`);
        assert.equal((await fetch(`${ts.url}/healthz`)).status, 200);
        const s = await scrape(url);
        assert.ok(count(s, 'graph_lro_http_requests_total', { route: '/healthz', method: 'GET', status_code: '200' }) >= 1, 'the main port is measured');
        assert.ok(s.value('graph_lro_operations_queue_depth', { status: 'notStarted' }) !== undefined);
        assert.equal((await fetch(new URL('/healthz', url))).status, 404, 'only /metrics there');
        // The dashboard's feed stays on the main port: it can only ask its own origin.
        assert.equal((await recent(url.replace(new URL(url).origin, ts.url))).length, 60);
      } finally {
        await ts.close();
      }
    });

    test('metrics: false: no /metrics anywhere', async () => {
      const ts = await startTestServer(backend, { metrics: false });
      try {
        assert.equal(ts.server.metricsUrl, undefined);
        await assertNotServed(`${ts.url}/metrics`);
        assert.deepEqual(await (await fetch(`${ts.url}/metrics/recent`)).json(), { minutes: null });
      } finally {
        await ts.close();
      }
    });
  });
}
