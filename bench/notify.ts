// bench/notify: time from an operation's completion (the UPDATE that ends it has committed) to the
// moment a client following it sees it, p50/p99, for three clients in the same run on PostgreSQL:
//   - @graph-lro/client's pollOperation (Prefer: wait long-polls),
//   - a client polling at a fixed 1 s interval,
//   - @azure/core-lro 3.3's createHttpPoller at its defaults (2 s interval, Retry-After honoured),
//     over a small RunningOperation adapter on fetch (skipFinalGet: the status is what is timed).
// Operations are created with the engine under a kind no worker runs and completed with SQL from a
// separate connection, each a random 100–1100 ms after its client started following it.
//
//   npx tsc -b && node dist/bench/notify.js [--ops 1000] [--concurrency 50] [--slow-ops 1000] [--slow-concurrency 100]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { OperationResponse, RunningOperation } from '@azure/core-lro';
import { createHttpPoller } from '@azure/core-lro';
import { DirectoryRoles, mintToken } from '../src/auth/index.js';
import { startServer } from '../src/http/server.js';
import { pollOperation } from '../packages/client/src/index.js';

const { values: args } = parseArgs({
  options: {
    ops: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '50' },
    'slow-ops': { type: 'string', default: '1000' },
    'slow-concurrency': { type: 'string', default: '100' },
  },
});
const TENANT = '4a5d0f5e-9b1c-4c3e-8d7f-2e6b1a9c0d3f';
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function admin(sql: string) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query(sql);
  await client.end();
}

const dbName = `bench_notify_${randomBytes(4).toString('hex')}`;
await admin(`CREATE DATABASE ${dbName}`);
const url = new URL(databaseUrl);
url.pathname = `/${dbName}`;
const dataDir = mkdtempSync(join(tmpdir(), 'bench-notify-'));
const server = await startServer({ port: 0, host: '127.0.0.1', dataDir, databaseUrl: url.toString(), workers: false });
const completer = new pg.Pool({ connectionString: url.toString(), max: 20 });
const token = await mintToken({ key: server.signingKey!, tenantId: TENANT, scopes: ['RoleManagementAlert.Read.Directory'], wids: [DirectoryRoles.globalReader] });
const OPS = `${server.url}/beta/identityGovernance/roleManagementAlerts/operations`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Follow = (opUrl: string) => Promise<void>;

/** Follows `count` operations, `concurrency` at a time; each latency is seen − committed, in ms. */
async function measure(name: string, follow: Follow, count: number, concurrency: number): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  const one = async (i: number) => {
    const id = `${name}-${i}`;
    await server.engine.create({ tenantId: TENANT, family: 'roleManagementAlerts', kind: 'bench.notify', id, resourceLocation: '', statusDetail: '' });
    let seen = 0;
    const following = follow(`${OPS}/${id}`).then(() => {
      seen = performance.now();
    });
    await sleep(100 + Math.random() * 1000);
    await completer.query(`UPDATE operations SET status = 'succeeded', status_detail = 'done', lease_owner = NULL, last_action_at = now() WHERE tenant_id = $1 AND id = $2`, [TENANT, id]);
    const committed = performance.now();
    await following;
    latencies.push(Math.max(0, seen - committed));
  };
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await one(next++);
    }),
  );
  return latencies.sort((a, b) => a - b);
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const round = (n: number) => Math.round(n * 100) / 100;

function report(client: string, sorted: number[], concurrency: number, note: string) {
  process.stdout.write(
    `${JSON.stringify({
      bench: 'notify',
      client,
      operations: sorted.length,
      concurrency,
      p50Ms: round(pct(sorted, 50)),
      p99Ms: round(pct(sorted, 99)),
      maxMs: round(sorted.at(-1)!),
      note,
    })}\n`,
  );
}

let requests = 0;
const counting = (input: string, init: RequestInit) => {
  requests++;
  return fetch(input, init);
};

const longPoll: Follow = async (opUrl) => {
  await pollOperation(opUrl, { token: () => token, fetch: counting });
};

const fixedSecond: Follow = async (opUrl) => {
  for (;;) {
    requests++;
    const res = await fetch(opUrl, { headers: { authorization: `Bearer ${token}` } });
    const op = (await res.json()) as { status: string };
    if (op.status === 'succeeded' || op.status === 'failed') return;
    await sleep(1000);
  }
};

function headersOf(res: Response): Record<string, string> {
  const out: Record<string, string> = {};
  res.headers.forEach((v, k) => (out[k] = v));
  return out;
}

const coreLro: Follow = async (opUrl) => {
  const operation: RunningOperation = {
    // The action's 202, as the service sends it: Operation-Location and Retry-After.
    sendInitialRequest: async () => ({
      flatResponse: undefined,
      rawResponse: { statusCode: 202, request: { method: 'POST', url: opUrl.replace(/\/operations\/.*$/, '/alerts/refresh') }, headers: { 'operation-location': opUrl, 'retry-after': '1' } },
    }),
    sendPollRequest: async (path: string): Promise<OperationResponse> => {
      requests++;
      const res = await fetch(path, { headers: { authorization: `Bearer ${token}` } });
      const body = (await res.json()) as Record<string, unknown>;
      return { flatResponse: body, rawResponse: { statusCode: res.status, request: { method: 'GET', url: path }, headers: headersOf(res), body } };
    },
  };
  const poller = createHttpPoller(operation, { skipFinalGet: true });
  await poller.pollUntilDone();
};

const opsN = Number(args.ops);
const conc = Number(args.concurrency);
const slowN = Number(args['slow-ops']);
const slowConc = Number(args['slow-concurrency']);
try {
  await measure('warmup', longPoll, 50, 25);
  for (const [name, follow, n, c, note] of [
    ['graph-lro-client (Prefer: wait=30)', longPoll, opsN, conc, 'pollOperation defaults'],
    ['fixed 1 s poller', fixedSecond, slowN, slowConc, 'GET every 1000 ms, no Prefer'],
    ['@azure/core-lro 3.3 defaults', coreLro, slowN, slowConc, 'createHttpPoller defaults (2 s interval, Retry-After honoured), skipFinalGet'],
  ] as const) {
    requests = 0;
    const started = performance.now();
    const sorted = await measure(name.replace(/\W+/g, '_'), follow, n, c);
    report(name, sorted, c, `${note}; ${requests} GETs in ${round((performance.now() - started) / 1000)} s`);
  }
} finally {
  await completer.end();
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
  await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
}
